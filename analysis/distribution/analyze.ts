/**
 * The distribution analysis over a whole table. `prepareDistribution` does the slow part once
 * (each numeric column sorted, each text column coded, identifiers found); `analyzePrepared` then
 * runs on any row mask or range and any subset of variables in one linear pass per variable, which
 * is what makes zooming on a period interactive.
 */
import { isIdentifier } from '../aggregate/identifier';
import { InvalidInputError, unknownName } from '../errors';
import type { Labels, ObservationTable, Variable } from '../frame';
import { analyzeCategorical } from './categorical';
import { benjaminiHochberg } from './measures';
import { analyzeNumeric, filterScan, labelOrder } from './numeric';
import { radixSortFloat64 } from './sort';
import type { DistributionEntry, DistributionOptions, DistributionSelection } from './types';

export const DEFAULT_CATEGORICAL_MAX_DISTINCT = 5;

interface PreparedNumeric {
  readonly kind: 'numeric';
  readonly name: string;
  /** Non-missing values, ascending. */
  readonly sorted: Float64Array;
  /** Row of each value in `sorted` (ties in row order). */
  readonly order: Uint32Array;
  /** Rows whose value is missing (NaN or ±Infinity), ascending. */
  readonly missingRows: Uint32Array;
  readonly invalidCount: number;
}

/** A numeric variable sorted for one analysis of every row: values with their labels. */
interface SortedWithLabels {
  readonly kind: 'sortedWithLabels';
  readonly name: string;
  readonly sorted: Float64Array;
  readonly labels: Uint8Array;
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

/** The first index of sorted `a` whose value is not below `v`. */
export function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Non-missing values sorted, and each one's row: a stable LSD radix argsort on the IEEE bits
 * (16-bit digits, passes where every key shares the digit skipped). Several times faster than
 * the engine's comparison sort on a million values, and it gives the order for free.
 */
export function sortColumn(values: Float64Array): {
  sorted: Float64Array;
  order: Uint32Array;
  missingRows: Uint32Array;
  invalid: number;
} {
  const n = values.length;
  let m = 0;
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v === 0) m++;
    else if (!Number.isNaN(v)) invalid++; // ±Infinity
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(m);
  let hi = new Uint32Array(m);
  let idx = new Uint32Array(m);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    let l = bits[2 * i];
    let h = bits[2 * i + 1];
    if (v === 0) {
      l = 0;
      h = 0x80000000; // -0 and +0 tie
    } else if (h & 0x80000000) {
      l = ~l >>> 0;
      h = ~h >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    lo[k] = l;
    hi[k] = h;
    idx[k++] = i;
  }
  let lo2 = new Uint32Array(m);
  let hi2 = new Uint32Array(m);
  let idx2 = new Uint32Array(m);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let j = 0; j < m; j++) count[(word[j] >>> shift) & 0xffff]++;
    if (m === 0 || count[(word[0] >>> shift) & 0xffff] === m) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let j = 0; j < m; j++) {
      const pos = count[(word[j] >>> shift) & 0xffff]++;
      lo2[pos] = lo[j];
      hi2[pos] = hi[j];
      idx2[pos] = idx[j];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  const sorted = new Float64Array(m);
  for (let j = 0; j < m; j++) sorted[j] = values[idx[j]];
  const missingRows = new Uint32Array(n - m);
  for (let i = 0, j = 0; i < n; i++) if (values[i] - values[i] !== 0) missingRows[j++] = i;
  return { sorted, order: idx, missingRows, invalid };
}

/**
 * For one analysis of every row no row order is needed: each population's values sorted (radix),
 * then merged (negatives first among equal values), with the labels.
 */
function sortByPopulation(
  values: Float64Array,
  labels: Labels,
): { sorted: Float64Array; labels: Uint8Array; invalid: number } {
  let m1 = 0;
  let m0 = 0;
  let invalid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v === 0) {
      if (labels[i]) m1++;
      else m0++;
    } else if (!Number.isNaN(v)) invalid++;
  }
  const a = new Float64Array(m0);
  const b = new Float64Array(m1);
  let k0 = 0;
  let k1 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    if (labels[i]) b[k1++] = v === 0 ? 0 : v;
    else a[k0++] = v === 0 ? 0 : v;
  }
  radixSortFloat64(a);
  radixSortFloat64(b);
  const m = m0 + m1;
  const sorted = new Float64Array(m);
  const out = new Uint8Array(m);
  let i = 0;
  let j = 0;
  for (let k = 0; k < m; k++) {
    if (j >= m1 || (i < m0 && a[i] <= b[j])) sorted[k] = a[i++];
    else {
      sorted[k] = b[j++];
      out[k] = 1;
    }
  }
  return { sorted, labels: out, invalid };
}

function countDistinct(sorted: Float64Array): number {
  let d = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) d++;
  return d;
}

/**
 * Few distinct values read as categories only when they look like codes (flags, levels): at
 * least two, all integers of moderate size. A constant, a column of decimals on a handful of
 * rows, or numbers at ±1e308 stay numeric.
 */
