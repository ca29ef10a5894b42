/**
 * Window aggregation straight from long rows (`__long`: t, variable, num, txt, with
 * `__long_times` and `__long_variables` as `loadSource(..., keepLong)` stages them), without
 * pivoting millions of rows to one column a variable. Same features, names, label and
 * semantics as `aggregateTable` on the pivoted table (see aggregate.ts); the tests check both
 * against the same pandas reference.
 *
 * ARCHITECTURE.md puts aggregation in DuckDB SQL; for long rows the numeric functions are the
 * exception. DuckDB reads, normalizes and groups the rows (one list of (time, value) a
 * variable) and counts the windows and labels; the window functions run in one JS pass over
 * typed arrays (analysis/window_aggregate.ts) that writes the wide feature columns directly.
 * In SQL the grouped quantiles and the pivot of the aggregated rows back to one column per
 * feature cost about 1.5 s of 2 s on 2.16 million rows; the JS pass costs a few tens of ms.
 * Text variables (the mode) and the target stay in SQL: few rows, and the same SQL as wide.
 *
 * Duplicated (t, variable) measurements are merged by mean (text: the smallest value), as the
 * pivot does, and counted. Missing numbers (NULL, or NaN in a Parquet source) are missing.
 */
import {
  type DuckDBConnection,
  DuckDBDoubleVector,
  DuckDBListVector,
  DuckDBStructVector,
  DuckDBVarCharVector,
} from '@duckdb/node-api';
import { InvalidInputError } from '../../analysis/errors';
import { type TargetExpression, targetColumns } from '../../analysis/target';
import { lagInWindows, parseDuration } from '../../analysis/window';
import { findWindow, WindowAggregator, type WindowGrid } from '../../analysis/window_aggregate';
import { ident, literal, queryRows } from '../duckdb';
import {
  type AggregateReport,
  type AggregationSpec,
  checkFunctions,
  DEFAULT_FUNCTIONS,
  LABEL,
  ROWS,
  TIME,
} from './aggregate';
import type { AppendColumn } from './append';
import { readColumns } from './columns';
import type { SourceVariable } from './load';
import { targetSql } from './target_sql';

/**
 * The features table's columns as computed (`__time`, `__label`, `__rows`, then the features).
 * A caller that only needs them in memory can skip writing the temp table and reading it
 * back, about a fifth of the aggregation's time.
 */
export interface WideColumns {
  readonly names: readonly string[];
  readonly columns: readonly AppendColumn[];
}

/** Rows pulled into JS at once (16 bytes each, plus DuckDB's copy while it builds the lists). */
export const PULL_ROWS = 8_000_000;

/**
 * Aggregates `__long` into columns in memory; no table is written. `pullRows` bounds how many
 * measurements are held in JS at once.
 */
