/**
 * Binary classification metrics with scikit-learn's definitions, so a figure reported here can be
 * checked against `sklearn.metrics` on the same numbers. Every ranking metric sorts once
 * (O(n log n)) and walks the distinct scores from the highest down, the way sklearn's
 * `_binary_clf_curve` does; ties in the score form one step, never an arbitrary order.
 *
 * Conventions shared by every function:
 * - `labels[i]` is 1 (positive) or 0 (negative); anything else is an InvalidInputError.
 * - `weights`, when given, are finite non-negative sample weights (sklearn's `sample_weight`).
 * - A row is predicted positive when `score >= threshold` (sklearn's precision/recall curve
 *   convention).
 */
import { InvalidInputError } from '../errors';

// Module-level aliases for per-row loops: a global lookup per element is slow inside sandboxed
// contexts (jest's vm, some worker set-ups), a module constant is not.
const { log, max, min } = Math;
const isFinite64 = Number.isFinite;

/** Weighted counts of a thresholded prediction. */
export interface ConfusionMatrix {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** The F1-optimal operating point on sklearn's precision/recall curve. */
export interface F1Threshold {
  /** Predict positive when `score >= threshold`; one of the observed scores. */
  readonly threshold: number;
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
}

/** Cumulative weighted true and false positives at each distinct score, highest score first. */
interface RankedCounts {
  /** Distinct scores, decreasing. */
  readonly thresholds: Float64Array;
  /** Weight of positives with score >= thresholds[k]. */
  readonly tps: Float64Array;
  /** Weight of negatives with score >= thresholds[k]. */
  readonly fps: Float64Array;
}

function checkInputs(
  where: string,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  scoreKind: 'score' | 'probability',
): void {
  const plural = scoreKind === 'score' ? 'scores' : 'probabilities';
  const n = labels.length;
  if (n === 0) throw new InvalidInputError({ where, message: 'no rows: labels are empty' });
  if (scores.length !== n) {
    throw new InvalidInputError({
      where,
      message: `${n} labels but ${scores.length} ${plural}; they must have the same length`,
    });
  }
  if (weights !== undefined && weights.length !== n) {
    throw new InvalidInputError({
      where,
      message: `${n} labels but ${weights.length} weights; they must have the same length`,
    });
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) {
      throw new InvalidInputError({
        where: `${where}: row ${i}`,
        message: `label is ${y}; labels must be 0 or 1`,
      });
    }
    const s = scores[i];
    if (!isFinite64(s)) {
      throw new InvalidInputError({
        where: `${where}: row ${i}`,
        message: `${scoreKind} is ${s}; it must be a finite number`,
      });
    }
    if (weights !== undefined) {
      const w = weights[i];
      if (!isFinite64(w) || w < 0) {
        throw new InvalidInputError({
          where: `${where}: row ${i}`,
          message: `weight is ${w}; weights must be finite and >= 0`,
        });
      }
    }
  }
}

function checkProbabilities(where: string, probabilities: ArrayLike<number>): void {
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p < 0 || p > 1) {
      throw new InvalidInputError({
        where: `${where}: row ${i}`,
        message: `probability is ${p}; it must lie in [0, 1]`,
      });
    }
  }
}

function requireBothClasses(where: string, positives: number, negatives: number): void {
  if (positives <= 0 || negatives <= 0) {
    const missing = positives <= 0 ? 'positive' : 'negative';
    throw new InvalidInputError({
      where,
      message: `only one class present: no ${missing} rows (with weight > 0); the metric is undefined`,
    });
  }
}

function rankedCounts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): RankedCounts {
  return weights === undefined
    ? rankedCountsUnweighted(labels, scores)
    : rankedCountsWeighted(labels, scores, weights);
}

/**
 * Without weights only the scores of each class matter: two native numeric sorts (much faster
 * than sorting indices with a comparator) and a merge from the top.
 */
function rankedCountsUnweighted(labels: ArrayLike<number>, scores: ArrayLike<number>): RankedCounts {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  }
  pos.sort();
  neg.sort();
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let p = pos.length - 1;
  let q = neg.length - 1;
  let k = 0;
  while (p >= 0 || q >= 0) {
    // The next distinct score from the top, and every row of either class that has it.
    const s = p < 0 ? neg[q] : q < 0 ? pos[p] : Math.max(pos[p], neg[q]);
    while (p >= 0 && pos[p] === s) p--;
    while (q >= 0 && neg[q] === s) q--;
    thresholds[k] = s;
    tps[k] = pos.length - 1 - p;
    fps[k] = neg.length - 1 - q;
    k++;
  }
  return { thresholds: thresholds.subarray(0, k), tps: tps.subarray(0, k), fps: fps.subarray(0, k) };
}

/**
 * With weights: sort a copy of the scores natively, keep the distinct values, add each row's
 * weight to its value's slot (binary search), then accumulate from the top. No comparator sort.
 */
function rankedCountsWeighted(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
): RankedCounts {
  const n = labels.length;
  const sorted = Float64Array.from(scores).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i];
  const values = sorted.subarray(0, distinct); // increasing
  const positive = new Float64Array(distinct);
  const negative = new Float64Array(distinct);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    if (labels[i] === 1) positive[lo] += weights[i];
    else negative[lo] += weights[i];
  }
  const thresholds = new Float64Array(distinct);
  const tps = new Float64Array(distinct);
  const fps = new Float64Array(distinct);
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < distinct; k++) {
    const v = distinct - 1 - k;
    tp += positive[v];
    fp += negative[v];
    thresholds[k] = values[v];
    tps[k] = tp;
    fps[k] = fp;
  }
  return { thresholds, tps, fps };
}

