/**
 * MongoDB (`MONGODB_URI`; the database is the URI's path, default `line_rca`): analysis
 * configurations, results documents, and the index of the measurements the data layer reads.
 *
 * - Queries are built here from typed values, always with `$eq`, so no user text ever becomes
 *   an operator: an id or a line named `{"$ne": null}` or `$where` is only a value.
 * - Keys of stored documents are escaped reversibly (`$`, `.`, `%`), so a user-named key such as
 *   `$where` or `a.b` is stored as data and comes back unchanged, whatever the server allows.
 * - Results are upserted by analysis id: a retried stage writes one document.
 * - Errors name the URI with its password masked.
 */
import { randomBytes } from 'node:crypto';
import { BSON, type Collection, type Db, type Document, MongoClient } from 'mongodb';
import { type AnalysisConfig, parseConfig } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import type { ResultsDocument } from '../analysis/results';
import { type ArtifactStore, splitLargeArrays } from './artifacts';

export const DEFAULT_DATABASE = 'line_rca';
export const COLLECTIONS = {
  configs: 'analysis_configs',
  results: 'analysis_results',
  measurements: 'measurements',
} as const;

/** A stored document must stay far below MongoDB's 16 MB; past this we refuse with a clear error. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

/** MongoDB could not be used for now (unreachable, a network error, a timeout): worth a retry. */
export class MongoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MongoUnavailableError';
  }
}

/** A results document MongoDB cannot keep: the same on every try (Temporal does not retry it). */
export class ResultsTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsTooLargeError';
  }
}

/**
 * Server codes that say the credentials or their rights are wrong (Unauthorized,
 * AuthenticationFailed, UserNotFound, RoleNotFound, Atlas' bad auth): no retry will help.
 */
const ACCESS_CODES = new Set([13, 18, 11, 31, 8000]);

/** A refusal of the credentials or their rights, as the configuration problem it is (exit 2, not retried). */
function accessError(uri: string, error: unknown): InvalidInputError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'number' || !ACCESS_CODES.has(code)) return undefined;
  return new InvalidInputError({
    where: 'MONGODB_URI',
    message:
      `MongoDB at ${redactUri(uri)} refused the credentials or their rights (${maskIn(uri, error)}); ` +
      `check the user, the password and authSource in the URI, and that the user may read and write the database ${databaseFromUri(uri)}`,
  });
}

/** `MONGODB_URI`, or undefined when results go to files only. */
export function mongoUriFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MONGODB_URI?.trim() || undefined;
}

/** `mongodb://user:secret@host/db` → `mongodb://user:***@host/db`. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}${auth}@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

/** The database named by the URI's path, or `line_rca`. */
export function databaseFromUri(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/i.exec(uri);
  const name = match ? decodeURIComponent(match[1]) : '';
  return name.length > 0 ? name : DEFAULT_DATABASE;
}

// ---------------------------------------------------------------------------------------------
// Reversible key escaping. `%` starts every escape, so decoding is unambiguous.

const ESCAPES: Record<string, string> = { '%': '%25', $: '%24', '.': '%2E', '\0': '%00' };
const UNESCAPES: Record<string, string> = { '%25': '%', '%24': '$', '%2E': '.', '%00': '\0' };
const EMPTY_KEY = '%_';

export function escapeKey(key: string): string {
  if (key === '') return EMPTY_KEY;
  return key.replace(/[%$.\0]/g, (c) => ESCAPES[c]);
}

export function unescapeKey(key: string): string {
  if (key === EMPTY_KEY) return '';
  return key.replace(/%25|%24|%2E|%00/g, (s) => UNESCAPES[s]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mapKeys(value: unknown, f: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, f));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[f(k)] = mapKeys(v, f);
    }
    return out;
  }
  return value;
}

export const escapeKeys = (value: unknown): unknown => mapKeys(value, escapeKey);
export const unescapeKeys = (value: unknown): unknown => mapKeys(value, unescapeKey);

// ---------------------------------------------------------------------------------------------

