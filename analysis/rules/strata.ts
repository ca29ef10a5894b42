/**
 * Comparison within strata (configuration `variables.stratify`, e.g. the recipe): a variable can
 * differ between bad and good observations only because the product mix changed with the defect
 * rate (one recipe makes more defects and runs its own set-points). Within each stratum the
 * depth-1 tree's split is found again (its threshold is reported per stratum), and the pooled
 * split's 2×2 tables (bad side or not × bad or good), one per stratum, are combined by
 * Cochran–Mantel–Haenszel: the common odds ratio (Mantel–Haenszel) and the CMH statistic, as
 * statsmodels' `StratifiedTable` computes them.
 *
 * Its p-value comes from a null that keeps both the strata and the time structure: within each
 * stratum the labels are shifted circularly along the stratum's rows in time order, so each
 * stratum keeps its own bad rate and its runs of bad observations. A variable is `confounded`
 * when its pooled difference has evidence, the within-strata one has none (p > alpha) and the
 * common odds ratio has lost more than half of the pooled one's log (or cannot be estimated: no
 * stratum has the variable on both sides).
 */
import { analyzePrepared, type DistributionEntry, prepareDistribution } from '../distribution';
import { InvalidInputError, unknownName } from '../errors';
import type { Labels, ObservationTable } from '../frame';
import { createRng } from '../random';
import { circularOffset } from './null';
import { popcount } from './row-set';

/** Strata above this count are refused (`variables.stratify`). */
export const MAX_STRATA = 50;

export interface StratumEntry {
  readonly stratum: string;
  readonly rows: number;
  readonly positives: number;
  /** The stratum's own depth-1 split (numeric) … */
  readonly threshold?: number | null;
  readonly direction?: 'above' | 'below' | null;
  readonly positiveRateAbove?: number | null;
  readonly positiveRateBelow?: number | null;
  /** … or group of categories (text). */
  readonly categories?: readonly string[];
  readonly positiveRateIn?: number | null;
  readonly positiveRateOut?: number | null;
  /** The distribution score within the stratum. */
  readonly score: number;
}

export interface StratifiedComparison {
  readonly variable: string;
  readonly strata: readonly StratumEntry[];
  /** Mantel–Haenszel common odds ratio of the pooled split's side, within strata. */
  readonly oddsRatio: number | null;
  /** The same split's odds ratio with the strata pooled. */
  readonly crudeOddsRatio: number | null;
  /** Cochran–Mantel–Haenszel statistic (no continuity correction). */
  readonly cmh: number | null;
  /** Share of stratified circular shifts with a CMH statistic at least as large. */
  readonly pValue: number | null;
  readonly confounded: boolean;
}

export interface Strata {
  /** Stratum index of each row, −1 when a stratify column is missing on it. */
  readonly codes: Int32Array;
  /** Names, `value` or `value1 / value2` for several columns. */
  readonly names: readonly string[];
}

/**
 * The strata of each row from the stratify columns. Throws `InvalidInputError` (at
 * `variables.stratify`) for an unknown column or more than `MAX_STRATA` strata.
 */
export function strataOf(table: ObservationTable, stratify: readonly string[], rows?: Uint8Array): Strata {
  const known = table.variables.map((v) => v.name);
  const columns = stratify.map((name, k) => {
    const v = table.variables.find((x) => x.name === name);
    if (!v)
      throw new InvalidInputError({
        where: `variables.stratify[${k}]`,
        message: unknownName('column', name, known),
      });
    return v;
  });
  const index = new Map<string, number>();
  const codes = new Int32Array(table.rows).fill(-1);
  for (let i = 0; i < table.rows; i++) {
    if (rows && !rows[i]) continue;
    const parts: string[] = [];
    for (const v of columns) {
      const value = v.data.kind === 'numeric' ? v.data.values[i] : v.data.values[i];
      if (value === null || (typeof value === 'number' && Number.isNaN(value))) break;
      parts.push(String(value));
    }
    if (parts.length < columns.length) continue;
    const key = parts.join(' / ');
    let code = index.get(key);
    if (code === undefined) {
      if (index.size === MAX_STRATA) {
        throw new InvalidInputError({
          where: 'variables.stratify',
          message: `${stratify.map((s) => JSON.stringify(s)).join(', ')} make more than ${MAX_STRATA} strata; stratify on a column with fewer distinct values (a recipe, a product, a shift)`,
        });
      }
      code = index.size;
      index.set(key, code);
    }
    codes[i] = code;
  }
  return { codes, names: [...index.keys()] };
}

/**
 * The usable rows laid out stratum after stratum (each stratum's rows in time order, starting
 * on a fresh 32-bit word) as bit sets, so that a stratum's 2×2 counts are population counts of
 * word-wise ANDs. Shifting labels within strata keeps each stratum's bad count, so under the
 * null only "exposed and bad" changes.
 */
interface Layout {
  /** Position of each row in the layout, −1 when unusable or without a stratum. */
  readonly position: Int32Array;
  /** First word and word count of each stratum. */
  readonly firstWord: Int32Array;
  readonly words: Int32Array;
  readonly totalWords: number;
  /** Rows of each stratum in layout order. */
  readonly rows: readonly Int32Array[];
}

