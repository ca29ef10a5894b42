/**
 * The long-format aggregation's own paths: read as one result or streamed, into memory or into
 * the features table, from CSV or Parquet, with a numeric or a text target, the features are
 * the same, and equal to the wide source's. The pandas equality itself is checked in
 * aggregate.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTarget } from '../../analysis/target';
import { withDuck } from '../../connectors/duckdb';
import { aggregateLongColumns } from '../../connectors/source/aggregate_long';
import { createTableFromColumns } from '../../connectors/source/append';
import { readColumns } from '../../connectors/source/columns';
import { dropLong } from '../../connectors/source/load';
import { aggregateSource, loadSource } from '../../connectors/sources';

const dir = path.join(__dirname, '..', 'fixtures', 'aggregate');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
  functions: string[];
  target: string;
};

// The long fixture with some measurements repeated, so duplicates are merged in every part.
const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-long-'));
const lines = readFileSync(path.join(dir, 'line_long.csv'), 'utf8').trimEnd().split('\n');
const file = path.join(tmp, 'long.csv');
writeFileSync(file, [...lines, ...lines.slice(200, 230)].join('\n'));

/** Any column as a plain array, for comparisons. */
const list = (c: ArrayLike<unknown>): unknown[] => Array.from(c);

async function columns(pullRows?: number) {
  return withDuck(async (db) => {
    const load = await loadSource(db, { kind: 'file', path: file }, { keep: ['quality'] }, 'raw', true);
    const result = await aggregateLongColumns(
      db,
      load.variables,
      parseTarget(expected.target),
      { window: '10m', functions: expected.functions, lag: '10m' },
      pullRows,
    );
    await dropLong(db);
    return result;
  });
}

test('streamed or read at once: the same features and counts', async () => {
  const one = await columns();
  const parts = await columns(500); // a few thousand rows: streamed
  expect(one.source.duplicateRows).toBe(30);
  expect(one.source.unsortedRows).toBe(1); // the repeated rows go back in time once
  expect(parts.source).toEqual(one.source);
  expect(parts.report).toEqual(one.report);
  // The pivot to the canonical table (the extract stage) reads and counts the same way.
  const pivoted = await withDuck(async (db) => {
    const load = await loadSource(db, { kind: 'file', path: file }, { keep: ['quality'] });
    await db.run('DROP TABLE raw');
    return load;
  });
  const { duplicateRows, unsortedRows, rows, from, to } = pivoted;
  expect({ duplicateRows, unsortedRows, rows, from, to }).toEqual(one.source);
  expect(parts.wide.names).toEqual(one.wide.names);
  parts.wide.columns.forEach((c, j) => {
    expect([one.wide.names[j], list(c)]).toEqual([one.wide.names[j], list(one.wide.columns[j])]);
  });
});

test('the features table holds the in-memory columns, missing values as NULL', async () => {
  const { wide } = await columns();
  await withDuck(async (db) => {
    const load = await loadSource(db, { kind: 'file', path: file }, { keep: ['quality'] }, 'raw', true);
    // as aggregateSource writes a dataset
    const computed = await aggregateLongColumns(db, load.variables, parseTarget(expected.target), {
      window: '10m',
      functions: expected.functions,
      lag: '10m',
    });
    await createTableFromColumns(
      db,
      'features',
      computed.wide.names,
      computed.wide.columns,
      computed.report.rows,
    );
    await dropLong(db);
    const read = await readColumns(db, 'SELECT * REPLACE (CAST(__label AS DOUBLE) AS __label) FROM features');
    expect(read.names).toEqual(wide.names);
    read.columns.forEach((c, j) => {
      const want = wide.columns[j];
      expect(list(c)).toEqual(list(want));
    });
    const [nulls] = await readColumns(
      db,
      `SELECT CAST(count(*) - count("pressure__std") AS DOUBLE) AS n FROM features`,
    ).then((r) => r.columns as Float64Array[]);
    const nans = Array.from(wide.columns[wide.names.indexOf('pressure__std')] as Float64Array).filter(
      Number.isNaN,
    );
    expect(nans.length).toBeGreaterThan(0);
    expect(nulls[0]).toBe(nans.length);
    await db.run('DROP TABLE features');
  });
});

