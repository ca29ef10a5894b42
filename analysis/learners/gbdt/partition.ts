/**
 * The rows of each leaf (LightGBM's data partition): a contiguous segment of one index array,
 * kept in ascending row order by a stable partition at each split, so building a histogram reads
 * the bin columns forward and never allocates.
 */

export class DataPartition {
  /** Dataset rows of leaf l at `index[leafStart[l] .. leafStart[l] + leafRows[l])`. */
  readonly index: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafRows: Int32Array;
  /**
   * Gradient and hessian of the row at `index[k]` at [k] (LightGBM's ordered gradients), moved
   * along by each partition: a leaf's histogram reads them in sequence, where gathering them
   * through the index cost a cache miss per row on large data.
   */
  readonly orderedGrad: Float64Array;
  readonly orderedHess: Float64Array;
  private readonly scratch: Uint32Array;
  private readonly scratchGrad: Float64Array;
  private readonly scratchHess: Float64Array;
  /** Gradient and hessian sums of the rows given to `reset`. */
  sumGrad = 0;
  sumHess = 0;

  constructor(rows: number, maxLeaves: number) {
    this.index = new Uint32Array(rows);
    this.scratch = new Uint32Array(rows);
    this.orderedGrad = new Float64Array(rows);
    this.orderedHess = new Float64Array(rows);
    this.scratchGrad = new Float64Array(rows);
    this.scratchHess = new Float64Array(rows);
    this.leafStart = new Int32Array(maxLeaves);
    this.leafRows = new Int32Array(maxLeaves);
  }

  /** Every row of `bag` (ascending) in leaf 0, with its gradient and hessian. */
  reset(bag: Uint32Array, grad: Float64Array, hess: Float64Array): void {
    this.index.set(bag);
    let g = 0;
    let h = 0;
    const og = this.orderedGrad;
    const oh = this.orderedHess;
    for (let k = 0; k < bag.length; k++) {
      const r = bag[k];
      og[k] = grad[r];
      oh[k] = hess[r];
      g += grad[r];
      h += hess[r];
    }
    this.sumGrad = g;
    this.sumHess = h;
    this.leafStart[0] = 0;
    this.leafRows[0] = bag.length;
  }

  /**
   * Splits `leaf` by bin `thresholdBin` of `col` (NaN bin `missingBin` to the left when
   * `missingLeft`): its left rows stay in `leaf`, its right rows become leaf `right`. Returns the
   * number sent left.
   */
  split(
    leaf: number,
    right: number,
    col: Uint8Array | Uint16Array,
    thresholdBin: number,
    missingBin: number,
    missingLeft: boolean,
  ): number {
    const start = this.leafStart[leaf];
    const count = this.leafRows[leaf];
    const leftRows = partition(
      this.index,
      this.scratch,
      this.orderedGrad,
      this.orderedHess,
      this.scratchGrad,
      this.scratchHess,
      start,
      count,
      col,
      thresholdBin,
      missingBin,
      missingLeft,
    );
    this.leafStart[right] = start + leftRows;
    this.leafRows[right] = count - leftRows;
    this.leafRows[leaf] = leftRows;
    return leftRows;
  }
}

/**
 * Stable in-place partition of `index[start, start+count)` and of the ordered gradients with it;
 * returns the number sent left.
 */
function partition(
  index: Uint32Array,
  scratch: Uint32Array,
  og: Float64Array,
  oh: Float64Array,
  sg: Float64Array,
  sh: Float64Array,
  start: number,
  count: number,
  col: Uint8Array | Uint16Array,
  thresholdBin: number,
  missingBin: number,
  missingLeft: boolean,
): number {
  let l = start;
  let r = 0;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const row = index[i];
    const b = col[row];
    const goLeft = b === missingBin ? missingLeft : b <= thresholdBin;
    const g = og[i];
    const h = oh[i];
    if (goLeft) {
      og[l] = g;
      oh[l] = h;
      index[l++] = row;
    } else {
      sg[r] = g;
      sh[r] = h;
      scratch[r++] = row;
    }
  }
  index.set(scratch.subarray(0, r), l);
  og.set(sg.subarray(0, r), l);
  oh.set(sh.subarray(0, r), l);
  return l - start;
}
