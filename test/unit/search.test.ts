import { isInvalidInput } from '../../analysis/errors';
import { budgetStatus, optimize, secondsLeft } from '../../analysis/search/budget';
import type { PrunerConfig } from '../../analysis/search/pruners';
import { resolveTpeConfig, type SamplerConfig, tpeEstimators } from '../../analysis/search/samplers';
import { defaultTrialParams, learnerSpace, searchRanges } from '../../analysis/search/spaces';
import { Study, type StudyState, type Trial, TrialPruned } from '../../analysis/search/study';
import type { Direction, TrialRecord } from '../../analysis/search/trial';
import prunerFixture from '../fixtures/search/pruners.json';

/** A mixed space: a float, a log float, a stepped int and a categorical. */
function mixedSpace(trial: Trial) {
  return {
    x: trial.suggestFloat('x', -3, 3),
    lr: trial.suggestFloat('lr', 1e-4, 1, { log: true }),
    k: trial.suggestInt('k', 1, 21, { step: 2 }),
    c: trial.suggestCategorical('c', ['a', 'b', 'c']),
  };
}

function mixedObjective(p: ReturnType<typeof mixedSpace>): number {
  return (p.x - 1) ** 2 + Math.log10(p.lr / 0.01) ** 2 + (p.k - 7) ** 2 / 10 + (p.c === 'b' ? 0 : 1);
}

function runTrials(study: Study, n: number): void {
  for (let i = 0; i < n; i++) {
    const { number, params } = study.askWith(mixedSpace);
    study.tell(number, { state: 'complete', value: mixedObjective(params) });
  }
}

