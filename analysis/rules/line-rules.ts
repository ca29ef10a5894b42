/**
 * The rules analysis as the pipeline runs it on a line's rows, each labelled by its observation
 * (window, batch or row): the dead times and the aligned table (the distribution stage compares
 * the aligned values), the distribution entries annotated with their dead time and their
 * comparison within strata, and the training part and validation period of the rows, which
 * follow the observations' time-ordered split so windows and rules are measured again on the
 * period the model is validated on.
 */
import type { AggregationPlan } from '../aggregate/groups';
import { groupsOf } from '../aggregate/groups';
import type { DistributionEntry } from '../distribution/types';
import { isInvalidInput } from '../errors';
import type { Labels, ObservationTable } from '../frame';
import { thinRows, timeOrderedSplit } from '../split';
import { alignTable, type DeadTime, findDeadTimes } from './dead-time';
import { compareWithinStrata, type StratifiedComparison } from './strata';
import type { DistributionRuleFields } from './types';

export interface AlignedTable {
  /** Each variable read `lagMinutes` earlier (the table itself when no variable has a lag). */
  readonly table: ObservationTable;
  /** The lag of each variable searched (0 for most). */
  readonly lagMinutes: ReadonlyMap<string, number>;
  readonly deadTimes: readonly DeadTime[];
}

/**
 * Each variable's dead time from 0 to `maxLagMs` on the rows whose target is known (`mask`),
 * and the table aligned on them. No search without times or with `maxLagMs` 0.
 */
export function alignOnDeadTimes(
  table: ObservationTable,
  labels: Labels,
  mask: Uint8Array,
  variables: readonly string[],
  options: { readonly maxLagMs: number; readonly seed?: number },
): AlignedTable {
  if (!table.time || options.maxLagMs <= 0 || variables.length === 0)
    return { table, lagMinutes: new Map(), deadTimes: [] };
  const deadTimes = findDeadTimes(table, labels, variables, {
    maxLagMs: options.maxLagMs,
    rows: mask,
    seed: options.seed,
  });
  const lagMinutes = new Map(deadTimes.map((d) => [d.variable, d.lagMinutes]));
  return { table: alignTable(table, lagMinutes, { maxLagMs: options.maxLagMs }), lagMinutes, deadTimes };
}

/**
 * The within-strata comparison of every ranked entry (none without `stratify`), on the aligned
 * table and the rows whose target is known.
 */
export function strataComparisons(
  table: ObservationTable,
  labels: Labels,
  mask: Uint8Array,
  entries: readonly DistributionEntry[],
  stratify: readonly string[],
  seed?: number,
): StratifiedComparison[] {
  if (stratify.length === 0) return [];
  return compareWithinStrata(table, labels, entries, stratify, { rows: mask, seed });
}

/**
 * The entries with `lagMinutes` (when dead times were searched) and, with strata, `confounded`,
 * the per-stratum splits (`strata`) and the pooled comparison (`withinStrata`).
 */
export function annotateEntries<E extends DistributionEntry>(
  entries: readonly E[],
  aligned: Pick<AlignedTable, 'deadTimes' | 'lagMinutes'>,
  comparisons: readonly StratifiedComparison[],
): (E & DistributionRuleFields)[] {
  const searched = aligned.deadTimes.length > 0;
  const byVariable = new Map(comparisons.map((c) => [c.variable, c]));
  return entries.map((entry) => {
    if (entry.kind === 'identifier') return entry;
    const lag = aligned.lagMinutes.get(entry.variable);
    const c = byVariable.get(entry.variable);
    return {
      ...entry,
      ...(searched && lag !== undefined ? { lagMinutes: lag } : {}),
      ...(c
        ? {
            confounded: c.confounded,
            strata: c.strata,
            withinStrata: {
              oddsRatio: c.oddsRatio,
              crudeOddsRatio: c.crudeOddsRatio,
              cmh: c.cmh,
              pValue: c.pValue,
            },
          }
        : {}),
    };
  });
}

/** The lag of each entry that has one above 0. */
export function lagsOf(
  entries: readonly (DistributionEntry & DistributionRuleFields)[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries)
    if (e.lagMinutes !== undefined && e.lagMinutes > 0) out.set(e.variable, e.lagMinutes);
  return out;
}

/**
 * The rows of the training part and of the validation period, in time order: the observations
 * (groups of rows) whose target is known split as the model's are (the last `fraction` in time,
 * `gapMs` left out before it), each row following its observation.
 */
export function rowSplit(
  table: ObservationTable,
  plan: AggregationPlan,
  mask: Uint8Array,
  split: { readonly fraction: number; readonly gapMs: number },
): { train: Uint32Array; validation: Uint32Array } {
  const groups = groupsOf(table, plan);
  const known = new Uint8Array(groups.count);
  for (let i = 0; i < table.rows; i++) if (mask[i] && groups.of[i] >= 0) known[groups.of[i]] = 1;
  const kept: number[] = [];
  for (let g = 0; g < groups.count; g++) if (known[g]) kept.push(g);
  const starts = Float64Array.from(kept, (g) => groups.starts[g]);
  const windowMs = plan.kind === 'windows' ? plan.windowMs : 0;
  const side = new Int8Array(groups.count).fill(-1);
  try {
    const s = timeOrderedSplit(
      kept.length,
      { fraction: split.fraction, gapMs: split.gapMs, windowMs },
      starts,
    );
    for (const k of s.train) side[kept[k]] = 0;
    for (const k of s.validation) side[kept[k]] = 1;
  } catch (error) {
    // Too few observations to split (the model's stages say so): all of them for training.
    if (!isInvalidInput(error)) throw error;
    for (const g of kept) side[g] = 0;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < table.rows; i++) {
    const g = groups.of[i];
    if (g < 0 || !mask[i]) continue;
    if (side[g] === 0) train.push(i);
    else if (side[g] === 1) validation.push(i);
  }
  return { train: Uint32Array.from(train), validation: Uint32Array.from(validation) };
}

/**
 * Training rows the rule search looks at at most. Beyond, every k-th row (time order kept): on a
 * line of a million minutes neighbouring rows are near duplicates, and the search and each of
 * its null draws cost in proportion to the rows (45 s and 5 s a draw at 1M rows, issue 21). The
 * validation period is measured on all its rows.
 */
export const RULE_ROWS_MAX = 100_000;

/** `train` thinned evenly to at most `max` rows (itself when it has no more). */
export function ruleTrainingRows(train: Uint32Array, max = RULE_ROWS_MAX): Uint32Array {
  return thinRows(train, max);
}
