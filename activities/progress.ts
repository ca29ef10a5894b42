/**
 * What a runner tells about a long analysis while it runs: the stage, how far a stage has gone,
 * trials with the best value so far, and an estimate of the time left.
 */

/** How far a stage has gone: `done` of `total` `unit`s (rows, variables, …). */
export type StageStep = (done: number, total: number, unit: string) => void;

/**
 * What a runner gives a stage besides its input: the embedded runner passes `step` through to
 * the command's progress line, the Temporal worker sends it as heartbeat details.
 */
export interface StageContext {
  readonly step?: StageStep;
}

/** One told trial and where the search stands. Trials are named by their `number` (from 0). */
export interface SearchProgress {
  /** Trials finished (complete, pruned or failed) of `total`. */
  readonly done: number;
  readonly total: number;
  /** Best inner-validation AUC so far and the trial that has it. */
  readonly best: { readonly value: number; readonly number: number } | null;
  readonly trial: {
    readonly number: number;
    readonly learner: string;
    readonly state: 'complete' | 'pruned' | 'failed';
    readonly value: number | null;
  };
  /** Seconds the search should still take (trials left at the pace so far, within its time budget). */
  readonly secondsLeft: number | null;
}

export interface Progress {
  stage(name: string, detail?: string): void;
  step(done: number, total: number, unit: string): void;
  trial(progress: SearchProgress): void;
  info(message: string): void;
}