function layoutOf(byStratum: readonly Int32Array[], n: number): Layout {
  const position = new Int32Array(n).fill(-1);
  const firstWord = new Int32Array(byStratum.length);
  const words = new Int32Array(byStratum.length);
  let word = 0;
  byStratum.forEach((rows, s) => {
    firstWord[s] = word;
    words[s] = (rows.length + 31) >>> 5;
    rows.forEach((row, k) => {
      position[row] = word * 32 + k;
    });
    word += words[s];
  });
  return { position, firstWord, words, totalWords: word, rows: byStratum };
}

function bitsOf(layout: Layout, member: (row: number) => boolean): Uint32Array {
  const bits = new Uint32Array(layout.totalWords);
  for (const rows of layout.rows)
    for (const row of rows) {
      const p = layout.position[row];
      if (member(row)) bits[p >>> 5] |= 1 << (p & 31);
    }
  return bits;
}

/** Per stratum, [a, b, c, d]: exposed bad, exposed good, unexposed bad, unexposed good. */
function cellsOf(layout: Layout, valid: Uint32Array, exposed: Uint32Array, bad: Uint32Array): Float64Array {
  const strata = layout.firstWord.length;
  const cells = new Float64Array(4 * strata);
  for (let s = 0; s < strata; s++) {
    let n = 0;
    let e = 0;
    let y = 0;
    let a = 0;
    const end = layout.firstWord[s] + layout.words[s];
    for (let w = layout.firstWord[s]; w < end; w++) {
      const v = valid[w];
      n += popcount(v);
      e += popcount(exposed[w]);
      y += popcount(v & bad[w]);
      a += popcount(exposed[w] & bad[w]);
    }
    cells[4 * s] = a;
    cells[4 * s + 1] = e - a;
    cells[4 * s + 2] = y - a;
    cells[4 * s + 3] = n - e - (y - a);
  }
  return cells;
}

/** CMH statistic and Mantel–Haenszel odds ratio of stratified 2×2 tables. */
export function cochranMantelHaenszel(cells: ArrayLike<number>): {
  statistic: number | null;
  oddsRatio: number | null;
} {
  let deviation = 0;
  let variance = 0;
  let numerator = 0;
  let denominator = 0;
  for (let k = 0; k + 3 < cells.length; k += 4) {
    const a = cells[k];
    const b = cells[k + 1];
    const c = cells[k + 2];
    const d = cells[k + 3];
    const n = a + b + c + d;
    if (n < 2) continue;
    deviation += a - ((a + b) * (a + c)) / n;
    variance += ((a + b) * (c + d) * (a + c) * (b + d)) / (n * n * (n - 1));
    numerator += (a * d) / n;
    denominator += (b * c) / n;
  }
  return {
    statistic: variance > 0 ? (deviation * deviation) / variance : null,
    oddsRatio: denominator > 0 && numerator > 0 ? numerator / denominator : null,
  };
}

function crudeOdds(cells: Float64Array): number | null {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let k = 0; k < cells.length; k += 4) {
    a += cells[k];
    b += cells[k + 1];
    c += cells[k + 2];
    d += cells[k + 3];
  }
  if (a + b === 0 || c + d === 0) return null;
  // Haldane's half counts keep an empty cell from giving 0 or ∞.
  if (a === 0 || b === 0 || c === 0 || d === 0) return ((a + 0.5) * (d + 0.5)) / ((b + 0.5) * (c + 0.5));
  return (a * d) / (b * c);
}

/** Rows (usable, with a stratum) of each stratum, in row (time) order. */
function rowsByStratum(strata: Strata, usable: Uint8Array | undefined): Int32Array[] {
  const lists: number[][] = strata.names.map(() => []);
  for (let i = 0; i < strata.codes.length; i++) {
    const s = strata.codes[i];
    if (s >= 0 && (!usable || usable[i])) lists[s].push(i);
  }
  return lists.map((l) => Int32Array.from(l));
}

/** The pooled split's side of each row: 1 bad side, 0 other side, −1 missing or no split. */
function exposure(table: ObservationTable, entry: DistributionEntry): Int8Array | null {
  const v = table.variables.find((x) => x.name === entry.variable);
  if (!v) return null;
  const out = new Int8Array(table.rows).fill(-1);
  if (entry.kind === 'numeric') {
    if (entry.threshold === null || entry.direction === null || v.data.kind !== 'numeric') return null;
    const { threshold, direction } = entry;
    const values = v.data.values;
    for (let i = 0; i < table.rows; i++) {
      const x = values[i];
      if (!Number.isNaN(x)) out[i] = (direction === 'above' ? x > threshold : x <= threshold) ? 1 : 0;
    }
    return out;
  }
  if (entry.kind === 'categorical') {
    const group = new Set(entry.categories);
    for (let i = 0; i < table.rows; i++) {
      const x = v.data.kind === 'numeric' ? v.data.values[i] : v.data.values[i];
      if (x === null || (typeof x === 'number' && Number.isNaN(x))) continue;
      out[i] = group.has(String(x)) ? 1 : 0;
    }
    return out;
  }
  return null;
}

