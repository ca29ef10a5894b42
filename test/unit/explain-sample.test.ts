/**
 * The explained observations on long lines (issue 21): every k-th beyond EXPLAIN_ROWS_MAX, and
 * the variables' mean |SHAP| over them close to that over all observations.
 */
import { EXPLAIN_ROWS_MAX, explainedRows, variableImportance } from '../../analysis/explain/importance';
import { type ShapValues, treeShap } from '../../analysis/explain/tree-shap';
import { featureMatrix } from '../../analysis/frame';
import type { GbdtModel } from '../../analysis/learners/gbdt/model';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { createRng } from '../../analysis/random';
import { loadLightGbmFixture } from '../fixtures/shap/load';

test('all observations up to the maximum, every k-th beyond', () => {
  expect(explainedRows(EXPLAIN_ROWS_MAX)).toBeNull();
  const rows = explainedRows(1_000_000) as Uint32Array;
  expect(rows.length).toBe(100_000);
  expect([rows[0], rows[1], rows[rows.length - 1]]).toEqual([0, 10, 999_990]);
  expect((explainedRows(250_001) as Uint32Array).length).toBe(83_334);
});

test('the mean |SHAP| of every 10th of 200,000 observations is that of all to within 3 %', () => {
  const fx = loadLightGbmFixture('synthetic');
  const model = { ...parseLightGbmModel(fx.modelText).ensemble, kind: 'gbdt' } as unknown as GbdtModel;
  // A long line for this model: the fixture's 300 rows drawn at random 200,000 times. Each
  // row's SHAP values are those of its fixture row, computed once.
  const distinct = treeShap(model, featureMatrix(fx.matrix.names, fx.matrix.columns));
  const F = distinct.features.length;
  const rng = createRng(11);
  const drawn = Uint32Array.from({ length: 200_000 }, () => rng.int(distinct.rows));
  const valuesOf = (rows: ArrayLike<number>): ShapValues => {
    const values = new Float64Array(rows.length * F);
    for (let k = 0; k < rows.length; k++)
      values.set(distinct.values.subarray(drawn[rows[k]] * F, (drawn[rows[k]] + 1) * F), k * F);
    return { ...distinct, rows: rows.length, values };
  };
  const sample = explainedRows(drawn.length, 20_000) as Uint32Array;
  expect(sample.length).toBe(20_000);
  const all = variableImportance(valuesOf(Uint32Array.from(drawn, (_, i) => i)));
  const part = variableImportance(valuesOf(sample));
  const top = all.filter((e) => e.meanAbsShap > 0.05 * all[0].meanAbsShap);
  expect(top.length).toBeGreaterThan(3);
  for (const e of top) {
    const p = part.find((x) => x.variable === e.variable);
    expect(Math.abs((p?.meanAbsShap ?? 0) - e.meanAbsShap) / e.meanAbsShap).toBeLessThan(0.03);
  }
  expect(part.slice(0, top.length).map((e) => e.variable)).toEqual(top.map((e) => e.variable));
});
