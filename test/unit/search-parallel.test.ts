import { medianCurve, runSearch, type TrialReport, type TrialRequest } from '../../analysis/search/parallel';
import type { TrialRecord } from '../../analysis/search/trial';

// A stand-in objective over the learner's parameters: smooth, with an optimum inside the ranges.
function score(request: TrialRequest): number {
  const p = request.params;
  if (request.learner === 'logistic') return 0.8 - 0.01 * Math.abs(Math.log10(Number(p.C)));
  const lr = Math.log10(Number(p.learning_rate));
  return 0.9 - 0.05 * (lr + 1) ** 2 - 0.0005 * Math.abs(Number(p.num_leaves) - 40);
}

async function search(delays: (n: number) => number, parallelism: number) {
  const requests: TrialRequest[] = [];
  let concurrent = 0;
  let most = 0;
  const { study, reason } = await runSearch(
    { models: ['gbdt', 'logistic'], trials: 14, timeoutSeconds: 600, parallelism, seed: 3 },
    {
      now: () => 0,
      evaluate: async (request): Promise<TrialReport> => {
        requests.push(request);
        concurrent++;
        most = Math.max(most, concurrent);
        await new Promise((r) => setTimeout(r, delays(request.number)));
        concurrent--;
        const value = score(request);
        return { number: request.number, state: 'complete', value, intermediate: [{ step: 10, value }] };
      },
    },
  );
  return { study, reason, requests, most };
}

describe('runSearch', () => {
  it('makes the same suggestions whatever order trials finish in', async () => {
    const fast = await search(() => 0, 3);
    const shuffled = await search((n) => ((n * 7) % 5) * 3, 3);
    expect(shuffled.requests.map((r) => r.params)).toEqual(fast.requests.map((r) => r.params));
    expect(fast.study.trials).toHaveLength(14);
    expect(fast.reason).toBe('trials');
    expect(shuffled.most).toBe(3);
    // The learners' defaults come first, then TPE.
    expect(fast.requests.slice(0, 2).map((r) => r.learner)).toEqual(['gbdt', 'logistic']);
    expect(fast.requests[0].params.num_leaves).toBe(31);
    expect(fast.study.bestTrial?.value).toBeGreaterThan(0.85);
  });

  it('keeps the slots busy while the oldest trial is slow, never above the parallelism', async () => {
    let running = 0;
    let most = 0;
    const startedWhileFirstRan: number[] = [];
    let firstDone = false;
    const { study } = await runSearch(
      { models: ['gbdt', 'logistic'], trials: 8, timeoutSeconds: 600, parallelism: 2, seed: 3 },
      {
        now: () => 0,
        evaluate: async (request): Promise<TrialReport> => {
          if (request.number > 0 && !firstDone) startedWhileFirstRan.push(request.number);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, request.number === 0 ? 80 : 2));
          running--;
          if (request.number === 0) firstDone = true;
          const value = score(request);
          return { number: request.number, state: 'complete', value, intermediate: [] };
        },
      },
    );
    // Trial 1 and the two asked ahead (2, 3) ran while trial 0 did; 4 waits for 0 to be told.
    expect(startedWhileFirstRan).toEqual([1, 2, 3]);
    expect(most).toBe(2);
    expect(study.trials.map((t) => t.state)).toEqual(Array(8).fill('complete'));
  });

  it('stops asking when the time budget is spent, and awaits the running trials', async () => {
    let clock = 0;
    const { study, reason } = await runSearch(
      { models: ['logistic'], trials: 50, timeoutSeconds: 5, parallelism: 2, seed: 1 },
      {
        now: () => clock,
        evaluate: async (request) => {
          clock += 1000;
          return { number: request.number, state: 'complete', value: score(request), intermediate: [] };
        },
      },
    );
    expect(reason).toBe('time');
    expect(study.trials.every((t) => t.state === 'complete')).toBe(true);
    expect(study.trials.length).toBeGreaterThanOrEqual(5);
    expect(study.trials.length).toBeLessThanOrEqual(7);
  });

  it('ends with the error a trial throws (bad data), and a failed report fails only that trial', async () => {
    await expect(
      runSearch(
        { models: ['logistic'], trials: 4, timeoutSeconds: 60, parallelism: 2, seed: 1 },
        {
          now: () => 0,
          evaluate: async (request) => {
            if (request.number === 1) throw new Error('no rows');
            return { number: request.number, state: 'complete', value: 0.7, intermediate: [] };
          },
        },
      ),
    ).rejects.toThrow('no rows');
    const { study } = await runSearch(
      { models: ['logistic'], trials: 3, timeoutSeconds: 60, parallelism: 1, seed: 1 },
      {
        now: () => 0,
        evaluate: async (request) =>
          request.number === 1
            ? { number: 1, state: 'failed', value: null, intermediate: [], error: 'diverged' }
            : { number: request.number, state: 'complete', value: 0.7, intermediate: [] },
      },
    );
    expect(study.trials.map((t) => t.state)).toEqual(['complete', 'failed', 'complete']);
  });
});

describe('medianCurve', () => {
  const trial = (
    number: number,
    learner: string,
    values: number[],
    state: TrialRecord['state'] = 'complete',
  ): TrialRecord => ({
    number,
    state,
    params: { learner },
    distributions: {},
    intermediate: values.map((value, k) => ({ step: (k + 1) * 10, value })),
  });

  it('is the per-step median of finished trials of the learner, from the fifth on', () => {
    const four = [0.5, 0.6, 0.7, 0.8].map((v, i) => trial(i, 'gbdt', [v, v + 0.1]));
    expect(medianCurve(four, 'gbdt')).toEqual([]);
    const trials = [
      ...four,
      trial(4, 'gbdt', [0.9]),
      trial(5, 'logistic', [0.1, 0.1]),
      trial(6, 'gbdt', [0.1], 'running'),
    ];
    expect(medianCurve(trials, 'gbdt')).toEqual([{ step: 10, value: 0.7 }]);
  });
});
