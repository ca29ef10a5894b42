/**
 * One numeric variable, two populations, one pass over its values in ascending order: binning,
 * histograms, KS, Wasserstein-1, the depth-1 tree's threshold, means and variances.
 */
import { ksTwoSamplePValue } from './ks';
import {
  intersectionDistance,
  jensenShannon,
  populationStabilityIndex,
  quantileSorted,
  suspectedLeak,
} from './measures';
import type { NumericDistribution } from './types';

/** Values at most this many distinct get one bin each. */
export const ONE_BIN_PER_VALUE_MAX = 20;
export const DEFAULT_MAX_BINS = 50;
const MIN_BINS = 5;

/**
 * Bin edges over the pooled non-missing values `sorted[0..n)` (ascending; `distinct` distinct,
 * counted at least up to one more than the one-bin-per-value limit):
 *
 * - at most `ONE_BIN_PER_VALUE_MAX` distinct values (or at most `bins` when given): one bin per
 *   value, edges halfway between consecutive values;
 * - otherwise equal-width bins between the 1 % and 99 % quantiles, the tails clipped into the two
 *   end bins (whose outer edges are the minimum and maximum), so one outlier cannot squeeze every
 *   other value into one bin. The count follows Freedman–Diaconis (width 2·IQR/n^⅓) within
 *   [5, maxBins]; with IQR 0 (over half the values tied) 20 bins, within the same bounds.
 */
export function numericEdges(
  sorted: ArrayLike<number>,
  n: number,
  distinct: number,
  options: { bins?: number; maxBins?: number } = {},
): Float64Array {
  const min = sorted[0];
  const max = sorted[n - 1];
  const perValueMax = options.bins ?? ONE_BIN_PER_VALUE_MAX;
  if (distinct <= perValueMax) {
    const values: number[] = [min];
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) values.push(sorted[i]);
    let gap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < values.length; i++) gap = Math.min(gap, values[i] - values[i - 1]);
    const half = Number.isFinite(gap) ? gap / 2 : 0.5;
    const edges = new Float64Array(values.length + 1);
    edges[0] = values[0] - half;
    for (let i = 1; i < values.length; i++) edges[i] = values[i - 1] + (values[i] - values[i - 1]) / 2;
    edges[values.length] = values[values.length - 1] + half;
    return edges;
  }
  let lo = quantileSorted(sorted, n, 0.01);
  let hi = quantileSorted(sorted, n, 0.99);
  if (!(hi > lo)) {
    lo = min;
    hi = max;
  }
  const maxBins = options.maxBins ?? DEFAULT_MAX_BINS;
  let k: number;
  if (options.bins !== undefined) k = options.bins;
  else {
    const iqr = quantileSorted(sorted, n, 0.75) - quantileSorted(sorted, n, 0.25);
    const raw = iqr > 0 ? Math.ceil((hi - lo) / ((2 * iqr) / Math.cbrt(n))) : ONE_BIN_PER_VALUE_MAX;
    k = Math.min(Math.max(raw, MIN_BINS), maxBins);
  }
  const edges = new Float64Array(k + 1);
  const width = (hi - lo) / k;
  for (let i = 1; i < k; i++) edges[i] = lo + i * width;
  edges[0] = Math.min(min, lo);
  edges[k] = Math.max(max, hi);
  return edges;
}

/** float32 1e-7: scikit-learn treats float32 values closer than this as equal. */
const FEATURE_THRESHOLD = Math.fround(1e-7);

/**
 * scikit-learn's Gini `proxy_impurity_improvement` for a cut with (l0, l1) negatives and
 * positives on the left of (n0, n1): the same operations in the same order, so that ties between
 * cuts resolve as they do there.
 */
function giniProxy(l0: number, l1: number, n0: number, n1: number): number {
  const nl = l0 + l1;
  const nr = n0 + n1 - nl;
  const r0 = n0 - l0;
  const r1 = n1 - l1;
  const sqL = 0 + l0 * l0 + l1 * l1;
  const sqR = 0 + r0 * r0 + r1 * r1;
  return -nr * (1 - sqR / (nr * nr)) - nl * (1 - sqL / (nl * nl));
}

