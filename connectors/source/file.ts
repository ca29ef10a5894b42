/**
 * A CSV or Parquet file made readable as the relation `__src`, or refused with what is wrong and
 * where: a missing or empty file, a folder, a CSV whose rows do not match its header (the line,
 * how many fields), an unclosed quote, duplicate column names, a file that is not Parquet or is
 * cut short.
 *
 * CSV: the separator is the header's most frequent of `,` `;` tab `|` (outside quotes); every
 * field is read as text (junk in a numeric column must not stop the reader: load.ts types the
 * columns) with DuckDB's reader in strict mode, its rejected lines collected and reported.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../analysis/errors';
import { ident, literal, queryRows } from '../duckdb';
import { describe, detectLong, findTimeColumn } from './load';
import { type LoadOptions, ROW_TIME, type StagedSource } from './types';

export interface FileSourceSpec {
  readonly kind: 'file';
  readonly path: string;
  /** The time column; found by name (time, timestamp, t, …) or type when absent. */
  readonly timeColumn?: string;
  /** `auto` (default): long when the columns are time, variable, value. */
  readonly layout?: 'auto' | 'wide' | 'long';
  /** From the extension when absent (.csv, .tsv, .txt → csv; .parquet, .pq → parquet). */
  readonly format?: 'csv' | 'parquet';
  /**
   * Without a time column, rows are observations in file order (units, batches): row i gets the
   * time 1970-01-01 + i minutes, so order, splits and reports still work.
   */
  readonly rowOrder?: boolean;
}

const SEPARATORS = [',', ';', '\t', '|'];

