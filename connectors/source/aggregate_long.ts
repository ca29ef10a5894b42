/**
 * Window aggregation straight from long rows (`__long`: t, variable, num, txt), without first
 * pivoting millions of rows to one column a variable: one GROUP BY (window, variable) computes
 * every function, and only the small aggregated table is pivoted. Same features, names, label
 * and semantics as `aggregateTable` on the pivoted table (see aggregate.ts); the tests check
 * both against the same pandas reference. Duplicated (t, variable) rows are detected inside the
 * aggregation and, when present, merged by mean first, as the pivot does.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../analysis/errors';
import { type TargetExpression, targetColumns } from '../../analysis/target';
import { lagInWindows, parseDuration } from '../../analysis/window';
import { ident, literal, queryRows } from '../duckdb';
import {
  type AggregateReport,
  type AggregationSpec,
  checkFunctions,
  DEFAULT_FUNCTIONS,
  LABEL,
  numericFeature,
  ROWS,
  TIME,
} from './aggregate';
import type { SourceVariable } from './load';
import { targetSql } from './target_sql';

export async function aggregateLong(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
  out = 'features',
): Promise<AggregateReport & { duplicateRows: number }> {
  if (spec.window === 'none' || spec.batchColumn) throw new Error('aggregateLong: time windows only');
  const kinds = new Map(variables.map((v) => [v.name, v.kind]));
  const label = targetSql(target, kinds);
  const used = targetColumns(target);
  const explanatory = variables.filter((v) => !used.includes(v.name));
  const functions = checkFunctions(spec.functions ?? DEFAULT_FUNCTIONS);
  const windowMs = parseDuration(spec.window ?? '10m', 'aggregation.window');
  if (windowMs <= 0)
    throw new InvalidInputError({ where: 'aggregation.window', message: 'must be longer than 0' });
  const lagWindows = lagInWindows(parseDuration(spec.lag ?? 0, 'aggregation.lag'), windowMs);
  const key = `(epoch_ms(t) // ${windowMs})`;
  const names = (list: readonly string[]) => list.map(literal).join(', ');

  const origin = (await queryRows(db, 'SELECT epoch_ms(min(t)) AS o FROM __long'))[0].o;
  const quantiles = functions.filter((f) => f.startsWith('p'));
  const plain = functions.filter((f) => !f.startsWith('p'));
  const select = plain.map((f, k) => `${numericFeature('num', f)} AS f${k}`);
  if (quantiles.length > 0) {
    select.push(`quantile_cont(num, [${quantiles.map((f) => Number(f.slice(1)) / 100).join(', ')}]) AS q`);
  }
  // Duplicated (t, variable) measurements are merged first by mean (text: the smallest value),
  // as the pivot to wide rows would. Found per (window, variable) with a list of distinct times:
  // a DISTINCT aggregate inside the main GROUP BY would make it about three times slower.
  const duplicates = Number(
    (
      await queryRows(
        db,
        `SELECT coalesce(sum(d), 0) AS d FROM (SELECT count(*) - len(list_distinct(list(t))) AS d FROM __long GROUP BY ${key}, variable)`,
      )
    )[0].d,
  );
  if (duplicates > 0) {
    await db.run(
      'CREATE OR REPLACE TEMP TABLE __long AS SELECT t, variable, avg(num) AS num, min(txt) AS txt FROM __long GROUP BY t, variable',
    );
  }
  // Every function of every variable in one GROUP BY (window, variable).
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __agg AS SELECT ${key} AS __w, variable, ${select.join(', ')} FROM (SELECT *, CAST(${Number(origin)} AS BIGINT) AS __origin FROM __long) GROUP BY ALL`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __counts AS SELECT ${key} AS __w, CAST(count(DISTINCT t) AS DOUBLE) AS ${ROWS} FROM __long GROUP BY __w`,
  );
  // The target's columns, one row a timestamp, then the window labels.
  const targetPivot = used.map((c) =>
    kinds.get(c) === 'numeric'
      ? `avg(num) FILTER (WHERE variable = ${literal(c)}) AS ${ident(c)}`
      : `min(txt) FILTER (WHERE variable = ${literal(c)}) AS ${ident(c)}`,
  );
  const anyTarget = used.map((c) => `${ident(c)} IS NOT NULL`).join(' OR ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __labels AS SELECT ${key} AS __w, CAST(bool_or(${label}) AS UTINYINT) AS ${LABEL}, bool_or(${anyTarget}) AS __has_target FROM (SELECT t, ${targetPivot.join(', ')} FROM __long WHERE variable IN (${names(used)}) GROUP BY t) GROUP BY __w`,
  );

  const numeric = explanatory.filter((v) => v.kind === 'numeric').map((v) => v.name);
  const text = explanatory.filter((v) => v.kind === 'text').map((v) => v.name);
  const isMode = (name: string) => name.endsWith('__mode') && text.includes(name.slice(0, -6));
  // Pivot the small aggregated table: per window, one list per function over a complete
  // (window × variable) grid, read back by each variable's position.
  const features: string[] = [];
  const pivot: string[] = [];
  const modeJoins: string[] = [];
  for (const v of explanatory) {
    if (v.kind === 'numeric') {
      const j = numeric.indexOf(v.name) + 1;
      for (const f of functions) {
        const name = `${v.name}__${f}`;
        features.push(name);
        const at = `f.p${j}`;
        const value = f.startsWith('p')
          ? `f.lq[${at}][${quantiles.indexOf(f) + 1}]`
          : `f.l${plain.indexOf(f)}[${at}]`;
        pivot.push(`${value} AS ${ident(name)}`);
      }
    } else {
      features.push(`${v.name}__mode`);
    }
  }
  if (numeric.length > 0) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __vars AS SELECT * FROM (VALUES ${numeric.map((v, j) => `(${literal(v)}, ${j + 1})`).join(', ')}) AS v(variable, j)`,
    );
    // Unordered lists (ordered ones cost a sort buffer per window): the lists of one aggregate
    // see the rows in the same order, so `lj` tells each variable's position.
    const lists = ['list(g.j) AS lj', ...plain.map((_, k) => `list(a.f${k}) AS l${k}`)];
    if (quantiles.length > 0) lists.push('list(a.q) AS lq');
    const positions = numeric.map((_, j) => `list_position(lj, ${j + 1}) AS p${j + 1}`);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __wide AS SELECT *, ${positions.join(', ')} FROM (SELECT g.__w, ${lists.join(', ')} FROM (SELECT __counts.__w, __vars.variable, __vars.j FROM __counts CROSS JOIN __vars) g LEFT JOIN __agg a ON a.__w = g.__w AND a.variable = g.variable GROUP BY g.__w)`,
    );
    await db.run('DROP TABLE __vars');
  } else {
    await db.run('CREATE OR REPLACE TEMP TABLE __wide AS SELECT __w FROM __counts');
  }
  for (const [j, name] of text.entries()) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE __mode${j} AS SELECT __w, first(txt ORDER BY c DESC, txt ASC) AS ${ident(`${name}__mode`)} FROM (SELECT ${key} AS __w, txt, count(*) AS c FROM __long WHERE variable = ${literal(name)} AND txt IS NOT NULL GROUP BY ALL) GROUP BY __w`,
    );
    modeJoins.push(`LEFT JOIN __mode${j} m${j} ON m${j}.__w = c.__w`);
  }
  const expression = new Map(pivot.map((p, k) => [features.filter((n) => !isMode(n))[k], p]));
  const columns = features.map((name) => {
    if (isMode(name)) return ident(name);
    const p = expression.get(name)!;
    return name.endsWith('__count')
      ? `coalesce(${p.slice(0, p.lastIndexOf(' AS '))}, 0) AS ${ident(name)}`
      : p;
  });
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(out)} AS SELECT CAST(l.__w * ${windowMs} AS DOUBLE) AS ${TIME}, l.${LABEL}, c.${ROWS}${columns.length ? ', ' : ''}${columns.join(', ')} FROM __labels l JOIN __counts c ON c.__w = l.__w - ${lagWindows} LEFT JOIN __wide f ON f.__w = c.__w ${modeJoins.join(' ')} WHERE l.__has_target ORDER BY ${TIME}`,
  );
  for (const table of ['__labels', '__counts', '__agg', '__wide', ...text.map((_, j) => `__mode${j}`)]) {
    await db.run(`DROP TABLE ${table}`);
  }
  const counts = (await queryRows(db, `SELECT count(*) AS n, sum(${LABEL}) AS p FROM ${ident(out)}`))[0];
  const rows = Number(counts.n);
  if (rows === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: "no window has a value for the target's columns",
    });
  }
  return {
    rows,
    positives: Number(counts.p ?? 0),
    features,
    variables: explanatory.map((v) => v.name),
    windowMs,
    lagWindows,
    duplicateRows: duplicates,
  };
}
