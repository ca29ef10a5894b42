/**
 * The API's request and response schemas (JSON Schema, as OpenAPI 3 uses them): one home for
 * both the validation Fastify does on every request and the document at `/openapi.json`.
 */

export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,200}$';
/** `2026-10-01`, `2026-10-01T06:00`, `2026-10-01T06:00:00.000Z`, `…+02:00` (no offset: UTC). */
const ISO_INSTANT =
  '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?$';

/** Shared schemas, registered with `addSchema` and listed in the document's components. */
export const SHARED = [
  {
    $id: 'Problem',
    type: 'object',
    description: 'One thing wrong with the request: where (a field) and why.',
    required: ['where', 'message'],
    properties: { where: { type: 'string' }, message: { type: 'string' } },
  },
  {
    $id: 'Error',
    type: 'object',
    required: ['statusCode', 'error', 'message'],
    properties: {
      statusCode: { type: 'integer' },
      error: { type: 'string' },
      message: { type: 'string' },
      problems: { type: 'array', items: { $ref: 'Problem#' } },
    },
  },
  {
    $id: 'DistributionEntry',
    type: 'object',
    description:
      'One variable of the distribution analysis, as in results.json `distribution` (see the README, "Reading the results").',
    required: ['variable', 'kind', 'score'],
    properties: {
      variable: { type: 'string' },
      kind: { type: 'string', enum: ['numeric', 'categorical', 'identifier'] },
      score: { type: 'number' },
      qValue: { type: ['number', 'null'] },
    },
    additionalProperties: true,
  },
  {
    $id: 'AnalysisListing',
    type: 'object',
    required: ['id', 'name', 'line', 'status', 'startedAt', 'finishedAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      line: { type: 'string' },
      target: { type: ['string', 'null'] },
      status: { type: 'string' },
      startedAt: { type: 'string' },
      finishedAt: { type: 'string' },
      rows: { type: ['integer', 'null'] },
      positives: { type: ['integer', 'null'] },
      auc: { type: ['number', 'null'] },
      newCauses: { type: 'array', items: { type: 'string' } },
      goneCauses: { type: 'array', items: { type: 'string' } },
    },
  },
] as const;

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: ERROR_TEXT[c], $ref: 'Error#' }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `problems` lists each field and why.',
  401: 'Missing or wrong bearer token (LINE_RCA_API_TOKEN is set).',
  404: 'No such analysis, line, configuration or workflow.',
  409: 'The analysis cannot serve this (its stored data is gone).',
  414: 'A path parameter is longer than 500 characters.',
  503: 'MongoDB or Temporal cannot be reached.',
};

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_PATTERN, description: 'The analysis id.' } },
} as const;

const secured = { security: [{ bearer: [] }] };

