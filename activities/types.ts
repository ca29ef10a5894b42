/**
 * What the stages exchange: small JSON (dataset URIs, figures, parameters), never the data, so
 * the same functions run in-process and as Temporal activities with payloads far under its
 * limits. Nothing here grows with the number of variables: per-variable lists (distribution
 * entries, importance) are JSON artifacts passed by URI, so a line with thousands of variables
 * stays far under Temporal's 2 MB a payload. Every input carries the analysis' `workDir`, the
 * folder its artifacts go to.
 */
import type { Changes } from '../analysis/changes';
import type { AnalysisConfig, AnalysisSettings, Learner } from '../analysis/config';
import type { DistributionEvidence } from '../analysis/evidence/time-aware';
import type {
  ModelSelection,
  ModelSummary,
  SearchValidationSummary,
  TrialSummary,
} from '../analysis/results';

export interface AnalysisRef {
  readonly analysisId: string;
  /** Absolute folder for this analysis' artifacts (datasets, model, report). */
  readonly workDir: string;
}

export interface ExtractInput extends AnalysisRef {
  readonly config: AnalysisConfig;
  readonly settings: AnalysisSettings;
  /** Folder a relative `source.path` is relative to (the configuration file's). */
  readonly baseDir: string;
}

export interface ExtractOutput {
  readonly observationsUri: string;
  readonly rows: number;
  readonly from: string;
  readonly to: string;
  /** Columns read besides time, the target's columns included (their list is in the dataset). */
  readonly variables: number;
  readonly duplicateRows: number;
  readonly unsortedRows: number;
}

export interface AggregateInput extends AnalysisRef {
  readonly config: AnalysisConfig;
  readonly settings: AnalysisSettings;
  readonly observationsUri: string;
}

/** How the observations split: recomputed from the dataset wherever needed, never shipped as rows. */
export interface SplitSpec {
  readonly fraction: number;
  readonly gapMs: number;
  readonly windowMs: number;
}

export interface AggregateOutput {
  readonly featuresUri: string;
  readonly rows: number;
  readonly positives: number;
  readonly features: number;
  /** Explanatory variables (the target's columns left out): the results' `data.variables`. */
  readonly variables: number;
  readonly split: SplitSpec;
  readonly trainRows: number;
  readonly validationRows: number;
  readonly validationPositives: number;
}

export interface DistributionInput extends AnalysisRef {
  readonly config: AnalysisConfig;
  readonly settings: AnalysisSettings;
  readonly observationsUri: string;
}

export interface DistributionOutput {
  /** JSON artifact: the ranked `DistributionEntry[]` of the results document. */
  readonly entriesUri: string;
  readonly variables: number;
  /** How the time-aware p-values were obtained, and the bad episodes (a few figures). */
  readonly evidence?: DistributionEvidence;
}

export interface RulesInput extends AnalysisRef {
  readonly config: AnalysisConfig;
  readonly settings: AnalysisSettings;
  readonly observationsUri: string;
  /** The distribution stage's entries (the ranking, each variable's dead time). */
  readonly entriesUri: string;
}

export interface RulesOutput {
  /** JSON artifact: `operatingWindows`, `rules`, `recommendation` and `ruleEvidence` (analysis/rules). */
  readonly whatToDoUri: string;
  readonly operatingWindows: number;
  readonly rules: number;
  readonly seconds: number;
}

export type TrialParams = Readonly<Record<string, string | number | boolean | null>>;

export interface TrialInput {
  readonly featuresUri: string;
  readonly split: SplitSpec;
  readonly number: number;
  readonly learner: Learner;
  readonly params: TrialParams;
  /**
   * The median pruner's curve, computed by the search from finished trials of the same learner:
   * at each step the median validation log loss; a trial above it there stops as pruned.
   */
  readonly pruneAbove?: readonly { readonly step: number; readonly value: number }[];
}

export interface TrialOutput {
  readonly number: number;
  readonly learner: Learner;
  readonly state: 'complete' | 'pruned' | 'failed';
  /** The search's validation AUC, mean over its folds (the value maximized). */
  readonly value: number | null;
  /** Validation binary log loss by boosting round (the pruners' curve). */
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  readonly bestIteration?: number;
  readonly seconds: number;
  readonly error?: string;
}

export interface EvaluateInput extends AnalysisRef {
  readonly featuresUri: string;
  readonly split: SplitSpec;
  readonly best: { readonly learner: Learner; readonly params: TrialParams; readonly bestIteration?: number };
  readonly baseline?: { readonly learner: Learner; readonly params: TrialParams };
}

