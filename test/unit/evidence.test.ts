/**
 * The pieces of the time-aware evidence, each against an independent computation: the shift
 * kernels against the distribution analysis run on rotated labels, the autocorrelation against
 * its definition, the GPD fit against samples of known parameters, the shift schedule and the
 * sequential test against their rules.
 */

import { ar1 } from '../../analysis/demo/noise';
import {
  analyzeDistribution,
  type CategoricalDistribution,
  type NumericDistribution,
} from '../../analysis/distribution';
import { prepareDistribution } from '../../analysis/distribution/analyze';
import { autocorrelation, correlationLength } from '../../analysis/evidence/autocorrelation';
import { categoricalKernel, numericKernel, shiftContext } from '../../analysis/evidence/kernels';
import { badEpisodes, observationsOf, rowsByObservation } from '../../analysis/evidence/observations';
import { rotatedLabels, shiftSchedule, shiftTest } from '../../analysis/evidence/shifts';
import { fitGpd, gpdSurvival, tailPValue } from '../../analysis/evidence/tail';
import { analyzeOverTime } from '../../analysis/evidence/time-aware';
import type { ObservationTable, Variable } from '../../analysis/frame';
import { createRng, type Rng } from '../../analysis/random';

/** Rows in windows of 1–4 rows; some rows left out; a numeric variable with ties and gaps, a text one. */
function windowedTable(seed: number): {
  table: ObservationTable;
  windowOf: Int32Array;
  windowLabels: Uint8Array;
  mask: Uint8Array;
} {
  const rng = createRng(seed);
  const windows = 300;
  const windowOf: number[] = [];
  for (let w = 0; w < windows; w++) {
    const size = 1 + rng.int(4);
    for (let r = 0; r < size; r++) windowOf.push(w);
  }
  const rows = windowOf.length;
  const drift = ar1(rng, windows, 0.9);
  const windowLabels = Uint8Array.from(drift, (d) => (d > 0.8 ? 1 : 0));
  const values = new Float64Array(rows);
  const rounded = new Float64Array(rows);
  const texts: (string | null)[] = [];
  const x = ar1(rng, rows, 0.95);
  for (let i = 0; i < rows; i++) {
    values[i] = rng.next() < 0.05 ? Number.NaN : x[i] + 0.8 * windowLabels[windowOf[i]];
    rounded[i] = Math.round(x[i] * 3);
    texts.push(rng.next() < 0.03 ? null : `L${Math.floor((i / rows) * 7)}`);
  }
  const mask = new Uint8Array(rows).fill(1);
  for (let i = 0; i < rows; i++) if (windowOf[i] % 37 === 5) mask[i] = 0;
  const variables: Variable[] = [
    { name: 'x', data: { kind: 'numeric', values } },
    { name: 'rounded', data: { kind: 'numeric', values: rounded } },
    { name: 'lot', data: { kind: 'text', values: texts } },
  ];
  return { table: { rows, variables }, windowOf: Int32Array.from(windowOf), windowLabels, mask };
}

describe('shift kernels', () => {
  it.each([
    ['windows of 1–4 rows, some left out', true],
    ['every row its own observation', false],
  ])(
    'recompute the entry score, KS and chi-square exactly as the analysis does on rotated labels (%s)',
    (_, windowed) => {
      const data = windowedTable(3);
      const { table, windowOf, windowLabels } = data;
      const mask = windowed ? data.mask : new Uint8Array(table.rows).fill(1);
      const rowLabels = Uint8Array.from(windowOf, (w) => windowLabels[w]);
      const observations = windowed
        ? observationsOf(rowLabels, (i) => windowOf[i], mask)
        : observationsOf(rowLabels);
      const context = shiftContext(observations);
      const W = observations.count;
      for (const variable of table.variables) {
        const prepared = prepareDistribution({ rows: table.rows, variables: [variable] }).variables[0];
        const [entry] = analyzeDistribution({ rows: table.rows, variables: [variable] }, rowLabels, {
          rows: mask,
        });
        const kernel =
          prepared.kind === 'numeric' && entry.kind === 'numeric'
            ? numericKernel(prepared, context, entry.histogram.edges, true)
            : prepared.kind === 'categorical'
              ? categoricalKernel(prepared.codes, prepared.levels.length, context, true)
              : null;
        expect(kernel).not.toBeNull();
        const out = new Float64Array(2);
        for (const shift of [0, 1, 17, 150, W - 1]) {
          kernel!.evaluate(shift, out);
          // oracle: every row labelled by the observation `shift` later, analysed from scratch
          const rotated = new Uint8Array(table.rows);
          for (let i = 0; i < table.rows; i++) {
            const o = observations.ofRow[i];
            if (o >= 0) rotated[i] = observations.labels[(o + shift) % W];
          }
          const [truth] = analyzeDistribution({ rows: table.rows, variables: [variable] }, rotated, {
            rows: mask,
          });
          if (truth.kind === 'numeric') {
            expect(out[0]).toBeCloseTo(truth.score, 12);
            expect(out[1]).toBeCloseTo((truth as NumericDistribution).ks!, 12);
          } else {
            const c = truth as CategoricalDistribution;
            expect(out[0]).toBeCloseTo(c.score, 12);
            expect(out[1]).toBeCloseTo(c.chiSquare!, 9);
          }
        }
      }
    },
  );
});

