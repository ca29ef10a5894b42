/**
 * Gradient-boosted trees for binary log loss, grown the LightGBM way on a `BinnedDataset`. This
 * file is the boosting loop (LightGBM's `boosting/`): gradients, bagging and feature sampling
 * (`sampling.ts`) each round, one tree (`tree-grower.ts`: leaf-wise growth on histograms of
 * (gradient, hessian) per bin with subtraction), validation scores and early stopping. The
 * per-leaf work runs in the kernels `kernel-choice.ts` picks: JavaScript (`js-kernels.ts` over
 * `histogram.ts`, `partition.ts`, `best-split.ts`) or WebAssembly (`wasm-kernels.ts`), which
 * grow the same trees.
 */
import { InvalidInputError } from '../../errors';
import type { FeatureMatrix } from '../../frame';
import { createRng } from '../../random';
import { type GbdtMetric, resolveGbdtParams } from '../params';
import type { Tree } from '../tree';
import type { BinnedDataset } from './binning';
import { evaluateMargins, higherIsBetter } from './evaluation';
import { createTreeKernels, resolveKernelChoice } from './kernel-choice';
import type { GbdtModel } from './model';
import { drawBag, drawFeatures, usableFeatures } from './sampling';
import { TreeGrower } from './tree-grower';
import type { KernelChoice } from './tree-kernels';

export interface ValidationSet {
  readonly features: FeatureMatrix;
  readonly labels: ArrayLike<number>;
}

export interface IterationReport {
  /** Rounds trained so far (1 after the first tree). */
  readonly iteration: number;
  readonly metric: GbdtMetric;
  /** Validation metric after this round; NaN without a validation set. */
  readonly score: number;
  readonly bestIteration: number;
  readonly bestScore: number;
}

export interface TrainOptions {
  /** LightGBM parameters by name or alias (see `gbdtParamTable`). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Training rows (indices into the dataset), e.g. the inner split of a search; default all rows. */
  readonly rows?: ArrayLike<number>;
  readonly validation?: ValidationSet;
  /**
   * Called after every round; returning `false` stops training (a pruner's verdict). Trees up to
   * this round are kept (or up to the best round when early stopping is on).
   */
  readonly onIteration?: (report: IterationReport) => boolean | undefined;
  /**
   * The tree kernels (see `kernel-choice.ts`): default the environment variable
   * `LINE_RCA_GBDT_KERNEL`, else `auto`. Every choice grows the same trees.
   */
  readonly kernel?: KernelChoice;
}

/** Trains a binary classifier; `labels[i]` is the label of dataset row `i` (0 or 1). */
export function trainGbdt(
  data: BinnedDataset,
  labels: ArrayLike<number>,
  options: TrainOptions = {},
): GbdtModel {
  const params = resolveGbdtParams(options.params ?? {}, 'params.');
  const kernel = resolveKernelChoice(options.kernel);
  const rows = trainingRows(data, labels, options.rows);
  const validation = options.validation
    ? checkValidation(data, options.validation, params.metric)
    : undefined;

  const n = data.rows;
  const y = new Uint8Array(n);
  let positives = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    y[r] = labels[r];
    positives += y[r];
  }
  const baseMargin = params.boost_from_average ? Math.log(positives / (rows.length - positives)) : 0;

  const rng = createRng(params.seed);
  const score = new Float64Array(n).fill(baseMargin);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const bagging = params.bagging_freq > 0 && params.bagging_fraction < 1;
  let bag: Uint32Array = rows;
  let outOfBag: Uint32Array = new Uint32Array(0);
  const usable = usableFeatures(data);

  const validMargin = validation ? new Float64Array(validation.features.rows).fill(baseMargin) : undefined;
  const better = higherIsBetter(params.metric);
  const scores: number[] = [];
  let bestScore = better ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  let bestIteration = 0;
  const trees: Tree[] = [];

  const kernels = createTreeKernels(data, params, kernel);
  try {
    const grower = new TreeGrower(data, params, kernels);
    for (let iter = 0; iter < params.num_iterations; iter++) {
      if (bagging && iter % params.bagging_freq === 0)
        [bag, outOfBag] = drawBag(rows, params.bagging_fraction, rng);
      logLossGradients(bag, y, score, params.scale_pos_weight, grad, hess);
      const features = drawFeatures(usable, params.feature_fraction, rng);
      const tree = grower.grow(bag, grad, hess, features);
      if (tree.numLeaves <= 1) break; // no leaf can be split any more: LightGBM stops here too
      trees.push(tree);
      grower.addToScores(score, outOfBag);

      let current = Number.NaN;
      if (validation && validMargin) {
        addTreeToMargins(tree, validation.features, validMargin);
        current = evaluateMargins(params.metric, validMargin, validation.labels);
        scores.push(current);
        if (better ? current > bestScore : current < bestScore) {
          bestScore = current;
          bestIteration = trees.length;
        }
      }
      const proceed = options.onIteration?.({
        iteration: trees.length,
        metric: params.metric,
        score: current,
        bestIteration,
        bestScore,
      });
      if (proceed === false) break;
      if (
        validation &&
        params.early_stopping_round > 0 &&
        trees.length - bestIteration >= params.early_stopping_round
      ) {
        break;
      }
    }
  } finally {
    kernels.release();
  }
  const keep =
    validation && params.early_stopping_round > 0 && bestIteration > 0 ? bestIteration : trees.length;
  return {
    kind: 'gbdt',
    featureNames: [...data.featureNames],
    trees: trees.slice(0, keep),
    baseMargin,
    params,
    bestIteration: keep,
    evaluation: { metric: params.metric, scores },
  };
}

