/**
 * Where analyses keep their artifacts (datasets, models, reports, results documents, uploaded
 * sources), behind one interface with two kinds of storage, chosen by `LINE_RCA_ARTIFACTS`:
 *
 * - a folder (a path or a `file:` URI; the default `.data/artifacts`): artifact URIs are `file:`
 *   URIs, read in place; workers on several machines must share the folder;
 * - `mongodb://host:port/<database>`: GridFS (bucket `artifacts` in that database), streamed
 *   both ways in chunks; artifact URIs are `gridfs://artifacts/<name>#sha256=<hex>`. Each worker
 *   works in a local folder and keeps what it read or wrote in a cache keyed by content hash
 *   (`LINE_RCA_CACHE`, default `.data/cache`), so nothing but Temporal and MongoDB is shared.
 *
 * docs/artifact-store.md says how an S3-compatible storage plugs in behind the same interface.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Binary, type Db, GridFSBucket, MongoClient, ObjectId } from 'mongodb';
import { InvalidInputError } from '../analysis/errors';
import { databaseFromUri, redactUri } from './mongo';

/** One analysis' artifacts as prune sees them. */
export interface StoredAnalysis {
  readonly analysisId: string;
  /** Where they are (a folder, or `gridfs://artifacts/analyses/<id>/`). */
  readonly location: string;
  readonly bytes: number;
  /** Newest write of any of its artifacts (ms since the epoch). */
  readonly lastModified: number;
}

export interface ArtifactStorage {
  readonly kind: 'folder' | 'gridfs' | (string & {});
  /** The setting it was made from (credentials masked). */
  readonly description: string;
  /** The local folder every local copy of its artifacts is in (the folder, or the cache). */
  readonly localRoot: string;
  /**
   * The local folder an analysis works in: the storage's own folder for a folder storage, a
   * folder of this worker's cache otherwise (its files reach the storage through `putFile`).
   */
  workFolder(analysisId: string): string;
  /** How the workflow names an analysis' work folder on this storage (`folderUri`), and back. */
  folderUri(analysisId: string): string;
  folderAnalysis(uri: string): string | null;
  /** Stores a local file as `name` (slash-separated), streamed; returns its URI. */
  putFile(name: string, file: string, owner?: { readonly analysisId?: string }): Promise<string>;
  /** A local path holding the artifact's bytes (streamed into the cache when not there yet). */
  localPath(uri: string): Promise<string>;
  /** Whether `uri` names an artifact of this kind of storage (it may still not exist). */
  owns(uri: string): boolean;
  /** Removes every artifact of an analysis (a failed one). */
  removeAnalysis(analysisId: string): Promise<void>;
  /** Analyses whose newest artifact is older than `olderThanMs`, removed unless `dryRun`. */
  prune(options: {
    readonly olderThanMs: number;
    readonly now: number;
    readonly dryRun?: boolean;
  }): Promise<StoredAnalysis[]>;
}

/** An artifact URI this storage cannot find: bad input (exit 2), naming the URI. */
export function unknownArtifact(uri: string, where = uri, detail = 'no such artifact'): InvalidInputError {
  return new InvalidInputError({ where, message: `${detail}: ${uri}` });
}

/** Names are stored as given, but only plain segments: no `..`, nothing outside the storage. */
export function safeName(name: string): string {
  const segments = name
    .split('/')
    .map((s) => s.replace(/[^\w.-]/g, '_'))
    .filter((s) => s.length > 0 && s !== '.' && s !== '..');
  if (segments.length === 0) throw new Error(`artifact name ${JSON.stringify(name)} is empty`);
  return segments.join('/');
}

