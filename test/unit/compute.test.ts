import { InvalidInputError } from '../../analysis/errors';
import { featureMatrix } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { gbdtModelToJson } from '../../analysis/learners/gbdt/model';
import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { type IterationReport, trainGbdt } from '../../analysis/learners/gbdt/train';
import { ComputePool, resolveWorkerEntry } from '../../compute/pool';
import { shareBinnedDataset } from '../../compute/shared';

// Worker threads run the compiled build (dist/compute/worker.js): CI runs `npm run build` first.
describe('compute pool (worker threads)', () => {
  const { features, labels } = syntheticClassification(3000, 10, 21);
  const cut = 2400;
  const train = featureMatrix(
    features.names,
    features.columns.map((c) => c.subarray(0, cut)),
  );
  const validation = {
    features: featureMatrix(
      features.names,
      features.columns.map((c) => c.slice(cut)),
    ),
    labels: labels.slice(cut),
  };
  const data = binDataset(train);
  const trainLabels = labels.slice(0, cut);
  const params = { num_iterations: 30, num_leaves: 15, bagging_fraction: 0.8, bagging_freq: 1, seed: 4 };
  let pool: ComputePool;

  beforeAll(() => {
    pool = new ComputePool({ size: 2 });
  });
  afterAll(() => pool.close());

  it('finds the compiled worker entry', () => {
    expect(resolveWorkerEntry()).toMatch(/dist[/\\]compute[/\\]worker\.js$/);
  });

  it('trains in a thread the same model as in-process, reporting every round', async () => {
    const local = trainGbdt(data, trainLabels, { params, validation });
    const rounds: IterationReport[] = [];
    const remote = await pool.run(
      'train-gbdt',
      { data, labels: trainLabels, params, validation },
      {
        onProgress: (r) => {
          rounds.push(r);
          return true;
        },
      },
    );
    expect(gbdtModelToJson(remote)).toEqual(gbdtModelToJson(local));
    expect(rounds.map((r) => r.iteration)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(rounds.map((r) => r.score)).toEqual(local.evaluation.scores);
  });

  it('runs tasks side by side on a shared dataset', async () => {
    const shared = shareBinnedDataset(data);
    const seeds = [1, 2, 3];
    const remote = await Promise.all(
      seeds.map((seed) =>
        pool.run('train-gbdt', { data: shared, labels: trainLabels, params: { ...params, seed } }),
      ),
    );
    seeds.forEach((seed, k) => {
      const local = trainGbdt(data, trainLabels, { params: { ...params, seed } });
      expect(gbdtModelToJson(remote[k])).toEqual(gbdtModelToJson(local));
    });
  });

  it('starts its threads before the first task when asked, and they run tasks', async () => {
    const early = new ComputePool({ size: 2 });
    try {
      expect(early.threads).toBe(0);
      early.start();
      expect(early.threads).toBe(2);
      const remote = await early.run('train-gbdt', { data, labels: trainLabels, params });
      expect(gbdtModelToJson(remote)).toEqual(gbdtModelToJson(trainGbdt(data, trainLabels, { params })));
      expect(early.threads).toBe(2);
    } finally {
      await early.close();
    }
    expect(early.threads).toBe(0);
  });

  it('stops a task when the caller says so', async () => {
    const model = await pool.run(
      'train-gbdt',
      { data, labels: trainLabels, params: { ...params, num_iterations: 500 }, validation },
      { onProgress: (r) => r.iteration < 5 },
    );
    expect(model.trees.length).toBeGreaterThanOrEqual(5);
    expect(model.trees.length).toBeLessThan(500);
  });

  it('returns input errors as InvalidInputError, unknown tasks with a suggestion', async () => {
    const single = new Uint8Array(cut);
    const error = await pool.run('train-gbdt', { data, labels: single }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems[0].where).toBe('labels');
    expect((error as Error).message).toMatch(/single class/);
    await expect(pool.run('train-gdbt' as 'train-gbdt', { data, labels: trainLabels })).rejects.toThrow(
      /did you mean "train-gbdt"/,
    );
  });
});
