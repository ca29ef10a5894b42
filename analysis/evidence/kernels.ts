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
import type { ObservationRows, Observations } from './observations';
import type { ShiftKernel } from './shifts';

/** A numeric variable as `prepareDistribution` keeps it. */
export interface SortedColumn {
  /** Non-missing values ascending. */
  readonly sorted: Float64Array;
  /** Row of each value of `sorted`. */
  readonly order: Uint32Array;
}

function positiveObservations(observations: Observations): Int32Array {
  const out: number[] = [];
  for (let o = 0; o < observations.count; o++) if (observations.labels[o]) out.push(o);
  return Int32Array.from(out);
}

/**
 * Kernel for a numeric variable: statistic 0 the histogram intersection distance with `edges`
 * (missing values one more bin, as the entry's score), statistic 1 (when `withKs`) the KS
 * statistic on the non-missing values.
 */
export function numericKernel(
  column: SortedColumn,
  observations: Observations,
  grouped: ObservationRows,
  edges: ArrayLike<number>,
  withKs: boolean,
): ShiftKernel {
  const { ofRow, count } = observations;
  const k = edges.length - 1;
  const rows = ofRow.length;
  // the selected non-missing values in ascending order
  let m = 0;
  for (let t = 0; t < column.order.length; t++) if (ofRow[column.order[t]] >= 0) m++;
  const binOfRow = new Uint16Array(rows).fill(k);
  const rankOfRow = new Int32Array(rows);
  /** low[u]: values strictly below a value whose upper rank (values ≤ it) is u. */
  const low = new Int32Array(m + 1);
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
        for (let q = t; q < end; q++) {
          const row = order[q];
          if (ofRow[row] < 0) continue;
          binOfRow[row] = bin;
          rankOfRow[row] = upper;
        }
        position = upper;
      }
      t = end;
    }
  }
  const { start, rows: members } = grouped;
  const size = members.length;
  const bins = new Uint16Array(size);
  const ranks = new Int32Array(size);
  const totals = new Float64Array(k + 1);
  for (let j = 0; j < size; j++) {
    const row = members[j];
    bins[j] = binOfRow[row];
    ranks[j] = rankOfRow[row];
    totals[bins[j]]++;
  }
  const positives = positiveObservations(observations);
  const c1 = new Float64Array(k + 1);
  const buffer = new Int32Array(m);
  const sortedRanks = new Int32Array(m);
  // Buckets of 2^bits ranks, about as many as positive rows: a bucket then holds one or two
  // ranks, counted while they are gathered. Fixed by the positive rows of the data as observed
  // (a shift changes their number little); a shift with more only fills buckets a little more.
  let positiveRows = 0;
  for (const o of positives) positiveRows += start[o + 1] - start[o];
  let bits = 0;
  while (m >>> bits > Math.max(1, positiveRows)) bits++;
  const bucketStart = new Int32Array((m >>> bits) + 2);
  const single = size === count;

  return {
    statistics: withKs ? 2 : 1,
    evaluate(shift: number, out: Float64Array): void {
      c1.fill(0);
      bucketStart.fill(0);
      let n1 = 0;
      if (single) {
        // one row an observation (rows without windows): the observation is the position
        for (let p = 0; p < positives.length; p++) {
          let j = positives[p] - shift;
          if (j < 0) j += count;
          c1[bins[j]]++;
          const u = ranks[j];
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
            c1[bins[j]]++;
            const u = ranks[j];
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
      if (withKs) out[1] = ksOfRanks(buffer, n1, m, bits, bucketStart, sortedRanks, low);
    },
  };
}

/**
 * The two-sample KS statistic from the upper ranks (values ≤ it among all m) of the n1 positive
 * non-missing values in `ranks` (any order), `counts[b + 1]` the ranks in bucket b (ranks >> bits):
 * a bucket sort completed by an insertion sort (elements only move within their bucket), then
 * one pass over the distinct ranks. `low[u]` counts the values strictly below those of rank u.
 */
function ksOfRanks(
  ranks: Int32Array,
  n1: number,
  m: number,
  bits: number,
  counts: Int32Array,
  sorted: Int32Array,
  low: Int32Array,
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
  observations: Observations,
  grouped: ObservationRows,
  withChiSquare: boolean,
): ShiftKernel {
  const { count } = observations;
  const { start, rows: members } = grouped;
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
  const positives = positiveObservations(observations);
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
