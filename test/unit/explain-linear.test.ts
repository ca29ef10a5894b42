import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type LinearShapModel, linearShap } from '../../analysis/explain/linear-shap';
import { featureMatrix } from '../../analysis/frame';
import { fitLogistic, logisticMargin } from '../../analysis/learners/logistic/model';

interface LinearFixture {
  features: string[];
  rows: number;
  x: (number | null)[];
  medians: number[];
  means: number[];
  scales: number[];
  coefficients: number[];
  intercept: number;
  margin: number[];
  shapTrain: number[];
  expectedTrain: number;
  backgroundRows: number;
  shapBackground: number[];
  expectedBackground: number;
}

const fx = JSON.parse(
  gunzipSync(readFileSync(path.join(__dirname, '../fixtures/shap/linear.json.gz'))).toString('utf8'),
) as LinearFixture;
const F = fx.features.length;
const x = fx.x.map((v) => (v === null ? Number.NaN : v));
const column = (j: number, rows: number) => Float64Array.from({ length: rows }, (_, r) => x[r * F + j]);
const matrix = featureMatrix(
  fx.features,
  fx.features.map((_, j) => column(j, fx.rows)),
);
const model: LinearShapModel = {
  featureNames: fx.features,
  medians: Float64Array.from(fx.medians),
  means: Float64Array.from(fx.means),
  scales: Float64Array.from(fx.scales),
  coefficients: Float64Array.from(fx.coefficients),
  intercept: fx.intercept,
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('linearShap against shap.LinearExplainer (sklearn imputer + scaler + logistic regression)', () => {
  test('training background: equals shap, expected value is the intercept, local accuracy', () => {
    expect(x.some(Number.isNaN)).toBe(true);
    const shap = linearShap(model, matrix);
    expect(maxDiff(shap.values, fx.shapTrain)).toBeLessThan(1e-9);
    expect(Math.abs(shap.expectedValue - fx.expectedTrain)).toBeLessThan(1e-9);
    const sums = Array.from({ length: fx.rows }, (_, r) => {
      let s = shap.expectedValue;
      for (let j = 0; j < F; j++) s += shap.values[r * F + j];
      return s;
    });
    expect(maxDiff(sums, fx.margin)).toBeLessThan(1e-9);
  });

  test('explicit background rows: equals shap with those rows as masker', () => {
    const background = featureMatrix(
      fx.features,
      fx.features.map((_, j) => column(j, fx.backgroundRows)),
    );
    const shap = linearShap(model, matrix, { background });
    expect(maxDiff(shap.values, fx.shapBackground)).toBeLessThan(1e-9);
    expect(Math.abs(shap.expectedValue - fx.expectedBackground)).toBeLessThan(1e-9);
  });

  test('columns matched by name; bad input is a clear error', () => {
    const reversed = featureMatrix([...matrix.names].reverse(), [...matrix.columns].reverse());
    expect(Array.from(linearShap(model, reversed).values)).toEqual(
      Array.from(linearShap(model, matrix).values),
    );
    const renamed = featureMatrix(
      matrix.names.map((n) => (n === 'line_id' ? 'line' : n)),
      matrix.columns,
    );
    expect(() => linearShap(model, renamed)).toThrow(/"line_id" does not exist; did you mean "line"/);
    expect(() => linearShap({ ...model, scales: new Float64Array(2) }, matrix)).toThrow(
      /scales: 2 values for 5/,
    );
    expect(() =>
      linearShap(model, matrix, {
        background: featureMatrix(
          fx.features,
          fx.features.map(() => new Float64Array(0)),
        ),
      }),
    ).toThrow(/no rows/);
  });
});

test('plugs into our logistic model: expected value + Σφ = its margin, expected value = intercept', () => {
  // Labels from a rule on two features, so the fit has something to find.
  const labels = Uint8Array.from({ length: fx.rows }, (_, r) =>
    (Number.isNaN(x[r * F]) ? 200 : x[r * F]) + 5 * (x[r * F + 2] || 1.5) > 208 ? 1 : 0,
  );
  const logistic = fitLogistic(matrix, labels, { C: 1 });
  const shap = linearShap(logistic, matrix);
  expect(Math.abs(shap.expectedValue - logistic.intercept)).toBeLessThan(1e-9);
  const margins = logisticMargin(logistic, matrix);
  const sums = Array.from({ length: fx.rows }, (_, r) => {
    let s = shap.expectedValue;
    for (let j = 0; j < F; j++) s += shap.values[r * F + j];
    return s;
  });
  expect(maxDiff(sums, margins)).toBeLessThan(1e-9);
  // A feature the model leans on gets large attributions.
  const meanAbs = (j: number) =>
    shap.values.filter((_, k) => k % F === j).reduce((a, v) => a + Math.abs(v), 0) / fx.rows;
  expect(meanAbs(0)).toBeGreaterThan(meanAbs(4));
});
