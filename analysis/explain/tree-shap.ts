/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles", Algorithm 2) and SHAP interaction values (Lundberg et al.
 * 2020, "From local explanations to global understanding with explainable AI for trees"), in
 * margin (log-odds) space.
 *
 * The value of a coalition S of features is the tree's output with the features in S fixed to
 * the row's values and the others integrated out along the tree, each branch weighted by the
 * share of training rows (cover) that went down it. TreeSHAP returns the exact Shapley values of
 * that game in O(leaves · depth²) per tree and row instead of enumerating 2^F coalitions
 * (`makeExplainer`; `makeFastExplainer` gets the same values in O(nodes · depth/2)):
 * walking down the tree it keeps, for the features met on the path so far ("unique path"), the
 * share of all coalition sizes that reach this node, extends it by one feature per split and
 * unwinds it at the leaves to read each feature's weight.
 *
 * Local accuracy holds for every row: expectedValue + Σ_j φ_j = margin.
 */
import { InvalidInputError, unknownName } from '../errors';
import type { FeatureMatrix } from '../frame';
import type { TreeEnsemble } from '../learners/tree';

export interface ShapValues {
  readonly rows: number;
  /** The ensemble's features, in the order of the columns of `values`. */
  readonly features: readonly string[];
  /** Row-major [rows × features]: `values[r * features.length + j]` is φ_j of row r. */
  readonly values: Float64Array;
  /** Margin with every feature integrated out: baseMargin + Σ trees' cover-weighted mean output. */
  readonly expectedValue: number;
}

export interface ShapInteractions {
  readonly rows: number;
  readonly features: readonly string[];
  /**
   * Row-major [rows × features × features]: `values[(r * F + i) * F + j]` is the interaction of
   * features i and j on row r (symmetric, split half to each side), the diagonal the main effect;
   * each row i sums to φ_i.
   */
  readonly values: Float64Array;
  readonly expectedValue: number;
}

/**
 * All trees of an ensemble in one set of flat arrays, leaves and internal nodes numbered
 * together, so the recursion reads plain typed arrays. `feature < 0` marks a leaf.
 */
interface FlatEnsemble {
  readonly featureCount: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly cover: Float64Array;
  readonly value: Float64Array;
  /** Distinct split features of each tree: `treeFeatures[treeFeatureStart[t] .. treeFeatureStart[t+1])`. */
  readonly treeFeatureStart: Int32Array;
  readonly treeFeatures: Int32Array;
  /** Deepest leaf over all trees, in edges from the root. */
  readonly maxDepth: number;
  /** Deepest leaf of each tree. */
  readonly treeDepth: Int32Array;
  readonly expectedValue: number;
}

function flatten(ensemble: TreeEnsemble): FlatEnsemble {
  const featureCount = ensemble.featureNames.length;
  let nodes = 0;
  for (const t of ensemble.trees) nodes += Math.max(1, 2 * t.numLeaves - 1);
  const feature = new Int32Array(nodes).fill(-1);
  const threshold = new Float64Array(nodes);
  const defaultLeft = new Uint8Array(nodes);
  const left = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const cover = new Float64Array(nodes);
  const value = new Float64Array(nodes);
  const roots = new Int32Array(ensemble.trees.length);
  const treeFeatureStart = new Int32Array(ensemble.trees.length + 1);
  const featureLists: number[] = [];
  const depth = new Int32Array(nodes);
  const treeDepth = new Int32Array(ensemble.trees.length);
  let maxDepth = 0;
  let expectedValue = ensemble.baseMargin;
  let base = 0;
  ensemble.trees.forEach((tree, t) => {
    const internal = tree.numLeaves - 1;
    const id = (child: number) => (child < 0 ? base + internal + ~child : base + child);
    roots[t] = base;
    for (let k = 0; k < tree.numLeaves; k++) {
      value[base + internal + k] = tree.leafValue[k];
      cover[base + internal + k] = tree.leafCount[k];
    }
    const seen = new Set<number>();
    for (let n = 0; n < internal; n++) {
      const f = tree.splitFeature[n];
      if (f < 0 || f >= featureCount) {
        throw new InvalidInputError({
          where: `tree ${t}, node ${n}`,
          message: `split feature ${f} is outside the ensemble's ${featureCount} features`,
        });
      }
      feature[base + n] = f;
      threshold[base + n] = tree.threshold[n];
      defaultLeft[base + n] = tree.defaultLeft[n];
      left[base + n] = id(tree.leftChild[n]);
      right[base + n] = id(tree.rightChild[n]);
      cover[base + n] = tree.internalCount[n];
      seen.add(f);
    }
    // Depth and path-dependent expectation, walking from the root (node order is not depth order).
    const stack = [base];
    depth[base] = 0;
    let treeExpected = 0;
    const weight = new Float64Array(Math.max(1, 2 * tree.numLeaves - 1));
    weight[0] = 1;
    while (stack.length > 0) {
      const node = stack.pop()!;
      const w = weight[node - base];
      if (feature[node] < 0) {
        treeExpected += w * value[node];
        if (depth[node] > treeDepth[t]) treeDepth[t] = depth[node];
        continue;
      }
      for (const child of [left[node], right[node]]) {
        depth[child] = depth[node] + 1;
        weight[child - base] = cover[node] > 0 ? (w * cover[child]) / cover[node] : 0;
        stack.push(child);
      }
    }
    if (treeDepth[t] > maxDepth) maxDepth = treeDepth[t];
    expectedValue += treeExpected;
    treeFeatureStart[t] = featureLists.length;
    for (const f of [...seen].sort((a, b) => a - b)) featureLists.push(f);
    base += Math.max(1, 2 * tree.numLeaves - 1);
  });
  treeFeatureStart[ensemble.trees.length] = featureLists.length;
  return {
    featureCount,
    roots,
    feature,
    threshold,
    defaultLeft,
    left,
    right,
    cover,
    value,
    treeFeatureStart,
    treeFeatures: Int32Array.from(featureLists),
    maxDepth,
    treeDepth,
    expectedValue,
  };
}

