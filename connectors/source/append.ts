/**
 * Writes column-major JS arrays into a new temp table through DuckDB's appender, a chunk of
 * vectors at a time: features computed in JS land where the rest of the pipeline (writing the
 * dataset, reading it for learners) expects them, without SQL text or per-row calls.
 */
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  DuckDBVector,
  UTINYINT,
  VARCHAR,
} from '@duckdb/node-api';
import { ident } from '../duckdb';

/** DOUBLE (NaN is written as NULL), UTINYINT, or VARCHAR (null is NULL). */
export type AppendColumn = Float64Array | Uint8Array | readonly (string | null)[];

export async function createTableFromColumns(
  db: DuckDBConnection,
  table: string,
  names: readonly string[],
  columns: readonly AppendColumn[],
  rows: number,
): Promise<void> {
  const types: DuckDBType[] = columns.map((c) =>
    c instanceof Float64Array ? DOUBLE : c instanceof Uint8Array ? UTINYINT : VARCHAR,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(table)} (${names.map((n, j) => `${ident(n)} ${types[j].toString()}`).join(', ')})`,
  );
  // Temp tables live in the `temp` catalog.
  const appender = await db.createAppender(table, 'main', 'temp');
  try {
    const size = DuckDBVector.standardSize();
    for (let offset = 0; offset < rows; offset += size) {
      const n = Math.min(size, rows - offset);
      const chunk = DuckDBDataChunk.create(types, n);
      columns.forEach((column, j) => {
        const vector = chunk.getColumnVector(j);
        if (column instanceof Float64Array) {
          for (let i = 0; i < n; i++) {
            const x = column[offset + i];
            vector.setItem(i, Number.isNaN(x) ? null : x);
          }
        } else {
          for (let i = 0; i < n; i++) vector.setItem(i, column[offset + i]);
        }
        vector.flush();
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