/** What `scanCdf` measures: KS extremes, Wasserstein-1, and the per-population sums. */
export interface CdfScan {
  maxS: number;
  minS: number;
  wass: number;
  sum0: number;
  sum1: number;
  sq0: number;
  sq1: number;
}

/**
 * One pass over the sorted values: bin counts (into c0, c1), the two empirical CDFs (KS
 * extremes, Wasserstein-1) and the sums for the means. Bins are counted at their ends (the
 * running counts then, less those at the bin's start), not per value. The stump has a pass of
 * its own (`scanStump`): two small loops keep every variable in a register and in one
 * representation, where one large loop made V8 box numbers on every value (about 3× slower).
 */
function scanCdf(
  vals: Float64Array,
  ys: Uint8Array,
  n: number,
  n0: number,
  n1: number,
  edges: Float64Array,
  c0: Float64Array,
  c1: Float64Array,
): CdfScan {
  const both = n0 > 0 && n1 > 0;
  const k = edges.length - 1;
  const inv0 = 1 / n0;
  const inv1 = 1 / n1;
  let bin = 0;
  let nextEdge = edges[1];
  let cum0 = 0;
  let cum1 = 0;
  let start0 = 0; // running counts where the current bin started
  let start1 = 0;
  let maxS = 0;
  let minS = 0;
  let wass = 0;
  let sum0 = 0;
  let sum1 = 0;
  // shift by the first value so variances stay accurate for large offsets
  const shift = vals[0];
  let sq0 = 0;
  let sq1 = 0;
  let prev = vals[0];
  while (prev >= nextEdge && bin < k - 1) nextEdge = edges[++bin + 1];
  // the work tied to a distinct value (the CDFs) happens when the value changes, i.e. once the
  // group of equal values before it is complete
  for (let i = 0; i < n; i++) {
    const x = vals[i];
    if (x !== prev) {
      if (both) {
        // empirical CDFs just after `prev` (searchsorted 'right'), as ks_2samp and wasserstein_distance
        const diff = cum1 * inv1 - cum0 * inv0;
        if (diff > maxS) maxS = diff;
        if (-diff > minS) minS = -diff;
        wass += Math.abs(diff) * (x - prev);
      }
      prev = x;
      if (x >= nextEdge && bin < k - 1) {
        c0[bin] = cum0 - start0;
        c1[bin] = cum1 - start1;
        start0 = cum0;
        start1 = cum1;
        nextEdge = edges[++bin + 1];
        while (x >= nextEdge && bin < k - 1) nextEdge = edges[++bin + 1];
      }
    }
    const dv = x - shift;
    if (ys[i] !== 0) {
      cum1++;
      sum1 += dv;
      sq1 += dv * dv;
    } else {
      cum0++;
      sum0 += dv;
      sq0 += dv * dv;
    }
  }
  c0[bin] = cum0 - start0;
  c1[bin] = cum1 - start1;
  return { maxS, minS, wass, sum0, sum1, sq0, sq1 };
}

/** What `filterScan` gives: the selected values' count, CDF measures and cut (bins not counted). */
export interface SelectedScan extends CdfScan {
  n: number;
  /** Distinct values among the selected ones. */
  distinct: number;
  /** The stump's best cut, as `scanStump` finds it (meaningless unless a stump is possible). */
  cut: StumpScan;
}

/**
 * The row bits of a `labelOrder` entry (rows are fewer than 2^31; the sign bit is the label).
 * Not exported: a module's exported constant is read from `exports` on every use in the loop.
 */
const ROW_BITS = 0x7fffffff;

/**
 * A column's sort order with each row's label in the sign bit: the zoom's pass then reads one
 * array less per value (about 6 % faster than separate labels). Signed, so that every entry
 * reads as a 32-bit integer (a Uint32Array entry above 2^31 has the compiler back out).
 */
