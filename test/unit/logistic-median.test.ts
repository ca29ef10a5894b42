import { featureMatrix } from '../../analysis/frame';
import { standardize } from '../../analysis/learners/logistic/model';
import { createRng } from '../../analysis/random';

/** Reference: sort and take the middle (numpy's median). */
function sortedMedian(values: number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

test('imputation medians equal a sort-based median on sizes, duplicates, order and NaN', () => {
  const rng = createRng(17);
  const columns: Float64Array[] = [];
  for (let c = 0; c < 300; c++) {
    const n = 1 + rng.int(60);
    const kind = c % 4;
    const col = Float64Array.from({ length: n }, (_, i) => {
      if (rng.next() < 0.2) return Number.NaN;
      if (kind === 0) return rng.normal();
      if (kind === 1) return rng.int(4); // many duplicates
      if (kind === 2) return i; // sorted
      return n - i; // reversed
    });
    columns.push(col);
  }
  // standardize needs equal lengths: score each column alone.
  for (const col of columns) {
    const s = standardize(featureMatrix(['v'], [col]));
    expect(s.medians[0]).toBe(sortedMedian(Array.from(col)));
  }
});
