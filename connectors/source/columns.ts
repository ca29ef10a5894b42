/**
 * Reading DuckDB results into the column-major shapes of `analysis/frame.ts`: DOUBLE columns
 * become Float64Array (NULL → NaN), VARCHAR columns string arrays (NULL → null). Results are
 * streamed chunk by chunk into arrays of their final size, so no row objects are ever built.
 */
import { type DuckDBConnection, DuckDBDoubleVector, DuckDBTypeId, type DuckDBVector } from '@duckdb/node-api';

export type ColumnData = Float64Array | (string | null)[];

export interface ResultColumns {
  readonly names: string[];
  readonly columns: ColumnData[];
  readonly rows: number;
}

export interface ReadOptions {
  /**
   * DOUBLE columns in SharedArrayBuffers, so compute threads read them without a copy
   * (compute/shared.ts then copies nothing).
   */
  readonly shared?: boolean;
  /**
   * The rows the query returns, when the caller knows them; else they are counted first (a
   * second plan of the query: slow for thousands of columns).
   */
  readonly rows?: number;
}

/**
 * Runs `sql` and reads every column. Columns must be DOUBLE or VARCHAR (cast in the query);
 * other types are refused so a silent conversion cannot slip in. The rows are counted first
 * and the result streamed a chunk at a time into arrays of that size: neither DuckDB nor JS
 * ever holds the whole result twice (a materialized result, then its copy, took three times
 * the data's size at 1M rows × 50 columns).
 */
export async function readColumns(
  db: DuckDBConnection,
  sql: string,
  options: ReadOptions = {},
): Promise<ResultColumns> {
  const rows =
    options.rows ?? Number((await db.runAndReadAll(`SELECT count(*) AS n FROM (${sql})`)).getRowsJS()[0][0]);
  const result = await db.stream(sql);
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => t.typeId);
  types.forEach((t, j) => {
    if (t !== DuckDBTypeId.DOUBLE && t !== DuckDBTypeId.VARCHAR) {
      throw new Error(
        `readColumns: column ${names[j]} has type ${DuckDBTypeId[t]}; cast it to DOUBLE or VARCHAR`,
      );
    }
  });
  // Shared: every DOUBLE column a view of one buffer, so compute/shared.ts posts them as one
  // (a buffer a column costs 15 µs a message each, and packing them later would copy them all).
  const count = types.filter((t) => t === DuckDBTypeId.DOUBLE).length;
  const pool = options.shared ? new SharedArrayBuffer(Math.max(1, count * rows * 8)) : undefined;
  let next = 0;
  const doubles = (n: number) => (pool ? new Float64Array(pool, 8 * n * next++, n) : new Float64Array(n));
  const columns: ColumnData[] = types.map((t) =>
    t === DuckDBTypeId.DOUBLE ? doubles(rows) : new Array<string | null>(rows),
  );
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    if (offset + n > rows)
      throw new Error(`readColumns: the query returned more than the ${rows} rows counted`);
    for (let j = 0; j < columns.length; j++) {
      const vector = chunk.getColumnVector(j);
      const out = columns[j];
      if (out instanceof Float64Array) {
        readDoubles(vector, out, offset);
      } else {
        for (let i = 0; i < n; i++) out[offset + i] = vector.getItem(i) as string | null;
      }
    }
    offset += n;
  }
  if (offset !== rows) throw new Error(`readColumns: the query returned ${offset} rows, ${rows} counted`);
  return { names, columns, rows };
}

/**
 * Values (rows × columns) one query of `readSelected` reads at most. DuckDB decodes a Parquet row
 * group of every selected column on each of its threads, and V8 holds the chunks copied out of
 * it until its next collection. Reading 1M rows × 51 columns in one query peaked 267 MB above
 * the arrays and the process before it, in queries of 16 columns 143 MB, in the same time:
 * `line-rca distribution` on that file peaked at 865 MB instead of 980–1,046 MB.
 */
export const QUERY_VALUES = 16_000_000;

export interface SelectedColumns {
  /** One SQL expression a column, aliased, of type DOUBLE or VARCHAR. */
  readonly select: readonly string[];
  /** The query after its select list (`FROM relation WHERE … ORDER BY …`): the same row order every time it runs. */
  readonly from: string;
  /** The rows it returns. */
  readonly rows: number;
}

/**
 * `readColumns` of `SELECT select FROM …` in queries of at most `QUERY_VALUES` values, the
 * columns side by side as one query would return them. Shared, each query's numbers are one
 * SharedArrayBuffer (a few in all: compute/shared.ts posts them without packing).
 */
export async function readSelected(
  db: DuckDBConnection,
  query: SelectedColumns,
  options: Pick<ReadOptions, 'shared'> & { readonly queryValues?: number } = {},
): Promise<ResultColumns> {
  const width = Math.max(1, Math.floor((options.queryValues ?? QUERY_VALUES) / Math.max(1, query.rows)));
  const names: string[] = [];
  const columns: ColumnData[] = [];
  for (let start = 0; start < query.select.length; start += width) {
    const part = query.select.slice(start, start + width);
    const read = await readColumns(db, `SELECT ${part.join(', ')} ${query.from}`, {
      shared: options.shared,
      rows: query.rows,
    });
    names.push(...read.names);
    columns.push(...read.columns);
  }
  return { names, columns, rows: query.rows };
}

/**
 * The array behind a DOUBLE vector (NULL entries hold garbage), where @duckdb/node-api keeps
 * it as expected; it is not public, so callers fall back to `getItem` when this is undefined.
 */
export function vectorArray(vector: DuckDBVector): Float64Array | undefined {
  if (!(vector instanceof DuckDBDoubleVector)) return undefined;
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof Float64Array && items.length === vector.itemCount ? items : undefined;
}

/**
 * The validity bits of a vector (bit i of byte i >> 3: row i is not NULL), null when every row
 * is valid, undefined when they are not there as expected (not public either).
 */
function validityBits(vector: DuckDBVector): Uint8Array | null | undefined {
  const validity = (vector as unknown as { validity?: { data?: unknown; offset?: unknown } }).validity;
  if (validity?.offset !== 0) return undefined;
  if (validity.data === null) return null;
  const data = validity.data;
  return data instanceof BigUint64Array
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : undefined;
}

/**
 * A DOUBLE vector's values into `out` from `offset`, NULL as NaN: copied in one call with the
 * NULLs patched from the validity bits (about 50 times faster than `getItem`, which does
 * BigInt arithmetic per row), or one by one where the internals are not as expected.
 */
function readDoubles(vector: DuckDBVector, out: Float64Array, offset: number): void {
  const n = vector.itemCount;
  const items = vectorArray(vector);
  const bits = validityBits(vector);
  if (items && bits !== undefined) {
    out.set(items, offset);
    if (bits) for (let i = 0; i < n; i++) if (!((bits[i >> 3] >> (i & 7)) & 1)) out[offset + i] = Number.NaN;
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = vector.getItem(i) as number | null;
    out[offset + i] = x === null ? Number.NaN : x;
  }
}
