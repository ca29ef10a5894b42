/**
 * Against the real MongoDB-compatible server `infra/services up` starts (FerretDB), or
 * MONGODB_URI. Each run uses its own database and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { main } from '../../cli/main';
import { ArtifactStore, joinLargeArrays } from '../../connectors/artifacts';
import { COLLECTIONS, MongoStore, MongoUnavailableError } from '../../connectors/mongo';

const database = `line_rca_test_${randomBytes(4).toString('hex')}`;
/** MONGODB_URI (or the local service) with its database replaced by this run's own. */
const uri = (process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017').replace(
  /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/,
  (_m, host: string, _path: string, query: string | undefined) => `${host}/${database}${query ?? ''}`,
);
let store: MongoStore;

beforeAll(async () => {
  store = await MongoStore.connect(uri);
});
afterAll(async () => {
  await store?.db.dropDatabase();
  await store?.close();
});

const config = {
  name: 'line 3 burnt biscuits',
  line: 'line-3',
  source: { kind: 'file', path: 'line3.parquet', timeColumn: 'timestamp' },
  target: '"a.b" > 0.05 or "$where" == 1',
  variables: { include: ['$where', 'a.b', 'oven_temp'], exclude: ['$ne'] },
  search: { trials: 5, seed: 7 },
};

describe('analysis_configs', () => {
  it('stores a configuration with variables named $where and a.b and reads it back unchanged', async () => {
    const { id } = await store.putConfig(config);
    const stored = await store.getConfig(id);
    expect(stored?.document).toEqual(config);
    expect(stored?.id).toBe(id);
    const list = await store.listConfigs();
    expect(list.map((c) => c.id)).toContain(id);
    expect(list.find((c) => c.id === id)).toMatchObject({ name: config.name, line: 'line-3' });
  });

  it('replaces a configuration by id, keeping its creation time', async () => {
    const { id } = await store.putConfig(config);
    const first = await store.getConfig(id);
    await store.putConfig({ ...config, name: 'renamed' }, id);
    const second = await store.getConfig(id);
    expect(second?.document.name).toBe('renamed');
    expect(second?.createdAt).toBe(first?.createdAt);
    expect((await store.listConfigs()).filter((c) => c.id === id)).toHaveLength(1);
  });

  it('refuses an invalid configuration, listing every problem, and stores nothing', async () => {
    const before = await store.configs.countDocuments();
    const error = await store
      .putConfig({ ...config, search: { trials: -1 }, models: ['svm'] })
      .catch((e) => e);
    expect(error.name).toBe('InvalidInputError');
    expect(error.problems.map((p: { where: string }) => p.where).sort()).toEqual([
      'models[0]',
      'search.trials',
    ]);
    expect(await store.configs.countDocuments()).toBe(before);
  });

  it('takes user text only as values, never as operators', async () => {
    const { id } = await store.putConfig({ ...config, line: '$where' });
    // A line literally named `$where` is found; an id that looks like a query finds nothing.
    expect((await store.listConfigs({ line: '$where' })).map((c) => c.id)).toEqual([id]);
    expect(await store.getConfig('{"$ne":null}')).toBeUndefined();
    // Objects smuggled in where text is expected are refused, not interpreted.
    await expect(store.getConfig({ $ne: null } as unknown as string)).rejects.toThrow(
      /must be a non-empty text/,
    );
    await expect(store.listConfigs({ line: { $ne: null } as unknown as string })).rejects.toThrow(
      /must be a text/,
    );
  });
});

