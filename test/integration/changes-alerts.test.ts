// Two nightly analyses of a line whose cause changed in between (analysis/demo/shifting-line.ts:
// oven zone 2 until day 10, proofer humidity after), stored in MongoDB and tracked in MLflow:
// the second names the new cause and the vanished one in `changes` (results, MongoDB, MLflow
// tags), and a webhook receiver on 127.0.0.1 gets exactly one alert. Plus the alert's retries.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { alert } from '../../activities/alerts';
import type { Changes } from '../../analysis/changes';
import { parseConfig } from '../../analysis/config';
import { generateShiftingLine } from '../../analysis/demo/shifting-line';
import type { ResultsDocument } from '../../analysis/results';
import { writeTableParquet } from '../../connectors/demo-line';
import { MongoStore } from '../../connectors/mongo';
import { runEmbedded } from '../../pipeline/embedded';
import { databaseUri } from './setup/served-analysis';
import { serviceAddresses, uniqueName } from './setup/services';

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 answering `statuses` in turn (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(text) });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/line-rca`,
    received,
    server,
  };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-changes-'));
const services = serviceAddresses();
const mongoUri = databaseUri(services.mongodb, uniqueName('rca_changes').replace(/-/g, '_'));
const experiment = uniqueName('changes');
const saved = { ...process.env };
let hook: Awaited<ReturnType<typeof receiver>>;
const runs: ResultsDocument[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    MONGODB_URI: mongoUri,
    LINE_RCA_ARTIFACTS: path.join(tmp, 'artifacts'),
    LINE_RCA_TRACKING_DIR: path.join(tmp, 'tracking'),
    MLFLOW_TRACKING_URI: services.mlflow,
  });
  hook = await receiver();
  const line = generateShiftingLine({ seed: 3 });
  await writeTableParquet(line.table, path.join(tmp, 'line.parquet'));
  const night = (from: string, to: string) =>
    parseConfig({
      name: 'bakery rejects, nightly',
      line: 'shifting line',
      source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
      period: { from, to },
      target: line.target,
      aggregation: { window: '10m', functions: ['mean', 'min', 'max'] },
      models: ['gbdt', 'logistic'],
      search: { trials: 4, seed: 5 },
      tracking: { experiment },
      alerts: { webhook: hook.url, on: ['new-cause', 'auc-drop'] },
    });
  // Night 1 sees the days before the switch; night 2 the days after it.
  const end = new Date(Date.parse(line.switchAt) + 10 * 86_400_000).toISOString();
  for (const config of [night(line.start, line.switchAt), night(line.switchAt, end)]) {
    runs.push((await runEmbedded({ config, baseDir: tmp })).results);
  }
}, 600_000);

afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => hook?.server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

describe('changes since the last run, and alerts', () => {
  const line = generateShiftingLine({ seed: 3 });

  it('finds nothing to compare on the first night and the change on the second', () => {
    const [first, second] = runs;
    expect(first.changes).toBeNull();
    const changes = second.changes as Changes;
    expect(changes.previousId).toBe(first.id);
    expect(changes.previousCauses).toEqual([line.before]);
    expect(changes.causes).toEqual([line.after]);
    expect(changes.newCauses).toEqual([line.after]);
    expect(changes.goneCauses).toEqual([line.before]);
    // The moved ranks include both causes: one rose into the top, the other fell out.
    const moved = new Map(changes.rankMoves.map((m) => [m.variable, m]));
    expect(moved.get(line.after)!.to!).toBeLessThan(moved.get(line.after)!.from ?? Infinity);
    expect(moved.get(line.before)!.to ?? Infinity).toBeGreaterThan(moved.get(line.before)!.from!);
    const rate = (r: ResultsDocument) => r.data.positives / r.data.rows;
    expect(changes.badRate.from).toBeCloseTo(rate(first), 12);
    expect(changes.badRate.to).toBeCloseTo(rate(second), 12);
    expect(changes.aucChange).toBeCloseTo(
      (second.model!.validation.auc as number) - (first.model!.validation.auc as number),
      12,
    );
  });

  it('stores the changes in MongoDB and tags the MLflow run with them', async () => {
    const store = await MongoStore.connect(mongoUri);
    try {
      const stored = await store.getResults(runs[1].id);
      expect(stored?.changes).toEqual(runs[1].changes);
    } finally {
      await store.close();
    }
    const runId = runs[1].tracking?.runId;
    expect(runId).toBeDefined();
    const response = await fetch(`${services.mlflow}/api/2.0/mlflow/runs/get?run_id=${runId}`);
    const run = (await response.json()) as { run: { data: { tags: { key: string; value: string }[] } } };
    const tags = Object.fromEntries(run.run.data.tags.map((t) => [t.key, t.value]));
    expect(tags['line_rca.changes.previous_id']).toBe(runs[0].id);
    expect(tags['line_rca.changes.new_causes']).toContain(line.after);
    expect(tags['line_rca.changes.gone_causes']).toContain(line.before);
  });

  it('sends exactly one alert, on the second night, with the summary and the report link', () => {
    expect(hook.received).toHaveLength(1);
    const [{ headers, body }] = hook.received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe(runs[1].id);
    expect(body.events).toContain('new-cause');
    expect(body.newCauses).toEqual((runs[1].changes as Changes).newCauses);
    expect(body.goneCauses).toEqual((runs[1].changes as Changes).goneCauses);
    expect(body.analysis).toMatchObject({ id: runs[1].id, line: 'shifting line', target: line.target });
    expect(body.report).toMatch(/^file:\/\/.*report\.html$/);
    // The webhook's address (it may hold a secret) is not copied into the results.
    expect(runs[1].config).not.toHaveProperty('alerts');
  });
});

describe('alert delivery', () => {
  const changes: Changes = {
    previousId: 'before',
    previousFinishedAt: '2026-01-01T00:00:00Z',
    causeRule: 'test',
    causes: ['b'],
    previousCauses: ['a'],
    newCauses: ['b'],
    goneCauses: ['a'],
    rankMoves: [],
    thresholdShifts: [],
    windowShifts: [],
    aucChange: -0.01,
    badRate: { from: 0.02, to: 0.021, moved: false },
  };
  const input = (webhook: string) => ({
    analysisId: 'now',
    config: {
      name: 'n',
      line: 'l',
      target: 't == 1',
      alerts: { webhook, on: ['new-cause' as const, 'auc-drop' as const], aucDrop: 0.05 },
    },
    finishedAt: '2026-01-02T00:00:00Z',
    changes,
    reportUri: null,
    retryDelayMs: 10,
  });

  it('retries a failing receiver, then succeeds once, with the serve link when LINE_RCA_PUBLIC_URL is set', async () => {
    const flaky = await receiver([503, 502]);
    process.env.LINE_RCA_PUBLIC_URL = 'https://rca.example.test/';
    try {
      const outcome = await alert(input(flaky.url));
      expect(outcome).toEqual({ events: ['new-cause'], sent: true, attempts: 3 });
      expect(flaky.received).toHaveLength(3);
      expect(new Set(flaky.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['now']));
      expect(flaky.received[2].body.report).toBe('https://rca.example.test/api/analyses/now/report');
    } finally {
      delete process.env.LINE_RCA_PUBLIC_URL;
      await new Promise((resolve) => flaky.server.close(resolve));
    }
  });

  it('gives up without throwing when nobody answers, and does not retry a refusal', async () => {
    const gone = await receiver();
    const url = gone.url;
    await new Promise((resolve) => gone.server.close(resolve));
    const outcome = await alert(input(url));
    expect(outcome).toMatchObject({ events: ['new-cause'], sent: false, attempts: 4 });
    const refusing = await receiver([404]);
    try {
      expect(await alert(input(refusing.url))).toMatchObject({ sent: false, attempts: 1, error: 'HTTP 404' });
    } finally {
      await new Promise((resolve) => refusing.server.close(resolve));
    }
  });

  it('stays quiet when no configured condition holds', async () => {
    const quiet = await alert({ ...input('http://127.0.0.1:9/'), changes: { ...changes, newCauses: [] } });
    expect(quiet).toEqual({ events: [], sent: false, attempts: 0 });
  });
});
