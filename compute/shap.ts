/** SHAP values of many rows on a pool's threads: blocks of rows side by side, joined in order. */
import type { ShapValues } from '../analysis/explain/tree-shap';
import type { FeatureMatrix } from '../analysis/frame';
import type { LearnedModel } from '../analysis/learners/registry';
import type { ComputePool } from './pool';

/** SHAP values of every row of `features`, `parts` blocks (default: one a thread) side by side. */
export async function shapInParts(
  pool: ComputePool,
  model: LearnedModel,
  features: FeatureMatrix,
  parts = pool.size,
): Promise<ShapValues> {
  const rows = features.rows;
  const per = Math.max(1, Math.ceil(rows / Math.max(1, parts)));
  const blocks: Promise<ShapValues>[] = [];
  for (let first = 0; first < rows || blocks.length === 0; first += per) {
    const count = Math.max(0, Math.min(per, rows - first));
    blocks.push(pool.run('shap', { model, features, first, count }));
  }
  const done = await Promise.all(blocks);
  const F = done[0].features.length;
  const values = new Float64Array(rows * F);
  let offset = 0;
  for (const block of done) {
    values.set(block.values, offset);
    offset += block.values.length;
  }
  return { rows, features: done[0].features, values, expectedValue: done[0].expectedValue };
}
