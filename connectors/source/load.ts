/**
 * Loads a source into DuckDB as the canonical raw table: one row per timestamp, `t` a UTC
 * TIMESTAMP, then one column per variable (DOUBLE for numeric, VARCHAR for text), sorted by
 * time, duplicates merged. Both layouts end there:
 *   - wide: a time column and one column per variable;
 *   - long: `time, variable, value` rows (as MongoDB `measurements` documents are), pivoted.
 * Every problem the user can fix is an `InvalidInputError` naming the file, column and rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Period } from '../../analysis/aggregate/time';
import { type InputProblem, InvalidInputError, unknownName } from '../../analysis/errors';
import { ident, literal, queryRows } from '../duckdb';
import { pivotLong } from './long-rows';
import {
  type ColumnInfo,
  keptColumns,
  type LoadOptions,
  type LoadReport,
  ROW_TIME,
  type SourceVariable,
  type StagedSource,
} from './types';

export type {
  ColumnInfo,
  LoadOptions,
  LoadReport,
  SourceVariable,
  StagedSource,
  VariableKind,
} from './types';

const TIME_NAMES = ['time', 'timestamp', 't', 'datetime', 'date_time', 'ts', 'date'];

export async function describe(db: DuckDBConnection, relation: string): Promise<ColumnInfo[]> {
  const rows = await queryRows(db, `DESCRIBE SELECT * FROM ${relation}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Picks the time column: the configured one, else a conventional name, else the first timestamp. */
export function findTimeColumn(
  columns: readonly ColumnInfo[],
  configured: string | undefined,
  source: string,
): string {
  const names = columns.map((c) => c.name);
  if (configured) {
    if (!names.includes(configured)) {
      throw new InvalidInputError({
        where: `${source}: column ${JSON.stringify(configured)}`,
        message: `${unknownName('time column', configured, names)} (source.timeColumn)`,
      });
    }
    return configured;
  }
  for (const candidate of TIME_NAMES) {
    const hit = names.find((n) => n.toLowerCase() === candidate);
    if (hit) return hit;
  }
  const typed = columns.find((c) => /^(TIMESTAMP|DATE)/.test(c.type));
  if (typed) return typed.name;
  throw new InvalidInputError({
    where: source,
    message: `no time column found among ${names.map((n) => JSON.stringify(n)).join(', ')}; name it with source.timeColumn`,
  });
}

/** Decides the layout: long when the columns are a time, a `variable` and a `value` column. */
export function detectLong(
  columns: readonly ColumnInfo[],
  timeColumn: string,
): { variable: string; value: string } | undefined {
  const lower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const variable = lower.get('variable') ?? lower.get('name') ?? lower.get('tag');
  const value = lower.get('value');
  if (!variable || !value) return undefined;
  const others = columns.filter((c) => c.name !== timeColumn && c.name !== variable && c.name !== value);
  return others.every((c) => ['line', 'unit', 'quality', '_id'].includes(c.name.toLowerCase()))
    ? { variable, value }
    : undefined;
}

