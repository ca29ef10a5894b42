/**
 * The variables a rule can name, restricted to a set of observations (the training part) and
 * prepared once for the search: numeric columns sorted (missing values left out), text columns
 * coded. Conditions are evaluated here too, on prepared columns (the search) and on the source
 * table (the validation period), with one meaning: a missing (or infinite) value satisfies no
 * condition.
 */
import { sortColumn } from '../distribution/analyze';
import type { Labels, ObservationTable, Variable } from '../frame';
import { addRow, emptyRowSet, type RowSet } from './row-set';
import type { Condition, RuleFigures } from './types';

export interface NumericRuleColumn {
  readonly kind: 'numeric';
  readonly name: string;
  /** Values of the selected rows, in their order (NaN missing). */
  readonly values: Float64Array;
  /** Positions of the finite values, ascending by value (NaN and ±Infinity left out). */
  readonly order: Uint32Array;
  /** The values in that order. */
  readonly sorted: Float64Array;
  /**
   * Quantile bins for the search (at most `MAX_RULE_BINS`, equal values never split): the bin
   * of each position (`MISSING_BIN` for a missing value), and the cut between bin b and b + 1,
   * halfway from the largest value of b to the smallest of b + 1.
   */
  readonly bins: Uint16Array;
  readonly cuts: Float64Array;
  /** Where each bin starts in the sorted order (bin b is `binStarts[b]` .. `binStarts[b + 1]` − 1). */
  readonly binStarts: Uint32Array;
  readonly present: RowSet;
}

export interface CategoricalRuleColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** Category index of each selected row, −1 missing. */
  readonly codes: Int32Array;
  readonly categories: readonly string[];
}

export type RuleColumn = NumericRuleColumn | CategoricalRuleColumn;

/** Bins a numeric variable is cut into for the search (LightGBM's `max_bin` idea). */
export const MAX_RULE_BINS = 256;
export const MISSING_BIN = 0xffff;

/** Text variables with more categories than this (serials, batch ids) cannot be named by a rule. */
export const MAX_RULE_CATEGORIES = 64;

function numericColumn(name: string, source: Float64Array, rows: ArrayLike<number>): NumericRuleColumn {
  const n = rows.length;
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = source[rows[k]];
  // ±Infinity is left out of the order as the distribution analysis leaves it out.
  const { sorted, order } = sortColumn(values);
  const count = order.length;
  const present = emptyRowSet(n);
  for (let k = 0; k < count; k++) addRow(present, order[k]);
  const bins = new Uint16Array(n).fill(MISSING_BIN);
  const cuts: number[] = [];
  const starts: number[] = [0];
  let bin = 0;
  let start = 0;
  for (let k = 0; k < count; k++) {
    // A bin closes once it holds its share and the next value differs.
    if (k > start && sorted[k] !== sorted[k - 1] && k >= ((bin + 1) * count) / MAX_RULE_BINS) {
      cuts.push(sorted[k - 1] + (sorted[k] - sorted[k - 1]) / 2);
      starts.push(k);
      bin++;
      start = k;
    }
    bins[order[k]] = bin;
  }
  starts.push(count);
  return {
    kind: 'numeric',
    name,
    values,
    order,
    sorted,
    bins,
    cuts: Float64Array.from(cuts),
    binStarts: Uint32Array.from(starts),
    present,
  };
}

function categoricalColumn(
  name: string,
  source: readonly (string | null)[],
  rows: ArrayLike<number>,
): CategoricalRuleColumn | null {
  const index = new Map<string, number>();
  for (let k = 0; k < rows.length; k++) {
    const t = source[rows[k]];
    if (t !== null && !index.has(t)) {
      if (index.size === MAX_RULE_CATEGORIES) return null;
      index.set(t, index.size);
    }
  }
  const categories = [...index.keys()].sort();
  const code = new Map(categories.map((c, i) => [c, i]));
  const codes = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const t = source[rows[k]];
    codes[k] = t === null ? -1 : (code.get(t) as number);
  }
  return { kind: 'categorical', name, codes, categories };
}

