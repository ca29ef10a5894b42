/**
 * Tracking against the real MLflow server `infra/services up` starts (or MLFLOW_TRACKING_URI):
 * a parent run with nested trial runs, and the outage path — journal while MLflow cannot be
 * reached, then `flush` creates every run exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { MlflowClient, type Run } from '../../connectors/mlflow';
import { MongoStore } from '../../connectors/mongo';
import { createTracker, flushJournals, Journal, RUN_KEY_TAG, type Tracker } from '../../connectors/tracking';

const trackingUri = process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000';
const client = new MlflowClient({ trackingUri });
const experiment = `line-rca-test-${randomBytes(4).toString('hex')}`;
let dir: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-rca-tracking-it-'));
  files = {};
  for (const [name, content] of Object.entries({
    'results.json': '{"id":"x","line":"line-3"}',
    'report.html': '<!doctype html><title>r</title>',
    'model.onnx': Buffer.from([8, 7, 18, 4, 0, 255, 1]).toString('binary'),
    'model.json': '{"trees":[]}',
  })) {
    files[name] = join(dir, name);
    await writeFile(files[name], Buffer.from(content, 'binary'));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const created = await client.getExperimentByName(experiment);
  if (created) await client.deleteExperiment(created.experimentId);
});

const TRIALS = [
  {
    number: 0,
    learner: 'gbdt',
    state: 'complete',
    value: 0.91,
    params: { numLeaves: 31, learningRate: 0.1 },
  },
  { number: 1, learner: 'gbdt', state: 'pruned', value: 0.7, params: { numLeaves: 7, learningRate: 0.3 } },
  { number: 2, learner: 'logistic', state: 'complete', value: 0.85, params: { C: 1, penalty: 'l2' } },
  {
    number: 3,
    learner: 'gbdt',
    state: 'failed',
    value: null,
    params: { numLeaves: 255, learningRate: 0.01 },
  },
] as const;

async function runAnalysis(tracker: Tracker, analysisId: string) {
  await tracker.startAnalysis({
    id: analysisId,
    name: `analysis ${analysisId}`,
    line: 'line-3',
    params: { target: 'defect_rate > 0.05', search: { trials: 4, seed: 42 }, models: ['gbdt', 'logistic'] },
    metrics: { rows: 4320, positives: 311 },
  });
  for (const t of TRIALS) {
    await tracker.logTrial({
      number: t.number,
      learner: t.learner,
      params: t.params,
      state: t.state,
      value: t.value,
      metric: 'auc',
      // Per-round validation AUC: round r → 0.5 + r / 100 + trial / 1000.
      intermediate: Array.from({ length: 30 }, (_, r) => ({
        step: r,
        value: 0.5 + r / 100 + t.number / 1000,
      })),
    });
  }
  return tracker.finishAnalysis({ metrics: { 'best.auc': 0.91, 'best.prAuc': 0.7 }, artifacts: files });
}

async function runsOf(analysisId: string): Promise<{ parents: Run[]; children: Run[] }> {
  const exp = await client.getExperimentByName(experiment);
  const all = await client.searchRuns([exp!.experimentId], `tags.\`line_rca.analysis_id\` = '${analysisId}'`);
  return {
    parents: all.filter((r) => !r.tags['mlflow.parentRunId']),
    children: all.filter((r) => r.tags['mlflow.parentRunId']),
  };
}

async function expectLogged(analysisId: string) {
  const { parents, children } = await runsOf(analysisId);
  expect(parents).toHaveLength(1);
  const parent = parents[0];
  expect(parent.info.status).toBe('FINISHED');
  expect(parent.params).toMatchObject({
    target: 'defect_rate > 0.05',
    'search.trials': '4',
    models: '["gbdt","logistic"]',
  });
  expect(parent.metrics).toMatchObject({ 'data.rows': 4320, 'data.positives': 311, 'best.auc': 0.91 });
  expect(parent.tags['mlflow.runName']).toBe(`analysis ${analysisId}`);
  expect(parent.tags[RUN_KEY_TAG]).toBe(`${analysisId}/analysis`);

  expect(children).toHaveLength(TRIALS.length);
  const byNumber = new Map(children.map((c) => [Number(c.tags['line_rca.trial_number']), c]));
  for (const t of TRIALS) {
    const run = byNumber.get(t.number)!;
    expect(run.tags['mlflow.parentRunId']).toBe(parent.info.runId);
    expect(run.info.status).toBe({ complete: 'FINISHED', pruned: 'KILLED', failed: 'FAILED' }[t.state]);
    expect(run.params).toEqual({
      learner: t.learner,
      ...Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, String(v)])),
    });
    if (t.value === null) expect(run.metrics.value).toBeUndefined();
    else expect(run.metrics.value).toBeCloseTo(t.value, 12);
    const history = await client.metricHistory(run.info.runId, 'validation_auc');
    expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, r) => r));
    for (const m of history) expect(m.value).toBeCloseTo(0.5 + m.step / 100 + t.number / 1000, 12);
  }

  const listed = await client.listArtifacts(parent.info.artifactUri);
  expect(listed.map((f) => f.path).sort()).toEqual([
    'model.json',
    'model.onnx',
    'report.html',
    'results.json',
  ]);
  for (const [name, path] of Object.entries(files)) {
    expect((await client.downloadArtifact(parent.info.artifactUri, name)).equals(await readFile(path))).toBe(
      true,
    );
  }
}

describe('tracking against MLflow', () => {
  it('logs one parent run, a nested run per trial with params, stepped metrics, states and artifacts', async () => {
    const analysisId = `online-${randomBytes(3).toString('hex')}`;
    const tracker = createTracker({
      analysisId,
      line: 'line-3',
      experiment,
      settings: { trackingUri },
      journalDir: dir,
    });
    const status = await runAnalysis(tracker, analysisId);
    expect(status.pending).toEqual([]);
    expect(status.runId).toMatch(/^[0-9a-f]{32}$/);
    await expectLogged(analysisId);
  });

  it('journals during an outage; flush then creates every run exactly once, even flushed twice', async () => {
    const analysisId = `outage-${randomBytes(3).toString('hex')}`;
    // The same server, but a closed port: what an MLflow outage looks like to the client.
    const tracker = createTracker({
      analysisId,
      line: 'line-3',
      experiment,
      settings: { trackingUri: 'http://127.0.0.1:9', retries: 1, backoffMs: 10 },
      journalDir: dir,
      warn: () => undefined,
    });
    const status = await runAnalysis(tracker, analysisId);
    expect(status.pending).toEqual(['analysis', 'trial-0', 'trial-1', 'trial-2', 'trial-3']);
    // The journal names the server it was meant for; rewrite it to the real one (same server, back up).
    const journal = Journal.forAnalysis(dir, analysisId);
    const text = await readFile(journal.path, 'utf8');
    await writeFile(
      journal.path,
      text.replace('"trackingUri":"http://127.0.0.1:9"', `"trackingUri":"${trackingUri}"`),
    );
    // Original artifact files may be gone by the time of the flush: the journal kept copies.
    const first = await flushJournals({ client, dir });
    const mine = first.find((r) => r.analysisId === analysisId)!;
    expect(mine).toMatchObject({ failed: 0, pending: [] });
    // … and the reconcile that follows the parent's end (one more operation).
    expect(mine.applied).toBe(2 + 3 * TRIALS.length + 2 + 4 + 1);
    await expectLogged(analysisId);

    const second = await flushJournals({ client, dir });
    expect(second.find((r) => r.analysisId === analysisId)).toBeUndefined();
    const { parents, children } = await runsOf(analysisId);
    expect(parents).toHaveLength(1);
    expect(children).toHaveLength(TRIALS.length);
  });

  it('after a crash between creating a run and journaling its id, finds the run instead of creating another', async () => {
    const analysisId = `crash-${randomBytes(3).toString('hex')}`;
    const tracker = createTracker({
      analysisId,
      line: 'line-3',
      experiment,
      settings: { trackingUri },
      journalDir: dir,
    });
    await runAnalysis(tracker, analysisId);
    // Forget that anything was applied: keep only the header and the operations, as if the
    // process had died after each call reached MLflow but before the journal recorded it.
    const journal = Journal.forAnalysis(dir, analysisId);
    const lines = (await readFile(journal.path, 'utf8'))
      .split('\n')
      .filter((l) => /"t":"(journal|op)"/.test(l));
    await writeFile(journal.path, `${lines.join('\n')}\n`);
    const flushed = (await flushJournals({ client, dir })).find((r) => r.analysisId === analysisId)!;
    expect(flushed).toMatchObject({ failed: 0, pending: [] });
    // Replayed metrics are the same (key, value, timestamp, step): MLflow keeps one of each.
    await expectLogged(analysisId);
  });

  it('two trackers of one analysis in one process (concurrent activities) never create a run twice', async () => {
    const analysisId = `shared-${randomBytes(3).toString('hex')}`;
    const open = () =>
      createTracker({ analysisId, line: 'line-3', experiment, settings: { trackingUri }, journalDir: dir });
    const [a, b] = [open(), open()];
    await a.startAnalysis({ id: analysisId, name: `analysis ${analysisId}`, line: 'line-3' });
    const trial = (n: number) => ({
      number: n,
      learner: 'gbdt',
      params: { n },
      value: n / 10,
      state: 'complete' as const,
    });
    await Promise.all([0, 1, 2, 3, 4, 5].map((n) => (n % 2 === 0 ? a : b).logTrial(trial(n))));
    const status = await b.finishAnalysis({});
    expect(status.pending).toEqual([]);
    const { parents, children } = await runsOf(analysisId);
    expect(parents).toHaveLength(1);
    expect(children.map((c) => c.tags['line_rca.trial_number']).sort()).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    for (const c of children) expect(c.tags['mlflow.parentRunId']).toBe(parents[0].info.runId);
  });

  it('stages on different machines (own journals) log into the same parent run, found by its tag', async () => {
    const analysisId = `spread-${randomBytes(3).toString('hex')}`;
    const [dirA, dirB] = [await mkdtemp(join(dir, 'a-')), await mkdtemp(join(dir, 'b-'))];
    const on = (journalDir: string) =>
      createTracker({ analysisId, line: 'line-3', experiment, settings: { trackingUri }, journalDir });
    await on(dirA).startAnalysis({ id: analysisId, name: `analysis ${analysisId}`, line: 'line-3' });
    const b = on(dirB);
    await b.logTrial({ number: 0, learner: 'logistic', params: { C: 2 }, value: 0.8, state: 'complete' });
    const status = await b.finishAnalysis({ metrics: { 'best.auc': 0.8 } });
    expect(status.pending).toEqual([]);
    const { parents, children } = await runsOf(analysisId);
    expect(parents).toHaveLength(1);
    expect(parents[0].info.status).toBe('FINISHED');
    expect(parents[0].metrics['best.auc']).toBe(0.8);
    expect(children).toHaveLength(1);
    expect(children[0].tags['mlflow.parentRunId']).toBe(parents[0].info.runId);
  });

  it('line-rca tracking: flush exits 1 while MLflow is down, pending lists the runs, then flush applies them', async () => {
    const own = await mkdtemp(join(dir, 'cli-'));
    const analysisId = `cli-${randomBytes(3).toString('hex')}`;
    const down = 'http://127.0.0.1:9';
    const tracker = createTracker({
      analysisId,
      line: 'line-3',
      experiment,
      settings: { trackingUri: down, retries: 0 },
      journalDir: own,
      warn: () => undefined,
    });
    await runAnalysis(tracker, analysisId);
    // The stored results say the runs are pending; the flush brings them up to date.
    const database = `line_rca_test_${randomBytes(4).toString('hex')}`;
    const mongoUri = (process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017').replace(
      /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/,
      (_m, host: string, _path: string, query: string | undefined) => `${host}/${database}${query ?? ''}`,
    );
    const store = await MongoStore.connect(mongoUri);
    await store.saveResults({ id: analysisId, name: 'n', line: 'line-3', tracking: tracker.status() });
    const cli = async (args: string[], uri: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const saved = { ...process.env };
      process.env.MLFLOW_TRACKING_URI = uri;
      process.env.MONGODB_URI = mongoUri;
      try {
        const status = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
        return { status, stdout: out.join(''), stderr: err.join('') };
      } finally {
        process.env = saved;
      }
    };
    const stillDown = await cli(['tracking', 'flush', '--dir', own, '--json'], down);
    expect(stillDown.status).toBe(1);
    expect(JSON.parse(stillDown.stdout)[0]).toMatchObject({
      analysisId,
      applied: 0,
      pending: expect.any(Array),
    });
    const pending = await cli(['tracking', 'pending', '--dir', own, '--json'], down);
    expect(JSON.parse(pending.stdout)).toEqual([
      expect.objectContaining({
        analysisId,
        pending: ['analysis', 'trial-0', 'trial-1', 'trial-2', 'trial-3'],
      }),
    ]);
    // Back up — at another address than the journal recorded, hence --any-server.
    const refused = await cli(['tracking', 'flush', '--dir', own], trackingUri);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('--any-server');
    const flushed = await cli(['tracking', 'flush', '--dir', own, '--any-server'], trackingUri);
    expect(flushed.status).toBe(0);
    expect(flushed.stdout).toContain(`${analysisId}: 21 operation(s) applied`);
    const again = await cli(['tracking', 'flush', '--dir', own, '--any-server', '--json'], trackingUri);
    expect(again).toMatchObject({ status: 0, stdout: '[]\n' });
    await expectLogged(analysisId);
    try {
      const stored = await store.getResults(analysisId);
      const { parents } = await runsOf(analysisId);
      expect(stored?.tracking).toEqual({
        experimentId: parents[0].info.experimentId,
        runId: parents[0].info.runId,
        pending: [],
      });
    } finally {
      await store.db.dropDatabase();
      await store.close();
    }
  });
});