describe('a long Parquet file with numbers is read through a view, not copied', () => {
  // The same numeric measurements (duplicates and the out-of-order tail included) as CSV text
  // and as typed Parquet: the Parquet path never copies the rows to a table.
  const csv = path.join(tmp, 'numbers.csv');
  const parquet = path.join(tmp, 'numbers.parquet');
  const written = withDuck(async (db) => {
    await db.run(
      `CREATE TEMP TABLE n AS SELECT time, variable, value FROM read_csv(${JSON.stringify(file).replace(/"/g, "'")}, header = true, all_varchar = true) WHERE variable <> 'lot'`,
    );
    await db.run(`COPY n TO '${csv}' (HEADER, FORMAT csv)`);
    await db.run(
      `COPY (SELECT timezone('UTC', CAST(time AS TIMESTAMPTZ)) AS time, variable, CAST(value AS DOUBLE) AS value FROM n) TO '${parquet}' (FORMAT parquet)`,
    );
  });
  const request = {
    target: expected.target,
    aggregation: { window: '10m', functions: expected.functions, lag: '10m' },
  };

  for (const [name, options] of [
    ['all variables', {}],
    ['include', { include: ['pressure', 'temp'] }],
    ['period', { period: { from: '2026-10-01T02:00:00Z', to: '2026-10-02T00:00:00Z' } }],
  ] as const) {
    test(`${name}: the same load report and features as the CSV`, async () => {
      await written;
      const a = await aggregateSource({ kind: 'file', path: csv }, options, request);
      const b = await aggregateSource({ kind: 'file', path: parquet }, options, request);
      const { source: _a, timeZones: _za, ...loadA } = a.load;
      const { source: _b, timeZones: _zb, ...loadB } = b.load;
      expect(loadB).toEqual(loadA);
      // The repeated, out-of-order rows lie before the period: they are not read.
      expect(loadA.duplicateRows > 0).toBe(name !== 'period');
      expect(loadA.unsortedRows > 0).toBe(name !== 'period');
      expect(b.aggregate).toEqual(a.aggregate);
      expect(b.features.matrix.names).toEqual(a.features.matrix.names);
      b.features.matrix.columns.forEach((c, j) => {
        expect([j, list(c)]).toEqual([j, list(a.features.matrix.columns[j])]);
      });
      expect(list(b.features.labels)).toEqual(list(a.features.labels));
      expect(list(b.features.times)).toEqual(list(a.features.times));
    });
  }

  test('bad input: empty period, unknown variable', async () => {
    await written;
    const spec = { kind: 'file', path: parquet } as const;
    await expect(
      aggregateSource(spec, { period: { from: '2030-01-01T00:00:00Z' } }, request),
    ).rejects.toThrow(/no rows between 2030-01-01T00:00:00Z and the end; the data spans 2026-10-01/);
    await expect(aggregateSource(spec, { include: ['temperature'] }, request)).rejects.toThrow(
      /variables.include \(.*numbers.parquet\): variable "temperature" does not exist/,
    );
  });
});

describe('text and multi-column targets: the long source labels as the wide one', () => {
  const wide = path.join(dir, 'line.csv');
  for (const target of ["lot == 'B' and quality > 0.5", "lot == 'C' or pressure > 1.2", 'quality > 0.8']) {
    test(target, async () => {
      const request = { target, aggregation: { window: '10m', functions: ['mean', 'p50', 'slope'] } };
      const long = await aggregateSource({ kind: 'file', path: file }, {}, request);
      const flat = await aggregateSource({ kind: 'file', path: wide }, {}, request);
      expect(long.aggregate.positives).toBeGreaterThan(0);
      expect(long.aggregate.positives).toBeLessThan(long.aggregate.rows);
      // The same features, in another order (long: variables by name; wide: by column).
      const byName = (a: typeof long.aggregate) => ({
        ...a,
        features: [...a.features].sort(),
        variables: [...a.variables].sort(),
      });
      expect(byName(long.aggregate)).toEqual(byName(flat.aggregate));
      expect(list(long.features.labels)).toEqual(list(flat.features.labels));
      expect(list(long.features.times)).toEqual(list(flat.features.times));
      expect(list(long.features.windowRows)).toEqual(list(flat.features.windowRows));
      const names = flat.features.matrix.names;
      expect([...long.features.matrix.names].sort()).toEqual([...names].sort());
      names.forEach((name, j) => {
        const want = flat.features.matrix.columns[j];
        const got = long.features.matrix.columns[long.features.matrix.names.indexOf(name)];
        got.forEach((x, i) => {
          const same = Number.isNaN(want[i])
            ? Number.isNaN(x)
            : Math.abs(x - want[i]) <= 1e-9 * Math.max(1, Math.abs(want[i]));
          if (!same) expect([name, i, x]).toEqual([name, i, want[i]]);
        });
      });
    });
  }
});
