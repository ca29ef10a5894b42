/**
 * Per-leaf histograms of (gradient, hessian) sums over the bins of every feature, LightGBM's
 * histogram pool: one slot per leaf, the smaller child's histogram built from its rows and the
 * larger child's obtained by subtraction from the parent. `build` chooses the kernel for each
 * sampled feature (`histogram-kernels.ts`): row-major groups of eight one-byte features where at
 * least four are sampled, else several columns per pass, else one.
 */
import type { BinnedDataset } from './binning';
import {
  accumulate4Features,
  accumulate8,
  accumulate8Features,
  accumulate16,
  accumulateRowGroup,
  accumulateRun8,
  accumulateRun16,
  ROW_BLOCK,
  touchRows,
} from './histogram-kernels';
import type { DataPartition } from './partition';
import { rowMajorLayout } from './row-major';

export class HistogramPool {
  /**
   * Gradient and hessian sums of histogram slot s, feature f, bin b at `s × size +
   * binOffset[f] + b`, in two arrays: the histogram kernels run about 20% faster than on one
   * interleaved array (one index per update instead of two).
   */
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** Entries of one slot: every feature's bins, then 256 junk entries. */
  readonly size: number;
  /** First entry of each feature in a slot. */
  readonly binOffset: Int32Array;
  readonly numBins: Int32Array;
  private readonly bins: readonly (Uint8Array | Uint16Array)[];
  private readonly junk: number;
  /** The one-byte feature groups stored row-major (see `row-major.ts`). */
  private readonly rowMajor: Uint8Array;
  private readonly rowStride: number;
  private readonly groupOffset: Int32Array;
  /** Scratch per histogram: the stored groups with at least four sampled features. */
  private readonly activeGroups: Int32Array;
  /** Scratch per histogram: histogram base of each of the eight bytes of each active group. */
  private readonly activeBases: Int32Array;
  /** Sampled features not covered by an active group (scratch, per histogram). */
  private readonly looseFeatures: Int32Array;
  /** Sum of the bytes read by `touchRows`, kept so the reads are not optimized away. */
  private touched = 0;

  constructor(data: BinnedDataset, slots: number) {
    this.bins = data.bins;
    this.numBins = data.numBins;
    const f = data.numBins.length;
    this.binOffset = new Int32Array(f);
    let total = 0;
    for (let j = 0; j < f; j++) {
      this.binOffset[j] = total;
      total += data.numBins[j];
    }
    // 256 slots past the features' bins take the updates of group members that are not sampled
    // (and of the padding of a last group with fewer than eight features); never read.
    this.junk = total;
    this.size = total + 256;
    this.grad = new Float64Array(slots * this.size);
    this.hess = new Float64Array(slots * this.size);
    const layout = rowMajorLayout(data);
    this.rowMajor = layout.bytes;
    this.rowStride = layout.stride;
    this.groupOffset = layout.groupOffset;
    this.activeGroups = new Int32Array(layout.groupOffset.length);
    this.activeBases = new Int32Array(8 * layout.groupOffset.length);
    this.looseFeatures = new Int32Array(f);
  }