/** SHA-256 of a file, read as a stream. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// A folder

export class FolderStorage implements ArtifactStorage {
  readonly kind = 'folder';
  readonly root: string;

  constructor(rootUriOrPath: string) {
    this.root = rootUriOrPath.startsWith('file:')
      ? fileURLToPath(rootUriOrPath)
      : path.resolve(rootUriOrPath);
  }

  get description(): string {
    return this.root;
  }

  get localRoot(): string {
    return this.root;
  }

  workFolder(analysisId: string): string {
    return path.join(this.root, 'analyses', analysisId);
  }

  folderUri(analysisId: string): string {
    return this.workFolder(analysisId);
  }

  folderAnalysis(): string | null {
    return null;
  }

  async putFile(name: string, file: string): Promise<string> {
    const to = path.join(this.root, ...safeName(name).split('/'));
    if (path.resolve(file) !== to) {
      await mkdir(path.dirname(to), { recursive: true });
      const partial = `${to}.${process.pid}.partial`;
      await copyFile(file, partial);
      await rename(partial, to);
    }
    return pathToFileURL(to).href;
  }

  owns(uri: string): boolean {
    return uri.startsWith('file:');
  }

  async localPath(uri: string): Promise<string> {
    if (!this.owns(uri)) throw unknownArtifact(uri, uri, `not an artifact of the folder ${this.root}`);
    const file = fileURLToPath(uri);
    if (!(await stat(file).catch(() => null))?.isFile()) throw unknownArtifact(uri);
    return file;
  }

  async removeAnalysis(analysisId: string): Promise<void> {
    await rm(this.workFolder(analysisId), { recursive: true, force: true });
  }

  async prune(options: { olderThanMs: number; now: number; dryRun?: boolean }): Promise<StoredAnalysis[]> {
    const analyses = path.join(this.root, 'analyses');
    const entries = await readdir(analyses, { withFileTypes: true }).catch(() => []);
    const old: StoredAnalysis[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const folder = path.join(analyses, entry.name);
      const { bytes, lastModified } = await folderFigures(folder);
      if (options.now - lastModified > options.olderThanMs)
        old.push({ analysisId: entry.name, location: folder, bytes, lastModified });
    }
    if (!options.dryRun) for (const a of old) await rm(a.location, { recursive: true, force: true });
    return old;
  }
}

async function folderFigures(folder: string): Promise<{ bytes: number; lastModified: number }> {
  let bytes = 0;
  let lastModified = (await stat(folder)).mtimeMs;
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const s = await stat(file);
      lastModified = Math.max(lastModified, s.mtimeMs);
      if (entry.isDirectory()) await walk(file);
      else bytes += s.size;
    }
  };
  await walk(folder);
  return { bytes, lastModified };
}

// ---------------------------------------------------------------------------------------------
// The local cache of a remote storage: files by content hash, and the analyses' work folders.

export class ArtifactCache {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  objectPath(sha256: string, name: string): string {
    return path.join(this.root, 'objects', sha256.slice(0, 2), sha256, path.basename(name));
  }

  workFolder(analysisId: string): string {
    return path.join(this.root, 'work', 'analyses', analysisId);
  }

  /** The cached copy, if any (its time is touched: prune keeps what is used). */
  async lookup(sha256: string, name: string): Promise<string | null> {
    const file = this.objectPath(sha256, name);
    if (!(await stat(file).catch(() => null))?.isFile()) return null;
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return file;
  }

  /** Adds a local file (a hard link when the file system allows, else a copy). */
  async add(sha256: string, name: string, file: string): Promise<string> {
    const to = this.objectPath(sha256, name);
    if (await this.lookup(sha256, name)) return to;
    await mkdir(path.dirname(to), { recursive: true });
    const partial = `${to}.${randomUUID()}.partial`;
    await link(file, partial).catch(() => copyFile(file, partial));
    await rename(partial, to);
    return to;
  }

  /** Writes a stream into the cache, checking its hash; the partial file never shows. */
  async write(sha256: string, name: string, source: NodeJS.ReadableStream): Promise<string> {
    const to = this.objectPath(sha256, name);
    await mkdir(path.dirname(to), { recursive: true });
    const partial = `${to}.${randomUUID()}.partial`;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, hashing, createWriteStream(partial));
      const got = hash.digest('hex');
      if (got !== sha256) throw new Error(`${name}: the stored bytes hash to ${got}, not ${sha256}`);
      await rename(partial, to);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return to;
  }

  /** Removes cached objects and work folders not used for `olderThanMs`. */
  async prune(olderThanMs: number, now: number, dryRun = false): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(file);
          continue;
        }
        const s = await stat(file);
        if (now - s.mtimeMs <= olderThanMs) continue;
        files++;
        bytes += s.size;
        if (!dryRun) await rm(file, { force: true });
      }
    };
    await walk(this.root);
    return { files, bytes };
  }
}

// ---------------------------------------------------------------------------------------------
// GridFS

export const GRIDFS_BUCKET = 'artifacts';
const GRIDFS_SCHEME = 'gridfs:';
/** 1 MiB chunks: fewer documents than the driver's 255 KiB, far under the 16 MiB limit. */
const CHUNK_BYTES = 1024 * 1024;

interface GridFsUri {
  readonly name: string;
  readonly sha256: string;
}

export function gridFsUri(name: string, sha256: string): string {
  return `gridfs://${GRIDFS_BUCKET}/${encodeURI(name)}#sha256=${sha256}`;
}

