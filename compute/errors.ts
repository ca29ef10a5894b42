/** Errors across the thread boundary: input problems stay `InvalidInputError`s on the other side. */
import { InvalidInputError, isInvalidInput } from '../analysis/errors';

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly problems?: readonly { where: string; message: string }[];
}

export function serializeError(e: unknown): SerializedError {
  const error = e instanceof Error ? e : new Error(String(e));
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    problems: isInvalidInput(error) ? error.problems : undefined,
  };
}

/** The thread's error as the caller's. */
export function reviveError(e: SerializedError): Error {
  const error = e.problems ? new InvalidInputError(e.problems) : new Error(e.message);
  if (!e.problems) error.name = e.name;
  if (e.stack) error.stack = e.stack;
  return error;
}