export async function aggregateLongColumns(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
  pullRows = PULL_ROWS,
): Promise<{ report: AggregateReport & { duplicateRows: number }; wide: WideColumns }> {
  if (spec.window === 'none' || spec.batchColumn) throw new Error('aggregateLongColumns: time windows only');
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

  // Every window holding a row (of any variable), its distinct timestamps, and its label from
  // the target's columns merged to one row a timestamp.
  const targetPivot = used.map((c) =>
    kinds.get(c) === 'numeric'
      ? `avg(num) FILTER (WHERE variable = ${literal(c)}) AS ${ident(c)}`
      : `min(txt) FILTER (WHERE variable = ${literal(c)}) AS ${ident(c)}`,
  );
  const anyTarget = used.map((c) => `${ident(c)} IS NOT NULL`).join(' OR ');
  // Distinct timestamps (staged with __long), then windows: cheaper than count(DISTINCT t) per window.
  const grid = await readColumns(
    db,
    `WITH c AS (SELECT ${key} AS w, count(*) AS n, epoch_ms(min(t)) AS o FROM __long_times GROUP BY w),
     l AS (SELECT ${key} AS w, bool_or(${label}) AS y, bool_or(${anyTarget}) AS h FROM (SELECT t, ${targetPivot.join(', ')} FROM __long WHERE variable IN (${used.map(literal).join(', ')}) GROUP BY t) GROUP BY w)
     SELECT CAST(c.w AS DOUBLE) AS w, CAST(c.n AS DOUBLE) AS n, CAST(c.o AS DOUBLE) AS o,
            CAST(coalesce(l.y, false) AS DOUBLE) AS y, CAST(coalesce(l.h, false) AS DOUBLE) AS h
     FROM c LEFT JOIN l USING (w) ORDER BY c.w`,
  );
  const [windows, counts, starts, labels, hasTarget] = grid.columns as Float64Array[];
  const nw = windows.length;
  // Output rows: windows with a target value whose window `lag` earlier has rows.
  const rowOf = new Int32Array(nw).fill(-1);
  const rowTimes: number[] = [];
  const rowLabels: number[] = [];
  const rowCounts: number[] = [];
  for (let k = 0; k < nw; k++) {
    if (!hasTarget[k]) continue;
    const source = findWindow(windows, windows[k] - lagWindows);
    if (source < 0) continue;
    rowOf[source] = rowTimes.length;
    rowTimes.push(windows[k] * windowMs);
    rowLabels.push(labels[k]);
    rowCounts.push(counts[source]);
  }
  const rows = rowTimes.length;
  if (rows === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: "no window has a value for the target's columns",
    });
  }
  let originMs = Number.POSITIVE_INFINITY;
  for (const o of starts) originMs = Math.min(originMs, o);
  const windowGrid: WindowGrid = { windows, rowOf, rows, widthMs: windowMs, originMs };

  const numeric = explanatory.filter((v) => v.kind === 'numeric').map((v) => v.name);
  const text = explanatory.filter((v) => v.kind === 'text').map((v) => v.name);
  const { columns: numericColumns, duplicates } = await numericFeatures(
    db,
    new WindowAggregator(functions, windowGrid),
    numeric,
    pullRows,
  );
  const modes = await modeFeatures(db, key, text, duplicates > 0, windowGrid);

  const features: string[] = [];
  const columns: AppendColumn[] = [
    Float64Array.from(rowTimes),
    Uint8Array.from(rowLabels),
    Float64Array.from(rowCounts),
  ];
  for (const v of explanatory) {
    if (v.kind === 'numeric') {
      const own = numericColumns.get(v.name)!;
      functions.forEach((f, j) => {
        features.push(`${v.name}__${f}`);
        columns.push(own[j]);
      });
    } else {
      features.push(`${v.name}__mode`);
      columns.push(modes.get(v.name)!);
    }
  }

  let positives = 0;
  for (const y of rowLabels) positives += y;
  return {
    report: {
      rows,
      positives,
      features,
      variables: explanatory.map((v) => v.name),
      windowMs,
      lagWindows,
      duplicateRows: duplicates,
    },
    wide: { names: [TIME, LABEL, ROWS, ...features], columns },
  };
}

/**
 * The numeric features, one variable at a time from a list of (time, value) structs a
 * variable; every other variable's rows only count duplicates. Times are epoch microseconds
 * as DOUBLE (exact below 2^53 µs, year 2255) so no value becomes a JS object.
 */
