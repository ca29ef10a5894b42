/**
 * Dead time: a setting acts on the product some time later (a mixer setting shows in the oven's
 * defects 40 minutes on). For each variable, the lag L in 0..maxLag at which its value at t
 * best separates the observations bad at t + L from the good ones, found on the time axis (as
 * Seeq's, TrendMiner's and Delay ID's cross-correlation lag searches do, with the separation
 * measure of a two-population comparison instead of a correlation): the Kolmogorov–Smirnov
 * statistic for numbers, the total variation distance for categories.
 *
 * A lag is kept only when it separates clearly better than no lag (by `minGain`) and well above
 * what the variable reaches against the labels shifted far in time (chance's level, which keeps
 * the autocorrelation of both): a variable whose curve is flat over the lags (slow drifts,
 * noise) stays at 0 instead of taking whichever lag chance favours. `alignTable` then shifts each variable by its lag, so that windows, rules
 * and the comparison read every variable at the time it acted.
 */
import { sortColumn } from '../distribution/analyze';
import type { Labels, ObservationTable, Variable } from '../frame';
import { createRng } from '../random';
import { circularOffset } from './null';

export interface DeadTimeOptions {
  /** Largest lag tried, in ms (`aggregation.maxLag`, default 2 h). */
  readonly maxLagMs?: number;
  /** Lag step in ms (default: the median time between rows, at least maxLag/120). */
  readonly stepMs?: number;
  /** Rows that may be used (1) — those whose target is known; default all. */
  readonly rows?: Uint8Array;
  /** Gain over lag 0 a lag needs, relative to the separation at lag 0 (default 0.1)… */
  readonly minGain?: number;
  /** …and at least this much in absolute terms (default 0.02). */
  readonly minGainAbsolute?: number;
  /**
   * Label series shifted far in time (default 19): a lag is kept only when its separation is
   * `chanceFactor` (default 3) times the variable's best separation against them. The best of
   * several lags beats a single shift by chance alone; on random lines, noise variables reach
   * at most 2 times that level at their best lag, causes with a dead time 6 times and more.
   */
  readonly nullShifts?: number;
  readonly chanceFactor?: number;
  readonly seed?: number;
}

export interface DeadTime {
  readonly variable: string;
  /** The lag kept: the variable acts this many minutes before the target shows it. */
  readonly lagMinutes: number;
  /** Separation (KS or total variation) at that lag and at lag 0. */
  readonly separation: number;
  readonly separationAtZero: number;
  /** The best separation against labels shifted far in time (chance's level). */
  readonly chanceSeparation: number;
  /** The separation at each lag tried, for a plot. */
  readonly curve: { readonly lagMinutes: readonly number[]; readonly separation: readonly number[] };
}

export const DEFAULT_MAX_LAG_MS = 2 * 3600_000;
const MINUTE = 60_000;

function medianStep(time: Float64Array): number {
  const n = time.length;
  if (n < 2) return MINUTE;
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = time[i] - time[i - 1];
  gaps.sort();
  return Math.max(1, gaps[(n - 1) >> 1]);
}

function checkSorted(time: Float64Array): void {
  for (let i = 1; i < time.length; i++)
    if (!(time[i] >= time[i - 1])) throw new RangeError(`dead time: times must ascend (row ${i})`);
}

/**
 * For each row i, the row whose time is the latest at or before time[i] + shift, when no more
 * than `tolerance` earlier; −1 when there is none.
 */
export function asOfRows(time: Float64Array, shift: number, tolerance: number): Int32Array {
  const n = time.length;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const at = time[i] + shift;
    while (j + 1 < n && time[j + 1] <= at) j++;
    while (j > 0 && time[j] > at) j--;
    out[i] = time[j] <= at && at - time[j] <= tolerance ? j : -1;
  }
  return out;
}

/** Labels seen `shift` ms later for each row: 0/1, or −1 when unknown. */
function shiftedLabels(
  time: Float64Array,
  labels: Labels,
  usable: Uint8Array | undefined,
  shift: number,
  tolerance: number,
): Int8Array {
  const rows = asOfRows(time, shift, tolerance);
  const out = new Int8Array(time.length);
  for (let i = 0; i < time.length; i++) {
    const j = rows[i];
    out[i] = j < 0 || (usable && !usable[j]) ? -1 : labels[j];
  }
  return out;
}

