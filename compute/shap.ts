/**
 * SHAP values of many rows on a pool's threads: blocks of rows side by side, each written by its
 * thread straight into one shared array of the whole (rows are independent, so the values are
 * those of one call on every row).
 */
import type { ShapValues } from '../analysis/explain/tree-shap';
import type { FeatureMatrix } from '../analysis/frame';
import type { LearnedModel } from '../analysis/learners/registry';
import type { ComputePool } from './pool';
import { shareMatrix } from './shared';

/**
 * Rows a block has at most: a block's own values are a thread's working copy, so small blocks
 * keep the peak near the size of the result (1M rows × 50 features in two halves held 800 MB
 * beside the 400 MB joined).
 */
export const SHAP_BLOCK_ROWS = 32_768;

/**
 * SHAP values of every row of `features`, in at least `parts` blocks (default: one a thread)
 * of at most `SHAP_BLOCK_ROWS` rows, side by side.
 */
export async function shapInParts(
  pool: ComputePool,
  model: LearnedModel,
  matrix: FeatureMatrix,
  parts = pool.size,
): Promise<ShapValues> {
  // Every block gets the whole matrix: shared, so that is no copy.
  const features = shareMatrix(matrix);
  const rows = features.rows;
  const per = Math.max(1, Math.min(SHAP_BLOCK_ROWS, Math.ceil(rows / Math.max(1, parts))));
  // No row: the model's features (the columns of the values) and its expected value.
  const first = await pool.run('shap', { model, features, first: 0, count: 0 });
  const values = new Float64Array(new SharedArrayBuffer(rows * first.features.length * 8));
  const blocks: Promise<unknown>[] = [];
  for (let start = 0; start < rows; start += per) {
    const count = Math.min(per, rows - start);
    blocks.push(pool.run('shap', { model, features, first: start, count, into: values }));
  }
  await Promise.all(blocks);
  return { rows, features: first.features, values, expectedValue: first.expectedValue };
}
