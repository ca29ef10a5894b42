/**
 * One in-process DuckDB for the whole process: files (CSV, Parquet) are read and written through
 * it. Timestamps are UTC throughout (the ICU extension is not loaded, so DuckDB's time zone is
 * UTC and text without an offset means UTC). Its memory is capped at half of what the machine
 * (or the container) has, leaving the rest to the analysis in JS; `LINE_RCA_DUCKDB_MEMORY` sets
 * it, and a query that needs more fails with a message saying so.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { InvalidInputError } from '../analysis/errors';

const GIB = 1024 ** 3;

/** Memory this process may use: the machine's, or the container's (cgroup v2, v1) when lower. */
export function machineMemory(): number {
  let limit = os.totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0) limit = Math.min(limit, value);
    } catch {
      // no such limit here
    }
  }
  return limit;
}

/** The default DuckDB memory limit: half the machine's memory, at least 1 GiB, in whole MiB. */
export function defaultMemoryLimit(): string {
  return `${Math.floor(Math.max(GIB, machineMemory() / 2) / 2 ** 20)}MiB`;
}

/** The limit in force: `LINE_RCA_DUCKDB_MEMORY` (DuckDB's syntax: 4GB, 2500MiB) or the default. */
export function memoryLimit(): string {
  return process.env.LINE_RCA_DUCKDB_MEMORY?.trim() || defaultMemoryLimit();
}

/** DuckDB's out-of-memory error, turned into one that says what to set. */
function memoryError(error: unknown): unknown {
  const message = (error as Error)?.message ?? '';
  if (!/Out of Memory/i.test(message)) return error;
  return new InvalidInputError({
    where: 'LINE_RCA_DUCKDB_MEMORY',
    message: `DuckDB needed more memory than its limit (${memoryLimit()}, of ${(machineMemory() / GIB).toFixed(1)} GiB on this machine): set LINE_RCA_DUCKDB_MEMORY higher (e.g. LINE_RCA_DUCKDB_MEMORY=${Math.max(2, Math.ceil((machineMemory() * 0.75) / GIB))}GB), or analyse fewer variables or a shorter period`,
  });
}

export interface DuckOptions {
  /** DuckDB `memory_limit`; default `LINE_RCA_DUCKDB_MEMORY`, else half the machine's memory. */
  readonly memoryLimit?: string;
  /** DuckDB `threads`; default `LINE_RCA_DUCKDB_THREADS` or DuckDB's own (the core count). */
  readonly threads?: number;
}

let shared: Promise<DuckDBInstance> | undefined;

/** The process-wide in-memory DuckDB instance, created on first use. */
export function duckInstance(options: DuckOptions = {}): Promise<DuckDBInstance> {
  if (!shared) {
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? memoryLimit(),
    };
    const threads = options.threads ?? Number(process.env.LINE_RCA_DUCKDB_THREADS ?? 0);
    if (threads > 0) config.threads = String(threads);
    shared = DuckDBInstance.create(':memory:', config).catch((error: unknown) => {
      shared = undefined;
      throw new InvalidInputError({
        where: 'LINE_RCA_DUCKDB_MEMORY',
        message: `DuckDB refused its settings (memory_limit ${config.memory_limit}): ${(error as Error).message.split('\n')[0]}; use a size such as 4GB or 2500MiB`,
      });
    });
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
  } catch (error) {
    throw memoryError(error);
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
