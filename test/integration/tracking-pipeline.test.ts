/**
 * Issue 10's "Done when", end to end through the embedded runner against the real services
 * (`infra/services up`, or MLFLOW_TRACKING_URI / MONGODB_URI): an analysis of a small generated
 * line logs one parent run with a nested run per trial and the four artifacts, and stores its
 * results document in MongoDB equal to `results.json`; with MLflow unreachable during the
 * analysis, the results are still stored, name the pending runs, and `line-rca tracking flush`
 * creates the missing runs exactly once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { type AnalysisConfig, parseConfig } from '../../analysis/config';
import type { ResultsDocument, TrialState } from '../../analysis/results';
import { main } from '../../cli/main';
import { writeDemoLine } from '../../connectors/demo-line';
import { MlflowClient, type Run } from '../../connectors/mlflow';
import { MongoStore } from '../../connectors/mongo';
import { runEmbedded } from '../../pipeline/embedded';
import { capture } from '../support/capture';
import { serviceAddresses, uniqueName } from './setup/services';

const services = serviceAddresses();
const mlflow = new MlflowClient({ trackingUri: services.mlflow });
const experiment = uniqueName('line-rca-it-pipeline');
const database = uniqueName('line_rca_it_pipeline').replace(/-/g, '_');
/** The configured MongoDB server with our own database in the path. */
const mongoUri = (() => {
  const url = new URL(services.mongodb);
  url.pathname = `/${database}`;
  return url.toString();
})();
/** Nothing listens there: what an MLflow outage looks like to the client (connection refused). */
const CLOSED_MLFLOW = 'http://127.0.0.1:9';
const TRIALS = 4;
const RUN_STATUS: Record<TrialState, string> = {
  complete: 'FINISHED',
  pruned: 'KILLED',
  failed: 'FAILED',
  running: 'RUNNING',
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-tracking-pipeline-'));
const trackingDir = path.join(tmp, 'tracking');
const ENV_KEYS = [
  'MLFLOW_TRACKING_URI',
  'MLFLOW_EXPERIMENT_NAME',
  'MONGODB_URI',
  'LINE_RCA_TRACKING_DIR',
  'LINE_RCA_ARTIFACTS',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

function config(name: string): AnalysisConfig {
  return parseConfig({
    name,
    line: 'it-bakery',
    source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
    target: 'burnt_rate > 0.05',
    variables: { exclude: ['crack_rate', 'energy_kw'] },
    aggregation: { window: '10m' },
    models: ['gbdt', 'logistic'],
    search: { trials: TRIALS, seed: 7, parallelism: 2, timeoutSeconds: 120 },
    tracking: { experiment },
  });
}

async function runsOf(analysisId: string): Promise<{ parents: Run[]; children: Run[] }> {
  const exp = await mlflow.getExperimentByName(experiment);
  if (!exp) return { parents: [], children: [] };
  const all = await mlflow.searchRuns([exp.experimentId], `tags.\`line_rca.analysis_id\` = '${analysisId}'`);
  return {
    parents: all.filter((r) => !r.tags['mlflow.parentRunId']),
    children: all.filter((r) => r.tags['mlflow.parentRunId']),
  };
}

async function storedResults(id: string): Promise<ResultsDocument | undefined> {
  const store = await MongoStore.connect(mongoUri);
  try {
    return await store.getResults(id);
  } finally {
    await store.close();
  }
}

/** What MLflow shows for one analysis, checked against its results document. */
async function expectLogged(results: ResultsDocument): Promise<Run> {
  const { parents, children } = await runsOf(results.id);
  expect(parents).toHaveLength(1);
  const parent = parents[0];
  expect(parent.info.status).toBe('FINISHED');
  expect(parent.params).toMatchObject({
    target: 'burnt_rate > 0.05',
    source: 'file',
    'aggregation.window': '10m',
    'search.trials': String(TRIALS),
    models: 'gbdt,logistic',
  });
  expect(parent.metrics).toMatchObject({
    'data.rows': results.data.rows,
    'data.positives': results.data.positives,
    'data.variables': results.data.variables,
    'data.features': results.data.features,
  });
  expect(parent.metrics.validation_auc).toBeCloseTo(results.model!.validation.auc as number, 12);

  const trials = results.model!.trials;
  expect(trials).toHaveLength(TRIALS);
  expect(children).toHaveLength(TRIALS);
  const byNumber = new Map(children.map((c) => [Number(c.tags['line_rca.trial_number']), c]));
  for (const t of trials) {
    const run = byNumber.get(t.number);
    expect(run).toBeDefined();
    expect(run!.tags['mlflow.parentRunId']).toBe(parent.info.runId);
    expect(run!.info.status).toBe(RUN_STATUS[t.state]);
    expect(run!.params).toEqual({
      learner: t.kind,
      ...Object.fromEntries(
        Object.entries(t.params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    });
    if (t.value === null) expect(run!.metrics.value).toBeUndefined();
    else expect(run!.metrics.value).toBeCloseTo(t.value, 12);
    // Validation log loss per boosting round (one point for the logistic model), as steps.
    const history = await mlflow.metricHistory(run!.info.runId, 'validation_binary_logloss');
    if (t.state !== 'failed') {
      expect(history.length).toBeGreaterThan(0);
      // One point per step: a replayed (flushed) batch adds none.
      const steps = history.map((m) => m.step);
      expect(new Set(steps).size).toBe(steps.length);
      for (const m of history) {
        expect(m.value).toBeGreaterThan(0);
        expect(m.value).toBeLessThan(1);
      }
    }
    if (t.state === 'complete') {
      // The gbdt reports its loss every 10 rounds, the logistic model once, after its fit.
      if (t.kind === 'logistic') expect(history.map((m) => m.step)).toEqual([1]);
      else for (const m of history) expect(m.step % 10).toBe(0);
    }
  }

  const listed = await mlflow.listArtifacts(parent.info.artifactUri);
  expect(listed.map((f) => f.path).sort()).toEqual([
    'model.json',
    'model.onnx',
    'report.html',
    'results.json',
  ]);
  return parent;
}

beforeAll(async () => {
  await writeDemoLine(path.join(tmp, 'line.parquet'), { days: 4, seed: 5 });
  process.env.MONGODB_URI = mongoUri;
  process.env.LINE_RCA_TRACKING_DIR = trackingDir;
  process.env.LINE_RCA_ARTIFACTS = path.join(tmp, 'artifacts');
  delete process.env.MLFLOW_EXPERIMENT_NAME;
}, 60_000);

afterAll(async () => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  const created = await mlflow.getExperimentByName(experiment);
  if (created) await mlflow.deleteExperiment(created.experimentId);
  const client = await MongoClient.connect(mongoUri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('an analysis with MLflow and MongoDB on', () => {
  it('logs a parent run with a nested run per trial and the four artifacts; MongoDB holds results.json', async () => {
    process.env.MLFLOW_TRACKING_URI = services.mlflow;
    const outDir = path.join(tmp, 'online');
    const { results, files } = await runEmbedded({ config: config('tracking online'), baseDir: tmp, outDir });
    const local = JSON.parse(readFileSync(files['results.json'], 'utf8')) as ResultsDocument;
    expect(local).toEqual(results);

    const parent = await expectLogged(results);
    expect(results.tracking).toEqual({
      experimentId: parent.info.experimentId,
      runId: parent.info.runId,
      pending: [],
    });
    // Byte for byte what the analysis wrote.
    for (const name of ['model.onnx', 'model.json', 'report.html']) {
      const downloaded = await mlflow.downloadArtifact(parent.info.artifactUri, name);
      expect(downloaded.equals(readFileSync(files[name]))).toBe(true);
    }
    // results.json went to MLflow before the run ids were known: the final one adds only them.
    const logged = JSON.parse(
      (await mlflow.downloadArtifact(parent.info.artifactUri, 'results.json')).toString('utf8'),
    ) as ResultsDocument;
    const { tracking: _tracking, ...withoutTracking } = local;
    expect(logged).toEqual(withoutTracking);

    expect(await storedResults(results.id)).toEqual(local);
    // the evidence as run tags: method, episodes, verdicts, the summary sentence
    expect(parent.tags).toMatchObject({
      'line_rca.evidence.method': results.evidence!.method,
      'line_rca.episodes': String(results.data.episodes),
      'line_rca.causes.strong': results
        .causes!.filter((c) => c.verdict === 'strong')
        .map((c) => c.variable)
        .join(', '),
      'line_rca.evidence.summary': results.evidence!.summary,
    });
  }, 120_000);
});

describe('an analysis while MLflow is unreachable', () => {
  it('completes, is stored with its pending runs, and tracking flush creates them exactly once', async () => {
    process.env.MLFLOW_TRACKING_URI = CLOSED_MLFLOW;
    const outDir = path.join(tmp, 'outage');
    const { results, files } = await runEmbedded({ config: config('tracking outage'), baseDir: tmp, outDir });
    expect(results.status).toBe('complete');
    const pending = ['analysis', ...Array.from({ length: TRIALS }, (_, n) => `trial-${n}`)];
    expect(results.tracking?.pending).toEqual(pending);
    const local = JSON.parse(readFileSync(files['results.json'], 'utf8')) as ResultsDocument;
    expect(await storedResults(results.id)).toEqual(local);
    expect(await runsOf(results.id)).toEqual({ parents: [], children: [] });

    // MLflow is back. The journal names the server it was meant for (the closed port), so the
    // flush to the real one needs --any-server.
    process.env.MLFLOW_TRACKING_URI = services.mlflow;
    const flush = async () => {
      const { io, out, err } = capture();
      const status = await main(['tracking', 'flush', '--dir', trackingDir, '--any-server', '--json'], io);
      return {
        status,
        reports: JSON.parse(out.join('')) as { analysisId?: string; pending: string[] }[],
        err,
      };
    };
    const first = await flush();
    expect({ status: first.status, err: first.status === 0 ? '' : first.err.join('') }).toEqual({
      status: 0,
      err: '',
    });
    expect(first.reports.find((r) => r.analysisId === results.id)).toMatchObject({ failed: 0, pending: [] });
    const parent = await expectLogged(results);
    for (const name of ['model.onnx', 'model.json', 'report.html']) {
      const downloaded = await mlflow.downloadArtifact(parent.info.artifactUri, name);
      expect(downloaded.equals(readFileSync(files[name]))).toBe(true);
    }
    // The stored results no longer list the runs as pending.
    expect((await storedResults(results.id))?.tracking).toEqual({
      experimentId: parent.info.experimentId,
      runId: parent.info.runId,
      pending: [],
    });

    const second = await flush();
    expect(second.status).toBe(0);
    expect(second.reports.find((r) => r.analysisId === results.id)).toBeUndefined();
    const { parents, children } = await runsOf(results.id);
    expect(parents).toHaveLength(1);
    expect(children).toHaveLength(TRIALS);
    for (const c of children) expect(c.tags['mlflow.parentRunId']).toBe(parents[0].info.runId);
  }, 150_000);
});
