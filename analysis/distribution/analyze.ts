/**
 * The distribution analysis over a whole table. `prepareDistribution` does the slow part once
 * (each numeric column sorted, each text column coded, identifiers found); `analyzePrepared` then
 * runs on any row mask or range and any subset of variables in one linear pass per variable, which
 * is what makes zooming on a period interactive.
 */
import { InvalidInputError, unknownName } from '../errors';
import type { Labels, ObservationTable } from '../frame';
import { analyzeCategorical } from './categorical';
import { benjaminiHochberg } from './measures';
import { analyzeNumeric } from './numeric';
import type { DistributionEntry, DistributionOptions, DistributionSelection } from './types';

export const DEFAULT_CATEGORICAL_MAX_DISTINCT = 5;

interface PreparedNumeric {
  readonly kind: 'numeric';
  readonly name: string;
  /** Non-missing values, ascending. */
  readonly sorted: Float64Array;
  /** Row of each value in `sorted` (ties in row order). */
  readonly order: Uint32Array;
  readonly invalidCount: number;
}

interface PreparedCategorical {
  readonly kind: 'categorical';
  readonly name: string;
  readonly levels: readonly string[];
  /** Category code per row; -1 is missing. */
  readonly codes: Int32Array;
  readonly invalidCount: number;
}

interface PreparedIdentifier {
  readonly kind: 'identifier';
  readonly name: string;
}

export type PreparedVariable = PreparedNumeric | PreparedCategorical | PreparedIdentifier;

export interface PreparedTable {
  readonly rows: number;
  readonly variables: readonly PreparedVariable[];
  readonly options: DistributionOptions;
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Non-missing values sorted, and each one's row (a stable argsort through the native sort). */
function sortColumn(values: Float64Array): { sorted: Float64Array; order: Uint32Array; invalid: number } {
  let m = 0;
  let invalid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) m++;
    else if (!Number.isNaN(v)) invalid++;
  }
  const sorted = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) sorted[k++] = values[i];
  sorted.sort();
  const order = new Uint32Array(m);
  const taken = new Uint32Array(m);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const lb = lowerBound(sorted, v);
    order[lb + taken[lb]++] = i;
  }
  return { sorted, order, invalid };
}

function countDistinct(sorted: Float64Array): number {
  let d = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) d++;
  return d;
}

/** A row counter: integers, distinct on every row, strictly monotone in row order. */
function isNumericIdentifier(values: Float64Array): boolean {
  const n = values.length;
  if (n < 3) return false;
  const up = values[1] > values[0];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) return false;
    if (i > 0 && (up ? !(v > values[i - 1]) : !(v < values[i - 1]))) return false;
  }
  return true;
}

/**
 * Sorts and codes every variable of `table` once. Numeric columns with at most
 * `categoricalMaxDistinct` distinct values become categorical (their categories are the values);
 * text columns unique on every row, and integer row counters, are identifiers.
 */
export function prepareDistribution(
  table: ObservationTable,
  options: DistributionOptions = {},
): PreparedTable {
  const maxDistinct = options.categoricalMaxDistinct ?? DEFAULT_CATEGORICAL_MAX_DISTINCT;
  const variables = table.variables.map((variable): PreparedVariable => {
    const name = variable.name;
    if (variable.data.kind === 'numeric') {
      const values = variable.data.values;
      if (values.length !== table.rows) {
        throw new RangeError(
          `prepareDistribution: "${name}" has ${values.length} rows, expected ${table.rows}`,
        );
      }
      if (isNumericIdentifier(values)) return { kind: 'identifier', name };
      const { sorted, order, invalid } = sortColumn(values);
      const invalidCount = (variable.invalidCount ?? 0) + invalid;
      const distinct = countDistinct(sorted);
      if (distinct > maxDistinct) return { kind: 'numeric', name, sorted, order, invalidCount };
      const levelValues: number[] = [];
      for (let i = 0; i < sorted.length; i++)
        if (i === 0 || sorted[i] !== sorted[i - 1]) levelValues.push(sorted[i]);
      const levelArray = Float64Array.from(levelValues);
      const codes = new Int32Array(table.rows).fill(-1);
      for (let i = 0; i < table.rows; i++) {
        const v = values[i];
        if (Number.isFinite(v)) codes[i] = lowerBound(levelArray, v);
      }
      return { kind: 'categorical', name, levels: levelValues.map(String), codes, invalidCount };
    }
    const texts = variable.data.values;
    const index = new Map<string, number>();
    let missing = 0;
    for (const t of texts) {
      if (t === null) missing++;
      else if (!index.has(t)) index.set(t, index.size);
    }
    if (missing === 0 && index.size === table.rows && table.rows >= 3) return { kind: 'identifier', name };
    const levels = [...index.keys()].sort();
    const code = new Map(levels.map((l, i) => [l, i]));
    const codes = new Int32Array(table.rows);
    texts.forEach((t, i) => {
      codes[i] = t === null ? -1 : (code.get(t) as number);
    });
    return { kind: 'categorical', name, levels, codes, invalidCount: variable.invalidCount ?? 0 };
  });
  return { rows: table.rows, variables, options };
}