// ---- input checks ---------------------------------------------------------------------------

function trainingRows(
  data: BinnedDataset,
  labels: ArrayLike<number>,
  subset?: ArrayLike<number>,
): Uint32Array {
  if (data.rows === 0) throw new InvalidInputError({ where: 'data', message: 'no rows to train on' });
  if (labels.length !== data.rows) {
    throw new InvalidInputError({
      where: 'labels',
      message: `${labels.length} labels for ${data.rows} rows; give one label per row`,
    });
  }
  let rows: Uint32Array;
  if (subset) {
    if (subset.length === 0) throw new InvalidInputError({ where: 'rows', message: 'no rows to train on' });
    rows = new Uint32Array(subset.length);
    for (let k = 0; k < subset.length; k++) {
      const r = subset[k];
      if (!Number.isInteger(r) || r < 0 || r >= data.rows) {
        throw new InvalidInputError({
          where: `rows[${k}]`,
          message: `row ${r} is not in 0..${data.rows - 1}`,
        });
      }
      rows[k] = r;
    }
    rows.sort(); // ascending rows keep histogram reads sequential
  } else {
    rows = new Uint32Array(data.rows);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
  }
  let positives = 0;
  for (let k = 0; k < rows.length; k++) {
    const v = labels[rows[k]];
    if (v !== 0 && v !== 1) {
      const what = Number.isNaN(v) ? 'NaN' : !Number.isFinite(v) ? 'infinite' : String(v);
      throw new InvalidInputError({
        where: `labels[${rows[k]}]`,
        message: `label is ${what}; labels must be 0 or 1`,
      });
    }
    positives += v;
  }
  if (positives === 0 || positives === rows.length) {
    throw new InvalidInputError({
      where: 'labels',
      message: `a single class (all ${positives === 0 ? 0 : 1}) in ${rows.length} training rows; need both 0 and 1`,
    });
  }
  return rows;
}

function checkValidation(data: BinnedDataset, v: ValidationSet, metric: GbdtMetric): ValidationSet {
  if (v.features.columns.length !== data.featureNames.length) {
    throw new InvalidInputError({
      where: 'validation.features',
      message: `${v.features.columns.length} features, the training data has ${data.featureNames.length}`,
    });
  }
  if (v.labels.length !== v.features.rows) {
    throw new InvalidInputError({
      where: 'validation.labels',
      message: `${v.labels.length} labels for ${v.features.rows} rows`,
    });
  }
  if (v.features.rows === 0) throw new InvalidInputError({ where: 'validation', message: 'no rows' });
  let positives = 0;
  for (let i = 0; i < v.labels.length; i++) {
    const y = v.labels[i];
    if (y !== 0 && y !== 1) {
      throw new InvalidInputError({
        where: `validation.labels[${i}]`,
        message: `label is ${y}; labels must be 0 or 1`,
      });
    }
    positives += y;
  }
  if (metric === 'auc' && (positives === 0 || positives === v.labels.length)) {
    throw new InvalidInputError({ where: 'validation.labels', message: 'a single class: AUC is undefined' });
  }
  return v;
}

// ---- gradients and validation margins -------------------------------------------------------

/** Gradient and hessian of the log loss at the current margins; positives weighted. */
function logLossGradients(
  rows: Uint32Array,
  y: Uint8Array,
  score: Float64Array,
  posWeight: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const p = 1 / (1 + Math.exp(-score[r]));
    const w = y[r] === 1 ? posWeight : 1;
    grad[r] = (p - y[r]) * w;
    hess[r] = p * (1 - p) * w;
  }
}

function addTreeToMargins(tree: Tree, features: FeatureMatrix, margin: Float64Array): void {
  const { splitFeature, threshold, defaultLeft, leftChild, rightChild, leafValue } = tree;
  const columns = features.columns;
  for (let i = 0; i < margin.length; i++) {
    let node = 0;
    for (;;) {
      const v = columns[splitFeature[node]][i];
      const left = Number.isNaN(v) ? defaultLeft[node] === 1 : v <= threshold[node];
      node = left ? leftChild[node] : rightChild[node];
      if (node < 0) break;
    }
    margin[i] += leafValue[~node];
  }
}