export interface StoredConfig {
  id: string;
  /** The document as it was put (not defaults-filled), keys unescaped. */
  document: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ConfigSummary {
  id: string;
  name: string;
  line: string;
  updatedAt: string;
}

interface Meta {
  createdAt: string;
  updatedAt: string;
}

/** `_id` is ours; `_meta` holds bookkeeping so the rest is exactly the user's document. */
interface StoredDoc extends Document {
  _id: string;
  _meta: Meta;
}

/** An id the user gave: one plain string, never a query fragment. */
function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw new InvalidInputError({
      where: what,
      message: 'must be a non-empty text of at most 200 characters',
    });
  }
  return id;
}

export function newId(): string {
  // Time-ordered like an ObjectId, readable, and free of characters a shell or URL would mangle.
  return `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

export class MongoStore {
  readonly uri: string;
  readonly db: Db;
  private readonly client: MongoClient;

  private constructor(uri: string, client: MongoClient) {
    this.uri = uri;
    this.client = client;
    this.db = client.db(databaseFromUri(uri));
  }

  /** Connects and creates the indexes (idempotent). Throws `MongoUnavailableError` naming the URI. */
  static async connect(uri: string, options: { timeoutMs?: number } = {}): Promise<MongoStore> {
    let client: MongoClient;
    try {
      client = new MongoClient(uri, {
        serverSelectionTimeoutMS: options.timeoutMs ?? 5000,
        connectTimeoutMS: options.timeoutMs ?? 5000,
      });
    } catch (error) {
      throw new InvalidInputError({
        where: 'MONGODB_URI',
        message: `${redactUri(uri)} is not a valid MongoDB connection string: ${maskIn(uri, error)}`,
      });
    }
    const store = new MongoStore(uri, client);
    try {
      await client.connect();
      // Creating the indexes also proves the user may write the database.
      await store.ensureIndexes();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw (
        accessError(uri, error) ??
        new MongoUnavailableError(`cannot use MongoDB at ${redactUri(uri)}: ${maskIn(uri, error)}`)
      );
    }
    return store;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): Promise<MongoStore> {
    const uri = mongoUriFromEnv(env);
    if (!uri) {
      throw new InvalidInputError({
        where: 'MONGODB_URI',
        message:
          'is not set; set it to the MongoDB connection string, e.g. mongodb://127.0.0.1:27017/line_rca',
      });
    }
    return MongoStore.connect(uri);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  get configs(): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>(COLLECTIONS.configs);
  }

  get results(): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>(COLLECTIONS.results);
  }

  async ensureIndexes(): Promise<void> {
    await this.configs.createIndex({ line: 1, name: 1 }, { name: 'line_name' });
    await this.results.createIndex({ line: 1, finishedAt: -1 }, { name: 'line_finishedAt' });
    await this.db
      .collection(COLLECTIONS.measurements)
      .createIndex({ line: 1, variable: 1, t: 1 }, { name: 'line_variable_t' });
  }

  /** Wraps driver errors so the URI shown never carries the password. */
  private async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      throw (
        accessError(this.uri, error) ??
        new MongoUnavailableError(
          `${what} in MongoDB at ${redactUri(this.uri)} failed: ${maskIn(this.uri, error)}`,
        )
      );
    }
  }

  /**
   * Validates `document` as a configuration (throws `InvalidInputError` listing every problem)
   * and stores it unchanged; returns its id. With `id`, replaces that configuration.
   */
  async putConfig(document: unknown, id?: string): Promise<{ id: string; config: AnalysisConfig }> {
    const config = parseConfig(document);
    const key = id === undefined ? newId() : checkId(id, 'id');
    const now = new Date().toISOString();
    const body = escapeKeys(document) as Record<string, unknown>;
    await this.guard('storing the configuration', async () => {
      const previous = await this.configs.findOne({ _id: { $eq: key } }, { projection: { _meta: 1 } });
      const meta: Meta = { createdAt: previous?._meta?.createdAt ?? now, updatedAt: now };
      await this.configs.replaceOne(
        { _id: { $eq: key } },
        { ...body, _id: key, _meta: meta },
        { upsert: true },
      );
    });
    return { id: key, config };
  }

  async getConfig(id: string): Promise<StoredConfig | undefined> {
    const key = checkId(id, 'id');
    const found = await this.guard('reading the configuration', () =>
      this.configs.findOne({ _id: { $eq: key } }),
    );
    if (!found) return undefined;
    const { _id, _meta, ...rest } = found;
    return {
      id: _id,
      document: unescapeKeys(rest) as Record<string, unknown>,
      createdAt: _meta?.createdAt ?? '',
      updatedAt: _meta?.updatedAt ?? '',
    };
  }

  async listConfigs(filter: { line?: string } = {}): Promise<ConfigSummary[]> {
    const query: Document = {};
    if (filter.line !== undefined) query.line = { $eq: escapeValue(filter.line) };
    const docs = await this.guard('listing configurations', () =>
      this.configs
        .find(query, { projection: { name: 1, line: 1, _meta: 1 } })
        .sort({ _id: 1 })
        .toArray(),
    );
    return docs.map((d) => ({
      id: d._id,
      name: String(d.name ?? ''),
      line: String(d.line ?? ''),
      updatedAt: d._meta?.updatedAt ?? '',
    }));
  }

  async deleteConfig(id: string): Promise<boolean> {
    const key = checkId(id, 'id');
    const result = await this.guard('deleting the configuration', () =>
      this.configs.deleteOne({ _id: { $eq: key } }),
    );
    return result.deletedCount === 1;
  }

  /**
   * Stores a results document under its `id` (insert or replace: a retried stage writes one
   * document). With a store, arrays too large to keep inline go there first (`artifacts`).
   * Returns the document as stored.
   */
  async saveResults<T extends ResultsLike>(
    results: T,
    options: { artifacts?: ArtifactStore; maxInlineBytes?: number } = {},
  ): Promise<T> {
    const key = checkId(results.id, 'results.id');
    const doc = options.artifacts
      ? await splitLargeArrays(results, options.artifacts, {
          prefix: `results/${key}`,
          maxInlineBytes: options.maxInlineBytes,
        })
      : results;
    const body = escapeKeys(doc) as Record<string, unknown>;
    const now = new Date().toISOString();
    const stored = { ...body, _id: key, _meta: { createdAt: now, updatedAt: now } };
    const size = BSON.calculateObjectSize(stored);
    if (size > MAX_DOCUMENT_BYTES) {
      throw new ResultsTooLargeError(
        `results document ${key} is ${(size / 1e6).toFixed(1)} MB, above the ${MAX_DOCUMENT_BYTES / 1e6} MB ` +
          'kept in MongoDB; store large arrays in the artifact store (LINE_RCA_ARTIFACTS_URI)',
      );
    }
    await this.guard('storing the results', async () => {
      const previous = await this.results.findOne({ _id: { $eq: key } }, { projection: { _meta: 1 } });
      if (previous?._meta?.createdAt) stored._meta.createdAt = previous._meta.createdAt;
      try {
        await this.results.replaceOne({ _id: { $eq: key } }, stored, { upsert: true });
      } catch (error) {
        // Two writers upserting the same new id at once: one inserted; the other now replaces.
        if ((error as { code?: number }).code !== 11000) throw error;
        await this.results.replaceOne({ _id: { $eq: key } }, stored, { upsert: true });
      }
    });
    return doc;
  }

  async getResults(id: string): Promise<ResultsDocument | undefined> {
    const key = checkId(id, 'id');
    const found = await this.guard('reading the results', () => this.results.findOne({ _id: { $eq: key } }));
    if (!found) return undefined;
    const { _id, _meta, ...rest } = found;
    return unescapeKeys(rest) as ResultsDocument;
  }

  /**
   * Updates only the `tracking` part of stored results (after `tracking flush`); false when
   * there is no such results document.
   */
  async setTracking(id: string, tracking: { readonly pending: readonly string[] }): Promise<boolean> {
    const key = checkId(id, 'id');
    const result = await this.guard('updating the results', () =>
      this.results.updateOne(
        { _id: { $eq: key } },
        { $set: { tracking: escapeKeys(tracking), '_meta.updatedAt': new Date().toISOString() } },
      ),
    );
    return result.matchedCount === 1;
  }

  /** Lines that have results, with how many each and when the newest finished. */
  async listLines(): Promise<{ line: string; analyses: number; latestFinishedAt: string }[]> {
    const lines = await this.guard('listing lines', () => this.results.distinct('line'));
    const out: { line: string; analyses: number; latestFinishedAt: string }[] = [];
    for (const line of lines.filter((l): l is string => typeof l === 'string').sort()) {
      const query = { line: { $eq: line } };
      const [analyses, newest] = await this.guard('listing lines', () =>
        Promise.all([
          this.results.countDocuments(query),
          this.results
            .find(query, { projection: { finishedAt: 1 } })
            .sort({ finishedAt: -1 })
            .limit(1)
            .next(),
        ]),
      );
      out.push({ line, analyses, latestFinishedAt: String(newest?.finishedAt ?? '') });
    }
    return out;
  }

  /**
   * One page of a line's results, newest first: each document with only `fields` (top-level
   * names), keys unescaped, and how many the line has in all.
   */
  async pageResults(
    line: string,
    page: { offset: number; limit: number; fields: readonly string[] },
  ): Promise<{ total: number; items: Record<string, unknown>[] }> {
    const query = { line: { $eq: escapeValue(line) } };
    const projection = Object.fromEntries(page.fields.map((f) => [escapeKey(f), 1]));
    const [total, docs] = await this.guard('listing results', () =>
      Promise.all([
        this.results.countDocuments(query),
        this.results
          .find(query, { projection })
          .sort({ finishedAt: -1, _id: -1 })
          .skip(page.offset)
          .limit(page.limit)
          .toArray(),
      ]),
    );
    return {
      total,
      items: docs.map(({ _id, _meta, ...rest }) => ({ ...(unescapeKeys(rest) as object), id: _id })),
    };
  }

  /**
   * The newest complete results of the same line and target that finished before `before`
   * (another analysis than `excludeId`): what a new analysis is compared with.
   */
  async previousResults(query: {
    line: string;
    target: string;
    before: string;
    excludeId: string;
  }): Promise<ResultsDocument | undefined> {
    const found = await this.guard('reading the previous results', () =>
      this.results
        .find({
          line: { $eq: escapeValue(query.line) },
          target: { $eq: escapeValue(query.target) },
          status: { $eq: 'complete' },
          finishedAt: { $lt: escapeValue(query.before) },
          _id: { $ne: checkId(query.excludeId, 'id') },
        })
        .sort({ finishedAt: -1, _id: -1 })
        .limit(1)
        .next(),
    );
    if (!found) return undefined;
    const { _id, _meta, ...rest } = found;
    return unescapeKeys(rest) as ResultsDocument;
  }

  /** Results of a line, newest first (summaries only). */
  async listResults(line: string, limit = 20): Promise<{ id: string; name: string; finishedAt: string }[]> {
    const docs = await this.guard('listing results', () =>
      this.results
        .find({ line: { $eq: escapeValue(line) } }, { projection: { name: 1, finishedAt: 1 } })
        .sort({ finishedAt: -1 })
        .limit(limit)
        .toArray(),
    );
    return docs.map((d) => ({
      id: d._id,
      name: String(d.name ?? ''),
      finishedAt: String(d.finishedAt ?? ''),
    }));
  }
}

/** Values in queries are plain strings; anything else is refused rather than interpreted. */
function escapeValue(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidInputError({ where: 'query', message: 'must be a text' });
  return value;
}

export interface ResultsLike {
  id: string;
  [key: string]: unknown;
}

function maskIn(uri: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(uri)?.[1];
  let out = message.split(uri).join(redactUri(uri));
  if (password) {
    out = out.split(password).join('***');
    try {
      out = out.split(decodeURIComponent(password)).join('***');
    } catch {
      // A password that is not valid percent-encoding is masked as written above.
    }
  }
  return out;
}
