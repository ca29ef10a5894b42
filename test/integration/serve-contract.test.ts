// `line-rca serve` against its own OpenAPI document, over real HTTP: the document is valid
// OpenAPI 3 (an independent validator), every answer matches the schema the document gives for
// its route and status, and random requests (methods, ids, bodies, queries, tokens) only ever get
// 2xx or 4xx answers — never a 5xx — and leave the server up and answering.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { temporalSettings } from '../../connectors/temporal';
import { buildServer, zoomSourceFrom } from '../../server/app';
import { MongoCatalog } from '../../server/catalog';
import { TemporalRuns } from '../../server/runs';
import { ZoomEngines } from '../../server/zoom';
import { type ServedAnalysis, servedAnalysis } from './setup/served-analysis';
import { uniqueName } from './setup/services';

const TOKEN = 'contract-token';
let served: ServedAnalysis;
let app: FastifyInstance;
let catalog: MongoCatalog;
let zoom: ZoomEngines;
let runs: TemporalRuns;
let base: string;

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
}
let doc: OpenApi;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

beforeAll(async () => {
  served = await servedAnalysis({ line: 'contract line' });
  catalog = await MongoCatalog.connect(served.env.MONGODB_URI);
  zoom = new ZoomEngines(zoomSourceFrom(catalog), { threads: 1 });
  runs = new TemporalRuns(
    temporalSettings(process.env, uniqueName('serve-contract')),
    served.env.MONGODB_URI,
  );
  app = await buildServer({ catalog, zoom, runs, token: TOKEN });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApi;
  for (const [name, schema] of Object.entries(doc.components.schemas))
    ajv.addSchema(schema, `#/components/schemas/${name}`);
}, 300_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([zoom?.close(), runs?.close(), catalog?.close()]);
  if (served) rmSync(served.tmp, { recursive: true, force: true });
});

/** The documented route a concrete path matches (`/api/analyses/{id}/zoom`), if any. */
function routeOf(path: string): string | undefined {
  const clean = path.split('?')[0];
  return Object.keys(doc.paths).find((template) => {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(clean);
  });
}

interface Answer {
  status: number;
  body: unknown;
  type: string;
}

async function call(
  method: string,
  path: string,
  options: { body?: string; token?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: options.body });
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return {
    status: response.status,
    type,
    body: type.startsWith('application/json') ? JSON.parse(text) : text,
  };
}

/** Checks the answer against the document; returns what does not match. */
function conforms(method: string, path: string, answer: Answer): string[] {
  const route = routeOf(path);
  if (!route) return answer.status === 404 ? [] : [`${method} ${path}: not in the document`];
  const operation = doc.paths[route][method.toLowerCase()];
  // A method the route does not have: refused (the token is asked first), never served.
  if (!operation)
    return [401, 404].includes(answer.status) ? [] : [`${method} ${route}: answered ${answer.status}`];
  const response = operation.responses[String(answer.status)];
  if (!response) return [`${method} ${route}: status ${answer.status} not documented`];
  const media = answer.type.split(';')[0];
  const schema = response.content?.[media]?.schema;
  if (!schema) return [`${method} ${route} ${answer.status}: ${media} not documented`];
  const key = `${method} ${route} ${answer.status} ${media}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate(answer.body) ? [] : [`${key}: ${ajv.errorsText(validate.errors)}`];
}

describe('serve: the OpenAPI document', () => {
  it('is valid OpenAPI 3 and documents every route', () => {
    // The validator is an ES module: it runs in its own node process.
    const check = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Validator } from '@seriousme/openapi-schema-validator';
         let text = ''; process.stdin.on('data', (c) => (text += c));
         process.stdin.on('end', async () => console.log(JSON.stringify(await new Validator().validate(JSON.parse(text)))));`,
      ],
      { input: JSON.stringify(doc), encoding: 'utf8', cwd: __dirname },
    );
    expect(check.stderr).toBe('');
    expect(JSON.parse(check.stdout)).toEqual({ valid: true });
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/analyses',
      '/api/analyses/{id}',
      '/api/analyses/{id}/progress',
      '/api/analyses/{id}/report',
      '/api/analyses/{id}/zoom',
      '/api/lines',
      '/api/lines/{line}/analyses',
      '/health',
    ]);
  });

  it('describes every answer the server gives, good and bad', async () => {
    const id = served.results.id;
    const line = encodeURIComponent('contract line');
    const requests: [string, string, { body?: string; token?: string | null }?][] = [
      ['GET', '/health'],
      ['GET', '/api/lines'],
      ['GET', '/api/lines', { token: null }],
      ['GET', `/api/lines/${line}/analyses?limit=2`],
      ['GET', `/api/lines/${line}/analyses?limit=0`],
      ['GET', '/api/lines/nowhere/analyses'],
      ['GET', `/api/analyses/${id}`],
      ['GET', '/api/analyses/unknown'],
      ['GET', `/api/analyses/${id}/report`],
      [
        'POST',
        `/api/analyses/${id}/zoom`,
        { body: JSON.stringify({ from: '2026-09-03', to: '2026-09-05' }) },
      ],
      ['POST', `/api/analyses/${id}/zoom`, { body: JSON.stringify({ from: 'soon' }) }],
      ['POST', `/api/analyses/${id}/zoom`, { body: '{"to": [' }],
      ['POST', '/api/analyses', { body: JSON.stringify({ config: { line: 3 } }) }],
      ['POST', '/api/analyses', { body: JSON.stringify({ configId: 'missing' }) }],
      ['GET', '/api/analyses/analysis-unknown/progress'],
    ];
    const problems: string[] = [];
    const statuses: number[] = [];
    for (const [method, path, options] of requests) {
      const answer = await call(method, path, options);
      statuses.push(answer.status);
      problems.push(...conforms(method, path, answer));
    }
    expect(problems).toEqual([]);
    expect(statuses).toEqual([200, 200, 401, 200, 400, 404, 200, 404, 200, 200, 400, 400, 400, 404, 404]);
  });
});