function expectInvalid(fn: () => unknown, pattern: RegExp) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(isInvalidInput(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('Study', () => {
  it('is seeded: same seed, same suggestions; another seed, others', () => {
    for (const sampler of [{ kind: 'random' }, { kind: 'tpe' }] as SamplerConfig[]) {
      const a = new Study({ seed: 5, sampler });
      const b = new Study({ seed: 5, sampler });
      const c = new Study({ seed: 6, sampler });
      runTrials(a, 20);
      runTrials(b, 20);
      runTrials(c, 20);
      expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
      expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    }
  });

  it('takes back only the last trial asked, while it runs', () => {
    const study = new Study({ seed: 2 });
    runTrials(study, 3);
    const a = study.ask();
    a.suggestFloat('x', 0, 1);
    const b = study.ask();
    expect(() => study.withdraw(a.number)).toThrow(/not the last one asked/);
    study.withdraw(b.number);
    expect(study.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'complete', 'running']);
    study.withdraw(a.number);
    expect(study.trials).toHaveLength(3);
    expect(() => study.withdraw(2)).toThrow(/already complete/);
    expect(study.ask().number).toBe(3);
  });

  it('TPE moves toward the optimum on a mixed space', () => {
    const study = new Study({ seed: 1 });
    runTrials(study, 60);
    const late = study.trials.slice(40);
    // After the start-up the categorical optimum dominates and x gathers near 1.
    expect(late.filter((t) => t.params.c === 'b').length).toBeGreaterThan(14);
    const meanAbs = late.reduce((s, t) => s + Math.abs((t.params.x as number) - 1), 0) / late.length;
    expect(meanAbs).toBeLessThan(0.8); // uniform on [-3, 3] would give 2.17
    expect(study.bestTrial?.value).toBeLessThan(0.6);
    for (const t of study.trials) {
      expect(((t.params.k as number) - 1) % 2).toBe(0);
      expect(t.params.lr as number).toBeGreaterThanOrEqual(1e-4);
    }
  });

  it('serializes to JSON and resumes to the same next suggestions', () => {
    for (const sampler of [
      { kind: 'tpe' },
      { kind: 'tpe', multivariate: false },
      { kind: 'random' },
    ] as SamplerConfig[]) {
      const original = new Study({ seed: 3, sampler, pruner: { kind: 'successiveHalving' } });
      runTrials(original, 15);
      // A trial still running and one enqueued at the time of saving.
      const running = original.askWith(mixedSpace);
      original.enqueue({ x: 0.5, c: 'a' });
      const saved: StudyState = JSON.parse(JSON.stringify(original.toJSON()));
      const resumed = Study.fromJSON(saved);
      expect(resumed.toJSON()).toEqual(original.toJSON());
      for (const study of [original, resumed]) {
        study.tell(running.number, { state: 'complete', value: mixedObjective(running.params) });
        runTrials(study, 6);
      }
      expect(resumed.trials).toEqual(original.trials);
      expect(resumed.trials[16].params).toMatchObject({ x: 0.5, c: 'a' });
      // A trial asked before saving is suggested on the resumed study just as on the original.
      const asked = original.ask().number;
      const again = Study.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
      expect(mixedSpace(again.trial(asked))).toEqual(mixedSpace(original.trial(asked)));
      resumed.ask();
      mixedSpace(resumed.trial(asked));
      expect(resumed.trials[asked].params).toEqual(original.trials[asked].params);
      // And a study resumed from the start of the run catches up exactly.
      expect(JSON.stringify(resumed.toJSON())).toBe(JSON.stringify(original.toJSON()));
    }
  });

  it('constant liar: 4 trials asked at once are never the same', () => {
    const space = (t: Trial) => ({ x: t.suggestInt('x', 0, 10), y: t.suggestInt('y', 0, 10) });
    const value = (p: { x: number; y: number }) => (p.x - 7) ** 2 + (p.y - 3) ** 2;
    const duplicates = (constantLiar: boolean) => {
      let batchesWithCopies = 0;
      for (let seed = 0; seed < 10; seed++) {
        const study = new Study({ seed, sampler: { kind: 'tpe', constantLiar } });
        for (let i = 0; i < 20; i++) {
          const { number, params } = study.askWith(space);
          study.tell(number, { state: 'complete', value: value(params) });
        }
        for (let round = 0; round < 5; round++) {
          const batch = [0, 1, 2, 3].map(() => study.askWith(space));
          if (new Set(batch.map((b) => `${b.params.x},${b.params.y}`)).size < 4) batchesWithCopies++;
          for (const b of batch) study.tell(b.number, { state: 'complete', value: value(b.params) });
        }
      }
      return batchesWithCopies;
    };
    expect(duplicates(true)).toBe(0);
    // Without the liar the four asks see the same history and mostly collide (measured 39 of 50).
    expect(duplicates(false)).toBeGreaterThan(20);
  });

  it('constant liar: running trials join the bad group and spread continuous asks too', () => {
    const spread = (constantLiar: boolean) => {
      let total = 0;
      for (let seed = 0; seed < 10; seed++) {
        const study = new Study({ seed, sampler: { kind: 'tpe', constantLiar } });
        for (let i = 0; i < 20; i++) {
          const trial = study.ask();
          const x = trial.suggestFloat('x', -5, 5);
          study.tell(trial.number, { state: 'complete', value: x * x });
        }
        const xs = [0, 1, 2, 3].map(() => study.askWith((t) => t.suggestFloat('x', -5, 5)).params);
        total += Math.max(...xs) - Math.min(...xs);
      }
      return total / 10;
    };
    expect(spread(true)).toBeGreaterThan(1.5 * spread(false));
  });

  it('conditional parameters exist only in their branch; TPE fits each over the trials that have it', () => {
    const study = new Study({ seed: 11 });
    const space = (t: Trial) => {
      const branch = t.suggestCategorical('branch', ['a', 'b']);
      return branch === 'a'
        ? { branch, u: t.suggestFloat('u', 0, 1) }
        : { branch, v: t.suggestFloat('v', 0, 10) };
    };
    for (let i = 0; i < 60; i++) {
      const { number, params } = study.askWith(space);
      const value = params.branch === 'a' ? 1 + (params.u - 0.8) ** 2 : (params.v - 2) ** 2 / 10;
      study.tell(number, { state: 'complete', value });
    }
    for (const t of study.trials) {
      expect(Object.keys(t.params).sort()).toEqual(
        t.params.branch === 'a' ? ['branch', 'u'] : ['branch', 'v'],
      );
    }
    const late = study.trials.slice(30);
    const lateA = late.filter((t) => t.params.branch === 'a');
    const lateB = late.filter((t) => t.params.branch === 'b');
    expect(lateB.length).toBeGreaterThan(lateA.length);
    const meanDistance = (ts: typeof late, key: string, target: number) =>
      ts.reduce((s, t) => s + Math.abs((t.params[key] as number) - target), 0) / ts.length;
    expect(meanDistance(lateB, 'v', 2)).toBeLessThan(1.5); // uniform on [0, 10]: 3.4
    expect(study.bestTrial?.params.branch).toBe('b');
  });

  it('enqueued and fixed parameters are used as given; the rest is sampled', () => {
    const study = new Study({ seed: 2, sampler: { kind: 'random' } });
    study.enqueue({ x: 2, c: 'c' });
    const first = study.askWith(mixedSpace);
    expect(first.params).toMatchObject({ x: 2, c: 'c' });
    expect(study.trials[0].fixedParams).toEqual({ x: 2, c: 'c' });
    const second = study.askWith(mixedSpace, { k: 21 });
    expect(second.params.k).toBe(21);
    expect(second.params.x).not.toBe(2);
    expectInvalid(() => study.askWith(mixedSpace, { k: 4 }), /k: fixed value 4 is outside/);
    // The failing space left its trial failed, not running.
    expect(study.trials[2].state).toBe('failed');
  });

  it('tell: states, best trial, and clear errors', () => {
    const study = new Study({ direction: 'maximize', sampler: { kind: 'random' } });
    const a = study.ask();
    const b = study.ask();
    const c = study.ask();
    const d = study.ask();
    study.tell(a.number, { state: 'complete', value: 1 });
    study.tell(b.number, { state: 'complete', value: 3 });
    study.tell(c.number, { state: 'complete', value: Number.NaN });
    study.tell(d.number, { state: 'pruned' });
    expect(study.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'failed', 'pruned']);
    expect(study.trials[2].error).toMatch(/not a finite number/);
    expect(study.bestTrial?.number).toBe(1);
    expectInvalid(
      () => study.tell(a.number, { state: 'complete', value: 2 }),
      /trial 0: is already complete/,
    );
    expectInvalid(() => study.tell(9, { state: 'complete', value: 2 }), /trial 9: does not exist/);
    expectInvalid(() => a.suggestFloat('x', 0, 1), /suggest before tell/);
    const e = study.ask();
    e.suggestFloat('x', 0, 1);
    expectInvalid(() => e.suggestFloat('x', 0, 2), /different ranges/);
    expectInvalid(() => e.suggestFloat('y', 0, 1, { log: true }), /log scale needs low > 0/);
    expectInvalid(() => e.suggestInt('z', 1, 10, { log: true, step: 2 }), /both log and a step/);
    expectInvalid(() => new Study({ sampler: { kind: 'tpe', nEiCandidates: 0 } }), /nEiCandidates/);
    expectInvalid(
      () => new Study({ pruner: { kind: 'successiveHalving', reductionFactor: 1 } }),
      /reductionFactor/,
    );
  });

  it('a trial with fixed parameters is a baseline that TPE then learns from', () => {
    const study = new Study({ seed: 4 });
    study.enqueue(defaultTrialParams('gbdt'));
    const baseline = study.askWith(learnerSpace(['gbdt', 'logistic']));
    expect(baseline.params).toEqual({
      kind: 'gbdt',
      params: {
        num_leaves: 31,
        max_depth: -1,
        learning_rate: 0.1,
        min_data_in_leaf: 20,
        feature_fraction: 1,
        bagging_fraction: 1,
        lambda_l1: 1e-8,
        lambda_l2: 1e-8,
        num_iterations: 500,
        early_stopping_round: 30,
        bagging_freq: 1,
        metric: 'binary_logloss',
      },
    });
  });

  it('TPE on the learner space: conditional, boolean, log-int parameters, and the better learner wins', () => {
    const study = new Study({ seed: 9, direction: 'maximize' });
    study.enqueue(defaultTrialParams('gbdt'));
    study.enqueue(defaultTrialParams('logistic'));
    const space = learnerSpace(['gbdt', 'logistic']);
    for (let i = 0; i < 50; i++) {
      const { number, params } = study.askWith(space);
      // A made-up validation AUC: gbdt is better, best near learning_rate 0.05 and 32 leaves.
      const auc =
        params.kind === 'gbdt'
          ? 0.9 -
            0.02 * Math.log((params.params.learning_rate as number) / 0.05) ** 2 -
            0.01 * Math.log2((params.params.num_leaves as number) / 32) ** 2
          : 0.8 - 0.01 * Math.log10(params.params.C as number) ** 2;
      study.tell(number, { state: 'complete', value: auc });
    }
    const late = study.trials.slice(30);
    expect(late.filter((t) => t.params.learner === 'gbdt').length).toBeGreaterThan(14);
    expect(study.bestTrial?.params.learner).toBe('gbdt');
    expect(study.bestTrial?.value).toBeGreaterThan(0.89);
  });

  it('a parameter whose range changes between trials: values outside the new range are left out', () => {
    const study = new Study({ seed: 5, sampler: { kind: 'tpe', multivariate: false, nStartupTrials: 3 } });
    for (let i = 0; i < 12; i++) {
      const t = study.ask();
      const x = i < 6 ? t.suggestFloat('x', 10, 20) : t.suggestFloat('x', 0, 1);
      const c = i < 6 ? t.suggestCategorical('c', ['old']) : t.suggestCategorical('c', ['p', 'q']);
      study.tell(t.number, { state: 'complete', value: x + (c === 'q' ? 0 : 1) });
    }
    const last = study.trials[11].params;
    expect(last.x as number).toBeLessThanOrEqual(1);
    expect(['p', 'q']).toContain(last.c);
    // The estimators for the new ranges hold the 6 new trials only (plus one prior kernel each).
    const current = study.ask();
    const history = { direction: study.direction, trials: study.trials as TrialRecord[] };
    const options = resolveTpeConfig({ kind: 'tpe' });
    for (const name of ['x', 'c']) {
      const d = study.trials[11].distributions[name];
      const { l, g } = tpeEstimators(
        history,
        study.trials[current.number] as TrialRecord,
        [[name, d]],
        options,
      );
      expect(l.weights.length - 1 + (g.weights.length - 1)).toBe(6);
      expect(Number.isFinite(l.logPdf([name === 'x' ? 0.5 : 1]) - g.logPdf([name === 'x' ? 0.5 : 1]))).toBe(
        true,
      );
    }
  });
});

