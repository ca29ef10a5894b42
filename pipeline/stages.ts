/**
 * The shapes the plan and its parts share: the stages (functions or activity proxies), the
 * runner's hooks, one analysis as the stages after `prepare` see it, and the plan's result.
 */
import type { Activities } from '../activities';
import type { SearchProgress, StageContext, StageStep } from '../activities/progress';

type Stage<K extends keyof Activities> = (
  input: Parameters<Activities[K]>[0],
) => Promise<Awaited<ReturnType<Activities[K]>>>;

/** The stages, as functions (embedded) or activity proxies (Temporal). */
export type Stages = { readonly [K in keyof Activities]: Stage<K> };

/** What a stage returns, by stage name. */
export type StageOutput<K extends keyof Activities> = Awaited<ReturnType<Stages[K]>>;

export interface PipelineHooks {
  /** Milliseconds: `Date.now` in-process; the workflow's deterministic clock under Temporal. */
  readonly now: () => number;
  readonly stage?: (name: string, detail?: string) => void;
  readonly trial?: (progress: SearchProgress) => void;
  /** Throws when the run was cancelled (embedded: Ctrl-C); Temporal cancels through its awaits. */
  readonly checkpoint?: () => void;
  readonly isCancellation: (error: unknown) => boolean;
  /** Runs the recording of the outcome so that a cancellation cannot interrupt it. */
  readonly nonCancellable: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface PipelineResult {
  readonly analysisId: string;
  readonly workDir: string;
  readonly status: 'complete' | 'cancelled';
  readonly resultId: string;
  readonly resultsUri: string;
  readonly reportUri: string | null;
  readonly modelUri: string | null;
  readonly onnxUri: string | null;
  readonly storedIn: readonly string[];
  readonly pendingRuns: readonly string[];
}

/** One analysis as every stage after `prepare` sees it. */
export interface AnalysisRun {
  readonly analysisId: string;
  readonly workDir: string;
  readonly config: StageOutput<'prepare'>['config'];
  /** The configuration's values parsed once by `prepare`, typed. */
  readonly settings: StageOutput<'prepare'>['settings'];
  readonly startedAt: string;
}

/**
 * The stages with a `StageContext` bound: each stage may tell how far it has gone through
 * `step` (the embedded runner shows it on the progress line).
 */
export function withStageSteps<S extends object>(stages: S, step: StageStep): S {
  const context: StageContext = { step };
  const bound: Record<string, unknown> = {};
  for (const [name, stage] of Object.entries(stages)) {
    bound[name] =
      typeof stage === 'function'
        ? (input: unknown) => (stage as (i: unknown, c: StageContext) => unknown)(input, context)
        : stage;
  }
  return bound as S;
}
