/**
 * The HTTP API for the platform (`line-rca serve`), on Fastify: every request validated against
 * the schemas in `schemas.ts` (which `/openapi.json` publishes), a bearer token on every `/api/`
 * path when one is set, and one error handler that maps what went wrong to a status — 400 with
 * the field and reason, 401, 404, 409, 503 — so bad input never becomes a 5xx.
 */
import { timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { type InputProblem, isInvalidInput } from '../analysis/errors';
import type { Catalog } from './catalog';
import { ConflictError, NotFoundError, UnavailableError } from './errors';
import { indexPage, reportPage } from './pages';
import type { Runs, StartRequest } from './runs';
import { ROUTES, SHARED } from './schemas';
import { type ZoomEngines, type ZoomQuery, zoomSource } from './zoom';

export interface ServerOptions {
  readonly catalog: Catalog;
  readonly zoom: ZoomEngines;
  readonly runs: Runs;
  /** Required on every `/api/` path when set (LINE_RCA_API_TOKEN). */
  readonly token?: string;
  /** Fastify's logger (default off; `serve` logs to stderr). */
  readonly logger?: boolean;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `body/from` and ajv's keyword details as `body.from`, `body.variables[0]`, `body.configId`. */
function validationProblems(error: FastifyError): InputProblem[] {
  const context = error.validationContext ?? 'request';
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const path = v.instancePath
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('');
    const field =
      typeof params.missingProperty === 'string'
        ? `.${params.missingProperty}`
        : typeof params.additionalProperty === 'string'
          ? `.${params.additionalProperty}`
          : '';
    const message =
      v.keyword === 'additionalProperties'
        ? 'is not a known field'
        : v.keyword === 'required'
          ? 'is required'
          : v.keyword === 'oneOf'
            ? 'give exactly one of configId or config'
            : (v.message ?? 'is invalid');
    return { where: `${context}${path}${field}`, message };
  });
}

function send(reply: FastifyReply, statusCode: number, message: string, problems?: readonly InputProblem[]) {
  return reply
    .code(statusCode)
    .type('application/json')
    .send({
      statusCode,
      error: STATUS_TEXT[statusCode] ?? 'Error',
      message,
      ...(problems ? { problems } : {}),
    });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of a request: `Authorization: Bearer …`, or `?access_token=` (RFC 6750) for pages. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer /i.test(header)) return header.slice(7).trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Ids are checked by the schemas; long URLs are refused before routing.
    routerOptions: { maxParamLength: 500 },
    bodyLimit: 4 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: true } },
  });
  for (const schema of SHARED) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'line-rca',
        version: '1',
        description:
          'Root-cause analyses of production lines: list them, read their results and reports, zoom on a period, start new ones.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'LINE_RCA_API_TOKEN, when the server has one; pages also accept ?access_token=.',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `schema-${i}`) },
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!options.token || !request.url.startsWith('/api/')) return;
    const given = tokenOf(request);
    if (given === undefined || !sameToken(given, options.token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="line-rca"');
      return send(reply, 401, 'a bearer token is required (Authorization: Bearer <LINE_RCA_API_TOKEN>)');
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return send(reply, 400, 'invalid request', validationProblems(error));
    if (isInvalidInput(error)) return send(reply, 400, 'invalid request', error.problems);
    if (error instanceof NotFoundError) return send(reply, 404, error.message);
    if (error instanceof ConflictError) return send(reply, 409, error.message);
    if (error instanceof UnavailableError) return send(reply, 503, error.message);
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    // Fastify's own client errors (malformed JSON, wrong media type, too large) keep their status.
    if (status >= 400 && status < 500) return send(reply, status, error.message);
    request.log.error(error);
    return send(reply, 500, 'internal error; the server log has the details');
  });

  app.get('/health', { schema: ROUTES.health }, async () => ({ status: 'ok' as const }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html').send(indexPage()),
  );

  app.get('/api/lines', { schema: ROUTES.lines }, async () => ({ lines: await options.catalog.lines() }));

  app.get('/api/lines/:line/analyses', { schema: ROUTES.lineAnalyses }, async (request) => {
    const { line } = request.params as { line: string };
    const { limit, offset } = request.query as { limit: number; offset: number };
    const page = await options.catalog.analyses(line, { limit, offset });
    if (page.total === 0) throw new NotFoundError(`no analyses of line ${JSON.stringify(line)}`);
    return { line, total: page.total, limit, offset, analyses: page.analyses };
  });

  const resultsOf = async (id: string) => {
    const results = await options.catalog.results(id);
    if (!results) throw new NotFoundError(`no analysis ${JSON.stringify(id)}`);
    return results;
  };

  app.get('/api/analyses/:id', { schema: ROUTES.analysis }, async (request) =>
    resultsOf((request.params as { id: string }).id),
  );

  app.get('/api/analyses/:id/report', { schema: ROUTES.report }, async (request, reply) => {
    const results = await resultsOf((request.params as { id: string }).id);
    return reply.type('text/html').send(await reportPage(results));
  });

  app.post('/api/analyses/:id/zoom', { schema: ROUTES.zoom }, async (request) => {
    const { id } = request.params as { id: string };
    const answer = await options.zoom.zoom(id, (request.body ?? {}) as ZoomQuery);
    if (!answer) throw new NotFoundError(`no analysis ${JSON.stringify(id)}`);
    return answer;
  });

  app.post('/api/analyses', { schema: ROUTES.start }, async (request, reply) => {
    const started = await options.runs.start(request.body as StartRequest);
    return reply.code(202).send({
      ...started,
      progress: `/api/analyses/${started.id}/progress`,
      results: `/api/analyses/${started.id}`,
    });
  });

  app.get('/api/analyses/:id/progress', { schema: ROUTES.progress }, async (request) =>
    options.runs.progress((request.params as { id: string }).id),
  );

  return app;
}

/** What the zoom engines need from the catalog: an analysis's observations and configuration. */
export function zoomSourceFrom(catalog: Catalog) {
  return async (id: string) => {
    const results = await catalog.results(id);
    return results ? zoomSource(results) : undefined;
  };
}