describe('learner search space', () => {
  it('gives LightGBM names within the documented ranges, and branch parameters only in their branch', () => {
    const study = new Study({ seed: 8, sampler: { kind: 'random' } });
    const space = learnerSpace(['gbdt', 'logistic']);
    const kinds = new Set<string>();
    let limited = 0;
    for (let i = 0; i < 200; i++) {
      const { number, params } = study.askWith(space);
      kinds.add(params.kind);
      const recorded = Object.keys(study.trials[number].params).sort();
      if (params.kind === 'logistic') {
        expect(recorded).toEqual(['C', 'learner', 'penalty']);
        expect(params.params.C).toBeGreaterThanOrEqual(1e-4);
        expect(params.params.C).toBeLessThanOrEqual(100);
        expect(['l1', 'l2']).toContain(params.params.penalty);
      } else {
        const p = params.params as Record<string, number>;
        expect(recorded).toContain('num_leaves');
        expect(recorded).not.toContain('C');
        expect(Number.isInteger(p.num_leaves) && p.num_leaves >= 8 && p.num_leaves <= 128).toBe(true);
        expect(p.max_depth === -1 || (p.max_depth >= 3 && p.max_depth <= 12)).toBe(true);
        if (p.max_depth !== -1) limited++;
        expect(p.learning_rate).toBeGreaterThanOrEqual(0.01);
        expect(p.learning_rate).toBeLessThanOrEqual(0.3);
        expect(p.min_data_in_leaf).toBeGreaterThanOrEqual(5);
        expect(p.feature_fraction).toBeGreaterThanOrEqual(0.5);
        expect(p.lambda_l2).toBeLessThanOrEqual(10);
        expect([p.num_iterations, p.early_stopping_round, p.bagging_freq]).toEqual([500, 30, 1]);
        expect(params.params.metric).toBe('binary_logloss');
      }
      study.tell(number, { state: 'complete', value: 0 });
    }
    expect([...kinds].sort()).toEqual(['gbdt', 'logistic']);
    expect(limited).toBeGreaterThan(20);
    expect(searchRanges.gbdt.num_leaves).toEqual({ kind: 'int', low: 8, high: 128, log: true });
  });

  it('only the configured models; unknown names get a did-you-mean', () => {
    const study = new Study({ seed: 1, sampler: { kind: 'random' } });
    for (let i = 0; i < 5; i++)
      expect(study.askWith(learnerSpace(['logistic'])).params.kind).toBe('logistic');
    expectInvalid(
      () => learnerSpace(['gbdtt' as 'gbdt']),
      /models\[0\]: model "gbdtt" does not exist; did you mean "gbdt"/,
    );
    expectInvalid(() => learnerSpace([]), /at least one model/);
  });
});

