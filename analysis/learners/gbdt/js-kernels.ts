/**
 * The tree learner's kernels in JavaScript: the data partition (`partition.ts`) and the histogram
 * pool (`histogram.ts`) over the dataset's bin columns. The oracle of the WebAssembly kernels and
 * their fallback.
 */
import type { GbdtParams } from '../params';
import { findBestSplit, type LeafSplits } from './best-split';
import type { BinnedDataset } from './binning';
import { HistogramPool } from './histogram';
import { DataPartition } from './partition';
import type { TreeKernels } from './tree-kernels';

export class JsKernels implements TreeKernels {
  readonly kind = 'js';
  readonly index: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafRows: Int32Array;
  private readonly rows: DataPartition;
  private readonly pool: HistogramPool;
  private readonly bins: readonly (Uint8Array | Uint16Array)[];
  private readonly missingBin: Int32Array;

  constructor(
    data: BinnedDataset,
    private readonly p: GbdtParams,
  ) {
    const maxLeaves = p.num_leaves;
    this.rows = new DataPartition(data.rows, maxLeaves);
    this.pool = new HistogramPool(data, maxLeaves);
    this.index = this.rows.index;
    this.leafStart = this.rows.leafStart;
    this.leafRows = this.rows.leafRows;
    this.bins = data.bins;
    this.missingBin = data.missingBin;
  }

  get sumGrad(): number {
    return this.rows.sumGrad;
  }

  get sumHess(): number {
    return this.rows.sumHess;
  }

  reset(bag: Uint32Array, grad: Float64Array, hess: Float64Array): void {
    this.rows.reset(bag, grad, hess);
  }

  build(slot: number, sampled: Int32Array, leaf: number): void {
    this.pool.build(slot, sampled, this.rows, leaf);
  }

  subtract(slot: number, smaller: number, sampled: Int32Array): void {
    this.pool.subtract(slot, smaller, sampled);
  }

  findBestSplit(
    slot: number,
    sampled: Int32Array,
    leaf: number,
    sumG: number,
    sumH: number,
    out: LeafSplits,
  ): void {
    const rows = this.rows.leafRows[leaf];
    findBestSplit(this.pool, slot, sampled, this.missingBin, this.p, sumG, sumH, rows, out, leaf);
  }

  split(leaf: number, right: number, feature: number, thresholdBin: number, missingLeft: boolean): number {
    return this.rows.split(
      leaf,
      right,
      this.bins[feature],
      thresholdBin,
      this.missingBin[feature],
      missingLeft,
    );
  }

  release(): void {}
}