/** SQL turning the raw time column into a UTC TIMESTAMP (NULL when unreadable). */
function timeExpression(column: string, type: string): string {
  const c = ident(column);
  if (type === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', ${c})`;
  if (type.startsWith('TIMESTAMP') || type === 'DATE') return `CAST(${c} AS TIMESTAMP)`;
  if (/INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(type)) {
    // Epoch numbers: seconds, or milliseconds when too large to be seconds (after year 5138).
    return `CASE WHEN abs(${c}) >= 1e11 THEN epoch_ms(CAST(${c} AS BIGINT)) ELSE CAST(to_timestamp(${c}) AS TIMESTAMP) END`;
  }
  const s = `trim(CAST(${c} AS VARCHAR))`;
  return `CASE WHEN regexp_full_match(${s}, '-?[0-9]+(\\.[0-9]+)?') THEN (CASE WHEN abs(CAST(${s} AS DOUBLE)) >= 1e11 THEN epoch_ms(CAST(CAST(${s} AS DOUBLE) AS BIGINT)) ELSE CAST(to_timestamp(CAST(${s} AS DOUBLE)) AS TIMESTAMP) END) ELSE timezone('UTC', TRY_CAST(${s} AS TIMESTAMPTZ)) END`;
}

function zoneExpression(column: string): string {
  return `coalesce(nullif(regexp_extract(trim(CAST(${ident(column)} AS VARCHAR)), '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$', 1), ''), 'none')`;
}

function periodFilter(period: Period, t = 't'): string {
  const parts: string[] = [];
  if (period.fromMs !== undefined) parts.push(`${t} >= epoch_ms(CAST(${period.fromMs} AS BIGINT))`);
  if (period.toMs !== undefined) parts.push(`${t} < epoch_ms(CAST(${period.toMs} AS BIGINT))`);
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

function iso(value: unknown): string {
  return new Date(Number(value)).toISOString();
}

/** Chooses the variables to keep and checks that every named one exists. */
export function selectVariables(
  available: readonly string[],
  options: LoadOptions,
  source: string,
): string[] {
  const problems: InputProblem[] = [];
  const check = (list: readonly string[] | undefined, where: string) => {
    for (const name of list ?? []) {
      if (!available.includes(name))
        problems.push({ where: `${where} (${source})`, message: unknownName('variable', name, available) });
    }
  };
  check(options.include, options.includeOption ?? 'variables.include');
  check(options.exclude, 'variables.exclude');
  check(options.keep, 'target');
  for (const named of options.named ?? [])
    named.names.forEach((name, k) => {
      if (!available.includes(name))
        problems.push({
          where: `${named.where}[${k}] (${source})`,
          message: unknownName('column', name, available),
        });
    });
  if (problems.length > 0) throw new InvalidInputError(problems);
  const include = options.include && options.include.length > 0 ? new Set(options.include) : undefined;
  const exclude = new Set(options.exclude ?? []);
  const keep = new Set(keptColumns(options));
  return available.filter((n) => keep.has(n) || ((!include || include.has(n)) && !exclude.has(n)));
}

/** Fails with the first rows whose time is missing or unreadable. */
async function checkTimes(db: DuckDBConnection, staged: StagedSource, type: string): Promise<void> {
  const time = timeExpression(staged.timeColumn, type);
  const bad = await queryRows(db, `SELECT count(*) AS n FROM ${staged.relation} WHERE ${time} IS NULL`);
  const n = Number(bad[0].n);
  if (n === 0) return;
  const examples = await queryRows(
    db,
    `SELECT row, raw FROM (SELECT row_number() OVER () AS row, CAST(${ident(staged.timeColumn)} AS VARCHAR) AS raw, ${time} AS t FROM ${staged.relation}) WHERE t IS NULL ORDER BY row LIMIT 3`,
  );
  const shown = examples
    .map(
      (r) =>
        `row ${Number(r.row) + staged.headerLines} (${r.raw === null ? 'empty' : JSON.stringify(r.raw)})`,
    )
    .join(', ');
  throw new InvalidInputError({
    where: `${staged.source}: column ${JSON.stringify(staged.timeColumn)}, ${shown}`,
    message: `${n} row(s) have a missing or unreadable timestamp; use ISO 8601 (2026-10-01T08:00:00Z) or epoch seconds/milliseconds`,
  });
}

/**
 * Makes the canonical raw table `target` from a staged source. Returns what it found; throws
 * `InvalidInputError` for bad times, unknown variables and an empty period.
 */
export async function loadCanonical(
  db: DuckDBConnection,
  staged: StagedSource,
  options: LoadOptions,
  target = 'raw',
): Promise<LoadReport> {
  const columns = await describe(db, staged.relation);
  const timeType = columns.find((c) => c.name === staged.timeColumn)!.type;
  const period = options.period ?? {};
  await checkTimes(db, staged, timeType);
  const time = timeExpression(staged.timeColumn, timeType);
  const textTime = !/^(TIMESTAMP|DATE)|INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(timeType);
  const zones = textTime
    ? (
        await queryRows(
          db,
          `SELECT DISTINCT ${zoneExpression(staged.timeColumn)} AS z FROM ${staged.relation} ORDER BY z`,
        )
      ).map((r) => String(r.z))
    : [];
  if (staged.long) {
    const report = await loadLong(db, staged, staged.long, columns, time, period, options, target);
    return { ...report, timeZones: zones, timeColumn: timeColumnOf(staged) };
  }
  // Rows out of time order, counted in source order before sorting (a long source counts
  // them in its one scan, among the rows read).
  const unsorted = Number(
    (
      await queryRows(
        db,
        `SELECT count(*) FILTER (WHERE t < prev) AS n FROM (SELECT t, lag(t) OVER () AS prev FROM (SELECT ${time} AS t FROM ${staged.relation}))`,
      )
    )[0].n,
  );
  const report = await loadWide(db, staged, columns, time, period, options, target, unsorted);
  return { ...report, timeZones: zones, unsortedRows: unsorted, timeColumn: timeColumnOf(staged) };
}

/** Canonical tables made as views (see loadWide), by connection. */
const canonicalViews = new WeakMap<DuckDBConnection, Set<string>>();

function viewsOf(db: DuckDBConnection): Set<string> {
  const views = canonicalViews.get(db) ?? new Set<string>();
  canonicalViews.set(db, views);
  return views;
}

/** Drops the canonical table `target` made by `loadCanonical` (a table or a view). */
export async function dropCanonical(db: DuckDBConnection, target = 'raw'): Promise<void> {
  const view = viewsOf(db).delete(target);
  await db.run(`DROP ${view ? 'VIEW' : 'TABLE'} IF EXISTS ${ident(target)}`);
}

/** The time column read; null when the rows were numbered in file order (no time column). */
function timeColumnOf(staged: StagedSource): string | null {
  return staged.timeColumn === ROW_TIME ? null : staged.timeColumn;
}

type PartialReport = Omit<LoadReport, 'timeZones' | 'unsortedRows' | 'timeColumn'>;

function numericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL|REAL|BOOLEAN)/.test(
    type,
  );
}

