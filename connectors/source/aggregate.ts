/**
 * Aggregation: from the canonical raw table (`t`, one column a variable) to one row per window
 * (or batch) with features `variable__function` and the window's label. Time windows are
 * computed in JS (window_features.ts, from a wide table or straight from long rows); batches
 * and `"none"` (rows already are observations) in DuckDB SQL, here. The function names and
 * the semantics are shared.
 *
 * Semantics (checked against pandas `resample(..., origin="epoch")` in test/fixtures/aggregate):
 *   - windows are [start, start + width), aligned on the Unix epoch, UTC; a window exists when it
 *     has at least one row; features of missing values are NaN (count is 0);
 *   - mean, min, max; std is the sample standard deviation (n - 1, as pandas); first / last are
 *     the first / last non-missing value in time; count counts non-missing values;
 *   - slope: least-squares slope of value against time in minutes (units per minute), NaN with
 *     fewer than two values;
 *   - pNN: quantile NN/100 with linear interpolation (pandas / numpy default);
 *   - text variables: `variable__mode`, the window's most frequent value; ties go to the
 *     smallest value in text order; stored as text and one-hot encoded when read for learners;
 *   - target: evaluated per row (a comparison on a missing value is false); the window is
 *     positive when any row is; windows where every target column is missing are dropped;
 *   - lag k windows: the features of window w - k explain the label of window w;
 *   - the target's columns are never features.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError, unknownName } from '../../analysis/errors';
import { type TargetExpression, targetColumns } from '../../analysis/target';
import { parseDuration } from '../../analysis/window';
import { ident, queryRows } from '../duckdb';
import type { SourceVariable } from './load';
import { targetSql } from './target_sql';

export const DEFAULT_FUNCTIONS = ['mean', 'std', 'min', 'max', 'last'] as const;

export const BASIC_FUNCTIONS = ['mean', 'std', 'min', 'max', 'first', 'last', 'count', 'slope'] as const;

/** Reserved columns of a features dataset (variable names never start with `__`). */
export const TIME = '__time';
export const LABEL = '__label';
export const ROWS = '__rows';

export interface AggregationSpec {
  /** `"10m"`-style window, or `"none"`: every row already is an observation. */
  readonly window?: string;
  /** One observation per value of this column (a batch or unit id) instead of time windows. */
  readonly batchColumn?: string;
  readonly functions?: readonly string[];
  /** `"10m"`: a whole number of windows (time windows), or a number of batches. */
  readonly lag?: string | number;
}

export interface AggregateReport {
  readonly rows: number;
  readonly positives: number;
  /** Feature columns written (text `__mode` columns count once, before one-hot encoding). */
  readonly features: readonly string[];
  /** Variables features were built from (the target's columns excluded). */
  readonly variables: readonly string[];
  readonly windowMs: number;
  readonly lagWindows: number;
}

/** Checks and normalizes the function list: `median` is `p50`, quantiles are `p0`…`p100`. */
export function checkFunctions(functions: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of functions) {
    const f = raw === 'median' ? 'p50' : raw;
    const q = /^p(\d{1,2}(\.\d+)?|100)$/.exec(f);
    if (!(BASIC_FUNCTIONS as readonly string[]).includes(f) && !q) {
      throw new InvalidInputError({
        where: 'aggregation.functions',
        message: `${unknownName('function', raw, [...BASIC_FUNCTIONS, 'p10', 'p50', 'p90', 'median'])}; quantiles are pNN (p10, p90)`,
      });
    }
    if (!out.includes(f)) out.push(f);
  }
  if (out.length === 0)
    throw new InvalidInputError({ where: 'aggregation.functions', message: 'list at least one function' });
  return out;
}

