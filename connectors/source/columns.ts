/**
 * Reading DuckDB results into the column-major shapes of `analysis/frame.ts`: DOUBLE columns
 * become Float64Array (NULL → NaN), VARCHAR columns string arrays (NULL → null). Results are
 * pulled chunk by chunk, so no row objects are ever built.
 */
import { type DuckDBConnection, DuckDBTypeId } from '@duckdb/node-api';

export type ColumnData = Float64Array | (string | null)[];

export interface ResultColumns {
  readonly names: string[];
  readonly columns: ColumnData[];
  readonly rows: number;
}

/**
 * Runs `sql` and reads every column. Columns must be DOUBLE or VARCHAR (cast in the query);
 * other types are refused so a silent conversion cannot slip in.
 */
export async function readColumns(db: DuckDBConnection, sql: string): Promise<ResultColumns> {
  const result = await db.run(sql);
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => t.typeId);
  types.forEach((t, j) => {
    if (t !== DuckDBTypeId.DOUBLE && t !== DuckDBTypeId.VARCHAR) {
      throw new Error(
        `readColumns: column ${names[j]} has type ${DuckDBTypeId[t]}; cast it to DOUBLE or VARCHAR`,
      );
    }
  });
  const chunks = [];
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunks.push(chunk);
    rows += chunk.rowCount;
  }
  const columns: ColumnData[] = types.map((t) =>
    t === DuckDBTypeId.DOUBLE ? new Float64Array(rows) : new Array<string | null>(rows),
  );
  let offset = 0;
  for (const chunk of chunks) {
    const n = chunk.rowCount;
    for (let j = 0; j < columns.length; j++) {
      const vector = chunk.getColumnVector(j);
      const out = columns[j];
      if (out instanceof Float64Array) {
        for (let i = 0; i < n; i++) {
          const x = vector.getItem(i) as number | null;
          out[offset + i] = x === null ? Number.NaN : x;
        }
      } else {
        for (let i = 0; i < n; i++) out[offset + i] = vector.getItem(i) as string | null;
      }
    }
    offset += n;
  }
  return { names, columns, rows };
}
