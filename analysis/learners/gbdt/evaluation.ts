/**
 * The validation metrics the booster watches every round (LightGBM's `binary_logloss` and
 * `auc`), computed from margins. Kept here, small and allocation-light, because they run once per
 * boosting round inside training.
 */
import type { GbdtMetric } from '../params';

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: GbdtMetric): boolean {
  return metric === 'auc';
}

export function evaluateMargins(
  metric: GbdtMetric,
  margins: Float64Array,
  labels: ArrayLike<number>,
): number {
  return metric === 'auc' ? aucOfMargins(margins, labels) : loglossOfMargins(margins, labels);
}

/** Mean binary log loss of margins (log-odds), computed stably without forming probabilities. */
export function loglossOfMargins(margins: Float64Array, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < margins.length; i++) {
    const z = labels[i] === 1 ? margins[i] : -margins[i];
    // -log(sigmoid(z)) = log(1 + exp(-z)), written to avoid overflow.
    sum += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
  }
  return sum / margins.length;
}

/** ROC AUC of margins; tied scores count one half (the Mann–Whitney statistic). */
export function aucOfMargins(margins: Float64Array, labels: ArrayLike<number>): number {
  const n = margins.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => margins[a] - margins[b]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Sum of ranks of the positives, ties sharing their mean rank.
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && margins[order[j]] === margins[order[i]]) j++;
    const meanRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]] === 1) rankSum += meanRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
