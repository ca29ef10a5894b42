/**
 * ONNX export of our models, so the platform can score them anywhere (onnxruntime in Node, Python,
 * C#, the browser). Every exported model has the same contract:
 *
 * - input `features`: float32 [N, F], columns in the order of the metadata entry
 *   `feature_names` (a JSON array); NaN is a missing value;
 * - output `probability`: float32 [N, 1], probability of the positive class.
 *
 * Tree ensembles add `margin` [N, 1] (log-odds); logistic models add `label` int64 [N] and
 * `probabilities` [N, 2] (sklearn-onnx's classifier outputs).
 *
 * Each learner names its exporter in its record (`learnerOf(kind).toOnnx`).
 */
export { float32AtOrBelow } from './float32';
export { logisticToOnnx } from './logistic';
export { treeEnsembleToOnnx } from './trees';
