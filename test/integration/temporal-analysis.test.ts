// The analysis on the real Temporal dev server (`infra/services up`), with real worker processes
// (`line-rca worker`, from the build): the same rankings as the embedded runner, a worker killed
// in the middle of the search, two workers sharing the trials, and a schedule through the CLI.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { parseConfig } from '../../analysis/config';
import type { ResultsDocument } from '../../analysis/results';
import { main } from '../../cli/main';
import { writeDemoLine } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';
import type { PipelineResult } from '../../pipeline/plan';
import { capture } from '../support/capture';
import { serviceAddresses, uniqueName } from './setup/services';
import { startWorker as startWorkerProcess, stopWorker } from './setup/worker-process';

const { temporal: address, mongodb } = serviceAddresses();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-temporal-'));
const artifacts = path.join(tmp, 'artifacts');
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: address,
  MONGODB_URI: databaseUri(mongodb, uniqueName('rca_temporal').replace(/-/g, '_')),
  LINE_RCA_ARTIFACTS: artifacts,
  MLFLOW_TRACKING_URI: '',
};
const workers: ChildProcess[] = [];

function databaseUri(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

async function startWorker(taskQueue: string, concurrency: number): Promise<ChildProcess> {
  const child = await startWorkerProcess(env, taskQueue, concurrency);
  workers.push(child);
  return child;
}

const stop = stopWorker;

function configDocument(trials: number, parallelism: number, line = { file: 'line.parquet', window: '10m' }) {
  return {
    name: 'temporal test line',
    line: 'test-line',
    source: { kind: 'file', path: path.join(tmp, line.file), timeColumn: 'time' },
    target: 'burnt_rate > 0.05',
    variables: { exclude: ['crack_rate', 'energy_kw'] },
    aggregation: { window: line.window, functions: ['mean', 'max', 'min'] },
    search: { trials, seed: 7, timeoutSeconds: 600, parallelism },
  };
}

function trialEvents(history: temporal.api.history.v1.IHistory) {
  const events = history.events ?? [];
  const scheduled = new Map<string, number>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name === 'searchTrial') scheduled.set(String(e.eventId), 1);
  }
  const started = events
    .map((e) => e.activityTaskStartedEventAttributes)
    .filter((a) => a && scheduled.has(String(a.scheduledEventId)));
  const completed = events
    .map((e) => e.activityTaskCompletedEventAttributes)
    .filter((a) => a && scheduled.has(String(a.scheduledEventId)));
  const seconds = (e: temporal.api.history.v1.IHistoryEvent) =>
    Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;
  const trialTimes = events
    .filter(
      (e) =>
        scheduled.has(String(e.eventId)) ||
        scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')),
    )
    .map(seconds);
  const searchSeconds = trialTimes.length ? Math.max(...trialTimes) - Math.min(...trialTimes) : 0;
  return { scheduled: scheduled.size, started, completed: completed.length, searchSeconds };
}

let connection: Connection;
let client: Client;

