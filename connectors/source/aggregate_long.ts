/**
 * Window aggregation straight from long rows (`__long`: t, variable, num, txt, with
 * `__long_variables` as `loadSource(..., keepLong)` stages them), without pivoting millions of
 * rows to one column a variable. Same features, names, label and semantics as `aggregateTable`
 * on the pivoted table (see aggregate.ts); the tests check both against the same pandas
 * reference.
 *
 * ARCHITECTURE.md puts aggregation in DuckDB SQL; for long rows the numeric work is the
 * exception. DuckDB reads and normalizes the rows and hands them over in one scan in source
 * order (time, a variable code, value); JS groups them by variable, finds the windows and
 * their labels (analysis/window_grid.ts) and runs the window functions in one pass over typed
 * arrays (analysis/window_aggregate.ts) that writes the wide feature columns directly. In SQL
 * the grouped quantiles and the pivot back to one column per feature cost about 1.5 s of 2 s
 * on 2.16 million rows; grouping the rows into per-variable lists in DuckDB, then counting
 * the windows and labels in more scans, cost about twice this one ordered scan. Text variables
 * (the mode) stay in SQL: few rows.
 *
 * Duplicated (t, variable) measurements are merged by mean (text: the smallest value), as the
 * pivot does, and counted. Missing numbers (NULL, or NaN in a Parquet source) are missing.
 */
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBDoubleVector,
  type DuckDBResult,
} from '@duckdb/node-api';
import { InvalidInputError } from '../../analysis/errors';
import { type TargetExpression, targetColumns } from '../../analysis/target';
import { lagInWindows, parseDuration } from '../../analysis/window';
import { findWindow, WindowAggregator, type WindowGrid } from '../../analysis/window_aggregate';
import {
  type TargetColumn,
  WindowCounter,
  type WindowCounts,
  windowCounts,
  windowLabels,
} from '../../analysis/window_grid';
import { literal, queryRows } from '../duckdb';
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
import type { LoadReport, SourceVariable } from './load';

/**
 * The features table's columns as computed (`__time`, `__label`, `__rows`, then the features).
 * A caller that only needs them in memory can skip writing the temp table and reading it
 * back, about a fifth of the aggregation's time.
 */
export interface WideColumns {
  readonly names: readonly string[];
  readonly columns: readonly AppendColumn[];
}

/** What the aggregation measured of the source (`loadSource(..., keepLong)` leaves these out). */
export type LongCounts = Pick<LoadReport, 'rows' | 'from' | 'to' | 'duplicateRows' | 'unsortedRows'>;

/**
 * Up to this many measurements are read as one materialized result (about 20 bytes each in
 * DuckDB); a larger source is streamed chunk by chunk, a little slower.
 */
export const PULL_ROWS = 8_000_000;

/**
 * Aggregates `__long` into columns in memory; no table is written. JS holds 24 bytes a
 * measurement while it works. `pullRows` is where reading switches to streaming.
 */
export async function aggregateLongColumns(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
  pullRows = PULL_ROWS,
): Promise<{ report: AggregateReport; source: LongCounts; wide: WideColumns }> {
  if (spec.window === 'none' || spec.batchColumn) throw new Error('aggregateLongColumns: time windows only');
  const kinds = new Map(variables.map((v) => [v.name, v.kind]));
  const used = targetColumns(target);
  // Evaluated on no rows, the target checks its columns and their kinds before anything is read.
  windowLabels(target, targetColumnsOf(used, kinds), new Float64Array(0), 1);
  const explanatory = variables.filter((v) => !used.includes(v.name));
  const functions = checkFunctions(spec.functions ?? DEFAULT_FUNCTIONS);
  const windowMs = parseDuration(spec.window ?? '10m', 'aggregation.window');
  if (windowMs <= 0)
    throw new InvalidInputError({ where: 'aggregation.window', message: 'must be longer than 0' });
  const lagWindows = lagInWindows(parseDuration(spec.lag ?? 0, 'aggregation.lag'), windowMs);

  const measurements = await pullMeasurements(db, windowMs, pullRows);
  const { unsorted } = measurements;
  const { windows, counts, originMs } = measurements.windows;
  const texts = await textMeasurements(
    db,
    used.filter((c) => kinds.get(c) === 'text'),
  );
  const { labels, present } = windowLabels(
    target,
    targetColumnsOf(used, kinds, measurements, texts),
    windows,
    windowMs,
  );
  // Output rows: windows with a target value whose window `lag` earlier has rows.
  const nw = windows.length;
  const rowOf = new Int32Array(nw).fill(-1);
  const rowTimes: number[] = [];
  const rowLabels: number[] = [];
  const rowCounts: number[] = [];
  for (let k = 0; k < nw; k++) {
    if (!present[k]) continue;
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
  const windowGrid: WindowGrid = { windows, rowOf, rows, widthMs: windowMs, originMs };

  // Every staged variable counts its duplicates; the numeric explanatory ones get features.
  const aggregator = new WindowAggregator(functions, windowGrid);
  const numericColumns = new Map<string, Float64Array[]>();
  for (const v of explanatory) if (v.kind === 'numeric') numericColumns.set(v.name, aggregator.newColumns());
  let duplicates = 0;
  measurements.names.forEach((name, j) => {
    const s = measurements.starts[j];
    const e = measurements.starts[j + 1];
    duplicates += aggregator.aggregate(
      measurements.variableTimes.subarray(s, e),
      measurements.variableValues.subarray(s, e),
      e - s,
      numericColumns.get(name) ?? null,
    );
  });
  const text = explanatory.filter((v) => v.kind === 'text').map((v) => v.name);
  const key = `(epoch_ms(t) // ${windowMs})`;
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
  let distinct = 0;
  for (const c of counts) distinct += c;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    report: {
      rows,
      positives,
      features,
      variables: explanatory.map((v) => v.name),
      windowMs,
      lagWindows,
    },
    source: {
      rows: distinct,
      from: iso(originMs),
      to: iso(Math.trunc(measurements.latest / 1000)),
      duplicateRows: duplicates,
      unsortedRows: unsorted,
    },
    wide: { names: [TIME, LABEL, ROWS, ...features], columns },
  };
}