function looksLikeCodes(sorted: Float64Array, distinct: number, maxDistinct: number): boolean {
  if (distinct < 2 || distinct > maxDistinct) return false;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (!Number.isInteger(v) || Math.abs(v) > 1e9) return false;
  }
  return true;
}

/**
 * Sorts and codes every variable of `table` once. Numeric columns of at most
 * `categoricalMaxDistinct` distinct integer values (codes, flags) become categorical (their
 * categories are the values); identifiers follow analysis/aggregate/identifier.ts.
 */
export function prepareDistribution(
  table: ObservationTable,
  options: DistributionOptions = {},
): PreparedTable {
  const variables = table.variables.map(
    (variable) => prepareVariable(variable, table.rows, options) as PreparedVariable,
  );
  return { rows: table.rows, variables, options };
}

function prepareVariable(
  variable: Variable,
  rows: number,
  options: DistributionOptions,
  labels?: Labels,
): PreparedVariable | SortedWithLabels {
  const maxDistinct = options.categoricalMaxDistinct ?? DEFAULT_CATEGORICAL_MAX_DISTINCT;
  {
    const name = variable.name;
    if (variable.data.kind === 'numeric') {
      const values = variable.data.values;
      if (values.length !== rows) {
        throw new RangeError(`prepareDistribution: "${name}" has ${values.length} rows, expected ${rows}`);
      }
      if (isIdentifier(variable.data)) return { kind: 'identifier', name };
      if (labels) {
        const merged = sortByPopulation(values, labels);
        const distinct = countDistinct(merged.sorted);
        if (!looksLikeCodes(merged.sorted, distinct, maxDistinct)) {
          const invalidCount = (variable.invalidCount ?? 0) + merged.invalid;
          return {
            kind: 'sortedWithLabels',
            name,
            sorted: merged.sorted,
            labels: merged.labels,
            invalidCount,
          };
        }
      }
      const { sorted, order, missingRows, invalid } = sortColumn(values);
      const invalidCount = (variable.invalidCount ?? 0) + invalid;
      const distinct = countDistinct(sorted);
      if (!looksLikeCodes(sorted, distinct, maxDistinct))
        return { kind: 'numeric', name, sorted, order, missingRows, invalidCount };
      const levelValues: number[] = [];
      for (let i = 0; i < sorted.length; i++)
        if (i === 0 || sorted[i] !== sorted[i - 1]) levelValues.push(sorted[i]);
      const levelArray = Float64Array.from(levelValues);
      const codes = new Int32Array(rows).fill(-1);
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        if (Number.isFinite(v)) codes[i] = lowerBound(levelArray, v);
      }
      return { kind: 'categorical', name, levels: levelValues.map(String), codes, invalidCount };
    }
    const texts = variable.data.values;
    if (isIdentifier(variable.data)) return { kind: 'identifier', name };
    const index = new Map<string, number>();
    for (const t of texts) if (t !== null && !index.has(t)) index.set(t, index.size);
    const levels = [...index.keys()].sort();
    const code = new Map(levels.map((l, i) => [l, i]));
    const codes = new Int32Array(rows);
    texts.forEach((t, i) => {
      codes[i] = t === null ? -1 : (code.get(t) as number);
    });
    return { kind: 'categorical', name, levels, codes, invalidCount: variable.invalidCount ?? 0 };
  }
}

function selectionMask(rows: number, selection: DistributionSelection['rows']): Uint8Array | null {
  if (!(selection instanceof Uint8Array)) return null;
  if (selection.length !== rows) {
    throw new InvalidInputError({
      where: 'rows',
      message: `mask has ${selection.length} rows, the data ${rows}`,
    });
  }
  return selection;
}

function checkedRange(rows: number, range: { start: number; end: number }): { start: number; end: number } {
  const { start, end } = range;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= rows && start <= end)) {
    throw new InvalidInputError({ where: 'rows', message: `range [${start}, ${end}) is outside 0..${rows}` });
  }
  return { start, end };
}

/**
 * The labels in each numeric variable's sorted order, computed once per labels array and kept
 * (weakly) with the prepared variable: every later zoom then reads memory sequentially.
 */
interface LabelsInOrder {
  labels: Labels;
  inOrder?: Uint8Array;
  /** The order with the labels packed in (`labelOrder`), made at the first zoom. */
  labelled?: Int32Array;
}
const labelCache = new WeakMap<PreparedNumeric, LabelsInOrder>();

function cachedLabels(variable: PreparedNumeric, labels: Labels): LabelsInOrder {
  const cached = labelCache.get(variable);
  if (cached && cached.labels === labels) return cached;
  const fresh: LabelsInOrder = { labels };
  labelCache.set(variable, fresh);
  return fresh;
}

function labelsInOrder(variable: PreparedNumeric, labels: Labels): Uint8Array {
  const cached = cachedLabels(variable, labels);
  if (cached.inOrder === undefined) {
    const { order } = variable;
    const inOrder = new Uint8Array(order.length);
    for (let k = 0; k < order.length; k++) inOrder[k] = labels[order[k]];
    cached.inOrder = inOrder;
  }
  return cached.inOrder;
}