function parseGridFsUri(uri: string, where: string): GridFsUri {
  const match = /^gridfs:\/\/([^/]+)\/([^#]+)#sha256=([0-9a-f]{64})$/.exec(uri);
  if (!match || match[1] !== GRIDFS_BUCKET) {
    throw unknownArtifact(uri, where, `not an artifact URI (gridfs://${GRIDFS_BUCKET}/<name>#sha256=<hash>)`);
  }
  return { name: decodeURI(match[2]), sha256: match[3] };
}

export class GridFsStorage implements ArtifactStorage {
  readonly kind = 'gridfs';

  constructor(
    readonly uri: string,
    readonly cache: ArtifactCache,
  ) {}

  get description(): string {
    return `${redactUri(this.uri)} (GridFS bucket ${GRIDFS_BUCKET}; cache ${this.cache.root})`;
  }

  get localRoot(): string {
    return this.cache.root;
  }

  workFolder(analysisId: string): string {
    return this.cache.workFolder(analysisId);
  }

  folderUri(analysisId: string): string {
    return `gridfs://${GRIDFS_BUCKET}/analyses/${analysisId}/`;
  }

  folderAnalysis(uri: string): string | null {
    return new RegExp(`^gridfs://${GRIDFS_BUCKET}/analyses/([^/#]+)/$`).exec(uri)?.[1] ?? null;
  }

  owns(uri: string): boolean {
    return uri.startsWith(GRIDFS_SCHEME);
  }

  /** One connection per operation: a command or a stage uses a handful, and nothing lingers. */
  private async withBucket<T>(work: (bucket: GridFSBucket, db: Db) => Promise<T>): Promise<T> {
    const client = new MongoClient(this.uri, { serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(
        `the artifact store ${redactUri(this.uri)} cannot be reached: ${(error as Error).message}`,
      );
    }
    try {
      const db = client.db(databaseFromUri(this.uri));
      return await work(new GridFSBucket(db, { bucketName: GRIDFS_BUCKET, chunkSizeBytes: CHUNK_BYTES }), db);
    } finally {
      await client.close();
    }
  }

  async putFile(name: string, file: string, owner: { analysisId?: string } = {}): Promise<string> {
    const stored = safeName(name);
    const sha256 = await fileSha256(file);
    await this.withBucket(async (bucket, db) => {
      const existing = await bucket.find({ filename: stored, 'metadata.sha256': sha256 }).limit(1).toArray();
      if (existing.length > 0) return;
      const metadata = { sha256, ...(owner.analysisId ? { analysisId: owner.analysisId } : {}) };
      await uploadChunks(db, stored, file, metadata);
    });
    await this.cache.add(sha256, stored, file);
    return gridFsUri(stored, sha256);
  }

  async localPath(uri: string, where = uri): Promise<string> {
    const { name, sha256 } = parseGridFsUri(uri, where);
    const cached = await this.cache.lookup(sha256, name);
    if (cached) return cached;
    return this.withBucket(async (bucket, db) => {
      const [file] = await bucket.find({ filename: name, 'metadata.sha256': sha256 }).limit(1).toArray();
      if (!file) throw unknownArtifact(uri, where);
      return this.cache.write(sha256, name, Readable.from(chunksOf(db, file._id, file.length)));
    });
  }

  async removeAnalysis(analysisId: string): Promise<void> {
    await this.withBucket(async (bucket) => {
      for (const file of await bucket.find({ 'metadata.analysisId': analysisId }).toArray())
        await bucket.delete(file._id);
    });
    await rm(this.cache.workFolder(analysisId), { recursive: true, force: true });
  }

  async prune(options: { olderThanMs: number; now: number; dryRun?: boolean }): Promise<StoredAnalysis[]> {
    return this.withBucket(async (bucket) => {
      const analyses = new Map<string, { bytes: number; lastModified: number; ids: unknown[] }>();
      for await (const file of bucket.find({ 'metadata.analysisId': { $exists: true } })) {
        const id = String(file.metadata?.analysisId);
        const a = analyses.get(id) ?? { bytes: 0, lastModified: 0, ids: [] };
        a.bytes += file.length;
        a.lastModified = Math.max(a.lastModified, file.uploadDate.getTime());
        a.ids.push(file._id);
        analyses.set(id, a);
      }
      const old: StoredAnalysis[] = [];
      for (const [analysisId, a] of analyses) {
        if (options.now - a.lastModified <= options.olderThanMs) continue;
        old.push({
          analysisId,
          location: this.folderUri(analysisId),
          bytes: a.bytes,
          lastModified: a.lastModified,
        });
        if (!options.dryRun) for (const id of a.ids) await bucket.delete(id as never);
      }
      return old;
    });
  }
}

/**
 * A stored file's chunks in order, a few at a time: the driver's download stream lets the server
 * fill whole cursor batches (101 chunks of 1 MiB first, then up to 16 MiB each), and FerretDB
 * does, so a 200 MB download held 300 MB; here at most `CHUNKS_IN_FLIGHT` chunks are read ahead.
 */
async function* chunksOf(db: Db, fileId: unknown, length: number): AsyncGenerator<Uint8Array> {
  const cursor = db
    .collection<{ files_id: unknown; n: number; data: Binary }>(`${GRIDFS_BUCKET}.chunks`)
    .find({ files_id: fileId }, { sort: { n: 1 }, batchSize: CHUNKS_IN_FLIGHT });
  let n = 0;
  let bytes = 0;
  for await (const chunk of cursor) {
    if (chunk.n !== n) throw new Error(`GridFS file ${String(fileId)}: chunk ${n} is missing`);
    n++;
    bytes += chunk.data.buffer.length;
    yield chunk.data.buffer;
  }
  if (bytes !== length) throw new Error(`GridFS file ${String(fileId)}: ${bytes} bytes stored of ${length}`);
}

const CHUNKS_IN_FLIGHT = 4;

/**
 * Stores a file as GridFS does (its chunks, then its files document, so a reader never sees a
 * file without all its chunks), `CHUNKS_IN_FLIGHT` chunks per insert: the driver's upload
 * stream inserts one chunk a round trip, 4 times slower than pymongo on FerretDB (bench artifacts).
 */
async function uploadChunks(
  db: Db,
  filename: string,
  file: string,
  metadata: Record<string, string>,
): Promise<void> {
  const files = db.collection(`${GRIDFS_BUCKET}.files`);
  const chunks = db.collection(`${GRIDFS_BUCKET}.chunks`);
  await files.createIndex({ filename: 1, uploadDate: 1 });
  await chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
  const id = new ObjectId();
  let n = 0;
  let length = 0;
  let batch: { files_id: ObjectId; n: number; data: Binary }[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const cut = (bytes: number) => {
    const whole = Buffer.concat(pending, pendingBytes);
    batch.push({ files_id: id, n: n++, data: new Binary(whole.subarray(0, bytes)) });
    const rest = whole.subarray(bytes);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
  };
  try {
    for await (const piece of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
      const buffer = piece as Buffer;
      pending.push(buffer);
      pendingBytes += buffer.length;
      length += buffer.length;
      while (pendingBytes >= CHUNK_BYTES) cut(CHUNK_BYTES);
      if (batch.length >= CHUNKS_IN_FLIGHT) {
        await chunks.insertMany(batch);
        batch = [];
      }
    }
    if (pendingBytes > 0) cut(pendingBytes);
    if (batch.length > 0) await chunks.insertMany(batch);
    await files.insertOne({
      _id: id,
      length,
      chunkSize: CHUNK_BYTES,
      uploadDate: new Date(),
      filename,
      metadata,
    });
  } catch (error) {
    await chunks.deleteMany({ files_id: id }).catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The storage `LINE_RCA_ARTIFACTS` names (`LINE_RCA_ARTIFACTS_URI`, the older name, is read
 * too): a `mongodb://` URI, or a folder (default `.data/artifacts` under the working directory).
 */
export function artifactStorage(setting?: string, env: NodeJS.ProcessEnv = process.env): ArtifactStorage {
  const chosen =
    setting ?? env.LINE_RCA_ARTIFACTS_URI ?? env.LINE_RCA_ARTIFACTS ?? path.join('.data', 'artifacts');
  if (/^mongodb(\+srv)?:\/\//i.test(chosen)) {
    return new GridFsStorage(chosen, new ArtifactCache(env.LINE_RCA_CACHE || path.join('.data', 'cache')));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) && !chosen.startsWith('file:')) {
    throw new InvalidInputError({
      where: 'LINE_RCA_ARTIFACTS',
      message: `${redactUri(chosen)}: must be a folder, a file: URI or mongodb://host:port/<database>`,
    });
  }
  return new FolderStorage(chosen);
}

/** The local path of an artifact URI of `storage` (a plain path or `file:` URI as it is). */
export async function artifactPath(
  uri: string,
  storage: ArtifactStorage = artifactStorage(),
): Promise<string> {
  if (storage.kind !== 'folder' && storage.owns(uri)) return storage.localPath(uri);
  return uri.startsWith('file:') ? fileURLToPath(uri) : path.resolve(uri);
}

/** The `file:` URI of an artifact's local copy (streamed into the cache when it is remote). */
export async function localUri(uri: string, storage: ArtifactStorage = artifactStorage()): Promise<string> {
  return pathToFileURL(await artifactPath(uri, storage)).href;
}
