/**
 * The plant-scale line of `npm run bench -- memory` (and of test/integration/long-line.test.ts):
 * minute rows from 2025-01-01, sensors `s00…` (a slow cycle of its own period plus deterministic
 * hash noise, so columns are autocorrelated and distinct), and `defect`, 1 on most rows where
 * `s07` is above 0.8 and on a few others.
 */
import { literal, withDuck } from '../connectors/duckdb';

/** The sensor the defect follows. */
export const CAUSE = 's07';

/** Writes the line to `file` (Parquet, or CSV by its extension) with DuckDB. */
export async function writeLine(file: string, rows: number, sensors: number): Promise<void> {
  const noise = (i: string, salt: number) => `((hash(${i}, ${salt}) % 100000) / 100000.0 - 0.5)`;
  const columns: string[] = [];
  for (let j = 0; j < sensors; j++) {
    const name = `s${String(j).padStart(2, '0')}`;
    const period = 97 + 37 * j;
    columns.push(`sin(i * 6.2832 / ${period}) + ${noise('i', j + 1)} AS ${name}`);
  }
  const cause = `(sin(i * 6.2832 / ${97 + 37 * 7}) + ${noise('i', 8)})`;
  const defect = `CASE WHEN (${cause} > 0.8 AND ${noise('i', 999)} < 0.4) OR ${noise('i', 1000)} < -0.49 THEN 1 ELSE 0 END AS defect`;
  const format = file.endsWith('.csv') ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)';
  await withDuck(async (db) => {
    await db.run(
      `COPY (SELECT TIMESTAMP '2025-01-01 00:00:00' + i * INTERVAL 1 MINUTE AS time, ${columns.join(', ')}, ${defect} FROM range(${rows}) t(i) ORDER BY i) TO ${literal(file)} ${format}`,
    );
  });
}
