/**
 * The model stages: one search trial (train on the inner split of the training part, score on
 * its inner validation), the evaluation of the chosen model and the logistic baseline (trained
 * on the whole training part, measured once on the validation set), and the explanation.
 */
import type { Learner } from '../analysis/config';
import { isInvalidInput } from '../analysis/errors';
import { variableContributions, variableImportance, variableResolver } from '../analysis/explain/importance';
import { linearShap } from '../analysis/explain/linear-shap';
import { type ShapValues, treeShap } from '../analysis/explain/tree-shap';
import type { FeatureMatrix } from '../analysis/frame';
import { fitLearner, type LearnedModel, validationFigures } from '../analysis/learners/fit';
import { gbdtModelFromJson, gbdtModelToJson } from '../analysis/learners/gbdt/model';
import { logisticFromJson, logisticToJson } from '../analysis/learners/logistic';
import { modelToOnnx } from '../analysis/onnx';
import type { ModelSummary } from '../analysis/results';
import type { ComputePool } from '../compute/pool';
import { treeShapInPool } from '../compute/tasks/explain';
import { featureDataset, learningData } from './data';
import type {
  EvaluateInput,
  EvaluateOutput,
  ExplainInput,
  ExplainOutput,
  TrialInput,
  TrialOutput,
  TrialParams,
} from './types';
import { readJsonArtifact, toJson, writeArtifact } from './workspace';

/** Boosting rounds between two intermediate values (what the pruners see). */
export const REPORT_EVERY = 10;

let computePool: ComputePool | undefined;

/**
 * Runs trials and TreeSHAP on these worker threads from now on (a Temporal worker does, so its
 * event loop stays free for heartbeats and trials run side by side); without a pool, inline.
 */
export function useComputePool(pool: ComputePool | undefined): void {
  computePool = pool;
}

/** The pool `useComputePool` set, if any (the stability stage spreads its folds over it). */
export function currentComputePool(): ComputePool | undefined {
  return computePool;
}

export function searchTrial(input: TrialInput): Promise<TrialOutput> {
  return computePool ? computePool.run('search-trial', input) : runTrial(input);
}

