// The artifact storages against the real MongoDB (FerretDB locally): GridFS round trips
// byte-identical through a second machine's cache, a cached artifact needs no server, unknown
// URIs are named, `artifacts prune` and a failed analysis' removal, on GridFS and on a folder.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { main } from '../../cli/main';
import {
  ArtifactCache,
  artifactStorage,
  FolderStorage,
  GridFsStorage,
} from '../../connectors/artifact-storage';
import { capture } from '../support/capture';
import { dropDatabase, serviceAddresses, uniqueName } from './setup/services';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-artifact-storage-'));
const database = uniqueName('rca_artifacts').replace(/-/g, '_');
const uri = (() => {
  const url = new URL(serviceAddresses().mongodb);
  url.pathname = `/${database}`;
  return url.toString();
})();
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

afterAll(async () => {
  await dropDatabase(uri, database);
  rmSync(tmp, { recursive: true, force: true });
});

describe('GridFS artifact storage', () => {
  const content = randomBytes(3 * 1024 * 1024 + 17); // several 1 MiB chunks and a partial one
  const file = path.join(tmp, 'features.parquet');
  writeFileSync(file, content);

  it('stores a file and reads it back byte-identical on another machine, then from its cache', async () => {
    const writer = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'cache-a')));
    const stored = await writer.putFile('analyses/a1/features.parquet', file, { analysisId: 'a1' });
    expect(stored).toBe(`gridfs://artifacts/analyses/a1/features.parquet#sha256=${sha(content)}`);
    const reader = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'cache-b')));
    const local = await reader.localPath(stored);
    expect(local.startsWith(path.join(tmp, 'cache-b', 'objects'))).toBe(true);
    expect(sha(readFileSync(local))).toBe(sha(content));
    // From the cache now: a server that cannot be reached is not asked.
    const offline = new GridFsStorage(
      'mongodb://127.0.0.1:9/none',
      new ArtifactCache(path.join(tmp, 'cache-b')),
    );
    expect(await offline.localPath(stored)).toBe(local);
    // The same content under the same name is stored once.
    expect(await writer.putFile('analyses/a1/features.parquet', file, { analysisId: 'a1' })).toBe(stored);
    const client = new MongoClient(uri);
    await client.connect();
    try {
      expect(
        await client
          .db(database)
          .collection('artifacts.files')
          .countDocuments({ 'metadata.analysisId': 'a1' }),
      ).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('names an unknown or malformed URI (input error)', async () => {
    const storage = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'cache-c')));
    const unknown = `gridfs://artifacts/data/x/nope.csv#sha256=${'1'.repeat(64)}`;
    await expect(storage.localPath(unknown)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(`no such artifact: ${unknown}`),
    });
    await expect(storage.localPath('gridfs://other/x.csv')).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('not an artifact URI'),
    });
  });

  it('removes a failed analysis, and prunes old analyses and the cache (artifacts prune)', async () => {
    const storage = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'cache-d')));
    const small = path.join(tmp, 'small.json');
    writeFileSync(small, '{"x":1}');
    await storage.putFile('analyses/failed/results.json', small, { analysisId: 'failed' });
    await storage.putFile('analyses/old/results.json', small, { analysisId: 'old' });
    await storage.removeAnalysis('failed');
    const day = 86_400_000;
    const dry = await storage.prune({ olderThanMs: 30 * day, now: Date.now() + 31 * day, dryRun: true });
    expect(dry.map((a) => a.analysisId).sort()).toEqual(['a1', 'old']);
    // Through the command, on the storage LINE_RCA_ARTIFACTS names: nothing is 30 days old yet.
    const saved = { ...process.env };
    Object.assign(process.env, { LINE_RCA_ARTIFACTS: uri, LINE_RCA_CACHE: path.join(tmp, 'cache-d') });
    delete process.env.LINE_RCA_ARTIFACTS_URI;
    try {
      const run = capture();
      expect(await main(['artifacts', 'prune', '--older-than', '30d', '--json'], run.io)).toBe(0);
      expect(JSON.parse(run.out.join(''))).toEqual([]);
      expect(run.err.join('')).toMatch(
        /removed 0 analysis folder\(s\).*GridFS bucket artifacts[\s\S]*cached file/,
      );
      expect(artifactStorage().kind).toBe('gridfs');
    } finally {
      process.env = saved;
    }
    const removed = await storage.prune({ olderThanMs: 30 * day, now: Date.now() + 31 * day });
    expect(removed.map((a) => a.analysisId).sort()).toEqual(['a1', 'old']);
    expect(await storage.prune({ olderThanMs: 0, now: Date.now() + day, dryRun: true })).toEqual([]);
  });
});

describe('folder artifact storage', () => {
  it('stores, reads, removes and prunes in place', async () => {
    const root = path.join(tmp, 'folder');
    const storage = new FolderStorage(root);
    const source = path.join(tmp, 'line.csv');
    writeFileSync(source, 'time,x\n');
    const stored = await storage.putFile('data/abc/line.csv', source);
    expect(await storage.localPath(stored)).toBe(path.join(root, 'data', 'abc', 'line.csv'));
    await expect(storage.localPath(`${stored}.missing`)).rejects.toMatchObject({ name: 'InvalidInputError' });
    const folder = storage.workFolder('old');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'results.json'), '{}');
    const t = (Date.now() - 40 * 86_400_000) / 1000;
    utimesSync(path.join(folder, 'results.json'), t, t);
    utimesSync(folder, t, t);
    const removed = await storage.prune({ olderThanMs: 30 * 86_400_000, now: Date.now() });
    expect(removed.map((a) => a.analysisId)).toEqual(['old']);
    expect(existsSync(folder)).toBe(false);
  });
});
