/**
 * The analysis configuration (ARCHITECTURE.md, "Configuration"): one schema, validated in one
 * place, every problem reported at once with its path (`search.trials: must be a positive
 * integer`). The same schema is exported as JSON Schema for the platform (`npm run schema`).
 */
import { z } from 'zod';
import { type InputProblem, InvalidInputError } from './errors';
import { type LearnerKind, learnerKinds } from './learners/kinds';
import { parseTarget } from './target';

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)$/;
const duration = z
  .string({ error: 'must be a duration such as "10m", "30s", "2h" or "1d"' })
  .regex(DURATION, { error: 'must be a duration such as "10m", "30s", "2h" or "1d"' });
const isoTime = z
  .string({ error: 'must be an ISO 8601 time such as "2026-10-01T00:00:00Z"' })
  .refine((s) => !Number.isNaN(Date.parse(s)), {
    error: 'must be an ISO 8601 time such as "2026-10-01T00:00:00Z"',
  });
const name = z.string({ error: 'must be a text' }).min(1, { error: 'must not be empty' });
const names = z.array(name, { error: 'must be a list of names' });

export const AGGREGATION_FUNCTIONS = [
  'mean',
  'std',
  'min',
  'max',
  'first',
  'last',
  'count',
  'slope',
] as const;
/** Aggregation functions: the fixed ones above, or a quantile `p1` … `p99`. */
const aggregationFunction = z
  .string()
  .refine((f) => (AGGREGATION_FUNCTIONS as readonly string[]).includes(f) || /^p([1-9]|[1-9]\d)$/.test(f), {
    error: `must be one of ${AGGREGATION_FUNCTIONS.join(', ')} or a quantile p1 … p99`,
  });

export const ALERT_EVENTS = ['new-cause', 'gone-cause', 'auc-drop', 'bad-rate'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
/** The learners a configuration may list (the registry's kinds). */
export type Learner = LearnerKind;

const fileSource = z
  .object({
    kind: z.literal('file'),
    path: name,
    timeColumn: name.optional().describe('The time column; without it rows are observations in file order.'),
    format: z
      .enum(['wide', 'long'])
      .optional()
      .describe('wide: a column per variable; long: time, variable, value.'),
  })
  .strict();
const mongoSource = z
  .object({
    kind: z.literal('mongo'),
    collection: name.default('measurements'),
  })
  .strict();

const aggregation = z.union(
  [
    z.literal('none'),
    z
      .object({
        window: duration.optional(),
        batchColumn: name.optional().describe('One observation per batch instead of fixed windows.'),
        functions: z
          .array(aggregationFunction)
          .min(1, { error: 'must list at least one function' })
          .default(['mean', 'std', 'min', 'max', 'last']),
        lag: duration.default('0m'),
      })
      .strict()
      .refine((a) => (a.window === undefined) !== (a.batchColumn === undefined), {
        error: 'give either window (e.g. "10m") or batchColumn, not both or neither',
      }),
  ],
  { error: 'must be "none" or an object such as { "window": "10m" }' },
);

const positiveInt = (what = 'a positive integer') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` });

export const configSchema = z
  .object({
    name,
    line: name,
    source: z.discriminatedUnion('kind', [fileSource, mongoSource], {
      error: 'must be { "kind": "file", "path": … } or { "kind": "mongo" }',
    }),
    period: z.object({ from: isoTime.optional(), to: isoTime.optional() }).strict().optional(),
    target: z.string({ error: 'must be a target expression such as "defect_rate > 0.05"' }),
    variables: z
      .object({ include: names.default([]), exclude: names.default([]) })
      .strict()
      .default({ include: [], exclude: [] }),
    aggregation: aggregation.default({
      window: '10m',
      functions: ['mean', 'std', 'min', 'max', 'last'],
      lag: '0m',
    }),
    validation: z
      .object({
        fraction: z
          .number({ error: 'must be a number between 0 and 1 (exclusive)' })
          .gt(0, { error: 'must be a number between 0 and 1 (exclusive)' })
          .lt(1, { error: 'must be a number between 0 and 1 (exclusive)' })
          .default(0.2),
        gap: duration.default('0m'),
      })
      .strict()
      .default({ fraction: 0.2, gap: '0m' }),
    models: z
      .array(z.enum(learnerKinds, { error: `must be one of ${learnerKinds.join(', ')}` }))
      .min(1, { error: 'must list at least one model' })
      .default([...learnerKinds]),
    search: z
      .object({
        trials: positiveInt().default(40),
        seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).default(42),
        timeoutSeconds: z
          .number({ error: 'must be a positive number' })
          .positive({ error: 'must be a positive number' })
          .default(600),
        parallelism: positiveInt().default(2).describe('Trials evaluated at the same time.'),
      })
      .strict()
      .default({ trials: 40, seed: 42, timeoutSeconds: 600, parallelism: 2 }),
    tracking: z
      .object({ experiment: name.optional().describe('MLflow experiment; default: the line.') })
      .strict()
      .optional(),
    alerts: z
      .object({
        webhook: z
          .string({ error: 'must be an http(s) URL' })
          .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
            error: 'must be an http(s) URL',
          })
          .describe('Receives a POST with a short JSON summary when a condition in `on` holds.'),
        on: z
          .array(z.enum(ALERT_EVENTS, { error: `must be one of ${ALERT_EVENTS.join(', ')}` }))
          .min(1, { error: 'must list at least one condition' })
          .default(['new-cause', 'auc-drop']),
        aucDrop: z
          .number({ error: 'must be a number between 0 and 1' })
          .gt(0, { error: 'must be a number between 0 and 1' })
          .lt(1, { error: 'must be a number between 0 and 1' })
          .default(0.05)
          .describe('auc-drop: the validation AUC fell by at least this much since the last run.'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.period?.from && c.period.to && Date.parse(c.period.from) >= Date.parse(c.period.to)) {
      ctx.addIssue({ code: 'custom', path: ['period'], message: 'from must be before to' });
    }
  });

export type AnalysisConfig = z.output<typeof configSchema>;
export type AnalysisConfigInput = z.input<typeof configSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(top level)'
  );
}

/**
 * Validates a configuration document (parsed JSON or YAML) and fills in the defaults. Throws
 * `InvalidInputError` listing every problem with its path.
 */
export function parseConfig(document: unknown): AnalysisConfig {
  const result = configSchema.safeParse(document);
  const problems: InputProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        let message = issue.message;
        if (issue.code === 'unrecognized_keys') {
          message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
        } else if (issue.code === 'invalid_type' && valueAt(document, issue.path) === undefined) {
          message = 'is required';
        }
        return { where: pathOf(issue.path), message };
      });
  // The target is checked apart from the schema so its problem is reported with the others.
  const target = valueAt(document, ['target']);
  if (typeof target === 'string') {
    try {
      parseTarget(target);
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^target: /, '') : String(error);
      problems.push({ where: 'target', message });
    }
  }
  if (problems.length > 0 || !result.success) throw new InvalidInputError(problems);
  return result.data;
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The configuration schema as JSON Schema (draft 2020-12), for the platform. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://line-rca/analysis-config.schema.json',
    title: 'line-rca analysis configuration',
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