/** baseMargin + Σ trees' cover-weighted mean leaf value: the margin TreeSHAP explains from. */
export function expectedMargin(ensemble: TreeEnsemble): number {
  return flatten(ensemble).expectedValue;
}

/**
 * Computes TreeSHAP row by row. The unique path of each recursion level lives in a segment of
 * four preallocated arrays (feature, zero fraction, one fraction, weight); a child's segment
 * follows its parent's, so no allocation happens per node.
 *
 * `condition` (for interaction values): 0 plain TreeSHAP; +1 feature `conditionFeature` is
 * always in the coalition; -1 it is never in it. Its splits then do not enter the path.
 */
function makeExplainer(flat: FlatEnsemble) {
  const { feature, threshold, defaultLeft, left, right, cover, value } = flat;
  const capacity = ((flat.maxDepth + 3) * (flat.maxDepth + 4)) / 2;
  const pathFeature = new Int32Array(capacity);
  const pathZero = new Float64Array(capacity);
  const pathOne = new Float64Array(capacity);
  const pathWeight = new Float64Array(capacity);

  let x: Float64Array = new Float64Array(0);
  let xOffset = 0;
  let out: Float64Array = new Float64Array(0);
  let outOffset = 0;
  let condition = 0;
  let conditionFeature = -1;

  /** Adds feature `f` to the path at [s, s+l) (l elements), making element l. */
  function extend(s: number, l: number, zero: number, one: number, f: number): void {
    pathFeature[s + l] = f;
    pathZero[s + l] = zero;
    pathOne[s + l] = one;
    pathWeight[s + l] = l === 0 ? 1 : 0;
    const inv = 1 / (l + 1);
    for (let i = l - 1; i >= 0; i--) {
      const w = pathWeight[s + i];
      pathWeight[s + i + 1] += one * w * (i + 1) * inv;
      pathWeight[s + i] = zero * w * (l - i) * inv;
    }
  }

  /** Removes element k from the path [s, s+l] (l+1 elements), undoing its extension. */
  function unwind(s: number, l: number, k: number): void {
    const one = pathOne[s + k];
    const zero = pathZero[s + k];
    let carry = pathWeight[s + l];
    if (one !== 0) {
      for (let j = l - 1; j >= 0; j--) {
        const w = pathWeight[s + j];
        const unwound = (carry * (l + 1)) / ((j + 1) * one);
        pathWeight[s + j] = unwound;
        carry = w - (unwound * zero * (l - j)) / (l + 1);
      }
    } else {
      for (let j = l - 1; j >= 0; j--) pathWeight[s + j] = (pathWeight[s + j] * (l + 1)) / (zero * (l - j));
    }
    for (let j = k; j < l; j++) {
      pathFeature[s + j] = pathFeature[s + j + 1];
      pathZero[s + j] = pathZero[s + j + 1];
      pathOne[s + j] = pathOne[s + j + 1];
    }
  }

  /** Σ of the path weights once element k is unwound, without changing the path. */
  function unwoundSum(s: number, l: number, k: number): number {
    const one = pathOne[s + k];
    const zero = pathZero[s + k];
    let total = 0;
    if (one !== 0) {
      let carry = pathWeight[s + l];
      const invOne = 1 / one;
      for (let j = l - 1; j >= 0; j--) {
        const t = (carry * invOne) / (j + 1);
        total += t;
        carry = pathWeight[s + j] - t * zero * (l - j);
      }
    } else {
      const invZero = 1 / zero;
      for (let j = l - 1; j >= 0; j--) total += pathWeight[s + j] / (l - j);
      total *= invZero;
    }
    return total * (l + 1);
  }

  /**
   * Visits `node`, whose parent's path is [ps, ps+plen). `zero`/`one` are the fractions of the
   * split that led here for feature `f` (-1 at the root); `share` is the part of the coalitions
   * the condition lets through (1 without condition).
   */
  function visit(
    node: number,
    ps: number,
    plen: number,
    zero: number,
    one: number,
    f: number,
    share: number,
  ): void {
    const s = ps + plen;
    for (let i = 0; i < plen; i++) {
      pathFeature[s + i] = pathFeature[ps + i];
      pathZero[s + i] = pathZero[ps + i];
      pathOne[s + i] = pathOne[ps + i];
      pathWeight[s + i] = pathWeight[ps + i];
    }
    let l = plen;
    if (condition === 0 || f !== conditionFeature) {
      extend(s, l, zero, one, f);
    } else {
      l -= 1; // the conditioned feature stays out of the path
    }
    const split = feature[node];
    if (split < 0) {
      const v = value[node] * share;
      for (let i = 1; i <= l; i++) {
        const w = unwoundSum(s, l, i);
        out[outOffset + pathFeature[s + i]] += w * (pathOne[s + i] - pathZero[s + i]) * v;
      }
      return;
    }
    const xv = x[xOffset + split];
    const goLeft = Number.isNaN(xv) ? defaultLeft[node] === 1 : xv <= threshold[node];
    const hot = goLeft ? left[node] : right[node];
    const cold = goLeft ? right[node] : left[node];
    const c = cover[node];
    const hotZero = cover[hot] / c;
    const coldZero = cover[cold] / c;
    let incomingZero = 1;
    let incomingOne = 1;
    let len = l + 1;
    for (let k = 1; k <= l; k++) {
      if (pathFeature[s + k] === split) {
        incomingZero = pathZero[s + k];
        incomingOne = pathOne[s + k];
        unwind(s, l, k);
        len = l;
        break;
      }
    }
    if (condition !== 0 && split === conditionFeature) {
      // A conditioned split never enters the path: the child removes it again (len - 1 + 1).
      if (condition > 0) {
        visit(hot, s, len, hotZero * incomingZero, incomingOne, split, share);
      } else {
        visit(hot, s, len, hotZero * incomingZero, incomingOne, split, share * hotZero);
        visit(cold, s, len, coldZero * incomingZero, 0, split, share * coldZero);
      }
      return;
    }
    visit(hot, s, len, hotZero * incomingZero, incomingOne, split, share);
    visit(cold, s, len, coldZero * incomingZero, 0, split, share);
  }

  return {
    /** Adds the row's φ (over all trees) into `target[targetOffset ...]`. */
    shap(row: Float64Array, rowOffset: number, target: Float64Array, targetOffset: number): void {
      x = row;
      xOffset = rowOffset;
      out = target;
      outOffset = targetOffset;
      condition = 0;
      conditionFeature = -1;
      const roots = flat.roots;
      for (let t = 0; t < roots.length; t++) {
        if (feature[roots[t]] >= 0) visit(roots[t], 0, 0, 1, 1, -1, 1);
      }
    },
    /**
     * Adds ½(φ_j | i present − φ_j | i absent) for every feature i of each tree into row i of
     * the F×F block at `target[targetOffset ...]`.
     */
    interactions(row: Float64Array, rowOffset: number, target: Float64Array, targetOffset: number): void {
      x = row;
      xOffset = rowOffset;
      out = target;
      const F = flat.featureCount;
      const roots = flat.roots;
      for (let t = 0; t < roots.length; t++) {
        if (feature[roots[t]] < 0) continue;
        for (let q = flat.treeFeatureStart[t]; q < flat.treeFeatureStart[t + 1]; q++) {
          conditionFeature = flat.treeFeatures[q];
          outOffset = targetOffset + conditionFeature * F;
          condition = 1;
          visit(roots[t], 0, 0, 1, 1, -1, 0.5);
          condition = -1;
          visit(roots[t], 0, 0, 1, 1, -1, -0.5);
        }
      }
      condition = 0;
      conditionFeature = -1;
    },
  };
}

