import { InvalidInputError } from '../../analysis/errors';
import {
  averagePrecision,
  balancedAccuracy,
  brierScore,
  confusionMatrix,
  f1OptimalThreshold,
  logLoss,
  rocAuc,
} from '../../analysis/learners/metrics';
import fixture from '../fixtures/metrics/metrics.json';

interface Case {
  name: string;
  labels: number[];
  scores: number[];
  weights?: number[];
  expected: Record<string, number | { tp: number; fp: number; tn: number; fn: number }>;
}

const cases = fixture.cases as Case[];
const num = (c: Case, key: string) => c.expected[key] as number;

describe.each(cases.map((c) => [c.name, c] as const))('metrics against scikit-learn: %s', (_name, c) => {
  const y = Uint8Array.from(c.labels);
  const s = Float64Array.from(c.scores);
  const w = c.weights ? Float64Array.from(c.weights) : undefined;

  test('rocAuc', () => expect(Math.abs(rocAuc(y, s, w) - num(c, 'rocAuc'))).toBeLessThan(1e-12));
  test('averagePrecision', () =>
    expect(Math.abs(averagePrecision(y, s, w) - num(c, 'averagePrecision'))).toBeLessThan(1e-12));
  test('logLoss', () => expect(Math.abs(logLoss(y, s, w) - num(c, 'logLoss'))).toBeLessThan(1e-12));
  test('brierScore', () => expect(Math.abs(brierScore(y, s, w) - num(c, 'brierScore'))).toBeLessThan(1e-12));
  test('f1OptimalThreshold', () => {
    const r = f1OptimalThreshold(y, s, w);
    expect(r.threshold).toBe(num(c, 'f1Threshold'));
    expect(Math.abs(r.f1 - num(c, 'f1'))).toBeLessThan(1e-12);
    expect(Math.abs(r.precision - num(c, 'f1Precision'))).toBeLessThan(1e-12);
    expect(Math.abs(r.recall - num(c, 'f1Recall'))).toBeLessThan(1e-12);
  });
  test.each([0.5, 0.3])('confusionMatrix and balancedAccuracy at %p', (t) => {
    const m = confusionMatrix(y, s, t, w);
    const e = c.expected[`confusion@${t}`] as { tp: number; fp: number; tn: number; fn: number };
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expect(Math.abs(m[k] - e[k])).toBeLessThan(1e-9);
    expect(Math.abs(balancedAccuracy(y, s, t, w) - num(c, `balancedAccuracy@${t}`))).toBeLessThan(1e-12);
  });
});

describe('metrics on bad input', () => {
  const y = Uint8Array.from([0, 1, 1, 0]);
  const s = Float64Array.from([0.1, 0.9, 0.4, 0.3]);
  test('single class', () => {
    expect(() => rocAuc(Uint8Array.from([1, 1]), Float64Array.from([0.2, 0.3]))).toThrow(InvalidInputError);
    expect(() => averagePrecision(Uint8Array.from([0, 0]), Float64Array.from([0.2, 0.3]))).toThrow(
      /no positive/,
    );
  });
  test('mismatched lengths, no rows, bad labels and scores', () => {
    expect(() => rocAuc(y, s.subarray(0, 3))).toThrow(/4 labels but 3 scores/);
    expect(() => rocAuc(new Uint8Array(0), new Float64Array(0))).toThrow(/no rows/);
    expect(() => rocAuc([0, Number.NaN, 1], [0.1, 0.2, 0.3])).toThrow(/row 1: label is NaN/);
    expect(() => logLoss(y, Float64Array.from([0.1, Number.POSITIVE_INFINITY, 0.2, 0.3]))).toThrow(
      /row 1: probability is Infinity/,
    );
    expect(() => logLoss(y, Float64Array.from([0.1, 1.5, 0.2, 0.3]))).toThrow(InvalidInputError);
    expect(() => brierScore(y, s, Float64Array.from([1, -1, 1, 1]))).toThrow(/weight is -1/);
  });
  test('ranking metrics do not depend on input order', () => {
    const n = 2000;
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = (i * 7919) % 5 === 0 ? 1 : 0;
      scores[i] = Math.round(((i * 104729) % 997) / 10) / 100 + labels[i] * 0.05;
    }
    const perm = Array.from({ length: n }, (_, i) => (i * 1237) % n);
    const l2 = Uint8Array.from(perm, (i) => labels[i]);
    const s2 = Float64Array.from(perm, (i) => scores[i]);
    expect(rocAuc(l2, s2)).toBe(rocAuc(labels, scores));
    expect(averagePrecision(l2, s2)).toBe(averagePrecision(labels, scores));
    expect(f1OptimalThreshold(l2, s2)).toEqual(f1OptimalThreshold(labels, scores));
  });
});
