/**
 * The results document (ARCHITECTURE.md, "Results document"): what `results.json`, `--json`
 * and MongoDB `analysis_results` hold. Field names are a contract: add, never rename.
 */
import type { Learner } from './config';

export interface Histogram {
  readonly edges: readonly number[];
  /** Density of each bin in the negative population (sums to 1 over bins with the missing share). */
  readonly negative: readonly number[];
  readonly positive: readonly number[];
}

export interface NumericDistributionEntry {
  readonly variable: string;
  readonly kind: 'numeric';
  readonly score: number;
  readonly intersection: number;
  readonly ks: number;
  readonly ksPValue: number;
  readonly wasserstein: number;
  readonly js: number;
  readonly qValue: number;
  readonly threshold: number | null;
  readonly direction: 'above' | 'below' | null;
  readonly positiveRateAbove: number | null;
  readonly positiveRateBelow: number | null;
  readonly histogram: Histogram;
  readonly note?: string;
  readonly [extra: string]: unknown;
}

export interface CategoricalDistributionEntry {
  readonly variable: string;
  readonly kind: 'categorical';
  readonly score: number;
  readonly qValue: number;
  readonly categories: readonly string[];
  readonly note?: string;
  readonly [extra: string]: unknown;
}

export interface IdentifierDistributionEntry {
  readonly variable: string;
  readonly kind: 'identifier';
  readonly score: 0;
  readonly note: string;
  readonly [extra: string]: unknown;
}

export type DistributionEntry =
  | NumericDistributionEntry
  | CategoricalDistributionEntry
  | IdentifierDistributionEntry;

export interface ValidationMetrics {
  readonly auc: number;
  readonly prAuc: number;
  readonly logloss: number;
  readonly rows: number;
  readonly positives: number;
  readonly [extra: string]: number;
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

export interface ImportanceEntry {
  readonly variable: string;
  readonly meanAbsShap: number;
  readonly features: readonly { readonly feature: string; readonly meanAbsShap: number }[];
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
  };
  readonly distribution: readonly DistributionEntry[];
  readonly model:
    | (ModelSummary & { readonly baseline: ModelSummary | null; readonly trials: readonly TrialSummary[] })
    | null;
  readonly importance: readonly ImportanceEntry[];
  /** Where large per-row arrays (contributions over time, series for the report) were put. */
  readonly artifacts?: Record<string, string>;
  /** MLflow runs not logged yet (the server could not be reached); `line-rca tracking flush` retries them. */
  readonly tracking?: {
    readonly experimentId?: string;
    readonly runId?: string;
    readonly pending: readonly string[];
  };
  readonly [extra: string]: unknown;
}
