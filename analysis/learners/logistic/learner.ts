/**
 * The logistic regression learner record: median imputation, standardization and L1/L2
 * logistic regression (scikit-learn's), linear SHAP, `LinearClassifier` export.
 */
import { linearShap } from '../../explain/linear-shap';
import { selectLabels, selectRows } from '../../frame';
import { logisticToOnnx } from '../../onnx/logistic';
import { type LearnerDefinition, setParams } from '../learner';
import { logLoss } from '../metrics';
import {
  fitLogistic,
  type LogisticModel,
  type LogisticParams,
  logisticFromJson,
  logisticMargin,
  logisticToJson,
} from './model';
import { logisticSpace } from './space';

const FORMAT = 'line-rca/logistic';

export const logisticLearner: LearnerDefinition<LogisticModel> = {
  ...logisticSpace,
  fit(data, request) {
    const model = fitLogistic(
      data.features,
      selectLabels(data.labels, request.train),
      // A search needs a good ranking of settings, not the last digit: a looser tolerance than
      // the fit's default keeps L1 trials on hundreds of features to a fraction of a second.
      { tol: 1e-4, max_iter: 300, ...(request.params as Partial<LogisticParams>) },
      request.train,
    );
    let stopped = false;
    const watched = request.validation;
    if (request.onLoss && watched && watched.length > 0) {
      const margin = logisticMargin(model, selectRows(data.features, watched));
      const loss = logLoss(
        selectLabels(data.labels, watched),
        margin.map((m) => 1 / (1 + Math.exp(-m))),
      );
      stopped = request.onLoss(1, loss) === false;
    }
    return { model, stopped };
  },
  finalParams: (params) => params,
  shownParams: (_model, params) => setParams(params),
  margin: logisticMargin,
  // Without a background, each row's values depend on that row alone (the reference is the
  // training mean), so a block of rows gives the values of the whole.
  shap: (model, features, rows) => linearShap(model, rows ? selectRows(features, rows) : features),
  usedFeatures: (model) => new Set(model.featureNames.filter((_, j) => model.coefficients[j] !== 0)),
  format: FORMAT,
  toJson: logisticToJson,
  fromJson: logisticFromJson,
  toOnnx: logisticToOnnx,
};