function stratumEntry(
  name: string,
  rows: number,
  positives: number,
  e: DistributionEntry | undefined,
): StratumEntry {
  if (e?.kind === 'numeric')
    return {
      stratum: name,
      rows,
      positives,
      threshold: e.threshold,
      direction: e.direction,
      positiveRateAbove: e.positiveRateAbove,
      positiveRateBelow: e.positiveRateBelow,
      score: e.score,
    };
  if (e?.kind === 'categorical')
    return {
      stratum: name,
      rows,
      positives,
      categories: e.categories,
      positiveRateIn: e.positiveRateIn,
      positiveRateOut: e.positiveRateOut,
      score: e.score,
    };
  return { stratum: name, rows, positives, score: 0 };
}

export interface StrataOptions {
  /** Rows whose target is known (1); default all. */
  readonly rows?: Uint8Array;
  /** Stratified circular shifts for the p-value (default 199). */
  readonly shifts?: number;
  readonly seed?: number;
  /** Level below which a p-value is evidence (default 0.05). */
  readonly alpha?: number;
  /** Variables whose pooled difference has evidence; default: pooled qValue ≤ alpha. */
  readonly evident?: ReadonlySet<string>;
}

/**
 * Each pooled entry (numeric or categorical) compared again within the strata of `stratify`.
 * The stratify columns themselves are left out.
 */
export function compareWithinStrata(
  table: ObservationTable,
  labels: Labels,
  pooled: readonly DistributionEntry[],
  stratify: readonly string[],
  options: StrataOptions = {},
): StratifiedComparison[] {
  const strata = strataOf(table, stratify, options.rows);
  const alpha = options.alpha ?? 0.05;
  const shifts = options.shifts ?? 199;
  const entries = pooled.filter((e) => e.kind !== 'identifier' && !stratify.includes(e.variable));
  const variables = entries.map((e) => e.variable);
  const prepared = prepareDistribution(table);
  const byStratum = rowsByStratum(strata, options.rows);
  const perStratum = byStratum.map((rows) => {
    const mask = new Uint8Array(table.rows);
    let positives = 0;
    for (const i of rows) {
      mask[i] = 1;
      positives += labels[i];
    }
    const analysed =
      positives > 0 && positives < rows.length
        ? analyzePrepared(prepared, labels, { rows: mask, variables })
        : [];
    return { rows: rows.length, positives, entries: new Map(analysed.map((e) => [e.variable, e])) };
  });
  // One set of shifted label series for every variable, so their p-values share a null.
  const layout = layoutOf(byStratum, table.rows);
  const observedBad = bitsOf(layout, (row) => labels[row] === 1);
  const rng = createRng(options.seed ?? 1);
  const nulls: Uint32Array[] = [];
  for (let b = 0; b < shifts; b++) {
    const bits = new Uint32Array(layout.totalWords);
    byStratum.forEach((rows, s) => {
      const m = rows.length;
      if (m === 0) return;
      const offset = circularOffset(m, rng);
      const first = layout.firstWord[s] * 32;
      for (let k = 0; k < m; k++) {
        if (labels[rows[(k + offset) % m]]) bits[(first + k) >>> 5] |= 1 << ((first + k) & 31);
      }
    });
    nulls.push(bits);
  }
  return entries.map((entry) => {
    const strataEntries = strata.names.map((name, s) =>
      stratumEntry(
        name,
        perStratum[s].rows,
        perStratum[s].positives,
        perStratum[s].entries.get(entry.variable),
      ),
    );
    const exposed = exposure(table, entry);
    if (exposed === null)
      return {
        variable: entry.variable,
        strata: strataEntries,
        oddsRatio: null,
        crudeOddsRatio: null,
        cmh: null,
        pValue: null,
        confounded: false,
      };
    const valid = bitsOf(layout, (row) => exposed[row] >= 0);
    const onBadSide = bitsOf(layout, (row) => exposed[row] === 1);
    const cells = cellsOf(layout, valid, onBadSide, observedBad);
    const observed = cochranMantelHaenszel(cells);
    const crude = crudeOdds(cells);
    let pValue: number | null = null;
    if (observed.statistic !== null && nulls.length > 0) {
      let atLeast = 0;
      for (const y of nulls) {
        const s = cochranMantelHaenszel(cellsOf(layout, valid, onBadSide, y)).statistic;
        if (s !== null && s >= observed.statistic) atLeast++;
      }
      pValue = (1 + atLeast) / (1 + nulls.length);
    }
    const evident = options.evident ? options.evident.has(entry.variable) : (entry.qValue ?? 1) <= alpha;
    const shrunk =
      observed.oddsRatio === null ||
      crude === null ||
      Math.abs(Math.log(observed.oddsRatio)) < 0.5 * Math.abs(Math.log(crude));
    const confounded = evident && (pValue === null || pValue > alpha) && shrunk;
    return {
      variable: entry.variable,
      strata: strataEntries,
      oddsRatio: observed.oddsRatio,
      crudeOddsRatio: crude,
      cmh: observed.statistic,
      pValue,
      confounded,
    };
  });
}