beforeAll(async () => {
  process.env.LINE_RCA_ARTIFACTS = artifacts;
  await writeDemoLine(path.join(tmp, 'line.parquet'), { days: 6, seed: 11 });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
  await connection?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('analyzeLine on Temporal', () => {
  it('returns the same rankings as the embedded runner for the same configuration and seed', async () => {
    const taskQueue = uniqueName('rca-same');
    const worker = await startWorker(taskQueue, 2);
    const file = path.join(tmp, 'same.json');
    writeFileSync(file, JSON.stringify(configDocument(6, 2)));
    const { io, out, err } = capture();
    const status = await main(['run', '--config', file, '--wait', '--json', '--task-queue', taskQueue], io);
    expect({ status, err: status === 0 ? '' : err.join('') }).toEqual({ status: 0, err: '' });
    const viaTemporal = JSON.parse(out.join('')) as ResultsDocument;
    await stop(worker);

    const embedded = (await runEmbedded({ config: parseConfig(configDocument(6, 2)), baseDir: tmp })).results;
    expect(viaTemporal.distribution.map((d) => d.variable)).toEqual(
      embedded.distribution.map((d) => d.variable),
    );
    expect(viaTemporal.importance.map((d) => d.variable)).toEqual(embedded.importance.map((d) => d.variable));
    expect(viaTemporal.model?.trials.map((t) => [t.kind, t.value])).toEqual(
      embedded.model?.trials.map((t) => [t.kind, t.value]),
    );
    expect(viaTemporal.model?.validation.auc).toBeCloseTo(embedded.model!.validation.auc as number, 12);
    expect(viaTemporal.data).toEqual(embedded.data);
    // Both runners run the rules stage (its null draws split over however many threads they have).
    expect(viaTemporal.rules?.length).toBeGreaterThan(0);
    expect(viaTemporal.rules).toEqual(embedded.rules);
    expect(viaTemporal.operatingWindows).toEqual(embedded.operatingWindows);
    expect(viaTemporal.recommendation).toEqual(embedded.recommendation);
  }, 600_000);

  it('survives a worker killed in the middle of the search without repeating finished trials', async () => {
    const taskQueue = uniqueName('rca-kill');
    const first = await startWorker(taskQueue, 2);
    const trials = 10;
    const handle = await client.workflow.start('analyzeLine', {
      taskQueue,
      workflowId: uniqueName('analysis-kill'),
      args: [{ config: configDocument(trials, 2) }],
    });
    for (;;) {
      const progress = (await handle.query('progress')) as { trialsDone: number };
      if (progress.trialsDone >= 3) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await stop(first, 'SIGKILL');
    await startWorker(taskQueue, 2);
    const outcome = (await handle.result()) as PipelineResult;
    expect(outcome.status).toBe('complete');
    const events = trialEvents(await handle.fetchHistory());
    expect(events.scheduled).toBe(trials);
    expect(events.completed).toBe(trials);
  }, 600_000);

  it('shares the trials between two workers', async () => {
    // The same search with one single-thread worker, then with two: the trials spread over
    // both, and the search's wall time is printed for the record (no timing assertion). The
    // line is larger here (30 days, 1-minute windows: about 43,000 observations), so that a
    // trial takes about a second, as on real lines, and not mostly the activity round trips.
    const heavy = { file: 'line-30d.parquet', window: '1m' };
    await writeDemoLine(path.join(tmp, heavy.file), { days: 30, seed: 11 });
    const TRIALS = 12;
    const searchSeconds: number[] = [];
    for (const count of [1, 2]) {
      const taskQueue = uniqueName(`rca-workers-${count}`);
      const started = await Promise.all(Array.from({ length: count }, () => startWorker(taskQueue, 1)));
      const handle = await client.workflow.start('analyzeLine', {
        taskQueue,
        workflowId: uniqueName(`analysis-workers-${count}`),
        args: [{ config: configDocument(TRIALS, 2, heavy) }],
      });
      await handle.result();
      const events = trialEvents(await handle.fetchHistory());
      expect(events.completed).toBe(TRIALS);
      const identities = new Set(events.started.map((a) => a!.identity));
      expect(identities.size).toBe(count);
      searchSeconds.push(events.searchSeconds);
      await Promise.all(started.map((w) => stop(w)));
    }
    process.stderr.write(
      `search wall time, ${TRIALS} trials, parallelism 2, 30-day line at 1 minute: one worker ${searchSeconds[0].toFixed(1)} s, two workers ${searchSeconds[1].toFixed(1)} s\n`,
    );
  }, 600_000);

  it('creates, lists, triggers and deletes a schedule through the CLI', async () => {
    const taskQueue = uniqueName('rca-schedule');
    await startWorker(taskQueue, 2);
    const file = path.join(tmp, 'scheduled.json');
    writeFileSync(file, JSON.stringify(configDocument(3, 2)));
    const saved = process.env.MONGODB_URI;
    process.env.MONGODB_URI = env.MONGODB_URI;
    try {
      const put = capture();
      expect(await main(['config', 'put', file], put.io)).toBe(0);
      const configId = put.out.join('').trim();
      expect(configId).not.toBe('');

      const create = capture();
      const created = await main(
        [
          'schedule',
          'create',
          '--config-id',
          configId,
          '--cron',
          '0 2 * * *',
          '--timezone',
          'Europe/Paris',
          '--task-queue',
          taskQueue,
        ],
        create.io,
      );
      expect({ created, err: create.err.join('') }).toEqual({ created: 0, err: '' });

      // Temporal lists schedules from its visibility store, which follows a creation by a moment.
      let listed: { configId: string; cron: string[]; timezone: string } | undefined;
      for (let attempt = 0; attempt < 40 && !listed; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
        const list = capture();
        expect(await main(['schedule', 'list', '--json'], list.io)).toBe(0);
        listed = (
          JSON.parse(list.out.join('')) as { configId: string; cron: string[]; timezone: string }[]
        ).find((s) => s.configId === configId);
      }
      expect(listed).toMatchObject({ cron: ['0 2 * * *'], timezone: 'Europe/Paris' });

      expect(await main(['schedule', 'trigger', '--config-id', configId], capture().io)).toBe(0);
      const schedule = client.schedule.getHandle(`line-rca-${configId}`);
      let workflowId: string | undefined;
      for (let i = 0; i < 120 && !workflowId; i++) {
        workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 500));
      }
      expect(workflowId).toMatch(new RegExp(`^analysis-${configId}-`));
      const outcome = (await client.workflow.getHandle(workflowId!).result()) as PipelineResult;
      expect(outcome.status).toBe('complete');
      expect(outcome.storedIn).toContain('mongodb');

      expect(await main(['schedule', 'delete', '--config-id', configId], capture().io)).toBe(0);
      const after = capture();
      await main(['schedule', 'list', '--json'], after.io);
      expect((JSON.parse(after.out.join('')) as { configId: string }[]).map((s) => s.configId)).not.toContain(
        configId,
      );
      const missing = capture();
      expect(await main(['schedule', 'trigger', '--config-id', configId], missing.io)).toBe(2);
      expect(missing.err.join('')).toMatch(/no schedule for configuration/);
    } finally {
      process.env.MONGODB_URI = saved;
    }
  }, 600_000);
});
