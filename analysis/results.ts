/**
 * The results document (ARCHITECTURE.md, "Results document"): what `results.json`, `--json`
 * and MongoDB `analysis_results` hold. Field names are a contract: add, never rename.
 */
import type { Changes } from './changes';
import type { AnalysisConfigInput, Learner } from './config';
import type { DistributionEntry } from './distribution/types';
import type { VariableStability } from './evidence/stability';
import type { DistributionEvidence } from './evidence/time-aware';
import type { CauseVerdict } from './evidence/verdicts';
import type { DistributionRuleFields, OperatingWindow, Recommendation, RuleEntry } from './rules/types';

/** The distribution entries are defined with the analysis that makes them. */
export type {
  CategoricalDistribution as CategoricalDistributionEntry,
  DistributionEntry,
  IdentifierDistribution as IdentifierDistributionEntry,
  NumericDistribution as NumericDistributionEntry,
  NumericHistogram as Histogram,
} from './distribution/types';
export type { CauseVerdict, DistributionEvidence, VariableStability };

export interface ValidationMetrics {
  /** ROC AUC; null when the validation period holds a single population (`reason` says so). */
  readonly auc: number | null;
  /** Average precision; null when the validation period holds no positive. */
  readonly prAuc: number | null;
  /** Mean binary log loss (NaN, null in JSON, without rows). */
  readonly logloss: number;
  readonly rows: number;
  readonly positives: number;
  /** Why `auc` is null. */
  readonly reason?: string;
}

export type TrialState = 'complete' | 'pruned' | 'failed' | 'running';

export interface TrialSummary {
  readonly number: number;
  readonly kind: Learner;
  readonly params: Record<string, number | string | boolean>;
  readonly value: number | null;
  readonly state: TrialState;
  readonly [extra: string]: unknown;
}

export interface ModelSummary {
  readonly kind: Learner;
  readonly params: Record<string, number | string | boolean>;
  readonly validation: ValidationMetrics;
}

/** Why `model` is the model explained, and the search's best when that is another. */
export interface ModelSelection {
  readonly reason: string;
  readonly searchBest?: ModelSummary;
}

/** How the search scored its trials inside the training part. */
export interface SearchValidationSummary {
  readonly method: 'time-ordered' | 'blocked folds';
  readonly folds: number;
  readonly reason?: string;
  /** Trials trained on every `trainStep`-th row (more than 200,000 training rows a fold). */
  readonly trainStep?: number;
}

/** A variable the explained model uses: ranked by mean |SHAP|. */
export interface UsedImportanceEntry {
  readonly variable: string;
  readonly meanAbsShap: number;
  readonly features: readonly { readonly feature: string; readonly meanAbsShap: number }[];
  readonly unused?: undefined;
  /** The ranking's stability over blocked time folds against shadow variables. */
  readonly stability?: VariableStability;
}

/** `results.evidence`: how the evidence was weighed, in the results and the report. */
export interface EvidenceSection extends DistributionEvidence {
  /** The stability folds (none without a model). */
  readonly stability: { readonly folds: number; readonly seed: number; readonly note?: string } | null;
  /** The report's summary sentence, from the verdicts. */
  readonly summary: string;
}

/** A variable the explained model never uses (no split on it, a zero coefficient): not ranked. */
export interface UnusedImportanceEntry {
  readonly variable: string;
  readonly meanAbsShap: 0;
  readonly unused: true;
  /** The folds' models may use it where the explained one does not. */
  readonly stability?: VariableStability;
}

export type ImportanceEntry = UsedImportanceEntry | UnusedImportanceEntry;

/** A pair of variables acting together in the model explained (analysis/explain/interactions.ts). */
export interface InteractionEntry {
  readonly variables: readonly [string, string];
  /** Mean |SHAP interaction| of the pair over the explained observations, in log-odds. */
  readonly strength: number;
}

export interface ResultsDocument {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status?: 'complete' | 'cancelled' | 'failed';
  readonly data: {
    readonly rows: number;
    readonly positives: number;
    readonly variables: number;
    readonly features: number;
    /** Bad episodes: runs of positive observations, one negative inside not splitting them. */
    readonly episodes?: number;
  };
  /** Each entry with its dead time and its comparison within strata when those ran. */
  readonly distribution: readonly (DistributionEntry & DistributionRuleFields)[];
  readonly model:
    | (ModelSummary & {
        readonly baseline: ModelSummary | null;
        readonly trials: readonly TrialSummary[];
        readonly selection?: ModelSelection;
        readonly searchValidation?: SearchValidationSummary;
      })
    | null;
  readonly importance: readonly ImportanceEntry[];
  /** One verdict per variable from both analyses, strongest first. */
  readonly causes?: readonly CauseVerdict[];
  readonly evidence?: EvidenceSection;
  /** What to do (analysis/rules): where to keep each variable, the rules, the recommendation. */
  readonly operatingWindows?: readonly OperatingWindow[];
  readonly rules?: readonly RuleEntry[];
  readonly recommendation?: Recommendation | null;
  /** How the rules' q-values were obtained. */
  readonly ruleEvidence?: { readonly method: string; readonly draws: number };
  /** The strongest pairs of variables by mean |SHAP interaction| (tree models; none for logistic). */
  readonly interactions?: readonly InteractionEntry[];
  /** Where large per-row arrays (contributions over time, series for the report) were put. */
  readonly artifacts?: Record<string, string>;
  readonly target?: string;
  /** The configuration as run, defaults filled in: what a zoom labels the stored rows with. */
  readonly config?: AnalysisConfigInput;
  /** Compared with the previous complete analysis of the line and target; null when there is none. */
  readonly changes?: Changes | null;
  /** MLflow runs not logged yet (the server could not be reached); `line-rca tracking flush` retries them. */
  readonly tracking?: {
    readonly experimentId?: string;
    readonly runId?: string;
    readonly pending: readonly string[];
  };
  readonly [extra: string]: unknown;
}
