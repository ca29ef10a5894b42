/**
 * A seeded synthetic binary-classification dataset with the shapes production data has: normal,
 * uniform, low-cardinality integer, skewed and partly missing features; a label drawn from a
 * non-linear log-odds (thresholds, an interaction, a missing-value effect) on the first ten
 * features, the rest noise. Used by the GBDT tests and benchmark, written to a file so the
 * LightGBM reference trains on exactly the same numbers.
 */
import { type FeatureMatrix, featureMatrix, type Labels } from '../../frame';
import { createRng } from '../../random';

export function syntheticClassification(
  rows: number,
  features: number,
  seed: number,
): { features: FeatureMatrix; labels: Labels } {
  const rng = createRng(seed);
  const columns: Float64Array[] = [];
  const names: string[] = [];
  for (let j = 0; j < features; j++) {
    const c = new Float64Array(rows);
    const kind = j % 5;
    for (let i = 0; i < rows; i++) {
      switch (kind) {
        case 0:
          c[i] = rng.normal();
          break;
        case 1:
          c[i] = rng.next() * 10;
          break;
        case 2:
          c[i] = rng.int(10);
          break;
        case 3:
          c[i] = Math.exp(rng.normal());
          break;
        default:
          c[i] = rng.next() < 0.1 ? Number.NaN : rng.normal();
      }
    }
    columns.push(c);
    names.push(`f${j}`);
  }
  const col = (j: number, i: number) => (j < features ? columns[j][i] : 0);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const x4 = col(4, i);
    const margin =
      -1.5 +
      1.0 * col(0, i) +
      0.8 * (col(1, i) > 6 ? 1 : -1) +
      0.5 * (col(2, i) % 3 === 0 ? 1 : 0) +
      0.7 * Math.log(Math.max(col(3, i), 1e-9)) +
      (Number.isNaN(x4) ? 1.0 : 0.6 * x4) +
      0.5 * col(5, i) * (col(6, i) - 5) * 0.3 +
      0.8 * Math.sin(2 * col(10, i)) +
      (col(7, i) > 4 && col(8, i) > 1 ? 0.9 : 0);
    labels[i] = rng.next() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
  }
  return { features: featureMatrix(names, columns), labels };
}
