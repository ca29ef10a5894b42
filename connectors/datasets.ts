/**
 * Datasets: Parquet files under an artifact folder, referred to by `file://` URI. This is what
 * activities pass to each other instead of the data itself. Two kinds:
 *   - observations: the canonical raw table, `__time` (TIMESTAMP, UTC) and one column a variable;
 *   - features: per observation (window, batch or row) `__time` (its start, epoch ms),
 *     `__label`, `__rows` and the features `variable__function` (numbers, or texts for the
 *     `__mode` of text variables), one Parquet column each; beyond `WIDE_FEATURES_MAX` stored
 *     long, one row per present value (`feature`, `row`, `value` or `text`), the column names
 *     in the description: lines with thousands of variables make tens of thousands of
 *     features, and DuckDB's time to write a table grows with the square of its columns (25,000
 *     of them: four minutes), while appending millions of long rows costs more than a few
 *     hundred columns.
 * A JSON description (what was loaded, duplicates, the aggregation) travels inside the file as
 * Parquet key-value metadata under `line-rca`. Files are written to a temporary name and renamed,
 * so a dataset URI never points at a half-written file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DOUBLE, type DuckDBConnection, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import type { Observations } from '../analysis/aggregate/aggregate';
import { InvalidInputError } from '../analysis/errors';
import {
  type FeatureMatrix,
  featureMatrix,
  type Labels,
  type ObservationTable,
  type Variable,
} from '../analysis/frame';
import { ident, literal, queryRows, withDuck } from './duckdb';
import { createTableFromColumns } from './source/append';
import { type ReadOptions, readColumns, readSelected } from './source/columns';

/** Reserved columns of the datasets (variable names never start with `__`). */
export const TIME = '__time';
export const LABEL = '__label';
export const ROWS = '__rows';

/**
 * The artifact folder: `root` if given, else `LINE_RCA_ARTIFACTS_URI` (a `file:` URI or a path,
 * the artifact store's setting in connectors/artifacts.ts), else `LINE_RCA_ARTIFACTS`, else
 * `.data/artifacts` under the working directory. When `LINE_RCA_ARTIFACTS` is a MongoDB URI
 * (GridFS, connectors/artifact-storage.ts), analyses work in this worker's cache folder
 * (`LINE_RCA_CACHE`, default `.data/cache`) instead, under `work/`.
 */
export function artifactRoot(root?: string): string {
  const chosen =
    root ??
    process.env.LINE_RCA_ARTIFACTS_URI ??
    process.env.LINE_RCA_ARTIFACTS ??
    path.join('.data', 'artifacts');
  if (/^mongodb(\+srv)?:\/\//i.test(chosen)) {
    return path.resolve(process.env.LINE_RCA_CACHE || path.join('.data', 'cache'), 'work');
  }
  return chosen.startsWith('file:') ? fileURLToPath(chosen) : path.resolve(chosen);
}

/** A fresh dataset URI under the artifact root: `file:///…/<name>-<unique>.parquet`. */
export function newDatasetUri(name: string, root?: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '-');
  const file = path.join(
    artifactRoot(root),
    `${safe}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}.parquet`,
  );
  return pathToFileURL(file).href;
}

/** The local path of a dataset URI (`file://` URIs; plain paths are accepted as they are). */
export function datasetPath(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new InvalidInputError({ where: uri, message: 'only file:// dataset URIs are supported' });
  }
  return path.resolve(uri);
}

export interface DatasetDescription {
  readonly kind: 'observations' | 'features';
  readonly [key: string]: unknown;
}