describe('pruners against Optuna (where each trial of a sequence of curves is stopped)', () => {
  for (const scenario of prunerFixture.scenarios) {
    it(`${scenario.direction}, ${JSON.stringify(scenario.pruner)}`, () => {
      const study = new Study({
        direction: scenario.direction as Direction,
        pruner: scenario.pruner as PrunerConfig,
        sampler: { kind: 'random' },
      });
      const prunedAt = scenario.curves.map((curve) => {
        const trial = study.ask();
        for (let step = 0; step < curve.length; step++) {
          trial.report(step, curve[step]);
          if (trial.shouldPrune()) {
            study.tell(trial.number, { state: 'pruned' });
            return step;
          }
        }
        study.tell(trial.number, { state: 'complete', value: curve[curve.length - 1] });
        return -1;
      });
      expect(prunedAt).toEqual(scenario.prunedAt);
    });
  }

  it('median: a curve above the median of complete trials is pruned, one below is not', () => {
    const study = new Study({ pruner: { kind: 'median', nStartupTrials: 3 }, sampler: { kind: 'random' } });
    const finish = (values: number[]) => {
      const t = study.ask();
      values.forEach((v, s) => {
        t.report(s, v);
      });
      study.tell(t.number, { state: 'complete', value: values[values.length - 1] });
    };
    const bad = study.ask();
    bad.report(0, 10);
    expect(bad.shouldPrune()).toBe(false); // no complete trial yet
    finish([1, 0.8]);
    finish([2, 1.5]);
    bad.report(1, 9);
    expect(bad.shouldPrune()).toBe(false); // 2 complete < 3 start-up trials
    finish([3, 2.5]);
    bad.report(2, 8);
    expect(bad.shouldPrune()).toBe(false); // nobody reported step 2: cannot judge
    const good = study.ask();
    good.report(0, 1.9);
    expect(good.shouldPrune()).toBe(false); // below the median 2 at step 0
    const worse = study.ask();
    worse.report(0, 2.1);
    expect(worse.shouldPrune()).toBe(true);
    const nan = study.ask();
    nan.report(0, Number.NaN);
    expect(nan.shouldPrune()).toBe(true);
  });

  it('the no-op pruner never prunes', () => {
    const study = new Study({ pruner: { kind: 'none' }, sampler: { kind: 'random' } });
    for (let i = 0; i < 6; i++) {
      const t = study.ask();
      t.report(0, i);
      expect(t.shouldPrune()).toBe(false);
      study.tell(t.number, { state: 'complete', value: i });
    }
  });
});

