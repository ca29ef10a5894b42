/**
 * Data handed to compute threads in shared memory (issue 21): a table's numbers and times, and
 * the stability stage's shadow columns, are SharedArrayBuffers with the same values, so posting
 * them to a task copies nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  STABILITY_COMPACT_ROWS,
  STABILITY_FOLD_ROWS,
  stabilityPlan,
  withShadows,
} from '../../analysis/evidence/stability';
import type { ObservationTable } from '../../analysis/frame';
import { featureMatrix } from '../../analysis/frame';
import { shareMatrix, shareTable } from '../../compute/shared';
import { newDatasetUri, readFeatureDataset, writeFeatures } from '../../connectors/datasets';

test('shareTable shares numbers and times, keeps text and values', () => {
  const table: ObservationTable = {
    rows: 3,
    time: Float64Array.of(1, 2, 3),
    variables: [
      { name: 'x', data: { kind: 'numeric', values: Float64Array.of(0.5, Number.NaN, 2) }, invalidCount: 1 },
      { name: 'lot', data: { kind: 'text', values: ['a', null, 'b'] } },
    ],
  };
  const shared = shareTable(table);
  const x = shared.variables[0];
  expect(x.data.values instanceof Float64Array && x.data.values.buffer instanceof SharedArrayBuffer).toBe(
    true,
  );
  expect(shared.time?.buffer instanceof SharedArrayBuffer).toBe(true);
  expect(Array.from(x.data.values as Float64Array)).toEqual([0.5, Number.NaN, 2]);
  expect(x.invalidCount).toBe(1);
  expect(shared.variables[1]).toBe(table.variables[1]);
  // Shared already: the same arrays, no second copy.
  expect(shareTable(shared).variables[0].data.values).toBe(x.data.values);
});

test('stabilityPlan places the shadows where `allocate` says, with the same values', () => {
  const rows = 200;
  const columns = [0, 1, 2].map((j) => Float64Array.from({ length: rows }, (_, i) => Math.sin(i * (j + 1))));
  const matrix = featureMatrix(['a', 'b', 'c'], columns);
  const train = Uint32Array.from({ length: 150 }, (_, i) => i);
  const plain = stabilityPlan(matrix, train, { seed: 4 });
  const shared = stabilityPlan(matrix, train, {
    seed: 4,
    allocate: (length) => new Float64Array(new SharedArrayBuffer(length * 8)),
  });
  expect(shared.features.names).toEqual(plain.features.names);
  shared.features.columns.slice(3).forEach((column, j) => {
    expect(column.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(Array.from(column)).toEqual(Array.from(plain.features.columns[3 + j]));
  });
  // The features themselves are not copied.
  expect(shared.features.columns[0]).toBe(columns[0]);
});

test('above STABILITY_COMPACT_ROWS the plan keeps the rows its folds use, with the same values', () => {
  const rows = STABILITY_COMPACT_ROWS + 20_000;
  // Column `row` is the row's own index, so a compact row says which row it was.
  const row = Float64Array.from({ length: rows }, (_, i) => i);
  const wave = Float64Array.from({ length: rows }, (_, i) => Math.sin(i / 50));
  const matrix = featureMatrix(['row', 'wave'], [row, wave]);
  const train = Uint32Array.from({ length: 100_000 }, (_, i) => i);
  const plan = stabilityPlan(matrix, train, { seed: 9 });
  const full = withShadows(matrix, plan.variableIndex, plan.variables.length, train, 9);
  expect(plan.features.rows).toBeLessThan(rows / 3);
  // The rows it holds, for their labels.
  expect(Array.from(plan.rows ?? [])).toEqual(Array.from(plan.features.columns[0]));
  expect(plan.features.names).toEqual(full.names);
  const own = plan.features.columns[0];
  for (const fold of plan.folds) {
    for (const k of [...fold.train.slice(0, 500), ...fold.explain]) {
      const original = own[k];
      plan.features.columns.forEach((column, j) => {
        expect([j, original, column[k]]).toEqual([j, original, full.columns[j][original]]);
      });
    }
  }
  // Every fold trains on every 8th training row besides its own fifth.
  expect(plan.folds[0].train.length).toBe(10_000);
});

test('a features dataset read shared is one buffer, posted without being packed again', async () => {
  const rows = 50;
  const features = Array.from({ length: 70 }, (_, j) => `f${j}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'line-rca-shared-'));
  try {
    const uri = newDatasetUri('features', dir);
    await writeFeatures(
      {
        rows,
        times: Float64Array.from({ length: rows }, (_, i) => i * 60_000),
        labels: Uint8Array.from({ length: rows }, (_, i) => i % 2),
        rowCounts: new Float64Array(rows).fill(1),
        features,
        columns: features.map((_, j) => Float64Array.from({ length: rows }, (_, i) => i * j)),
        variables: features,
        identifiers: [],
        positives: rows / 2,
      },
      uri,
      { kind: 'features' },
    );
    const read = await readFeatureDataset(uri, { shared: true });
    const buffers = new Set(read.matrix.columns.map((c) => c.buffer));
    expect(buffers.size).toBe(1);
    expect([...buffers][0] instanceof SharedArrayBuffer).toBe(true);
    expect(Array.from(read.matrix.columns[3])).toEqual(Array.from({ length: rows }, (_, i) => i * 3));
    // More than 64 columns, all in one buffer already: the same arrays, no copy.
    expect(shareMatrix(read.matrix).columns[69]).toBe(read.matrix.columns[69]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fold trains on every 8th row of the others, and on long lines on at most STABILITY_FOLD_ROWS', () => {
  const planOf = (rows: number) => {
    const matrix = featureMatrix(['a'], [Float64Array.from({ length: rows }, (_, i) => Math.sin(i / 40))]);
    return stabilityPlan(
      matrix,
      Uint32Array.from({ length: rows }, (_, i) => i),
      { seed: 3 },
    );
  };
  // 200,000 rows: 160,000 outside a fold, every 8th is 20,000 (under the cap)
  for (const fold of planOf(200_000).folds) expect(fold.train.length).toBe(20_000);
  // 1,000,000 rows: 800,000 outside a fold, every 16th (not every 8th: 100,000)
  const long = planOf(1_000_000);
  for (const fold of long.folds) {
    expect(fold.train.length).toBeLessThanOrEqual(STABILITY_FOLD_ROWS);
    expect(fold.train.length).toBeGreaterThan(STABILITY_FOLD_ROWS * 0.9);
  }
});