/** Bad and good rows of a label series (−1: unknown), counted once for every variable read without a gap. */
const labelCounts = new WeakMap<Int8Array, { readonly pos: number; readonly neg: number }>();

function countLabels(y: Int8Array, rows: ArrayLike<number> | null): { pos: number; neg: number } {
  let pos = 0;
  let neg = 0;
  const n = rows ? rows.length : y.length;
  for (let k = 0; k < n; k++) {
    const l = y[rows ? rows[k] : k];
    if (l === 1) pos++;
    else if (l === 0) neg++;
  }
  return { pos, neg };
}

function ksSeparation(values: Float64Array, order: Uint32Array, y: Int8Array): number {
  let counts: { pos: number; neg: number } | undefined;
  if (order.length === y.length) {
    // Every row has a value: the counts are the series' own.
    counts = labelCounts.get(y);
    if (!counts) {
      counts = countLabels(y, null);
      labelCounts.set(y, counts);
    }
  } else counts = countLabels(y, order);
  const { pos, neg } = counts;
  if (pos === 0 || neg === 0) return 0;
  let p = 0;
  let q = 0;
  let d = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const l = y[i];
    if (l === 1) p++;
    else if (l === 0) q++;
    else continue;
    if (k + 1 < order.length && values[order[k + 1]] === values[i]) continue;
    // No Math.abs in the hot loop (see row-set.ts on vm contexts).
    const gap = p / pos - q / neg;
    if (gap > d) d = gap;
    else if (-gap > d) d = -gap;
  }
  return d;
}

function tvSeparation(codes: Int32Array, categories: number, y: Int8Array): number {
  const pos = new Float64Array(categories);
  const neg = new Float64Array(categories);
  let np = 0;
  let nn = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) continue;
    if (y[i] === 1) {
      pos[c]++;
      np++;
    } else if (y[i] === 0) {
      neg[c]++;
      nn++;
    }
  }
  if (np === 0 || nn === 0) return 0;
  let tv = 0;
  for (let c = 0; c < categories; c++) {
    const gap = pos[c] / np - neg[c] / nn;
    tv += gap < 0 ? -gap : gap;
  }
  return tv / 2;
}

type Prepared =
  | { kind: 'numeric'; values: Float64Array; order: Uint32Array }
  | { kind: 'categorical'; codes: Int32Array; categories: number };

function prepare(variable: Variable): Prepared {
  if (variable.data.kind === 'numeric') {
    const values = variable.data.values;
    // Ties in row order; ±Infinity left out, as the distribution analysis and the rules leave it.
    const { order } = sortColumn(values);
    return { kind: 'numeric', values, order };
  }
  const index = new Map<string, number>();
  const codes = new Int32Array(variable.data.values.length);
  variable.data.values.forEach((t, i) => {
    if (t === null) codes[i] = -1;
    else {
      let c = index.get(t);
      if (c === undefined) {
        c = index.size;
        index.set(t, c);
      }
      codes[i] = c;
    }
  });
  return { kind: 'categorical', codes, categories: index.size };
}

/** The lag step and tolerance used for a table (see `DeadTimeOptions.stepMs`). */
export function lagStep(
  time: Float64Array,
  maxLagMs: number,
  stepMs?: number,
): { step: number; tolerance: number } {
  const sampling = medianStep(time);
  const step = stepMs ?? Math.max(sampling, maxLagMs / 120);
  return { step, tolerance: Math.max(sampling, step) * 1.5 };
}

/**
 * The dead time of each named variable (numeric or text) against the labels: lags on a coarse
 * grid (maxLag/24) first, then every step around the best of them.
 */
