/**
 * Sources of line data and the two dataset steps built on them:
 *   extract:   a source (CSV / Parquet file, wide or long, or MongoDB `measurements`) → an
 *              observations dataset (canonical raw rows, UTC, sorted, duplicates merged);
 *   aggregate: an observations dataset + target + aggregation → a features dataset.
 * Everything goes through DuckDB; the raw rows never become JS objects.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../analysis/errors';
import { parseTarget, type TargetExpression, targetColumns } from '../analysis/target';
import {
  datasetRelation,
  type FeatureDataset,
  featuresFromColumns,
  readDescription,
  readFeatures,
  writeDataset,
} from './datasets';
import { ident, literal, withDuck } from './duckdb';
import { type MeasurementsSpec, stageMeasurements } from './measurements';
import { type AggregateReport, type AggregationSpec, aggregateTable, TIME } from './source/aggregate';
import { aggregateLongColumns } from './source/aggregate_long';
import { aggregateWideColumns } from './source/aggregate_wide';
import { createTableFromColumns } from './source/append';
import {
  describe,
  detectLong,
  dropLong,
  findTimeColumn,
  type LoadOptions,
  type LoadReport,
  loadCanonical,
  type SourceVariable,
  type StagedSource,
} from './source/load';
import type { WideColumns } from './source/window_features';

export type { AggregateReport, AggregationSpec } from './source/aggregate';
export type { LoadOptions, LoadReport, SourceVariable } from './source/load';

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

/** The time given to rows of a source without time (see `rowOrder`). */
export const ROW_TIME = '__row_time';

export type SourceSpec = FileSourceSpec | MeasurementsSpec;

function fileFormat(spec: FileSourceSpec): 'csv' | 'parquet' {
  if (spec.format) return spec.format;
  const ext = path.extname(spec.path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '.gz') return 'csv';
  throw new InvalidInputError({
    where: spec.path,
    message: `cannot tell the format from the extension ${JSON.stringify(ext)}; use .csv or .parquet, or set source.format`,
  });
}

/** Makes a file readable as relation `__src` (CSV is read once, as text, into a temp table). */
async function stageFile(db: DuckDBConnection, spec: FileSourceSpec): Promise<StagedSource> {
  const file = path.resolve(spec.path);
  if (!existsSync(file)) throw new InvalidInputError({ where: spec.path, message: 'file does not exist' });
  const format = fileFormat(spec);
  if (format === 'csv') {
    // All text: junk in a numeric column must not stop the reader; we parse and count it.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __src AS SELECT * FROM read_csv(${literal(file)}, header = true, all_varchar = true)`,
    );
  } else {
    await db.run(`CREATE OR REPLACE TEMP VIEW __src AS SELECT * FROM read_parquet(${literal(file)})`);
  }
  let relation = '__src';
  let columns = await describe(db, relation);
  let timeColumn: string;
  try {
    timeColumn = findTimeColumn(columns, spec.timeColumn, spec.path);
  } catch (error) {
    if (!spec.rowOrder || spec.timeColumn !== undefined) throw error;
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
      where: spec.path,
      message: `a long source needs columns time, variable, value; found ${columns.map((c) => c.name).join(', ')}`,
    });
  }
  if (long && layout === 'auto' && columns.length > 5) long = undefined;
  const scan = format === 'parquet' && relation === '__src' ? `read_parquet(${literal(file)})` : undefined;
  return { source: spec.path, relation, timeColumn, long, headerLines: format === 'csv' ? 1 : 0, scan };
}

async function dropStaged(db: DuckDBConnection, staged: StagedSource): Promise<void> {
  await db.run(`DROP ${staged.headerLines > 0 ? 'TABLE' : 'VIEW'} IF EXISTS __src`);
  await db.run('DROP TABLE IF EXISTS __src_timed');
}

/**
 * Loads a source into the canonical raw table `raw` on `db` (see source/load.ts).
 * `options.keep` should name the target's columns so include / exclude cannot drop them.
 */
export async function loadSource(
  db: DuckDBConnection,
  spec: SourceSpec,
  options: LoadOptions = {},
  table = 'raw',
  keepLong = false,
): Promise<LoadReport> {
  if (spec.kind === 'mongo') {
    const staged = await stageMeasurements(db, spec, options);
    try {
      return await loadCanonical(db, staged, options, table, keepLong);
    } finally {
      await db.run(`DROP TABLE IF EXISTS ${staged.relation}`);
    }
  }
  if (spec.kind !== 'file') {
    throw new InvalidInputError({
      where: 'source.kind',
      message: `must be "file" or "mongo", got ${JSON.stringify((spec as { kind: unknown }).kind)}`,
    });
  }
  const staged = await stageFile(db, spec);
  try {
    return await loadCanonical(db, staged, options, table, keepLong);
  } finally {
    await dropStaged(db, staged);
  }
}

/** extract: a source → an observations dataset at `uri`. */
export async function extractSource(
  spec: SourceSpec,
  options: LoadOptions,
  uri: string,
): Promise<LoadReport> {
  return withDuck(async (db) => {
    const report = await loadSource(db, spec, options);
    await writeDataset(db, `(SELECT t AS ${TIME}, * EXCLUDE (t) FROM raw)`, uri, {
      kind: 'observations',
      ...report,
    });
    await db.run('DROP TABLE raw');
    return report;
  });
}

