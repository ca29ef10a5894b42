/**
 * Window aggregates against pandas `resample("10min", origin="epoch")` on committed fixtures
 * (test/fixtures/aggregate/make_fixtures.py): every function, the label, the lag, and the same
 * result from wide CSV, wide Parquet and long CSV.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aggregateObservations } from '../../analysis/aggregate/aggregate';
import { analysisSettings, parseConfig } from '../../analysis/config';
import {
  LABEL,
  newDatasetUri,
  observationShape,
  readDescription,
  readFeatureColumns,
  readFeatureDataset,
  readObservationDataset,
  TIME,
  writeFeatures,
} from '../../connectors/datasets';
import { withDuck } from '../../connectors/duckdb';
import { aggregateDataset, extractSource } from '../../connectors/sources';

const dir = path.join(__dirname, '..', 'fixtures', 'aggregate');
const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-aggregate-'));

interface Records {
  time: number[];
  columns: Record<string, (number | string | null)[]>;
}
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
  functions: string[];
  target: string;
  lag0: Records;
  lag1: Records;
};

/** The configuration's settings, as the prepare stage makes them. */
function settings(target: string, aggregation: unknown, file = 'line.csv') {
  return analysisSettings(
    parseConfig({ name: 't', line: 't', source: { kind: 'file', path: file }, target, aggregation }),
  );
}

/** The product's path: the extract stage's `extractSource`, the aggregate stage's `aggregateDataset`. */
async function aggregateFile(file: string, target: string, aggregation: unknown, rowOrder = false) {
  const s = settings(target, aggregation, file);
  const observations = newDatasetUri('observations', tmp);
  const load = await extractSource(
    { kind: 'file', path: file, rowOrder },
    { keep: s.targetColumns },
    observations,
  );
  const uri = newDatasetUri('features', tmp);
  const report = await aggregateDataset(observations, { target: s.target, aggregation: s.aggregation }, uri);
  const read = await withDuck(async (db) => readFeatureColumns(db, uri, await readDescription(db, uri)));
  return { load, report, read, observations, features: await readFeatureDataset(uri) };
}

const windows = (lag: string) => ({ window: '10m', functions: expected.functions, lag });

function compare(read: Awaited<ReturnType<typeof aggregateFile>>['read'], want: Records): number {
  let worst = 0;
  const col = (name: string) => read.columns[read.names.indexOf(name)];
  expect(Array.from(col('__time') as Float64Array)).toEqual(want.time);
  for (const [name, values] of Object.entries(want.columns)) {
    const got = col(name);
    expect(got).toBeDefined();
    if (!(got instanceof Float64Array)) {
      expect(got).toEqual(values);
      continue;
    }
    values.forEach((w, i) => {
      const g = got[i];
      if (w === null) {
        expect([name, i, g]).toEqual([name, i, Number.NaN]);
        return;
      }
      const err = Math.abs(g - (w as number)) / Math.max(1, Math.abs(w as number));
      worst = Math.max(worst, err);
      if (!(err < 1e-9)) expect([name, i, g]).toEqual([name, i, w]);
    });
  }
  return worst;
}

describe('window aggregation equals pandas resample', () => {
  for (const file of ['line.csv', 'line.parquet', 'line_long.csv']) {
    test(`${file}, lag 0`, async () => {
      const { read, report, load } = await aggregateFile(
        path.join(dir, file),
        expected.target,
        windows('0m'),
      );
      expect(load.rows).toBe(1405);
      expect(report.rows).toBe(expected.lag0.time.length);
      expect([...report.variables].sort()).toEqual(['lot', 'pressure', 'speed', 'temp']);
      expect(report.variables).not.toContain('quality');
      const worst = compare(read, expected.lag0);
      expect(worst).toBeLessThan(1e-9);
    });
  }

  test('lag of one window: features of w - 1 explain the label of w', async () => {
    const { read, report } = await aggregateFile(path.join(dir, 'line.csv'), expected.target, windows('10m'));
    expect(report.lagWindows).toBe(1);
    compare(read, expected.lag1);
  });

  test('a lag that is not a whole number of windows, or a number with windows, is refused', () => {
    expect(() => settings(expected.target, windows('5m'))).toThrow(/aggregation.lag.*multiple of the window/);
    expect(() => settings(expected.target, { window: '10m', lag: 2 })).toThrow(/aggregation.lag.*duration/);
  });

  test('duplicated long measurements change nothing but the count', async () => {
    const lines = readFileSync(path.join(dir, 'line_long.csv'), 'utf8').trimEnd().split('\n');
    const duplicated = path.join(tmp, 'dup_long.csv');
    writeFileSync(duplicated, [...lines, ...lines.slice(100, 110)].join('\n'));
    const { read, load } = await aggregateFile(duplicated, expected.target, windows('10m'));
    expect(load.layout).toBe('long');
    expect(load.duplicateRows).toBe(10);
    compare(read, expected.lag1);
  });

  test('the features read for learners: text modes one-hot, labels and times as written', async () => {
    const { features } = await aggregateFile(path.join(dir, 'line.parquet'), expected.target, windows('0m'));
    expect(Array.from(features.times)).toEqual(expected.lag0.time);
    expect(Array.from(features.labels)).toEqual(expected.lag0.columns.__label);
    expect(Array.from(features.windowRows)).toEqual(expected.lag0.columns.__rows);
    const { names, columns } = features.matrix;
    for (const lot of ['A', 'B', 'C']) {
      const hot = columns[names.indexOf(`lot__mode=${lot}`)];
      const want = expected.lag0.columns.lot__mode;
      if (!hot) {
        expect(want).not.toContain(lot); // a value that is never the mode gets no column
        continue;
      }
      want.forEach((v, i) => {
        expect([i, hot[i]]).toEqual([i, v === null ? Number.NaN : v === lot ? 1 : 0]);
      });
    }
  });
});