describe('budget', () => {
  it('ends at the trial budget or the time limit, whichever comes first', () => {
    expect(budgetStatus({ trials: 3 }, 3, 0, 0)).toEqual({ exhausted: true, reason: 'trials' });
    expect(budgetStatus({ trials: 3, timeoutSeconds: 10 }, 1, 1000, 10_999)).toEqual({ exhausted: false });
    expect(budgetStatus({ trials: 3, timeoutSeconds: 10 }, 1, 1000, 11_000)).toEqual({
      exhausted: true,
      reason: 'time',
    });
    expect(secondsLeft({ trials: 3, timeoutSeconds: 10 }, 1000, 4000)).toBe(7);
    expect(secondsLeft({ trials: 3 }, 1000, 4000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('optimize runs trials until the budget ends, with the clock it is given', () => {
    let clock = 0;
    const study = new Study({ seed: 1, pruner: { kind: 'median', nStartupTrials: 2 } });
    const status = optimize(
      study,
      (trial) => {
        clock += 1500; // every trial takes 1.5 s on the fake clock
        const x = trial.suggestFloat('x', -2, 2);
        if (x > 1.9) throw new Error('diverged');
        for (let step = 0; step < 5; step++) {
          trial.report(step, x * x + 1 / (step + 1));
          if (trial.shouldPrune()) throw new TrialPruned();
        }
        return x * x;
      },
      { trials: 100, timeoutSeconds: 30 },
      () => clock,
    );
    expect(status).toEqual({ exhausted: true, reason: 'time' });
    expect(study.trials.length).toBe(20);
    expect(study.trials.every((t) => t.state !== 'running')).toBe(true);
    expect(study.trials.some((t) => t.state === 'pruned')).toBe(true);
    const byTrials = new Study({ seed: 1, sampler: { kind: 'random' } });
    expect(
      optimize(
        byTrials,
        (t) => t.suggestFloat('x', 0, 1),
        { trials: 7, timeoutSeconds: 30 },
        () => 0,
      ),
    ).toEqual({
      exhausted: true,
      reason: 'trials',
    });
    expect(byTrials.trials.length).toBe(7);
  });
});
