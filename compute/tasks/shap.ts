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
  /**
   * The values of all rows (shared memory): the block's are written there, from row `first`,
   * and the returned `values` are then empty.
   */
  readonly into?: Float64Array;
}

export function shapTask(input: ShapInput): TaskResult<ShapValues> {
  const rows = new Uint32Array(input.count);
  for (let k = 0; k < input.count; k++) rows[k] = input.first + k;
  const shap = learnerOf(input.model.kind).shap(input.model, input.features, rows);
  if (input.into) {
    input.into.set(shap.values, input.first * shap.features.length);
    return { value: { ...shap, values: new Float64Array(0) } };
  }
  return { value: shap, transfer: [shap.values.buffer as ArrayBuffer] };
}