function selectionMask(rows: number, selection: DistributionSelection['rows']): Uint8Array | null {
  if (selection === undefined) return null;
  if (selection instanceof Uint8Array) {
    if (selection.length !== rows) {
      throw new InvalidInputError({
        where: 'rows',
        message: `mask has ${selection.length} rows, the data ${rows}`,
      });
    }
    return selection;
  }
  const { start, end } = selection;
  if (!(start >= 0 && end <= rows && start <= end)) {
    throw new InvalidInputError({ where: 'rows', message: `range [${start}, ${end}) is outside 0..${rows}` });
  }
  const mask = new Uint8Array(rows);
  mask.fill(1, start, end);
  return mask;
}

/**
 * The distribution analysis of the selected rows and variables: every selected variable, ranked
 * by score (identifiers last), with Benjamini–Hochberg q-values over the ranked variables (KS
 * p-values for numeric variables, chi-square p-values for categorical ones).
 */
export function analyzePrepared(
  prepared: PreparedTable,
  labels: Labels,
  selection: DistributionSelection = {},
): DistributionEntry[] {
  const { rows, options } = prepared;
  if (labels.length !== rows) {
    throw new RangeError(`analyzePrepared: ${labels.length} labels for ${rows} rows`);
  }
  const mask = selectionMask(rows, selection.rows);
  let variables = prepared.variables;
  if (selection.variables !== undefined) {
    const byName = new Map(variables.map((v) => [v.name, v]));
    const known = variables.map((v) => v.name);
    const problems = selection.variables
      .filter((name) => !byName.has(name))
      .map((name) => ({ where: 'variables', message: unknownName('variable', name, known) }));
    if (problems.length > 0) throw new InvalidInputError(problems);
    variables = selection.variables.map((name) => byName.get(name) as PreparedVariable);
  }

  let positives = 0;
  let selected = 0;
  for (let i = 0; i < rows; i++) {
    if (mask !== null && !mask[i]) continue;
    selected++;
    positives += labels[i];
  }
  const negatives = selected - positives;
  if (positives === 0 || negatives === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: `the target is true on ${positives} and false on ${negatives} of the ${selected} selected rows; both populations need rows`,
    });
  }
  const sizes = { negative: negatives, positive: positives };
  const vals = new Float64Array(rows);
  const ys = new Uint8Array(rows);

  const entries: DistributionEntry[] = variables.map((variable) => {
    if (variable.kind === 'identifier') {
      return {
        variable: variable.name,
        kind: 'identifier',
        score: 0,
        qValue: null,
        note: 'unique on every row: an identifier, not ranked',
      };
    }
    const invalid = variable.invalidCount > 0 ? { invalidCount: variable.invalidCount } : {};
    if (variable.kind === 'numeric') {
      const { sorted, order } = variable;
      let n = 0;
      if (mask === null) {
        for (let k = 0; k < order.length; k++) {
          vals[k] = sorted[k];
          ys[k] = labels[order[k]];
        }
        n = order.length;
      } else {
        for (let k = 0; k < order.length; k++) {
          const i = order[k];
          if (mask[i]) {
            vals[n] = sorted[k];
            ys[n++] = labels[i];
          }
        }
      }
      const entry = analyzeNumeric(variable.name, vals, ys, n, sizes, options);
      return { ...entry, ...invalid };
    }
    const levels = variable.levels.length;
    const c0 = new Float64Array(levels);
    const c1 = new Float64Array(levels);
    let m0 = 0;
    let m1 = 0;
    const codes = variable.codes;
    for (let i = 0; i < rows; i++) {
      if (mask !== null && !mask[i]) continue;
      const c = codes[i];
      if (c < 0) {
        if (labels[i]) m1++;
        else m0++;
      } else if (labels[i]) c1[c]++;
      else c0[c]++;
    }
    return { ...analyzeCategorical(variable.name, variable.levels, c0, c1, m0, m1), ...invalid };
  });

  const pValues = entries.map((e) =>
    e.kind === 'numeric'
      ? (e.ksPValue ?? Number.NaN)
      : e.kind === 'categorical'
        ? (e.chiSquarePValue ?? Number.NaN)
        : Number.NaN,
  );
  const qValues = benjaminiHochberg(pValues);
  const withQ = entries.map((e, i) =>
    e.kind === 'identifier' || Number.isNaN(qValues[i]) ? e : { ...e, qValue: qValues[i] },
  );
  const rank = (e: DistributionEntry) => (e.kind === 'identifier' ? -1 : e.score);
  return withQ
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(b.e) - rank(a.e) || a.i - b.i)
    .map(({ e }) => e);
}

/** `prepareDistribution` then `analyzePrepared`, for a single analysis. */
export function analyzeDistribution(
  table: ObservationTable,
  labels: Labels,
  selection: DistributionSelection = {},
  options: DistributionOptions = {},
): DistributionEntry[] {
  return analyzePrepared(prepareDistribution(table, options), labels, selection);
}
