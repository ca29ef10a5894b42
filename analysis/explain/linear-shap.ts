/**
 * Exact SHAP values of a linear model in margin (log-odds) space with independent features
 * (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions"): each feature's
 * value is its coefficient times how far the row's model input is from that input's mean,
 *
 *     φ_j = w_j · (z_j − E[z_j]),   expected value = b + Σ_j w_j · E[z_j],
 *
 * so expected value + Σ φ_j is the row's margin. `z` is the model's input after its
 * preprocessing: a missing value replaced by the training median, then `(x − mean) / scale`.
 * Explaining `z` rather than raw `x` gives the same φ (the map is affine per feature), and a
 * missing value gets the attribution of its imputed value.
 *
 * Written against the fields it needs, so the logistic model (`analysis/learners/logistic.ts`)
 * plugs in as it is.
 */
import { InvalidInputError, unknownName } from '../errors';
import type { FeatureMatrix } from '../frame';
import type { ShapValues } from './tree-shap';

export interface LinearShapModel {
  readonly featureNames: readonly string[];
  /** Replaces a missing (NaN) value. */
  readonly medians: Float64Array;
  /** Standardization of the imputed value: z = (x − mean) / scale. */
  readonly means: Float64Array;
  readonly scales: Float64Array;
  /** Coefficients on z, and intercept: margin = intercept + Σ coefficients_j z_j. */
  readonly coefficients: Float64Array;
  readonly intercept: number;
}

export interface LinearShapOptions {
  /**
   * Rows whose mean model input is the reference E[z]. Omitted: the training rows the model
   * was standardized on, whose mean z is 0 by construction.
   */
  readonly background?: FeatureMatrix;
}

function columnsFor(model: LinearShapModel, matrix: FeatureMatrix, where: string): Float64Array[] {
  const byName = new Map(matrix.names.map((n, j) => [n, j]));
  return model.featureNames.map((name) => {
    const j = byName.get(name);
    if (j === undefined) {
      throw new InvalidInputError({
        where: `${where}: ${name}`,
        message: unknownName('model feature', name, matrix.names),
      });
    }
    return matrix.columns[j];
  });
}

function checkModel(model: LinearShapModel): void {
  const F = model.featureNames.length;
  for (const [key, array] of [
    ['medians', model.medians],
    ['means', model.means],
    ['scales', model.scales],
    ['coefficients', model.coefficients],
  ] as const) {
    if (array.length !== F) {
      throw new InvalidInputError({
        where: `linear model ${key}`,
        message: `${array.length} values for ${F} features`,
      });
    }
  }
}

/** The model input z of feature j for raw value v. */
function input(model: LinearShapModel, j: number, v: number): number {
  return ((Number.isNaN(v) ? model.medians[j] : v) - model.means[j]) / model.scales[j];
}

/** SHAP values of every row of `matrix` (columns matched by name) for a linear model. */
export function linearShap(
  model: LinearShapModel,
  matrix: FeatureMatrix,
  options: LinearShapOptions = {},
): ShapValues {
  checkModel(model);
  const F = model.featureNames.length;
  const meanInput = new Float64Array(F);
  if (options.background !== undefined) {
    const background = options.background;
    if (background.rows === 0) {
      throw new InvalidInputError({
        where: 'background',
        message: 'has no rows; omit it to use the training mean',
      });
    }
    const columns = columnsFor(model, background, 'background');
    for (let j = 0; j < F; j++) {
      let sum = 0;
      for (let i = 0; i < background.rows; i++) sum += input(model, j, columns[j][i]);
      meanInput[j] = sum / background.rows;
    }
  }
  let expectedValue = model.intercept;
  for (let j = 0; j < F; j++) expectedValue += model.coefficients[j] * meanInput[j];

  const columns = columnsFor(model, matrix, 'rows');
  const n = matrix.rows;
  const values = new Float64Array(n * F);
  for (let j = 0; j < F; j++) {
    const w = model.coefficients[j];
    const column = columns[j];
    for (let i = 0; i < n; i++) values[i * F + j] = w * (input(model, j, column[i]) - meanInput[j]);
  }
  return { rows: n, features: model.featureNames, values, expectedValue };
}
