/**
 * The stability stage: the chosen configuration refitted on blocked time folds of the training
 * part with shadow variables (analysis/evidence/stability.ts), each fold on a compute thread
 * when there is a pool (the folds run side by side), here otherwise. Same seed, same result:
 * the shadows' offsets come from the seed and every fit is deterministic.
 */
import { isInvalidInput } from '../analysis/errors';
import { type StabilityPlan, stabilityOf, stabilityPlan } from '../analysis/evidence/stability';
import { variableResolver } from '../analysis/explain/importance';
import { linearShap } from '../analysis/explain/linear-shap';
import { treeShap } from '../analysis/explain/tree-shap';
import { selectLabels, selectRows } from '../analysis/frame';
import { binDataset } from '../analysis/learners/gbdt/binning';
import { trainGbdt } from '../analysis/learners/gbdt/train';
import { fitLogistic, type LogisticParams } from '../analysis/learners/logistic';
import { featureDataset, learningData } from './data';
import { currentComputePool, finalParams } from './model';
import type { StabilityFoldInput, StabilityInput, StabilityOutput } from './types';
import { toJson, writeArtifact } from './workspace';

/** Plans per thread, by dataset, split and seed: the folds of one analysis share the shadows. */
const plans = new Map<
  string,
  Promise<{ plan: StabilityPlan; labels: Uint8Array; binned?: ReturnType<typeof binDataset> }>
>();

async function planFor(input: StabilityInput) {
  const key = `${input.featuresUri}#${input.split.fraction}/${input.split.gapMs}/${input.split.windowMs}#${input.seed}#${input.folds ?? 5}`;
  let entry = plans.get(key);
  if (!entry) {
    entry = (async () => {
      const data = await learningData(input.featuresUri, input.split);
      const described = (await featureDataset(input.featuresUri)).description.variables;
      const variableOf = variableResolver(Array.isArray(described) ? described.map(String) : []);
      const plan = stabilityPlan(data.features, data.outer.train, {
        seed: input.seed,
        folds: input.folds,
        variableOf,
      });
      return { plan, labels: data.labels };
    })();
    plans.set(key, entry);
    entry.catch(() => plans.delete(key));
    while (plans.size > 2) plans.delete(plans.keys().next().value as string);
  }
  return entry;
}

/**
 * One fold: fit on the other folds, mean |SHAP| per feature (and shadow) on this one; null when
 * its training rows hold a single population.
 */
export async function runStabilityFold(input: StabilityFoldInput): Promise<Float64Array | null> {
  const entry = await planFor(input);
  const { plan, labels } = entry;
  const { train, explain } = plan.folds[input.fold];
  let positives = 0;
  for (const row of train) positives += labels[row];
  if (positives === 0 || positives === train.length) return null;
  const params = finalParams(input.best.learner, input.best.params, input.best.bestIteration);
  const { learner: _learner, ...rest } = params;
  const features = plan.features;
  const F = features.names.length;
  const importance = new Float64Array(F);
  let values: Float64Array;
  let rows: number;
  let order: readonly string[];
  if (input.best.learner === 'gbdt') {
    // Bins scaled to the rows a fold trains on (as many rows a bin as the final fit's), the
    // split search's cost being features × bins a leaf whatever the rows.
    const share = train.length / Math.max(1, plan.trainRows);
    const maxBin = Math.max(15, Math.round(Number(rest.max_bin ?? 255) * share));
    entry.binned ??= binDataset(features, { params: { ...rest, max_bin: maxBin } });
    const model = trainGbdt(entry.binned, labels, { params: rest, rows: train });
    ({ values, rows, features: order } = treeShap(model, features, { rows: explain }));
  } else {
    const model = fitLogistic(selectRows(features, train), selectLabels(labels, train), {
      tol: 1e-4,
      max_iter: 300,
      ...(rest as Partial<LogisticParams>),
    });
    ({ values, rows, features: order } = linearShap(model, selectRows(features, explain)));
  }
  const column = order.map((name) => features.names.indexOf(name));
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < column.length; j++) importance[column[j]] += Math.abs(values[r * column.length + j]);
  for (let j = 0; j < F; j++) importance[j] = rows > 0 ? importance[j] / rows : 0;
  return importance;
}

export async function stability(input: StabilityInput): Promise<StabilityOutput> {
  const started = performance.now();
  const pool = currentComputePool();
  let plan: StabilityPlan;
  try {
    ({ plan } = await planFor(input));
  } catch (error) {
    // too few training observations for the folds: no stability, the analysis goes on
    if (!isInvalidInput(error)) throw error;
    return {
      stabilityUri: writeArtifact(input.workDir, 'stability.json', '{}'),
      folds: 0,
      seconds: (performance.now() - started) / 1000,
      note: (error as Error).message,
    };
  }
  const importances = await Promise.all(
    plan.folds.map((_, fold) =>
      pool ? pool.run('stability-fold', { ...input, fold }) : runStabilityFold({ ...input, fold }),
    ),
  );
  const fitted = importances.filter((i) => i !== null).length;
  const stability = Object.fromEntries(stabilityOf(plan, importances));
  return {
    stabilityUri: writeArtifact(input.workDir, 'stability.json', toJson(stability)),
    folds: fitted,
    ...(fitted < plan.folds.length
      ? { note: `${plan.folds.length - fitted} of ${plan.folds.length} folds left out: one population only` }
      : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