function fileFormat(spec: FileSourceSpec): 'csv' | 'parquet' {
  if (spec.format) return spec.format;
  const ext = path.extname(spec.path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  throw new InvalidInputError({
    where: spec.path,
    message: `cannot tell the format from the extension ${JSON.stringify(ext || '(none)')}; name the file .csv (text with , ; tab or | separators) or .parquet`,
  });
}

/** The first `size` bytes of a file (fewer when it is shorter). */
function head(file: string, size: number, from = 0): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, from);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Splits one CSV line on `separator`, honouring double quotes (`""` inside is a quote). */
export function splitCsvLine(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** The header line's separator: the most frequent candidate outside quotes (`,` on a tie or none). */
function separatorOf(header: string): string {
  let best = ',';
  let most = 0;
  for (const s of SEPARATORS) {
    const count = splitCsvLine(header, s).length - 1;
    if (count > most) {
      best = s;
      most = count;
    }
  }
  return best;
}

interface CsvHeader {
  readonly separator: string;
  readonly names: string[];
}

function readHeader(file: string, shown: string): CsvHeader {
  const text = head(file, 1 << 20)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const end = text.search(/\r?\n/);
  const line = end < 0 ? text : text.slice(0, end);
  if (line.trim() === '') {
    throw new InvalidInputError({
      where: shown,
      message: 'the first line is empty: a CSV file starts with its header',
    });
  }
  const separator = separatorOf(line);
  const names = splitCsvLine(line, separator).map((n, j) => n.trim() || `column${j + 1}`);
  const seen = new Map<string, number>();
  const twice: string[] = [];
  names.forEach((n, j) => {
    const first = seen.get(n);
    if (first !== undefined) twice.push(`${JSON.stringify(n)} (columns ${first + 1} and ${j + 1})`);
    else seen.set(n, j);
  });
  if (twice.length > 0) {
    throw new InvalidInputError({
      where: `${shown}: header`,
      message: `duplicate column name${twice.length > 1 ? 's' : ''} ${twice.join(', ')}: every column needs its own name`,
    });
  }
  return { separator, names };
}

/** Reads the CSV as text into `__src`; fails with the first rejected lines. */
async function stageCsv(db: DuckDBConnection, file: string, shown: string): Promise<void> {
  const { separator, names } = readHeader(file, shown);
  const columns = `{${names.map((n) => `${literal(n)}: 'VARCHAR'`).join(', ')}}`;
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __src AS SELECT * FROM read_csv(${literal(file)}, header = true, auto_detect = false, delim = ${literal(separator)}, quote = '"', escape = '"', columns = ${columns}, store_rejects = true, rejects_table = '__rejects', rejects_scan = '__rejects_scan', max_line_size = 16777216)`,
    );
  } catch (error) {
    throw new InvalidInputError({
      where: shown,
      message: `cannot be read as CSV: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  const rejected = await queryRows(
    db,
    'SELECT CAST(line AS DOUBLE) AS line, error_type AS type, error_message AS message FROM __rejects ORDER BY line, error_type DESC',
  );
  await db.run('DROP TABLE IF EXISTS __rejects');
  await db.run('DROP TABLE IF EXISTS __rejects_scan');
  if (rejected.length === 0) return;
  const byLine = new Map<number, string>();
  for (const r of rejected) {
    const line = Number(r.line);
    const type = String(r.type);
    const found = /Found: (\d+)/.exec(String(r.message));
    const text =
      type === 'UNQUOTED VALUE'
        ? 'a quote (") is not closed'
        : type === 'TOO MANY COLUMNS' || type === 'MISSING COLUMNS'
          ? `${found ? found[1] : 'a different number of'} fields where the header has ${names.length}`
          : type === 'INVALID UNICODE'
            ? 'bytes that are not UTF-8 text'
            : String(r.message).split('\n')[0];
    // An unclosed quote also makes the line too long: say the cause.
    if (!byLine.has(line) || type === 'UNQUOTED VALUE') byLine.set(line, text);
  }
  const lines = [...byLine.entries()].slice(0, 3).map(([line, text]) => `line ${line}: ${text}`);
  throw new InvalidInputError({
    where: shown,
    message: `${byLine.size} line(s) do not match the header (separator ${JSON.stringify(separator)}): ${lines.join('; ')}`,
  });
}

/** Checks Parquet's magic bytes at both ends, so a text file or a cut-short copy is named as such. */
function checkParquet(file: string, size: number, shown: string): void {
  const start = head(file, 4).toString('latin1');
  if (start !== 'PAR1') {
    throw new InvalidInputError({
      where: shown,
      message: 'not a Parquet file (it does not start with PAR1)',
    });
  }
  const end = size >= 8 ? head(file, 4, size - 4).toString('latin1') : '';
  if (end !== 'PAR1') {
    throw new InvalidInputError({
      where: shown,
      message: 'the Parquet file is truncated or corrupt (it does not end with its footer): copy it again',
    });
  }
}

/** Makes a file readable as relation `__src` (CSV is read once, as text, into a temp table). */
export async function stageFile(
  db: DuckDBConnection,
  spec: FileSourceSpec,
  options: LoadOptions,
): Promise<StagedSource> {
  const file = path.resolve(spec.path);
  const shown = spec.path;
  if (!existsSync(file)) throw new InvalidInputError({ where: shown, message: 'file does not exist' });
  const stat = statSync(file);
  if (stat.isDirectory()) throw new InvalidInputError({ where: shown, message: 'is a folder, not a file' });
  const format = fileFormat(spec);
  if (stat.size === 0) throw new InvalidInputError({ where: shown, message: 'the file is empty' });
  if (format === 'csv') await stageCsv(db, file, shown);
  else {
    checkParquet(file, stat.size, shown);
    await db.run(`CREATE OR REPLACE TEMP VIEW __src AS SELECT * FROM read_parquet(${literal(file)})`);
  }
  let relation = '__src';
  let columns = await describe(db, relation);
  let timeColumn: string;
  try {
    timeColumn = findTimeColumn(columns, spec.timeColumn, shown);
  } catch (error) {
    if (!spec.rowOrder || spec.timeColumn !== undefined) throw error;
    if (options.period?.fromMs !== undefined || options.period?.toMs !== undefined) {
      throw new InvalidInputError({
        where: shown,
        message:
          'has no time column (none named time, timestamp, t, …), so it cannot be cut to a period (--from/--to, period): name the time column with --time-column or source.timeColumn',
      });
    }
    // A table keeps the file's row order in its rowid.
    await db.run('CREATE OR REPLACE TEMP TABLE __src_rows AS SELECT * FROM __src');
    const time = `TIMESTAMP '1970-01-01 00:00:00' + to_minutes(CAST(rowid AS BIGINT))`;
    const value = format === 'csv' ? `strftime(${time}, '%Y-%m-%dT%H:%M:%SZ')` : time;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __src_timed AS SELECT *, ${value} AS ${ident(ROW_TIME)} FROM __src_rows ORDER BY rowid`,
    );
    await db.run('DROP TABLE __src_rows');
    relation = '__src_timed';
    columns = await describe(db, relation);
    timeColumn = ROW_TIME;
  }
  const layout = spec.layout ?? 'auto';
  let long = layout === 'wide' ? undefined : detectLong(columns, timeColumn);
  if (layout === 'long' && !long) {
    throw new InvalidInputError({
      where: shown,
      message: `a long source needs columns time, variable, value; found ${columns.map((c) => c.name).join(', ')}`,
    });
  }
  if (long && layout === 'auto' && columns.length > 5) long = undefined;
  const scan = format === 'parquet' && relation === '__src' ? `read_parquet(${literal(file)})` : undefined;
  return {
    source: shown,
    relation,
    timeColumn,
    long,
    headerLines: format === 'csv' ? 1 : 0,
    scan,
    format,
    ...(format === 'csv' ? { separator: readHeader(file, shown).separator } : {}),
  };
}

export async function dropStagedFile(db: DuckDBConnection, staged: StagedSource): Promise<void> {
  await db.run(`DROP ${staged.format === 'csv' ? 'TABLE' : 'VIEW'} IF EXISTS __src`);
  await db.run('DROP TABLE IF EXISTS __src_timed');
}
