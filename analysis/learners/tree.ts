/**
 * The tree-ensemble representation shared by the GBDT learner, the LightGBM text-model loader,
 * TreeSHAP and the ONNX export. It mirrors LightGBM's own arrays so a loaded LightGBM model and
 * one of ours are explained by the same code.
 *
 * Node `i` of a tree (0 <= i < numLeaves - 1) sends a row left when `x[splitFeature[i]] <=
 * threshold[i]`, right otherwise; a missing value (NaN) goes left when `defaultLeft[i]` is 1.
 * A child index `c >= 0` is an internal node, `c < 0` is leaf `~c` (that is, `-c - 1`).
 * A tree with a single leaf has no internal nodes.
 */
export interface Tree {
  readonly numLeaves: number;
  readonly splitFeature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  /** Split gain of each internal node (for gain importance). */
  readonly splitGain: Float64Array;
  /** Output of each leaf in margin (log-odds) units, learning rate already applied. */
  readonly leafValue: Float64Array;
  /** Training rows that reached each leaf (the TreeSHAP cover). */
  readonly leafCount: Float64Array;
  /** Training rows that reached each internal node. */
  readonly internalCount: Float64Array;
  /** Cover-weighted mean output below each internal node. */
  readonly internalValue: Float64Array;
}

export interface TreeEnsemble {
  readonly featureNames: readonly string[];
  readonly trees: readonly Tree[];
  /** Margin added before the trees (LightGBM's boost-from-average puts it in the first tree: 0 then). */
  readonly baseMargin: number;
}

/** Margin (log-odds) of one row given feature accessor `x(j)`. */
export function treeLeaf(tree: Tree, x: (feature: number) => number): number {
  if (tree.numLeaves <= 1) return 0;
  let node = 0;
  for (;;) {
    const v = x(tree.splitFeature[node]);
    const left = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node];
    const next = left ? tree.leftChild[node] : tree.rightChild[node];
    if (next < 0) return ~next;
    node = next;
  }
}
