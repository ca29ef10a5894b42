import { MongoClient } from 'mongodb';

// Where the real services are: the same variables the product reads, with the local defaults
// that `infra/services up` uses.
export interface ServiceAddresses {
  /** Temporal frontend gRPC, host:port. */
  temporal: string;
  /** MongoDB connection string (FerretDB locally). */
  mongodb: string;
  /** MLflow tracking server base URL, without a trailing slash. */
  mlflow: string;
}

export function serviceAddresses(env: NodeJS.ProcessEnv = process.env): ServiceAddresses {
  return {
    temporal: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    mongodb: env.MONGODB_URI || 'mongodb://127.0.0.1:27017',
    mlflow: (env.MLFLOW_TRACKING_URI || 'http://127.0.0.1:5000').replace(/\/+$/, ''),
  };
}

/** A name no other run (or a concurrent jest worker) uses: smoke data never collides. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Drops a test's own MongoDB database (best effort: the test's outcome does not depend on it). */
export async function dropDatabase(uri: string, database: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client
    .connect()
    .then(() => client.db(database).dropDatabase())
    .catch(() => undefined)
    .finally(() => client.close());
}
