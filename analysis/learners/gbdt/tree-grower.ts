/**
 * Grows one tree leaf-wise (LightGBM's serial tree learner): the leaf of highest split gain is
 * split next, up to `num_leaves`; only the smaller child's histogram is built from its rows, the
 * larger child's is the parent's minus it.
 */
import type { GbdtParams } from '../params';
import type { Tree } from '../tree';
import { LeafSplits, leafOutput } from './best-split';
import type { BinnedDataset } from './binning';
import type { TreeKernels } from './tree-kernels';

type MutableTree = { -readonly [K in keyof Tree]: Tree[K] };

/**
 * Holds what every tree of one training run reuses: the kernels (the row partition with the
 * ordered gradients, one histogram slot per leaf) and each leaf's best split.
 */
export class TreeGrower {
  private readonly bins: readonly (Uint8Array | Uint16Array)[];
  private readonly missingBin: Int32Array;
  private readonly upperBounds: readonly Float64Array[];
  private readonly maxLeaves: number;
  private readonly splits: LeafSplits;

  // Per leaf.
  private readonly leafDepth: Int32Array;
  private readonly leafGrad: Float64Array;
  private readonly leafHess: Float64Array;
  private readonly leafSlot: Int32Array;
  private readonly leafParent: Int32Array;

  private numLeaves = 0;
  private features: Int32Array = new Int32Array(0);
  private tree: MutableTree | null = null;
  private readonly thresholdBin: Int32Array;

  /** `kernels` sized for `p.num_leaves` leaves on `data`. */
  constructor(
    data: BinnedDataset,
    private readonly p: GbdtParams,
    private readonly kernels: TreeKernels,
  ) {
    this.bins = data.bins;
    this.missingBin = data.missingBin;
    this.upperBounds = data.upperBounds;
    const L = p.num_leaves;
    this.maxLeaves = L;
    this.splits = new LeafSplits(L);
    this.leafDepth = new Int32Array(L);
    this.leafGrad = new Float64Array(L);
    this.leafHess = new Float64Array(L);
    this.leafSlot = new Int32Array(L);
    this.leafParent = new Int32Array(L);
    this.thresholdBin = new Int32Array(Math.max(1, L - 1));
  }

  /** A tree on the rows of `bag` (ascending) over the sampled `features` (ascending). */
  grow(bag: Uint32Array, grad: Float64Array, hess: Float64Array, features: Int32Array): Tree {
    this.features = features;
    const L = this.maxLeaves;
    const tree: MutableTree = {
      numLeaves: 1,
      splitFeature: new Int32Array(L - 1),
      threshold: new Float64Array(L - 1),
      defaultLeft: new Uint8Array(L - 1),
      leftChild: new Int32Array(L - 1),
      rightChild: new Int32Array(L - 1),
      splitGain: new Float64Array(L - 1),
      leafValue: new Float64Array(L),
      leafCount: new Float64Array(L),
      internalCount: new Float64Array(L - 1),
      internalValue: new Float64Array(L - 1),
    };
    this.tree = tree;
    this.kernels.reset(bag, grad, hess);
    this.numLeaves = 1;
    this.leafDepth[0] = 0;
    this.leafGrad[0] = this.kernels.sumGrad;
    this.leafHess[0] = this.kernels.sumHess;
    this.leafParent[0] = -1;
    for (let l = 0; l < L; l++) this.leafSlot[l] = l;
    if (this.canSplit(0)) {
      this.kernels.build(this.leafSlot[0], features, 0);
      this.findBestSplit(0);
    } else this.splits.gain[0] = Number.NEGATIVE_INFINITY;

    const gains = this.splits.gain;
    while (this.numLeaves < L) {
      let best = -1;
      let bestGain = 0;
      for (let l = 0; l < this.numLeaves; l++) {
        if (gains[l] > bestGain) {
          bestGain = gains[l];
          best = l;
        }
      }
      if (best < 0) break;
      this.split(best);
    }
    return this.finish(tree);
  }

  /** Adds the last tree's leaf values to the training margins (bagged rows by partition). */
  addToScores(score: Float64Array, outOfBag: Uint32Array): void {
    const tree = this.tree!;
    const { index, leafStart, leafRows } = this.kernels;
    for (let l = 0; l < this.numLeaves; l++) {
      const v = tree.leafValue[l];
      const end = leafStart[l] + leafRows[l];
      for (let i = leafStart[l]; i < end; i++) score[index[i]] += v;
    }
    if (outOfBag.length === 0) return;
    const { splitFeature, defaultLeft, leftChild, rightChild, leafValue } = tree;
    const tb = this.thresholdBin;
    for (let k = 0; k < outOfBag.length; k++) {
      const r = outOfBag[k];
      let node = 0;
      for (;;) {
        const f = splitFeature[node];
        const b = this.bins[f][r];
        const left = b === this.missingBin[f] ? defaultLeft[node] === 1 : b <= tb[node];
        node = left ? leftChild[node] : rightChild[node];
        if (node < 0) break;
      }
      score[r] += leafValue[~node];
    }
  }