/**
 * Area under the ROC curve, as `sklearn.metrics.roc_auc_score`: the trapezoidal area over the
 * curve's distinct thresholds, so tied scores count half (the Mann–Whitney statistic).
 */
export function rocAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkInputs('rocAuc', labels, scores, weights, 'score');
  const { tps, fps } = rankedCounts(labels, scores, weights);
  const k = tps.length;
  const positives = tps[k - 1];
  const negatives = fps[k - 1];
  requireBothClasses('rocAuc', positives, negatives);
  // Trapezoids in count units, normalised once at the end.
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let j = 0; j < k; j++) {
    area += (fps[j] - prevFp) * (tps[j] + prevTp);
    prevTp = tps[j];
    prevFp = fps[j];
  }
  return area / (2 * positives * negatives);
}

/**
 * Average precision as `sklearn.metrics.average_precision_score`: the step integral
 * `Σ_k (R_k − R_{k−1}) · P_k` over the distinct thresholds from the highest down (no
 * interpolation), with `R_0 = 0`.
 */
export function averagePrecision(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkInputs('averagePrecision', labels, scores, weights, 'score');
  const { tps, fps } = rankedCounts(labels, scores, weights);
  const k = tps.length;
  const positives = tps[k - 1];
  if (positives <= 0) {
    throw new InvalidInputError({
      where: 'averagePrecision',
      message: 'no positive rows (with weight > 0); average precision is undefined',
    });
  }
  let sum = 0;
  let prevRecall = 0;
  for (let j = 0; j < k; j++) {
    const recall = tps[j] / positives;
    const predicted = tps[j] + fps[j];
    const precision = predicted > 0 ? tps[j] / predicted : 0;
    sum += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return Math.max(0, sum);
}

/** Machine epsilon of float64: sklearn clips probabilities to [eps, 1 − eps] with it. */
const FLOAT64_EPS = 2 ** -52;

/**
 * Mean negative log-likelihood, as `sklearn.metrics.log_loss` with 1-D probabilities of the
 * positive class: `p` and `1 − p` are each clipped to `[eps, 1 − eps]` (float64 eps) first.
 */
export function logLoss(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkInputs('logLoss', labels, probabilities, weights, 'probability');
  checkProbabilities('logLoss', probabilities);
  const n = labels.length;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i];
    const p = labels[i] === 1 ? probabilities[i] : 1 - probabilities[i];
    const clipped = min(max(p, FLOAT64_EPS), 1 - FLOAT64_EPS);
    sum -= w * log(clipped);
    total += w;
  }
  if (total <= 0) throw new InvalidInputError({ where: 'logLoss', message: 'weights sum to zero' });
  return sum / total;
}

/** Mean squared difference between probability and label, as `sklearn.metrics.brier_score_loss`. */
export function brierScore(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  checkInputs('brierScore', labels, probabilities, weights, 'probability');
  checkProbabilities('brierScore', probabilities);
  const n = labels.length;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i];
    const d = probabilities[i] - labels[i];
    sum += w * d * d;
    total += w;
  }
  if (total <= 0) throw new InvalidInputError({ where: 'brierScore', message: 'weights sum to zero' });
  return sum / total;
}

/**
 * The threshold with the highest F1 among the thresholds of
 * `sklearn.metrics.precision_recall_curve` (every distinct score; predict positive when
 * `score >= threshold`). F1 is computed as `2·tp / (2·tp + fp + fn)` (0 when that is 0/0). On a
 * tie the lowest threshold wins, as `np.argmax` over sklearn's increasing thresholds does.
 */
export function f1OptimalThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): F1Threshold {
  checkInputs('f1OptimalThreshold', labels, scores, weights, 'score');
  const { thresholds, tps, fps } = rankedCounts(labels, scores, weights);
  const k = tps.length;
  const positives = tps[k - 1];
  if (positives <= 0) {
    throw new InvalidInputError({
      where: 'f1OptimalThreshold',
      message: 'no positive rows (with weight > 0); F1 is undefined',
    });
  }
  let best = 0;
  let bestF1 = -1;
  for (let j = 0; j < k; j++) {
    const denominator = tps[j] + fps[j] + positives;
    const f1 = denominator > 0 ? (2 * tps[j]) / denominator : 0;
    // `>=`: walking from high to low thresholds, the last maximum is the lowest threshold.
    if (f1 >= bestF1) {
      bestF1 = f1;
      best = j;
    }
  }
  const predicted = tps[best] + fps[best];
  return {
    threshold: thresholds[best],
    f1: bestF1,
    precision: predicted > 0 ? tps[best] / predicted : 0,
    recall: tps[best] / positives,
  };
}

/** Weighted confusion matrix of `score >= threshold` against the labels. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
  weights?: ArrayLike<number>,
): ConfusionMatrix {
  checkInputs('confusionMatrix', labels, scores, weights, 'score');
  if (Number.isNaN(threshold)) {
    throw new InvalidInputError({ where: 'confusionMatrix', message: 'threshold is NaN' });
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i];
    const positive = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (positive) tp += w;
      else fn += w;
    } else if (positive) fp += w;
    else tn += w;
  }
  return { tp, fp, tn, fn };
}

/**
 * Mean of the recall of each class at `score >= threshold`, as
 * `sklearn.metrics.balanced_accuracy_score` on those predictions.
 */
export function balancedAccuracy(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
  weights?: ArrayLike<number>,
): number {
  const { tp, fp, tn, fn } = confusionMatrix(labels, scores, threshold, weights);
  requireBothClasses('balancedAccuracy', tp + fn, tn + fp);
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}
