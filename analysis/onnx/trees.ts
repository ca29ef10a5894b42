/**
 * A `TreeEnsemble` (GBDT learner, LightGBM loader) as an ONNX model any ONNX runtime scores:
 *
 *   features [N, F] ──TreeEnsembleRegressor (ai.onnx.ml)──> margin [N, 1] ──Sigmoid──> probability [N, 1]
 *
 * Why the regressor plus Sigmoid and not TreeEnsembleClassifier: the classifier's binary case
 * is loosely specified (how one base value and one class of weights become two scores and a
 * label differs between runtimes and versions); a sum of leaf values plus a sigmoid means the
 * same everywhere and also exposes the margin, which SHAP and the platform use.
 *
 * Mapping of our trees (see `analysis/learners/tree.ts`): internal node `i` keeps id `i`, leaf
 * `k` gets id `numLeaves − 1 + k`; mode BRANCH_LEQ (`x <= threshold` → true branch = our left);
 * `nodes_missing_value_tracks_true` = `defaultLeft`, so NaN goes where it went in training;
 * `base_values` = `baseMargin`. Thresholds are rounded down to float32 (`float32AtOrBelow`), so
 * for float32 inputs every decision is exactly ours; only leaf values and the sum are float32.
 */
import { InvalidInputError } from '../errors';
import type { TreeEnsemble } from '../learners/tree';
import { float32AtOrBelow } from './float32';
import { FEATURES_INPUT, FLOAT, node, serializeModel, tensorInfo } from './proto';

export function treeEnsembleToOnnx(ensemble: TreeEnsemble): Uint8Array {
  const featureCount = ensemble.featureNames.length;
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetWeights: number[] = [];

  if (!Number.isFinite(ensemble.baseMargin)) {
    throw new InvalidInputError({ where: 'onnx export: baseMargin', message: `is ${ensemble.baseMargin}` });
  }
  ensemble.trees.forEach((tree, t) => {
    const where = `onnx export: tree ${t}`;
    const internal = Math.max(0, tree.numLeaves - 1);
    const leafId = (child: number) => internal + ~child;
    const childId = (child: number) => (child >= 0 ? child : leafId(child));
    for (let i = 0; i < internal; i++) {
      const feature = tree.splitFeature[i];
      if (!(feature >= 0 && feature < featureCount)) {
        throw new InvalidInputError({
          where: `${where}, node ${i}`,
          message: `splits on feature ${feature}; the ensemble has ${featureCount} features`,
        });
      }
      const threshold = tree.threshold[i];
      if (Number.isNaN(threshold)) {
        throw new InvalidInputError({ where: `${where}, node ${i}`, message: 'threshold is NaN' });
      }
      for (const child of [tree.leftChild[i], tree.rightChild[i]]) {
        if (child >= internal || ~child >= tree.numLeaves) {
          throw new InvalidInputError({
            where: `${where}, node ${i}`,
            message: `child ${child} does not exist`,
          });
        }
      }
      treeIds.push(t);
      nodeIds.push(i);
      featureIds.push(feature);
      modes.push('BRANCH_LEQ');
      values.push(float32AtOrBelow(threshold));
      trueIds.push(childId(tree.leftChild[i]));
      falseIds.push(childId(tree.rightChild[i]));
      missingTrue.push(tree.defaultLeft[i] === 1 ? 1 : 0);
    }
    const leaves = Math.max(1, tree.numLeaves);
    for (let k = 0; k < leaves; k++) {
      const value = tree.leafValue[k];
      if (!Number.isFinite(value)) {
        throw new InvalidInputError({ where: `${where}, leaf ${k}`, message: `value is ${value}` });
      }
      treeIds.push(t);
      nodeIds.push(internal + k);
      featureIds.push(0);
      modes.push('LEAF');
      values.push(0);
      trueIds.push(0);
      falseIds.push(0);
      missingTrue.push(0);
      targetTreeIds.push(t);
      targetNodeIds.push(internal + k);
      targetWeights.push(value);
    }
  });

  if (ensemble.trees.length === 0) {
    // An ensemble of no trees predicts its base margin; runtimes reject an op without nodes,
    // so give it one leaf worth 0.
    treeIds.push(0);
    nodeIds.push(0);
    featureIds.push(0);
    modes.push('LEAF');
    values.push(0);
    trueIds.push(0);
    falseIds.push(0);
    missingTrue.push(0);
    targetTreeIds.push(0);
    targetNodeIds.push(0);
    targetWeights.push(0);
  }
  const trees = node('TreeEnsembleRegressor', 'ai.onnx.ml', [FEATURES_INPUT], ['margin'], {
    n_targets: { int: 1 },
    aggregate_function: { string: 'SUM' },
    post_transform: { string: 'NONE' },
    base_values: { floats: [ensemble.baseMargin] },
    nodes_treeids: { ints: treeIds },
    nodes_nodeids: { ints: nodeIds },
    nodes_featureids: { ints: featureIds },
    nodes_modes: { strings: modes },
    nodes_values: { floats: values },
    nodes_truenodeids: { ints: trueIds },
    nodes_falsenodeids: { ints: falseIds },
    nodes_missing_value_tracks_true: { ints: missingTrue },
    target_treeids: { ints: targetTreeIds },
    target_nodeids: { ints: targetNodeIds },
    target_ids: { ints: targetTreeIds.map(() => 0) },
    target_weights: { floats: targetWeights },
  });
  const sigmoid = node('Sigmoid', '', ['margin'], ['probability']);
  return serializeModel({
    graphName: 'line_rca_tree_ensemble',
    docString: `line-rca tree ensemble: ${ensemble.trees.length} trees, ${featureCount} features, binary log loss`,
    featureNames: ensemble.featureNames,
    nodes: [trees, sigmoid],
    outputs: [
      tensorInfo('margin', FLOAT, ['N', 1], 'log-odds of the positive class'),
      tensorInfo('probability', FLOAT, ['N', 1], 'probability of the positive class'),
    ],
  });
}
