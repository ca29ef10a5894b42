/**
 * Reads a wide CSV or Parquet file (each row an observation, each column a variable) into an
 * `ObservationTable` with DuckDB. The simple reader behind `line-rca distribution`; the windowed
 * pipeline has its own loader in `connectors/source/`.
 *
 * Typing rule: DuckDB's own types first (numbers, booleans as 0/1, dates and timestamps as epoch
 * milliseconds). A text column where more than half of the non-empty values read as finite numbers
 * is numeric; the rest of its values (junk text, `inf`, `-Infinity`) become missing and are
 * counted in `invalidCount`. ±Infinity in a numeric column is missing and counted the same way.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { closeNames, InvalidInputError } from '../analysis/errors';
import type { ObservationTable, Variable } from '../analysis/frame';

export interface ReadTableOptions {
  /** Column holding each row's time; it becomes `table.time` (epoch ms, UTC), not a variable. */
  readonly timeColumn?: string;
  /** ISO instant, inclusive; needs `timeColumn`. No offset means UTC. */
  readonly from?: string;
  /** ISO instant, exclusive; needs `timeColumn`. */
  readonly to?: string;
  /** Only these variables (default all); names are checked with did-you-mean suggestions. */
  readonly columns?: readonly string[];
}

/**
 * "column X does not exist" with suggestions: close spellings, else names that contain it or that
 * it starts (`Tool wear` → `Tool wear [min]`), ignoring case.
 */
export function unknownColumn(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  let close = closeNames(name, known);
  if (close.length === 0) close = known.filter((k) => k.toLowerCase().includes(lower)).slice(0, 3);
  if (close.length === 0 && lower.length >= 3) {
    close = known.filter((k) => k.toLowerCase().startsWith(lower.slice(0, 3))).slice(0, 3);
  }
  const hint = close.length > 0 ? `; did you mean ${close.map((c) => JSON.stringify(c)).join(', ')}?` : '';
  return `column ${JSON.stringify(name)} does not exist${hint}`;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const TIME_TYPES = /^(DATE|TIMESTAMP.*|TIME)$/;

function relationFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return `read_parquet(${quoteText(file)})`;
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '.gz') {
    return `read_csv(${quoteText(file)}, auto_detect = true, sample_size = -1)`;
  }
  throw new InvalidInputError({
    where: file,
    message: `unknown file type "${ext || '(none)'}": give a .csv or .parquet file`,
  });
}

/** An ISO date or instant in epoch ms; without an offset it is UTC. */
export function parseInstant(value: string, where: string): number {
  const withZone =
    /([zZ]|[+-]\d\d:?\d\d)$/.test(value) || /^\d{4}-\d\d-\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) {
    throw new InvalidInputError({
      where,
      message: `"${value}" is not an ISO date or instant (e.g. 2026-10-01T00:00:00Z)`,
    });
  }
  return ms;
}

