/**
 * line-rca's public API: what `require('line-rca')` / `import … from 'line-rca'` gives. Everything
 * the README shows is reachable from here; the folders behind it are not a contract.
 *
 *   const { analyze, validateConfig } = require('line-rca');
 *   const checked = validateConfig(document);
 *   if (!checked.ok) console.error(checked.errors);
 *   else {
 *     const { results } = await analyze(checked.config, { baseDir, onProgress: console.log, signal });
 *   }
 *
 * A host's Temporal worker registers `createActivities(...)` with `workflowsPath` (or its own
 * workflows module re-exporting `line-rca/workflows`): see examples/host-worker/.
 */
import path from 'node:path';
import { type Activities, type ActivityDependencies, createActivities as bindActivities } from './activities';
import type { Progress, SearchProgress } from './activities/progress';
import { type AnalysisConfig, parseConfig } from './analysis/config';
import { type InputProblem, isInvalidInput } from './analysis/errors';
import { type EmbeddedRunResult, runEmbedded } from './pipeline/embedded';
import { workerActivities } from './workers/worker';

export type { Activities, ActivityDependencies } from './activities';
export type { SearchProgress } from './activities/progress';
export type { AnalysisConfig, AnalysisConfigInput } from './analysis/config';
export type {
  CategoricalDistribution,
  DistributionEntry,
  DistributionSelection,
  IdentifierDistribution,
  NumericDistribution,
} from './analysis/distribution';
export { analyzeDistribution } from './analysis/distribution';
export { type InputProblem, InvalidInputError, isInvalidInput } from './analysis/errors';
export type { Labels, ObservationTable, Variable, VariableValues } from './analysis/frame';
export type {
  ImportanceEntry,
  ModelSelection,
  ModelSummary,
  ResultsDocument,
  SearchValidationSummary,
  TrialState,
  TrialSummary,
  UnusedImportanceEntry,
  UsedImportanceEntry,
  ValidationMetrics,
} from './analysis/results';
export {
  type DistributionDocument,
  type DistributionOptions as DistributionRunOptions,
  runDistribution as distribution,
} from './cli/distribution';
export { DistributionEngine } from './compute/distribution-engine';
export { ComputePool, type PoolOptions } from './compute/pool';
export { type ArtifactStorage, artifactStorage } from './connectors/artifact-storage';
export { AnalysisCancelled, type EmbeddedRunResult as AnalysisRun } from './pipeline/embedded';
export type { PipelineResult as AnalysisOutcome } from './pipeline/plan';
export type { AnalysisProgress, AnalyzeLineInput } from './workflows/analyze-line';
export { trialTaskQueue } from './workflows/queues';

/** The outcome of `validateConfig`: the configuration with its defaults, or every problem with its path. */
export type ConfigValidation =
  | { readonly ok: true; readonly config: AnalysisConfig }
  | { readonly ok: false; readonly errors: readonly InputProblem[] };

/**
 * Checks a configuration document (parsed JSON or YAML) as `line-rca analyze` does; never
 * throws for a bad document: `{ok: false, errors: [{where: 'search.trials', message: …}]}`.
 */
export function validateConfig(document: unknown): ConfigValidation {
  try {
    return { ok: true, config: parseConfig(document) };
  } catch (error) {
    if (isInvalidInput(error)) return { ok: false, errors: error.problems };
    throw error;
  }
}

/** What `analyze` tells while it runs (the command's progress lines, as data). */
export type ProgressEvent =
  | { readonly kind: 'stage'; readonly stage: string; readonly detail?: string }
  | { readonly kind: 'step'; readonly done: number; readonly total: number; readonly unit: string }
  | { readonly kind: 'trial'; readonly search: SearchProgress }
  | { readonly kind: 'info'; readonly message: string };

export interface AnalyzeOptions {
  /** Folder a relative `source.path` is relative to (default: the working directory). */
  readonly baseDir?: string;
  /** Where `results.json`, `report.html`, `model.json` and `model.onnx` are copied at the end. */
  readonly outDir?: string;
  /** The analysis id (default: one made from the line and the time). */
  readonly analysisId?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops the analysis at its next step; `analyze` then rejects with `AnalysisCancelled`. */
  readonly signal?: AbortSignal;
}

/**
 * The whole analysis in this process (the embedded runner of `line-rca analyze`): the
 * configuration is validated first (a bad one rejects with `InvalidInputError`, listing every
 * problem), trials run on worker threads, and the results document is returned.
 */
export async function analyze(config: unknown, options: AnalyzeOptions = {}): Promise<EmbeddedRunResult> {
  const { onProgress } = options;
  const progress: Progress | undefined = onProgress && {
    stage: (stage, detail) =>
      onProgress(detail === undefined ? { kind: 'stage', stage } : { kind: 'stage', stage, detail }),
    step: (done, total, unit) => onProgress({ kind: 'step', done, total, unit }),
    trial: (search) => onProgress({ kind: 'trial', search }),
    info: (message) => onProgress({ kind: 'info', message }),
  };
  return runEmbedded({
    config: parseConfig(config),
    baseDir: path.resolve(options.baseDir ?? process.cwd()),
    outDir: options.outDir,
    analysisId: options.analysisId,
    progress,
    signal: options.signal,
  });
}

/**
 * line-rca's stages as Temporal activities for a host's worker: bound to the host's compute
 * threads, each heartbeating while it works, input problems failing it for good (non-retryable
 * `InvalidInput`). Register them with `workflowsPath`; trials run on `trialTaskQueue(queue)`,
 * which some worker must poll with `{ searchTrial }`.
 */
export function createActivities(dependencies: ActivityDependencies): Activities {
  return workerActivities(bindActivities(dependencies));
}

/** The module of line-rca's workflows (`analyzeLine`), for `Worker.create({ workflowsPath })`. */
export const workflowsPath: string = require.resolve('./workflows');