/** Gauss–Legendre nodes and weights on [0, 1]: exact for polynomials of degree ≤ 2m − 1. */
export function gaussLegendre(m: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(m);
  const weights = new Float64Array(m);
  // Legendre P_m and its derivative at xi, by the three-term recurrence.
  const legendre = (xi: number): [number, number] => {
    let p0 = 1;
    let p1 = xi;
    for (let j = 2; j <= m; j++) {
      const p2 = ((2 * j - 1) * xi * p1 - (j - 1) * p0) / j;
      p0 = p1;
      p1 = p2;
    }
    return [p1, (m * (xi * p1 - p0)) / (xi * xi - 1)];
  };
  for (let k = 0; k < m; k++) {
    // Newton from the classic initial guess for the k-th root.
    let xi = Math.cos((Math.PI * (k + 0.75)) / (m + 0.5));
    for (let iteration = 0; iteration < 100; iteration++) {
      const [p, dp] = legendre(xi);
      const step = p / dp;
      xi -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    const [, dp] = legendre(xi);
    nodes[k] = (1 + xi) / 2;
    weights[k] = 1 / ((1 - xi * xi) * dp * dp);
  }
  return { nodes, weights };
}

/**
 * TreeSHAP for plain SHAP values in O(nodes · depth/2) per tree and row, the same exact values
 * as Algorithm 2 by another route (the idea of Linear TreeSHAP, Yu et al. 2022).
 *
 * For a leaf v, group the edges of its path by feature: feature j has a "zero" factor A_j (the
 * product of the cover ratios of its edges) and a "one" factor B_j (1 if the row follows all its
 * edges, else 0). The leaf's game is v·Π_{j∈S} B_j Π_{j∉S} A_j, whose Shapley value for
 * feature i is, using s!(d−1−s)!/d! = ∫₀¹ t^s (1−t)^(d−1−s) dt,
 *
 *     φ_i = v · (B_i − A_i) · ∫₀¹ Π_{j≠i} (A_j + (B_j − A_j) t) dt
 *         = v · ∫₀¹ G_v(t) · (B_i − A_i) / (A_i + (B_i − A_i) t) dt,   G_v(t) = Π_j (A_j + (B_j − A_j) t).
 *
 * The integrand is a polynomial of degree < depth, so Gauss–Legendre with ⌈depth/2⌉ points is
 * exact. Walking down, G is updated edge by edge (a repeated feature replaces its old factor);
 * walking up, S_c(t) = Σ_{leaves v under c} v·G_v(t) is summed; each edge on feature i adds
 * ∫ S_c(t)·[ratio with i's new factors − ratio with its factors above the edge], which
 * telescopes to each leaf's deepest factors. Quadrature is a sum of point values, so the
 * telescoping is exact at the nodes.
 */
function makeFastExplainer(flat: FlatEnsemble) {
  const { feature, threshold, defaultLeft, left, right, cover, value, roots, treeDepth } = flat;
  const mMax = Math.max(1, Math.ceil(flat.maxDepth / 2));
  const rules = Array.from({ length: mMax + 1 }, (_, m) => {
    const rule = gaussLegendre(m);
    // A branch the row does not take has factor A(1 − t): its ratio (B − A)/factor is −1/(1 − t).
    const coldRatio = rule.nodes.map((t) => -1 / (1 - t));
    return { ...rule, coldRatio };
  });
  const levels = (flat.maxDepth + 2) * mMax;
  const G = new Float64Array(levels); // G(t_k) of the node at each level
  const S = new Float64Array(levels); // S(t_k) of the node at each level
  const inverseAbove = new Float64Array(levels); // 1 / (split feature's factor above the node)
  const ratioAbove = new Float64Array(levels); // (B − A) / factor, split feature's factors above
  // Current A_j and B_j of each feature along the path being visited (1, 1: not on the path).
  const zeroOf = new Float64Array(flat.featureCount).fill(1);
  const oneOf = new Float64Array(flat.featureCount).fill(1);
  let x: Float64Array = new Float64Array(0);
  let xOffset = 0;
  let out: Float64Array = new Float64Array(0);
  let outOffset = 0;
  let m = 1;
  let t: Float64Array = rules[1].nodes;
  let w: Float64Array = rules[1].weights;
  let coldRatio: Float64Array = rules[1].coldRatio;

  /** Fills S at `level` for the internal `node`, whose G is at `level`. */
  function visit(node: number, level: number): void {
    const g = level * m;
    const h = g + m;
    const split = feature[node];
    const xv = x[xOffset + split];
    const goLeft = Number.isNaN(xv) ? defaultLeft[node] === 1 : xv <= threshold[node];
    const prevZero = zeroOf[split];
    const prevOne = oneOf[split];
    const prevDelta = prevOne - prevZero;
    // Factor 1 (feature not met above, the usual case): nothing to replace.
    const repeated = prevDelta !== 0 || prevZero !== 1;
    for (let k = 0; k < m; k++) {
      S[g + k] = 0;
      const inv = repeated ? 1 / (prevZero + prevDelta * t[k]) : 1;
      inverseAbove[g + k] = inv;
      ratioAbove[g + k] = prevDelta * inv;
    }
    const c = cover[node];
    let contribution = 0;
    for (let side = 0; side < 2; side++) {
      const child = side === 0 ? left[node] : right[node];
      const zero = (prevZero * cover[child]) / c;
      const hot = (side === 0) === goLeft;
      const one = hot ? prevOne : 0;
      // An empty branch the row does not take weighs nothing (and would divide by 0 below).
      if (zero === 0 && one === 0) continue;
      const delta = one - zero;
      if (feature[child] < 0) {
        // Leaf: S = v·G, and factor·ratio = delta, so no division.
        const v = value[child];
        for (let k = 0; k < m; k++) {
          const factor = zero + delta * t[k];
          const gv = v * G[g + k] * inverseAbove[g + k];
          S[g + k] += gv * factor;
          contribution += w[k] * gv * (delta - ratioAbove[g + k] * factor);
        }
        continue;
      }
      for (let k = 0; k < m; k++) G[h + k] = G[g + k] * (zero + delta * t[k]) * inverseAbove[g + k];
      zeroOf[split] = zero;
      oneOf[split] = one;
      visit(child, level + 1);
      zeroOf[split] = prevZero;
      oneOf[split] = prevOne;
      if (one === 0) {
        for (let k = 0; k < m; k++) {
          const sk = S[h + k];
          contribution += w[k] * sk * (coldRatio[k] - ratioAbove[g + k]);
          S[g + k] += sk;
        }
      } else {
        for (let k = 0; k < m; k++) {
          const sk = S[h + k];
          contribution += w[k] * sk * (delta / (zero + delta * t[k]) - ratioAbove[g + k]);
          S[g + k] += sk;
        }
      }
    }
    out[outOffset + split] += contribution;
  }

  return {
    /** Adds the row's φ (over all trees) into `target[targetOffset ...]`. */
    shap(row: Float64Array, rowOffset: number, target: Float64Array, targetOffset: number): void {
      x = row;
      xOffset = rowOffset;
      out = target;
      outOffset = targetOffset;
      for (let tree = 0; tree < roots.length; tree++) {
        const depth = treeDepth[tree];
        if (depth === 0) continue;
        m = Math.ceil(depth / 2);
        t = rules[m].nodes;
        w = rules[m].weights;
        coldRatio = rules[m].coldRatio;
        for (let k = 0; k < m; k++) G[k] = 1;
        visit(roots[tree], 0);
      }
    },
  };
}

/** Column index in `matrix` of each of the ensemble's features, matched by name. */
function columnsFor(ensemble: TreeEnsemble, matrix: FeatureMatrix): Float64Array[] {
  const byName = new Map(matrix.names.map((n, j) => [n, j]));
  return ensemble.featureNames.map((name) => {
    const j = byName.get(name);
    if (j === undefined) {
      throw new InvalidInputError({ where: name, message: unknownName('model feature', name, matrix.names) });
    }
    return matrix.columns[j];
  });
}

function rowList(matrix: FeatureMatrix, rows?: ArrayLike<number>): ArrayLike<number> {
  if (rows === undefined) return { length: matrix.rows } as ArrayLike<number>;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!Number.isInteger(r) || r < 0 || r >= matrix.rows) {
      throw new InvalidInputError({
        where: `rows[${k}]`,
        message: `row ${r} is outside 0..${matrix.rows - 1}`,
      });
    }
  }
  return rows;
}