describe('serve: fuzzing', () => {
  it('answers random requests with 2xx or 4xx only, as documented, and stays up', async () => {
    const id = served.results.id;
    const ids = fc.oneof(
      fc.constant(id),
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[A-Za-z0-9_.:-]{1,250}$/),
      fc.constantFrom('..', '%00', '$where', '{"$ne":null}', 'a'.repeat(600), '\u0000', 'ü/ö'),
    );
    const instants = fc.oneof(
      fc
        .date({ min: new Date('2026-08-25'), max: new Date('2026-09-12'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '2026-09-03',
        '2026-09-03T10:00',
        '2026-02-30',
        '9999-99-99T99:99',
        '2026-09-03T10:00+25:00',
      ),
    );
    const zoomBodies = fc.oneof(
      fc.record(
        {
          from: instants,
          to: instants,
          variables: fc.array(
            fc.oneof(fc.constantFrom(...served.results.distribution.map((d) => d.variable)), fc.string()),
            {
              maxLength: 5,
            },
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const startBodies = fc.oneof(
      fc.record({ configId: ids }),
      fc.record({ config: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })) }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const encode = (text: string) => encodeURIComponent(text);
    const request = fc.oneof(
      fc.tuple(
        fc.constant('GET'),
        ids.map((x) => `/api/analyses/${encode(x)}`),
        fc.constant(undefined),
      ),
      fc.tuple(
        fc.constant('GET'),
        ids.map((x) => `/api/analyses/${encode(x)}/progress`),
        fc.constant(undefined),
      ),
      fc.tuple(
        fc.constant('GET'),
        ids.map((x) => `/api/analyses/${encode(x)}/report`),
        fc.constant(undefined),
      ),
      fc.tuple(
        fc.constant('GET'),
        fc
          .tuple(ids, fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
          .map(([l, a, b]) => `/api/lines/${encode(l)}/analyses?limit=${encode(a)}&offset=${encode(b)}`),
        fc.constant(undefined),
      ),
      fc.tuple(
        fc.constant('POST'),
        fc.oneof(fc.constant(id), ids).map((x) => `/api/analyses/${encode(x)}/zoom`),
        fc.oneof(
          zoomBodies.map((b) => JSON.stringify(b)),
          fc.string({ maxLength: 50 }),
        ),
      ),
      fc.tuple(
        fc.constant('POST'),
        fc.constant('/api/analyses'),
        startBodies.map((b) => JSON.stringify(b)),
      ),
      fc.tuple(
        fc.constantFrom('PUT', 'DELETE', 'PATCH'),
        ids.map((x) => `/api/analyses/${encode(x)}`),
        fc.constant(undefined),
      ),
    );
    const tokens = fc.oneof(
      fc.constant(TOKEN),
      fc.constant(TOKEN),
      fc.constant(null),
      fc.string({ maxLength: 30 }),
    );
    const seen = new Map<number, number>();
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, tokens, async ([method, path, body], token) => {
        const answer = await call(method, path, {
          body,
          token: token === null ? null : token.replace(/[^\x20-\x7e]/g, ''),
        });
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500)
          problems.push(`${method} ${path} ${body ?? ''} → ${answer.status} ${JSON.stringify(answer.body)}`);
        else if (answer.status !== 405 && routeOf(path)) problems.push(...conforms(method, path, answer));
        return answer.status < 500;
      }),
      { numRuns: 400, seed: 20, endOnFailure: true },
    );
    expect(problems).toEqual([]);
    // The fuzz reached past the token and the validation: both answers and refusals.
    expect(seen.get(200) ?? 0).toBeGreaterThan(10);
    expect(seen.get(400) ?? 0).toBeGreaterThan(50);
    expect(seen.get(401) ?? 0).toBeGreaterThan(20);
    expect(seen.get(404) ?? 0).toBeGreaterThan(20);
    // Still up, still right.
    expect((await call('GET', '/health')).status).toBe(200);
    const after = await call('POST', `/api/analyses/${id}/zoom`, { body: '{}' });
    expect(after.status).toBe(200);
  }, 300_000);
});
