import { treeShapRowMajor } from '../../analysis/explain/tree-shap';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { ComputePool } from '../../compute/pool';
import { type ExplainProgress, treeShapInPool } from '../../compute/tasks/explain';
import { loadLightGbmFixture } from '../fixtures/shap/load';

// Worker threads run the compiled build (dist/compute/worker.js): run `npm run build` first.
describe('explain-tree task (worker threads)', () => {
  const fx = loadLightGbmFixture('synthetic');
  const { ensemble } = parseLightGbmModel(fx.modelText);
  const rows = fx.x.subarray(0, 120 * fx.features.length);
  let pool: ComputePool;

  beforeAll(() => {
    pool = new ComputePool({ size: 2 });
  });
  afterAll(() => pool.close());

  it('gives in a thread the values computed in-process, which match LightGBM', async () => {
    const progress: ExplainProgress[] = [];
    const remote = await pool.run(
      'explain-tree',
      { ensemble, x: rows.slice() },
      {
        onProgress: (p) => {
          progress.push(p);
          return true;
        },
      },
    );
    const local = treeShapRowMajor(ensemble, rows);
    expect(remote.rows).toBe(120);
    expect(remote.expectedValue).toBe(local.expectedValue);
    expect(Array.from(remote.values)).toEqual(Array.from(local.values));
    expect(progress.at(-1)).toEqual({ rowsDone: 120, rows: 120 });
    const F = fx.features.length;
    let worst = 0;
    for (let r = 0; r < 120; r++) {
      for (let j = 0; j < F; j++)
        worst = Math.max(worst, Math.abs(remote.values[r * F + j] - fx.contrib[r * (F + 1) + j]));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('splits rows over the threads and joins them in order', async () => {
    const local = treeShapRowMajor(ensemble, rows);
    const split = await treeShapInPool(pool, ensemble, rows, 3);
    expect(split.rows).toBe(120);
    expect(Array.from(split.values)).toEqual(Array.from(local.values));
    const none = await treeShapInPool(pool, ensemble, new Float64Array(0));
    expect(none.rows).toBe(0);
    expect(none.expectedValue).toBe(local.expectedValue);
  });

  it('a bad input comes back as an input error', async () => {
    await expect(
      pool.run('explain-tree', {
        ensemble: {
          ...ensemble,
          trees: [
            { ...ensemble.trees[0], splitFeature: Int32Array.from(ensemble.trees[0].splitFeature, () => 99) },
          ],
        },
        x: rows.slice(),
      }),
    ).rejects.toThrow(/split feature 99 is outside/);
  });
});
