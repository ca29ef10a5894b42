// Smoke test against the real MongoDB wire-protocol server (`infra/services up`: FerretDB on
// SQLite) with the official driver: insert, find, upsert, read back; its database is dropped.
import { MongoClient } from 'mongodb';
import { serviceAddresses, uniqueName } from './setup/services';

const { mongodb } = serviceAddresses();

interface LineConfig {
  _id: string;
  line: string;
  threshold: number;
  variables: string[];
  updatedAt?: Date;
}

describe(`MongoDB at ${mongodb}`, () => {
  const client = new MongoClient(mongodb, { serverSelectionTimeoutMS: 10_000 });
  const dbName = uniqueName('smoke').replace(/-/g, '_');

  beforeAll(async () => {
    await client.connect();
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  test('insert, find and upsert round trip', async () => {
    const configs = client.db(dbName).collection<LineConfig>('analysis_configs');

    const inserted = await configs.insertMany([
      { _id: 'oven-a', line: 'bakery-1', threshold: 0.25, variables: ['oven_temp', 'humidity'] },
      { _id: 'mixer-b', line: 'bakery-1', threshold: 0.5, variables: ['speed'] },
      { _id: 'filler-c', line: 'dairy-2', threshold: 0.75, variables: ['pressure'] },
    ]);
    expect(inserted.insertedCount).toBe(3);

    const bakery = await configs.find({ line: 'bakery-1' }).sort({ threshold: 1 }).toArray();
    expect(bakery.map((c) => c._id)).toEqual(['oven-a', 'mixer-b']);
    expect(bakery[0].variables).toEqual(['oven_temp', 'humidity']);
    expect(await configs.countDocuments({ threshold: { $gt: 0.3 } })).toBe(2);

    const updatedAt = new Date('2026-01-02T03:04:05.000Z');
    const update = await configs.updateOne(
      { _id: 'oven-a' },
      { $set: { threshold: 0.3, updatedAt }, $push: { variables: 'belt_speed' } },
      { upsert: true },
    );
    expect(update.matchedCount).toBe(1);
    expect(update.modifiedCount).toBe(1);
    expect(update.upsertedId).toBeNull();

    const created = await configs.updateOne(
      { _id: 'slicer-d' },
      { $set: { line: 'bakery-1', threshold: 0.9, variables: ['blade_wear'] } },
      { upsert: true },
    );
    expect(created.matchedCount).toBe(0);
    expect(created.upsertedId).toBe('slicer-d');

    const oven = await configs.findOne({ _id: 'oven-a' });
    expect(oven).toEqual({
      _id: 'oven-a',
      line: 'bakery-1',
      threshold: 0.3,
      variables: ['oven_temp', 'humidity', 'belt_speed'],
      updatedAt,
    });
    expect(await configs.findOne({ _id: 'slicer-d' }, { projection: { _id: 0, threshold: 1 } })).toEqual({
      threshold: 0.9,
    });
    expect(await configs.countDocuments({ line: 'bakery-1' })).toBe(3);
  });
});
