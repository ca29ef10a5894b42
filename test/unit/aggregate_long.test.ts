/**
 * The long-format aggregation's own paths: pulled in several parts (the memory bound) or in
 * one, into memory or into the features table, the features are the same. The pandas
 * equality itself is checked in aggregate.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTarget } from '../../analysis/target';
import { withDuck } from '../../connectors/duckdb';
import { aggregateLong, aggregateLongColumns } from '../../connectors/source/aggregate_long';
import { readColumns } from '../../connectors/source/columns';
import { loadSource } from '../../connectors/sources';

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
    await db.run('DROP TABLE __long');
    return result;
  });
}

test('several parts or one: the same features and duplicates', async () => {
  const one = await columns();
  const parts = await columns(500); // a few thousand rows: several parts
  expect(one.report.duplicateRows).toBe(30);
  expect(parts.report).toEqual(one.report);
  expect(parts.wide.names).toEqual(one.wide.names);
  parts.wide.columns.forEach((c, j) => {
    expect([one.wide.names[j], list(c)]).toEqual([one.wide.names[j], list(one.wide.columns[j])]);
  });
});

test('the features table holds the in-memory columns, missing values as NULL', async () => {
  const { wide } = await columns();
  await withDuck(async (db) => {
    const load = await loadSource(db, { kind: 'file', path: file }, { keep: ['quality'] }, 'raw', true);
    await aggregateLong(db, load.variables, parseTarget(expected.target), {
      window: '10m',
      functions: expected.functions,
      lag: '10m',
    });
    await db.run('DROP TABLE __long');
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
