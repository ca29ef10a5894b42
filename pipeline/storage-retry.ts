/**
 * The stages that reach MongoDB (`prepare` checks it, `compose` reads the previous analysis,
 * `persist` writes the results) outlast an outage: they are tried again, 1 s after the first failure, then twice as long each time up to
 * every 30 s, for 30 minutes. The workflow gives Temporal this schedule as the activities' retry
 * policy (workflows/analyze-line.ts); the embedded runner follows it with `withStorageRetry`.
 * Only an unavailable server is retried: refused credentials are invalid input and fail at once.
 */
import type { PersistInput } from '../activities/types';
import type { Stages } from './plan';

export const STORAGE_RETRY = {
  initialSeconds: 1,
  backoffCoefficient: 2,
  maximumIntervalSeconds: 30,
  /** From the first try to the last (Temporal's schedule-to-close timeout). */
  totalMinutes: 30,
} as const;

/** Seconds before try `attempt + 1` (the first retry is attempt 1). */
export function storageRetryDelay(attempt: number): number {
  const { initialSeconds, backoffCoefficient, maximumIntervalSeconds } = STORAGE_RETRY;
  return Math.min(maximumIntervalSeconds, initialSeconds * backoffCoefficient ** (attempt - 1));
}

/** What `connectors/mongo.ts` throws when the server cannot be used for now. */
function isUnavailable(error: unknown): error is Error {
  return error instanceof Error && error.name === 'MongoUnavailableError';
}

export interface StorageRetryOptions {
  /** Told before each wait: what failed, and until when the stage keeps trying. */
  readonly waiting?: (message: string) => void;
  /** Stops waiting (Ctrl-C): the last error is thrown. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Calls `stage` until it succeeds, fails otherwise than unavailable, or the schedule is over. */
export async function retryStorage<T>(
  what: string,
  stage: () => Promise<T>,
  options: StorageRetryOptions & { readonly kept?: string } = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const deadline = now() + STORAGE_RETRY.totalMinutes * 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await stage();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const delayMs = storageRetryDelay(attempt) * 1000;
      const kept = options.kept ? `; the results are kept in ${options.kept}` : '';
      if (options.signal?.aborted || now() + delayMs > deadline) {
        error.message = `${error.message} (${what} gave up after ${attempt} tries${kept})`;
        throw error;
      }
      options.waiting?.(
        `${what}: ${error.message}; trying again in ${delayMs / 1000} s, until ${new Date(deadline).toISOString()}${kept}`,
      );
      await wait(delayMs, options.signal);
    }
  }
}

/** The stages that reach MongoDB retried through an outage (embedded runner). */
export function withStorageRetry(stages: Stages, options: StorageRetryOptions = {}): Stages {
  return {
    ...stages,
    prepare: (input) => retryStorage('prepare', () => stages.prepare(input), options),
    compose: (input) => retryStorage('compose', () => stages.compose(input), options),
    persist: (input: PersistInput) =>
      retryStorage('persist', () => stages.persist(input), {
        ...options,
        // No node:path here: the workflow bundle imports this file for STORAGE_RETRY.
        kept: `${input.workDir}/results.json`,
      }),
  };
}
