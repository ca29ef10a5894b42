/** Temporal settings from the environment, and a client connected with them. */
import { Client, Connection } from '@temporalio/client';

export interface TemporalSettings {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
}

export const DEFAULT_TASK_QUEUE = 'line-rca';

export function temporalSettings(env: NodeJS.ProcessEnv = process.env, taskQueue?: string): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS?.trim() || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    taskQueue: taskQueue ?? (env.LINE_RCA_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE),
  };
}

export class TemporalUnavailableError extends Error {
  constructor(address: string, cause: unknown) {
    super(
      `cannot reach Temporal at ${address} (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'set TEMPORAL_ADDRESS, or start the dev server with infra/services up',
    );
    this.name = 'TemporalUnavailableError';
  }
}

export async function connectClient(
  settings: TemporalSettings,
): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' });
  } catch (error) {
    throw new TemporalUnavailableError(settings.address, error);
  }
  return {
    client: new Client({ connection, namespace: settings.namespace }),
    close: () => connection.close(),
  };
}
