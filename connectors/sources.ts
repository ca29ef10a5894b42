/**
 * Sources of line data and the two dataset steps built on them:
 *   extract:   a source (CSV / Parquet file, wide or long, or MongoDB `measurements`) → an
 *              observations dataset (canonical raw rows, UTC, sorted, duplicates merged);
 *   aggregate: an observations dataset → a features dataset, through the one aggregation
 *              (analysis/aggregate): this module only reads and writes the columns.
 * `loadSource` is the one loader: the pipeline and `line-rca distribution` both read through it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { aggregateObservations } from '../analysis/aggregate/aggregate';
import type { AggregationPlan } from '../analysis/aggregate/groups';
import type { TargetExpression } from '../analysis/aggregate/target';
import { InvalidInputError, isInvalidInput } from '../analysis/errors';
import type { ObservationTable } from '../analysis/frame';
import { readObservationDataset, readObservations, writeDataset, writeFeatures } from './datasets';
import { withDuck } from './duckdb';
import { type MeasurementsSpec, stageMeasurements } from './measurements';
import { dropStagedFile, type FileSourceSpec, stageFile } from './source/file';
import { dropCanonical, type LoadOptions, type LoadReport, loadCanonical } from './source/load';

export type { FileSourceSpec } from './source/file';
export type { LoadOptions, LoadReport, SourceVariable } from './source/load';

export type SourceSpec = FileSourceSpec | MeasurementsSpec;

/** What aggregation made: part of the features dataset's description. */
export interface AggregateReport {
  readonly rows: number;
  readonly positives: number;
  /** Feature columns written (text `__mode` columns count once, before one-hot encoding). */
  readonly features: readonly string[];
  /** Variables features were built from (the target's columns and identifiers left out). */
  readonly variables: readonly string[];
  readonly identifiers: readonly string[];
  readonly windowMs: number;
  readonly lagWindows: number;
}

/** DuckDB failing inside a Parquet file that passed the magic-byte check: a corrupt file. */
function corruptParquet(spec: SourceSpec, error: unknown): unknown {
  if (spec.kind !== 'file' || isInvalidInput(error) || !/\.(parquet|pq)$/i.test(spec.path)) return error;
  const message = (error as Error)?.message ?? String(error);
  if (/out of memory/i.test(message)) return error;
  return new InvalidInputError({
    where: spec.path,
    message: `the Parquet file is corrupt (${message.split('\n')[0].slice(0, 200)}): copy or export it again`,
  });
}

/**
 * Loads a source into the canonical raw table `table` on `db` (see source/load.ts).
 * `options.keep` should name the target's columns so include / exclude cannot drop them.
 */
export async function loadSource(
  db: DuckDBConnection,
  spec: SourceSpec,
  options: LoadOptions = {},
  table = 'raw',
): Promise<LoadReport> {
  if (spec.kind === 'mongo') {
    const staged = await stageMeasurements(db, spec, options);
    try {
      return await loadCanonical(db, staged, options, table);
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
  try {
    const staged = await stageFile(db, spec, options);
    try {
      return await loadCanonical(db, staged, options, table);
    } finally {
      await dropStagedFile(db, staged);
    }
  } catch (error) {
    throw corruptParquet(spec, error);
  }
}

/** A source read into memory as an `ObservationTable` (what `line-rca distribution` analyses). */
export async function readSource(
  spec: SourceSpec,
  options: LoadOptions,
): Promise<{ report: LoadReport; table: ObservationTable }> {
  return withDuck(async (db) => {
    const report = await loadSource(db, spec, options);
    try {
      const table = await readObservations(db, 'raw', 't', report.variables);
      return { report, table };
    } catch (error) {
      // A sorted Parquet file is a view (source/load.ts): its pages are read here.
      throw corruptParquet(spec, error);
    } finally {
      await dropCanonical(db);
    }
  });
}

/** extract: a source → an observations dataset at `uri`. */
export async function extractSource(
  spec: SourceSpec,
  options: LoadOptions,
  uri: string,
  step?: PhaseStep,
): Promise<LoadReport> {
  return withDuck(async (db) => {
    const report = await loadSource(db, spec, options);
    step?.(1, 2, 'phases (read, written)');
    try {
      await writeDataset(db, '(SELECT t AS __time, * EXCLUDE (t) FROM raw)', uri, {
        kind: 'observations',
        ...report,
      });
    } catch (error) {
      // A sorted Parquet file is a view (source/load.ts): its pages are read here.
      throw corruptParquet(spec, error);
    } finally {
      await dropCanonical(db);
    }
    step?.(2, 2, 'phases (read, written)');
    return report;
  });
}

/**
 * How far a long read or write has gone, in phases: DuckDB runs each as one statement, so a
 * phase is the finest step there is to tell (a 1M-row file is some 10 s of reading).
 */
export type PhaseStep = (done: number, total: number, unit: string) => void;

export interface AggregateRequest {
  readonly target: TargetExpression;
  readonly aggregation: AggregationPlan;
  /** Variables never used as features (besides the target's columns). */
  readonly exclude?: readonly string[];
  /** Kept in the dataset's description (the target as written, the configuration's aggregation). */
  readonly describe?: Record<string, unknown>;
}

/** aggregate: an observations dataset → a features dataset at `outUri`. */
export async function aggregateDataset(
  inputUri: string,
  request: AggregateRequest,
  outUri: string,
  step?: PhaseStep,
): Promise<AggregateReport> {
  const unit = 'phases (read, aggregated, written)';
  const table = await readObservationDataset(inputUri);
  step?.(1, 3, unit);
  const observations = aggregateObservations(table, request.target, request.aggregation, request.exclude);
  step?.(2, 3, unit);
  const plan = request.aggregation;
  const report: AggregateReport = {
    rows: observations.rows,
    positives: observations.positives,
    features: observations.features,
    variables: observations.variables,
    identifiers: observations.identifiers,
    windowMs: plan.kind === 'windows' ? plan.windowMs : 0,
    lagWindows: plan.kind === 'windows' ? plan.lagWindows : plan.kind === 'batches' ? plan.lagBatches : 0,
  };
  await writeFeatures(observations, outUri, {
    kind: 'features',
    source: inputUri,
    ...request.describe,
    ...report,
  });
  step?.(3, 3, unit);
  return report;
}