/** The named variables (default all) over `rows`, in the table's order; unusable text left out. */
export function ruleColumns(
  table: ObservationTable,
  rows: ArrayLike<number>,
  variables?: readonly string[],
): RuleColumn[] {
  const wanted = variables ? new Set(variables) : null;
  const out: RuleColumn[] = [];
  for (const v of table.variables) {
    if (wanted && !wanted.has(v.name)) continue;
    if (v.data.kind === 'numeric') out.push(numericColumn(v.name, v.data.values, rows));
    else {
      const column = categoricalColumn(v.name, v.data.values, rows);
      if (column) out.push(column);
    }
  }
  return out;
}

/** The selected rows (positions in the column) that satisfy `condition`. */
export function conditionRows(column: RuleColumn, condition: Condition): RowSet {
  if (column.kind === 'numeric') {
    const set = emptyRowSet(column.values.length);
    if (condition.op === 'in') return set;
    // The finite values in ascending order (`order` leaves out NaN and ±Infinity, which satisfy
    // no condition): `≤ t` is a prefix of it and `> t` the rest, found by bisection.
    const { sorted, order } = column;
    const t = condition.value;
    if (Number.isNaN(t)) return set;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    const [from, to] = condition.op === '<=' ? [0, lo] : [lo, sorted.length];
    for (let k = from; k < to; k++) addRow(set, order[k]);
    return set;
  }
  const set = emptyRowSet(column.codes.length);
  if (condition.op !== 'in') return set;
  const wanted = new Set(condition.value);
  const member = column.categories.map((c) => wanted.has(c));
  for (let k = 0; k < column.codes.length; k++) {
    const c = column.codes[k];
    if (c >= 0 && member[c]) addRow(set, k);
  }
  return set;
}

/** Whether row `row` of the source variable satisfies `condition`. */
export function satisfies(variable: Variable, condition: Condition, row: number): boolean {
  if (variable.data.kind === 'numeric') {
    const v = variable.data.values[row];
    if (v - v !== 0) return false;
    if (condition.op === '<=') return v <= condition.value;
    if (condition.op === '>') return v > condition.value;
    return false;
  }
  const t = variable.data.values[row];
  return condition.op === 'in' && t !== null && condition.value.includes(t);
}

/** Per row of `rows`, whether it satisfies every condition. */
export function ruleMask(
  table: ObservationTable,
  conditions: readonly Condition[],
  rows: ArrayLike<number>,
): Uint8Array {
  const byName = new Map(table.variables.map((v) => [v.name, v]));
  const sources = conditions.map((c) => {
    const v = byName.get(c.variable);
    if (!v) throw new RangeError(`ruleMask: no variable "${c.variable}"`);
    return v;
  });
  const out = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    let ok = 1;
    for (let c = 0; c < conditions.length && ok; c++) if (!satisfies(sources[c], conditions[c], r)) ok = 0;
    out[k] = ok;
  }
  return out;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** How a rule does on `rows` of the table (bad rate, support, coverage, lift). */
export function ruleFigures(
  table: ObservationTable,
  conditions: readonly Condition[],
  labels: Labels,
  rows: ArrayLike<number>,
): RuleFigures {
  const inside = ruleMask(table, conditions, rows);
  let covered = 0;
  let positives = 0;
  let allPositives = 0;
  for (let k = 0; k < rows.length; k++) {
    const y = labels[rows[k]];
    allPositives += y;
    if (inside[k]) {
      covered++;
      positives += y;
    }
  }
  const badRate = ratio(positives, covered);
  const baseRate = ratio(allPositives, rows.length);
  return {
    badRate,
    support: rows.length > 0 ? covered / rows.length : 0,
    coverage: ratio(positives, allPositives),
    lift: badRate !== null && baseRate ? badRate / baseRate : null,
    rows: covered,
    positives,
  };
}