export function labelOrder(order: Uint32Array, labels: ArrayLike<number>): Int32Array {
  if (order.length > ROW_BITS) throw new RangeError(`labelOrder: ${order.length} rows exceed 2^31 − 1`);
  const labelled = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) labelled[k] = order[k] | (labels[order[k]] << 31);
  return labelled;
}

/**
 * The zoom's pass over a column's prepared order (`labelOrder`): keeps the selected rows' values and labels
 * (into `vals`, `ys`, still ascending), measures their CDFs as `scanCdf` does and finds the
 * stump's cut as `scanStump` does, in the same order of operations, so the results are bit for
 * bit the same. Rows are selected by the range
 * [start, last] when `mask` is null, else by `mask`. `n0`, `n1` are the selected non-missing
 * values per population (known beforehand from the missing rows). Bins are counted afterwards
 * (`countBins`), since their edges need the selected values' quantiles.
 */
export function filterScan(
  sorted: Float64Array,
  labelledOrder: Int32Array,
  start: number,
  last: number,
  mask: Uint8Array | null,
  n0: number,
  n1: number,
  vals: Float64Array,
  ys: Uint8Array,
): SelectedScan {
  const m = labelledOrder.length;
  let k = 0;
  if (mask === null)
    while (k < m && ((labelledOrder[k] & ROW_BITS) < start || (labelledOrder[k] & ROW_BITS) > last)) k++;
  else while (k < m && mask[labelledOrder[k] & ROW_BITS] === 0) k++;
  if (k === m) {
    const cut = { proxy: Number.NEGATIVE_INFINITY, index: 0, positives: 0 };
    return { n: 0, distinct: 0, maxS: 0, minS: 0, wass: 0, sum0: 0, sum1: 0, sq0: 0, sq1: 0, cut };
  }
  const both = n0 > 0 && n1 > 0;
  const inv0 = 1 / n0;
  const inv1 = 1 / n1;
  let n = 0;
  let distinct = 1;
  let cum0 = 0;
  let cum1 = 0;
  let maxS = 0;
  let minS = 0;
  let wass = 0;
  let sum0 = 0;
  let sum1 = 0;
  const shift = sorted[k];
  let sq0 = 0;
  let sq1 = 0;
  let prev = shift;
  // the stump, as in `scanStump` (any bound on the magnitudes will do for the wide-gap test)
  const bigGap = 4e-7 * Math.max(Math.abs(sorted[0]), Math.abs(sorted[m - 1])) + 2.2e-7;
  let bestProxy = Number.NEGATIVE_INFINITY;
  let bestI = 0;
  let best1 = 0;
  let pending = 0;
  let pendI = 0;
  let pend1 = 0;
  let prevPure = -1;
  for (; k < m; k++) {
    const entry = labelledOrder[k];
    const row = entry & ROW_BITS;
    if (mask === null ? ((row - start) | (last - row)) < 0 : mask[row] === 0) continue;
    const x = sorted[k];
    const y = entry >>> 31;
    vals[n] = x;
    ys[n] = y;
    n++;
    if (x !== prev) {
      distinct++;
      if (both) {
        const diff = cum1 * inv1 - cum0 * inv0;
        if (diff > maxS) maxS = diff;
        if (-diff > minS) minS = -diff;
        wass += (diff < 0 ? -diff : diff) * (x - prev);
      }
      if (x - prev > bigGap || Math.fround(x) > Math.fround(Math.fround(prev) + FEATURE_THRESHOLD)) {
        // x is element n − 1 of the selection; cum1 counts the positives before it
        const i = n - 1;
        const c1 = cum1 | 0;
        const g1 = (c1 - pend1) | 0;
        const pure = g1 === 0 ? 0 : g1 === ((i - pendI) | 0) ? 1 : -1;
        if (pending !== 0 && !(pure >= 0 && pure === prevPure)) {
          const proxy = giniProxy(pendI - pend1, pend1, n0, n1);
          if (proxy > bestProxy) {
            bestProxy = proxy;
            bestI = pendI;
            best1 = pend1;
          }
        }
        prevPure = pure;
        pending = 1;
        pendI = i;
        pend1 = c1;
      }
      prev = x;
    }
    const dv = x - shift;
    if (y !== 0) {
      cum1++;
      sum1 += dv;
      sq1 += dv * dv;
    } else {
      cum0++;
      sum0 += dv;
      sq0 += dv * dv;
    }
  }
  if (pending !== 0) {
    const g1 = ((cum1 | 0) - pend1) | 0;
    const pure = g1 === 0 ? 0 : g1 === ((n - pendI) | 0) ? 1 : -1;
    if (!(pure >= 0 && pure === prevPure)) {
      const proxy = giniProxy(pendI - pend1, pend1, n0, n1);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bestI = pendI;
        best1 = pend1;
      }
    }
  }
  const cut = { proxy: bestProxy, index: bestI, positives: best1 };
  return { n, distinct, maxS, minS, wass, sum0, sum1, sq0, sq1, cut };
}

