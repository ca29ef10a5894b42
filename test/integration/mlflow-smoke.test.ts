// Smoke test against the real MLflow tracking server (`infra/services up`): an experiment, a
// run, a parameter, a metric history and an artifact, written and read back over REST only
// (the way connectors/ talk to MLflow), the artifact through the server's artifact proxy.
import axios from 'axios';
import { serviceAddresses, uniqueName } from './setup/services';

const { mlflow } = serviceAddresses();
const api = axios.create({ baseURL: mlflow, timeout: 20_000 });

/** `mlflow-artifacts:/1/<run>/artifacts` (or `mlflow-artifacts://host/...`) -> `1/<run>/artifacts`. */
function proxiedArtifactPath(artifactUri: string): string {
  const url = new URL(artifactUri);
  expect(url.protocol).toBe('mlflow-artifacts:');
  return url.pathname.replace(/^\/+/, '');
}

describe(`MLflow tracking server at ${mlflow}`, () => {
  let experimentId: string | undefined;

  afterAll(async () => {
    if (experimentId) await api.post('/api/2.0/mlflow/experiments/delete', { experiment_id: experimentId });
  });

  test('experiment, run, metric and artifact round trip', async () => {
    const experimentName = uniqueName('line-rca-smoke');
    const created = await api.post('/api/2.0/mlflow/experiments/create', { name: experimentName });
    experimentId = created.data.experiment_id as string;
    expect(experimentId).toMatch(/^\d+$/);
    const experiment = await api.get('/api/2.0/mlflow/experiments/get', {
      params: { experiment_id: experimentId },
    });
    expect(experiment.data.experiment.name).toBe(experimentName);

    const startTime = Date.now();
    const runResponse = await api.post('/api/2.0/mlflow/runs/create', {
      experiment_id: experimentId,
      run_name: 'smoke-trial-0',
      start_time: startTime,
      tags: [{ key: 'line', value: 'bakery-1' }],
    });
    const runId = runResponse.data.run.info.run_id as string;
    const artifactUri = runResponse.data.run.info.artifact_uri as string;
    expect(artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);

    await api.post('/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'num_leaves', value: '31' });
    const aucs = [0.61, 0.74, 0.8125];
    for (const [step, value] of aucs.entries()) {
      await api.post('/api/2.0/mlflow/runs/log-metric', {
        run_id: runId,
        key: 'valid_auc',
        value,
        timestamp: startTime + step,
        step,
      });
    }

    const report = JSON.stringify({ variables: ['oven_temp', 'humidity'], separatingValue: 231.5 });
    const filePath = `${proxiedArtifactPath(artifactUri)}/report/summary.json`;
    await api.put(`/api/2.0/mlflow-artifacts/artifacts/${filePath}`, report, {
      headers: { 'Content-Type': 'application/json' },
      transformRequest: [(body) => body],
    });
    await api.post('/api/2.0/mlflow/runs/update', {
      run_id: runId,
      status: 'FINISHED',
      end_time: startTime + 1000,
    });

    const history = await api.get('/api/2.0/mlflow/metrics/get-history', {
      params: { run_id: runId, metric_key: 'valid_auc' },
    });
    const points = (history.data.metrics as { step: string | number; value: number }[])
      .map((m) => ({ step: Number(m.step), value: m.value }))
      .sort((a, b) => a.step - b.step);
    expect(points).toEqual(aucs.map((value, step) => ({ step, value })));

    const run = (await api.get('/api/2.0/mlflow/runs/get', { params: { run_id: runId } })).data.run;
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.params).toEqual([{ key: 'num_leaves', value: '31' }]);
    const latest = run.data.metrics as { key: string; value: number; step: string | number }[];
    expect(latest.map((m) => ({ key: m.key, value: m.value, step: Number(m.step) }))).toEqual([
      { key: 'valid_auc', value: 0.8125, step: 2 },
    ]);
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'line', value: 'bakery-1' }]));

    const listing = await api.get('/api/2.0/mlflow/artifacts/list', {
      params: { run_id: runId, path: 'report' },
    });
    const files = listing.data.files as { path: string; is_dir: boolean; file_size: string | number }[];
    expect(files.map((f) => ({ ...f, file_size: Number(f.file_size) }))).toEqual([
      { path: 'report/summary.json', is_dir: false, file_size: Buffer.byteLength(report) },
    ]);
    const downloaded = await api.get(`/api/2.0/mlflow-artifacts/artifacts/${filePath}`, {
      responseType: 'text',
      transformResponse: [(body) => body],
    });
    expect(downloaded.data).toBe(report);
  });
});
