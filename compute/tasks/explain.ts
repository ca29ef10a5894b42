/**
 * `explain-tree`: exact TreeSHAP of a block of rows off the main thread, and `treeShapInPool`,
 * which splits the rows over a pool's threads and joins the blocks in order.
 */
import { expectedMargin, type ShapValues, treeShapRowMajor } from '../../analysis/explain/tree-shap';
import type { TreeEnsemble } from '../../analysis/learners/tree';
import type { ComputePool } from '../pool';
import type { TaskContext, TaskResult } from '../task';

export interface ExplainTreeInput {
  readonly ensemble: TreeEnsemble;
  /** Row-major [rows × features], features in the ensemble's order, NaN missing. */
  readonly x: Float64Array;
}

/** Rows explained so far, sent every block so a long run shows it is alive. */
export interface ExplainProgress {
  readonly rowsDone: number;
  readonly rows: number;
}

const BLOCK = 512;

export function explainTreeTask(
  input: ExplainTreeInput,
  context: TaskContext<ExplainProgress>,
): TaskResult<ShapValues> {
  const F = input.ensemble.featureNames.length;
  const rows = F === 0 ? 0 : Math.floor(input.x.length / F);
  const values = new Float64Array(rows * F);
  // Blocks only for progress: the values are those of one call over all rows.
  for (let first = 0; first < rows; first += BLOCK) {
    const count = Math.min(BLOCK, rows - first);
    values.set(treeShapRowMajor(input.ensemble, input.x, { first, count }).values, first * F);
    context.progress({ rowsDone: first + count, rows });
  }
  const expectedValue = expectedMargin(input.ensemble);
  const result: ShapValues = { rows, features: input.ensemble.featureNames, values, expectedValue };
  return { value: result, transfer: [values.buffer] };
}

/**
 * TreeSHAP of row-major `x` on `parts` threads of `pool` (default: the pool's size): each thread
 * gets a contiguous block of rows; the result is the same as `treeShapRowMajor(ensemble, x)`.
 */
export async function treeShapInPool(
  pool: ComputePool,
  ensemble: TreeEnsemble,
  x: Float64Array,
  parts = pool.size,
): Promise<ShapValues> {
  const F = ensemble.featureNames.length;
  const rows = F === 0 ? 0 : Math.floor(x.length / F);
  const per = Math.ceil(rows / Math.max(1, parts));
  const blocks: Promise<ShapValues>[] = [];
  for (let first = 0; first < rows; first += per) {
    const slice = x.slice(first * F, Math.min(rows, first + per) * F);
    blocks.push(pool.run('explain-tree', { ensemble, x: slice }, { transfer: [slice.buffer] }));
  }
  if (blocks.length === 0) blocks.push(pool.run('explain-tree', { ensemble, x: new Float64Array(0) }));
  const done = await Promise.all(blocks);
  const values = new Float64Array(rows * F);
  let offset = 0;
  for (const block of done) {
    values.set(block.values, offset);
    offset += block.values.length;
  }
  return { rows, features: ensemble.featureNames, values, expectedValue: done[0].expectedValue };
}
