/**
 * Split finding on a leaf's histogram (LightGBM's `FindBestThreshold`): for every sampled feature,
 * scan the bins left to right with NaN sent right, then again with NaN sent left, and keep the
 * split of highest gain that leaves enough rows and hessian on both sides.
 */
import type { GbdtParams } from '../params';
import type { HistogramPool } from './histogram';

/** Best split of each leaf: gain over the parent (-Infinity when none) and its left side. */
export class LeafSplits {
  readonly gain: Float64Array;
  readonly feature: Int32Array;
  /** Last bin sent left (the NaN bin aside). */
  readonly bin: Int32Array;
  /** 1 when NaN goes left. */
  readonly defaultLeft: Uint8Array;
  readonly leftGrad: Float64Array;
  readonly leftHess: Float64Array;
  /** Rows sent left, estimated from the hessian (the partition gives the exact count). */
  readonly leftRows: Int32Array;

  constructor(maxLeaves: number) {
    this.gain = new Float64Array(maxLeaves);
    this.feature = new Int32Array(maxLeaves);
    this.bin = new Int32Array(maxLeaves);
    this.defaultLeft = new Uint8Array(maxLeaves);
    this.leftGrad = new Float64Array(maxLeaves);
    this.leftHess = new Float64Array(maxLeaves);
    this.leftRows = new Int32Array(maxLeaves);
  }
}

/** Soft-thresholds a gradient sum by the L1 penalty (plain comparisons: no Math calls in hot loops). */
export function shrinkL1(g: number, l1: number): number {
  return g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
}

/** The gain term of a leaf with gradient and hessian sums g, h (LightGBM's `GetLeafGain`). */
export function leafGain(g: number, h: number, p: GbdtParams): number {
  const t = shrinkL1(g, p.lambda_l1);
  return (t * t) / (h + p.lambda_l2);
}

/** The output of a leaf with gradient and hessian sums g, h (before the learning rate). */
export function leafOutput(g: number, h: number, p: GbdtParams): number {
  return -shrinkL1(g, p.lambda_l1) / (h + p.lambda_l2);
}

/** What a split must gain over its parent's leaf gain: the parent's gain plus `min_gain_to_split`. */
export function splitShift(sumG: number, sumH: number, p: GbdtParams): number {
  return leafGain(sumG, sumH, p) + p.min_gain_to_split;
}

/**
 * Records the best split found for `leaf`: `gain` is its gain over the parent (none unless a
 * feature was found and the gain is positive).
 */
export function recordSplit(
  out: LeafSplits,
  leaf: number,
  gain: number,
  feature: number,
  bin: number,
  defaultLeft: number,
  leftGrad: number,
  leftHess: number,
  leftRows: number,
): void {
  out.gain[leaf] = feature >= 0 && gain > 0 ? gain : Number.NEGATIVE_INFINITY;
  out.feature[leaf] = feature;
  out.bin[leaf] = bin;
  out.defaultLeft[leaf] = defaultLeft;
  out.leftGrad[leaf] = leftGrad;
  out.leftHess[leaf] = leftHess;
  out.leftRows[leaf] = Math.round(leftRows);
}

/**
 * Writes the best split of `leaf` (its histogram in `slot`; totals sumG, sumH over `rows` rows)
 * over the sampled `features` into `out`.
 */
export function findBestSplit(
  histograms: HistogramPool,
  slot: number,
  features: Int32Array,
  missingBin: Int32Array,
  p: GbdtParams,
  sumG: number,
  sumH: number,
  rows: number,
  out: LeafSplits,
  leaf: number,
): void {
  const minData = Math.max(1, p.min_data_in_leaf);
  const minHess = p.min_sum_hessian_in_leaf;
  // Histograms hold no counts: as LightGBM does, a side's row count is estimated from its
  // hessian sum (exact counts come from the partition once a split is made).
  const countPerHess = rows / sumH;
  const l1 = p.lambda_l1;
  const l2 = p.lambda_l2;
  const shift = splitShift(sumG, sumH, p);
  const hg = histograms.grad;
  const hh = histograms.hess;
  const slotBase = slot * histograms.size;
  const binOffset = histograms.binOffset;
  const numBins = histograms.numBins;
  let bestGain = Number.NEGATIVE_INFINITY;
  let bestFeature = -1;
  let bestBin = 0;
  let bestDefaultLeft = 0;
  let bestG = 0;
  let bestH = 0;
  let bestC = 0;
  for (let q = 0; q < features.length; q++) {
    const f = features[q];
    const base = slotBase + binOffset[f];
    const missing = missingBin[f];
    const valueBins = missing >= 0 ? numBins[f] - 1 : numBins[f];
    // Scan 1: NaN (if any) goes right; with a NaN bin, "all values left, NaN right" is a candidate.
    let gl = 0;
    let hl = 0;
    let cl = 0;
    const last = missing >= 0 ? valueBins - 1 : valueBins - 2;
    for (let t = 0; t <= last; t++) {
      const o = base + t;
      if (hh[o] === 0 && hg[o] === 0) continue; // an empty bin repeats the previous candidate
      gl += hg[o];
      hl += hh[o];
      cl = (hl * countPerHess + 0.5) | 0;
      if (cl < minData || hl < minHess) continue;
      const cr = rows - cl;
      const hr = sumH - hl;
      if (cr < minData || hr < minHess) break;
      const tl = gl > l1 ? gl - l1 : gl < -l1 ? gl + l1 : 0;
      const gr = sumG - gl;
      const tr = gr > l1 ? gr - l1 : gr < -l1 ? gr + l1 : 0;
      const gain = (tl * tl) / (hl + l2) + (tr * tr) / (hr + l2);
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = t;
        // Without NaN in the training data, unseen NaN follows the larger side.
        bestDefaultLeft = missing < 0 && cl >= cr ? 1 : 0;
        bestG = gl;
        bestH = hl;
        bestC = cl;
      }
    }
    // Scan 2: NaN goes left (only when this leaf has NaN rows for the feature).
    if (missing >= 0 && hh[base + missing] > 0) {
      const m = base + missing;
      gl = hg[m];
      hl = hh[m];
      for (let t = 0; t <= valueBins - 2; t++) {
        const o = base + t;
        if (hh[o] === 0 && hg[o] === 0) continue;
        gl += hg[o];
        hl += hh[o];
        cl = (hl * countPerHess + 0.5) | 0;
        if (cl < minData || hl < minHess) continue;
        const cr = rows - cl;
        const hr = sumH - hl;
        if (cr < minData || hr < minHess) break;
        const tl = gl > l1 ? gl - l1 : gl < -l1 ? gl + l1 : 0;
        const gr = sumG - gl;
        const tr = gr > l1 ? gr - l1 : gr < -l1 ? gr + l1 : 0;
        const gain = (tl * tl) / (hl + l2) + (tr * tr) / (hr + l2);
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = t;
          bestDefaultLeft = 1;
          bestG = gl;
          bestH = hl;
          bestC = cl;
        }
      }
    }
  }
  recordSplit(out, leaf, bestGain - shift, bestFeature, bestBin, bestDefaultLeft, bestG, bestH, bestC);
}
