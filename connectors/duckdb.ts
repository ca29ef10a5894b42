/**
 * One in-process DuckDB for the whole process: files (CSV, Parquet) are read, aggregated and
 * written through it. Timestamps are UTC throughout (the ICU extension is not loaded, so
 * DuckDB's time zone is UTC and text without an offset means UTC), and memory is capped so a large source spills to disk instead of growing the process without bound.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface DuckOptions {
  /** DuckDB `memory_limit`; default `LINE_RCA_DUCKDB_MEMORY` or 1GB. */
  readonly memoryLimit?: string;
  /** DuckDB `threads`; default `LINE_RCA_DUCKDB_THREADS` or DuckDB's own (the core count). */
  readonly threads?: number;
}

let shared: Promise<DuckDBInstance> | undefined;

/** The process-wide in-memory DuckDB instance, created on first use. */
export function duckInstance(options: DuckOptions = {}): Promise<DuckDBInstance> {
  if (!shared) {
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? process.env.LINE_RCA_DUCKDB_MEMORY ?? '1GB',
    };
    const threads = options.threads ?? Number(process.env.LINE_RCA_DUCKDB_THREADS ?? 0);
    if (threads > 0) config.threads = String(threads);
    shared = DuckDBInstance.create(':memory:', config);
  }
  return shared;
}

/**
 * Runs `work` on a fresh connection of the shared instance and closes it afterwards. Temporary
 * tables are per connection, so concurrent callers do not see each other's tables.
 */
export async function withDuck<T>(work: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await duckInstance();
  const db = await instance.connect();
  try {
    return await work(db);
  } finally {
    db.closeSync();
  }
}

/** A SQL identifier, double-quoted: any column name is safe. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal, single-quoted: any text is safe. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL number literal; NaN and infinities are refused because SQL has no literal for them. */
export function numberLiteral(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return String(x);
}

/** Runs a query and returns its rows as plain JS values (small results only). */
export async function queryRows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