/**
 * Bin counts of ascending `vals[0..n)` as `scanCdf` counts them: a value falls in the last bin b
 * (b ≤ k − 1) with edges[b] ≤ value, so each bin is a run found by binary search (the edges
 * ascend), and its positives are summed from the labels.
 */
/**
 * The positives among the 0/1 labels ys[from..to): four labels per step where `words` views ys
 * (four 0/1 bytes of a word sum into its top byte by one multiplication), so a bin's count
 * costs a quarter of the byte loop's steps.
 */
function countLabels(ys: Uint8Array, words: Uint32Array | null, from: number, to: number): number {
  let positives = 0;
  let i = from;
  if (words !== null) {
    const headEnd = Math.min(to, (from + 3) & ~3);
    for (; i < headEnd; i++) positives += ys[i];
    const wordEnd = to >>> 2;
    for (let w = i >>> 2; w < wordEnd; w++) positives += Math.imul(words[w], 0x01010101) >>> 24;
    if (wordEnd << 2 > i) i = wordEnd << 2;
  }
  for (; i < to; i++) positives += ys[i];
  return positives;
}

function countBins(
  vals: Float64Array,
  ys: Uint8Array,
  n: number,
  edges: Float64Array,
  c0: Float64Array,
  c1: Float64Array,
): void {
  const k = edges.length - 1;
  const words = ys.byteOffset % 4 === 0 ? new Uint32Array(ys.buffer, ys.byteOffset, ys.length >>> 2) : null;
  let from = 0;
  for (let b = 0; b < k; b++) {
    let to = n;
    if (b < k - 1) {
      const edge = edges[b + 1];
      let lo = from;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (vals[mid] < edge) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
    }
    const positives = countLabels(ys, words, from, to);
    c1[b] = positives;
    c0[b] = to - from - positives;
    from = to;
  }
}

/** The best cut of the depth-1 tree: before element `index`, with `positives` positives before it. */
interface StumpScan {
  proxy: number;
  index: number;
  positives: number;
}

/**
 * The depth-1 Gini tree, exactly as scikit-learn's DecisionTreeClassifier(max_depth=1): values
 * as float32, a candidate cut between consecutive values more than float32 1e-7 apart, the same
 * proxy improvement in the same floating-point order, the first best cut kept (the threshold is
 * then the double midpoint a/2 + b/2). Missing values are left out.
 * A cut is evaluated one group late: between two pure groups of the same class it can never be
 * the best (Gini is strictly concave), so it is skipped without a division.
 */
