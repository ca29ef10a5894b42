/**
 * The GBDT learner record: LightGBM-style boosting on the binned dataset, early stopping on the
 * validation binary log loss, TreeSHAP, `TreeEnsembleClassifier` export.
 *
 * (Belongs in `gbdt/learner.ts`; kept beside the folder while gbdt/ is being split.)
 */
import { treeShap, treeShapInteractions } from '../../explain/tree-shap';
import { selectLabels, selectRows } from '../../frame';
import { treeEnsembleToOnnx } from '../../onnx/trees';
import { type LearnerDefinition, setParams } from '../learner';
import { binDataset } from './binning';
import { type GbdtModel, gbdtFormat, gbdtModelFromJson, gbdtModelToJson, predictMargin } from './model';
import { gbdtSpace } from './space';
import { trainGbdt } from './train';

/** Below this many rounds, the final model offers every feature to each tree (see finalParams). */
const FEW_ROUNDS = 10;

export const gbdtLearner: LearnerDefinition<GbdtModel> = {
  ...gbdtSpace,
  fit(data, request) {
    const binned = data.binned ?? binDataset(data.features);
    const watched = request.validation && request.validation.length > 0 ? request.validation : undefined;
    const every = Math.max(1, request.reportEvery ?? 10);
    let stopped = false;
    const model = trainGbdt(binned, data.labels, {
      params: request.params,
      rows: request.train,
      validation: watched
        ? { features: selectRows(data.features, watched), labels: selectLabels(data.labels, watched) }
        : undefined,
      onIteration: (report) => {
        if (!request.onLoss || report.iteration % every !== 0) return true;
        const keepGoing = request.onLoss(report.iteration, report.score) !== false;
        if (!keepGoing) stopped = true;
        return keepGoing;
      },
    });
    return { model, bestIteration: model.bestIteration, stopped };
  },

  /**
   * The rounds early stopping chose, without early stopping. When that is a tree or two, which
   * features the refit's trees may use would come down to one random `feature_fraction` draw,
   * which can leave the cause out (seen on generated lines: AUC 0.85 in the trial, 0.47 after
   * the refit): such short models see every feature.
   */
  finalParams(params, bestIteration) {
    const { early_stopping_round: _stop, ...rest } = params;
    if (bestIteration === undefined || bestIteration <= 0) return rest;
    return {
      ...rest,
      num_iterations: bestIteration,
      ...(bestIteration < FEW_ROUNDS ? { feature_fraction: 1 } : {}),
    };
  },

  shownParams: (model, params) => ({ ...setParams(params), num_iterations: model.trees.length }),
  margin: predictMargin,
  shap: (model, features, rows) => treeShap(model, features, rows ? { rows } : {}),
  shapInteractions: (model, features, rows) => treeShapInteractions(model, features, rows),

  usedFeatures(model) {
    const used = new Set<string>();
    for (const tree of model.trees) {
      for (let k = 0; k < tree.numLeaves - 1; k++) used.add(model.featureNames[tree.splitFeature[k]]);
    }
    return used;
  },

  format: gbdtFormat,
  toJson: gbdtModelToJson,
  fromJson: gbdtModelFromJson,
  toOnnx: treeEnsembleToOnnx,
};
