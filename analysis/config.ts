/**
 * The analysis configuration (ARCHITECTURE.md, "Configuration"): one schema, validated in one
 * place, every problem reported at once with its path (`search.trials: must be a positive
 * integer`). The same schema is exported as JSON Schema for the platform (`npm run schema`).
 */
import { z } from 'zod';
import { BASIC_FUNCTIONS, isAggregationFunction } from './aggregate/functions';
import type { AggregationPlan } from './aggregate/groups';
import { parseTarget, type TargetExpression, targetColumns } from './aggregate/target';
import {
  DURATION_HINT,
  DURATION_PATTERN,
  lagInWindows,
  type Period,
  parseDuration,
  parseInstant,
  parsePeriod,
} from './aggregate/time';
import { type InputProblem, InvalidInputError, isInvalidInput } from './errors';
import { type LearnerKind, learnerKinds } from './learners/kinds';
import { roleProblems } from './rules/roles';
import type { RoleLists, VariableRole } from './rules/types';

/** True when `check` does not throw: a zod refinement from a parser that throws. */
function parses(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const duration = z
  .string({ error: `must be ${DURATION_HINT}` })
  .regex(DURATION_PATTERN, { error: `must be ${DURATION_HINT}` });
const isoTime = z
  .string({ error: 'must be an ISO 8601 time such as "2026-10-01T00:00:00Z"' })
  .refine((s) => parses(() => parseInstant(s, 'period')), {
    error: 'must be an ISO 8601 time such as "2026-10-01T00:00:00Z"',
  });
const name = z.string({ error: 'must be a text' }).min(1, { error: 'must not be empty' });
const names = z.array(name, { error: 'must be a list of names' });

/** Aggregation functions: analysis/aggregate/functions.ts lists them. */
const aggregationFunction = z.string().refine(isAggregationFunction, {
  error: `must be one of ${BASIC_FUNCTIONS.join(', ')} or a quantile p1 … p99`,
});

/** `search.seed` when the configuration names none (the shifts of the time-aware p-values too). */
export const DEFAULT_SEED = 42;

export const ALERT_EVENTS = ['new-cause', 'gone-cause', 'auc-drop', 'bad-rate'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
/** The learners a configuration may list (the registry's kinds). */
export type Learner = LearnerKind;

/** How a file is read, wherever it is (a path, or the artifact storage). */
const fileLayout = {
  timeColumn: name.optional().describe('The time column; without it rows are observations in file order.'),
  format: z
    .enum(['wide', 'long'])
    .optional()
    .describe('wide: a column per variable; long: time, variable, value.'),
};
const fileSource = z.object({ kind: z.literal('file'), path: name, ...fileLayout }).strict();
const artifactSource = z
  .object({
    kind: z.literal('artifact'),
    uri: z
      .string({ error: 'must be an artifact URI printed by line-rca data put' })
      .min(1, { error: 'must be an artifact URI printed by line-rca data put' })
      .describe('A CSV or Parquet file in the artifact storage, as `line-rca data put FILE` prints it.'),
    ...fileLayout,
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
        lag: z
          .union([duration, z.number().int().nonnegative()], {
            error: 'must be a duration such as "10m" (windows) or a whole number of batches',
          })
          .default('0m')
          .describe('Windows: a duration, a whole number of windows. Batches: a number of batches.'),
        maxLag: duration
          .optional()
          .describe('Windows: the longest dead time tried per variable (default "2h"; "0m": none).'),
      })
      .strict()
      .refine((a) => (a.window === undefined) !== (a.batchColumn === undefined), {
        error: 'give either window (e.g. "10m") or batchColumn, not both or neither',
      }),
  ],
  { error: 'must be "none" or an object such as { "window": "10m" }' },
);

/** `variables.roles`: what an operator can do about each variable (analysis/rules/roles.ts). */
const roles = z
  .object({
    setting: names.optional(),
    material: names.optional(),
    measurement: names.optional(),
    ambient: names.optional(),
  } satisfies Record<VariableRole, unknown>)
  .strict()
  .superRefine((lists, ctx) => {
    // Every name a role lists counts as known here: before the data is read, only a name given
    // two roles is a problem (unknown names are checked against the source's columns).
    const all = Object.values(lists).flatMap((l) => l ?? []);
    for (const p of roleProblems(lists, all)) {
      const path = p.where
        .split(/[.[\]]+/)
        .filter(Boolean)
        .slice(2)
        .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      ctx.addIssue({ code: 'custom', path, message: p.message });
    }
  })
  .describe('Settings and materials are levers; measurements and ambient conditions are indicators.');