export interface TreeShapOptions {
  /** Rows to explain (indices into the matrix); all rows when omitted. */
  readonly rows?: ArrayLike<number>;
  /**
   * `"fast"` (default): the Gauss–Legendre form, O(nodes · depth/2) a tree and row.
   * `"classic"`: Lundberg et al.'s Algorithm 2, O(leaves · depth²). Same values; kept as a check.
   */
  readonly algorithm?: 'fast' | 'classic';
}

function explainerFor(flat: FlatEnsemble, algorithm: 'fast' | 'classic' = 'fast') {
  return algorithm === 'classic' ? makeExplainer(flat) : makeFastExplainer(flat);
}

/**
 * SHAP values of `matrix`'s rows (all, or those listed in `options.rows`) for `ensemble`.
 * Columns are matched by name; the result's columns follow the ensemble's features.
 */
export function treeShap(
  ensemble: TreeEnsemble,
  matrix: FeatureMatrix,
  options: TreeShapOptions = {},
): ShapValues {
  const columns = columnsFor(ensemble, matrix);
  const rows = options.rows;
  const list = rowList(matrix, rows);
  const flat = flatten(ensemble);
  const explainer = explainerFor(flat, options.algorithm);
  const F = flat.featureCount;
  const n = list.length;
  const values = new Float64Array(n * F);
  const x = new Float64Array(F);
  for (let k = 0; k < n; k++) {
    const r = rows === undefined ? k : list[k];
    for (let j = 0; j < F; j++) x[j] = columns[j][r];
    explainer.shap(x, 0, values, k * F);
  }
  return { rows: n, features: ensemble.featureNames, values, expectedValue: flat.expectedValue };
}