/** Makes an observations dataset readable as the raw table `raw` (a view on the Parquet file). */
async function openObservations(db: DuckDBConnection, uri: string): Promise<SourceVariable[]> {
  const description = await readDescription(db, uri);
  if (description.kind !== 'observations') {
    throw new InvalidInputError({
      where: uri,
      message: `expected an observations dataset, found ${description.kind}`,
    });
  }
  await db.run(
    `CREATE OR REPLACE TEMP VIEW raw AS SELECT ${TIME} AS t, * EXCLUDE (${TIME}) FROM ${datasetRelation(uri)}`,
  );
  return description.variables as SourceVariable[];
}

export interface AggregateRequest {
  /** The target expression, as text or parsed. */
  readonly target: string | TargetExpression;
  readonly aggregation: AggregationSpec;
  /** Variables never used as features (besides the target's columns). */
  readonly exclude?: readonly string[];
}

function requestParts(request: AggregateRequest, variables: readonly SourceVariable[]) {
  const target = typeof request.target === 'string' ? parseTarget(request.target) : request.target;
  const exclude = new Set(request.exclude ?? []);
  return {
    target,
    variables: variables.filter((v) => !exclude.has(v.name) || v.name === request.aggregation.batchColumn),
  };
}

/** aggregate: an observations dataset → a features dataset at `outUri`. */
export async function aggregateDataset(
  inputUri: string,
  request: AggregateRequest,
  outUri: string,
): Promise<AggregateReport> {
  return withDuck(async (db) => {
    const all = await openObservations(db, inputUri);
    const { target, variables } = requestParts(request, all);
    try {
      const report = await aggregateRaw(db, variables, target, request.aggregation);
      await writeDataset(db, 'features', outUri, {
        kind: 'features',
        source: inputUri,
        target: typeof request.target === 'string' ? request.target : undefined,
        aggregation: request.aggregation,
        ...report,
      });
      await db.run('DROP TABLE features');
      return report;
    } finally {
      await db.run('DROP VIEW IF EXISTS raw');
    }
  });
}

/** Time windows, not batches nor rows as observations: aggregated in JS (window_features.ts). */
function timeWindows(spec: AggregationSpec): boolean {
  return spec.window !== 'none' && !spec.batchColumn;
}

/**
 * The canonical table `raw` → the features table `features`: time windows through the JS
 * window functions, batches and `"none"` in SQL.
 */
async function aggregateRaw(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
): Promise<AggregateReport> {
  if (!timeWindows(spec)) return aggregateTable(db, 'raw', variables, target, spec, 'features');
  const { report, wide } = await aggregateWideColumns(db, 'raw', variables, target, spec);
  await createTableFromColumns(db, 'features', wide.names, wide.columns, report.rows);
  return report;
}

/**
 * Source → features in one go, without writing the observations dataset (the benchmark and
 * callers that need no raw rows). Writes the features dataset at `outUri` when given and
 * returns the features read straight from DuckDB.
 */
export async function aggregateSource(
  spec: SourceSpec,
  options: LoadOptions,
  request: AggregateRequest,
  outUri?: string,
): Promise<{ load: LoadReport; aggregate: AggregateReport; features: FeatureDataset }> {
  return withDuck(async (db) => {
    const target = typeof request.target === 'string' ? parseTarget(request.target) : request.target;
    // Long sources aggregated in time windows skip the pivot to wide rows (see aggregate_long.ts).
    const direct = timeWindows(request.aggregation);
    const keep = [...(options.keep ?? []), ...targetColumns(target)];
    let load = await loadSource(db, spec, { ...options, keep }, 'raw', direct);
    const { variables } = requestParts({ ...request, target }, load.variables);
    const describeFeatures = (aggregate: AggregateReport) => ({
      kind: 'features' as const,
      source: load.source,
      target: typeof request.target === 'string' ? request.target : undefined,
      aggregation: request.aggregation,
      ...aggregate,
    });
    // The features stay in memory: DuckDB is slow to write and read a table this wide
    // (~0.4 ms a column), so the table is written only for the dataset.
    let computed: { report: AggregateReport; wide: WideColumns } | undefined;
    if (load.layout === 'long' && direct) {
      const long = await aggregateLongColumns(db, variables, target, request.aggregation);
      await dropLong(db);
      load = { ...load, ...long.source };
      computed = long;
    } else if (direct) {
      computed = await aggregateWideColumns(db, 'raw', variables, target, request.aggregation);
      await db.run('DROP TABLE raw');
    }
    if (computed) {
      const { report: aggregate, wide } = computed;
      const description = describeFeatures(aggregate);
      if (outUri) {
        await createTableFromColumns(db, 'features', wide.names, wide.columns, aggregate.rows);
        await writeDataset(db, 'features', outUri, description);
        await db.run('DROP TABLE features');
      }
      return { load, aggregate, features: featuresFromColumns(wide, description) };
    }
    const aggregate = await aggregateTable(db, 'raw', variables, target, request.aggregation, 'features');
    await db.run('DROP TABLE raw');
    const description = describeFeatures(aggregate);
    if (outUri) await writeDataset(db, 'features', outUri, description);
    const features = await readFeatures(db, 'features', description);
    await db.run('DROP TABLE features');
    return { load, aggregate, features };
  });
}
