/**
 * The model stages, thin: read the learning data (kept by the runner's store), run the analysis
 * on the runner's compute threads, write the artifacts. One search trial (`searchTrial`), the
 * final models and the choice of the one explained (`evaluate`), its explanation (`explain`).
 */
import {
  beeswarmSample,
  explainedRows,
  rankedVariables,
  variableContributions,
  variableImportance,
} from '../analysis/explain/importance';
import { variableResolver } from '../analysis/explain/variables';
import { selectRows } from '../analysis/frame';
import { chooseExplained, type FinalFit, modelSummary } from '../analysis/learners/final';
import type { LearningData } from '../analysis/learners/learner';
import { learnerOf, modelFromJson } from '../analysis/learners/registry';
import type { ComputePool } from '../compute/pool';
import { shapInParts } from '../compute/shap';
import { writeContributions } from './contributions-file';
import { explainInteractions } from './interactions';
import type { LearningDataStore, SplitLearningData } from './learning-data';
import type {
  EvaluateInput,
  EvaluateOutput,
  ExplainInput,
  ExplainOutput,
  TrialInput,
  TrialOutput,
} from './types';
import { readJsonArtifact, toJson, writeArtifact } from './workspace';

/** What the model stages need from their runner. */
export interface ModelDependencies {
  readonly compute: ComputePool;
  readonly learningData: LearningDataStore;
}

/** Boosting rounds between two points of the pruning curve. */
export const REPORT_EVERY = 10;

/** The shared data a fit of these learners trains on (binned once when one of them needs it). */
async function fitData(
  deps: ModelDependencies,
  featuresUri: string,
  data: SplitLearningData,
  kinds: readonly string[],
): Promise<LearningData> {
  const binned = kinds.some((k) => learnerOf(k).binned)
    ? await deps.learningData.binned(featuresUri)
    : undefined;
  return { features: data.features, labels: data.labels, ...(binned ? { binned } : {}) };
}

/** One trial on a thread: trained and scored on each fold of the search's validation. */
export async function searchTrial(input: TrialInput, deps: ModelDependencies): Promise<TrialOutput> {
  const started = performance.now();
  const data = await deps.learningData.learningData(input.featuresUri, input.split);
  const outcome = await deps.compute.run('fit-trial', {
    data: await fitData(deps, input.featuresUri, data, [input.learner]),
    trial: {
      kind: input.learner,
      params: input.params,
      folds: data.search.folds,
      reportEvery: REPORT_EVERY,
      pruneAbove: input.pruneAbove,
    },
  });
  return {
    number: input.number,
    learner: input.learner,
    ...outcome,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The final models side by side, the one to explain chosen, its files written. */
export async function evaluate(input: EvaluateInput, deps: ModelDependencies): Promise<EvaluateOutput> {
  const data = await deps.learningData.learningData(input.featuresUri, input.split);
  const fits: FinalFit[] = [
    { kind: input.best.learner, params: input.best.params, bestIteration: input.best.bestIteration },
  ];
  if (input.baseline) fits.push({ kind: input.baseline.learner, params: input.baseline.params });
  const shared = await fitData(
    deps,
    input.featuresUri,
    data,
    fits.map((f) => f.kind),
  );
  const [best, baseline = null] = await Promise.all(
    fits.map((fit) => deps.compute.run('fit-final', { data: shared, split: data.outer, fit })),
  );
  const { explained, reason } = chooseExplained(best, baseline);
  const learner = learnerOf(explained.kind);
  const modelUri = writeArtifact(input.workDir, 'model.json', toJson(learner.toJson(explained.model)));
  const onnxUri = writeArtifact(input.workDir, 'model.onnx', learner.toOnnx(explained.model));
  return {
    model: modelSummary(explained),
    baseline: baseline ? modelSummary(baseline) : null,
    selection: { reason, ...(explained !== best ? { searchBest: modelSummary(best) } : {}) },
    searchValidation: {
      method: data.search.method,
      folds: data.search.folds.length,
      ...(data.search.reason ? { reason: data.search.reason } : {}),
      ...(data.search.trainStep ? { trainStep: data.search.trainStep } : {}),
    },
    modelUri,
    onnxUri,
  };
}

/** Rows kept for the beeswarm: enough to see the shape, few enough to e-mail. */
const BEESWARM_ROWS = 400;
/** Variables in the beeswarm. */
const BEESWARM_VARIABLES = 10;

export async function explain(input: ExplainInput, deps: ModelDependencies): Promise<ExplainOutput> {
  const model = modelFromJson(readJsonArtifact<unknown>(input.modelUri));
  const dataset = await deps.learningData.dataset(input.featuresUri);
  const sample = explainedRows(dataset.matrix.rows);
  const matrix = sample ? selectRows(dataset.matrix, sample) : dataset.matrix;
  const times = sample ? Float64Array.from(sample, (i) => dataset.times[i]) : dataset.times;
  const shap = await shapInParts(deps.compute, model, matrix);
  const described = dataset.description.variables;
  const variableOf = variableResolver(Array.isArray(described) ? described.map(String) : []);
  const importance = variableImportance(shap, {
    variableOf,
    used: learnerOf(model.kind).usedFeatures(model),
  });
  const ranked = rankedVariables(importance);
  const contributions = variableContributions(shap, times, {
    variableOf,
    variables: ranked.slice(0, input.top ?? 8),
  });
  const contributionsUri = writeContributions(input.workDir, contributions);
  const beeswarm = beeswarmSample(
    shap,
    matrix,
    importance,
    ranked.slice(0, BEESWARM_VARIABLES),
    BEESWARM_ROWS,
  );
  const shapSampleUri = writeArtifact(input.workDir, 'shap-sample.json', toJson(beeswarm));
  const importanceUri = writeArtifact(input.workDir, 'importance.json', toJson(importance));
  const interactionsUri = await explainInteractions(deps.compute, input.workDir, model, dataset);
  return { importanceUri, contributionsUri, shapSampleUri, ...(interactionsUri ? { interactionsUri } : {}) };
}
