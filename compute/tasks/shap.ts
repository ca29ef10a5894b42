/**
 * `shap`: SHAP values of a block of rows for a model of any learner (rows are independent, so
 * blocks on several threads join into the values of the whole; `compute/shap.ts` splits them).
 */
import type { ShapValues } from '../../analysis/explain/tree-shap';
import type { FeatureMatrix } from '../../analysis/frame';
import { type LearnedModel, learnerOf } from '../../analysis/learners/registry';
import type { TaskResult } from '../task';

export interface ShapInput {
  readonly model: LearnedModel;
  /** All rows (shared memory: nothing is copied); the block is `first`..`first + count − 1`. */
  readonly features: FeatureMatrix;
  readonly first: number;
  readonly count: number;
}

export function shapTask(input: ShapInput): TaskResult<ShapValues> {
  const rows = new Uint32Array(input.count);
  for (let k = 0; k < input.count; k++) rows[k] = input.first + k;
  const values = learnerOf(input.model.kind).shap(input.model, input.features, rows);
  return { value: values, transfer: [values.values.buffer as ArrayBuffer] };
}
