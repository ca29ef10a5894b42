/**
 * A fitted `LogisticModel` as an ONNX model, its preprocessing included:
 *
 *   features [N, F] ──Imputer (NaN → training median)──Scaler ((x − mean) / scale)──
 *     LinearClassifier (post_transform LOGISTIC)──> label [N], probabilities [N, 2]
 *                                                 ──Slice [:, 1:2]──> probability [N, 1]
 *
 * Standardization stays a separate Scaler instead of being folded into the coefficients: in
 * float32, `Σ (w/s)·x − Σ w·m/s` cancels badly for features far from zero (rpm ≈ 1500,
 * kelvins ≈ 300), while `(x − m)·(1/s)` keeps the error at float32 rounding of z.
 * The classifier gets two explicit rows of coefficients (−w, −b for class 0; w, b for class
 * 1) so every runtime reads the same thing: LOGISTIC on each score gives 1 − p and p.
 * `probability` is the same [N, 1] output the tree export has.
 */
import { InvalidInputError } from '../errors';
import type { LogisticModel } from '../learners/logistic/model';
import { FEATURES_INPUT, FLOAT, INT64, int64Tensor, node, serializeModel, tensorInfo } from './proto';

export function logisticToOnnx(model: LogisticModel): Uint8Array {
  const f = model.featureNames.length;
  const arrays = {
    medians: model.medians,
    means: model.means,
    scales: model.scales,
    coefficients: model.coefficients,
  };
  for (const [name, values] of Object.entries(arrays)) {
    if (values.length !== f || !values.every(Number.isFinite)) {
      throw new InvalidInputError({
        where: `onnx export: logistic ${name}`,
        message: `must hold ${f} finite numbers`,
      });
    }
  }
  // The runtime holds offsets and scales as float32. Use the float32 values it will use and
  // fold what rounding leaves out back into the coefficients and intercept (in float64), so
  // only float32 arithmetic remains: with x = 300 K and a 2 K scale, rounding the mean alone
  // would move z by ~5e-6.
  const offsets = Array.from(model.means, (m) => Math.fround(m));
  const factors = Array.from(model.scales, (s) => Math.fround(1 / s));
  const w: number[] = [];
  let b = model.intercept;
  for (let j = 0; j < f; j++) {
    // w·(x − m)/s = w' · (x − m32)·s32 − w·(m − m32)/s, with w' = w / (s · s32).
    const coefficient = model.coefficients[j];
    w.push(coefficient / (model.scales[j] * factors[j]));
    b -= (coefficient * (model.means[j] - offsets[j])) / model.scales[j];
  }
  const imputer = node('Imputer', 'ai.onnx.ml', [FEATURES_INPUT], ['imputed'], {
    imputed_value_floats: { floats: Array.from(model.medians) },
    replaced_value_float: { float: Number.NaN },
  });
  const scaler = node('Scaler', 'ai.onnx.ml', ['imputed'], ['standardized'], {
    offset: { floats: offsets },
    scale: { floats: factors },
  });
  const classifier = node('LinearClassifier', 'ai.onnx.ml', ['standardized'], ['label', 'probabilities'], {
    classlabels_ints: { ints: [0, 1] },
    coefficients: { floats: [...w.map((v) => -v), ...w] },
    intercepts: { floats: [-b, b] },
    multi_class: { int: 0 },
    post_transform: { string: 'LOGISTIC' },
  });
  const positive = node(
    'Slice',
    '',
    ['probabilities', 'slice_start', 'slice_end', 'slice_axis'],
    ['probability'],
  );
  return serializeModel({
    graphName: 'line_rca_logistic',
    docString: `line-rca logistic regression (${model.params.penalty}, C=${model.params.C}), ${f} features`,
    featureNames: model.featureNames,
    nodes: [imputer, scaler, classifier, positive],
    initializers: [
      int64Tensor('slice_start', [1]),
      int64Tensor('slice_end', [2]),
      int64Tensor('slice_axis', [1]),
    ],
    outputs: [
      tensorInfo('label', INT64, ['N'], '1 when the probability of the positive class exceeds 0.5'),
      tensorInfo('probabilities', FLOAT, ['N', 2], 'probabilities of class 0 and class 1'),
      tensorInfo('probability', FLOAT, ['N', 1], 'probability of the positive class'),
    ],
  });
}
