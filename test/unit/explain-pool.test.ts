import { treeShap } from '../../analysis/explain/tree-shap';
import { featureMatrix } from '../../analysis/frame';
import type { GbdtModel } from '../../analysis/learners/gbdt/model';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { fitLogistic } from '../../analysis/learners/logistic/model';
import { learners } from '../../analysis/learners/registry';
import { ComputePool } from '../../compute/pool';
import { shapInParts } from '../../compute/shap';
import { shareMatrix } from '../../compute/shared';
import { loadLightGbmFixture } from '../fixtures/shap/load';

describe('shap task (worker threads)', () => {
  const fx = loadLightGbmFixture('synthetic');
  // LightGBM's model explained as one of ours.
  const model = { ...parseLightGbmModel(fx.modelText).ensemble, kind: 'gbdt' } as unknown as GbdtModel;
  const matrix = shareMatrix(
    featureMatrix(
      fx.matrix.names,
      fx.matrix.columns.map((c) => c.slice(0, 120)),
    ),
  );
  let pool: ComputePool;

  beforeAll(() => {
    pool = new ComputePool({ size: 2 });
  });
  afterAll(() => pool.close());

  it('gives in a thread the values computed in-process, which match LightGBM', async () => {
    const remote = await pool.run('shap', { model, features: matrix, first: 0, count: 120 });
    const local = treeShap(model, matrix);
    expect(remote.rows).toBe(120);
    expect(remote.expectedValue).toBe(local.expectedValue);
    expect(Array.from(remote.values)).toEqual(Array.from(local.values));
    const F = fx.features.length;
    let worst = 0;
    for (let r = 0; r < 120; r++) {
      for (let j = 0; j < F; j++)
        worst = Math.max(worst, Math.abs(remote.values[r * F + j] - fx.contrib[r * (F + 1) + j]));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('splits rows over the threads and joins them in order, for a model of any learner', async () => {
    const local = treeShap(model, matrix);
    const split = await shapInParts(pool, model, matrix, 3);
    expect(split.rows).toBe(120);
    expect(Array.from(split.values)).toEqual(Array.from(local.values));
    const none = await shapInParts(pool, model, {
      ...matrix,
      rows: 0,
      columns: matrix.columns.map((c) => c.subarray(0, 0)),
    });
    expect(none.rows).toBe(0);
    expect(none.expectedValue).toBe(local.expectedValue);

    const labels = Uint8Array.from(
      fx.contrib.filter((_, k) => k % (fx.features.length + 1) === 0).slice(0, 120),
      (v) => (v > 0 ? 1 : 0),
    );
    const linear = fitLogistic(matrix, labels, { C: 0.5 });
    const linearSplit = await shapInParts(pool, linear, matrix, 4);
    expect(Array.from(linearSplit.values)).toEqual(Array.from(learners.logistic.shap(linear, matrix).values));
  });

  it('a bad input comes back as an input error', async () => {
    const broken = {
      ...model,
      trees: [{ ...model.trees[0], splitFeature: Int32Array.from(model.trees[0].splitFeature, () => 99) }],
    };
    await expect(pool.run('shap', { model: broken, features: matrix, first: 0, count: 120 })).rejects.toThrow(
      /split feature 99 is outside/,
    );
  });
});
