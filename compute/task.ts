/** What a task running in a worker thread sees, and what it hands back. */

export interface TaskContext<P = unknown> {
  /** Sends an intermediate message (a round's score, a percentage) to the caller. */
  progress(message: P): void;
  /** True once the caller asked the task to stop early; the task decides where to stop. */
  stopRequested(): boolean;
}

export interface TaskResult<T> {
  readonly value: T;
  /** Buffers inside `value` to move to the caller rather than copy (they become unusable here). */
  readonly transfer?: readonly ArrayBuffer[];
}
