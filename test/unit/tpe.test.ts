import { createRng } from '../../analysis/random';
import type { ParamDistribution } from '../../analysis/search/distributions';
import { erf, logGaussMass, logNdtr, ndtri, truncatedNormalQuantile } from '../../analysis/search/gaussian';
import { observe, type TestFunction, testFunctions } from '../../analysis/search/objectives';
import { observationWeights, parzenEstimator } from '../../analysis/search/parzen';
import { resolveTpeConfig, type SamplerConfig, tpeEstimators } from '../../analysis/search/samplers';
import { Study } from '../../analysis/search/study';
import type { Direction, TrialRecord } from '../../analysis/search/trial';
import gaussian from '../fixtures/search/gaussian.json';
import parzen from '../fixtures/search/parzen.json';
import tpeFixture from '../fixtures/search/tpe.json';

function expectClose(actual: number, expected: number, rel: number, abs = 0) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + abs);
}

describe('normal functions against SciPy', () => {
  it('erf, log Φ and Φ⁻¹', () => {
    for (const [z, v] of gaussian.erf) expectClose(erf(z), v, 1e-14, 1e-16);
    for (const [z, v] of gaussian.logNdtr) expectClose(logNdtr(z), v, 1e-12, 1e-16);
    for (const [p, v] of gaussian.ndtri) expectClose(ndtri(p), v, 1e-12, 1e-15);
  });

  it('log masses of intervals, also narrow ones deep in a tail', () => {
    for (const [a, b, v] of gaussian.logGaussMass) expectClose(logGaussMass(a, b), v, 1e-9);
  });

  it('truncated normal quantiles', () => {
    for (const [q, a, b, v] of gaussian.truncnormPpf)
      expectClose(truncatedNormalQuantile(q, a, b), v, 1e-9, 1e-12);
  });
});

describe('Parzen estimator against Optuna', () => {
  for (const c of parzen.cases) {
    it(`${c.name}: same log density as Optuna's _ParzenEstimator`, () => {
      const space = c.space.map(([, d]) => d as ParamDistribution);
      const n = c.observations[0].length;
      const estimator = parzenEstimator(space, c.observations, observationWeights(n));
      c.logPdf.forEach((expected, i) => {
        const point = c.points.map((column) => column[i]);
        expectClose(estimator.logPdf(point), expected, 1e-9, 1e-9);
      });
    });
  }

  it('age weights: flat for the newest 25, a ramp for older ones', () => {
    expect(Array.from(observationWeights(3))).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(Array.from(w.subarray(5))).toEqual(new Array(25).fill(1));
    expect(w[2]).toBeCloseTo(1 / 30 + (1 - 1 / 30) / 2, 12);
  });

  it('samples stay inside the range and on the grid', () => {
    const d: ParamDistribution = { kind: 'int', low: 8, high: 128, log: true, step: 1 };
    const f: ParamDistribution = { kind: 'float', low: 0.5, high: 1, log: false, step: 0.05 };
    const e = parzenEstimator(
      [d, f],
      [
        [8, 128, 20],
        [0.5, 1, 0.75],
      ],
      observationWeights(3),
    );
    const rng = createRng(3);
    const bad: number[][] = [];
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const [k, x] = e.sample(rng);
      const cell = (x - 0.5) / 0.05;
      const onGrid = Math.abs(cell - Math.round(cell)) < 1e-9 && x >= 0.5 && x <= 1;
      if (!(Number.isInteger(k) && k >= 8 && k <= 128) || !onGrid) bad.push([k, x]);
      seen.add(k);
    }
    expect(bad).toEqual([]);
    // Both ends of the range are reachable (they have half a step of extra room).
    expect(seen.has(8) && seen.has(128)).toBe(true);
  });
});

describe('TPE split and estimators against Optuna, on a history with pruned, failed and conditional trials', () => {
  const options = resolveTpeConfig({ kind: 'tpe' });
  for (const c of tpeFixture.cases) {
    const names = c.group.map(([name]) => name).join(', ');
    it(`${c.direction}, group {${names}}`, () => {
      const trials = (tpeFixture.histories as Record<string, unknown[]>)[c.direction] as TrialRecord[];
      const history = { direction: c.direction as Direction, trials };
      const current: TrialRecord = {
        number: trials.length,
        state: 'running',
        params: {},
        distributions: {},
        intermediate: [],
      };
      const space = c.group.map(([name, d]) => [name, d] as [string, ParamDistribution]);
      const { below, l, g } = tpeEstimators(history, current, space, options);
      expect(below.map((t) => t.number)).toEqual(c.below);
      c.logL.forEach((expected, i) => {
        const point = c.points.map((column) => column[i]);
        expectClose(l.logPdf(point), expected, 1e-9, 1e-9);
        expectClose(g.logPdf(point), c.logG[i], 1e-9, 1e-9);
      });
    });
  }
});

/** Mean regret (true value at the best observed trial − optimum) over seeds. */
function meanRegret(fn: TestFunction, sampler: SamplerConfig, seeds: number, trials: number): number {
  let total = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const study = new Study({ seed, sampler, pruner: { kind: 'none' } });
    const noise = createRng(1000 + seed);
    let bestObserved = Number.POSITIVE_INFINITY;
    let bestTrue = Number.POSITIVE_INFINITY;
    for (let i = 0; i < trials; i++) {
      const trial = study.ask();
      const x = fn.low.map((low, j) => trial.suggestFloat(`x${j}`, low, fn.high[j]));
      const y = observe(fn, x, noise);
      study.tell(trial.number, { state: 'complete', value: y });
      if (y < bestObserved) {
        bestObserved = y;
        bestTrue = fn.f(x);
      }
    }
    total += bestTrue - fn.optimum;
  }
  return total / seeds;
}

describe('TPE beats random search (20 seeds × 50 trials)', () => {
  // Mean regrets measured: random / TPE (defaults: multivariate) / independent TPE:
  // branin 0.86 / 0.25 / 0.34, hartmann6 1.63 / 0.52 / 0.91, noisy sphere 5.2 / 0.68 / 1.95.
  // The margins asserted hold for every function with room to spare. (Optuna 5.0 over 100 seeds:
  // 0.23 / 0.50 / 0.89 with its defaults; see bench/search.ts.)
  for (const fn of testFunctions) {
    it(fn.name, () => {
      const random = meanRegret(fn, { kind: 'random' }, 20, 50);
      const tpe = meanRegret(fn, { kind: 'tpe' }, 20, 50);
      expect(tpe).toBeLessThan(0.4 * random);
      if (fn.name === 'branin') {
        // Independent TPE (what conditional parameters get) on one function, to keep this quick.
        expect(meanRegret(fn, { kind: 'tpe', multivariate: false }, 20, 50)).toBeLessThan(0.6 * random);
      }
    });
  }
});
