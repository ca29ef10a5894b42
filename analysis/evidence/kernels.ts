/**
 * The statistics of one variable recomputed with the labels rotated, at the cost of the positive
 * rows only. Everything that does not depend on the labels is done once: each row's histogram
 * bin (the entry's own edges: the pooled values do not change under a rotation, so neither do
 * the edges) and its rank among the values; the rows are grouped by observation. A rotation by s
 * makes observation o positive when o + s was, so the positive rows of a shift are the rows of
 * the shifted positive observations: their bins are counted (the histogram intersection, i.e.
 * the entry's `score`), and their positions in value order marked in a bitset read back word by
 * word, which gives them sorted without a sort (the exact two-sample KS statistic, ties as
 * `scipy.stats.ks_2samp`). For categories: their counts (total variation, the score) and the
 * chi-square statistic.
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
  // Bin and slot of each row (its position among the selected non-missing values, from 1; 0 for
  // missing), then by position in the observations' order (the same array when rows are the
  // observations). With ties, each slot's upper rank (values ≤ it) and values below it.
  const bins = new Uint16Array(rows).fill(k);
  const slots = new Int32Array(rows);
  let m = 0;
  for (let t = 0; t < column.order.length; t++) if (ofRow[column.order[t]] >= 0) m++;
  const upperOf = new Int32Array(m + 1);
  const lowOf = new Int32Array(m + 1);
  let ties = false;
  {
    let bin = 0;
    let t = 0;
    const order = column.order;
    const sorted = column.sorted;
    const n = order.length;
    let position = 0;
    while (t < n) {
      // a group of equal values: its selected rows share their upper rank
      let end = t + 1;
      while (end < n && sorted[end] === sorted[t]) end++;
      let selected = 0;
      for (let q = t; q < end; q++) if (ofRow[order[q]] >= 0) selected++;
      if (selected > 0) {
        const v = sorted[t];
        while (bin < k - 1 && v >= edges[bin + 1]) bin++;
        const upper = position + selected;
        if (selected > 1) ties = true;
        for (let q = t; q < end; q++) {
          const row = order[q];
          if (ofRow[row] < 0) continue;
          bins[row] = bin;
          slots[row] = ++position;
          upperOf[position] = upper;
          lowOf[position] = upper - selected;
        }
      }
      t = end;
    }
  }
  const binAt = identity ? bins : Uint16Array.from(members, (row) => bins[row]);
  const slotAt = identity ? slots : Int32Array.from(members, (row) => slots[row]);
  const totals = new Float64Array(k + 1);
  for (let j = 0; j < size; j++) totals[binAt[j]]++;
  const c1 = new Int32Array(k + 1);
  // The positive rows' slots as bits: read back word by word, they come out in value order,
  // so no sort is needed for the KS statistic.
  const marks = new Int32Array((m >>> 5) + 1);
  const ks = withKs ? (ties ? tiedKs(marks, m, upperOf, lowOf) : distinctKs(marks, m)) : null;
  const single = size === count;

  return {
    statistics: withKs ? 2 : 1,
    evaluate(shift: number, out: Float64Array): void {
      c1.fill(0);
      let n1 = 0;
      if (single) {
        // one row an observation: the observation is the position
        for (let p = 0; p < positives.length; p++) {
          let j = positives[p] - shift;
          if (j < 0) j += count;
          c1[binAt[j]]++;
          const q = slotAt[j];
          if (q > 0) {
            marks[q >>> 5] |= 1 << (q & 31);
            n1++;
          }
        }
      } else {
        for (let p = 0; p < positives.length; p++) {
          let o = positives[p] - shift;
          if (o < 0) o += count;
          const to = start[o + 1];
          for (let j = start[o]; j < to; j++) {
            c1[binAt[j]]++;
            const q = slotAt[j];
            if (q > 0) {
              marks[q >>> 5] |= 1 << (q & 31);
              n1++;
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
      if (ks !== null) out[1] = ks(n1);
    },
  };
}

/**
 * The two-sample KS statistic of the n1 positive values marked in `marks` (bit q: the value of
 * slot q, all m values distinct) against the others; reads and clears the marks. F0 − F1 peaks
 * just below a positive value, F1 − F0 just above one.
 */
function distinctKs(marks: Int32Array, m: number): (n1: number) => number {
  return (n1) => {
    const n0 = m - n1;
    const inv0 = n0 > 0 ? 1 / n0 : 0;
    const inv1 = n1 > 0 ? 1 / n1 : 0;
    let best = 0;
    let before = 0; // positives below the current value
    for (let w = 0; w < marks.length; w++) {
      let x = marks[w];
      if (x === 0) continue;
      marks[w] = 0;
      const base = w << 5;
      while (x !== 0) {
        const lowest = x & -x;
        const q = base | (31 - Math.clz32(lowest));
        // q values up to this one, q − 1 below it
        const below = (q - 1 - before) * inv0 - before * inv1;
        if (below > best) best = below;
        before++;
        const above = before * inv1 - (q - before) * inv0;
        if (above > best) best = above;
        x ^= lowest;
      }
    }
    return n1 > 0 && n0 > 0 ? best : 0;
  };
}

/**
 * The same with ties (as `scipy.stats.ks_2samp`): slots of equal values share their upper rank
 * `upperOf[q]` (values ≤ it) and `lowOf[q]` (values below it), and the CDFs are compared below
 * and above each value positives hold.
 */
function tiedKs(
  marks: Int32Array,
  m: number,
  upperOf: Int32Array,
  lowOf: Int32Array,
): (n1: number) => number {
  return (n1) => {
    const n0 = m - n1;
    const inv0 = n0 > 0 ? 1 / n0 : 0;
    const inv1 = n1 > 0 ? 1 / n1 : 0;
    let best = 0;
    let before = 0; // positives below the current value
    let upper = -1; // the current value's upper rank
    let group = 0; // its positives
    const close = () => {
      const below = (lowOf[upper] - before) * inv0 - before * inv1;
      if (below > best) best = below;
      before += group;
      // above it: F1 − F0, and F0 − F1 when the value is mostly negatives
      const above = before * inv1 - (upperOf[upper] - before) * inv0;
      if (above > best) best = above;
      if (-above > best) best = -above;
    };
    for (let w = 0; w < marks.length; w++) {
      let x = marks[w];
      if (x === 0) continue;
      marks[w] = 0;
      const base = w << 5;
      while (x !== 0) {
        const lowest = x & -x;
        const q = base | (31 - Math.clz32(lowest));
        if (upper < 0 || upperOf[q] !== upperOf[upper]) {
          if (upper >= 0) close();
          upper = q;
          group = 0;
        }
        group++;
        x ^= lowest;
      }
    }
    if (upper >= 0) close();
    return n1 > 0 && n0 > 0 ? best : 0;
  };
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
