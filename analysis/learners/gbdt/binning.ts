/**
 * Features bucketed once into small integer bins, as LightGBM's bin mappers do: boundaries from
 * the distinct values of a seeded row sample, a separate last bin for NaN. A `BinnedDataset` is
 * built once per feature matrix and shared by every training run of a search, which then only
 * touches bin codes (one byte per value for up to 256 bins).
 *
 * Bin `b` of feature `j` holds values `v` with `upperBounds[j][b-1] < v <= upperBounds[j][b]`;
 * the last value bin's upper bound is +Infinity. So a split "bins 0..b left" is exactly the raw
 * rule `x <= upperBounds[j][b]`, and a model trained on bins predicts on raw values.
 */
import { radixSortFloat64 } from '../../distribution/sort';
import { InvalidInputError } from '../../errors';
import type { FeatureMatrix } from '../../frame';
import { createRng } from '../../random';
import { resolveGbdtParams } from '../params';

export interface BinnedDataset {
  readonly featureNames: readonly string[];
  readonly rows: number;
  /** Per feature: upper bound of each value bin (ascending, last = +Infinity). */
  readonly upperBounds: readonly Float64Array[];
  /** Per feature: number of bins, the NaN bin included. */
  readonly numBins: Int32Array;
  /** Per feature: index of the NaN bin (the last one), or -1 when the column has no NaN. */
  readonly missingBin: Int32Array;
  /**
   * Per feature: bin code of every row, column-major (training also keeps a row-major copy of the
   * one-byte features, see `train.ts`, for its histogram passes).
   */
  readonly bins: readonly (Uint8Array | Uint16Array)[];
}

export interface BinningOptions {
  /** LightGBM's `max_bin`, `min_data_in_bin`, `bin_construct_sample_cnt`, `seed` (others ignored). */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Bins every column of `features` (the expensive step: do it once, reuse for every trial). */
export function binDataset(features: FeatureMatrix, options: BinningOptions = {}): BinnedDataset {
  const p = resolveGbdtParams(pickDatasetParams(options.params ?? {}));
  const n = features.rows;
  if (n === 0) throw new InvalidInputError({ where: 'features', message: 'no rows to train on' });
  if (features.columns.length === 0)
    throw new InvalidInputError({ where: 'features', message: 'no features' });
  const sample = sampleRows(n, p.bin_construct_sample_cnt, p.seed);
  const upperBounds: Float64Array[] = [];
  const numBins = new Int32Array(features.columns.length);
  const missingBin = new Int32Array(features.columns.length);
  const bins: (Uint8Array | Uint16Array)[] = [];
  features.columns.forEach((column, j) => {
    const hasMissing = hasNaN(column);
    const bounds = findBinBounds(column, sample, hasMissing ? p.max_bin - 1 : p.max_bin, p.min_data_in_bin);
    upperBounds.push(bounds);
    numBins[j] = bounds.length + (hasMissing ? 1 : 0);
    missingBin[j] = hasMissing ? bounds.length : -1;
    bins.push(binColumn(column, bounds, numBins[j]));
  });
  return { featureNames: [...features.names], rows: n, upperBounds, numBins, missingBin, bins };
}

function pickDatasetParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keep = ['max_bin', 'max_bins', 'min_data_in_bin', 'bin_construct_sample_cnt', 'subsample_for_bin'];
  const seedKeys = ['seed', 'random_seed', 'random_state'];
  const out: Record<string, unknown> = {};
  for (const k of [...keep, ...seedKeys]) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

function hasNaN(column: Float64Array): boolean {
  for (let i = 0; i < column.length; i++) if (Number.isNaN(column[i])) return true;
  return false;
}

/** Row indices used to choose boundaries: all rows, or a seeded sample of `count` rows. */
function sampleRows(n: number, count: number, seed: number): Uint32Array | null {
  if (n <= count) return null;
  // Selection sampling (Knuth's algorithm S): sorted, without replacement, one pass.
  const rng = createRng(seed ^ 0x5bd1e995);
  const out = new Uint32Array(count);
  let need = count;
  for (let i = 0, k = 0; i < n && need > 0; i++) {
    if (rng.next() * (n - i) < need) {
      out[k++] = i;
      need--;
    }
  }
  return out;
}

/**
 * Upper bounds of the value bins, in the way of LightGBM's greedy bin finder: with few distinct
 * values every value gets its own bin (bounds halfway between neighbours); otherwise values
 * holding more than a bin's share keep their own bin and the rest are packed in bins of about
 * equal counts.
 */
export function findBinBounds(
  column: Float64Array,
  sample: Uint32Array | null,
  maxBins: number,
  minDataInBin: number,
): Float64Array {
  const m = sample ? sample.length : column.length;
  const values = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < m; i++) {
    const v = sample ? column[sample[i]] : column[i];
    if (!Number.isNaN(v)) values[k++] = v;
  }
  const sorted = values.subarray(0, k);
  radixSortFloat64(sorted); // the same order as the engine's sort, in about 40% of its time
  if (k === 0) return Float64Array.of(Number.POSITIVE_INFINITY);
  // Typed arrays, not growing JS arrays: this runs over every sampled value of every feature.
  const distinct = new Float64Array(k);
  const counts = new Int32Array(k);
  let d = 0;
  for (let i = 0; i < k; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct[d] = sorted[i];
      counts[d++] = 1;
    } else counts[d - 1]++;
  }
  const bounds: number[] = [];
  if (d <= maxBins) {
    let inBin = 0;
    for (let i = 0; i < d - 1; i++) {
      inBin += counts[i];
      if (inBin >= minDataInBin) {
        bounds.push(midpoint(distinct[i], distinct[i + 1]));
        inBin = 0;
      }
    }
  } else {
    let meanBinSize = k / maxBins;
    let restBins = maxBins;
    let restCount = k;
    const big = new Uint8Array(d);
    for (let i = 0; i < d; i++) {
      if (counts[i] >= meanBinSize) {
        big[i] = 1;
        restBins--;
        restCount -= counts[i];
      }
    }
    meanBinSize = restBins > 0 ? restCount / restBins : Number.POSITIVE_INFINITY;
    let inBin = 0;
    for (let i = 0; i < d - 1; i++) {
      if (!big[i]) restCount -= counts[i];
      inBin += counts[i];
      const cut =
        big[i] === 1 || inBin >= meanBinSize || (big[i + 1] === 1 && inBin >= Math.max(1, meanBinSize * 0.5));
      if (cut && inBin >= minDataInBin) {
        bounds.push(midpoint(distinct[i], distinct[i + 1]));
        if (bounds.length >= maxBins - 1) break;
        inBin = 0;
        if (!big[i]) {
          restBins--;
          meanBinSize = restBins > 0 ? restCount / restBins : Number.POSITIVE_INFINITY;
        }
      }
    }
  }
  bounds.push(Number.POSITIVE_INFINITY);
  return Float64Array.from(bounds);
}

