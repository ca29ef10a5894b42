/**
 * The distribution analysis' output: one entry per variable, the `distribution` entries of the
 * results contract (ARCHITECTURE.md). Numbers that do not apply are `null` (JSON has no NaN).
 */

export interface NumericHistogram {
  /** Bin edges, ascending; the first is the smallest value, the last the largest. */
  readonly edges: number[];
  /**
   * Share of the negative population's rows in each bin (a fraction of all its rows, missing
   * included, not divided by the bin width); `missingRateNegative` completes it to 1.
   */
  readonly negative: number[];
  /** The same for the positive population. */
  readonly positive: number[];
}

export interface NumericDistribution {
  readonly variable: string;
  readonly kind: 'numeric';
  /** The ranking score: the histogram intersection distance (missing bin included). */
  readonly score: number;
  /** 1 − Σ min(p, q) over the bins and a "missing" bin, p and q each population's shares. */
  readonly intersection: number;
  /** Two-sample KS statistic on the non-missing values (as `scipy.stats.ks_2samp`). */
  readonly ks: number | null;
  readonly ksPValue: number | null;
  readonly ksMethod: 'exact' | 'asymp' | null;
  /** Wasserstein-1 divided by `wassersteinScale` (comparable across variables). */
  readonly wasserstein: number | null;
  /** Wasserstein-1 in the variable's units (as `scipy.stats.wasserstein_distance`). */
  readonly wassersteinRaw: number | null;
  /** The robust pooled spread: pooled IQR / 1.349 (the standard deviation for a normal). */
  readonly wassersteinScale: number | null;
  /** Jensen–Shannon distance, base 2, on the histograms with the missing bin. */
  readonly js: number;
  /** Population stability index on the same histograms (shares floored at 1e-4). */
  readonly psi: number;
  /** (mean⁺ − mean⁻) / √((s⁺² + s⁻²)/2), sample variances. */
  readonly smd: number | null;
  /**
   * Benjamini–Hochberg q-value over every ranked variable: from `pValue` when the time-aware
   * test ran (analysis/evidence), else from `ksPValue`.
   */
  readonly qValue: number | null;
  /** Time-aware p-value (labels rotated against time, analysis/evidence), when it ran. */
  readonly pValue?: number | null;
  /** The p-value that treats rows as independent draws (`ksPValue`), and its q-value. */
  readonly pValueIid?: number | null;
  readonly qValueIid?: number | null;
  readonly shiftTest?: ShiftTestSummary;
  /** The depth-1 tree's threshold (scikit-learn's, missing values left out). */
  readonly threshold: number | null;
  /** Where positives are more frequent: `above` (value > threshold) or `below` (≤). */
  readonly direction: 'above' | 'below' | null;
  readonly positiveRateAbove: number | null;
  readonly positiveRateBelow: number | null;
  /** Share of the non-missing rows on each side of the threshold. */
  readonly shareAbove: number | null;
  readonly shareBelow: number | null;
  readonly missingRateNegative: number;
  readonly missingRatePositive: number;
  /** Values that were not numbers (junk text, ±Infinity) and count as missing. */
  readonly invalidCount?: number;
  readonly histogram: NumericHistogram;
  /** The variable nearly determines the target (measures.ts `suspectedLeak`): likely an outcome of it. */
  readonly suspectedLeak?: boolean;
  readonly note?: string;
}

/** How a time-aware p-value was obtained (analysis/evidence/shifts.ts). */
export interface ShiftTestSummary {
  /** Rotations of the labels evaluated. */
  readonly shifts: number;
  /** Every allowed rotation was evaluated: the exact circular-shift test. */
  readonly exhaustive: boolean;
  /** The score's p-value, and the test statistic's (KS, or chi-square), before combining. */
  readonly pScore: number;
  readonly pTest: number | null;
  /** Whether the p-value came from the fitted tail (the shifts could not resolve it). */
  readonly tail: boolean;
}

export interface CategoryFrequency {
  readonly category: string;
  /** Share of the negative population's rows with this category. */
  readonly negative: number;
  readonly positive: number;
}

export interface CategoricalDistribution {
  readonly variable: string;
  readonly kind: 'categorical';
  /** The ranking score: total variation distance between the category shares. */
  readonly score: number;
  readonly tv: number;
  readonly chiSquare: number | null;
  readonly chiSquarePValue: number | null;
  readonly cramersV: number | null;
  /** Benjamini–Hochberg q-value: from `pValue` when the time-aware test ran, else `chiSquarePValue`. */
  readonly qValue: number | null;
  readonly pValue?: number | null;
  /** `chiSquarePValue`, and its q-value. */
  readonly pValueIid?: number | null;
  readonly qValueIid?: number | null;
  readonly shiftTest?: ShiftTestSummary;
  /** The group of categories with the higher positive rate in the best two-group split. */
  readonly categories: string[];
  readonly positiveRateIn: number | null;
  readonly positiveRateOut: number | null;
  /** Share of the rows whose category is in `categories`. */
  readonly shareIn: number | null;
  readonly missingRateNegative: number;
  readonly missingRatePositive: number;
  readonly invalidCount?: number;
  readonly frequencies: CategoryFrequency[];
  /** As for numeric variables, on the group of categories with the higher positive rate. */
  readonly suspectedLeak?: boolean;
  readonly note?: string;
}

/** A column unique on every row (a row number, a serial): reported, never ranked. */
export interface IdentifierDistribution {
  readonly variable: string;
  readonly kind: 'identifier';
  readonly score: 0;
  readonly qValue: null;
  readonly note: string;
}

export type DistributionEntry = NumericDistribution | CategoricalDistribution | IdentifierDistribution;

export interface DistributionOptions {
  /** Fixed number of bins for numeric variables (default: automatic, see `numericEdges`). */
  readonly bins?: number;
  /** Upper bound of the automatic bin count (default 50). */
  readonly maxBins?: number;
  /** Numeric variables with at most this many distinct values are categorical (default 5). */
  readonly categoricalMaxDistinct?: number;
}

/** Which rows and variables to analyse: everything by default. */
export interface DistributionSelection {
  /** A row mask (1 = use the row) or a half-open row range. */
  readonly rows?: Uint8Array | { readonly start: number; readonly end: number };
  /** Variable names to analyse (default all). */
  readonly variables?: readonly string[];
}
