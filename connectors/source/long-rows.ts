/**
 * Reading the staged long rows (`__long`: t, variable, num, txt, and `__long_variables`) into
 * typed arrays, for the pivot to the canonical wide table (`pivotLong`). DuckDB reads and normalizes the rows
 * and hands them over in one scan in source order (time, a variable code, value); JS groups
 * them by variable on the way.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { alignColumns, type MeasuredColumn } from '../../analysis/aggregate/duplicates';
import { ident, literal, queryRows } from '../duckdb';
import { createTableFromColumns } from './append';
import { readColumns, vectorArray } from './columns';
import type { SourceVariable, VariableKind } from './types';

/**
 * Up to this many measurements are read as one materialized result (about 20 bytes each in
 * DuckDB); a larger source is streamed chunk by chunk, a little slower.
 */
export const PULL_ROWS = 8_000_000;

/** Receives the distinct timestamps (epoch µs) while the rows arrive in time order. */
export interface TimeSink {
  add(us: number): void;
}

/**
 * Every measurement of `__long` grouped by variable (`names` order, each in source order;
 * times in epoch µs, numbers NaN where missing or text).
 */
export interface Measurements {
  readonly names: readonly string[];
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
export async function readLong(
  db: DuckDBConnection,
  times: TimeSink,
  pullRows = PULL_ROWS,
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
        throw new Error(`readLong: variables ${names[slots[h]]} and ${names[j]} share a 53-bit hash`);
      }
      h = (h + 1) & mask;
    }
    keys[h] = code;
    slots[h] = j;
  });
  const placement = new Placement(keys, slots, mask, starts, total, times);
  const sql =
    "SELECT CAST(epoch_us(t) AS DOUBLE) AS t, CAST(hash(variable) >> 11 AS DOUBLE) AS v, coalesce(num, CAST('NaN' AS DOUBLE)) AS x FROM __long";
  const result = total <= pullRows ? await db.run(sql) : await db.stream(sql);
  for await (const chunk of chunksOf(result)) {
    placement.add(doubles(chunk, 0), doubles(chunk, 1), doubles(chunk, 2), chunk.rowCount);
  }
  if (placement.row !== total) {
    throw new Error(`readLong: read ${placement.row} measurements, staged ${total}`);
  }
  const { variableTimes, variableValues, unsorted, latest } = placement;
  return { names, starts, variableTimes, variableValues, unsorted, latest };
}

/**
 * Rows placed as they arrive, chunk by chunk, time and value at the next place of their
 * variable; while they come in time order, their distinct timestamps go to the sink. A
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
    private readonly sink: TimeSink,
  ) {
    this.variableTimes = new Float64Array(total);
    this.variableValues = new Float64Array(total);
    this.next = starts.slice(0, starts.length - 1);
  }

  add(t: Float64Array, code: Float64Array, x: Float64Array, n: number): void {
    const { keys, slots, mask, next, variableTimes, variableValues, sink } = this;
    if (this.row + n > this.total) throw new Error('readLong: more measurements than staged');
    let unsorted = this.unsorted;
    let latest = this.latest;
    let previous = this.previous;
    for (let i = 0; i < n; i++) {
      const c = code[i];
      let h = (c | 0) & mask;
      while (keys[h] !== c) {
        if (keys[h] === -1) throw new Error('readLong: a measurement of an unstaged variable');
        h = (h + 1) & mask;
      }
      const to = next[slots[h]]++;
      const us = t[i];
      if (us !== previous) {
        if (us < previous) unsorted++;
        else if (unsorted === 0) sink.add(us);
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
 * A DOUBLE column of a chunk: a view of the vector's array, or the values read one by one
 * where that array is not there as expected. Every value here is non-NULL (coalesced in SQL),
 * so the array holds them all.
 */
function doubles(chunk: DuckDBDataChunk, column: number): Float64Array {
  const vector = chunk.getColumnVector(column);
  return (
    vectorArray(vector) ??
    Float64Array.from(
      { length: vector.itemCount },
      (_, i) => (vector.getItem(i) as number | null) ?? Number.NaN,
    )
  );
}

/** Text measurements of the named variables (a text target's columns): few, so read as rows. */
export async function textMeasurements(
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

/**
 * The named variables' measurements as columns: numbers from the scan, texts from
 * `textMeasurements` (which must have read every text one).
 */
export function measuredColumns(
  measurements: Measurements,
  texts: ReadonlyMap<string, { times: Float64Array; values: (string | null)[] }>,
  variables: readonly { readonly name: string; readonly kind: VariableKind }[],
): MeasuredColumn[] {
  const { names, starts, variableTimes, variableValues } = measurements;
  return variables.map(({ name, kind }): MeasuredColumn => {
    if (kind === 'text') {
      const own = texts.get(name)!;
      return { name, kind: 'text', times: own.times, values: own.values };
    }
    const j = names.indexOf(name);
    return {
      name,
      kind: 'numeric',
      times: variableTimes.subarray(starts[j], starts[j + 1]),
      values: variableValues.subarray(starts[j], starts[j + 1]),
    };
  });
}

/** Distinct timestamps as they arrive. */
class TimeList implements TimeSink {
  readonly times: number[] = [];
  add(us: number): void {
    this.times.push(us);
  }
}

/**
 * The canonical wide table `table` from `__long`: `t`, then `variables` in order, one row per
 * distinct timestamp, ascending, duplicates merged (numbers by the mean of the present values,
 * texts to the smallest). The pivot, done in JS on one ordered scan: DuckDB's PIVOT and the
 * duplicate count took about 2 s of 2.5 s on 2 million rows. Returns the measurements merged
 * into an earlier one and the rows earlier than the row before them.
 */
export async function pivotLong(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  table: string,
  pullRows = PULL_ROWS,
): Promise<{ duplicates: number; unsorted: number }> {
  const seen = new TimeList();
  const measurements = await readLong(db, seen, pullRows);
  const texts = await textMeasurements(
    db,
    variables.filter((v) => v.kind === 'text').map((v) => v.name),
  );
  const columns = measuredColumns(measurements, texts, variables);
  // Rows in time order gave the distinct timestamps on the way; otherwise they are the union.
  const rows = measurements.unsorted === 0 ? Float64Array.from(seen.times) : undefined;
  const aligned = alignColumns(columns, rows);
  await createTableFromColumns(
    db,
    table,
    ['t', ...variables.map((v) => v.name)],
    [aligned.times, ...aligned.variables.map((v) => v.data.values)],
    aligned.times.length,
  );
  // In place: copying the table to convert one column costs as much as writing it.
  await db.run(`ALTER TABLE ${ident(table)} ALTER t TYPE TIMESTAMP USING make_timestamp(CAST(t AS BIGINT))`);
  return { duplicates: aligned.duplicates, unsorted: measurements.unsorted };
}