function scanStump(vals: Float64Array, ys: Uint8Array, n: number, n0: number, n1: number): StumpScan {
  let bestProxy = Number.NEGATIVE_INFINITY;
  let bestI = 0;
  let best1 = 0;
  // The pending cut is before element pendI, with pend1 positives before it; the float32 group
  // after it runs up to the current element. Indices, not copies, keep the per-value work small.
  let pending = 0;
  let pendI = 0;
  let pend1 = 0;
  let prevPure = -1; // class of the group before the pending cut if pure, else -1
  let cum1 = 0;
  let prev = vals[0];
  // A gap above 2e-7·(|a| + |b|) + 2.2e-7 between a < b is far above float32 rounding, so always
  // a boundary; with |a|, |b| bounded by the largest magnitude that is one comparison per value.
  const bigGap = 4e-7 * Math.max(Math.abs(vals[0]), Math.abs(vals[n - 1])) + 2.2e-7;
  for (let i = 0; i < n; i++) {
    const x = vals[i];
    // a float32 group boundary: a gap far above float32 rounding, or the exact float32 test
    if (
      x - prev > bigGap ||
      (x !== prev && Math.fround(x) > Math.fround(Math.fround(prev) + FEATURE_THRESHOLD))
    ) {
      // the pending cut, between the group before it and the group [pendI, i) just completed
      const g1 = (cum1 - pend1) | 0;
      const pure = g1 === 0 ? 0 : g1 === ((i - pendI) | 0) ? 1 : -1;
      if (pending !== 0 && !(pure >= 0 && pure === prevPure)) {
        const proxy = giniProxy(pendI - pend1, pend1, n0, n1);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestI = pendI;
          best1 = pend1;
        }
      }
      prevPure = pure;
      pending = 1;
      pendI = i;
      pend1 = cum1;
    }
    prev = x;
    cum1 = (cum1 + ys[i]) | 0;
  }
  if (pending !== 0) {
    const g1 = (cum1 - pend1) | 0;
    const pure = g1 === 0 ? 0 : g1 === ((n - pendI) | 0) ? 1 : -1;
    if (!(pure >= 0 && pure === prevPure)) {
      const proxy = giniProxy(pendI - pend1, pend1, n0, n1);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bestI = pendI;
        best1 = pend1;
      }
    }
  }
  return { proxy: bestProxy, index: bestI, positives: best1 };
}

export interface PopulationSizes {
  /** Rows of each population in the analysed selection, missing values included. */
  readonly negative: number;
  readonly positive: number;
}

/**
 * Analyses one numeric variable from its non-missing values in ascending order `vals[0..n)` and
 * their labels `ys`. `sizes` counts all the selection's rows per population, so what `vals`
 * lacks is missing. `qValue` is filled later, over all variables. `scanned`: the positives
 * among `vals`, their CDF measures and the stump's cut when `filterScan` already took them.
 */