/** One trial, here: train on the inner split of the training part, score its inner validation. */
export async function runTrial(input: TrialInput): Promise<TrialOutput> {
  const started = performance.now();
  const data = await learningData(input.featuresUri, input.split);
  const pruneBelow = new Map((input.pruneBelow ?? []).map((p) => [p.step, p.value]));
  const intermediate: { step: number; value: number }[] = [];
  const base = { number: input.number, learner: input.learner };
  try {
    const fit = fitLearner(data, {
      kind: input.learner,
      params: input.params,
      train: data.inner.train,
      validation: data.inner.validation,
      reportEvery: REPORT_EVERY,
      onScore: (step, value) => {
        intermediate.push({ step, value });
        const median = pruneBelow.get(step);
        return median === undefined || value >= median;
      },
    });
    return {
      ...base,
      state: fit.stopped ? 'pruned' : 'complete',
      value: fit.value,
      intermediate,
      ...(fit.bestIteration !== undefined ? { bestIteration: fit.bestIteration } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    // Bad data fails the whole analysis; a parameter set that cannot train fails only its trial.
    if (isInvalidInput(error) && !String((error as Error).message).startsWith('params.')) throw error;
    return {
      ...base,
      state: 'failed',
      value: null,
      intermediate,
      seconds: (performance.now() - started) / 1000,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Below this many rounds, the final gbdt offers every feature to each tree (see finalParams). */
const FEW_ROUNDS = 10;

/**
 * The parameters the final model trains with: gbdt keeps the rounds early stopping chose on the
 * inner split. When that is a tree or two, which features the refit's trees may use would come
 * down to one random `feature_fraction` draw, which can leave the cause out (seen on generated
 * lines: AUC 0.85 in the trial, 0.47 after the refit): such short models see every feature.
 */
export function finalParams(
  learner: Learner,
  params: TrialParams,
  bestIteration: number | undefined,
): TrialParams {
  if (learner !== 'gbdt') return params;
  const { early_stopping_round: _stop, ...rest } = params;
  if (bestIteration === undefined || bestIteration <= 0) return rest;
  return {
    ...rest,
    num_iterations: bestIteration,
    ...(bestIteration < FEW_ROUNDS ? { feature_fraction: 1 } : {}),
  };
}

function summary(
  learner: Learner,
  params: TrialParams,
  model: LearnedModel,
  figures: ModelSummary['validation'],
): ModelSummary {
  const shown: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null && k !== 'learner') shown[k] = v;
  if (model.kind === 'gbdt') shown.num_iterations = model.trees.length;
  return { kind: learner, params: shown, validation: figures };
}

export function modelToJson(model: LearnedModel): unknown {
  return model.kind === 'gbdt' ? gbdtModelToJson(model) : logisticToJson(model);
}

export function modelFromJson(json: unknown): LearnedModel {
  const format = (json as { format?: unknown })?.format;
  return format === 'line-rca/logistic' ? logisticFromJson(json) : gbdtModelFromJson(json);
}

/**
 * The final models, off the main thread when there is a pool (a Temporal worker keeps
 * heartbeating while the models train, and the thread has the dataset cached from its trials).
 */
export function evaluate(input: EvaluateInput): Promise<EvaluateOutput> {
  return computePool ? computePool.run('evaluate', input) : runEvaluate(input);
}

/** The final models, here: the best trial's and the logistic baseline, trained on the outer split. */
export async function runEvaluate(input: EvaluateInput): Promise<EvaluateOutput> {
  const data = await learningData(input.featuresUri, input.split);
  const train = (learner: Learner, params: TrialParams) =>
    fitLearner(data, { kind: learner, params, train: data.outer.train, validation: data.outer.validation })
      .model;

  const bestParams = finalParams(input.best.learner, input.best.params, input.best.bestIteration);
  const model = train(input.best.learner, bestParams);
  const modelSummary = summary(
    input.best.learner,
    bestParams,
    model,
    validationFigures(model, data, data.outer.validation),
  );
  let baseline: ModelSummary | null = null;
  if (input.baseline) {
    const baselineModel = train('logistic', input.baseline.params);
    baseline = summary(
      'logistic',
      input.baseline.params,
      baselineModel,
      validationFigures(baselineModel, data, data.outer.validation),
    );
  }
  const modelUri = writeArtifact(input.workDir, 'model.json', toJson(modelToJson(model)));
  const onnxUri = writeArtifact(input.workDir, 'model.onnx', modelToOnnx(model));
  return { model: modelSummary, baseline, modelUri, onnxUri };
}

/** The per-row SHAP values of a model on every observation (margin space). */
export async function shapOf(model: LearnedModel, features: FeatureMatrix): Promise<ShapValues> {
  if (model.kind !== 'gbdt') return linearShap(model, features);
  const columns = model.featureNames.map((name) => features.names.indexOf(name));
  if (!computePool || columns.includes(-1)) return treeShap(model, features);
  // Row-major in the model's feature order: what the threads explain, a block of rows each.
  const F = columns.length;
  const x = new Float64Array(features.rows * F);
  columns.forEach((c, j) => {
    const column = features.columns[c];
    for (let i = 0; i < features.rows; i++) x[i * F + j] = column[i];
  });
  return treeShapInPool(computePool, model, x);
}

/** Rows kept for the beeswarm: enough to see the shape, few enough to e-mail. */
const BEESWARM_ROWS = 400;

export async function explain(input: ExplainInput): Promise<ExplainOutput> {
  const model = modelFromJson(readJsonArtifact<unknown>(input.modelUri));
  const dataset = await featureDataset(input.featuresUri);
  const data = { features: dataset.matrix, times: dataset.times };
  const shap = await shapOf(model, data.features);
  const described = dataset.description.variables;
  const variableOf = variableResolver(Array.isArray(described) ? described.map(String) : []);
  const importance = variableImportance(shap, { variableOf });
  const top = Math.min(input.top ?? 8, importance.length);
  const contributions = variableContributions(shap, data.times, {
    variableOf,
    variables: importance.slice(0, top).map((e) => e.variable),
  });
  const contributionsUri = writeArtifact(
    input.workDir,
    'contributions.json',
    toJson({
      expectedValue: contributions.expectedValue,
      variables: contributions.variables,
      time: Array.from(contributions.time),
      values: Array.from(contributions.values),
      rest: Array.from(contributions.rest),
    }),
  );

  // Beeswarm: per variable, its signed SHAP and its (first feature's) value scaled to 0..1.
  const shown = importance.slice(0, Math.min(10, importance.length)).map((e) => e.variable);
  const step = Math.max(1, Math.floor(shap.rows / BEESWARM_ROWS));
  const sampleRows: number[] = [];
  for (let i = 0; i < shap.rows; i += step) sampleRows.push(i);
  const F = shap.features.length;
  const points = shown.map((variable) => {
    const entry = importance.find((e) => e.variable === variable)!;
    const featureIndex = entry.features.map((f) => shap.features.indexOf(f.feature));
    const lead = data.features.names.indexOf(entry.features[0].feature);
    const column = lead >= 0 ? data.features.columns[lead] : undefined;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of column ?? []) {
      if (Number.isNaN(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return sampleRows.map((r) => {
      let value = 0;
      for (const j of featureIndex) value += shap.values[r * F + j];
      const x = column ? column[r] : Number.NaN;
      const level = Number.isNaN(x) || !(hi > lo) ? null : (x - lo) / (hi - lo);
      return { shap: value, level };
    });
  });
  const shapSampleUri = writeArtifact(
    input.workDir,
    'shap-sample.json',
    toJson({ variables: shown, points }),
  );
  const importanceUri = writeArtifact(input.workDir, 'importance.json', toJson(importance));
  return { importanceUri, contributionsUri, shapSampleUri };
}
