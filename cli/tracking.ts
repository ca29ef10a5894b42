/**
 * `line-rca tracking flush [--dir DIR] [--any-server] [--json]`: applies, exactly once, the MLflow
 * operations that could not reach the server during earlier analyses (the journals under
 * `LINE_RCA_TRACKING_DIR`, default `.data/tracking`). `tracking pending` lists them without
 * contacting MLflow. Exit 0 when nothing is left pending, 1 when some is (MLflow still down).
 */
import { parseArgs } from 'node:util';
import { InvalidInputError } from '../analysis/errors';
import { MlflowClient, mlflowSettingsFromEnv } from '../connectors/mlflow';
import { MongoStore, mongoUriFromEnv } from '../connectors/mongo';
import { type FlushReport, flushJournals, pendingJournals, trackingDirFromEnv } from '../connectors/tracking';
import type { CommandIO } from './io';

const USAGE = 'tracking flush [--dir DIR] [--any-server] [--json] | pending [--dir DIR] [--json]';

export async function trackingCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      'any-server': { type: 'boolean', default: false },
    },
  });
  const [action, ...extra] = positionals;
  if ((action !== 'flush' && action !== 'pending') || extra.length > 0) {
    throw new InvalidInputError({ where: 'tracking', message: `usage: line-rca ${USAGE}` });
  }
  const dir = values.dir ?? trackingDirFromEnv();

  if (action === 'pending') {
    const pending = await pendingJournals(dir);
    if (values.json) io.stdout(`${JSON.stringify(pending)}\n`);
    else if (pending.length === 0) io.stderr(`nothing pending in ${dir}\n`);
    else for (const p of pending) io.stdout(`${p.analysisId ?? p.journal}: ${p.pending.join(', ')}\n`);
    return 0;
  }

  const settings = mlflowSettingsFromEnv();
  if (!settings) {
    throw new InvalidInputError({
      where: 'MLFLOW_TRACKING_URI',
      message: 'is not set; set it to the MLflow tracking server to flush to, e.g. http://127.0.0.1:5000',
    });
  }
  const client = new MlflowClient(settings);
  io.stderr(`flushing ${dir} to ${client.displayUri}\n`);
  const reports = await flushJournals({ client, dir, anyServer: values['any-server'] });
  const left = reports.filter((r) => r.pending.length > 0);
  await updateStoredResults(reports, io);
  if (values.json) {
    io.stdout(`${JSON.stringify(reports)}\n`);
  } else {
    for (const r of reports) {
      const name = r.analysisId ?? r.journal;
      const parts = [`${r.applied} operation(s) applied`];
      if (r.failed > 0) parts.push(`${r.failed} refused by MLflow (see ${r.journal})`);
      if (r.pending.length > 0) parts.push(`still pending: ${r.pending.join(', ')}`);
      if (r.skipped) parts.push(`(${r.skipped})`);
      io.stdout(`${name}: ${parts.join('; ')}\n`);
    }
    if (reports.length === 0) io.stderr('nothing pending\n');
  }
  return left.length > 0 ? 1 : 0;
}

/**
 * With MONGODB_URI set, the stored results of each flushed analysis get their new `tracking`
 * status, so the platform no longer sees those runs as pending. A MongoDB problem here is only
 * a warning: the runs are in MLflow either way.
 */
async function updateStoredResults(reports: FlushReport[], io: CommandIO): Promise<void> {
  const changed = reports.filter((r) => r.applied > 0 && r.analysisId && r.tracking);
  const uri = mongoUriFromEnv();
  if (changed.length === 0 || !uri) return;
  try {
    const store = await MongoStore.connect(uri);
    try {
      for (const r of changed) await store.setTracking(r.analysisId!, r.tracking!);
    } finally {
      await store.close();
    }
  } catch (error) {
    io.stderr(`line-rca tracking: warning: results in MongoDB not updated: ${(error as Error).message}\n`);
  }
}