async function numericFeatures(
  db: DuckDBConnection,
  aggregator: WindowAggregator,
  numeric: readonly string[],
  pullRows: number,
): Promise<{ columns: Map<string, Float64Array[]>; duplicates: number }> {
  const wanted = new Set(numeric);
  const columns = new Map<string, Float64Array[]>();
  for (const name of numeric) columns.set(name, aggregator.newColumns());
  let times = new Float64Array(0);
  let values = new Float64Array(0);
  let duplicates = 0;
  // A large source is pulled in parts (variables split by hash), each part one scan: memory
  // holds one part's lists, not the whole source twice.
  const rows = Number(
    (await queryRows(db, 'SELECT coalesce(sum(measurements), 0) AS n FROM __long_variables'))[0].n,
  );
  const parts = Math.max(1, Math.ceil(rows / pullRows));
  for (let part = 0; part < parts; part++) {
    const result = await db.run(
      `SELECT variable, list({'t': CAST(epoch_us(t) AS DOUBLE), 'x': coalesce(num, CAST('NaN' AS DOUBLE))}) AS m FROM __long${parts > 1 ? ` WHERE hash(variable) % ${parts} = ${part}` : ''} GROUP BY variable`,
    );
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      const names = chunk.getColumnVector(0);
      const lists = chunk.getColumnVector(1);
      if (!(names instanceof DuckDBVarCharVector) || !(lists instanceof DuckDBListVector)) {
        throw new Error('aggregateLongColumns: unexpected vector types');
      }
      const entries = lists.childVector;
      if (!(entries instanceof DuckDBStructVector))
        throw new Error('aggregateLongColumns: unexpected list entries');
      const t = entries.entryVectorAt(0);
      const x = entries.entryVectorAt(1);
      if (!(t instanceof DuckDBDoubleVector) || !(x instanceof DuckDBDoubleVector)) {
        throw new Error('aggregateLongColumns: unexpected time or value vectors');
      }
      for (let r = 0; r < chunk.rowCount; r++) {
        const name = names.getItem(r)!;
        const offset = lists.getEntryOffset(r);
        const n = lists.getEntryLength(r);
        if (times.length < n) {
          times = new Float64Array(n);
          values = new Float64Array(n);
        }
        duplicates += aggregator.aggregate(
          doubles(t, offset, n, times),
          doubles(x, offset, n, values),
          n,
          wanted.has(name) ? columns.get(name)! : null,
        );
      }
    }
  }
  return { columns, duplicates };
}

/**
 * `n` values of a DOUBLE vector from `offset`: a view of the vector's array (the aggregator
 * only reads it), or, where that array is not there as expected (it is not public in
 * @duckdb/node-api), the same values read one by one into `scratch`. Every value here is
 * non-NULL (coalesced in SQL), so the array holds them all.
 */
function doubles(vector: DuckDBDoubleVector, offset: number, n: number, scratch: Float64Array): Float64Array {
  const backing = (vector as unknown as { items?: unknown }).items;
  if (backing instanceof Float64Array && backing.length === vector.itemCount) {
    return backing.subarray(offset, offset + n);
  }
  for (let i = 0; i < n; i++) scratch[i] = vector.getItem(offset + i) ?? Number.NaN;
  return scratch;
}

/** Most frequent text a window, ties to the smallest; duplicates merged to their smallest. */
async function modeFeatures(
  db: DuckDBConnection,
  key: string,
  text: readonly string[],
  merge: boolean,
  grid: WindowGrid,
): Promise<Map<string, (string | null)[]>> {
  const modes = new Map<string, (string | null)[]>();
  if (text.length === 0) return modes;
  for (const name of text) modes.set(name, new Array<string | null>(grid.rows).fill(null));
  const names = text.map(literal).join(', ');
  const source = merge
    ? `(SELECT t, variable, min(txt) AS txt FROM __long WHERE variable IN (${names}) GROUP BY t, variable)`
    : '__long';
  const found = await queryRows(
    db,
    `SELECT variable, CAST(w AS DOUBLE) AS w, first(txt ORDER BY c DESC, txt ASC) AS m FROM (SELECT variable, ${key} AS w, txt, count(*) AS c FROM ${source} WHERE variable IN (${names}) AND txt IS NOT NULL GROUP BY ALL) GROUP BY ALL`,
  );
  for (const r of found) {
    const k = findWindow(grid.windows, Number(r.w));
    const row = k < 0 ? -1 : grid.rowOf[k];
    if (row >= 0) modes.get(String(r.variable))![row] = String(r.m);
  }
  return modes;
}
