/**
 * The per-leaf work of growing a tree (LightGBM's tree learner without its decisions): the rows
 * of each leaf with their gradients, the split of a leaf's rows, the histograms of a leaf built
 * from its rows or by subtraction, and the best split on a histogram. Two implementations: JavaScript
 * (`js-kernels.ts`, the oracle and the fallback) and WebAssembly with 128-bit SIMD
 * (`wasm-kernels.ts`). Both add the same numbers in the same order, so the trees they grow are the
 * same bit for bit; `kernel-choice.ts` picks one.
 */

import type { LeafSplits } from './best-split';

/** Which kernels train: `auto` is WebAssembly where it runs, JavaScript otherwise. */
export type KernelChoice = 'js' | 'wasm' | 'auto';
export const kernelChoices: readonly KernelChoice[] = ['js', 'wasm', 'auto'];

export interface TreeKernels {
  readonly kind: 'js' | 'wasm';
  /** Dataset rows of leaf l at `index[leafStart[l] .. leafStart[l] + leafRows[l])`. */
  readonly index: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafRows: Int32Array;
  /** Gradient and hessian sums of the rows given to `reset`. */
  readonly sumGrad: number;
  readonly sumHess: number;
  /** Every row of `bag` (ascending) in leaf 0, with its gradient and hessian. */
  reset(bag: Uint32Array, grad: Float64Array, hess: Float64Array): void;
  /** Histogram of `leaf`'s rows over the `sampled` features (ascending) into slot `slot`. */
  build(slot: number, sampled: Int32Array, leaf: number): void;
  /** `slot` -= `smaller` over the `sampled` features: the larger child from its parent. */
  subtract(slot: number, smaller: number, sampled: Int32Array): void;
  /**
   * Records in `out` the best split of `leaf` (histogram in `slot`, gradient and hessian sums
   * sumG, sumH) over the `sampled` features.
   */
  findBestSplit(
    slot: number,
    sampled: Int32Array,
    leaf: number,
    sumG: number,
    sumH: number,
    out: LeafSplits,
  ): void;
  /**
   * Splits `leaf` by `feature` at bin `thresholdBin` (its NaN bin left when `missingLeft`): the
   * left rows stay in `leaf`, the right rows become leaf `right`. Returns the number sent left.
   */
  split(leaf: number, right: number, feature: number, thresholdBin: number, missingLeft: boolean): number;
  /** Gives back what the kernels hold (buffers another training may reuse). */
  release(): void;
}
