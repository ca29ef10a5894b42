/**
 * The stability stage: the configuration explained refitted on blocked time folds of the
 * training part with shadow variables (analysis/evidence/stability.ts), each fold a compute task
 * on the runner's threads (the folds run side by side) over features, labels and bins shared
 * once. Same seed, same result: the shadows' offsets come from the seed and every fit is
 * deterministic.
 */
import { isInvalidInput } from '../analysis/errors';
import { foldParams } from '../analysis/evidence/refit';
import { type StabilityPlan, shadowedBins, stabilityOf, stabilityPlan } from '../analysis/evidence/stability';
import { variableResolver } from '../analysis/explain/variables';
import { selectLabels } from '../analysis/frame';
import { coarserBins } from '../analysis/learners/gbdt/binning';
import { learnerOf } from '../analysis/learners/registry';
import { shareArray, shareBinnedDataset, shareMatrix } from '../compute/shared';
import type { ModelDependencies } from './model';
import type { StabilityInput, StabilityOutput } from './types';
import { toJson, writeArtifact } from './workspace';

export async function stability(input: StabilityInput, deps: ModelDependencies): Promise<StabilityOutput> {
  const started = performance.now();
  const data = await deps.learningData.learningData(input.featuresUri, input.split);
  const described = (await deps.learningData.dataset(input.featuresUri)).description.variables;
  const variableOf = variableResolver(Array.isArray(described) ? described.map(String) : []);
  let plan: StabilityPlan;
  try {
    plan = stabilityPlan(data.features, data.outer.train, {
      seed: input.seed,
      folds: input.folds,
      variableOf,
      allocate: (length) => new Float64Array(new SharedArrayBuffer(length * 8)),
    });
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
  const { learner, params, bestIteration } = input.explained;
  const features = shareMatrix(plan.features);
  const shadowing = performance.now();
  // The folds split on the grid of the bins the search and the final fit use, coarsened to the
  // rows a fold trains on (as many rows a bin as the final fit's: the split search costs
  // features × bins a leaf whatever the rows). Nothing is binned again: the shadows take their
  // variables' bounds and shifted codes.
  const share = plan.folds[0].train.length / Math.max(1, plan.trainRows);
  const maxBin = Math.max(15, Math.round(Number(params.max_bin ?? 255) * share));
  const binned = learnerOf(learner).binned
    ? shareBinnedDataset(
        shadowedBins(coarserBins(await deps.learningData.binned(input.featuresUri), maxBin), plan),
      )
    : undefined;
  const shadowSeconds = (performance.now() - shadowing) / 1000;
  const labels = plan.rows ? shareArray(selectLabels(data.labels, plan.rows)) : data.labels;
  const shared = { features, labels, ...(binned ? { binned } : {}) };
  const finalParams = learnerOf(learner).finalParams(params, bestIteration);
  // the final fit's parameters, its regularization scaled to each fold's rows
  const folds = plan.folds.map((fold) => ({
    ...fold,
    fit: { kind: learner, params: foldParams(learner, finalParams, fold.train.length / plan.trainRows) },
  }));
  // One task a thread, the folds dealt round: a task's trainings share its copy of the bins.
  const tasks = Math.max(1, Math.min(folds.length, deps.compute.size));
  const done = await Promise.all(
    Array.from({ length: tasks }, (_, t) =>
      deps.compute.run('stability-folds', { data: shared, folds: folds.filter((_, f) => f % tasks === t) }),
    ),
  );
  const importances = folds.map((_, f) => done[f % tasks].importances[Math.floor(f / tasks)]);
  const fitted = importances.filter((i) => i !== null).length;
  const stability = Object.fromEntries(stabilityOf(plan, importances));
  return {
    stabilityUri: writeArtifact(input.workDir, 'stability.json', toJson(stability)),
    folds: fitted,
    threadSeconds: shadowSeconds + done.reduce((sum, task) => sum + task.seconds, 0),
    ...(fitted < plan.folds.length
      ? { note: `${plan.folds.length - fitted} of ${plan.folds.length} folds left out: one population only` }
      : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