/**
 * The same on a row-major [rows × features] array in the ensemble's feature order (the shape a
 * worker thread receives). `first`/`count` select a block of rows, for splitting across workers.
 */
export function treeShapRowMajor(
  ensemble: TreeEnsemble,
  x: Float64Array,
  options: { first?: number; count?: number; algorithm?: 'fast' | 'classic' } = {},
): ShapValues {
  const flat = flatten(ensemble);
  const F = flat.featureCount;
  const total = F === 0 ? 0 : x.length / F;
  if (!Number.isInteger(total)) {
    throw new InvalidInputError({
      where: 'x',
      message: `length ${x.length} is not a multiple of ${F} features`,
    });
  }
  const first = options.first ?? 0;
  const n = options.count ?? total - first;
  if (!Number.isInteger(first) || !Number.isInteger(n) || first < 0 || n < 0 || first + n > total) {
    throw new InvalidInputError({
      where: 'rows',
      message: `rows ${first}..${first + n - 1} outside 0..${total - 1}`,
    });
  }
  const explainer = explainerFor(flat, options.algorithm);
  const values = new Float64Array(n * F);
  for (let k = 0; k < n; k++) explainer.shap(x, (first + k) * F, values, k * F);
  return { rows: n, features: ensemble.featureNames, values, expectedValue: flat.expectedValue };
}

