/**
 * One stability fold with the learner registry: the configuration explained, refitted as the
 * final model is (`finalParams`) on the fold's training rows, and each feature's mean |SHAP| on
 * the fold's rows. What a compute thread runs for each fold of the stability stage.
 */
import type { FinalFit } from '../learners/final';
import type { LearnerParams, LearningData } from '../learners/learner';
import { learnerOf } from '../learners/registry';

const FOLD_TOLERANCE = 1e-3;

/**
 * The refit's parameters for a fold that trains on `share` of the final fit's rows. The trees'
 * `min_data_in_leaf` and `lambda_l1`/`lambda_l2` count against sums over rows, so they are
 * scaled by share to regularize a row as the final fit does.
 *
 * An L1 logistic regression's `C` is divided by √share. Its penalty per row is 1/(C·rows); the
 * lasso's noise level, which that penalty must clear, falls as 1/√rows (Bickel, Ritov and
 * Tsybakov, Ann. Stat. 2009), so a fold on fewer rows needs a penalty per row larger by
 * 1/√share to select as the final fit does. Measured when folds trained on a fifth of the rows:
 * kept as it is (five times the penalty per row), a fold near the final fit's sparsity edge kept
 * only one variable of an interaction (seeds 3201, 3202, 3208 on minutes, 3208 on batches: the
 * second variable above the shadows in 0–2 of 5 folds); divided by share (the same penalty per
 * row, no allowance for the noise), the demo's strongest shadows rose above its second cause. An
 * L2 regression keeps its `C`: as a Gaussian prior on the coefficients, its penalty does not
 * depend on the rows.
 */
export function foldParams(kind: string, params: LearnerParams, share: number): LearnerParams {
  if (!(share > 0 && share < 1)) return params;
  const scaled = (name: string, by: number, round = false): LearnerParams => {
    const value = params[name];
    if (typeof value !== 'number') return {};
    return { [name]: round ? Math.max(1, Math.round(value * by)) : value * by };
  };
  // A fold ranks the variables against the shadows, it does not report coefficients: a gradient
  // tolerance of 1e-3 (the final fit's 1e-4) ranks the same on the demo at a tenth of the
  // iterations, which keeps the five fits within the evaluate stage's time.
  if (kind === 'logistic')
    return {
      ...params,
      ...(params.penalty === 'l1' ? scaled('C', 1 / Math.sqrt(share)) : {}),
      tol: FOLD_TOLERANCE,
    };
  if (kind === 'gbdt')
    return {
      ...params,
      ...scaled('min_data_in_leaf', share, true),
      ...scaled('lambda_l1', share),
      ...scaled('lambda_l2', share),
    };
  return params;
}

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
