import fc from 'fast-check';
import {
  periodContributions,
  variableContributions,
  variableImportance,
} from '../../analysis/explain/importance';
import { treeShap } from '../../analysis/explain/tree-shap';
import { variableOf } from '../../analysis/explain/variables';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { loadLightGbmFixture } from '../fixtures/shap/load';

const shapOf = (features: string[], rows: number[][]) => ({
  rows: rows.length,
  features,
  values: Float64Array.from(rows.flat()),
  expectedValue: -1,
});

describe('variableOf', () => {
  test.each([
    ['oven_zone2_temp__max', 'oven_zone2_temp'],
    ['a__b__std', 'a__b'],
    ['torque', 'torque'],
    ['__mean', '__mean'],
    ['x_y_mean', 'x_y_mean'],
  ])('%s → %s', (feature, variable) => expect(variableOf(feature)).toBe(variable));
});

describe('variableImportance', () => {
  test('sums |φ| of a variable’s features per row, averages over rows, sorts descending', () => {
    const shap = shapOf(
      ['t__mean', 't__max', 'speed', 'h__mean'],
      [
        [1, -2, 0.5, 0],
        [-3, 1, -0.5, 0.25],
      ],
    );
    expect(variableImportance(shap)).toEqual([
      {
        variable: 't',
        meanAbsShap: 3.5, // (|1| + |−2| + |−3| + |1|) / 2
        features: [
          { feature: 't__mean', meanAbsShap: 2 },
          { feature: 't__max', meanAbsShap: 1.5 },
        ],
      },
      { variable: 'speed', meanAbsShap: 0.5, features: [{ feature: 'speed', meanAbsShap: 0.5 }] },
      { variable: 'h', meanAbsShap: 0.125, features: [{ feature: 'h__mean', meanAbsShap: 0.125 }] },
    ]);
  });

  test('mismatched shapes are a clear error', () => {
    expect(() => variableImportance({ rows: 2, features: ['a'], values: new Float64Array(3) })).toThrow(
      /3 values for 2 rows × 1 features/,
    );
  });

  test('on the LightGBM fixture: oven_temp (the strongest term of the generator) comes first', () => {
    const fx = loadLightGbmFixture('synthetic');
    const shap = treeShap(parseLightGbmModel(fx.modelText).ensemble, fx.matrix);
    const importance = variableImportance(shap);
    expect(importance.map((e) => e.variable)).toHaveLength(6);
    expect(importance[0].variable).toBe('oven_temp');
    for (const e of importance) {
      if (e.unused) throw new Error(`${e.variable} is unused without a model`);
      const sum = e.features.reduce((s, f) => s + f.meanAbsShap, 0);
      expect(Math.abs(sum - e.meanAbsShap)).toBeLessThan(1e-12);
    }
    for (let k = 1; k < importance.length; k++) {
      expect(importance[k].meanAbsShap).toBeLessThanOrEqual(importance[k - 1].meanAbsShap);
    }
  });
});

describe('variableContributions', () => {
  test('top variables with signed sums, the rest, and time', () => {
    const shap = shapOf(
      ['t__mean', 't__max', 'speed', 'h__mean'],
      [
        [1, -2, 0.5, 0],
        [-3, 1, -0.5, 0.25],
      ],
    );
    const c = variableContributions(shap, [1000, 2000], { top: 2 });
    expect(c.variables).toEqual(['t', 'speed']);
    expect(Array.from(c.values)).toEqual([-1, 0.5, -2, -0.5]);
    expect(Array.from(c.rest)).toEqual([0, 0.25]);
    expect(Array.from(c.time)).toEqual([1000, 2000]);
    expect(c.expectedValue).toBe(-1);
    const chosen = variableContributions(shap, [1000, 2000], { variables: ['h'] });
    expect(Array.from(chosen.values)).toEqual([0, 0.25]);
    expect(() => variableContributions(shap, [1])).toThrow(/1 times for 2 rows/);
    expect(() => variableContributions(shap, [1, 2], { variables: ['oven'] })).toThrow(/oven/);
  });

  test('expected value + contributions + rest = expected value + Σφ (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }), {
          minLength: 1,
          maxLength: 10,
        }),
        (vars, top, rows) => {
          const features = Array.from({ length: 6 }, (_, j) => `v${j % vars}__f${j}`);
          const shap = shapOf(features, rows);
          const c = variableContributions(
            shap,
            rows.map((_, i) => i),
            { top },
          );
          const K = c.variables.length;
          expect(K).toBe(Math.min(top, vars));
          rows.forEach((row, i) => {
            let sum = c.rest[i];
            for (let k = 0; k < K; k++) sum += c.values[i * K + k];
            expect(sum).toBeCloseTo(
              row.reduce((s, v) => s + v, 0),
              9,
            );
          });
        },
      ),
    );
  });

  test('periodContributions: mean signed and absolute contribution of rows in [from, to)', () => {
    const shap = shapOf(
      ['a', 'b'],
      [
        [1, -1],
        [3, 2],
        [-10, 0],
      ],
    );
    const c = variableContributions(shap, [0, 60_000, 120_000], { top: 2 });
    const p = periodContributions(c, 0, 120_000);
    expect(p.rows).toBe(2);
    expect(p.variables).toEqual([
      { variable: 'a', meanShap: 2, meanAbsShap: 2 },
      { variable: 'b', meanShap: 0.5, meanAbsShap: 1.5 },
    ]);
    expect(periodContributions(c, 500_000, 600_000)).toEqual({ rows: 0, variables: [] });
  });
});