function labelledOrder(variable: PreparedNumeric, labels: Labels): Int32Array {
  const cached = cachedLabels(variable, labels);
  cached.labelled ??= labelOrder(variable.order, labels);
  return cached.labelled;
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
  return rankEntries(analyzeEach(prepared, labels, selection));
}

/**
 * Each selected variable's entry, in the order of `selection.variables` (default: the table's),
 * without q-values or ranking: what a part of the variables gives, to be ranked with the others'
 * by `rankEntries` (compute/distribution-engine.ts spreads the variables over threads).
 */
export function analyzeEach(
  prepared: PreparedTable,
  labels: Labels,
  selection: DistributionSelection = {},
): DistributionEntry[] {
  const sources = prepared.variables.map((v) => ({ name: v.name, prepare: () => v }));
  return analyzeSources(prepared.rows, prepared.options, sources, labels, selection);
}

/**
 * The items named `names` (all of them when `names` is undefined), in that order; every unknown
 * name is reported at once, with a suggestion.
 */
export function selectByName<T extends { readonly name: string }>(
  items: readonly T[],
  names: readonly string[] | undefined,
): readonly T[] {
  if (names === undefined) return items;
  const byName = new Map(items.map((v) => [v.name, v]));
  const known = items.map((v) => v.name);
  const problems = names
    .filter((name) => !byName.has(name))
    .map((name) => ({ where: 'variables', message: unknownName('variable', name, known) }));
  if (problems.length > 0) throw new InvalidInputError(problems);
  return names.map((name) => byName.get(name) as T);
}

/** A variable to analyse, prepared when its turn comes (so a one-off analysis holds one at a time). */
interface VariableSource {
  readonly name: string;
  readonly prepare: () => PreparedVariable | SortedWithLabels;
}

function analyzeSources(
  rows: number,
  options: DistributionOptions,
  sources: readonly VariableSource[],
  labels: Labels,
  selection: DistributionSelection,
): DistributionEntry[] {
  if (labels.length !== rows) {
    throw new RangeError(`analyzePrepared: ${labels.length} labels for ${rows} rows`);
  }
  const range =
    selection.rows !== undefined && !(selection.rows instanceof Uint8Array)
      ? checkedRange(rows, selection.rows)
      : null;
  const mask = range === null ? selectionMask(rows, selection.rows) : null;
  const variables = selectByName(sources, selection.variables);

  let positives = 0;
  let selected = 0;
  const inSelection = (i: number) =>
    range !== null ? i >= range.start && i < range.end : mask === null || mask[i] === 1;
  for (let i = 0; i < rows; i++) {
    if (!inSelection(i)) continue;
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

  const entries: DistributionEntry[] = variables.map((source) => {
    const variable = source.prepare();
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
    if (variable.kind === 'sortedWithLabels') {
      const entry = analyzeNumeric(
        variable.name,
        variable.sorted,
        variable.labels,
        variable.sorted.length,
        sizes,
        options,
      );
      return { ...entry, ...invalid };
    }
    if (variable.kind === 'numeric') {
      const { sorted, order } = variable;
      if (mask === null && range === null) {
        // every row: the prepared arrays as they are
        const sortedLabels = labelsInOrder(variable, labels);
        const entry = analyzeNumeric(variable.name, sorted, sortedLabels, order.length, sizes, options);
        return { ...entry, ...invalid };
      }
      // the selected non-missing values per population: the selection's, less its missing rows
      let missing0 = 0;
      let missing1 = 0;
      for (const row of variable.missingRows) {
        if (range !== null ? row < range.start || row >= range.end : mask !== null && mask[row] === 0)
          continue;
        if (labels[row]) missing1++;
        else missing0++;
      }
      const n0 = negatives - missing0;
      const n1 = positives - missing1;
      // one pass over the prepared order: the selected rows' values kept, their CDFs measured
      const cdf = filterScan(
        sorted,
        labelledOrder(variable, labels),
        range !== null ? range.start : 0,
        range !== null ? range.end - 1 : rows,
        mask,
        n0,
        n1,
        vals,
        ys,
      );
      const entry = analyzeNumeric(variable.name, vals, ys, cdf.n, sizes, options, { n1, cdf });
      return { ...entry, ...invalid };
    }
    const levels = variable.levels.length;
    const c0 = new Float64Array(levels);
    const c1 = new Float64Array(levels);
    let m0 = 0;
    let m1 = 0;
    const codes = variable.codes;
    const from = range !== null ? range.start : 0;
    const to = range !== null ? range.end : rows;
    for (let i = from; i < to; i++) {
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

  return entries;
}

/**
 * Benjamini–Hochberg q-values over the entries (KS p-values for numeric variables, chi-square
 * p-values for categorical ones), and the ranking: highest score first, identifiers last, ties
 * in the given order.
 */
export function rankEntries(entries: readonly DistributionEntry[]): DistributionEntry[] {
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
  const everyRow = selection.rows === undefined && labels.length === table.rows;
  const sources = table.variables.map((v) => ({
    name: v.name,
    prepare: () => prepareVariable(v, table.rows, options, everyRow ? labels : undefined),
  }));
  return rankEntries(analyzeSources(table.rows, options, sources, labels, selection));
}