  private canSplit(leaf: number): boolean {
    const p = this.p;
    if (p.max_depth > 0 && this.leafDepth[leaf] >= p.max_depth) return false;
    return (
      this.kernels.leafRows[leaf] >= 2 * Math.max(1, p.min_data_in_leaf) &&
      this.leafHess[leaf] >= 2 * p.min_sum_hessian_in_leaf
    );
  }

  private findBestSplit(leaf: number): void {
    this.kernels.findBestSplit(
      this.leafSlot[leaf],
      this.features,
      leaf,
      this.leafGrad[leaf],
      this.leafHess[leaf],
      this.splits,
    );
  }

  private split(leaf: number): void {
    const tree = this.tree!;
    const best = this.splits;
    const node = this.numLeaves - 1;
    const right = this.numLeaves;
    const f = best.feature[leaf];
    const t = best.bin[leaf];
    const dl = best.defaultLeft[leaf];
    tree.splitFeature[node] = f;
    tree.threshold[node] = this.upperBounds[f][t];
    tree.defaultLeft[node] = dl;
    tree.splitGain[node] = best.gain[leaf];
    tree.internalCount[node] = this.kernels.leafRows[leaf];
    this.thresholdBin[node] = t;
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (tree.leftChild[parent] === ~leaf) tree.leftChild[parent] = node;
      else tree.rightChild[parent] = node;
    }
    tree.leftChild[node] = ~leaf;
    tree.rightChild[node] = ~right;
    this.leafParent[leaf] = node;
    this.leafParent[right] = node;

    // Stable partition of the leaf's segment: left rows first, then right rows.
    const count = this.kernels.leafRows[leaf];
    const leftRows = this.kernels.split(leaf, right, f, t, dl === 1);
    const parentGrad = this.leafGrad[leaf];
    const parentHess = this.leafHess[leaf];
    this.leafGrad[leaf] = best.leftGrad[leaf];
    this.leafHess[leaf] = best.leftHess[leaf];
    this.leafGrad[right] = parentGrad - this.leafGrad[leaf];
    this.leafHess[right] = parentHess - this.leafHess[leaf];
    const depth = this.leafDepth[leaf] + 1;
    this.leafDepth[leaf] = depth;
    this.leafDepth[right] = depth;
    this.numLeaves++;

    const leftOk = this.canSplit(leaf);
    const rightOk = this.canSplit(right);
    if (this.numLeaves >= this.maxLeaves || (!leftOk && !rightOk)) {
      // Neither child will be split: no histograms needed.
      best.gain[leaf] = Number.NEGATIVE_INFINITY;
      best.gain[right] = Number.NEGATIVE_INFINITY;
      return;
    }
    // Build the smaller child's histogram, subtract it from the parent's for the larger child.
    const parentSlot = this.leafSlot[leaf];
    const freeSlot = this.leafSlot[right];
    const smaller = leftRows <= count - leftRows ? leaf : right;
    const larger = smaller === leaf ? right : leaf;
    this.kernels.build(freeSlot, this.features, smaller);
    this.kernels.subtract(parentSlot, freeSlot, this.features);
    this.leafSlot[smaller] = freeSlot;
    this.leafSlot[larger] = parentSlot;
    if (leftOk) this.findBestSplit(leaf);
    else best.gain[leaf] = Number.NEGATIVE_INFINITY;
    if (rightOk) this.findBestSplit(right);
    else best.gain[right] = Number.NEGATIVE_INFINITY;
  }

  private finish(tree: MutableTree): Tree {
    const L = this.numLeaves;
    const lr = this.p.learning_rate;
    for (let l = 0; l < L; l++) {
      tree.leafValue[l] = leafOutput(this.leafGrad[l], this.leafHess[l], this.p) * lr;
      tree.leafCount[l] = this.kernels.leafRows[l];
    }
    // Children always have larger node indices than their parent: fill bottom-up.
    for (let node = L - 2; node >= 0; node--) {
      const a = tree.leftChild[node];
      const b = tree.rightChild[node];
      const ca = a < 0 ? tree.leafCount[~a] : tree.internalCount[a];
      const va = a < 0 ? tree.leafValue[~a] : tree.internalValue[a];
      const cb = b < 0 ? tree.leafCount[~b] : tree.internalCount[b];
      const vb = b < 0 ? tree.leafValue[~b] : tree.internalValue[b];
      tree.internalValue[node] = (ca * va + cb * vb) / (ca + cb);
    }
    tree.numLeaves = L;
    const nodes = Math.max(0, L - 1);
    return {
      numLeaves: L,
      splitFeature: tree.splitFeature.slice(0, nodes),
      threshold: tree.threshold.slice(0, nodes),
      defaultLeft: tree.defaultLeft.slice(0, nodes),
      leftChild: tree.leftChild.slice(0, nodes),
      rightChild: tree.rightChild.slice(0, nodes),
      splitGain: tree.splitGain.slice(0, nodes),
      leafValue: tree.leafValue.slice(0, L),
      leafCount: tree.leafCount.slice(0, L),
      internalCount: tree.internalCount.slice(0, nodes),
      internalValue: tree.internalValue.slice(0, nodes),
    };
  }
}
