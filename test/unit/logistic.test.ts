import { InvalidInputError } from '../../analysis/errors';
import { type FeatureMatrix, featureMatrix } from '../../analysis/frame';
import {
  fitLogistic,
  type LogisticParams,
  logisticFromJson,
  logisticMargin,
  logisticProbability,
  logisticToJson,
  originalUnitCoefficients,
  standardize,
} from '../../analysis/learners/logistic/model';
import fixture from '../fixtures/logistic/logistic.json';
import wideFixture from '../fixtures/logistic/logistic-wide.json';

interface SklearnFit {
  params: { penalty: 'l1' | 'l2'; C: number; class_weight: 'balanced' | null };
  coef: number[];
  intercept: number;
  coefOriginal: number[];
  interceptOriginal: number;
  probabilities: number[];
  objective: number;
}
interface Case {
  name: string;
  names: string[];
  columns: (number | null)[][];
  labels: number[];
  medians: number[];
  means: number[];
  scales: number[];
  fits: SklearnFit[];
}

const cases = [...fixture.cases, ...wideFixture.cases] as Case[];

function load(c: Case): { x: FeatureMatrix; y: Uint8Array } {
  const columns = c.columns.map((col) => Float64Array.from(col, (v) => (v === null ? Number.NaN : v)));
  return { x: featureMatrix(c.names, columns), y: Uint8Array.from(c.labels) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = b.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(cases.map((c) => [c.name, c] as const))(
  'logistic regression against scikit-learn: %s',
  (_n, c) => {
    const { x, y } = load(c);

    test('median imputation and standardization match SimpleImputer + StandardScaler', () => {
      const s = standardize(x);
      for (let j = 0; j < c.names.length; j++) {
        expect(s.medians[j]).toBe(c.medians[j]);
        expect(Math.abs(s.means[j] - c.means[j])).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(c.means[j])),
        );
        expect(Math.abs(s.scales[j] - c.scales[j])).toBeLessThanOrEqual(1e-12 * Math.max(1, c.scales[j]));
      }
    });

    test.each(c.fits.map((f) => [JSON.stringify(f.params), f] as const))('fit %s', (_p, fit) => {
      const model = fitLogistic(x, y, { ...fit.params, tol: 1e-10, max_iter: 1000 });
      expect(model.fit.converged).toBe(true);
      // Same optimum: our objective is not above sklearn's (up to rounding), coefficients agree.
      expect(model.fit.objective).toBeLessThanOrEqual(fit.objective + 1e-9 * Math.abs(fit.objective));
      expect(maxAbsDiff(model.coefficients, fit.coef)).toBeLessThan(1e-7);
      expect(Math.abs(model.intercept - fit.intercept)).toBeLessThan(1e-7);
      const p = logisticProbability(model, x);
      expect(maxAbsDiff(p, fit.probabilities)).toBeLessThan(1e-7);
      const original = originalUnitCoefficients(model);
      fit.coefOriginal.forEach((w, j) => {
        // The standardized tolerance carried to original units, plus a relative part.
        expect(Math.abs(original.coefficients[j] - w)).toBeLessThanOrEqual(
          1e-7 / c.scales[j] + 1e-7 * Math.abs(w),
        );
      });
      expect(Math.abs(original.intercept - fit.interceptOriginal)).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(fit.interceptOriginal)),
      );
      if (fit.params.penalty === 'l1') {
        // The same features are selected: exact zeros where sklearn's saga has them.
        const zeros = (w: ArrayLike<number>) => Array.from(w, (v) => v === 0);
        expect(zeros(model.coefficients)).toEqual(zeros(fit.coef));
      }
    });

    test('default tolerance is within 1e-4 of sklearn in probability', () => {
      for (const fit of c.fits) {
        const model = fitLogistic(x, y, fit.params);
        expect(model.fit.converged).toBe(true);
        expect(maxAbsDiff(logisticProbability(model, x), fit.probabilities)).toBeLessThan(1e-4);
      }
    });
  },
);

