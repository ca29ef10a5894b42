/**
 * The explain stage's interactions: the strongest pairs of variables by mean |SHAP interaction
 * value| of the model explained, on an evenly spaced sample of the observations, on a compute
 * thread. Written as a JSON artifact (`results.interactions`); none for a model without them.
 */
import type { LearnedModel } from '../analysis/learners/registry';
import { learnerOf } from '../analysis/learners/registry';
import type { ComputePool } from '../compute/pool';
import type { FeatureDataset } from '../connectors/datasets';
import { toJson, writeArtifact } from './workspace';

/** Observations explained for the interactions (each costs about F times a row's SHAP values). */
export const INTERACTION_ROWS = 200;
/** Pairs kept in the results. */
export const INTERACTION_PAIRS = 10;
/**
 * SHAP interaction values held at once at most (rows × features², 8 bytes each: 200 MB): wide
 * lines get fewer rows, and beyond 5,000 features none (a 5,000-variable line asked for 5e9).
 */
export const INTERACTION_VALUES = 25_000_000;

export async function explainInteractions(
  compute: ComputePool,
  workDir: string,
  model: LearnedModel,
  dataset: FeatureDataset,
): Promise<string | undefined> {
  if (!learnerOf(model.kind).shapInteractions) return undefined;
  const n = dataset.matrix.rows;
  const features = dataset.matrix.names.length;
  const count = Math.min(
    INTERACTION_ROWS,
    n,
    Math.floor(INTERACTION_VALUES / Math.max(1, features * features)),
  );
  if (count === 0) return writeArtifact(workDir, 'interactions.json', toJson([]));
  const rows = Uint32Array.from({ length: count }, (_, k) => Math.floor((k * n) / count));
  const described = dataset.description.variables;
  const pairs = await compute.run('interactions', {
    model,
    features: dataset.matrix,
    rows,
    variables: Array.isArray(described) ? described.map(String) : [],
    top: INTERACTION_PAIRS,
  });
  return writeArtifact(workDir, 'interactions.json', toJson(pairs));
}