  /** Histogram of `leaf`'s rows over the `sampled` features (ascending) into slot `slot`. */
  build(slot: number, sampled: Int32Array, rows: DataPartition, leaf: number): void {
    const start = rows.leafStart[leaf];
    const count = rows.leafRows[leaf];
    const index = rows.index;
    // Rows first..first+count-1 in order (the root without bagging): read bins directly, no
    // gather through the index.
    const first = index[start];
    const contiguous = count > 0 && index[start + count - 1] === first + count - 1;
    const gs = rows.orderedGrad.subarray(start, start + count);
    const hs = rows.orderedHess.subarray(start, start + count);
    const hg = this.grad;
    const hh = this.hess;
    const slotBase = slot * this.size;
    const bins = this.bins;
    const offset = this.binOffset;
    for (let q = 0; q < sampled.length; q++) {
      const base = slotBase + offset[sampled[q]];
      hg.fill(0, base, base + this.numBins[sampled[q]]);
      hh.fill(0, base, base + this.numBins[sampled[q]]);
    }
    // Stored groups with at least four sampled features go through the row-major kernel, the
    // other members' updates sent to the junk slots (sampled features are in ascending order).
    let loose = 0;
    let active = 0;
    const looseFeatures = this.looseFeatures;
    const activeGroups = this.activeGroups;
    const bases = this.activeBases;
    const junk = slotBase + this.junk;
    for (let q = 0; q < sampled.length; ) {
      const g = sampled[q] >> 3;
      let end = q + 1;
      while (end < sampled.length && sampled[end] >> 3 === g) end++;
      if (end - q >= 4 && this.groupOffset[g] >= 0) {
        bases.fill(junk, 8 * active, 8 * active + 8);
        for (; q < end; q++) bases[8 * active + (sampled[q] & 7)] = slotBase + offset[sampled[q]];
        activeGroups[active++] = g;
      } else for (; q < end; q++) looseFeatures[loose++] = sampled[q];
    }
    // Rows in blocks, every group over a block before the next: the block's rows are read from
    // memory once (then from cache for the other groups) while one group's histogram stays in L1.
    const block = ROW_BLOCK;
    for (let from = 0; from < count; from += block) {
      const to = Math.min(from + block, count);
      if (!contiguous && active > 0)
        this.touched += touchRows(this.rowMajor, this.rowStride, index, start, from, to);
      for (let a = 0; a < active; a++) {
        const b = (u: number) => bases[8 * a + u];
        accumulateRowGroup(
          hg,
          hh,
          b(0),
          b(1),
          b(2),
          b(3),
          b(4),
          b(5),
          b(6),
          b(7),
          this.rowMajor,
          this.rowStride,
          this.groupOffset[activeGroups[a]],
          index,
          start,
          from,
          to,
          gs,
          hs,
          contiguous,
        );
      }
    }
    // Several one-byte features per pass over the rows: the row index and its gradients are
    // loaded once for eight (or four) histogram updates, about twice as fast as one per pass.
    let q = 0;
    for (const group of [8, 4]) {
      for (; q + group <= loose; q += group) {
        let bytes = true;
        for (let u = 0; u < group; u++) bytes &&= bins[looseFeatures[q + u]] instanceof Uint8Array;
        if (!bytes) break;
        const c = (u: number) => bins[looseFeatures[q + u]] as Uint8Array;
        const o = (u: number) => slotBase + offset[looseFeatures[q + u]];
        if (group === 8) {
          accumulate8Features(
            hg,
            hh,
            o(0),
            c(0),
            o(1),
            c(1),
            o(2),
            c(2),
            o(3),
            c(3),
            o(4),
            c(4),
            o(5),
            c(5),
            o(6),
            c(6),
            o(7),
            c(7),
            index,
            start,
            count,
            gs,
            hs,
            contiguous,
          );
        } else {
          accumulate4Features(
            hg,
            hh,
            o(0),
            c(0),
            o(1),
            c(1),
            o(2),
            c(2),
            o(3),
            c(3),
            index,
            start,
            count,
            gs,
            hs,
            contiguous,
          );
        }
      }
    }
    for (; q < loose; q++) {
      const f = looseFeatures[q];
      const base = slotBase + offset[f];
      const col = bins[f];
      if (contiguous) {
        if (col instanceof Uint8Array) accumulateRun8(hg, hh, base, col, first, count, gs, hs);
        else accumulateRun16(hg, hh, base, col as Uint16Array, first, count, gs, hs);
      } else if (col instanceof Uint8Array) accumulate8(hg, hh, base, col, index, start, count, gs, hs);
      else accumulate16(hg, hh, base, col as Uint16Array, index, start, count, gs, hs);
    }
  }

  /** `slot` -= `smaller` over the sampled `features`: the larger child from its parent. */
  subtract(slot: number, smaller: number, features: Int32Array): void {
    const hg = this.grad;
    const hh = this.hess;
    const a = slot * this.size;
    const b = smaller * this.size;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const from = this.binOffset[f];
      const to = from + this.numBins[f];
      for (let i = from; i < to; i++) {
        hg[a + i] -= hg[b + i];
        hh[a + i] -= hh[b + i];
      }
    }
  }
}