export interface EvaluateOutput {
  /** The model explained. */
  readonly model: ModelSummary;
  readonly baseline: ModelSummary | null;
  readonly selection: ModelSelection;
  readonly searchValidation: SearchValidationSummary;
  readonly modelUri: string;
  readonly onnxUri: string | null;
}

export interface ExplainInput extends AnalysisRef {
  readonly featuresUri: string;
  readonly modelUri: string;
  /** Variables kept in the per-row contributions over time. */
  readonly top?: number;
}

export interface ExplainOutput {
  /** JSON artifact: the ranked `ImportanceEntry[]` of the results document. */
  readonly importanceUri: string;
  /** JSON artifact: per-row contributions of the top variables with each row's time. */
  readonly contributionsUri: string;
  /** JSON artifact: a sample of per-row SHAP values for the beeswarm. */
  readonly shapSampleUri: string;
  /** JSON artifact: the strongest pairs of variables by SHAP interaction (tree models only). */
  readonly interactionsUri?: string;
}

export interface StabilityInput extends AnalysisRef {
  readonly featuresUri: string;
  readonly split: SplitSpec;
  /** The configuration explained (the search's best, or the baseline evaluate chose), refitted on each fold. */
  readonly explained: EvaluateInput['best'];
  /** Fixes the shadows' offsets. */
  readonly seed: number;
  /** Blocked folds of the training part (default 5). */
  readonly folds?: number;
}

export interface StabilityOutput {
  /** JSON artifact: `Record<variable, VariableStability>`, each `importance[i].stability`. */
  readonly stabilityUri: string;
  /** Folds fitted (0 when the training part was too short for them). */
  readonly folds: number;
  readonly seconds: number;
  /**
   * The work of its tasks: the folds' times on their threads, summed, and the time taken to make
   * the folds' bins (coarsened, shadows shifted) on the caller's thread. Unlike `seconds` it
   * leaves out the waits behind the explanation's tasks on the same threads, and it counts folds
   * that ran side by side once each.
   */
  readonly threadSeconds?: number;
  /** Why folds are missing, when some are. */
  readonly note?: string;
}

export type AnalysisStatus = 'complete' | 'cancelled' | 'failed';

/** Everything the results document is made of: figures, and artifacts by URI. */
export interface ComposeInput extends AnalysisRef {
  readonly config: AnalysisConfig;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: AnalysisStatus;
  readonly extract: ExtractOutput;
  readonly aggregate: AggregateOutput;
  /** Null when a cancellation came before the distribution stage finished. */
  readonly distribution: DistributionOutput | null;
  readonly trials: readonly TrialSummary[];
  readonly evaluate: EvaluateOutput | null;
  readonly explain: ExplainOutput | null;
  readonly stability?: StabilityOutput | null;
  /** The rules stage's output; null when cancelled before it finished. */
  readonly rules?: RulesOutput | null;
}

export interface ComposeOutput {
  /** `results.json` in the work folder: what the report and MLflow read. */
  readonly resultsUri: string;
  /** Since the previous complete analysis of the line and target (null: none; absent: not compared). */
  readonly changes?: Changes | null;
  /** MLflow run tags from the evidence: its method, the episodes, the strong and possible causes. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface TrackingSummary {
  readonly experimentId?: string;
  readonly runId?: string;
  /** Runs not logged yet (MLflow unreachable); `line-rca tracking flush` sends them. */
  readonly pending: readonly string[];
  /** Runs MLflow refused for good. */
  readonly failed?: readonly string[];
}

/** The composed document with its MLflow status, to `results.json` and MongoDB. */
export interface PersistInput extends AnalysisRef {
  readonly resultsUri: string;
  readonly tracking?: TrackingSummary;
}

/** A failed analysis' working data, removed (nothing refers to it). */
export type DiscardInput = AnalysisRef;

export interface PersistOutput {
  readonly resultId: string;
  readonly resultsUri: string;
  readonly storedIn: readonly ('file' | 'mongodb')[];
}

export interface ReportInput extends AnalysisRef {
  readonly resultsUri: string;
  readonly observationsUri: string;
  readonly featuresUri: string;
  readonly shapSampleUri?: string;
  /** Variables drawn over time (default: the top of both rankings). */
  readonly variables?: readonly string[];
}

export interface ReportOutput {
  readonly reportUri: string;
}