export const ROUTES = {
  health: {
    summary: 'Liveness: the server answers.',
    tags: ['service'],
    response: {
      200: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['ok'] } },
      },
    },
  },
  lines: {
    summary: 'Lines that have analyses.',
    tags: ['analyses'],
    ...secured,
    response: {
      200: {
        type: 'object',
        required: ['lines'],
        properties: {
          lines: {
            type: 'array',
            items: {
              type: 'object',
              required: ['line', 'analyses', 'latestFinishedAt'],
              properties: {
                line: { type: 'string' },
                analyses: { type: 'integer' },
                latestFinishedAt: { type: 'string' },
              },
            },
          },
        },
      },
      ...errors(401, 503),
    },
  },
  lineAnalyses: {
    summary: "A line's analyses, newest first, a page at a time.",
    tags: ['analyses'],
    ...secured,
    params: {
      type: 'object',
      required: ['line'],
      properties: { line: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
        access_token: { type: 'string', description: 'The bearer token, for links opened in a browser.' },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['line', 'total', 'limit', 'offset', 'analyses'],
        properties: {
          line: { type: 'string' },
          total: { type: 'integer' },
          limit: { type: 'integer' },
          offset: { type: 'integer' },
          analyses: { type: 'array', items: { $ref: 'AnalysisListing#' } },
        },
      },
      ...errors(400, 401, 404, 414, 503),
    },
  },
  analysis: {
    summary: 'The results document of an analysis (results.json).',
    tags: ['analyses'],
    ...secured,
    params: idParams,
    response: {
      200: {
        description: 'The results document; see ARCHITECTURE.md and the README for its fields.',
        type: 'object',
        required: ['id', 'line'],
        properties: { id: { type: 'string' }, line: { type: 'string' } },
        additionalProperties: true,
      },
      ...errors(400, 401, 404, 414, 503),
    },
  },
  report: {
    summary: 'The HTML report of an analysis; its zoom recomputes through this API.',
    tags: ['analyses'],
    ...secured,
    params: idParams,
    response: {
      200: { description: 'The report page.', content: { 'text/html': { schema: { type: 'string' } } } },
      ...errors(400, 401, 404, 409, 414, 503),
    },
  },
  zoom: {
    summary: 'The distribution analysis recomputed on a period and a choice of variables.',
    description:
      'Same semantics as `line-rca distribution --from --to`: `from` inclusive, `to` exclusive, ISO instants (UTC without an offset); ' +
      "each row keeps the analysis's own label. Without `from` / `to` the period is open on that side.",
    tags: ['analyses'],
    ...secured,
    params: idParams,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: ISO_INSTANT, description: 'ISO date or instant, inclusive.' },
        to: { type: 'string', pattern: ISO_INSTANT, description: 'ISO date or instant, exclusive.' },
        variables: {
          type: 'array',
          minItems: 1,
          maxItems: 10_000,
          items: { type: 'string', minLength: 1, maxLength: 500 },
          description: 'Variables to analyse (default: all the analysis compared).',
        },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['distribution', 'data'],
        properties: {
          distribution: { type: 'array', items: { $ref: 'DistributionEntry#' } },
          data: {
            type: 'object',
            required: ['rows', 'positives', 'variables', 'from', 'to'],
            properties: {
              rows: { type: 'integer' },
              positives: { type: 'integer' },
              variables: { type: 'integer' },
              from: { type: ['string', 'null'] },
              to: { type: ['string', 'null'] },
            },
          },
        },
      },
      ...errors(400, 401, 404, 409, 414, 503),
    },
  },
  start: {
    summary: 'Starts an analysis on Temporal, from a stored configuration or a whole one.',
    tags: ['runs'],
    ...secured,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        configId: {
          type: 'string',
          pattern: ID_PATTERN,
          description: 'A configuration stored with `line-rca config put`.',
        },
        config: { type: 'object', description: 'A whole configuration document (README, "Configuration").' },
        baseDir: {
          type: 'string',
          minLength: 1,
          maxLength: 4096,
          description: "Folder a relative source.path is relative to, on the workers' machines.",
        },
      },
      oneOf: [{ required: ['configId'] }, { required: ['config'] }],
    },
    response: {
      202: {
        type: 'object',
        required: ['id', 'workflowId', 'taskQueue', 'progress', 'results'],
        properties: {
          id: { type: 'string' },
          workflowId: { type: 'string' },
          taskQueue: { type: 'string' },
          progress: { type: 'string', description: 'Where to follow it.' },
          results: { type: 'string', description: 'Where its results will be.' },
        },
      },
      ...errors(400, 401, 404, 503),
    },
  },
  progress: {
    summary: "An analysis's progress: the workflow's status and its `progress` query.",
    tags: ['runs'],
    ...secured,
    params: idParams,
    response: {
      200: {
        type: 'object',
        required: ['id', 'workflowId', 'status', 'progress'],
        properties: {
          id: { type: 'string' },
          workflowId: { type: 'string' },
          status: { type: 'string' },
          progress: {
            type: ['object', 'null'],
            properties: {
              stage: { type: 'string' },
              trialsDone: { type: 'integer' },
              trialsTotal: { type: 'integer' },
              bestValue: { type: ['number', 'null'] },
              secondsLeft: {
                type: ['number', 'null'],
                description: "The search's estimate of the time left.",
              },
            },
          },
        },
      },
      ...errors(400, 401, 404, 414, 503),
    },
  },
} as const;
