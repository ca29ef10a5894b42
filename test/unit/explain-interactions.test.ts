/**
 * Interaction pairs and dependence-plot data from SHAP interaction values of a GBDT trained on
 * data whose label needs two variables at once (a AND b); a third variable acts alone.
 */
import { dependencePlot, rankInteractions, strongestPartner } from '../../analysis/explain/interactions';
import { treeShap, treeShapInteractions } from '../../analysis/explain/tree-shap';
import { featureMatrix } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import { createRng } from '../../analysis/random';

const rng = createRng(21);
const n = 1500;
const a = Float64Array.from({ length: n }, () => rng.normal());
const aMax = Float64Array.from(a, (x) => x + 0.3 * rng.normal());
const b = Float64Array.from({ length: n }, () => rng.normal());
const c = Float64Array.from({ length: n }, () => rng.normal());
const labels = Uint8Array.from({ length: n }, (_, i) =>
  rng.next() < (a[i] > 0.3 && b[i] < -0.2 ? 0.9 : c[i] > 1.5 ? 0.5 : 0.03) ? 1 : 0,
);
const matrix = featureMatrix(['a__mean', 'a__max', 'b__mean', 'c__mean'], [a, aMax, b, c]);
const model = trainGbdt(binDataset(matrix), labels, {
  params: { num_iterations: 60, num_leaves: 8, learning_rate: 0.1, seed: 2 },
});
const rows = Array.from({ length: 200 }, (_, k) => k * 7);
const interactions = treeShapInteractions(model, matrix, rows);

test('pair strengths: mean |sum of the pair’s interaction values| per row, strongest first', () => {
  const ranking = rankInteractions(interactions);
  expect(ranking[0].variables).toEqual(['a', 'b']);
  // Brute force over the features of each variable.
  const F = 4;
  const of = [0, 0, 1, 2];
  const strength = (x: number, y: number) => {
    let total = 0;
    for (let r = 0; r < interactions.rows; r++) {
      let s = 0;
      for (let i = 0; i < F; i++)
        for (let j = 0; j < F; j++)
          if ((of[i] === x && of[j] === y) || (of[i] === y && of[j] === x))
            s += interactions.values[(r * F + i) * F + j];
      total += Math.abs(s);
    }
    return total / interactions.rows;
  };
  const names = ['a', 'b', 'c'];
  for (const e of ranking) {
    const [x, y] = e.variables.map((v) => names.indexOf(v));
    expect(e.strength).toBeCloseTo(strength(x, y), 12);
  }
  expect(ranking.map((e) => e.strength)).toEqual([...ranking.map((e) => e.strength)].sort((p, q) => q - p));
  expect(ranking[0].strength).toBeGreaterThan(3 * ranking[1].strength);
  expect(strongestPartner(ranking, 'b')).toBe('a');
  expect(strongestPartner(ranking, 'nothing')).toBeNull();
});

test('dependence plot: the variable’s summed SHAP against its main feature, coloured by its partner', () => {
  const shap = treeShap(model, matrix, { rows });
  const plot = dependencePlot(shap, matrix, 'a', 'b', { rows });
  expect(plot.partner).toBe('b');
  expect(plot.partnerFeature).toBe('b__mean');
  expect(['a__mean', 'a__max']).toContain(plot.feature);
  const column = plot.feature === 'a__mean' ? a : aMax;
  rows.forEach((row, k) => {
    expect(plot.x[k]).toBe(column[row]);
    expect(plot.color?.[k]).toBe(b[row]);
    expect(plot.shap[k]).toBeCloseTo(shap.values[k * 4] + shap.values[k * 4 + 1], 12);
  });
  // Where b is low, high a pushes towards bad; where b is high, it hardly does.
  const spread = (lowB: boolean) => {
    const ys = plot.shap.filter((_, k) => (plot.color?.[k] ?? 0) < -0.2 === lowB && plot.x[k] > 0.8);
    return ys.reduce((s, y) => s + y, 0) / ys.length;
  };
  expect(spread(true)).toBeGreaterThan(spread(false) + 0.5);
  expect(dependencePlot(shap, matrix, 'c', null, { rows }).color).toBeNull();
});
