// `line-rca serve`'s API on a real analysis stored in MongoDB (FerretDB) with its artifacts:
// routes and their status codes, the bearer token, the zoom against `line-rca distribution
// --from --to` on the same file, starting an analysis on Temporal and reading its progress.
import { rmSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { analysisIdOf } from '../../activities/analysis-id';
import type { DistributionEntry } from '../../analysis/distribution/types';
import { runDistribution } from '../../cli/distribution';
import { temporalSettings } from '../../connectors/temporal';
import { buildServer, zoomSourceFrom } from '../../server/app';
import { MongoCatalog } from '../../server/catalog';
import { plainWorkflowId, TemporalRuns, workflowIdsOf } from '../../server/runs';
import { ZoomEngines } from '../../server/zoom';
import { type ServedAnalysis, servedAnalysis } from './setup/served-analysis';
import { serviceAddresses, uniqueName } from './setup/services';

const TOKEN = 'night-shift-token';
let served: ServedAnalysis;
let app: FastifyInstance;
let catalog: MongoCatalog;
let zoom: ZoomEngines;
let runs: TemporalRuns;
const taskQueue = uniqueName('serve-api');
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  served = await servedAnalysis();
  catalog = await MongoCatalog.connect(served.env.MONGODB_URI);
  zoom = new ZoomEngines(zoomSourceFrom(catalog), { threads: 1 });
  runs = new TemporalRuns(temporalSettings(process.env, taskQueue), served.env.MONGODB_URI);
  app = await buildServer({ catalog, zoom, runs, token: TOKEN });
}, 300_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([zoom?.close(), runs?.close(), catalog?.close()]);
  if (served) rmSync(served.tmp, { recursive: true, force: true });
});

describe('serve: reading analyses', () => {
  it('keeps /health and /openapi.json open and asks a token on every /api/ path', async () => {
    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', '/api/lines'],
      ['GET', `/api/analyses/${served.results.id}`],
      ['POST', `/api/analyses/${served.results.id}/zoom`],
      ['POST', '/api/analyses'],
    ] as const) {
      const none = await app.inject({ method, url });
      expect({ url, status: none.statusCode }).toEqual({ url, status: 401 });
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const wrong = await app.inject({ method, url, headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
    }
    expect((await app.inject({ url: `/api/lines?access_token=${TOKEN}` })).statusCode).toBe(200);
  });

  it('lists the line, its analyses newest first, the results and the report', async () => {
    const lines = (await app.inject({ url: '/api/lines', headers: auth })).json();
    expect(lines.lines).toEqual([
      { line: 'line-7', analyses: 1, latestFinishedAt: served.results.finishedAt },
    ]);
    const page = (await app.inject({ url: '/api/lines/line-7/analyses?limit=5', headers: auth })).json();
    expect(page).toMatchObject({ line: 'line-7', total: 1, limit: 5, offset: 0 });
    expect(page.analyses[0]).toMatchObject({
      id: served.results.id,
      status: 'complete',
      rows: served.results.data.rows,
      target: served.truth.target,
    });
    const results = (await app.inject({ url: `/api/analyses/${served.results.id}`, headers: auth })).json();
    expect(results.distribution).toEqual(JSON.parse(JSON.stringify(served.results.distribution)));
    const report = await app.inject({ url: `/api/analyses/${served.results.id}/report`, headers: auth });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/html/);
    expect(report.body).toContain('data-mode="served"');
    // A served report asks the API; it does not carry the rows.
    expect(report.body).not.toContain('"recompute"');
  });

  it('answers 404 for unknown ids and lines, 400 naming the field for bad requests', async () => {
    expect((await app.inject({ url: '/api/analyses/no-such-id', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/lines/nowhere/analyses', headers: auth })).statusCode).toBe(404);
    const zoomUnknown = await app.inject({
      method: 'POST',
      url: '/api/analyses/no-such-id/zoom',
      headers: auth,
      payload: {},
    });
    expect(zoomUnknown.statusCode).toBe(404);
    const badId = await app.inject({ url: '/api/analyses/a%20b%3Cscript%3E', headers: auth });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().problems[0].where).toBe('params.id');

    const id = served.results.id;
    const cases: [unknown, string, RegExp][] = [
      [{ from: 12 }, 'body.from', /pattern/],
      [{ from: 'yesterday' }, 'body.from', /pattern/],
      [{ from: '2026-13-45' }, 'from', /ISO/],
      [{ from: '2026-09-03T00:00:00Z', to: '2026-09-02T00:00:00Z' }, 'to', /after/],
      [{ variables: ['mixer_temp_typo'] }, 'variables', /does not exist/],
      [{ variables: [] }, 'body.variables', /fewer than 1/],
      [{ colour: 'red' }, 'body.colour', /not a known field/],
      [{ from: '2030-01-01T00:00:00Z' }, 'from/to', /0 observations/],
    ];
    for (const [payload, where, message] of cases) {
      const response = await app.inject({
        method: 'POST',
        url: `/api/analyses/${id}/zoom`,
        headers: auth,
        payload: payload as object,
      });
      const body = response.json();
      expect({ payload, status: response.statusCode }).toEqual({ payload, status: 400 });
      expect(body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ where })]));
      expect(body.problems.map((p: { message: string }) => p.message).join(' ')).toMatch(message);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: `/api/analyses/${id}/zoom`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"from": ',
    });
    expect(notJson.statusCode).toBe(400);
    const start = await app.inject({
      method: 'POST',
      url: '/api/analyses',
      headers: auth,
      payload: { config: { name: 'x' } },
    });
    expect(start.statusCode).toBe(400);
    expect(start.json().problems.map((p: { where: string }) => p.where)).toEqual(
      expect.arrayContaining(['line', 'source', 'target']),
    );
    const both = await app.inject({ method: 'POST', url: '/api/analyses', headers: auth, payload: {} });
    expect(both.statusCode).toBe(400);
    const unknownConfig = await app.inject({
      method: 'POST',
      url: '/api/analyses',
      headers: auth,
      payload: { configId: 'no-such-config' },
    });
    expect(unknownConfig.statusCode).toBe(404);
  });
});

