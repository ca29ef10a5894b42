/**
 * `line-rca tracking flush [--dir DIR] [--any-server] [--json]`: applies, exactly once, the MLflow
 * operations that could not reach the server during earlier analyses (the journals under
 * `LINE_RCA_TRACKING_DIR`, default `.data/tracking`). `tracking pending` lists them without
 * contacting MLflow. Exit 0 when nothing is left pending, 1 when some is (MLflow still down).
 */
import { InvalidInputError } from '../analysis/errors';
import { MlflowClient, mlflowSettingsFromEnv } from '../connectors/mlflow';
import { MongoStore, mongoUriFromEnv } from '../connectors/mongo';
import { type FlushReport, flushJournals, pendingJournals, trackingDirFromEnv } from '../connectors/tracking';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const trackingSpec = {
  name: 'tracking',
  usage: ['tracking flush [--dir DIR] [--any-server] [--json]', 'tracking pending [--dir DIR] [--json]'],
  description:
    'MLflow runs that could not be logged while MLflow was unreachable wait in journals (default\n' +
    '.data/tracking, LINE_RCA_TRACKING_DIR). flush sends them to MLFLOW_TRACKING_URI, each exactly once;\n' +
    'exit 1 while some stay pending.',
  actions: [
    { name: 'flush', description: 'send the pending runs to MLflow (and update the stored results)' },
    { name: 'pending', description: 'list the pending runs without contacting MLflow' },
  ],
  options: {
    dir: {
      type: 'string',
      value: 'DIR',
      description: 'the journals folder (default LINE_RCA_TRACKING_DIR or .data/tracking)',
    },
    'any-server': {
      type: 'boolean',
      description: 'flush to MLFLOW_TRACKING_URI even when the journal was written for another server',
      default: false,
    },
    json: { type: 'boolean', description: 'JSON on stdout', default: false },
  },
  positionals: true,
} as const satisfies CommandSpec;
const USAGE = trackingSpec.usage.join(' | ');

export async function trackingCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(trackingSpec, argv, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
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