describe('analysis_results', () => {
  const results = {
    id: `analysis-${randomBytes(3).toString('hex')}`,
    name: 'n',
    line: 'line-3',
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: '2026-11-26T10:05:00.000Z',
    data: { rows: 10, positives: 2, variables: 2, features: 4 },
    distribution: [
      { variable: '$where', kind: 'categorical', score: 0.3, qValue: 0.01, categories: ['a.b'] },
    ],
    model: null,
    importance: [],
    // A user-named map: keys with `$` and `.` are escaped on the way in and back out.
    perVariable: { $where: 1, 'a.b': { $gt: 2 }, '%24': 'literal percent' },
  };

  it('upserts by analysis id: saving twice leaves one document equal to the input', async () => {
    await store.saveResults(results);
    await store.saveResults({ ...results, name: 'second write' });
    expect(await store.results.countDocuments({ _id: { $eq: results.id } })).toBe(1);
    expect(await store.getResults(results.id)).toEqual({ ...results, name: 'second write' });
  });

  it('moves large per-row arrays to the artifact store and keeps their URIs', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'line-rca-artifacts-'));
    try {
      const artifacts = new ArtifactStore(folder);
      const rows = Array.from({ length: 3000 }, (_, i) => ({ t: i, shap: [i / 3, -(i + 1) / 7] }));
      const big = { ...results, id: `${results.id}-big`, explanation: { rows, note: 'kept' } };
      const stored = await store.saveResults(big, { artifacts, maxInlineBytes: 16 * 1024 });
      const read = (await store.getResults(big.id))!;
      expect(read).toEqual(stored);
      expect(read.explanation).toEqual({ note: 'kept' });
      expect(read.artifacts?.['explanation.rows']).toMatch(/^file:\/\/.*explanation\.rows\.json$/);
      expect(await joinLargeArrays(read, artifacts)).toEqual(big);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('indexes and connection errors', () => {
  it('creates the indexes at start-up, idempotently', async () => {
    await store.ensureIndexes();
    const indexes = await store.db.collection(COLLECTIONS.measurements).indexes();
    expect(indexes.find((i) => i.name === 'line_variable_t')?.key).toEqual({ line: 1, variable: 1, t: 1 });
  });

  it('names the URI without its password when the server cannot be reached', async () => {
    const error = await MongoStore.connect('mongodb://ops:topsecret@127.0.0.1:9/line_rca', {
      timeoutMs: 500,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(MongoUnavailableError);
    expect(error.message).toContain('mongodb://ops:***@127.0.0.1:9/line_rca');
    expect(error.message).not.toContain('topsecret');
  });
});

describe('line-rca config', () => {
  async function cli(args: string[], env: Record<string, string> = { MONGODB_URI: uri }) {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const status = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
      return { status, stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.env = saved;
    }
  }

  it('put (YAML) prints the id; get prints the document; list shows it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'line-rca-config-'));
    try {
      const file = join(folder, 'line3.yaml');
      await writeFile(file, toYaml(config));
      const put = await cli(['config', 'put', file]);
      expect(put.status).toBe(0);
      const id = put.stdout.trim();
      expect(id).toMatch(/^[a-z0-9]+-[0-9a-f]{10}$/);
      const get = await cli(['config', 'get', id]);
      expect(get.status).toBe(0);
      expect(JSON.parse(get.stdout)).toEqual(config);
      const list = await cli(['config', 'list', '--json']);
      expect(JSON.parse(list.stdout).map((c: { id: string }) => c.id)).toContain(id);
      const listed = await cli(['config', 'list', '--line', 'line-3']);
      expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+LINE\s+NAME\s+UPDATED$/);
      expect(listed.stdout).toContain(id);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('exits 2 on an invalid file (every problem with its path) and 1 when MongoDB is unreachable', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'line-rca-config-'));
    try {
      const file = join(folder, 'bad.json');
      await writeFile(
        file,
        JSON.stringify({ ...config, search: { trials: 0 }, validation: { fraction: 2 } }),
      );
      const bad = await cli(['config', 'put', file]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/search\.trials: /);
      expect(bad.stderr).toMatch(/validation\.fraction: /);
      expect(await cli(['config', 'get', 'no-such-id'])).toMatchObject({ status: 1 });
      const down = await cli(['config', 'list'], {
        MONGODB_URI: 'mongodb://ops:pw-9876@127.0.0.1:9/x?serverSelectionTimeoutMS=300',
      });
      expect(down.status).toBe(1);
      expect(down.stderr).toContain('mongodb://ops:***@127.0.0.1:9/x');
      expect(down.stderr).not.toContain('pw-9876');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
