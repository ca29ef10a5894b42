/**
 * The MongoDB source: collection `measurements`, documents `{line, variable, t, value}` with an
 * index on `{line, variable, t}`. Read with a cursor in batches and appended to DuckDB as they
 * arrive, so the collection never sits in JS objects; from there the long-layout loader pivots
 * it like a long file. `value` may be a number or text; `t` a Date (or ISO text, or epoch ms).
 */
import { type DuckDBConnection, DuckDBTimestampValue } from '@duckdb/node-api';
import { type Document, type Filter, MongoClient } from 'mongodb';
import { InvalidInputError } from '../analysis/errors';
import { keptColumns, type LoadOptions, type StagedSource } from './source/types';

export interface MeasurementsSpec {
  readonly kind: 'mongo';
  /** Default `measurements`. */
  readonly collection?: string;
  /** Only this line's documents (the configuration's `line`). */
  readonly line?: string;
  /** Default `MONGODB_URI`. */
  readonly uri?: string;
  /** Default: the connection string's database, else `line_rca`. */
  readonly database?: string;
  /** Documents per cursor batch and per DuckDB append flush. Default 10 000. */
  readonly batchSize?: number;
}

export const MEASUREMENTS = 'measurements';

function mongoUri(spec: MeasurementsSpec): string {
  const uri = spec.uri ?? process.env.MONGODB_URI;
  if (!uri) {
    throw new InvalidInputError({
      where: 'source',
      message: 'a "mongo" source needs MONGODB_URI (e.g. mongodb://127.0.0.1:27017/line_rca)',
    });
  }
  return uri;
}

/** Database name: explicit, else the URI's path, else `line_rca`. */
export function databaseName(uri: string, explicit?: string): string {
  if (explicit) return explicit;
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : 'line_rca';
}

/** The query for a line, a period and included variables (exclusions are applied after). */
export function measurementsFilter(spec: MeasurementsSpec, options: LoadOptions): Filter<Document> {
  const filter: Filter<Document> = {};
  if (spec.line) filter.line = spec.line;
  const include =
    options.include && options.include.length > 0 ? [...options.include, ...keptColumns(options)] : undefined;
  if (include) filter.variable = { $in: [...new Set(include)] };
  const t: Record<string, Date> = {};
  if (options.period?.fromMs !== undefined) t.$gte = new Date(options.period.fromMs);
  if (options.period?.toMs !== undefined) t.$lt = new Date(options.period.toMs);
  if (Object.keys(t).length > 0) filter.t = t;
  return filter;
}

function timeMs(t: unknown): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return Date.parse(/([zZ]|[+-]\d\d:?\d\d)$/.test(t) ? t : `${t}Z`);
  return Number.NaN;
}

/**
 * Streams the matching documents into the temp table `__mongo` (t, variable, value, text) and
 * returns it as a staged long source.
 */
export async function stageMeasurements(
  db: DuckDBConnection,
  spec: MeasurementsSpec,
  options: LoadOptions,
): Promise<StagedSource> {
  const uri = mongoUri(spec);
  const collection = spec.collection ?? MEASUREMENTS;
  const batchSize = spec.batchSize ?? 10_000;
  await db.run(
    'CREATE OR REPLACE TEMP TABLE __mongo (t TIMESTAMP, variable VARCHAR, value DOUBLE, text VARCHAR)',
  );
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  const appender = await db.createAppender('__mongo');
  try {
    await client.connect();
    const cursor = client
      .db(databaseName(uri, spec.database))
      .collection(collection)
      .find(measurementsFilter(spec, options), {
        projection: { _id: 0, t: 1, variable: 1, value: 1 },
        batchSize,
      });
    let pending = 0;
    for await (const doc of cursor) {
      const ms = timeMs(doc.t);
      if (Number.isFinite(ms))
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n));
      else appender.appendNull();
      if (typeof doc.variable === 'string') appender.appendVarchar(doc.variable);
      else appender.appendNull();
      const value = doc.value;
      if (typeof value === 'number' && Number.isFinite(value)) {
        appender.appendDouble(value);
        appender.appendNull();
      } else if (typeof value === 'boolean') {
        appender.appendDouble(value ? 1 : 0);
        appender.appendNull();
      } else if (typeof value === 'string') {
        appender.appendNull();
        appender.appendVarchar(value);
      } else {
        appender.appendNull();
        appender.appendNull();
      }
      appender.endRow();
      if (++pending >= batchSize) {
        appender.flushSync();
        pending = 0;
      }
    }
  } finally {
    appender.closeSync();
    await client.close();
  }
  return {
    source: `mongodb:${collection}${spec.line ? ` (line ${spec.line})` : ''}`,
    relation: '__mongo',
    timeColumn: 't',
    long: { variable: 'variable', value: 'value', text: 'text' },
    headerLines: 0,
  };
}