export function findDeadTimes(
  table: ObservationTable,
  labels: Labels,
  variables: readonly string[],
  options: DeadTimeOptions = {},
): DeadTime[] {
  const time = table.time;
  if (!time) throw new RangeError('dead time: the table has no time column');
  checkSorted(time);
  const maxLag = options.maxLagMs ?? DEFAULT_MAX_LAG_MS;
  const { step, tolerance } = lagStep(time, maxLag, options.stepMs);
  const stepsPerCoarse = Math.max(1, Math.round(maxLag / 24 / step));
  const lastStep = Math.floor(maxLag / step + 1e-9);
  const shifted = new Map<number, Int8Array>();
  const labelsAt = (k: number): Int8Array => {
    let y = shifted.get(k);
    if (!y) {
      y = shiftedLabels(time, labels, options.rows, k * step, tolerance);
      shifted.set(k, y);
    }
    return y;
  };
  const nulls = circularShifts(labels, options.rows, options.nullShifts ?? 19, options.seed ?? 1);
  const minGain = options.minGain ?? 0.1;
  const minGainAbsolute = options.minGainAbsolute ?? 0.02;
  const chanceFactor = options.chanceFactor ?? 3;
  const byName = new Map(table.variables.map((v) => [v.name, v]));
  return variables.map((name) => {
    const variable = byName.get(name);
    if (!variable) throw new RangeError(`dead time: no variable "${name}"`);
    const p = prepare(variable);
    const separation = (y: Int8Array) =>
      p.kind === 'numeric' ? ksSeparation(p.values, p.order, y) : tvSeparation(p.codes, p.categories, y);
    const curve = new Map<number, number>();
    const at = (k: number) => {
      let d = curve.get(k);
      if (d === undefined) {
        d = separation(labelsAt(k));
        curve.set(k, d);
      }
      return d;
    };
    let best = 0;
    for (let k = 0; k <= lastStep; k += stepsPerCoarse) if (at(k) > at(best)) best = k;
    const around = best;
    for (
      let k = Math.max(0, around - stepsPerCoarse + 1);
      k <= Math.min(lastStep, around + stepsPerCoarse - 1);
      k++
    )
      if (at(k) > at(best)) best = k;
    const atZero = at(0);
    // What the variable reaches against labels shifted far away in time: chance's level.
    let chance = 0;
    for (const y of nulls) chance = Math.max(chance, separation(y));
    const gain = at(best) - atZero;
    const kept =
      at(best) >= chanceFactor * chance && gain >= Math.max(minGainAbsolute, minGain * atZero) ? best : 0;
    const tried = [...curve.keys()].sort((a, b) => a - b);
    return {
      variable: name,
      lagMinutes: (kept * step) / MINUTE,
      separation: at(kept),
      separationAtZero: atZero,
      chanceSeparation: chance,
      curve: { lagMinutes: tried.map((k) => (k * step) / MINUTE), separation: tried.map((k) => at(k)) },
    };
  });
}

/** Label series shifted circularly (`circularOffset`), unusable rows marked −1. */
function circularShifts(
  labels: Labels,
  usable: Uint8Array | undefined,
  count: number,
  seed: number,
): Int8Array[] {
  const n = labels.length;
  const rng = createRng(seed);
  const out: Int8Array[] = [];
  for (let b = 0; b < count && n > 10; b++) {
    const offset = circularOffset(n, rng);
    const y = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const j = (i + offset) % n;
      y[i] = usable && !usable[j] ? -1 : labels[j];
    }
    out.push(y);
  }
  return out;
}

/**
 * The table with each variable read `lagMinutes` earlier (as of that time, within the lag
 * step's tolerance; missing before the data starts). Variables without a lag are kept as they
 * are.
 */
export function alignTable(
  table: ObservationTable,
  lagMinutes: ReadonlyMap<string, number>,
  options: { maxLagMs?: number; stepMs?: number } = {},
): ObservationTable {
  const time = table.time;
  if (!time || ![...lagMinutes.values()].some((l) => l > 0)) return table;
  checkSorted(time);
  const { tolerance } = lagStep(time, options.maxLagMs ?? DEFAULT_MAX_LAG_MS, options.stepMs);
  const cache = new Map<number, Int32Array>();
  const variables = table.variables.map((v): Variable => {
    const lag = lagMinutes.get(v.name) ?? 0;
    if (!(lag > 0)) return v;
    let rows = cache.get(lag);
    if (!rows) {
      rows = asOfRows(time, -lag * MINUTE, tolerance);
      cache.set(lag, rows);
    }
    const from = rows;
    if (v.data.kind === 'numeric') {
      const source = v.data.values;
      const values = new Float64Array(table.rows);
      for (let i = 0; i < table.rows; i++) values[i] = from[i] < 0 ? Number.NaN : source[from[i]];
      return { ...v, data: { kind: 'numeric', values } };
    }
    const source = v.data.values;
    const values = Array.from({ length: table.rows }, (_, i) => (from[i] < 0 ? null : source[from[i]]));
    return { ...v, data: { kind: 'text', values } };
  });
  return { ...table, variables };
}