export function analyzeNumeric(
  variable: string,
  vals: Float64Array,
  ys: Uint8Array,
  n: number,
  sizes: PopulationSizes,
  options: { bins?: number; maxBins?: number } = {},
  scanned?: { n1: number; cdf: SelectedScan },
): NumericDistribution {
  let n1 = 0;
  if (scanned) n1 = scanned.n1;
  else for (let i = 0; i < n; i++) n1 += ys[i];
  // distinct values, counted only as far as the binning needs to know
  const distinctLimit = Math.max(options.bins ?? 0, ONE_BIN_PER_VALUE_MAX) + 1;
  let distinct = n > 0 ? 1 : 0;
  if (scanned) distinct = Math.min(scanned.cdf.distinct, distinctLimit);
  else for (let i = 1; i < n && distinct < distinctLimit; i++) if (vals[i] !== vals[i - 1]) distinct++;
  const n0 = n - n1;
  const missing0 = sizes.negative - n0;
  const missing1 = sizes.positive - n1;
  const missingRateNegative = sizes.negative > 0 ? missing0 / sizes.negative : 0;
  const missingRatePositive = sizes.positive > 0 ? missing1 / sizes.positive : 0;
  const base = {
    variable,
    kind: 'numeric' as const,
    missingRateNegative,
    missingRatePositive,
  };
  if (n === 0) {
    return {
      ...base,
      score: 0,
      intersection: 0,
      ks: null,
      ksPValue: null,
      ksMethod: null,
      wasserstein: null,
      wassersteinRaw: null,
      wassersteinScale: null,
      js: 0,
      psi: 0,
      smd: null,
      qValue: null,
      threshold: null,
      direction: null,
      positiveRateAbove: null,
      positiveRateBelow: null,
      shareAbove: null,
      shareBelow: null,
      histogram: { edges: [], negative: [], positive: [] },
      note: 'missing on every row compared',
      suspectedLeak: false,
    };
  }

  const edges = numericEdges(vals, n, distinct, options);
  const k = edges.length - 1;
  // counts per bin, the last slot the missing values
  const c0 = new Float64Array(k + 1);
  const c1 = new Float64Array(k + 1);
  c0[k] = missing0;
  c1[k] = missing1;

  const both = n0 > 0 && n1 > 0;
  let cdf: CdfScan;
  if (scanned) {
    cdf = scanned.cdf;
    countBins(vals, ys, n, edges, c0, c1);
  } else cdf = scanCdf(vals, ys, n, n0, n1, edges, c0, c1);
  const { maxS, minS, wass, sum0, sum1, sq0, sq1 } = cdf;
  const stumpPossible =
    both && Math.fround(vals[n - 1]) > Math.fround(Math.fround(vals[0]) + FEATURE_THRESHOLD);
  const cut = stumpPossible
    ? scanned
      ? scanned.cdf.cut
      : scanStump(vals, ys, n, n0, n1)
    : { proxy: Number.NEGATIVE_INFINITY, index: 0, positives: 0 };
  const bestProxy = cut.proxy;
  const best1 = cut.positives;
  const best0 = cut.index - best1;
  const bestLow = cut.index > 0 ? vals[cut.index - 1] : 0;
  const bestHigh = vals[cut.index];

  const p = new Float64Array(k + 1);
  const q = new Float64Array(k + 1);
  for (let b = 0; b <= k; b++) {
    p[b] = sizes.positive > 0 ? c1[b] / sizes.positive : 0;
    q[b] = sizes.negative > 0 ? c0[b] / sizes.negative : 0;
  }
  const intersection = intersectionDistance(p, q);
  const ksResult = both ? ksTwoSamplePValue(n1, n0, Math.max(maxS, minS)) : null;
  const iqr = quantileSorted(vals, n, 0.75) - quantileSorted(vals, n, 0.25);
  const scale = iqr > 0 ? iqr / 1.349 : null;
  const mean0 = n0 > 0 ? sum0 / n0 : Number.NaN;
  const mean1 = n1 > 0 ? sum1 / n1 : Number.NaN;
  const var0 = n0 > 1 ? (sq0 - n0 * mean0 * mean0) / (n0 - 1) : Number.NaN;
  const var1 = n1 > 1 ? (sq1 - n1 * mean1 * mean1) / (n1 - 1) : Number.NaN;
  const pooled = Math.sqrt((Math.max(var0, 0) + Math.max(var1, 0)) / 2);
  const smd = Number.isFinite(pooled) && pooled > 0 ? (mean1 - mean0) / pooled : null;
  const stump =
    bestProxy > Number.NEGATIVE_INFINITY
      ? {
          threshold: Math.fround(bestLow) / 2 + Math.fround(bestHigh) / 2,
          below: [best0, best1] as const,
          above: [n0 - best0, n1 - best1] as const,
        }
      : null;

  let notes: string[] = [];
  if (distinct === 1) notes.push('constant in the selected rows');
  if (n1 === 0) notes.push('no non-missing value among the positives');
  if (n0 === 0) notes.push('no non-missing value among the negatives');
  const constantOnly = distinct === 1 && missingRateNegative === missingRatePositive;
  if (constantOnly) notes = ['constant in the selected rows'];

  const rate = (c: readonly [number, number]) => (c[0] + c[1] > 0 ? c[1] / (c[0] + c[1]) : null);
  const above = stump ? rate(stump.above) : null;
  const below = stump ? rate(stump.below) : null;
  const bad = stump && above !== null && below !== null ? (above > below ? stump.above : stump.below) : null;
  const score = constantOnly ? 0 : intersection;
  return {
    ...base,
    score,
    intersection: score,
    ks: ksResult ? ksResult.statistic : null,
    ksPValue: ksResult ? ksResult.pValue : null,
    ksMethod: ksResult ? ksResult.method : null,
    wasserstein: both && scale !== null ? wass / scale : null,
    wassersteinRaw: both ? wass : null,
    wassersteinScale: scale,
    js: jensenShannon(p, q),
    psi: populationStabilityIndex(p, q),
    smd,
    qValue: null,
    threshold: stump ? stump.threshold : null,
    direction: stump && above !== null && below !== null ? (above > below ? 'above' : 'below') : null,
    positiveRateAbove: above,
    positiveRateBelow: below,
    shareAbove: stump ? (stump.above[0] + stump.above[1]) / n : null,
    shareBelow: stump ? (stump.below[0] + stump.below[1]) / n : null,
    histogram: {
      edges: Array.from(edges),
      negative: Array.from(q.subarray(0, k)),
      positive: Array.from(p.subarray(0, k)),
    },
    suspectedLeak: bad !== null && suspectedLeak(bad[1], sizes.positive, bad[0], sizes.negative),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

/**
 * Runs the scans once on a small made-up column when the module loads. V8 compiles a long loop
 * while it runs (on-stack replacement), before the code after it has ever run; that code then
 * lacks type feedback, so the compiled loop is thrown away at its end, and V8 reuses the same
 * compiled loop on the next call: every zoom ran half in the interpreter (about 2× slower, by
 * chance of timing). Running every path first gives the compiler the feedback it needs, and
 * running it often enough on a small column has the scans compiled as whole functions, not
 * mid-loop: the mid-loop code of `filterScan` was at times twice as slow.
 */
function warmUp(): void {
  const n = 64;
  const sorted = new Float64Array(n);
  const labels = new Uint8Array(n);
  const rowLabels = new Uint8Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // ties, gaps both wide and below float32 resolution, both classes
    sorted[i] = i < 8 ? 1 : i < 16 ? 1 + i * 1e-9 : i / 4;
    labels[i] = i % 3 === 0 ? 1 : 0;
    order[i] = (i * 17) % n;
    rowLabels[order[i]] = labels[i];
  }
  const labelled = labelOrder(order, rowLabels);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = i % 5 === 0 ? 0 : 1;
  const vals = new Float64Array(n);
  const ys = new Uint8Array(n);
  // every product beyond 32-bit integers, as on real columns: a product the compiler has only
  // seen small would be compiled as an integer one, and back out (deoptimize) on a real column.
  // Several calls: a function collects type feedback only after its first few calls.
  for (let i = 0; i < 50; i++) giniProxy(60000 + i, 50000, 130000, 110000);
  for (const selection of [null, mask]) {
    let n1 = 0;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const row = order[k];
      const selected = selection === null ? row >= 4 && row <= n - 4 : selection[row] === 1;
      if (selected) {
        m++;
        n1 += labels[k];
      }
    }
    const cdf = filterScan(sorted, labelled, 4, n - 4, selection, m - n1, n1, vals, ys);
    const sizes = { negative: m - n1 + 2, positive: n1 + 1 };
    analyzeNumeric('warm-up', vals, ys, cdf.n, sizes, {}, { n1, cdf });
    analyzeNumeric('warm-up', vals, ys, cdf.n, sizes, { bins: 4 });
    const edges = numericEdges(vals, cdf.n, 21);
    const c0 = new Float64Array(edges.length);
    const c1 = new Float64Array(edges.length);
    for (let i = 0; i < 100; i++) {
      filterScan(sorted, labelled, 4, n - 4, selection, m - n1, n1, vals, ys);
      scanStump(vals, ys, cdf.n, m - n1, n1);
      countBins(vals, ys, cdf.n, edges, c0, c1);
    }
  }
}
warmUp();