/** Halfway between two neighbouring values, never equal to the upper one (so it stays right). */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m < b ? m : a;
}

/**
 * Bin of one raw value: the first bin whose upper bound is >= v; NaN to the missing bin (for a
 * feature that had no NaN, the bin of 0, LightGBM's convention; trees send such NaN by their
 * `defaultLeft` instead).
 */
export function binOf(bounds: Float64Array, v: number, missingBin: number): number {
  if (Number.isNaN(v)) return missingBin >= 0 ? missingBin : binOf(bounds, 0, -1);
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= bounds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Cells of the lookup table of `binColumn` per value bin (more cells, shorter walks). */
const CELLS_PER_BIN = 16;

function binColumn(column: Float64Array, bounds: Float64Array, numBins: number): Uint8Array | Uint16Array {
  const out = numBins <= 256 ? new Uint8Array(column.length) : new Uint16Array(column.length);
  const missing = numBins > bounds.length ? bounds.length : -1;
  const last = bounds.length - 1;
  if (last < 2) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      out[i] = Number.isNaN(v) ? missing : v <= bounds[0] ? 0 : last;
    }
    return out;
  }
  // A binary search per value mispredicts about half its branches. Instead a table over equal
  // cells of the finite bounds' range gives a starting bin, and a short walk ends at the exact
  // bin (the first whose upper bound is >= v) whatever the start, so rounding cannot misplace v.
  const lo = bounds[0];
  const cells = CELLS_PER_BIN * bounds.length;
  const scale = cells / (bounds[last - 1] - lo);
  const start = new Int32Array(cells + 1);
  for (let c = 0, b = 0; c <= cells; c++) {
    const edge = lo + c / scale;
    while (b < last && bounds[b] < edge) b++;
    start[c] = b;
  }
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (Number.isNaN(v)) {
      out[i] = missing;
      continue;
    }
    const x = (v - lo) * scale;
    let b = x <= 0 ? 0 : x >= cells ? start[cells] : start[x | 0];
    while (bounds[b] < v) b++;
    while (b > 0 && bounds[b - 1] >= v) b--;
    out[i] = b;
  }
  return out;
}

/**
 * `binned` with at most `maxBin` bins a feature (the NaN bin included, as `binDataset` counts):
 * each run of `g` neighbouring value bins merged into one, `g` the smallest that fits. The
 * bounds are a subset of `binned`'s, so a tree on the coarser bins splits on the same grid,
 * only with fewer places; a feature that fits already keeps its arrays. Cheaper than binning
 * again: one lookup a value.
 */
export function coarserBins(binned: BinnedDataset, maxBin: number): BinnedDataset {
  if (!(Number.isInteger(maxBin) && maxBin >= 2)) throw new RangeError(`coarserBins: max_bin ${maxBin}`);
  const upperBounds: Float64Array[] = [];
  const numBins = Int32Array.from(binned.numBins);
  const missingBin = Int32Array.from(binned.missingBin);
  const bins = binned.bins.map((codes, j) => {
    const bounds = binned.upperBounds[j];
    const values = bounds.length;
    const missing = binned.missingBin[j] >= 0;
    const room = missing ? maxBin - 1 : maxBin;
    if (values <= room) {
      upperBounds.push(bounds);
      return codes;
    }
    const group = Math.ceil(values / room);
    const kept = Math.ceil(values / group);
    // the last bound of every group; the last group's is +Infinity, as it must be
    upperBounds.push(
      Float64Array.from({ length: kept }, (_, b) => bounds[Math.min(values - 1, (b + 1) * group - 1)]),
    );
    numBins[j] = kept + (missing ? 1 : 0);
    missingBin[j] = missing ? kept : -1;
    const map = new Uint16Array(binned.numBins[j]);
    for (let c = 0; c < values; c++) map[c] = Math.floor(c / group);
    if (missing) map[binned.missingBin[j]] = kept;
    const out = numBins[j] <= 256 ? new Uint8Array(codes.length) : new Uint16Array(codes.length);
    for (let i = 0; i < codes.length; i++) out[i] = map[codes[i]];
    return out;
  });
  return { featureNames: binned.featureNames, rows: binned.rows, upperBounds, numBins, missingBin, bins };
}
