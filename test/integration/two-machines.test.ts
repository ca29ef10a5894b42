// Two workers as if on two machines (issue 22): each `line-rca worker` runs in its own working
// folder with its own cache (LINE_RCA_CACHE); they share only Temporal and MongoDB, which is
// also their artifact storage (LINE_RCA_ARTIFACTS=mongodb://…, GridFS). The source is a file
// neither has seen: uploaded with `line-rca data put` from a third folder, which is then
// deleted. One worker is killed in the middle of the search; the analysis completes on the
// other and equals the embedded runner's.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../analysis/config';
import type { ResultsDocument } from '../../analysis/results';
import { ArtifactCache, GridFsStorage } from '../../connectors/artifact-storage';
import { writeDemoLine } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';
import type { PipelineResult } from '../../pipeline/plan';
import { dropDatabase, serviceAddresses, uniqueName } from './setup/services';
import { startWorker as startWorkerProcess, stopWorker as stop } from './setup/worker-process';

const bin = path.join(__dirname, '..', '..', 'bin', 'line-rca.js');
const { temporal: address, mongodb } = serviceAddresses();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-two-machines-'));
const database = uniqueName('rca_two_machines').replace(/-/g, '_');
const shared = (() => {
  const url = new URL(mongodb);
  url.pathname = `/${database}`;
  return url.toString();
})();

/** A machine: its working folder, its cache, its tracking folder; Temporal and MongoDB shared. */
function machine(name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    MONGODB_URI: shared,
    MLFLOW_TRACKING_URI: '',
    LINE_RCA_ARTIFACTS: shared,
    LINE_RCA_CACHE: path.join(dir, 'cache'),
    LINE_RCA_TRACKING_DIR: path.join(dir, 'tracking'),
  };
  delete env.LINE_RCA_ARTIFACTS_URI;
  return { dir, env };
}

function startWorker(m: { dir: string; env: NodeJS.ProcessEnv }, taskQueue: string): Promise<ChildProcess> {
  return startWorkerProcess(m.env, taskQueue, 1, { cwd: m.dir });
}

