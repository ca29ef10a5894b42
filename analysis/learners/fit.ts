/**
 * One place where a learner of either kind is trained on some rows and scored on others: what a
 * search trial does on the inner split, and what the final evaluation does on the outer one. The
 * score is the validation ROC AUC (higher is better), reported every few boosting rounds so the
 * search's pruners can stop a hopeless trial early.
 */
import type { Learner } from '../config';
import { InvalidInputError } from '../errors';
import { type FeatureMatrix, type Labels, selectLabels, selectRows } from '../frame';
import { type BinnedDataset, binDataset } from './gbdt/binning';
import { type GbdtModel, predictMargin } from './gbdt/model';
import { trainGbdt } from './gbdt/train';
import { fitLogistic, type LogisticModel, type LogisticParams, logisticMargin } from './logistic';
import { averagePrecision, logLoss, rocAuc } from './metrics';

export type LearnedModel = GbdtModel | LogisticModel;

export type LearnerParams = Readonly<Record<string, string | number | boolean | null>>;

/** The data every fit of an analysis shares: binned once, reused by every trial. */
export interface LearningData {
  readonly features: FeatureMatrix;
  readonly labels: Labels;
  binned?: BinnedDataset;
}

export interface FitRequest {
  readonly kind: Learner;
  /** Learner parameters (LightGBM names for gbdt, `C` / `penalty` for logistic). */
  readonly params: LearnerParams;
  readonly train: ArrayLike<number>;
  /** Rows to score; for gbdt also the early-stopping set when `early_stopping_round` > 0. */
  readonly validation: ArrayLike<number>;
  /** Called with the validation AUC every `reportEvery` rounds; returning false stops (pruned). */
  readonly onScore?: (step: number, auc: number) => boolean | undefined;
  readonly reportEvery?: number;
}

export interface FitResult {
  readonly kind: Learner;
  readonly model: LearnedModel;
  /** Validation ROC AUC of the model kept. */
  readonly value: number;
  /** Boosting rounds kept (gbdt). */
  readonly bestIteration?: number;
  /** Whether `onScore` stopped training. */
  readonly stopped: boolean;
}

export interface ValidationFigures {
  readonly auc: number;
  readonly prAuc: number;
  readonly logloss: number;
  readonly rows: number;
  readonly positives: number;
}

function learnerParams(params: LearnerParams): Record<string, string | number | boolean | null> {
  const { learner: _learner, ...rest } = params;
  return rest;
}

function checkBothClasses(labels: Labels, rows: ArrayLike<number>, where: string): void {
  let positives = 0;
  for (let k = 0; k < rows.length; k++) positives += labels[rows[k]];
  if (rows.length === 0 || positives === 0 || positives === rows.length) {
    throw new InvalidInputError({
      where,
      message: `needs both positive and negative observations; it has ${positives} positive of ${rows.length} (use more data, a longer period or a smaller validation.fraction)`,
    });
  }
}

/** Margins of any learned model on raw features. */
export function modelMargin(model: LearnedModel, features: FeatureMatrix): Float64Array {
  return model.kind === 'gbdt' ? predictMargin(model, features) : logisticMargin(model, features);
}

export function fitLearner(data: LearningData, request: FitRequest): FitResult {
  checkBothClasses(data.labels, request.train, `${request.kind} training rows`);
  checkBothClasses(data.labels, request.validation, `${request.kind} validation rows`);
  const validFeatures = selectRows(data.features, request.validation);
  const validLabels = selectLabels(data.labels, request.validation);
  const params = learnerParams(request.params);

  if (request.kind === 'gbdt') {
    data.binned ??= binDataset(data.features);
    const every = Math.max(1, request.reportEvery ?? 10);
    let stopped = false;
    const model = trainGbdt(data.binned, data.labels, {
      params: { ...params, metric: 'auc' },
      rows: request.train,
      validation: { features: validFeatures, labels: validLabels },
      onIteration: (report) => {
        if (!request.onScore || report.iteration % every !== 0) return true;
        const keepGoing = request.onScore(report.iteration, report.score) !== false;
        if (!keepGoing) stopped = true;
        return keepGoing;
      },
    });
    const value = rocAuc(validLabels, predictMargin(model, validFeatures));
    return { kind: 'gbdt', model, value, bestIteration: model.bestIteration, stopped };
  }
  if (request.kind === 'logistic') {
    const model = fitLogistic(
      selectRows(data.features, request.train),
      selectLabels(data.labels, request.train),
      // A search needs a good ranking of settings, not the last digit: a looser tolerance than
      // the fit's default keeps L1 trials on hundreds of features to a fraction of a second.
      { tol: 1e-4, max_iter: 300, ...(params as Partial<LogisticParams>) },
    );
    const value = rocAuc(validLabels, logisticMargin(model, validFeatures));
    request.onScore?.(1, value);
    return { kind: 'logistic', model, value, stopped: false };
  }
  throw new InvalidInputError({
    where: 'learner',
    message: `unknown learner ${JSON.stringify(request.kind)}`,
  });
}

/** The validation figures of the results document for a model on some rows. */
export function validationFigures(
  model: LearnedModel,
  data: LearningData,
  rows: ArrayLike<number>,
): ValidationFigures {
  const features = selectRows(data.features, rows);
  const labels = selectLabels(data.labels, rows);
  const margin = modelMargin(model, features);
  const probability = margin.map((m) => 1 / (1 + Math.exp(-m)));
  let positives = 0;
  for (const y of labels) positives += y;
  return {
    auc: rocAuc(labels, margin),
    prAuc: averagePrecision(labels, margin),
    logloss: logLoss(labels, probability),
    rows: rows.length,
    positives,
  };
}