describe('observations and episodes', () => {
  it('numbers groups by first appearance and leaves masked rows out', () => {
    const labels = Uint8Array.from([0, 0, 1, 0, 0, 0, 1]);
    const groups = [10, 10, 10, 20, 30, 30, 40];
    const mask = Uint8Array.from([1, 1, 1, 1, 0, 1, 1]);
    const o = observationsOf(labels, (i) => groups[i], mask);
    expect(o.count).toBe(4);
    expect(Array.from(o.ofRow)).toEqual([0, 0, 0, 1, -1, 2, 3]);
    expect(Array.from(o.labels)).toEqual([1, 0, 0, 1]);
    const g = rowsByObservation(o);
    expect(Array.from(g.start)).toEqual([0, 3, 4, 5, 6]);
    expect(Array.from(g.rows)).toEqual([0, 1, 2, 3, 5, 6]);
  });

  it('counts maximal runs of positives, one negative inside not splitting them', () => {
    expect(badEpisodes([0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]).count).toBe(3);
    expect(badEpisodes([0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]).runs).toEqual([
      { first: 1, last: 4 },
      { first: 7, last: 7 },
      { first: 11, last: 12 },
    ]);
    expect(badEpisodes([1, 0, 1, 0, 1], 0).count).toBe(3);
    expect(badEpisodes([0, 0, 0]).count).toBe(0);
  });
});

describe('autocorrelation', () => {
  it('matches the definition, and an AR(1) decorrelates where φ^k falls under the threshold', () => {
    const rng = createRng(5);
    const x = ar1(rng, 3000, 0.9);
    const r = autocorrelation(x, 20);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    let denominator = 0;
    for (const v of x) denominator += (v - mean) ** 2;
    for (const k of [1, 2, 7, 20]) {
      let numerator = 0;
      for (let t = 0; t + k < x.length; t++) numerator += (x[t] - mean) * (x[t + k] - mean);
      expect(r[k]).toBeCloseTo(numerator / denominator, 10);
    }
    // 0.9^k < 0.1 from k = 22; the estimate is noisy, so within a few lags
    const long = ar1(createRng(6), 50_000, 0.9);
    expect(Math.abs(correlationLength(long, 1000) - 22)).toBeLessThanOrEqual(2);
    expect(
      correlationLength(
        Float64Array.from({ length: 500 }, () => rng.next()),
        100,
      ),
    ).toBe(1);
  });
});

describe('generalized Pareto tail', () => {
  function gpdSample(rng: Rng, n: number, shape: number, scale: number): Float64Array {
    return Float64Array.from({ length: n }, () => {
      const u = 1 - rng.next();
      return shape === 0 ? -scale * Math.log(u) : (scale * (u ** -shape - 1)) / shape;
    });
  }

  it.each([
    [0.3, 2],
    [0, 1],
    [-0.3, 1],
  ])('recovers shape %p and scale %p from 5,000 draws', (shape, scale) => {
    const fit = fitGpd(gpdSample(createRng(11), 5000, shape, scale))!;
    expect(Math.abs(fit.shape - shape)).toBeLessThan(0.05);
    expect(Math.abs(fit.scale / scale - 1)).toBeLessThan(0.07);
  });

  it('extrapolates a normal tail on the safe side: never far below the truth', () => {
    // 2,000 null statistics, standard normal: P(Z ≥ 4) = 3.2e-5, P(Z ≥ 5) = 2.9e-7. The
    // exponential floor makes the far tail too heavy (conservative), about 100× at 5 sd.
    const rng = createRng(12);
    const sample = Float64Array.from({ length: 2000 }, () => rng.normal());
    for (const [z, truth, over] of [
      [4, 3.167e-5, 10],
      [5, 2.867e-7, 300],
    ]) {
      const tail = tailPValue(sample, 2000, z)!;
      expect(tail.pValue).toBeGreaterThan(truth / 2);
      expect(tail.pValue).toBeLessThan(truth * over);
    }
    // beyond the fitted end of a bounded tail the probability is small, never zero
    const bounded = Float64Array.from({ length: 2000 }, () => rng.next());
    const beyond = tailPValue(bounded, 2000, 1.5)!;
    expect(beyond.shape).toBe(0);
    expect(beyond.pValue).toBeGreaterThan(0);
    expect(gpdSurvival({ shape: 0.5, scale: 1 }, 2)).toBeCloseTo(0.25, 12);
  });
});

