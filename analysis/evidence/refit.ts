/**
 * One stability fold with the learner registry: the configuration explained, refitted as the
 * final model is (`finalParams`) on the fold's training rows, and each feature's mean |SHAP| on
 * the fold's rows. What a compute thread runs for each fold of the stability stage.
 */
import type { FinalFit } from '../learners/final';
import type { LearningData } from '../learners/learner';
import { learnerOf } from '../learners/registry';

/**
 * Mean |SHAP| of every feature of `data.features` (shadows included) on `fold.explain`, from the
 * model fitted on `fold.train`; null when those rows hold a single population (the fold is left
 * out, as `stabilityOf` expects).
 */
export function refitImportance(
  data: LearningData,
  fold: { readonly train: ArrayLike<number>; readonly explain: ArrayLike<number> },
  fit: FinalFit,
): Float64Array | null {
  let positives = 0;
  for (let k = 0; k < fold.train.length; k++) positives += data.labels[fold.train[k]];
  if (positives === 0 || positives === fold.train.length) return null;
  const learner = learnerOf(fit.kind);
  const { model } = learner.fit(data, {
    params: learner.finalParams(fit.params, fit.bestIteration),
    train: fold.train,
  });
  const shap = learner.shap(model, data.features, fold.explain);
  const names = data.features.names;
  // A map, not indexOf: with 25,000 features and their shadows, indexOf took seconds a fold.
  const index = new Map<string, number>();
  names.forEach((name, j) => {
    if (!index.has(name)) index.set(name, j);
  });
  const column = shap.features.map((name) => index.get(name) ?? -1);
  const importance = new Float64Array(names.length);
  const width = column.length;
  for (let r = 0; r < shap.rows; r++)
    for (let j = 0; j < width; j++) importance[column[j]] += Math.abs(shap.values[r * width + j]);
  if (shap.rows > 0) for (let j = 0; j < importance.length; j++) importance[j] /= shap.rows;
  return importance;
}
