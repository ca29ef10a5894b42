/**
 * What to do about a problem: the shapes the rules analysis returns, which the results document
 * carries as `operatingWindows`, `rules` and `recommendation` (ARCHITECTURE.md, "Results
 * document"). Numbers that cannot be computed (an empty side) are `null`: JSON has no NaN.
 */
import type { StratumEntry } from './strata';

/** What an operator can do about a variable (configuration `variables.roles`). */
export const VARIABLE_ROLES = ['setting', 'material', 'measurement', 'ambient'] as const;
export type VariableRole = (typeof VARIABLE_ROLES)[number];

/** `variables.roles`: the variables of each role; a variable not listed has no role. */
export type RoleLists = Partial<Record<VariableRole, readonly string[]>>;

/** One condition of a rule: `variable op value`; a missing value never satisfies it. */
export type Condition =
  | { readonly variable: string; readonly op: '<=' | '>'; readonly value: number }
  | { readonly variable: string; readonly op: 'in'; readonly value: readonly string[] };

/** How a rule or window does on a set of observations. */
export interface RuleFigures {
  /** Share of bad observations among those the rule covers. */
  readonly badRate: number | null;
  /** Share of the observations the rule covers. */
  readonly support: number;
  /** Share of the bad observations the rule covers. */
  readonly coverage: number | null;
  /** badRate / baseRate. */
  readonly lift: number | null;
  readonly rows: number;
  readonly positives: number;
}

/** A conjunction of conditions under which bad observations are more frequent. */
export interface RuleEntry extends RuleFigures {
  readonly conditions: readonly Condition[];
  /** Share of bad observations overall (the training part). */
  readonly baseRate: number;
  /** Weighted relative accuracy: support × (badRate − baseRate), the search's quality. */
  readonly wracc: number;
  /**
   * Share of label series shifted in time (the null that keeps their autocorrelation) on which
   * the whole search found a rule at least as good: a family-wise bound, so also a q-value.
   * `null` when no null was drawn.
   */
  readonly qValue: number | null;
  /** The same figures on the validation period; `null` without one. */
  readonly validation: RuleFigures | null;
  /** Conditions on variables nobody sets (measurement, ambient): read it as a symptom. */
  readonly indicator: boolean;
}

/** The complementary rule: the way of running the line with the fewest bad observations. */
export interface Recommendation {
  readonly conditions: readonly Condition[];
  readonly badRate: number | null;
  readonly baseRate: number;
  readonly badRateOutside: number | null;
  readonly support: number;
  /** Share of the good observations the rule keeps. */
  readonly goodKept: number | null;
  readonly rows: number;
  readonly positives: number;
  readonly validation: {
    readonly badRate: number | null;
    readonly badRateOutside: number | null;
    readonly support: number;
    readonly goodKept: number | null;
  } | null;
}

export interface WindowFigures {
  readonly badRateInside: number | null;
  readonly badRateOutside: number | null;
  /** Share of the good observations inside the window. */
  readonly goodKept: number | null;
  readonly rows: number;
}

/**
 * An operating window: keep `low < variable ≤ high` (`null` for an open end). The training
 * part's figures at the top, the validation period's in `validation`.
 */
export interface OperatingWindow extends WindowFigures {
  readonly variable: string;
  readonly low: number | null;
  readonly high: number | null;
  readonly validation: WindowFigures | null;
  /** The variable's role when roles are configured. */
  readonly role?: VariableRole;
  /** A measurement or ambient variable: it moves with the problem, nobody sets it. */
  readonly indicator: boolean;
  /** The dead time the window is read at (the variable `lagMinutes` earlier). */
  readonly lagMinutes?: number;
}

/**
 * What the rules analysis adds to a distribution entry: its dead time (`aggregation.maxLag`,
 * time windows only) and its comparison within strata (`variables.stratify`).
 */
export interface DistributionRuleFields {
  /** The variable is read this many minutes before the target (0: no dead time found). */
  readonly lagMinutes?: number;
  /** The pooled difference comes from the mix of strata, not from within them. */
  readonly confounded?: boolean;
  /** The depth-1 split within each stratum: a threshold (or categories) per recipe, product… */
  readonly strata?: readonly StratumEntry[];
  /** The pooled split's side compared within strata (Cochran–Mantel–Haenszel). */
  readonly withinStrata?: {
    readonly oddsRatio: number | null;
    readonly crudeOddsRatio: number | null;
    readonly cmh: number | null;
    readonly pValue: number | null;
  };
}