describe('serve: zoom', () => {
  /**
   * The entries as a zoom gives them: a zoom does not run the time-aware test, so its `qValue`
   * is the independent-rows one (the analysis' and the CLI's `qValueIid`), without `pValue`.
   */
  const strip = (entries: readonly DistributionEntry[]) =>
    JSON.parse(
      JSON.stringify(
        entries.map((entry) => {
          if (entry.kind === 'identifier') return entry;
          const { pValue: _p, pValueIid: _pIid, qValueIid, shiftTest: _shifts, ...rest } = entry;
          return qValueIid === undefined ? rest : { ...rest, qValue: qValueIid };
        }),
      ),
    );

  it('equals `line-rca distribution --from --to` on the same file, whole and zoomed', async () => {
    const variables = served.results.distribution.map((d) => d.variable);
    for (const [from, to] of [
      ['2026-09-02T06:00:00Z', '2026-09-04T18:30:00Z'],
      ['2026-09-05', '2026-09-06T12:00'],
      [undefined, undefined],
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: `/api/analyses/${served.results.id}/zoom`,
        headers: auth,
        payload: { ...(from ? { from } : {}), ...(to ? { to } : {}) },
      });
      expect(response.statusCode).toBe(200);
      const answer = response.json();
      const cli = await runDistribution({
        data: served.file,
        target: served.truth.target,
        timeColumn: 'time',
        from,
        to,
        variables,
      });
      expect(answer.data).toMatchObject({ rows: cli.data.rows, positives: cli.data.positives });
      expect(answer.distribution).toEqual(strip(cli.distribution));
    }
    // The whole period gives the analysis's own ranking back.
    const whole = await app.inject({
      method: 'POST',
      url: `/api/analyses/${served.results.id}/zoom`,
      headers: auth,
      payload: {},
    });
    expect(whole.json().distribution).toEqual(strip(served.results.distribution as DistributionEntry[]));
  });

  it('recomputes only the variables asked for, with q-values over them', async () => {
    const two = served.results.distribution.slice(0, 2).map((d) => d.variable);
    const response = await app.inject({
      method: 'POST',
      url: `/api/analyses/${served.results.id}/zoom`,
      headers: auth,
      payload: { from: '2026-09-03', variables: two },
    });
    const cli = await runDistribution({
      data: served.file,
      target: served.truth.target,
      timeColumn: 'time',
      from: '2026-09-03',
      variables: two,
    });
    expect(response.json().distribution).toEqual(strip(cli.distribution));
  });
});

describe('serve: runs on Temporal', () => {
  it('starts an analysis from a whole configuration and reports its progress', async () => {
    const config = {
      ...(served.results.config as object),
      name: 'started through the API',
    };
    const started = await app.inject({
      method: 'POST',
      url: '/api/analyses',
      headers: auth,
      payload: { config },
    });
    expect(started.statusCode).toBe(202);
    const body = started.json();
    expect(body).toMatchObject({ taskQueue, progress: `/api/analyses/${body.id}/progress` });
    // The workflow id is plain: the analysis will be stored under the same id.
    expect(analysisIdOf(body.workflowId)).toBe(body.id);
    const progress = await app.inject({ url: body.progress, headers: auth });
    expect(progress.statusCode).toBe(200);
    // No worker polls this task queue: the workflow waits, running.
    expect(progress.json()).toMatchObject({ id: body.id, workflowId: body.workflowId, status: 'RUNNING' });
    expect(
      (await app.inject({ url: '/api/analyses/analysis-none-1/progress', headers: auth })).statusCode,
    ).toBe(404);
    const connection = await Connection.connect({ address: serviceAddresses().temporal });
    try {
      await new Client({ connection }).workflow.getHandle(body.workflowId).terminate('test over');
    } finally {
      await connection.close();
    }
  }, 60_000);

  it('names workflows so that their analysis id is the workflow id, and finds scheduled ones', () => {
    const id = plainWorkflowId('line 3/burnt', new Date('2026-11-01T02:00:00.123Z'));
    expect(id).toMatch(/^analysis-line-3-burnt-20261101T020000123Z-[0-9a-f]{6}$/);
    expect(analysisIdOf(id)).toBe(id);
    const scheduled = 'analysis-cfg1-2026-11-01T02:00:00Z';
    expect(workflowIdsOf(analysisIdOf(scheduled))).toContain(scheduled);
  });
});
