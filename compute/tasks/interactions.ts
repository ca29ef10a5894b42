/**
 * `interactions`: the strongest pairs of variables by SHAP interaction values on a sample of
 * rows (F² values a row: ranked here, so only the ranking leaves the thread).
 */
import { type InteractionEntry, rankInteractions } from '../../analysis/explain/interactions';
import { variableResolver } from '../../analysis/explain/variables';
import type { FeatureMatrix } from '../../analysis/frame';
import { type LearnedModel, learnerOf } from '../../analysis/learners/registry';
import type { TaskResult } from '../task';

export interface InteractionsInput {
  readonly model: LearnedModel;
  readonly features: FeatureMatrix;
  readonly rows: Uint32Array;
  /** The source variables, to tell each feature's variable. */
  readonly variables: readonly string[];
  /** Pairs kept, strongest first. */
  readonly top: number;
}

export function interactionsTask(input: InteractionsInput): TaskResult<InteractionEntry[]> {
  const learner = learnerOf(input.model.kind);
  if (!learner.shapInteractions) return { value: [] };
  const values = learner.shapInteractions(input.model, input.features, input.rows);
  const ranking = rankInteractions(values, { variableOf: variableResolver(input.variables) });
  return { value: ranking.slice(0, input.top) };
}
