import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { InvalidInputError } from '../../analysis/errors';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { fitTrial, type TrialFit } from '../../analysis/learners/trial';
import { ComputePool } from '../../compute/pool';
import { shareArray, shareBinnedDataset, shareMatrix } from '../../compute/shared';
import { typescriptBootstrap } from '../../compute/thread';

// The threads run these TypeScript sources (compiled as they load), not a build.
describe('compute pool (worker threads)', () => {
  const { features, labels } = syntheticClassification(3000, 10, 21);
  const data = { features: shareMatrix(features), labels: shareArray(labels) };
  const rows = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);
  const folds = [{ train: rows(0, 2400), validation: rows(2400, 3000) }];
  const trial = (params: Record<string, number>): TrialFit => ({
    kind: 'gbdt',
    params: {
      num_iterations: 30,
      num_leaves: 15,
      bagging_fraction: 0.8,
      bagging_freq: 1,
      seed: 4,
      ...params,
    },
    folds,
    reportEvery: 1,
  });
  let pool: ComputePool;

  beforeAll(() => {
    pool = new ComputePool({ size: 2 });
  });
  afterAll(() => pool.close());

  it('runs a trial in a thread as in-process, sending each point of its curve', async () => {
    const local = fitTrial(data, trial({}));
    const points: { step: number; value: number }[] = [];
    const remote = await pool.run(
      'fit-trial',
      { data, trial: trial({}) },
      {
        onProgress: (p) => {
          points.push(p);
          return true;
        },
      },
    );
    expect(remote).toEqual(local);
    expect(points).toEqual(local.intermediate);
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('runs tasks side by side on a dataset in shared memory', async () => {
    const binned = shareBinnedDataset(await pool.run('bin-dataset', { features: data.features }));
    expect(binned).toEqual(binDataset(features));
    const seeds = [1, 2, 3];
    const remote = await Promise.all(
      seeds.map((seed) => pool.run('fit-trial', { data: { ...data, binned }, trial: trial({ seed }) })),
    );
    seeds.forEach((seed, k) => {
      expect(remote[k]).toEqual(fitTrial(data, trial({ seed })));
    });
  });

  it('starts its threads before the first task when asked, and they run tasks', async () => {
    const early = new ComputePool({ size: 2 });
    try {
      expect(early.threads).toBe(0);
      early.start();
      expect(early.threads).toBe(2);
      expect(await early.run('fit-trial', { data, trial: trial({}) })).toEqual(fitTrial(data, trial({})));
      expect(early.threads).toBe(2);
    } finally {
      await early.close();
    }
    expect(early.threads).toBe(0);
  });

  it('stops a task when the caller says so', async () => {
    const outcome = await pool.run(
      'fit-trial',
      { data, trial: trial({ num_iterations: 500 }) },
      { onProgress: (p) => p.step < 5 },
    );
    expect(outcome.state).toBe('pruned');
    expect(outcome.intermediate.length).toBeGreaterThanOrEqual(5);
    expect(outcome.intermediate.length).toBeLessThan(500);
  });

  it('returns input errors as InvalidInputError, unknown tasks with a suggestion', async () => {
    const single = { ...data, labels: new Uint8Array(3000) };
    const error = await pool.run('fit-trial', { data: single, trial: trial({}) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems[0].where).toBe('gbdt training rows');
    await expect(pool.run('fit-trail' as 'fit-trial', { data, trial: trial({}) })).rejects.toThrow(
      /did you mean "fit-trial"/,
    );
  });

  it('close() stops running tasks and resolves once every thread has exited', async () => {
    const closing = new ComputePool({ size: 2 });
    const running = [1, 2].map((seed) =>
      closing.run('fit-trial', { data, trial: trial({ seed, num_iterations: 5000 }) }).catch((e: Error) => e),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await closing.close();
    for (const error of await Promise.all(running)) expect(String(error)).toMatch(/pool was closed/);
    expect(closing.threads).toBe(0);
  });

  it('a process that closes a busy pool ends with its own exit status (never a silent 0)', () => {
    // The event loop must not empty while a thread is still stopping: the command would end
    // with status 0 before printing anything.
    const script = path.join(__dirname, '..', 'support', 'close-busy-pool.ts');
    const run = spawnSync(process.execPath, ['-e', typescriptBootstrap(script)], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 3, stdout: 'closed' });
  });
});