describe('logistic model behaviour', () => {
  const c = cases.find((k) => k.name === 'synthetic-missing')!;
  const { x, y } = load(c);
  const model = fitLogistic(x, y, { penalty: 'l1', C: 0.5 });

  test('JSON round trip gives identical margins and probabilities', () => {
    const json = JSON.stringify(logisticToJson(model));
    expect(JSON.parse(json)).toMatchObject({ format: 'line-rca/logistic', version: 1 });
    const loaded = logisticFromJson(json);
    expect(logisticMargin(loaded, x)).toEqual(logisticMargin(model, x));
    expect(logisticProbability(loaded, x)).toEqual(logisticProbability(model, x));
    expect(loaded.params).toEqual(model.params);
  });

  test('a model crosses to a worker thread intact (structured clone)', () => {
    expect(logisticMargin(structuredClone(model), x)).toEqual(logisticMargin(model, x));
  });

  test('scoring matches features by name, not position', () => {
    const order = x.names.map((_, j) => j).reverse();
    const shuffled = featureMatrix(
      order.map((j) => x.names[j]),
      order.map((j) => x.columns[j]),
    );
    expect(logisticMargin(model, shuffled)).toEqual(logisticMargin(model, x));
    const missing = featureMatrix(x.names.slice(1), x.columns.slice(1));
    expect(() => logisticMargin(model, missing)).toThrow(/feature "x0" does not exist/);
  });

  test('margin is intercept + coefficients in original units on imputed values', () => {
    const o = originalUnitCoefficients(model);
    const m = logisticMargin(model, x);
    for (const i of [0, 7, 123]) {
      let v = o.intercept;
      for (let j = 0; j < x.columns.length; j++) {
        const raw = x.columns[j][i];
        v += o.coefficients[j] * (Number.isNaN(raw) ? model.medians[j] : raw);
      }
      expect(Math.abs(v - m[i])).toBeLessThan(1e-9);
    }
  });

  test('an unfinished fit says so', () => {
    const short = fitLogistic(x, y, { max_iter: 2, tol: 1e-12 });
    expect(short.fit.converged).toBe(false);
    expect(short.fit.iterations).toBe(2);
    expect(short.fit.message).toMatch(/did not converge in max_iter=2/);
  });
});

describe('logistic regression on bad input', () => {
  const x = featureMatrix(
    ['a', 'b'],
    [Float64Array.from([1, 2, 3, 4]), Float64Array.from([0, 1, 0, Number.NaN])],
  );
  const y = Uint8Array.from([0, 1, 0, 1]);
  const bad = (f: () => unknown, pattern: RegExp) => {
    expect(f).toThrow(InvalidInputError);
    expect(f).toThrow(pattern);
  };

  test('labels', () => {
    bad(() => fitLogistic(x, Uint8Array.from([1, 1, 1, 1])), /only one class present \(no negative rows\)/);
    bad(() => fitLogistic(x, [0, Number.NaN, 1, 0]), /row 1: label is NaN/);
    bad(() => fitLogistic(x, [0, 1, Number.POSITIVE_INFINITY, 0]), /row 2: label is Infinity/);
    bad(() => fitLogistic(x, Uint8Array.from([0, 1, 0])), /3 labels for 4 feature rows/);
    bad(() => fitLogistic(featureMatrix(['a'], [new Float64Array(0)]), new Uint8Array(0)), /no rows/);
  });

  test('features', () => {
    const inf = featureMatrix(['a'], [Float64Array.from([1, Number.NEGATIVE_INFINITY, 3, 4])]);
    bad(() => fitLogistic(inf, y), /feature "a", row 1: value is -Infinity/);
  });

  test('parameters', () => {
    bad(() => fitLogistic(x, y, { C: 0 }), /logistic.C: is 0/);
    bad(() => fitLogistic(x, y, { C: -1 }), /C must be a finite number > 0/);
    bad(() => fitLogistic(x, y, { C: Number.NaN }), /logistic.C/);
    bad(() => fitLogistic(x, y, { penalty: 'l3' as LogisticParams['penalty'] }), /use "l2" or "l1"/);
    bad(() => fitLogistic(x, y, { max_iter: 0 }), /max_iter/);
    bad(() => fitLogistic(x, y, { c: 1 } as unknown as Partial<LogisticParams>), /did you mean "C"/);
  });

  test('model JSON', () => {
    const json = logisticToJson(fitLogistic(x, y));
    bad(() => logisticFromJson({ ...json, version: 2 }), /this reader knows version 1/);
    bad(() => logisticFromJson({ ...json, format: 'other' }), /expected "line-rca\/logistic"/);
    bad(() => logisticFromJson({ ...json, coefficients: [1] }), /array of 2 finite numbers/);
    bad(() => logisticFromJson({ ...json, fit: undefined }), /fit report/);
  });
});
