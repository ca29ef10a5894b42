/**
 * JS columns into a DuckDB temp table: NaN becomes NULL (as SQL aggregates of nothing are), more
 * rows than one vector, every column type the features table uses.
 */
import { queryRows, withDuck } from '../../connectors/duckdb';
import { createTableFromColumns } from '../../connectors/source/append';

test('columns land as DOUBLE (NaN as NULL), UTINYINT and VARCHAR', async () => {
  const rows = 5000; // more than one 2048-row chunk
  const x = Float64Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? Number.NaN : i * 0.25));
  const y = Uint8Array.from({ length: rows }, (_, i) => i % 2);
  const s = Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : `v${i % 3}`));
  await withDuck(async (db) => {
    await createTableFromColumns(db, 't_append', ['x', 'y', 's'], [x, y, s], rows);
    const [summary] = await queryRows(
      db,
      `SELECT count(*) AS n, count(x) AS present, sum(x) AS total, sum(y) AS ones, count(s) AS texts,
              max(CASE WHEN s = 'v2' THEN 1 ELSE 0 END) AS has_v2, typeof(any_value(y)) AS ytype
       FROM t_append`,
    );
    const present = Array.from(x).filter((v) => !Number.isNaN(v));
    expect(Number(summary.n)).toBe(rows);
    expect(Number(summary.present)).toBe(present.length);
    expect(summary.total).toBeCloseTo(
      present.reduce((a, b) => a + b, 0),
      6,
    );
    expect(Number(summary.ones)).toBe(rows / 2);
    expect(Number(summary.texts)).toBe(s.filter((v) => v !== null).length);
    expect(summary.has_v2).toBe(1);
    expect(summary.ytype).toBe('UTINYINT');
    // Row order is kept: the 4100th row's value.
    const [row] = await queryRows(db, 'SELECT x FROM t_append LIMIT 1 OFFSET 4100');
    expect(row.x).toBe(x[4100]);
    await db.run('DROP TABLE t_append');
  });
});
