/**
 * MongoDB `measurements` against the real server (`infra/services up`, MONGODB_URI): the same
 * dataset read from CSV, Parquet and MongoDB gives identical observation tables and identical
 * window features. The collection is read with a small cursor batch to exercise batching.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { parseTarget } from '../../analysis/aggregate/target';
import { parsePeriod } from '../../analysis/aggregate/time';
import type { ObservationTable } from '../../analysis/frame';
import { newDatasetUri, readFeatureDataset, readObservationDataset } from '../../connectors/datasets';
import { aggregateDataset, extractSource, type SourceSpec } from '../../connectors/sources';

const uri = process.env.MONGODB_URI;
const fixtures = path.join(__dirname, '..', 'fixtures', 'aggregate');
const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-measurements-'));
const database = `line_rca_test_${process.pid}_${Date.now().toString(36)}`;

function documents(): Record<string, unknown>[] {
  const lines = readFileSync(path.join(fixtures, 'line_long.csv'), 'utf8').trimEnd().split('\n').slice(1);
  return lines.map((line) => {
    const [t, variable, raw] = line.split(',');
    const value = Number.isNaN(Number(raw)) ? raw : Number(raw);
    return { line: 'line-1', variable, t: new Date(t), value };
  });
}

function byName(table: ObservationTable) {
  return Object.fromEntries(table.variables.map((v) => [v.name, v.data]));
}

async function observations(spec: SourceSpec) {
  const out = newDatasetUri('raw', tmp);
  const report = await extractSource(spec, {}, out);
  return { report, table: await readObservationDataset(out) };
}

describe('MongoDB measurements source', () => {
  const client = new MongoClient(uri ?? 'mongodb://unset');
  const mongo: SourceSpec = { kind: 'mongo', uri, database, line: 'line-1', batchSize: 500 };

  beforeAll(async () => {
    if (!uri)
      throw new Error('set MONGODB_URI (eval "$(infra/services env)") to run the MongoDB integration tests');
    await client.connect();
    const collection = client.db(database).collection('measurements');
    await collection.createIndex({ line: 1, variable: 1, t: 1 });
    const docs = documents();
    await collection.insertMany(docs);
    // Another line's documents must not leak in.
    await collection.insertMany(
      docs.slice(0, 50).map(({ _id, ...d }) => ({ ...d, line: 'line-2', value: 999 })),
    );
  });

  afterAll(async () => {
    if (uri) await client.db(database).dropDatabase();
    await client.close();
  });

  test('CSV, Parquet and MongoDB give identical observation tables', async () => {
    const csv = await observations({ kind: 'file', path: path.join(fixtures, 'line.csv') });
    const parquet = await observations({ kind: 'file', path: path.join(fixtures, 'line.parquet') });
    const fromMongo = await observations(mongo);
    expect(fromMongo.report.layout).toBe('long');
    expect(fromMongo.report.source).toMatch(/mongodb:measurements \(line line-1\)/);
    expect(fromMongo.table.rows).toBe(1405);
    for (const other of [parquet.table, fromMongo.table]) {
      expect(Array.from(other.time!)).toEqual(Array.from(csv.table.time!));
      expect(byName(other)).toEqual(byName(csv.table));
    }
  });

  test('period and variable filters are applied; window features equal those from the CSV', async () => {
    const request = {
      target: parseTarget('quality > 0.8'),
      aggregation: {
        kind: 'windows',
        windowMs: 600_000,
        lagWindows: 1,
        functions: ['mean', 'std', 'last', 'slope', 'p90'],
      } as const,
    };
    const options = {
      period: parsePeriod('2026-10-01T06:00:00Z', '2026-10-01T18:00:00Z', { from: 'from', to: 'to' }),
      exclude: ['speed'],
      keep: ['quality'],
    };
    // The product's path: extract (the one loader), then aggregate (the one aggregation).
    const features = async (spec: SourceSpec) => {
      const observations = newDatasetUri('o', tmp);
      await extractSource(spec, options, observations);
      const uri = newDatasetUri('f', tmp);
      await aggregateDataset(observations, request, uri);
      return { features: await readFeatureDataset(uri) };
    };
    const a = await features({ kind: 'file', path: path.join(fixtures, 'line.csv') });
    const b = await features(mongo);
    // Same features (a long source lists variables by name, a wide one in file order).
    expect([...b.features.matrix.names].sort()).toEqual([...a.features.matrix.names].sort());
    expect(b.features.matrix.names.some((n) => n.startsWith('speed__'))).toBe(false);
    expect(Array.from(b.features.times)).toEqual(Array.from(a.features.times));
    expect(b.features.times[0]).toBe(Date.parse('2026-10-01T06:10:00Z'));
    expect(Array.from(b.features.labels)).toEqual(Array.from(a.features.labels));
    expect(b.features.labels.length).toBe(71);
    b.features.matrix.names.forEach((name, j) => {
      const column = b.features.matrix.columns[j];
      const want = a.features.matrix.columns[a.features.matrix.names.indexOf(name)];
      column.forEach((x, i) => {
        const same =
          (Number.isNaN(x) && Number.isNaN(want[i])) ||
          Math.abs(x - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i]));
        if (!same) expect([name, i, x]).toEqual([name, i, want[i]]);
      });
    });
  });

  test('a missing MONGODB_URI is an input error', async () => {
    const saved = process.env.MONGODB_URI;
    delete process.env.MONGODB_URI;
    try {
      await expect(observations({ kind: 'mongo' })).rejects.toThrow(/MONGODB_URI/);
    } finally {
      process.env.MONGODB_URI = saved;
    }
  });
});