/**
 * Every measurement of `__long` grouped by variable (`names` order, each in source order;
 * times in epoch µs, numbers NaN where missing or text), and its windows.
 */
interface Measurements {
  readonly names: readonly string[];
  readonly windows: WindowCounts;
  /** Variable j's measurements are `starts[j]` to `starts[j + 1]` of the two arrays below. */
  readonly starts: Int32Array;
  readonly variableTimes: Float64Array;
  readonly variableValues: Float64Array;
  /** Rows earlier than the row before them, in source order. */
  readonly unsorted: number;
  /** The latest time (epoch µs). */
  readonly latest: number;
}

/**
 * One ordered scan of `__long` (a projection of one table or file keeps its order in DuckDB)
 * into typed arrays. A variable travels as a code: 53 bits of its name's hash, exact in a
 * DOUBLE and nearly free for DuckDB (strings would be decoded one by one in JS); the codes
 * of the staged names are checked to be distinct, and the rows are placed by variable on the
 * way, the counts per variable being known from staging.
 */
async function pullMeasurements(
  db: DuckDBConnection,
  widthMs: number,
  pullRows: number,
): Promise<Measurements> {
  const staged = await queryRows(
    db,
    'SELECT variable, CAST(measurements AS DOUBLE) AS n, CAST(hash(variable) >> 11 AS DOUBLE) AS code FROM __long_variables ORDER BY variable',
  );
  const names = staged.map((r) => String(r.variable));
  const codes = staged.map((r) => Number(r.code));
  const v = names.length;
  const starts = new Int32Array(v + 1);
  staged.forEach((r, j) => {
    starts[j + 1] = starts[j] + Number(r.n);
  });
  const total = starts[v];
  // Open addressing on the code's low bits; `code | 0` is its low 32 bits, exactly.
  let size = 4;
  while (size < 4 * v) size *= 2;
  const mask = size - 1;
  const keys = new Float64Array(size).fill(-1);
  const slots = new Int32Array(size);
  codes.forEach((code, j) => {
    let h = (code | 0) & mask;
    while (keys[h] !== -1) {
      if (keys[h] === code) {
        throw new Error(`aggregateLongColumns: variables ${names[slots[h]]} and ${names[j]} share a hash`);
      }
      h = (h + 1) & mask;
    }
    keys[h] = code;
    slots[h] = j;
  });
  const placement = new Placement(keys, slots, mask, starts, total, new WindowCounter(widthMs));
  const sql =
    "SELECT CAST(epoch_us(t) AS DOUBLE) AS t, CAST(hash(variable) >> 11 AS DOUBLE) AS v, coalesce(num, CAST('NaN' AS DOUBLE)) AS x FROM __long";
  const result = total <= pullRows ? await db.run(sql) : await db.stream(sql);
  for await (const chunk of chunksOf(result)) {
    placement.add(doubles(chunk, 0), doubles(chunk, 1), doubles(chunk, 2), chunk.rowCount);
  }
  if (placement.row !== total) {
    throw new Error(`aggregateLongColumns: read ${placement.row} measurements, staged ${total}`);
  }
  const { variableTimes, variableValues, unsorted, latest } = placement;
  // Rows out of order: the windows are counted again from all the times, sorted.
  const windows = unsorted === 0 ? placement.counter.result() : windowCounts(variableTimes, widthMs);
  return { names, windows, starts, variableTimes, variableValues, unsorted, latest };
}

/**
 * Rows placed as they arrive, chunk by chunk, time and value at the next place of their
 * variable; while they come in time order, their distinct timestamps are counted by window. A
 * class of its own so that the loop is optimized as soon as it is hot, not only when the async
 * function around it is.
 */