export function numericFeature(v: string, f: string): string {
  const x = ident(v);
  switch (f) {
    case 'mean':
      return `avg(${x})`;
    case 'std':
      return `stddev_samp(${x})`;
    case 'min':
      return `min(${x})`;
    case 'max':
      return `max(${x})`;
    case 'first':
      // arg_min / arg_max skip rows where the value is NULL: the first / last value present.
      return `arg_min(${x}, t)`;
    case 'last':
      return `arg_max(${x}, t)`;
    case 'count':
      return `CAST(count(${x}) AS DOUBLE)`;
    case 'slope':
      // Centred minutes keep the sums small, so the slope does not lose precision.
      return `regr_slope(${x}, (epoch_ms(t) - __origin) / 60000.0)`;
    default:
      throw new Error(`numericFeature: ${f} is a quantile`);
  }
}

/**
 * Builds the features table `out` from the raw table `raw`, for batches or `"none"`.
 * `variables` are the raw table's variables (as loading reported them); `target` is the
 * parsed target expression.
 */
export async function aggregateTable(
  db: DuckDBConnection,
  raw: string,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
  out = 'features',
): Promise<AggregateReport> {
  const kinds = new Map(variables.map((v) => [v.name, v.kind]));
  const label = targetSql(target, kinds);
  const used = new Set(targetColumns(target));
  const explanatory = variables.filter((v) => !used.has(v.name));
  const anyTarget = [...used].map((c) => `${ident(c)} IS NOT NULL`).join(' OR ');
  const functions = checkFunctions(spec.functions ?? DEFAULT_FUNCTIONS);

  if (spec.window === 'none' && !spec.batchColumn) {
    // Rows already are observations: features are the variables themselves.
    if (spec.lag !== undefined && spec.lag !== 0 && parseDuration(spec.lag, 'aggregation.lag') !== 0) {
      throw new InvalidInputError({
        where: 'aggregation.lag',
        message: 'a lag needs windows or batches; with "none" use 0',
      });
    }
    const cols = explanatory.map((v) => ident(v.name));
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${ident(out)} AS SELECT CAST(epoch_ms(t) AS DOUBLE) AS ${TIME}, CAST(${label} AS UTINYINT) AS ${LABEL}, CAST(1 AS DOUBLE) AS ${ROWS}${cols.length ? ', ' : ''}${cols.join(', ')} FROM ${ident(raw)} WHERE ${anyTarget} ORDER BY t`,
    );
    return report(
      db,
      out,
      explanatory.map((v) => v.name),
      explanatory,
      'observation',
      0,
    );
  }

  const batch = spec.batchColumn;
  if (!batch)
    throw new Error('aggregateTable: batches or "none"; time windows are aggregated in window_features.ts');
  if (!kinds.has(batch)) {
    throw new InvalidInputError({
      where: 'aggregation.batchColumn',
      message: unknownName('column', batch, [...kinds.keys()]),
    });
  }
  // Batches are numbered in order of their first timestamp, so a lag counts batches.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __batches AS SELECT ${ident(batch)} AS b, row_number() OVER (ORDER BY min(t), ${ident(batch)}) AS k FROM ${ident(raw)} WHERE ${ident(batch)} IS NOT NULL GROUP BY ${ident(batch)}`,
  );
  const source = `(SELECT r.*, __batches.k AS __key FROM ${ident(raw)} r JOIN __batches ON r.${ident(batch)} = __batches.b)`;
  const key = '__key';
  const lagWindows = spec.lag === undefined ? 0 : Number(spec.lag);
  if (!Number.isInteger(lagWindows) || lagWindows < 0) {
    throw new InvalidInputError({
      where: 'aggregation.lag',
      message: 'with batches, the lag is a whole number of batches',
    });
  }
  const features: string[] = [];
  const numericSelect: string[] = [];
  const modes: string[] = [];
  const quantileOf = new Map<string, string>();
  for (const v of explanatory) {
    if (v.name === batch) continue;
    if (v.kind === 'numeric') {
      // All quantiles of a variable come from one sort: a list, indexed in the final select.
      const quantiles = functions.filter((f) => f.startsWith('p'));
      const list = ident(`__q_${numericSelect.length}`);
      if (quantiles.length > 0) {
        numericSelect.push(
          `quantile_cont(${ident(v.name)}, [${quantiles.map((f) => Number(f.slice(1)) / 100).join(', ')}]) AS ${list}`,
        );
      }
      for (const f of functions) {
        const name = `${v.name}__${f}`;
        features.push(name);
        if (f.startsWith('p')) quantileOf.set(name, `f.${list}[${quantiles.indexOf(f) + 1}]`);
        else numericSelect.push(`${numericFeature(v.name, f)} AS ${ident(name)}`);
      }
    } else {
      features.push(`${v.name}__mode`);
      modes.push(v.name);
    }
  }
  const origin = (await queryRows(db, `SELECT epoch_ms(min(t)) AS o FROM ${ident(raw)}`))[0].o;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __windows AS SELECT ${key} AS __w, CAST(epoch_ms(min(t)) AS DOUBLE) AS __start, CAST(count(*) AS DOUBLE) AS ${ROWS}, CAST(bool_or(${label}) AS UTINYINT) AS ${LABEL}, bool_or(${anyTarget}) AS __has_target${numericSelect.length ? ', ' : ''}${numericSelect.join(', ')} FROM (SELECT *, CAST(${Number(origin)} AS BIGINT) AS __origin FROM ${source}) GROUP BY __w`,
  );
  // Most frequent value per window; ties to the smallest value.
  const modeJoins: string[] = [];
  for (const [j, name] of modes.entries()) {
    const x = ident(name);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __mode${j} AS SELECT __w, first(v ORDER BY c DESC, v ASC) AS ${ident(`${name}__mode`)} FROM (SELECT ${key} AS __w, ${x} AS v, count(*) AS c FROM ${source} WHERE ${x} IS NOT NULL GROUP BY ALL) GROUP BY __w`,
    );
    modeJoins.push(`LEFT JOIN __mode${j} m${j} ON m${j}.__w = f.__w`);
  }
  const featureCols = features.map((name) => {
    const isMode = name.endsWith('__mode') && modes.includes(name.slice(0, -6));
    if (isMode) return ident(name);
    const quantile = quantileOf.get(name);
    if (quantile) return `${quantile} AS ${ident(name)}`;
    return name.endsWith('__count') ? `coalesce(f.${ident(name)}, 0) AS ${ident(name)}` : `f.${ident(name)}`;
  });
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(out)} AS SELECT l.__start AS ${TIME}, l.${LABEL}, f.${ROWS}${featureCols.length ? ', ' : ''}${featureCols.join(', ')} FROM __windows l JOIN __windows f ON f.__w = l.__w - ${lagWindows} ${modeJoins.join(' ')} WHERE l.__has_target ORDER BY ${TIME}`,
  );
  await db.run('DROP TABLE __windows');
  for (let j = 0; j < modes.length; j++) await db.run(`DROP TABLE __mode${j}`);
  await db.run('DROP TABLE __batches');
  return report(
    db,
    out,
    features,
    explanatory.filter((v) => v.name !== batch),
    'batch',
    lagWindows,
  );
}

async function report(
  db: DuckDBConnection,
  out: string,
  features: string[],
  explanatory: readonly SourceVariable[],
  unit: 'batch' | 'observation',
  lagWindows: number,
): Promise<AggregateReport> {
  const counts = (await queryRows(db, `SELECT count(*) AS n, sum(${LABEL}) AS p FROM ${ident(out)}`))[0];
  const rows = Number(counts.n);
  if (rows === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: `no ${unit} has a value for the target's columns${lagWindows ? ' (with the lag)' : ''}`,
    });
  }
  return {
    rows,
    positives: Number(counts.p ?? 0),
    features,
    variables: explanatory.map((v) => v.name),
    windowMs: 0,
    lagWindows,
  };
}
