/**
 * The statistics of one variable recomputed with the labels rotated, at the cost of the positive
 * rows only. Everything that does not depend on the labels is done once: each row's histogram
 * bin (the entry's own edges: the pooled values do not change under a rotation, so neither do
 * the edges) and its rank among the values; the rows are grouped by observation. A rotation by s
 * makes observation o positive when o + s was, so the positive rows of a shift are the rows of
 * the shifted positive observations: their bins are counted (the histogram intersection, i.e.
 * the entry's `score`), and their ranks sorted by a bucket sort (the exact two-sample KS
 * statistic, ties as `scipy.stats.ks_2samp`). For categories: their counts (total variation,
 * the score) and the chi-square statistic.
 */
import { chiSquareContingency } from '../distribution/chi2';
import { type ObservationRows, type Observations, rowsByObservation } from './observations';
import type { ShiftKernel } from './shifts';

/** A numeric variable as `prepareDistribution` keeps it. */
export interface SortedColumn {
  /** Non-missing values ascending. */
  readonly sorted: Float64Array;
  /** Row of each value of `sorted`. */
  readonly order: Uint32Array;
}

/** What every variable's kernel shares: the observations, their rows, the positive ones. */
export interface ShiftContext {
  readonly observations: Observations;
  readonly grouped: ObservationRows;
  /** The positive observations. */
  readonly positives: Int32Array;
  /** Every row is selected and is its own observation: positions are rows. */
  readonly identity: boolean;
}

export function shiftContext(observations: Observations): ShiftContext {
  const grouped = rowsByObservation(observations);
  const positives: number[] = [];
  for (let o = 0; o < observations.count; o++) if (observations.labels[o]) positives.push(o);
  const rows = observations.ofRow.length;
  let identity = observations.count === rows;
  for (let i = 0; identity && i < rows; i++) identity = observations.ofRow[i] === i;
  return { observations, grouped, positives: Int32Array.from(positives), identity };
}

/**
 * Kernel for a numeric variable: statistic 0 the histogram intersection distance with `edges`
 * (missing values one more bin, as the entry's score), statistic 1 (when `withKs`) the KS
 * statistic on the non-missing values.
 */
export function numericKernel(
  column: SortedColumn,
  context: ShiftContext,
  edges: ArrayLike<number>,
  withKs: boolean,
): ShiftKernel {
  const { observations, grouped, positives, identity } = context;
  const { ofRow, count } = observations;
  const k = edges.length - 1;
  const rows = ofRow.length;
  const { start, rows: members } = grouped;
  const size = members.length;
  // Bin and upper rank (values ≤ it) of each row, then by position in the observations' order
  // (the same array when rows are the observations).
  const bins = new Uint16Array(rows).fill(k);
  const ranks = new Int32Array(rows);
  let m = 0;
  for (let t = 0; t < column.order.length; t++) if (ofRow[column.order[t]] >= 0) m++;
  /** low[u]: values strictly below a value of upper rank u (u − 1 without ties). */
  const low = new Int32Array(m + 1);
  let ties = false;
  {
    let bin = 0;
    let t = 0;
    const order = column.order;
    const sorted = column.sorted;
    const n = order.length;
    let position = 0;
    while (t < n) {
      // a group of equal values: its selected rows get the same rank
      let end = t + 1;
      while (end < n && sorted[end] === sorted[t]) end++;
      let selected = 0;
      for (let q = t; q < end; q++) if (ofRow[order[q]] >= 0) selected++;
      if (selected > 0) {
        const v = sorted[t];
        while (bin < k - 1 && v >= edges[bin + 1]) bin++;
        const upper = position + selected;
        low[upper] = position;
        if (selected > 1) ties = true;
        for (let q = t; q < end; q++) {
          const row = order[q];
          if (ofRow[row] < 0) continue;
          bins[row] = bin;
          ranks[row] = upper;
        }
        position = upper;
      }
      t = end;
    }
  }
  const binAt = identity ? bins : Uint16Array.from(members, (row) => bins[row]);
  const rankAt = identity ? ranks : Int32Array.from(members, (row) => ranks[row]);
  const totals = new Float64Array(k + 1);
  for (let j = 0; j < size; j++) totals[binAt[j]]++;
  const c1 = new Int32Array(k + 1);
  const buffer = new Int32Array(m);
  const sortedRanks = new Int32Array(m);
  // Buckets of 2^bits ranks, about one for every two positive rows, counted while the ranks are
  // gathered. Fixed by the positive rows as observed (a shift changes their number little).
  let positiveRows = 0;
  for (const o of positives) positiveRows += start[o + 1] - start[o];
  let bits = 0;
  while (m >>> bits > Math.max(1, positiveRows >> 1)) bits++;
  const bucketStart = new Int32Array((m >>> bits) + 2);
  const single = size === count;

  return {
    statistics: withKs ? 2 : 1,
    evaluate(shift: number, out: Float64Array): void {
      c1.fill(0);
      bucketStart.fill(0);
      let n1 = 0;
      if (single) {
        // one row an observation: the observation is the position
        for (let p = 0; p < positives.length; p++) {
          let j = positives[p] - shift;
          if (j < 0) j += count;
          c1[binAt[j]]++;
          const u = rankAt[j];
          if (u > 0) {
            buffer[n1++] = u;
            bucketStart[(u >>> bits) + 1]++;
          }
        }
      } else {
        for (let p = 0; p < positives.length; p++) {
          let o = positives[p] - shift;
          if (o < 0) o += count;
          const to = start[o + 1];
          for (let j = start[o]; j < to; j++) {
            c1[binAt[j]]++;
            const u = rankAt[j];
            if (u > 0) {
              buffer[n1++] = u;
              bucketStart[(u >>> bits) + 1]++;
            }
          }
        }
      }
      let rowsIn = 0;
      for (let b = 0; b <= k; b++) rowsIn += c1[b];
      const rowsOut = size - rowsIn;
      // as intersectionDistance on the shares, in the same order of operations
      let overlap = 0;
      for (let b = 0; b <= k; b++) overlap += Math.min(c1[b] / rowsIn, (totals[b] - c1[b]) / rowsOut);
      out[0] = Math.max(0, 1 - overlap);
      if (withKs) out[1] = ksOfRanks(buffer, n1, m, bits, bucketStart, sortedRanks, ties ? low : null);
    },
  };
}

