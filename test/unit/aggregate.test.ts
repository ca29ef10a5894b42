/**
 * Window aggregates against pandas `resample("10min", origin="epoch")` on committed fixtures
 * (test/fixtures/aggregate/make_fixtures.py): every function, the label, the lag, and the same
 * result from wide CSV, wide Parquet and long CSV.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTarget } from '../../analysis/target';
import { newDatasetUri, readFeatureDataset } from '../../connectors/datasets';
import { withDuck } from '../../connectors/duckdb';
import { checkFunctions } from '../../connectors/source/aggregate';
import { aggregateWideColumns } from '../../connectors/source/aggregate_wide';
import { createTableFromColumns } from '../../connectors/source/append';
import { readColumns } from '../../connectors/source/columns';
import { aggregateSource, loadSource } from '../../connectors/sources';

const dir = path.join(__dirname, '..', 'fixtures', 'aggregate');

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

async function aggregateFile(file: string, lag: string) {
  return withDuck(async (db) => {
    const load = await loadSource(db, { kind: 'file', path: path.join(dir, file) }, { keep: ['quality'] });
    // The pipeline's aggregate stage: the canonical table to the features table.
    const { report, wide } = await aggregateWideColumns(
      db,
      'raw',
      load.variables,
      parseTarget(expected.target),
      {
        window: '10m',
        functions: expected.functions,
        lag,
      },
    );
    await createTableFromColumns(db, 'features', wide.names, wide.columns, report.rows);
    const read = await readColumns(db, 'SELECT * REPLACE (CAST(__label AS DOUBLE) AS __label) FROM features');
    await db.run('DROP TABLE features');
    await db.run('DROP TABLE raw');
    return { load, report, read };
  });
}

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
      const { read, report, load } = await aggregateFile(file, '0m');
      expect(load.rows).toBe(1405);
      expect(report.rows).toBe(expected.lag0.time.length);
      expect([...report.variables].sort()).toEqual(['lot', 'pressure', 'speed', 'temp']);
      expect(report.variables).not.toContain('quality');
      const worst = compare(read, expected.lag0);
      expect(worst).toBeLessThan(1e-9);
    });
  }

  test('lag of one window: features of w - 1 explain the label of w', async () => {
    const { read, report } = await aggregateFile('line.csv', '10m');
    expect(report.lagWindows).toBe(1);
    compare(read, expected.lag1);
  });

  test('a lag that is not a whole number of windows is refused', async () => {
    await expect(aggregateFile('line.csv', '5m')).rejects.toThrow(/aggregation.lag.*whole number/);
  });
});

describe('function names', () => {
  test('median is p50; unknown names get a suggestion', () => {
    expect(checkFunctions(['mean', 'median', 'p90'])).toEqual(['mean', 'p50', 'p90']);
    expect(() => checkFunctions(['meen'])).toThrow(/did you mean "mean"/);
  });
});

describe('long sources aggregated without the pivot', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-aggregate-'));
  // Duplicated measurements (same time, variable and value) must change nothing but the count.
  const lines = readFileSync(path.join(dir, 'line_long.csv'), 'utf8').trimEnd().split('\n');
  const duplicated = path.join(tmp, 'dup_long.csv');
  writeFileSync(duplicated, [...lines, ...lines.slice(100, 110)].join('\n'));

  for (const [name, file, lag, want, duplicates] of [
    ['lag 0', path.join(dir, 'line_long.csv'), '0m', expected.lag0, 0],
    ['lag 1 with 10 duplicated rows', duplicated, '10m', expected.lag1, 10],
  ] as const) {
    test(name, async () => {
      const uri = newDatasetUri('features', tmp);
      const { features, load, aggregate } = await aggregateSource(
        { kind: 'file', path: file },
        {},
        { target: expected.target, aggregation: { window: '10m', functions: expected.functions, lag } },
        uri,
      );
      // The features returned in memory are the ones the dataset holds.
      const saved = await readFeatureDataset(uri);
      expect(saved.matrix.names).toEqual(features.matrix.names);
      expect(saved.matrix.columns.map((c) => Array.from(c))).toEqual(
        features.matrix.columns.map((c) => Array.from(c)),
      );
      expect(Array.from(saved.labels)).toEqual(Array.from(features.labels));
      expect(Array.from(saved.times)).toEqual(Array.from(features.times));
      expect(Array.from(saved.windowRows)).toEqual(Array.from(features.windowRows));
      expect(load.layout).toBe('long');
      expect(load.duplicateRows).toBe(duplicates);
      expect(aggregate.rows).toBe(want.time.length);
      expect(Array.from(features.times)).toEqual(want.time);
      expect(Array.from(features.labels)).toEqual(want.columns.__label);
      expect(Array.from(features.windowRows)).toEqual(want.columns.__rows);
      const { names, columns } = features.matrix;
      for (const [column, values] of Object.entries(want.columns)) {
        if (column.startsWith('__')) continue;
        if (column === 'lot__mode') {
          for (const lot of ['A', 'B', 'C']) {
            const hot = columns[names.indexOf(`lot__mode=${lot}`)];
            if (!hot) {
              expect(values).not.toContain(lot); // a value that is never the mode gets no column
              continue;
            }
            values.forEach((v, i) => {
              expect([i, hot[i]]).toEqual([i, v === null ? Number.NaN : v === lot ? 1 : 0]);
            });
          }
          continue;
        }
        const got = columns[names.indexOf(column)];
        values.forEach((v, i) => {
          if (v === null) expect([column, i, got[i]]).toEqual([column, i, Number.NaN]);
          else if (!(Math.abs(got[i] - (v as number)) <= 1e-9 * Math.max(1, Math.abs(v as number)))) {
            expect([column, i, got[i]]).toEqual([column, i, v]);
          }
        });
      }
    });
  }
});

describe('batches and rows as observations', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-batches-'));
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
      const { features, aggregate } = await aggregateSource(
        { kind: 'file', path: file },
        {},
        {
          target: 'defect == 1',
          aggregation: { batchColumn: 'batch', functions: ['mean', 'max', 'count'], lag },
        },
      );
      expect(aggregate.rows).toBe(5 - lag);
      expect(features.matrix.names).toEqual(['temp__mean', 'temp__max', 'temp__count']);
      const mean = features.matrix.columns[0];
      for (let r = 0; r < aggregate.rows; r++) {
        const labelBatch = r + lag;
        const featureBatch = r;
        const temps = data.filter((d) => d.batch === `B${featureBatch}`).map((d) => d.temp);
        expect(mean[r]).toBeCloseTo(temps.reduce((a, b) => a + b, 0) / temps.length, 12);
        expect(features.times[r]).toBe(data.find((d) => d.batch === `B${labelBatch}`)!.t);
        expect(features.labels[r]).toBe(labelBatch === 2 ? 1 : 0);
      }
    }
  });

  test('"none": every row is an observation, features are the variables', async () => {
    const { features, aggregate } = await aggregateSource(
      { kind: 'file', path: file },
      {},
      { target: 'defect == 1', aggregation: { window: 'none' } },
    );
    expect(aggregate.rows).toBe(20);
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
