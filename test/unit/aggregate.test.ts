/**
 * Window aggregates against pandas `resample("10min", origin="epoch")` on committed fixtures
 * (test/fixtures/aggregate/make_fixtures.py): every function, the label, the lag, and the same
 * result from wide CSV, wide Parquet and long CSV.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTarget } from '../../analysis/target';
import { withDuck } from '../../connectors/duckdb';
import { aggregateTable, checkFunctions } from '../../connectors/source/aggregate';
import { readColumns } from '../../connectors/source/columns';
import { loadSource } from '../../connectors/sources';

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
    const report = await aggregateTable(db, 'raw', load.variables, parseTarget(expected.target), {
      window: '10m',
      functions: expected.functions,
      lag,
    });
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
