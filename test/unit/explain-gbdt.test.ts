import { readFileSync } from 'node:fs';
import path from 'node:path';
import { variableImportance } from '../../analysis/explain/importance';
import { treeShap } from '../../analysis/explain/tree-shap';
import { featureMatrix } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { predictMargin } from '../../analysis/learners/gbdt/model';
import { trainGbdt } from '../../analysis/learners/gbdt/train';

// Our own GBDT on AI4I 2020 (datasets/ai4i2020.csv, CC BY 4.0): TreeSHAP of the trees
// it grows must add up to the margins its own predictor computes.
describe('TreeSHAP on our GBDT trained on AI4I 2020', () => {
  const csv = readFileSync(path.join(__dirname, '../../datasets/ai4i2020.csv'), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  const rows = csv.slice(1, 3001).map((line) => line.split(','));
  const col = (name: string) => header.indexOf(name);
  const names = ['air_temperature', 'process_temperature', 'rotational_speed', 'torque', 'tool_wear'];
  const sources = [
    'Air temperature [K]',
    'Process temperature [K]',
    'Rotational speed [rpm]',
    'Torque [Nm]',
    'Tool wear [min]',
  ];
  const columns = sources.map((s) => Float64Array.from(rows, (r) => Number(r[col(s)])));
  // Some missing values, so the learned default directions are exercised.
  columns[3].forEach((_, i) => {
    if (i % 17 === 0) columns[3][i] = Number.NaN;
  });
  const matrix = featureMatrix(names, columns);
  const labels = Uint8Array.from(rows, (r) => Number(r[col('Machine failure')]));
  const model = trainGbdt(binDataset(matrix), labels, {
    params: { num_iterations: 40, num_leaves: 31, learning_rate: 0.1, seed: 3 },
  });

  test('local accuracy to 1e-6 on every row; fast and classic agree', () => {
    const explained = Array.from({ length: 750 }, (_, k) => k * 4);
    const shap = treeShap(model, matrix, { rows: explained });
    const classic = treeShap(model, matrix, { rows: explained.slice(0, 200), algorithm: 'classic' });
    const margins = predictMargin(model, matrix);
    const F = names.length;
    let worst = 0;
    explained.forEach((r, k) => {
      let sum = shap.expectedValue;
      for (let j = 0; j < F; j++) sum += shap.values[k * F + j];
      worst = Math.max(worst, Math.abs(sum - margins[r]));
    });
    expect(worst).toBeLessThan(1e-6);
    let apart = 0;
    for (let i = 0; i < classic.values.length; i++)
      apart = Math.max(apart, Math.abs(classic.values[i] - shap.values[i]));
    expect(apart).toBeLessThan(1e-9);
    // Machine failure is driven by torque, tool wear and speed (power and overstrain rules).
    const top = variableImportance(shap)
      .slice(0, 3)
      .map((e) => e.variable);
    expect(top).toContain('torque');
  });
});