class Placement {
  readonly variableTimes: Float64Array;
  readonly variableValues: Float64Array;
  private readonly next: Int32Array;
  row = 0;
  /** Rows earlier than the row before them. */
  unsorted = 0;
  /** The latest time (epoch µs). */
  latest = Number.NEGATIVE_INFINITY;
  private previous = Number.NaN;

  constructor(
    private readonly keys: Float64Array,
    private readonly slots: Int32Array,
    private readonly mask: number,
    starts: Int32Array,
    private readonly total: number,
    readonly counter: WindowCounter,
  ) {
    this.variableTimes = new Float64Array(total);
    this.variableValues = new Float64Array(total);
    this.next = starts.slice(0, starts.length - 1);
  }

  add(t: Float64Array, code: Float64Array, x: Float64Array, n: number): void {
    const { keys, slots, mask, next, variableTimes, variableValues, counter } = this;
    if (this.row + n > this.total) throw new Error('aggregateLongColumns: more measurements than staged');
    let unsorted = this.unsorted;
    let latest = this.latest;
    let previous = this.previous;
    for (let i = 0; i < n; i++) {
      const c = code[i];
      let h = (c | 0) & mask;
      while (keys[h] !== c) {
        if (keys[h] === -1) throw new Error('aggregateLongColumns: a measurement of an unstaged variable');
        h = (h + 1) & mask;
      }
      const to = next[slots[h]]++;
      const us = t[i];
      if (us !== previous) {
        if (us < previous) unsorted++;
        else if (unsorted === 0) counter.add(us);
        previous = us;
      }
      latest = Math.max(latest, us);
      variableTimes[to] = us;
      variableValues[to] = x[i];
    }
    this.row += n;
    this.unsorted = unsorted;
    this.latest = latest;
    this.previous = previous;
  }
}

/** The chunks of a result: by index when materialized (no round trip each), else fetched. */
async function* chunksOf(result: DuckDBResult): AsyncGenerator<DuckDBDataChunk> {
  const materialized = result as DuckDBResult & {
    chunkCount?: number;
    getChunk?: (i: number) => DuckDBDataChunk;
  };
  if (typeof materialized.chunkCount === 'number' && materialized.getChunk) {
    for (let c = 0; c < materialized.chunkCount; c++) yield materialized.getChunk(c);
    return;
  }
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    yield chunk;
  }
}

/**
 * A DOUBLE column of a chunk: a view of the vector's array, or, where that array is not there
 * as expected (it is not public in @duckdb/node-api), the values read one by one. Every value
 * here is non-NULL (coalesced in SQL), so the array holds them all.
 */
function doubles(chunk: DuckDBDataChunk, column: number): Float64Array {
  const vector = chunk.getColumnVector(column);
  if (!(vector instanceof DuckDBDoubleVector))
    throw new Error('aggregateLongColumns: expected a DOUBLE column');
  const backing = (vector as unknown as { items?: unknown }).items;
  if (backing instanceof Float64Array && backing.length === vector.itemCount) return backing;
  return Float64Array.from({ length: vector.itemCount }, (_, i) => vector.getItem(i) ?? Number.NaN);
}

/** Text measurements of the named variables (a text target's columns): few, so read as rows. */
async function textMeasurements(
  db: DuckDBConnection,
  names: readonly string[],
): Promise<Map<string, { times: Float64Array; values: (string | null)[] }>> {
  const out = new Map<string, { times: Float64Array; values: (string | null)[] }>();
  if (names.length === 0) return out;
  const read = await readColumns(
    db,
    `SELECT CAST(epoch_us(t) AS DOUBLE) AS t, variable, txt FROM __long WHERE variable IN (${names.map(literal).join(', ')})`,
  );
  const [t, variable, txt] = read.columns as [Float64Array, (string | null)[], (string | null)[]];
  for (const name of names) {
    const rows = [];
    for (let i = 0; i < read.rows; i++) if (variable[i] === name) rows.push(i);
    out.set(name, { times: Float64Array.from(rows, (i) => t[i]), values: rows.map((i) => txt[i]) });
  }
  return out;
}

/** The target's columns as `windowLabels` takes them; without measurements, empty. */
function targetColumnsOf(
  used: readonly string[],
  kinds: ReadonlyMap<string, 'numeric' | 'text'>,
  measurements?: Measurements,
  texts?: ReadonlyMap<string, { times: Float64Array; values: (string | null)[] }>,
): TargetColumn[] {
  return used
    .filter((name) => kinds.has(name))
    .map((name): TargetColumn => {
      if (kinds.get(name) === 'text') {
        const own = texts?.get(name);
        return { name, kind: 'text', times: own?.times ?? new Float64Array(0), values: own?.values ?? [] };
      }
      const j = measurements ? measurements.names.indexOf(name) : -1;
      if (!measurements || j < 0) {
        return { name, kind: 'numeric', times: new Float64Array(0), values: new Float64Array(0) };
      }
      const s = measurements.starts[j];
      const e = measurements.starts[j + 1];
      return {
        name,
        kind: 'numeric',
        times: measurements.variableTimes.subarray(s, e),
        values: measurements.variableValues.subarray(s, e),
      };
    });
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
