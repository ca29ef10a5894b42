/** Writes the demo bakery line as a plain Parquet file: `time` and one column per variable. */
import { generateBakeryLine } from '../analysis/demo/bakery';
import type { ObservationTable } from '../analysis/frame';
import { tableToDuck } from './datasets';
import { literal, withDuck } from './duckdb';

export async function writeDemoLine(
  file: string,
  options: { seed?: number; days?: number } = {},
): Promise<void> {
  await writeTableParquet(generateBakeryLine(options), file);
}

/** Writes a table (it must have times) as a plain Parquet file: `time` and one column per variable. */
export async function writeTableParquet(table: ObservationTable, file: string): Promise<void> {
  await withDuck(async (db) => {
    await tableToDuck(db, table, 'demo_line');
    await db.run(
      `COPY (SELECT t AS time, * EXCLUDE (t) FROM demo_line) TO ${literal(file)} (FORMAT parquet)`,
    );
    await db.run('DROP TABLE demo_line');
  });
}
