/** What the pool and its threads say to each other. */
import type { SerializedError } from './errors';

export interface TaskRequest {
  readonly id: number;
  readonly task: string;
  readonly input: unknown;
  /** One Int32 set to 1 by the caller to ask the task to stop. */
  readonly stop: SharedArrayBuffer;
}

export type TaskReply =
  | { readonly id: number; readonly kind: 'progress'; readonly message: unknown }
  | { readonly id: number; readonly kind: 'done'; readonly value: unknown }
  | { readonly id: number; readonly kind: 'error'; readonly error: SerializedError };