async function emptyPeriodError(
  db: DuckDBConnection,
  staged: StagedSource,
  time: string,
  options: LoadOptions,
): Promise<InvalidInputError> {
  const span = await queryRows(
    db,
    `SELECT epoch_ms(min(${time})) AS lo, epoch_ms(max(${time})) AS hi FROM ${staged.relation}`,
  );
  const has = span[0].lo !== null;
  return new InvalidInputError({
    where: `${staged.source}: period`,
    message: has
      ? `no rows between ${options.period?.fromMs !== undefined ? iso(options.period.fromMs) : 'the start'} and ${options.period?.toMs !== undefined ? iso(options.period.toMs) : 'the end'}; the data spans ${iso(span[0].lo)} to ${iso(span[0].hi)}`
      : 'the source has no rows',
  });
}

async function loadWide(
  db: DuckDBConnection,
  staged: StagedSource,
  columns: readonly ColumnInfo[],
  time: string,
  period: Period,
  options: LoadOptions,
  target: string,
  unsorted: number,
): Promise<PartialReport> {
  const available = columns.map((c) => c.name).filter((n) => n !== staged.timeColumn);
  const chosen = selectVariables(available, options, staged.source);
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  // Text columns holding mostly numbers are numeric; the rest of their values are counted invalid.
  const textColumns = chosen.filter((n) => !numericType(typeOf.get(n)!));
  const counts = new Map<
    string,
    { present: number; numbers: number; commas: number; thousands: number; infinite: number }
  >();
  if (textColumns.length > 0) {
    // One long (column, value) relation grouped by column: a SELECT of four aggregates per
    // column took DuckDB minutes to plan for thousands of columns.
    const v = "nullif(trim(v), '')";
    const rows = await queryRows(
      db,
      `SELECT name, count(${v}) AS p, count(*) FILTER (WHERE isfinite(TRY_CAST(${v} AS DOUBLE))) AS n, count(*) FILTER (WHERE NOT isfinite(TRY_CAST(replace(${v}, ',', '.') AS DOUBLE))) AS x, count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]*,[0-9]+([eE][+-]?[0-9]+)?')) AS d, count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]{1,3},[0-9]{3}')) AS t FROM (UNPIVOT (SELECT ${textColumns.map((n) => `CAST(${ident(n)} AS VARCHAR) AS ${ident(n)}`).join(', ')} FROM ${staged.relation}) ON COLUMNS(*) INTO NAME name VALUE v) GROUP BY name`,
    );
    for (const r of rows) {
      counts.set(String(r.name), {
        present: Number(r.p),
        numbers: Number(r.n),
        commas: Number(r.d),
        thousands: Number(r.t),
        infinite: Number(r.x),
      });
    }
    // UNPIVOT leaves out NULLs: a column with no value at all has no group.
    for (const n of textColumns)
      if (!counts.has(n)) counts.set(n, { present: 0, numbers: 0, commas: 0, thousands: 0, infinite: 0 });
  }
  const decimalComma = new Set<string>();
  const variables: SourceVariable[] = chosen.map((name) => {
    const c = counts.get(name);
    if (!c) return { name, kind: 'numeric', invalidCount: 0 };
    // No value at all: numeric, reported as missing on every row.
    if (c.present === 0) return { name, kind: 'numeric', invalidCount: 0 };
    if (c.numbers >= 0.5 * c.present) {
      return { name, kind: 'numeric', invalidCount: c.present - c.numbers };
    }
    if (c.commas + c.numbers >= 0.5 * c.present && c.commas > 0) {
      // "207,015": a decimal comma, unless it can be a thousands separator (every such value has
      // three digits after one comma, in a file whose fields are separated by commas).
      if (staged.separator === ',' && c.thousands === c.commas) {
        throw new InvalidInputError({
          where: `${staged.source}: column ${JSON.stringify(name)}`,
          message:
            'numbers are written with a comma (e.g. 1,234) that may be a decimal comma or a thousands separator: write them with a decimal point (1234 or 1.234), or separate the fields with ";"',
        });
      }
      decimalComma.add(name);
      return { name, kind: 'numeric', invalidCount: c.present - c.numbers - c.commas };
    }
    return { name, kind: 'text', invalidCount: 0 };
  });
  const cast = (v: SourceVariable) => {
    const c = ident(v.name);
    if (v.kind === 'text') return `nullif(trim(CAST(${c} AS VARCHAR)), '')`;
    if (numericType(typeOf.get(v.name)!)) return `CAST(${c} AS DOUBLE)`;
    const text = decimalComma.has(v.name) ? `replace(trim(${c}), ',', '.')` : c;
    // NaN / inf strings read as numbers by DuckDB are missing values here. Only the columns
    // that hold one get the CASE: thousands of them made DuckDB take minutes to plan.
    if ((counts.get(v.name)?.infinite ?? 0) === 0) return `TRY_CAST(${text} AS DOUBLE)`;
    return `(CASE WHEN isfinite(TRY_CAST(${text} AS DOUBLE)) THEN TRY_CAST(${text} AS DOUBLE) END)`;
  };
  const select = variables.map((v) => `${cast(v)} AS ${ident(v.name)}`);
  const rowsOf = (relation: string) => `SELECT ${[`${time} AS t`, ...select].join(', ')} FROM ${relation}`;
  const stats = (
    await queryRows(
      db,
      `SELECT count(*) AS n, count(DISTINCT t) AS d FROM (SELECT ${time} AS t FROM ${staged.relation}) WHERE ${periodFilter(period)}`,
    )
  )[0];
  const n = Number(stats.n);
  if (n === 0) throw await emptyPeriodError(db, staged, time, options);
  const duplicates = n - Number(stats.d);
  if (duplicates === 0 && unsorted === 0 && staged.scan !== undefined) {
    // Already in time order, no duplicate, a file DuckDB can scan again: a view, so neither
    // the rows nor a sort of them are ever held in DuckDB's memory (1M rows × 50 variables
    // took 1.7 GB as a table). DuckDB keeps a scan's order (preserve_insertion_order).
    await db.run(
      `CREATE OR REPLACE TEMP VIEW ${ident(target)} AS SELECT * FROM (${rowsOf(staged.scan)}) WHERE ${periodFilter(period)}`,
    );
    viewsOf(db).add(target);
    return finish(db, staged, 'wide', variables, duplicates, target);
  }
  // Duplicated timestamps are merged by analysis/aggregate/duplicates.ts's rule (mean of the
  // present numbers, smallest text), here in SQL so a wide file never leaves DuckDB whole;
  // test/unit/sources.test.ts holds both loaders to the same tables.
  const merged = variables.map((v) =>
    duplicates > 0
      ? `${v.kind === 'numeric' ? 'avg' : 'min'}(${ident(v.name)}) AS ${ident(v.name)}`
      : ident(v.name),
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(target)} AS SELECT t${merged.length ? ', ' : ''}${merged.join(', ')} FROM (${rowsOf(staged.relation)}) WHERE ${periodFilter(period)} ${duplicates > 0 ? 'GROUP BY t' : ''} ORDER BY t`,
  );
  return finish(db, staged, 'wide', variables, duplicates, target);
}

async function finish(
  db: DuckDBConnection,
  staged: StagedSource,
  layout: 'wide' | 'long',
  variables: SourceVariable[],
  duplicates: number,
  target: string,
): Promise<PartialReport> {
  const span = (
    await queryRows(
      db,
      `SELECT count(*) AS n, epoch_ms(min(t)) AS lo, epoch_ms(max(t)) AS hi FROM ${ident(target)}`,
    )
  )[0];
  return {
    source: staged.source,
    layout,
    rows: Number(span.n),
    from: iso(span.lo),
    to: iso(span.hi),
    variables,
    duplicateRows: duplicates,
  };
}

/** Connections whose `__long` is a view (asking DuckDB's catalog costs more than the drop). */
const longViews = new WeakSet<DuckDBConnection>();

/** Drops `__long` (a view or a table) and `__long_variables` (measurements a variable). */
export async function dropLong(db: DuckDBConnection): Promise<void> {
  await db.run(`DROP ${longViews.has(db) ? 'VIEW' : 'TABLE'} IF EXISTS __long`);
  longViews.delete(db);
  await db.run('DROP TABLE IF EXISTS __long_variables');
}

/**
 * Stages a long source as `__long` (t, variable, num, txt), period applied and
 * only the chosen variables kept; decides each variable's kind. A temp table, or a view on the
 * file when `staged.scan` allows it.
 */
async function stageLong(
  db: DuckDBConnection,
  staged: StagedSource,
  long: { variable: string; value: string; text?: string },
  columns: readonly ColumnInfo[],
  time: string,
  period: Period,
  options: LoadOptions,
): Promise<{ variables: SourceVariable[]; perVariable: Record<string, unknown>[] }> {
  const valueType = columns.find((c) => c.name === long.value)!.type;
  const numericValues = numericType(valueType) && !long.text;
  const num = numericType(valueType)
    ? `CAST(${ident(long.value)} AS DOUBLE)`
    : `(CASE WHEN isfinite(TRY_CAST(${ident(long.value)} AS DOUBLE)) THEN TRY_CAST(${ident(long.value)} AS DOUBLE) END)`;
  const txt = long.text
    ? `nullif(trim(${ident(long.text)}), '')`
    : numericValues
      ? 'CAST(NULL AS VARCHAR)'
      : `nullif(trim(CAST(${ident(long.value)} AS VARCHAR)), '')`;
  // Typed numbers from a file stay a view: each query after this reads the three columns
  // faster than DuckDB writes two million rows with their names to a table (~150 ms).
  const view = numericValues && staged.scan !== undefined;
  const rows = `SELECT ${time} AS t, CAST(${ident(long.variable)} AS VARCHAR) AS variable, ${num} AS num, ${txt} AS txt FROM ${view ? staged.scan : staged.relation} WHERE ${ident(long.variable)} IS NOT NULL AND ${periodFilter(period, `(${time})`)}`;
  await dropLong(db);
  await db.run(`CREATE ${view ? 'TEMP VIEW' : 'TEMP TABLE'} __long AS ${rows}`);
  if (view) longViews.add(db);
  await db.run(
    'CREATE OR REPLACE TEMP TABLE __long_variables AS SELECT variable, count(txt) AS present, count(num) AS numbers, count(*) AS measurements FROM __long GROUP BY variable',
  );
  const perVariable = await queryRows(db, 'SELECT * FROM __long_variables ORDER BY variable');
  if (perVariable.length === 0) {
    await dropLong(db);
    throw await emptyPeriodError(db, staged, time, options);
  }
  const available = perVariable.map((r) => String(r.variable));
  const chosen = new Set(selectVariables(available, options, staged.source));
  const variables: SourceVariable[] = [];
  for (const r of perVariable) {
    const name = String(r.variable);
    if (!chosen.has(name)) continue;
    // With a separate text column, numbers and texts are disjoint; else texts include numbers.
    const present = numericValues
      ? Number(r.numbers)
      : Number(r.present) + (long.text ? Number(r.numbers) : 0);
    const numbers = Number(r.numbers);
    const numeric = numericValues || (present > 0 && numbers >= 0.5 * present);
    variables.push({
      name,
      kind: numeric ? 'numeric' : 'text',
      invalidCount: numeric && !numericValues ? present - numbers : 0,
    });
  }
  if (variables.length < available.length) {
    const chosenOnly = `variable IN (${variables.map((v) => literal(v.name)).join(', ')})`;
    if (view)
      await db.run(`CREATE OR REPLACE TEMP VIEW __long AS SELECT * FROM (${rows}) WHERE ${chosenOnly}`);
    else await db.run(`DELETE FROM __long WHERE NOT (${chosenOnly})`);
    await db.run(`DELETE FROM __long_variables WHERE NOT (${chosenOnly})`);
  }
  return { variables, perVariable };
}

async function loadLong(
  db: DuckDBConnection,
  staged: StagedSource,
  long: { variable: string; value: string; text?: string },
  columns: readonly ColumnInfo[],
  time: string,
  period: Period,
  options: LoadOptions,
  target: string,
): Promise<PartialReport & Pick<LoadReport, 'unsortedRows'>> {
  const { variables } = await stageLong(db, staged, long, columns, time, period, options);
  const { duplicates, unsorted } = await pivotLong(db, variables, target);
  await dropLong(db);
  return { ...(await finish(db, staged, 'long', variables, duplicates, target)), unsortedRows: unsorted };
}
