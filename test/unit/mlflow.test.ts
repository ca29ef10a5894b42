import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Batch,
  chunkBatch,
  MLFLOW_LIMITS,
  MlflowClient,
  maskSecrets,
  sanitizeKey,
  servedArtifactPath,
  truncateValue,
  uniqueParams,
} from '../../connectors/mlflow';

function batchOf(metrics: number, params: number, tags: number): Batch {
  return {
    metrics: Array.from({ length: metrics }, (_, i) => ({
      key: `m${i % 7}`,
      value: i,
      timestamp: 1,
      step: i,
    })),
    params: Array.from({ length: params }, (_, i) => ({ key: `p${i}`, value: String(i) })),
    tags: Array.from({ length: tags }, (_, i) => ({ key: `t${i}`, value: String(i) })),
  };
}

describe('chunkBatch', () => {
  it.each([
    [0, 0, 0],
    [1, 0, 0],
    [1000, 100, 100],
    [2500, 0, 0],
    [950, 100, 0],
    [2345, 250, 120],
    [10, 301, 5],
  ])('%i metrics, %i params, %i tags: every call within the limits, nothing lost or reordered', (m, p, t) => {
    const batch = batchOf(m, p, t);
    const chunks = chunkBatch(batch);
    for (const c of chunks) {
      expect(c.metrics.length).toBeLessThanOrEqual(MLFLOW_LIMITS.metricsPerBatch);
      expect(c.params.length).toBeLessThanOrEqual(MLFLOW_LIMITS.paramsPerBatch);
      expect(c.tags.length).toBeLessThanOrEqual(MLFLOW_LIMITS.tagsPerBatch);
      expect(c.metrics.length + c.params.length + c.tags.length).toBeLessThanOrEqual(1000);
      expect(c.metrics.length + c.params.length + c.tags.length).toBeGreaterThan(0);
    }
    expect(chunks.flatMap((c) => c.metrics)).toEqual(batch.metrics);
    expect(chunks.flatMap((c) => c.params)).toEqual(batch.params);
    expect(chunks.flatMap((c) => c.tags)).toEqual(batch.tags);
    // The fewest calls the limits allow, given that params and tags are sent first.
    const minimum = Math.max(Math.ceil(m / 1000), Math.ceil(p / 100), Math.ceil(t / 100));
    expect(chunks.length).toBeGreaterThanOrEqual(minimum);
    expect(chunks.length).toBeLessThanOrEqual(minimum + 1);
  });
});

describe('values and keys', () => {
  it('cuts long values to the limit and marks them', () => {
    const v = truncateValue('x'.repeat(7000), MLFLOW_LIMITS.paramValueLength);
    expect(v.length).toBe(6000);
    expect(v.endsWith('…[truncated]')).toBe(true);
    expect(truncateValue('short', 10)).toBe('short');
  });

  it('replaces characters MLflow refuses in keys', () => {
    expect(sanitizeKey('Torque [Nm]')).toBe('Torque _Nm_');
    expect(sanitizeKey('data.rows/x-y: z_1')).toBe('data.rows/x-y: z_1');
    expect(sanitizeKey('')).toBe('_');
  });

  it('never sends a param key twice: drops exact repeats, renames keys that collided when sanitized', () => {
    const params = [
      { key: 'a_b_', value: '1' },
      { key: sanitizeKey('a[b]'), value: '2' },
      { key: 'a_b_', value: '1' },
      { key: sanitizeKey('a(b)'), value: '3' },
    ];
    expect(uniqueParams(params)).toEqual([
      { key: 'a_b_', value: '1' },
      { key: 'a_b_~2', value: '2' },
      { key: 'a_b_~3', value: '3' },
    ]);
  });

  it('derives the served path of a run artifact URI', () => {
    expect(servedArtifactPath('mlflow-artifacts:/3/abc/artifacts')).toBe('3/abc/artifacts');
    expect(servedArtifactPath('mlflow-artifacts://host:5000/3/abc/artifacts/')).toBe('3/abc/artifacts');
    expect(() => servedArtifactPath('/tmp/mlruns/3/abc/artifacts')).toThrow(/not served/);
  });
});

describe('maskSecrets', () => {
  it('masks passwords in URIs and every given secret', () => {
    const text = 'GET http://alice:s3cr3t@host:5000/api failed, token tok-123456 rejected';
    const masked = maskSecrets(text, ['tok-123456', 's3cr3t']);
    expect(masked).toBe('GET http://alice:***@host:5000/api failed, token *** rejected');
  });
});

/** A tiny HTTP server that answers from a script and records what it received. */
async function scriptedServer(
  statuses: number[],
): Promise<{ server: Server; url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const status = statuses[Math.min(seen.length - 1, statuses.length - 1)];
    res.writeHead(status, { 'content-type': 'application/json' });
    // The server echoes the Authorization header in its message, as a careless proxy might.
    res.end(
      JSON.stringify(
        status === 200
          ? { experiment_id: '7' }
          : { error_code: 'X', message: `bad ${req.headers.authorization}` },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('MlflowClient retries and secrets', () => {
  it('retries 5xx with backoff and then succeeds; sends the bearer token', async () => {
    const { server, url, seen } = await scriptedServer([503, 502, 200]);
    try {
      const client = new MlflowClient({ trackingUri: url, token: 'tok-abcdef', backoffMs: 1 });
      await expect(client.request({ method: 'get', url: '/api/2.0/mlflow/x' })).resolves.toEqual({
        experiment_id: '7',
      });
      expect(seen.length).toBe(3);
      expect(seen[0].headers.authorization).toBe('Bearer tok-abcdef');
    } finally {
      server.close();
    }
  });

  it('does not retry a 4xx, and the error never shows the password', async () => {
    const { server, url, seen } = await scriptedServer([400]);
    try {
      const client = new MlflowClient({
        trackingUri: url.replace('http://', 'http://bob:pa55word@'),
        backoffMs: 1,
      });
      const error = await client.getRun('r1').catch((e: Error) => e);
      expect(seen.length).toBe(1);
      expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('bob:pa55word').toString('base64')}`);
      expect(String(error)).toMatch(/HTTP 400/);
      expect(String(error)).not.toContain('pa55word');
      expect(String(error)).not.toContain(Buffer.from('bob:pa55word').toString('base64'));
      expect(JSON.stringify(error)).not.toContain('pa55word');
    } finally {
      server.close();
    }
  });

  it('reports a closed port as unavailable, naming the URI without its password', async () => {
    const client = new MlflowClient({
      trackingUri: 'http://user:hunter22@127.0.0.1:9',
      password: 'hunter22',
      retries: 1,
      backoffMs: 1,
    });
    const error = (await client.getRun('r1').catch((e: unknown) => e)) as Error & { failure?: string };
    expect(error).toMatchObject({ name: 'MlflowError', failure: 'unavailable' });
    expect(error.message).toContain('http://user:***@127.0.0.1:9');
    expect(error.message).not.toContain('hunter22');
  });
});
