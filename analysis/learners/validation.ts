/**
 * Scoring a model on held-out rows: the figures of the results document (`model.validation`),
 * and the check that a set of rows holds both populations.
 */
import { InvalidInputError } from '../errors';
import type { Labels } from '../frame';
import type { ValidationMetrics } from '../results';
import { positivesIn } from '../split';
import { averagePrecision, logLoss, rocAuc } from './metrics';

/** The figures of the results document's `model.validation`. */
export type ValidationFigures = ValidationMetrics;

/** Throws unless `rows` hold at least one positive and one negative observation. */
export function checkBothClasses(labels: Labels, rows: ArrayLike<number>, where: string): void {
  const positives = positivesIn(labels, rows);
  if (positives > 0 && positives < rows.length) return;
  throw new InvalidInputError({
    where,
    message: `needs both positive and negative observations; it has ${positives} positive of ${rows.length} (use more data, a longer period or a smaller validation.fraction)`,
  });
}

/** The figures of margins `margin` against `labels` (one per row scored). */
export function validationFigures(margin: Float64Array, labels: Labels): ValidationFigures {
  let positives = 0;
  for (const y of labels) positives += y;
  const rows = labels.length;
  const probability = margin.map((m) => 1 / (1 + Math.exp(-m)));
  const logloss = rows > 0 ? logLoss(labels, probability) : Number.NaN;
  if (rows === 0) {
    return {
      auc: null,
      prAuc: null,
      logloss,
      rows,
      positives,
      reason: 'the validation period holds no observation',
    };
  }
  if (positives === 0 || positives === rows) {
    const missing = positives === 0 ? 'bad' : 'good';
    return {
      auc: null,
      prAuc: positives === 0 ? null : averagePrecision(labels, margin),
      logloss,
      rows,
      positives,
      reason: `the validation period holds no ${missing} observation (${positives} positive of ${rows}): a single population cannot measure how the model ranks them`,
    };
  }
  return { auc: rocAuc(labels, margin), prAuc: averagePrecision(labels, margin), logloss, rows, positives };
}
