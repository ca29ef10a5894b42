/**
 * The paths that keep plant-scale data in bounded memory give the same values as the copies
 * they replaced: logistic standardization of a row subset without copying it, a sorted Parquet
 * source staged as a view (and an unsorted one as a sorted table), observations read without a
 * sort (and sorted when stored out of order), read a few columns a query as one query returns
 * them, the aggregation "none" sharing the variables' arrays, and `--profile` seeing memory a
 * stage holds.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeContributions } from '../../activities/contributions-file';
import { toJson } from '../../activities/workspace';
import { aggregateObservations } from '../../analysis/aggregate/aggregate';
import { parseTarget } from '../../analysis/aggregate/target';
import { isInvalidInput } from '../../analysis/errors';
import { featureMatrix, selectLabels, selectRows } from '../../analysis/frame';
import { fitLogistic, standardize } from '../../analysis/learners/logistic/model';
import { StageProfile } from '../../cli/profile';
import { datasetPath, readObservations } from '../../connectors/datasets';
import { literal, queryRows, withDuck } from '../../connectors/duckdb';
import { createTableFromColumns } from '../../connectors/source/append';
import { readColumns, readSelected } from '../../connectors/source/columns';
import { dropCanonical } from '../../connectors/source/load';
import { loadSource } from '../../connectors/sources';

const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-memory-'));

function noisyMatrix(rows: number, features: number) {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const columns = Array.from({ length: features }, () =>
    Float64Array.from({ length: rows }, () => (next() < 0.05 ? Number.NaN : next() * 10 - 3)),
  );
  const labels = Uint8Array.from({ length: rows }, (_, i) => (columns[0][i] > 2 || next() < 0.1 ? 1 : 0));
  return {
    matrix: featureMatrix(
      Array.from({ length: features }, (_, j) => `f${j}`),
      columns,
    ),
    labels,
  };
}

describe('logistic on a row subset', () => {
  const { matrix, labels } = noisyMatrix(3000, 6);
  const rows = Uint32Array.from({ length: 2000 }, (_, k) => (k * 7) % 3000);

  test('standardizing the rows in place equals standardizing their copy, bit for bit', () => {
    const inPlace = standardize(matrix, rows);
    const copied = standardize(selectRows(matrix, rows));
    expect(Array.from(inPlace.z)).toEqual(Array.from(copied.z));
    expect(Array.from(inPlace.medians)).toEqual(Array.from(copied.medians));
    expect(Array.from(inPlace.scales)).toEqual(Array.from(copied.scales));
    const a = fitLogistic(matrix, selectLabels(labels, rows), { C: 0.3 }, rows);
    const b = fitLogistic(selectRows(matrix, rows), selectLabels(labels, rows), { C: 0.3 });
    expect(Array.from(a.coefficients)).toEqual(Array.from(b.coefficients));
    expect(a.intercept).toBe(b.intercept);
  });

  test('an infinite value is refused where it is trained on, with the same row, and only there', () => {
    const columns = matrix.columns.map((c) => Float64Array.from(c));
    columns[2][rows[5]] = Number.POSITIVE_INFINITY;
    const broken = featureMatrix(matrix.names, columns);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(isInvalidInput(error)).toBe(true);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message(() => standardize(broken, rows))).toBe(
      message(() => standardize(selectRows(broken, rows))),
    );
    expect(message(() => standardize(broken, rows))).toMatch(/f2.*row 5/);
    const others = Uint32Array.from(rows.filter((r) => r !== rows[5]));
    expect(() => standardize(broken, others)).not.toThrow();
  });
});

describe('sources staged without holding the rows', () => {
  async function writeParquet(name: string, order: string): Promise<string> {
    const file = path.join(tmp, name);
    await withDuck((db) =>
      db.run(
        `COPY (SELECT TIMESTAMP '2026-01-01' + i * INTERVAL 1 MINUTE AS time, sin(i / 7.0) AS a, (i * 37 % 101) / 10.0 AS b, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 5 END AS c FROM range(5000) t(i) ORDER BY ${order}) TO ${literal(file)} (FORMAT parquet, ROW_GROUP_SIZE 1024)`,
      ),
    );
    return file;
  }

  test('a sorted Parquet file is a view, an unsorted one a sorted table; the same rows either way', async () => {
    const sorted = await writeParquet('sorted.parquet', 'i');
    const shuffled = await writeParquet('shuffled.parquet', 'hash(i)');
    const read = (file: string) =>
      withDuck(async (db) => {
        const report = await loadSource(db, { kind: 'file', path: file, timeColumn: 'time' });
        const views = await queryRows(db, "SELECT view_name FROM duckdb_views() WHERE view_name = 'raw'");
        const table = await readObservations(db, 'raw', 't', report.variables);
        await dropCanonical(db);
        const left = await queryRows(
          db,
          "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'raw' UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name = 'raw'",
        );
        return { report, view: views.length === 1, table, left: left.map((r) => Number(r.n)) };
      });
    const a = await read(sorted);
    const b = await read(shuffled);
    expect(a.view).toBe(true);
    expect(b.view).toBe(false);
    expect(b.report.unsortedRows).toBeGreaterThan(0);
    expect(a.left).toEqual([0, 0]);
    expect(b.left).toEqual([0, 0]);
    expect(a.table.rows).toBe(5000);
    expect(Array.from(a.table.time!)).toEqual(Array.from(b.table.time!));
    for (let j = 0; j < 3; j++) {
      expect(a.table.variables[j].name).toBe(b.table.variables[j].name);
      expect(Array.from(a.table.variables[j].data.values as Float64Array)).toEqual(
        Array.from(b.table.variables[j].data.values as Float64Array),
      );
    }
  });

  test('a relation stored out of time order is read sorted', async () => {
    const table = await withDuck(async (db) => {
      await db.run(
        "CREATE TEMP TABLE backwards AS SELECT TIMESTAMP '2026-01-01' + (9 - i) * INTERVAL 1 MINUTE AS t, CAST(i AS DOUBLE) AS v FROM range(10) r(i)",
      );
      try {
        return await readObservations(db, 'backwards', 't');
      } finally {
        await db.run('DROP TABLE backwards');
      }
    });
    expect(Array.from(table.variables[0].data.values as Float64Array)).toEqual([
      9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    ]);
  });
});

describe('one chunk reused for appending', () => {
  test('a chunk of NULLs then chunks without: every row comes back as it was', async () => {
    const rows = 7000;
    const x = Float64Array.from({ length: rows }, (_, i) => (i < 2048 || i % 9 === 4 ? Number.NaN : i / 3));
    const s = Array.from({ length: rows }, (_, i) => (i >= 2048 && i < 4096 ? null : `t${i % 4}`));
    const back = await withDuck(async (db) => {
      await createTableFromColumns(db, 'reused', ['x', 's'], [x, s], rows);
      try {
        return await readColumns(db, 'SELECT x, s FROM reused');
      } finally {
        await db.run('DROP TABLE reused');
      }
    });
    expect(Array.from(back.columns[0] as Float64Array)).toEqual(Array.from(x));
    expect(back.columns[1]).toEqual(s);
  });
});

describe('columns read a few a query', () => {
  test('the same names, values and order as one query; shared, one buffer a query', async () => {
    const rows = 3000;
    const columns = Array.from({ length: 5 }, (_, j) =>
      Float64Array.from({ length: rows }, (_, i) => (i % (7 + j) === 0 ? Number.NaN : Math.sin(i * (j + 1)))),
    );
    const text = Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : `lot${i % 4}`));
    const names = ['a', 'b', 'c', 'd', 'e', 'lot'];
    const { whole, parts } = await withDuck(async (db) => {
      await createTableFromColumns(db, 'wide', names, [...columns, text], rows);
      try {
        const select = names.map((n) => `"${n}"`);
        // in a shuffled order, so that a query that kept another order would show
        const from = 'FROM wide ORDER BY hash(rowid)';
        return {
          whole: await readColumns(db, `SELECT ${select.join(', ')} ${from}`),
          // two columns a query: three queries
          parts: await readSelected(db, { select, from, rows }, { shared: true, queryValues: 2 * rows }),
        };
      } finally {
        await db.run('DROP TABLE wide');
      }
    });
    expect(parts.names).toEqual(names);
    expect(parts.rows).toBe(rows);
    const values = (c: Float64Array | (string | null)[]) => Array.from<number | string | null>(c);
    expect(parts.columns.map(values)).toEqual(whole.columns.map(values));
    const buffers = new Set(parts.columns.flatMap((c) => (c instanceof Float64Array ? [c.buffer] : [])));
    expect(buffers.size).toBe(3);
    for (const b of buffers) expect(b).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('aggregation "none"', () => {
  const values = Float64Array.from({ length: 6 }, (_, i) => i * 1.5);
  const table = (defect: Float64Array) => ({
    rows: 6,
    time: Float64Array.from({ length: 6 }, (_, i) => i * 60_000),
    variables: [
      { name: 'x', data: { kind: 'numeric' as const, values } },
      { name: 'defect', data: { kind: 'numeric' as const, values: defect } },
    ],
  });

  test('every row kept: the feature is the variable itself; some rows left out: their values', () => {
    const all = aggregateObservations(table(Float64Array.of(0, 1, 0, 1, 0, 0)), parseTarget('defect == 1'), {
      kind: 'rows',
    });
    expect(all.columns[0]).toBe(values);
    const some = aggregateObservations(
      table(Float64Array.of(0, Number.NaN, 1, 0, Number.NaN, 1)),
      parseTarget('defect == 1'),
      { kind: 'rows' },
    );
    expect(Array.from(some.columns[0] as Float64Array)).toEqual([0, 3, 4.5, 7.5]);
    expect(Array.from(some.labels)).toEqual([0, 1, 0, 1]);
  });
});

describe('contributions.json written in blocks', () => {
  test('the same bytes as the whole document through toJson', () => {
    const rows = 70_000; // more than one block of numbers
    const time = Float64Array.from({ length: rows }, (_, i) => 1.7e12 + i * 60_000);
    const values = Float64Array.from({ length: rows * 2 }, (_, k) =>
      k % 1001 === 0 ? Number.NaN : k % 997 === 0 ? -0 : Math.sin(k) * 10 ** ((k % 40) - 20),
    );
    values[5] = Number.POSITIVE_INFINITY;
    const rest = Float64Array.from({ length: rows }, (_, i) => i / 7);
    const contributions = { expectedValue: -1.25, variables: ['a "b"', 'c'], time, values, rest };
    const uri = writeContributions(tmp, contributions);
    const expected = toJson({
      expectedValue: contributions.expectedValue,
      variables: contributions.variables,
      time: Array.from(time),
      values: Array.from(values),
      rest: Array.from(rest),
    });
    expect(readFileSync(datasetPath(uri), 'utf8') === expected).toBe(true);
  });
});

describe('--profile', () => {
  test("a stage that reports its tasks' work (threadSeconds) shows it beside its wall time", async () => {
    const profile = new StageProfile();
    try {
      await profile.measure('stability', async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { folds: 5, threadSeconds: 0.0123 };
      });
      await profile.measure('evaluate', async () => ({ seconds: 1 }));
      const report = profile.report();
      expect(report).toMatch(/^ {2}stability .* MB {2}\(its tasks' own work 0\.01 s\)$/m);
      expect(report).toMatch(/^ {2}evaluate .* MB$/m);
    } finally {
      await profile.close();
    }
  });

  test('a stage holding 300 MB shows a peak of at least what was resident while it held them', async () => {
    const profile = new StageProfile();
    try {
      await profile.measure('small', async () => new Promise((r) => setTimeout(r, 50)));
      let held: Uint8Array | undefined;
      let during = 0;
      await profile.measure('big', async () => {
        held = new Uint8Array(300e6).fill(1);
        // What is resident with the 300 MB held (garbage of earlier tests may have been freed
        // meanwhile, so the stage before is no baseline).
        during = process.memoryUsage.rss();
        await new Promise((r) => setTimeout(r, 200));
      });
      expect(held?.[0]).toBe(1);
      held = undefined;
      const report = profile.report();
      const peak = (name: string) =>
        Number(new RegExp(`^  ${name}\\s.*\\s(\\d+) MB$`, 'm').exec(report)?.[1]);
      expect(peak('big')).toBeGreaterThanOrEqual(Math.max(300, Math.floor(during / 1e6) - 1));
      expect(peak('small')).toBeGreaterThan(0);
      expect(report).toMatch(/total .* \(process peak\)/);
    } finally {
      await profile.close();
    }
  });
});