/** Reads `file` (CSV or Parquet) into an `ObservationTable`. */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<ObservationTable> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new InvalidInputError({
      where: file,
      message: 'cannot read this file: it does not exist or is not readable',
    });
  }
  const relation = relationFor(file);
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    let described: { name: string; type: string }[];
    try {
      const reader = await db.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
      described = reader
        .getRowObjectsJS()
        .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    } catch (error) {
      throw new InvalidInputError({
        where: file,
        message: `cannot be read as ${relation.startsWith('read_parquet') ? 'Parquet' : 'CSV'}: ${(error as Error).message.split('\n')[0]}`,
      });
    }
    const known = described.map((c) => c.name);
    const problems = [...(options.columns ?? []), ...(options.timeColumn ? [options.timeColumn] : [])]
      .filter((c) => !known.includes(c))
      .map((c) => ({
        where: c === options.timeColumn ? '--time-column' : '--variables',
        message: unknownColumn(c, known),
      }));
    if (problems.length > 0) throw new InvalidInputError(problems);
    if ((options.from || options.to) && !options.timeColumn) {
      throw new InvalidInputError({
        where: '--from/--to',
        message: 'a period needs a time column (--time-column NAME)',
      });
    }

    const timeColumn = options.timeColumn;
    const wanted = new Set(options.columns ?? known);
    const columns = described.filter((c) => c.name !== timeColumn && wanted.has(c.name));
    const where: string[] = [];
    let timeExpr: string | undefined;
    if (timeColumn) {
      const t = described.find((c) => c.name === timeColumn)!;
      const ts = TIME_TYPES.test(t.type)
        ? `CAST(${quoteIdent(timeColumn)} AS TIMESTAMP)`
        : `TRY_CAST(${quoteIdent(timeColumn)} AS TIMESTAMPTZ)`;
      timeExpr = `epoch_ms(${ts})`;
      if (options.from) where.push(`${timeExpr} >= ${parseInstant(options.from, '--from')}`);
      if (options.to) where.push(`${timeExpr} < ${parseInstant(options.to, '--to')}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';

    // Text columns that are mostly numbers are numeric: count what parses.
    const textColumns = columns.filter((c) => c.type === 'VARCHAR');
    const numericText = new Set<string>();
    if (textColumns.length > 0) {
      const counts = textColumns
        .map((c, i) => {
          const col = quoteIdent(c.name);
          return `count(NULLIF(trim(${col}), '')) AS n${i}, count(CASE WHEN isfinite(TRY_CAST(${col} AS DOUBLE)) THEN 1 END) AS f${i}`;
        })
        .join(', ');
      const row = (
        await db.runAndReadAll(`SELECT ${counts} FROM ${relation} ${filter}`)
      ).getRowObjectsJS()[0];
      textColumns.forEach((c, i) => {
        const nonEmpty = Number(row[`n${i}`]);
        const finite = Number(row[`f${i}`]);
        if (nonEmpty > 0 && finite * 2 > nonEmpty) numericText.add(c.name);
      });
    }

    const selects: string[] = [];
    const kinds: ('numeric' | 'text' | 'numericText')[] = [];
    for (const c of columns) {
      const col = quoteIdent(c.name);
      if (c.type === 'VARCHAR') {
        if (numericText.has(c.name)) {
          kinds.push('numericText');
          selects.push(`TRY_CAST(${col} AS DOUBLE)`, `${col}`);
        } else {
          kinds.push('text');
          selects.push(`${col}`);
        }
      } else if (NUMERIC_TYPES.test(c.type) || c.type === 'BOOLEAN') {
        kinds.push('numeric');
        selects.push(`CAST(${col} AS DOUBLE)`);
      } else if (TIME_TYPES.test(c.type)) {
        kinds.push('numeric');
        selects.push(`CAST(epoch_ms(CAST(${col} AS TIMESTAMP)) AS DOUBLE)`);
      } else {
        kinds.push('text');
        selects.push(`CAST(${col} AS VARCHAR)`);
      }
    }
    if (timeExpr) selects.push(`CAST(${timeExpr} AS DOUBLE)`);
    const order = timeExpr ? `ORDER BY ${timeExpr}` : '';
    const sql = `SELECT ${selects.length > 0 ? selects.join(', ') : '1'} FROM ${relation} ${filter} ${order}`;
    let data: unknown[][];
    try {
      data = (await db.runAndReadAll(sql)).getColumnsJS() as unknown[][];
    } catch (error) {
      throw new InvalidInputError({ where: file, message: (error as Error).message.split('\n')[0] });
    }
    const rows = data.length > 0 ? data[0].length : 0;
    const variables: Variable[] = [];
    let k = 0;
    columns.forEach((c, j) => {
      const kind = kinds[j];
      if (kind === 'text') {
        const raw = data[k++];
        const values = raw.map((v) => (v === null || v === undefined ? null : String(v)));
        variables.push({ name: c.name, data: { kind: 'text', values } });
        return;
      }
      const raw = data[k++];
      const text = kind === 'numericText' ? data[k++] : undefined;
      const values = new Float64Array(rows);
      let invalid = 0;
      for (let i = 0; i < rows; i++) {
        const v = raw[i];
        const x = v === null || v === undefined ? Number.NaN : Number(v);
        if (Number.isFinite(x)) values[i] = x;
        else {
          values[i] = Number.NaN;
          const original = text ? text[i] : v;
          const empty = original === null || original === undefined || String(original).trim() === '';
          if (!empty) invalid++;
        }
      }
      variables.push({
        name: c.name,
        data: { kind: 'numeric', values },
        ...(invalid > 0 ? { invalidCount: invalid } : {}),
      });
    });
    const time = timeExpr
      ? Float64Array.from(data[k] as unknown[], (v) => (v === null ? Number.NaN : Number(v)))
      : undefined;
    return { rows, variables, ...(time ? { time } : {}) };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