describe('shift schedule and sequential test', () => {
  it('draws distinct rotations, every one when they are few, the same by seed', () => {
    const all = shiftSchedule(100, 10, 2000, createRng(1));
    expect(all).toMatchObject({ allowed: 99, count: 100, near: 10 });
    expect([...all.shifts].sort((a, b) => a - b)).toEqual(Array.from({ length: 99 }, (_, i) => 1 + i));
    const some = shiftSchedule(100_000, 50, 2000, createRng(2));
    expect(new Set(some.shifts).size).toBe(2000);
    expect(Math.min(...some.shifts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...some.shifts)).toBeLessThanOrEqual(99_999);
    expect(Array.from(shiftSchedule(100_000, 50, 2000, createRng(2)).shifts)).toEqual(
      Array.from(some.shifts),
    );
    expect(shiftSchedule(1, 6, 2000, createRng(1)).shifts).toHaveLength(0);
  });

  it('fits the tail on the shifts far from the observed alignment only', () => {
    // the statistic is extreme near shift 0 (a real cause's own peak) and noise elsewhere
    const schedule = shiftSchedule(3000, 100, 2000, createRng(7));
    const noise = createRng(8);
    const kernel = {
      statistics: 1,
      evaluate: (shift: number, out: Float64Array) => {
        const d = Math.min(shift, 3000 - shift);
        out[0] = d === 0 ? 8 : d < 100 ? 7 * (1 - d / 100) + noise.normal() * 0.1 : noise.normal();
      },
    };
    const result = shiftTest(kernel, schedule);
    expect(result.tail).toBe(true);
    // the near shifts (up to 7) would have made the tail heavy; the far ones are N(0, 1)
    expect(result.pValue).toBeLessThan(1e-6);
  });

  it('stops early on a clearly null statistic and runs to the end, with a tail, on an extreme one', () => {
    const schedule = shiftSchedule(5000, 1, 2000, createRng(3));
    const noise = createRng(4);
    const nullKernel = {
      statistics: 1,
      evaluate: (shift: number, out: Float64Array) => {
        out[0] = shift === 0 ? 0.5 : noise.next();
      },
    };
    const early = shiftTest(nullKernel, schedule);
    expect(early.shifts).toBe(100); // the minimum: ten exceedances come much sooner
    expect(early.pValue).toBeGreaterThan(0.3);
    expect(shiftTest(nullKernel, schedule, { minShifts: 10 }).shifts).toBeLessThan(60);
    const extreme = shiftTest(
      {
        statistics: 1,
        evaluate: (shift, out) => {
          out[0] = shift === 0 ? 6 : noise.normal();
        },
      },
      schedule,
    );
    expect(extreme.shifts).toBe(2000);
    expect(extreme.tail).toBe(true);
    expect(extreme.pValue).toBeLessThan(1 / 2001);
    expect(extreme.pValue).toBeGreaterThan(0);
    const exact = shiftTest(nullKernel, shiftSchedule(50, 5, 2000, createRng(5)), { exceedances: 1000 });
    expect(exact.exhaustive).toBe(true);
    expect(exact.shifts).toBe(49);
  });
});

describe('rotatedLabels', () => {
  it('rotates the labels by distinct shifts of at least their correlation length', () => {
    const drift = ar1(createRng(9), 500, 0.9);
    const labels = Uint8Array.from(drift, (d) => +(d > 1));
    const draws = rotatedLabels(labels, 50, 3);
    expect(draws).toHaveLength(50);
    const shifts = draws.map(
      (y) =>
        Array.from({ length: 500 }, (_, s) => s).find((s) => y.every((v, i) => v === labels[(i + s) % 500]))!,
    );
    for (const s of shifts)
      expect(Math.min(s, 500 - s)).toBeGreaterThanOrEqual(correlationLength(labels, 250));
    expect(rotatedLabels(labels, 50, 3)).toEqual(draws);
  });
});

describe('analyzeOverTime', () => {
  it('keeps the distribution entries, adds time-aware p- and q-values, and is deterministic by seed', () => {
    const { table, windowOf, windowLabels, mask } = windowedTable(8);
    const rowLabels = Uint8Array.from(windowOf, (w) => windowLabels[w]);
    const observations = observationsOf(rowLabels, (i) => windowOf[i], mask);
    const a = analyzeOverTime(table, observations, { seed: 4 });
    const b = analyzeOverTime(table, observations, { seed: 4 });
    expect(b).toEqual(a);
    const plain = analyzeDistribution(table, rowLabels, { rows: mask });
    expect(a.entries.map((e) => e.variable)).toEqual(plain.map((e) => e.variable));
    for (const [i, e] of a.entries.entries()) {
      const p = plain[i];
      expect(e.score).toBe(p.score);
      if (e.kind === 'identifier') continue;
      expect(e.pValueIid).toBe(e.kind === 'numeric' ? e.ksPValue : e.chiSquarePValue);
      expect(e.qValueIid).toBe(p.qValue);
      expect(e.pValue).toBeGreaterThan(0);
      expect(e.shiftTest!.shifts).toBeGreaterThan(0);
    }
    expect(a.evidence.observations).toBe(observations.count);
    expect(a.evidence.episodes).toBe(badEpisodes(observations.labels).count);
    expect(a.evidence.correlationLength).toBeGreaterThan(1);
    expect(a.evidence.method).toContain('circular shifts');
  });
});