test('features written long (the layout of very wide lines) read back as written wide', async () => {
  const s = settings(expected.target, windows('0m'));
  const table = await readObservationDataset(
    (await aggregateFile(path.join(dir, 'line.csv'), expected.target, windows('0m'))).observations,
  );
  const observations = aggregateObservations(table, s.target, s.aggregation);
  const wide = newDatasetUri('wide', tmp);
  const long = newDatasetUri('long', tmp);
  await writeFeatures(observations, wide, { kind: 'features' });
  await writeFeatures(observations, long, { kind: 'features' }, 0);
  const a = await readFeatureDataset(wide);
  const b = await readFeatureDataset(long);
  expect((b.description.layout as { kind: string }).kind).toBe('long');
  expect(b.matrix.names).toEqual(a.matrix.names);
  expect(b.matrix.columns.map((c) => Array.from(c))).toEqual(a.matrix.columns.map((c) => Array.from(c)));
  expect([Array.from(b.labels), Array.from(b.times), Array.from(b.windowRows)]).toEqual([
    Array.from(a.labels),
    Array.from(a.times),
    Array.from(a.windowRows),
  ]);
  // Some columns only (the report reads the windows and labels, not the matrix), in both layouts.
  const some = observations.features.filter((_, j) => j % 2 === 1);
  for (const uri of [wide, long]) {
    const times = await readFeatureDataset(uri, { columns: [TIME, LABEL] });
    expect(times.matrix.names).toEqual([]);
    expect([Array.from(times.labels), Array.from(times.times)]).toEqual([
      Array.from(a.labels),
      Array.from(a.times),
    ]);
    const part = await readFeatureDataset(uri, { columns: some });
    expect(part.matrix.names.length).toBeGreaterThan(0);
    expect(part.matrix.names.length).toBeLessThan(a.matrix.names.length);
    part.matrix.names.forEach((name, j) => {
      expect(Array.from(part.matrix.columns[j])).toEqual(
        Array.from(a.matrix.columns[a.matrix.names.indexOf(name)]),
      );
    });
  }
  const shape = await observationShape(
    (await aggregateFile(path.join(dir, 'line.csv'), expected.target, windows('0m'))).observations,
  );
  expect(shape.rows).toBe(table.rows);
  expect(shape.variables).toEqual(
    table.variables.map((v) => ({ name: v.name, numeric: v.data.kind === 'numeric' })),
  );
});

describe('batches and rows as observations', () => {
  // Five batches of four minutes, the third batch interleaved out of order in the file.
  const rows: string[] = ['time,batch,temp,defect'];
  const data: { t: number; batch: string; temp: number; defect: number }[] = [];
  for (let b = 0; b < 5; b++) {
    for (let k = 0; k < 4; k++) {
      const t = Date.parse('2026-10-01T00:00:00Z') + (b * 4 + k) * 60_000;
      const temp = 200 + b * 3 + k * 0.5 + (b === 2 ? 10 : 0);
      const defect = b === 2 && k === 3 ? 1 : 0;
      data.push({ t, batch: `B${b}`, temp, defect });
      rows.push(`${new Date(t).toISOString()},B${b},${temp},${defect}`);
    }
  }
  const file = path.join(tmp, 'batches.csv');
  writeFileSync(file, [rows[0], ...rows.slice(1).reverse()].join('\n'));

  test('one row per batch, ordered by the batch start; lag counts batches', async () => {
    for (const lag of [0, 1]) {
      const { features, report } = await aggregateFile(file, 'defect == 1', {
        batchColumn: 'batch',
        functions: ['mean', 'max', 'count'],
        lag,
      });
      expect(report.rows).toBe(5 - lag);
      expect(features.matrix.names).toEqual(['temp__mean', 'temp__max', 'temp__count']);
      const mean = features.matrix.columns[0];
      for (let r = 0; r < report.rows; r++) {
        const labelBatch = r + lag;
        const temps = data.filter((d) => d.batch === `B${r}`).map((d) => d.temp);
        expect(mean[r]).toBeCloseTo(temps.reduce((a, b) => a + b, 0) / temps.length, 12);
        expect(features.times[r]).toBe(data.find((d) => d.batch === `B${labelBatch}`)!.t);
        expect(features.labels[r]).toBe(labelBatch === 2 ? 1 : 0);
      }
    }
  });

  test('"none": every row is an observation, features are the variables', async () => {
    const { features, report } = await aggregateFile(file, 'defect == 1', 'none', true);
    expect(report.rows).toBe(20);
    expect(features.matrix.names).toEqual([
      'batch=B0',
      'batch=B1',
      'batch=B2',
      'batch=B3',
      'batch=B4',
      'temp',
    ]);
    expect(Array.from(features.times)).toEqual(data.map((d) => d.t));
    expect(Array.from(features.labels)).toEqual(data.map((d) => d.defect));
    expect(Array.from(features.matrix.columns[5])).toEqual(data.map((d) => d.temp));
  });
});