/**
 * SHAP interaction values of the listed rows (costly: about twice TreeSHAP per distinct feature
 * of each tree, so meant for a sample of rows). Off-diagonal (i, j) is half the Shapley
 * interaction index of i and j; the diagonal is φ_i minus the row's off-diagonal sum, so every
 * row of the matrix sums to φ_i.
 */
export function treeShapInteractions(
  ensemble: TreeEnsemble,
  matrix: FeatureMatrix,
  rows?: ArrayLike<number>,
): ShapInteractions {
  const columns = columnsFor(ensemble, matrix);
  const list = rowList(matrix, rows);
  const flat = flatten(ensemble);
  const explainer = makeExplainer(flat);
  const fast = makeFastExplainer(flat);
  const F = flat.featureCount;
  const n = list.length;
  const values = new Float64Array(n * F * F);
  const x = new Float64Array(F);
  const phi = new Float64Array(F);
  for (let k = 0; k < n; k++) {
    const r = rows === undefined ? k : list[k];
    for (let j = 0; j < F; j++) x[j] = columns[j][r];
    phi.fill(0);
    fast.shap(x, 0, phi, 0);
    const block = k * F * F;
    explainer.interactions(x, 0, values, block);
    for (let i = 0; i < F; i++) {
      let offDiagonal = 0;
      for (let j = 0; j < F; j++) if (j !== i) offDiagonal += values[block + i * F + j];
      values[block + i * F + i] = phi[i] - offDiagonal;
    }
  }
  return { rows: n, features: ensemble.featureNames, values, expectedValue: flat.expectedValue };
}