/** Every file under `dir` (relative paths). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

const TRIALS = 12;
const configOf = (source: Record<string, unknown>) => ({
  name: 'two machines',
  line: 'two-machines',
  source: { ...source, timeColumn: 'time' },
  target: 'burnt_rate > 0.05',
  variables: { exclude: ['crack_rate', 'energy_kw'] },
  aggregation: { window: '10m', functions: ['mean', 'max', 'min'] },
  search: { trials: TRIALS, seed: 7, timeoutSeconds: 600, parallelism: 2 },
});

const workers: ChildProcess[] = [];
let connection: Connection;
let uri: string;
let embedded: ResultsDocument;

beforeAll(async () => {
  // The uploader: writes the line, puts it in the storage, and then forgets it.
  const uploader = machine('uploader');
  const file = path.join(uploader.dir, 'line.parquet');
  await writeDemoLine(file, { days: 6, seed: 11 });
  const put = execFileSync(process.execPath, [bin, 'data', 'put', file], {
    cwd: uploader.dir,
    env: uploader.env,
    encoding: 'utf8',
  });
  uri = put.trim().split('\n').at(-1) ?? '';
  expect(uri).toMatch(/^gridfs:\/\/artifacts\/data\/[0-9a-f]{64}\/line\.parquet#sha256=[0-9a-f]{64}$/);

  // The reference: the embedded runner on the same file, in a folder storage of its own.
  const saved = { ...process.env };
  Object.assign(process.env, {
    LINE_RCA_ARTIFACTS: path.join(tmp, 'embedded'),
    MONGODB_URI: '',
    MLFLOW_TRACKING_URI: '',
  });
  delete process.env.LINE_RCA_ARTIFACTS_URI;
  try {
    embedded = (
      await runEmbedded({ config: parseConfig(configOf({ kind: 'file', path: file })), baseDir: tmp })
    ).results;
  } finally {
    process.env = saved;
  }
  rmSync(uploader.dir, { recursive: true, force: true });
  connection = await Connection.connect({ address });
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
  await connection?.close();
  await dropDatabase(shared, database);
  rmSync(tmp, { recursive: true, force: true });
});

describe('two workers sharing only Temporal and MongoDB', () => {
  it('analyse a file neither has seen, survive losing one mid-search, and equal the embedded run', async () => {
    const taskQueue = uniqueName('rca-two-machines');
    const a = machine('machine-a');
    const b = machine('machine-b');
    const first = await startWorker(a, taskQueue);
    workers.push(first);
    workers.push(await startWorker(b, taskQueue));
    const client = new Client({ connection });
    const handle = await client.workflow.start('analyzeLine', {
      taskQueue,
      workflowId: uniqueName('analysis-two-machines'),
      args: [{ config: configOf({ kind: 'artifact', uri }) }],
    });
    let doneAtKill = 0;
    for (;;) {
      doneAtKill = ((await handle.query('progress')) as { trialsDone: number }).trialsDone;
      if (doneAtKill >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await stop(first, 'SIGKILL');
    expect(doneAtKill).toBeLessThan(TRIALS);
    const outcome = (await handle.result()) as PipelineResult;
    expect(outcome.status).toBe('complete');
    expect(outcome.resultsUri).toMatch(/^gridfs:\/\/artifacts\/analyses\//);
    // Both workers ran trials; every trial completed exactly once in the history.
    const events = (await handle.fetchHistory()).events ?? [];
    const trialIds = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'searchTrial')
        .map((e) => String(e.eventId)),
    );
    const started = events
      .map((e) => e.activityTaskStartedEventAttributes)
      .filter((e) => e && trialIds.has(String(e.scheduledEventId)));
    const completed = events
      .map((e) => e.activityTaskCompletedEventAttributes)
      .filter((e) => e && trialIds.has(String(e.scheduledEventId)));
    expect({ scheduled: trialIds.size, completed: completed.length }).toEqual({
      scheduled: TRIALS,
      completed: TRIALS,
    });
    expect(new Set(started.map((e) => e!.identity)).size).toBe(2);

    // Read back through a third cache: the storage holds the results, not a worker's folder.
    const reader = new GridFsStorage(shared, new ArtifactCache(path.join(tmp, 'reader-cache')));
    const results = JSON.parse(
      readFileSync(await reader.localPath(outcome.resultsUri), 'utf8'),
    ) as ResultsDocument;
    expect(results.distribution.map((d) => [d.variable, d.score])).toEqual(
      embedded.distribution.map((d) => [d.variable, d.score]),
    );
    expect(results.importance.map((d) => d.variable)).toEqual(embedded.importance.map((d) => d.variable));
    expect(results.model?.trials.map((t) => [t.kind, t.value])).toEqual(
      embedded.model?.trials.map((t) => [t.kind, t.value]),
    );
    expect(results.model?.validation.auc).toBeCloseTo(embedded.model!.validation.auc as number, 12);
    expect(results.data).toEqual(embedded.data);
    for (const artifact of Object.values((results as { artifacts?: Record<string, string> }).artifacts ?? {}))
      expect(artifact).toMatch(/^gridfs:\/\/artifacts\//);

    // No worker keeps a Parquet file outside its cache.
    for (const m of [a, b]) {
      const parquet = filesUnder(m.dir).filter((f) => f.endsWith('.parquet'));
      expect(parquet.filter((f) => !f.startsWith(`cache${path.sep}`))).toEqual([]);
    }
    // The surviving worker read the source from the storage into its own cache.
    expect(
      filesUnder(b.dir).some((f) => f.startsWith(`cache${path.sep}objects`) && f.endsWith('line.parquet')),
    ).toBe(true);
  }, 600_000);
});