/** Writes `relation` (a table or a query in parentheses) to the dataset at `uri`. */
export async function writeDataset(
  db: DuckDBConnection,
  relation: string,
  uri: string,
  description: DatasetDescription,
): Promise<void> {
  const file = datasetPath(uri);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  try {
    await db.run(
      `COPY (SELECT * FROM ${relation}) TO ${literal(partial)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {'line-rca': ${literal(JSON.stringify(description))}})`,
    );
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** The description stored in a dataset. */
export async function readDescription(db: DuckDBConnection, uri: string): Promise<DatasetDescription> {
  const file = existingPath(uri);
  const rows = await queryRows(
    db,
    `SELECT decode(value) AS v FROM parquet_kv_metadata(${literal(file)}) WHERE decode(key) = 'line-rca'`,
  );
  if (rows.length === 0)
    throw new InvalidInputError({ where: uri, message: 'not a line-rca dataset (no description)' });
  return JSON.parse(String(rows[0].v)) as DatasetDescription;
}

function existingPath(uri: string): string {
  const file = datasetPath(uri);
  if (!existsSync(file)) throw new InvalidInputError({ where: uri, message: 'dataset file does not exist' });
  return file;
}

/** A Parquet scan of the dataset, for SQL. */
export function datasetRelation(uri: string): string {
  return `read_parquet(${literal(existingPath(uri))})`;
}

export interface FeatureDataset {
  readonly matrix: FeatureMatrix;
  readonly labels: Labels;
  /** Window start (or batch start, or row time), epoch ms. */
  readonly times: Float64Array;
  /** Rows each window aggregated. */
  readonly windowRows: Float64Array;
  readonly description: DatasetDescription;
}

/**
 * Text features (`variable__mode`, or text variables with window "none") become one-hot
 * columns `variable__mode=value`, values in text order, at most `maxCategories` (the most
 * frequent) per column; the rest is all-zero.
 */
export function oneHot(
  name: string,
  values: readonly (string | null)[],
  maxCategories = 50,
): { names: string[]; columns: Float64Array[] } {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const kept = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxCategories)
    .map(([v]) => v)
    .sort();
  const columns = kept.map(() => new Float64Array(values.length));
  const index = new Map(kept.map((v, j) => [v, j]));
  values.forEach((v, i) => {
    if (v === null) {
      for (const c of columns) c[i] = Number.NaN;
      return;
    }
    const j = index.get(v);
    if (j !== undefined) columns[j][i] = 1;
  });
  return { names: kept.map((v) => `${name}=${v}`), columns };
}

export interface FeatureReadOptions extends ReadOptions {
  /** Only these columns of the dataset (e.g. `[TIME, LABEL]`: the windows and their labels). */
  readonly columns?: readonly string[];
}

/**
 * Reads a features dataset for the learners; `shared` places its numbers in SharedArrayBuffers
 * (for compute threads) as they are read, instead of copying them there afterwards.
 */
export async function readFeatureDataset(
  uri: string,
  options: FeatureReadOptions = {},
): Promise<FeatureDataset> {
  return withDuck(async (db) => {
    const description = await readDescription(db, uri);
    return featuresFromColumns(await readFeatureColumns(db, uri, description, options), description);
  });
}

/** The names and kinds of a features dataset's columns, in its description. */
interface FeatureLayout {
  /** `wide`: one Parquet column a feature; `long`: (feature, row, value | text) rows. */
  readonly kind: 'wide' | 'long';
  readonly columns: readonly string[];
  readonly text: readonly string[];
}

/** Up to this many features are written one column each; more, long (see the header). */
export const WIDE_FEATURES_MAX = 2000;

/** A features dataset's columns as written (`__time`, `__label`, `__rows`, then the features). */
export async function readFeatureColumns(
  db: DuckDBConnection,
  uri: string,
  description: DatasetDescription,
  options: FeatureReadOptions = {},
): Promise<{ names: string[]; columns: (Float64Array | (string | null)[])[] }> {
  const layout = description.layout as FeatureLayout;
  const rows = Number(description.rows);
  const relation = datasetRelation(uri);
  const wanted = options.columns
    ? layout.columns.filter((c) => options.columns!.includes(c))
    : layout.columns;
  if (layout.kind === 'wide') {
    const read = await readSelected(
      db,
      { select: wanted.map(ident), from: `FROM ${relation}`, rows },
      options,
    );
    return { names: read.names, columns: read.columns };
  }
  const text = new Set(layout.text);
  const doubles = () =>
    options.shared ? new Float64Array(new SharedArrayBuffer(rows * 8)) : new Float64Array(rows);
  const columns = wanted.map((name) =>
    text.has(name) ? new Array<string | null>(rows).fill(null) : doubles().fill(Number.NaN),
  );
  // The dataset's feature numbers, and where each wanted one goes.
  const number = new Map(layout.columns.map((name, j) => [name, j]));
  const slot = new Map(wanted.map((name, k) => [number.get(name) as number, k]));
  const only = options.columns ? `AND feature IN (${[...slot.keys(), -1].join(', ')})` : '';
  const numbers = await readColumns(
    db,
    `SELECT feature, row, value FROM ${relation} WHERE text IS NULL ${only}`,
  );
  const [feature, row, value] = numbers.columns as Float64Array[];
  for (let k = 0; k < numbers.rows; k++)
    (columns[slot.get(feature[k]) as number] as Float64Array)[row[k]] = value[k];
  if (wanted.some((name) => text.has(name))) {
    const texts = await readColumns(
      db,
      `SELECT feature, row, text FROM ${relation} WHERE text IS NOT NULL ${only}`,
    );
    const [f, r] = texts.columns as Float64Array[];
    const t = texts.columns[2] as (string | null)[];
    for (let k = 0; k < texts.rows; k++)
      (columns[slot.get(f[k]) as number] as (string | null)[])[r[k]] = t[k];
  }
  return { names: [...wanted], columns };
}

/** Features from columns in the features layout, as read from DuckDB or computed in memory. */
export function featuresFromColumns(
  read: {
    readonly names: readonly string[];
    readonly columns: readonly (Float64Array | Uint8Array | readonly (string | null)[])[];
  },
  description: DatasetDescription,
): FeatureDataset {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  let times: Float64Array = new Float64Array(0);
  let labels: Uint8Array = new Uint8Array(0);
  let windowRows: Float64Array = new Float64Array(0);
  read.names.forEach((name, j) => {
    const c = read.columns[j];
    if (name === TIME) times = c as Float64Array;
    else if (name === LABEL) labels = c instanceof Uint8Array ? c : Uint8Array.from(c as Float64Array);
    else if (name === ROWS) windowRows = c as Float64Array;
    else if (c instanceof Float64Array) {
      names.push(name);
      columns.push(c);
    } else if (!(c instanceof Uint8Array)) {
      const hot = oneHot(name, c);
      names.push(...hot.names);
      columns.push(...hot.columns);
    }
  });
  return { matrix: featureMatrix(names, columns), labels, times, windowRows, description };
}

export interface ObservationReadOptions {
  /** ISO instants, `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Only these variables (all when absent). */
  readonly columns?: readonly string[];
  /**
   * Numbers (and times) in SharedArrayBuffers, for a table handed to compute threads: posting
   * it then copies nothing (a 1M × 50 table cloned to three rule tasks held 1.2 GB more).
   */
  readonly shared?: boolean;
}

/**
 * An observations dataset's rows and variables (every column but the time; numeric unless
 * text, as `readObservations` reads them), without its values.
 */
export async function observationShape(
  uri: string,
): Promise<{ rows: number; variables: { name: string; numeric: boolean }[] }> {
  return withDuck(async (db) => {
    const relation = datasetRelation(uri);
    const columns = await queryRows(db, `DESCRIBE SELECT * FROM ${relation}`);
    const rows = await queryRows(db, `SELECT count(*) AS n FROM ${relation}`);
    return {
      rows: Number(rows[0].n),
      variables: columns
        .filter((c) => String(c.column_name) !== TIME)
        .map((c) => ({ name: String(c.column_name), numeric: String(c.column_type) !== 'VARCHAR' })),
    };
  });
}

/** Reads an observations dataset (raw rows) as an `ObservationTable`. */
export async function readObservationDataset(
  uri: string,
  options: ObservationReadOptions = {},
): Promise<ObservationTable> {
  return withDuck(async (db) => {
    const description = await readDescription(db, uri);
    const described = (description.variables as { name: string; invalidCount?: number }[] | undefined) ?? [];
    return readObservations(db, datasetRelation(uri), TIME, described, options);
  });
}

/**
 * Reads a canonical table (a time column `time` of TIMESTAMP, then one column a variable) as an
 * `ObservationTable`: times in epoch ms (sub-millisecond digits kept as fractions), ascending.
 * `variables` give the invalid counts loading found.
 */
export async function readObservations(
  db: DuckDBConnection,
  relation: string,
  time: string,
  variables: readonly { readonly name: string; readonly invalidCount?: number }[] = [],
  options: ObservationReadOptions = {},
): Promise<ObservationTable> {
  const all = (await queryRows(db, `DESCRIBE SELECT * FROM ${relation}`)).map((r) => ({
    name: String(r.column_name),
    type: String(r.column_type),
  }));
  const known = all.filter((c) => c.name !== time);
  const wanted = options.columns ? known.filter((c) => options.columns!.includes(c.name)) : known;
  const where: string[] = [];
  if (options.from) where.push(`${ident(time)} >= CAST(${literal(options.from)} AS TIMESTAMPTZ)`);
  if (options.to) where.push(`${ident(time)} < CAST(${literal(options.to)} AS TIMESTAMPTZ)`);
  const timeSelect = `CAST(epoch_us(${ident(time)}) AS DOUBLE) / 1000 AS ${TIME}`;
  const variableSelect = wanted.map((c) =>
    c.type === 'VARCHAR' ? ident(c.name) : `CAST(${ident(c.name)} AS DOUBLE) AS ${ident(c.name)}`,
  );
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // Counted without the columns: planning thousands of them twice costs seconds.
  const rows = Number((await queryRows(db, `SELECT count(*) AS n FROM ${relation} ${filter}`))[0].n);
  // Canonical tables and observation datasets are stored in time order, and DuckDB keeps a
  // scan's order: the times are read first, and when they are ascending the variables are read
  // as they are; when not, everything is read again sorted by DuckDB (a sort holds the whole
  // result in DuckDB's memory first).
  const shared = options.shared === true;
  const times = await readColumns(db, `SELECT ${timeSelect} FROM ${relation} ${filter}`, { rows, shared });
  const inOrder = ascending(times.columns[0] as Float64Array);
  const read = await readSelected(
    db,
    {
      select: inOrder ? variableSelect : [timeSelect, ...variableSelect],
      from: `FROM ${relation} ${filter} ${inOrder ? '' : `ORDER BY ${ident(time)}`}`,
      rows,
    },
    { shared },
  );
  const first = inOrder ? 0 : 1;
  const invalid = new Map<string, number>();
  for (const v of variables) if (v.invalidCount) invalid.set(v.name, v.invalidCount);
  const columns: Variable[] = read.names.slice(first).map((name, j) => {
    const c = read.columns[j + first];
    const data =
      c instanceof Float64Array
        ? ({ kind: 'numeric', values: c } as const)
        : ({ kind: 'text', values: c } as const);
    return invalid.has(name) ? { name, data, invalidCount: invalid.get(name) } : { name, data };
  });
  return { rows, variables: columns, time: (inOrder ? times.columns[0] : read.columns[0]) as Float64Array };
}

function ascending(times: Float64Array): boolean {
  for (let i = 1; i < times.length; i++) if (!(times[i] >= times[i - 1])) return false;
  return true;
}

/** Writes the aggregation's observations as a features dataset at `uri` (the long layout above). */
export async function writeFeatures(
  observations: Observations,
  uri: string,
  description: DatasetDescription,
  wideMax = WIDE_FEATURES_MAX,
): Promise<void> {
  const names = [TIME, LABEL, ROWS, ...observations.features];
  const all = [
    observations.times,
    Float64Array.from(observations.labels),
    observations.rowCounts,
    ...observations.columns,
  ];
  const text = names.filter((_, j) => !(all[j] instanceof Float64Array));
  if (names.length <= wideMax) {
    const layout: FeatureLayout = { kind: 'wide', columns: names, text };
    await withDuck(async (db) => {
      await createTableFromColumns(db, '__features', names, all, observations.rows);
      try {
        await writeDataset(db, '__features', uri, { ...description, rows: observations.rows, layout });
      } finally {
        await db.run('DROP TABLE IF EXISTS __features');
      }
    });
    return;
  }
  // Numbers and texts apart: a text column of millions of NULLs costs a call per row to append.
  let numbers = 0;
  let texts = 0;
  for (const c of all) {
    for (let i = 0; i < observations.rows; i++) {
      if (c instanceof Float64Array) numbers += Number.isNaN(c[i]) ? 0 : 1;
      else texts += c[i] === null ? 0 : 1;
    }
  }
  const number = {
    feature: new Float64Array(numbers),
    row: new Float64Array(numbers),
    value: new Float64Array(numbers),
  };
  const textRows = {
    feature: new Float64Array(texts),
    row: new Float64Array(texts),
    text: new Array<string>(texts),
  };
  let n = 0;
  let t = 0;
  all.forEach((c, j) => {
    for (let i = 0; i < observations.rows; i++) {
      if (c instanceof Float64Array) {
        if (Number.isNaN(c[i])) continue;
        number.feature[n] = j;
        number.row[n] = i;
        number.value[n++] = c[i];
      } else if (c[i] !== null) {
        textRows.feature[t] = j;
        textRows.row[t] = i;
        textRows.text[t++] = c[i] as string;
      }
    }
  });
  const layout: FeatureLayout = { kind: 'long', columns: names, text };
  await withDuck(async (db) => {
    await createTableFromColumns(
      db,
      '__numbers',
      ['feature', 'row', 'value'],
      [number.feature, number.row, number.value],
      numbers,
    );
    await createTableFromColumns(
      db,
      '__texts',
      ['feature', 'row', 'text'],
      [textRows.feature, textRows.row, textRows.text],
      texts,
    );
    try {
      await writeDataset(
        db,
        '(SELECT *, CAST(NULL AS VARCHAR) AS text FROM __numbers UNION ALL SELECT feature, row, NULL, text FROM __texts)',
        uri,
        { ...description, rows: observations.rows, layout },
      );
    } finally {
      await db.run('DROP TABLE IF EXISTS __numbers');
      await db.run('DROP TABLE IF EXISTS __texts');
    }
  });
}

const CHUNK_ROWS = 2048;

/**
 * Loads an `ObservationTable` (numeric and text variables, `time` in epoch ms) into a DuckDB
 * table `name` with the canonical layout (`t` TIMESTAMP first), through the appender.
 */
export async function tableToDuck(
  db: DuckDBConnection,
  table: ObservationTable,
  name: string,
): Promise<void> {
  if (!table.time)
    throw new InvalidInputError({ where: 'table', message: 'an observation table needs times to be stored' });
  const cols = table.variables.map(
    (v) => `${ident(v.name)} ${v.data.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'}`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __append (t_ms DOUBLE${cols.length ? ', ' : ''}${cols.join(', ')})`,
  );
  const appender = await db.createAppender('__append');
  // Whole columns a chunk at a time: one native call per column and chunk, not one per value.
  const types = [DOUBLE, ...table.variables.map((v) => (v.data.kind === 'numeric' ? DOUBLE : VARCHAR))];
  const time = table.time;
  for (let start = 0; start < table.rows; start += CHUNK_ROWS) {
    const end = Math.min(table.rows, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(types, end - start);
    chunk.setColumnValues(0, Array.from(time.subarray(start, end)));
    table.variables.forEach((v, j) => {
      const values =
        v.data.kind === 'numeric'
          ? Array.from(v.data.values.subarray(start, end), (x) => (Number.isNaN(x) ? null : x))
          : v.data.values.slice(start, end);
      chunk.setColumnValues(j + 1, values);
    });
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(name)} AS SELECT epoch_ms(CAST(t_ms AS BIGINT)) AS t, * EXCLUDE (t_ms) FROM __append ORDER BY t`,
  );
  await db.run('DROP TABLE __append');
}

/** Writes an `ObservationTable` as an observations dataset (used for the demo line). */
export async function writeObservationDataset(
  table: ObservationTable,
  uri: string,
  description: Record<string, unknown> = {},
): Promise<void> {
  await withDuck(async (db) => {
    await tableToDuck(db, table, '__table');
    const variables = table.variables.map((v) => ({
      name: v.name,
      kind: v.data.kind,
      invalidCount: v.invalidCount ?? 0,
    }));
    await writeDataset(db, `(SELECT t AS ${TIME}, * EXCLUDE (t) FROM __table)`, uri, {
      ...description,
      kind: 'observations',
      variables,
    });
    await db.run('DROP TABLE __table');
  });
}