const positiveInt = (what = 'a positive integer') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` });

export const configSchema = z
  .object({
    name,
    line: name,
    source: z.discriminatedUnion('kind', [fileSource, artifactSource, mongoSource], {
      error: 'must be { "kind": "file", "path": … }, { "kind": "artifact", "uri": … } or { "kind": "mongo" }',
    }),
    period: z.object({ from: isoTime.optional(), to: isoTime.optional() }).strict().optional(),
    target: z.string({ error: 'must be a target expression such as "defect_rate > 0.05"' }),
    variables: z
      .object({
        include: names.default([]),
        exclude: names.default([]),
        roles: roles.optional(),
        stratify: names
          .optional()
          .describe('Columns (a recipe, a product) each variable is compared within; at most 50 strata.'),
      })
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
        seed: z
          .number({ error: 'must be an integer' })
          .int({ error: 'must be an integer' })
          .default(DEFAULT_SEED),
        timeoutSeconds: z
          .number({ error: 'must be a positive number' })
          .positive({ error: 'must be a positive number' })
          .default(600),
        parallelism: positiveInt().default(2).describe('Trials evaluated at the same time.'),
      })
      .strict()
      .default({ trials: 40, seed: DEFAULT_SEED, timeoutSeconds: 600, parallelism: 2 }),
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
    if (
      c.period?.from &&
      c.period.to &&
      parses(() => parseInstant(c.period?.to ?? '', 'period')) &&
      parseInstant(c.period.from, 'period.from') >= parseInstant(c.period.to, 'period.to')
    ) {
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
  const issues = result.success ? [] : result.error.issues.flatMap((issue) => branchIssues(issue, document));
  const problems: InputProblem[] = result.success
    ? []
    : issues.map((issue) => {
        let message = issue.message;
        if (issue.code === 'unrecognized_keys') {
          message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
        } else if (issue.code === 'invalid_type' && valueAt(document, issue.path) === undefined) {
          message = 'is required';
        }
        return { where: pathOf(issue.path), message };
      });
  // The target, and the values only a valid document has (the lag against the window), are
  // checked apart from the schema so their problems are reported with the others.
  const target = valueAt(document, ['target']);
  if (typeof target === 'string' && !result.success) collect(problems, () => readTarget(target));
  if (result.success) collect(problems, () => analysisSettings(result.data));
  if (problems.length > 0 || !result.success) throw new InvalidInputError(problems);
  return result.data;
}

function collect(problems: InputProblem[], work: () => unknown): void {
  try {
    work();
  } catch (error) {
    if (!isInvalidInput(error)) throw error;
    problems.push(...error.problems);
  }
}

function readTarget(text: string): TargetExpression {
  return parseTarget(text);
}

/**
 * The configuration's values in the types the stages use, parsed here once: the target's
 * expression and columns, the aggregation (durations in ms, the lag in windows or batches), the
 * validation gap in ms and the period in epoch ms. JSON, so it travels as activity input.
 */
export interface AnalysisSettings {
  readonly target: TargetExpression;
  /** The target's columns: kept whatever `variables` says, never explanatory variables. */
  readonly targetColumns: readonly string[];
  readonly aggregation: AggregationPlan;
  readonly validation: { readonly fraction: number; readonly gapMs: number };
  readonly period: Period;
  /** What to do (analysis/rules): dead times, roles, strata. */
  readonly rules: RuleSettings;
}

export interface RuleSettings {
  /** Longest dead time tried, in ms: 0 without windows (`aggregation.maxLag`, default 2 h). */
  readonly maxLagMs: number;
  readonly roles?: RoleLists;
  readonly stratify: readonly string[];
}

/** The default `aggregation.maxLag`. */
export const DEFAULT_MAX_LAG = '2h';

function ruleSettings(config: AnalysisConfig): RuleSettings {
  const { aggregation } = config;
  const windows = aggregation !== 'none' && aggregation.window !== undefined;
  const maxLag = aggregation === 'none' ? undefined : aggregation.maxLag;
  if (maxLag !== undefined && !windows) {
    throw new InvalidInputError({
      where: 'aggregation.maxLag',
      message: 'dead times are searched on time windows: give aggregation.window, or leave maxLag out',
    });
  }
  return {
    maxLagMs: windows ? parseDuration(maxLag ?? DEFAULT_MAX_LAG, 'aggregation.maxLag') : 0,
    ...(config.variables.roles ? { roles: config.variables.roles } : {}),
    stratify: config.variables.stratify ?? [],
  };
}

/** The settings of a configuration `parseConfig` accepted; throws `InvalidInputError` otherwise. */
export function analysisSettings(config: AnalysisConfig): AnalysisSettings {
  const target = readTarget(config.target);
  return {
    target,
    targetColumns: targetColumns(target),
    aggregation: aggregationPlan(config.aggregation),
    validation: {
      fraction: config.validation.fraction,
      gapMs: parseDuration(config.validation.gap, 'validation.gap'),
    },
    period: parsePeriod(config.period?.from, config.period?.to, { from: 'period.from', to: 'period.to' }),
    rules: ruleSettings(config),
  };
}

function aggregationPlan(aggregation: AnalysisConfig['aggregation']): AggregationPlan {
  if (aggregation === 'none') return { kind: 'rows' };
  const functions = [...new Set(aggregation.functions)];
  const lag = aggregation.lag;
  if (aggregation.batchColumn !== undefined) {
    if (typeof lag === 'string' && parseDuration(lag, 'aggregation.lag') !== 0) {
      throw new InvalidInputError({
        where: 'aggregation.lag',
        message: `with batches, the lag is a whole number of batches (e.g. 1), not ${JSON.stringify(lag)}`,
      });
    }
    return {
      kind: 'batches',
      batchColumn: aggregation.batchColumn,
      lagBatches: typeof lag === 'number' ? lag : 0,
      functions,
    };
  }
  const windowMs = parseDuration(aggregation.window ?? '10m', 'aggregation.window');
  if (windowMs <= 0)
    throw new InvalidInputError({ where: 'aggregation.window', message: 'must be longer than 0' });
  if (typeof lag === 'number' && lag !== 0) {
    throw new InvalidInputError({
      where: 'aggregation.lag',
      message: `with windows, the lag is a duration (e.g. "${aggregation.window}"), not the number ${lag}`,
    });
  }
  const lagWindows = lagInWindows(
    typeof lag === 'number' ? 0 : parseDuration(lag, 'aggregation.lag'),
    windowMs,
  );
  return { kind: 'windows', windowMs, lagWindows, functions };
}

/**
 * The settings of `line-rca distribution`'s options: the target, rows or windows of `window`,
 * the period `--from` / `--to`.
 */
export function distributionSettings(options: {
  readonly target: string;
  readonly window?: string;
  readonly from?: string;
  readonly to?: string;
}): Pick<AnalysisSettings, 'target' | 'targetColumns' | 'aggregation' | 'period'> {
  const problems: InputProblem[] = [];
  let target: TargetExpression | undefined;
  let aggregation: AggregationPlan = { kind: 'rows' };
  let period: Period = {};
  collect(problems, () => {
    target = readTarget(options.target);
  });
  if (options.window !== undefined) {
    collect(problems, () => {
      const windowMs = parseDuration(options.window!, '--window');
      if (windowMs <= 0) throw new InvalidInputError({ where: '--window', message: 'must be longer than 0' });
      aggregation = { kind: 'windows', windowMs, lagWindows: 0, functions: [] };
    });
  }
  collect(problems, () => {
    period = parsePeriod(options.from, options.to, { from: '--from', to: '--to' });
  });
  if (problems.length > 0 || !target) throw new InvalidInputError(problems);
  return { target, targetColumns: targetColumns(target), aggregation, period };
}

type Issue = z.core.$ZodIssue;

/**
 * An object that matches no branch of a union (`aggregation: { "window": 10 }`) is reported
 * inside the object branch (`aggregation.window: must be a duration…`), not as a whole.
 */
function branchIssues(issue: Issue, document: unknown): Issue[] {
  const value = valueAt(document, issue.path);
  if (issue.code !== 'invalid_union' || value === null || typeof value !== 'object') return [issue];
  const wrongKind = (e: Issue) =>
    e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value');
  const branch = issue.errors.find((errors) => errors.length > 0 && !errors.some(wrongKind));
  return branch ? branch.map((e) => ({ ...e, path: [...issue.path, ...e.path] })) : [issue];
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
