/**
 * The MLflow REST client against the real tracking server (`infra/services up`, or
 * MLFLOW_TRACKING_URI): experiments by name, log-batch past the per-call limits, value limits,
 * run status, artifacts through the server, and errors that are not retried.
 */
import { randomBytes } from 'node:crypto';
import { MLFLOW_LIMITS, MlflowClient } from '../../connectors/mlflow';

const client = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000' });
const name = `line-rca-client-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const created = await client.getExperimentByName(name);
  if (created) await client.deleteExperiment(created.experimentId);
});

describe('MlflowClient on the real server', () => {
  it('gets or creates an experiment by name, the same id every time', async () => {
    expect(await client.getExperimentByName(name)).toBeUndefined();
    const [a, b] = await Promise.all([client.ensureExperiment(name), client.ensureExperiment(name)]);
    expect(a).toBe(b);
    expect((await client.getExperimentByName(name))?.experimentId).toBe(a);
  });

  it('logs more than one call can carry: 2500 metric points, 250 params, 150 tags, all stored', async () => {
    const experimentId = await client.ensureExperiment(name);
    const run = await client.createRun({
      experimentId,
      runName: 'big batch',
      tags: [{ key: 'k', value: 'v' }],
    });
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: `m${i % 5}`,
      value: Math.sin(i),
      timestamp: 1_700_000_000_000 + i,
      step: Math.floor(i / 5),
    }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: `v${i}` }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: `w${i}` }));
    params.push({ key: 'long', value: 'x'.repeat(MLFLOW_LIMITS.paramValueLength + 500) });
    params.push({ key: 'exact', value: 'y'.repeat(MLFLOW_LIMITS.paramValueLength) });
    metrics.push({ key: 'nan', value: Number.NaN, timestamp: 1, step: 0 });
    await client.logBatch(run.runId, { metrics, params, tags });
    await client.updateRun(run.runId, { status: 'FINISHED', endTime: Date.now() });

    const stored = await client.getRun(run.runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.info.endTime).toBeGreaterThan(0);
    expect(Object.keys(stored.params)).toHaveLength(252);
    expect(stored.params.p249).toBe('v249');
    expect(stored.params.exact).toHaveLength(6000);
    expect(stored.params.long).toHaveLength(6000);
    expect(stored.params.long.endsWith('…[truncated]')).toBe(true);
    expect(stored.tags.t149).toBe('w149');
    expect(stored.tags['mlflow.runName']).toBe('big batch');
    const history = await client.metricHistory(run.runId, 'm3');
    expect(history).toHaveLength(500);
    for (const m of history) expect(m.value).toBeCloseTo(Math.sin(m.step * 5 + 3), 12);
    expect(Number.isNaN((await client.metricHistory(run.runId, 'nan'))[0].value)).toBe(true);
  });

  it('uploads, lists and downloads artifacts through the server, nested folders included', async () => {
    const experimentId = await client.ensureExperiment(name);
    const run = await client.createRun({ experimentId, runName: 'artifacts' });
    expect(run.artifactUri).toMatch(/^mlflow-artifacts:/);
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
    await client.uploadArtifact(run.artifactUri, 'model.onnx', bytes);
    await client.uploadArtifact(run.artifactUri, 'plots/a b.json', Buffer.from('{"x":1}'));
    const top = await client.listArtifacts(run.artifactUri);
    expect(top.map((f) => [f.path, f.isDir]).sort()).toEqual([
      ['model.onnx', false],
      ['plots', true],
    ]);
    expect(top.find((f) => f.path === 'model.onnx')?.fileSize).toBe(4096);
    expect((await client.downloadArtifact(run.artifactUri, 'model.onnx')).equals(bytes)).toBe(true);
    expect((await client.downloadArtifact(run.artifactUri, 'plots/a b.json')).toString()).toBe('{"x":1}');
  });

  it('does not retry a request the server refuses (4xx), and says it is final', async () => {
    // One retry would wait a minute, past this test's 20 s limit: passing means no retry.
    const patient = new MlflowClient({
      trackingUri: client.settings.trackingUri,
      retries: 5,
      backoffMs: 60_000,
    });
    const error = await patient.getRun('0123456789abcdef0123456789abcdef').catch((e) => e);
    expect(error).toMatchObject({
      name: 'MlflowError',
      failure: 'rejected',
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
    });
  }, 20_000);
});
