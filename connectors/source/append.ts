/**
 * Writes column-major JS arrays into a new temp table through DuckDB's appender, a chunk of
 * vectors at a time: features computed in JS land where the rest of the pipeline (writing the
 * dataset, reading it for learners) expects them, without SQL text or per-row calls.
 */
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDoubleVector,
  type DuckDBType,
  DuckDBVector,
  UTINYINT,
  VARCHAR,
} from '@duckdb/node-api';
import { ident } from '../duckdb';
import { vectorArray } from './columns';

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
    // One chunk, emptied between appends: a chunk's native memory is freed only when the JS
    // object is collected, which the garbage collector, not seeing that memory, delays (a
    // million rows × 50 columns left 400 MB of spent chunks behind).
    const chunk = DuckDBDataChunk.create(types);
    for (let offset = 0; offset < rows; offset += size) {
      const n = Math.min(size, rows - offset);
      // Reset clears the validity masks (the last chunk's NULLs); the size makes new vectors.
      chunk.reset();
      chunk.rowCount = n;
      columns.forEach((column, j) => {
        const vector = chunk.getColumnVector(j);
        if (column instanceof Float64Array) {
          const slice = column.subarray(offset, offset + n);
          if (vector instanceof DuckDBDoubleVector && setDoubles(vector, slice)) {
            // Only the missing values still need a call (their validity bit).
            for (let i = 0; i < n; i++) if (Number.isNaN(slice[i])) vector.setItem(i, null);
          } else {
            for (let i = 0; i < n; i++) {
              const x = slice[i];
              vector.setItem(i, Number.isNaN(x) ? null : x);
            }
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

/**
 * Copies `values` into a fresh DOUBLE vector's array in one call; false (and the caller sets
 * values one by one) when the array is not there as expected. `flush` then sends the array to
 * DuckDB as `setItem`'s values would be.
 */
function setDoubles(vector: DuckDBDoubleVector, values: Float64Array): boolean {
  const backing = vectorArray(vector);
  if (!backing || backing.length !== values.length) return false;
  backing.set(values);
  return true;
}