/**
 * The two-sample KS statistic from the upper ranks (values ≤ it among all m) of the n1 positive
 * non-missing values in `ranks` (any order), `counts[b + 1]` the ranks in bucket b (ranks >> bits):
 * a bucket sort completed by an insertion sort (elements only move within their bucket), then
 * one pass over the distinct ranks. `low[u]` counts the values strictly below those of rank u
 * (null without ties: u − 1).
 */
function ksOfRanks(
  ranks: Int32Array,
  n1: number,
  m: number,
  bits: number,
  counts: Int32Array,
  sorted: Int32Array,
  low: Int32Array | null,
): number {
  const n0 = m - n1;
  if (n1 === 0 || n0 === 0) return 0;
  const buckets = counts.length - 1;
  for (let b = 0; b < buckets; b++) counts[b + 1] += counts[b];
  for (let i = 0; i < n1; i++) {
    const u = ranks[i];
    sorted[counts[u >>> bits]++] = u;
  }
  for (let i = 1; i < n1; i++) {
    const v = sorted[i];
    let j = i - 1;
    while (j >= 0 && sorted[j] > v) {
      sorted[j + 1] = sorted[j];
      j--;
    }
    sorted[j + 1] = v;
  }
  const inv0 = 1 / n0;
  const inv1 = 1 / n1;
  let best = 0;
  if (low === null) {
    // no ties: each rank one value, one positive; F0 − F1 peaks just below it, F1 − F0 just above
    for (let i = 0; i < n1; i++) {
      const u = sorted[i];
      const below = (u - 1 - i) * inv0 - i * inv1;
      if (below > best) best = below;
      const above = (i + 1) * inv1 - (u - 1 - i) * inv0;
      if (above > best) best = above;
    }
    return best;
  }
  let before = 0; // positives below the current value
  let i = 0;
  while (i < n1) {
    const u = sorted[i];
    let j = i + 1;
    while (j < n1 && sorted[j] === u) j++;
    // just below this value: F0 − F1 is largest there between two values positives hold
    const below = (low[u] - before) * inv0 - before * inv1;
    if (below > best) best = below;
    before += j - i;
    // just above it: F1 − F0 (and F0 − F1 when the value is mostly negatives)
    const above = before * inv1 - (u - before) * inv0;
    if (above > best) best = above;
    if (-above > best) best = -above;
    i = j;
  }
  return best;
}

/**
 * Kernel for a categorical variable (codes per row, −1 missing, which is one more category):
 * statistic 0 the total variation distance between the category shares (the entry's score),
 * statistic 1 (when `withChiSquare`) the chi-square statistic of the categories × populations
 * table, as the entry's test.
 */
export function categoricalKernel(
  codes: Int32Array,
  levels: number,
  context: ShiftContext,
  withChiSquare: boolean,
): ShiftKernel {
  const { count } = context.observations;
  const { start, rows: members } = context.grouped;
  const positives = context.positives;
  const size = members.length;
  const categories = new Int32Array(size);
  const totals = new Float64Array(levels + 1);
  for (let j = 0; j < size; j++) {
    const c = codes[members[j]];
    categories[j] = c < 0 ? levels : c;
    totals[categories[j]]++;
  }
  // categories present, in the entry's order (levels, then missing)
  const present: number[] = [];
  for (let c = 0; c <= levels; c++) if (totals[c] > 0) present.push(c);
  const c1 = new Float64Array(levels + 1);
  return {
    statistics: withChiSquare ? 2 : 1,
    evaluate(shift: number, out: Float64Array): void {
      c1.fill(0);
      for (let p = 0; p < positives.length; p++) {
        let o = positives[p] - shift;
        if (o < 0) o += count;
        const to = start[o + 1];
        for (let j = start[o]; j < to; j++) c1[categories[j]]++;
      }
      let n1 = 0;
      for (const c of present) n1 += c1[c];
      const n0 = size - n1;
      let s = 0;
      for (const c of present) s += Math.abs(c1[c] / n1 - (totals[c] - c1[c]) / n0);
      out[0] = s / 2;
      if (withChiSquare)
        out[1] = chiSquareContingency(present.map((c) => [totals[c] - c1[c], c1[c]])).statistic;
    },
  };
}
