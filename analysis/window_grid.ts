/**
 * The window grid, the window labels and the pivot of measurements in memory (the long and
 * wide readers in connectors/source/ pull them): which windows hold a timestamp, how many
 * distinct timestamps each holds (the `__rows` column), each window's label, and columns side
 * by side on their distinct timestamps. The
 * semantics are those of the SQL aggregation (connectors/source/aggregate.ts) on the pivoted
 * table: a timestamp is a row, the target is evaluated on each row with its columns' duplicates
 * merged (numbers by the mean of the present values, texts to the smallest), and a window is
 * positive when any of its rows is.
 */
import type { ObservationTable, Variable } from './frame';
import { evaluateTarget, type TargetExpression } from './target';
import { findWindow, windowOfMicros } from './window_aggregate';

export interface WindowCounts {
  /** Every window holding a timestamp, as k = trunc(epoch ms / width), ascending. */
  readonly windows: Float64Array;
  /** Distinct timestamps in each window (same index). */
  readonly counts: Float64Array;
  /** The earliest timestamp, epoch ms (truncated as DuckDB's `epoch_ms`). */
  readonly originMs: number;
}

/**
 * Distinct timestamps counted by window as they come, in ascending order: the long source's
 * reader feeds it while the rows arrive sorted (the usual case), so no second pass is needed.
 */
export class WindowCounter {
  private readonly windows: number[] = [];
  private readonly counts: number[] = [];
  private window = Number.NaN;
  // The current window's bounds in µs (exact integers); negative times always recompute, as
  // truncation toward zero makes window 0 twice as wide there.
  private lo = 0;
  private hi = -1;
  private earliest = Number.NaN;

  constructor(private readonly widthMs: number) {}

  /** A timestamp (epoch µs) later than every one before. */
  add(us: number): void {
    if (!(us >= this.lo && us < this.hi)) {
      const w = windowOfMicros(us, this.widthMs);
      if (w !== this.window) {
        this.window = w;
        this.windows.push(w);
        this.counts.push(0);
      }
      if (w >= 0) {
        this.lo = w * this.widthMs * 1000;
        this.hi = this.lo + this.widthMs * 1000;
      } else {
        this.lo = 0;
        this.hi = -1;
      }
      if (Number.isNaN(this.earliest)) this.earliest = us;
    }
    this.counts[this.counts.length - 1]++;
  }

  result(): WindowCounts {
    return {
      windows: Float64Array.from(this.windows),
      counts: Float64Array.from(this.counts),
      originMs: Math.trunc(this.earliest / 1000) + 0,
    };
  }
}

/** The windows of `times` (epoch µs, at least one, in any order) and their distinct timestamps. */
export function windowCounts(times: Float64Array, widthMs: number): WindowCounts {
  const sorted = Float64Array.from(times).sort();
  const counter = new WindowCounter(widthMs);
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) counter.add(sorted[i]);
  return counter.result();
}

/** One variable's measurements (epoch µs) in any order, duplicates included. */
export type MeasuredColumn =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly times: Float64Array;
      readonly values: Float64Array;
    }
  | {
      readonly name: string;
      readonly kind: 'text';
      readonly times: Float64Array;
      readonly values: readonly (string | null)[];
    };

/** Time-ordered distinct timestamps of one column, with its duplicates merged. */
interface Merged {
  readonly times: Float64Array;
  readonly numbers?: Float64Array;
  readonly texts?: (string | null)[];
}

function merge(column: MeasuredColumn): Merged {
  const n = column.times.length;
  const t = column.times;
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = t[i] > t[i - 1];
  // Strictly ascending (the usual case): nothing to merge.
  if (ascending) {
    return column.kind === 'numeric'
      ? { times: t, numbers: column.values }
      : { times: t, texts: [...column.values] };
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => t[a] - t[b] || a - b);
  const times: number[] = [];
  const numbers: number[] = [];
  const texts: (string | null)[] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && t[order[e]] === t[order[s]]) e++;
    times.push(t[order[s]]);
    if (column.kind === 'numeric') {
      let sum = 0;
      let present = 0;
      for (let i = s; i < e; i++) {
        const x = column.values[order[i]];
        if (!Number.isNaN(x)) {
          sum += x;
          present++;
        }
      }
      numbers.push(present > 0 ? sum / present : Number.NaN);
    } else {
      let least: string | null = null;
      for (let i = s; i < e; i++) {
        const x = column.values[order[i]];
        if (x !== null && (least === null || x < least)) least = x;
      }
      texts.push(least);
    }
    s = e;
  }
  return column.kind === 'numeric'
    ? { times: Float64Array.from(times), numbers: Float64Array.from(numbers) }
    : { times: Float64Array.from(times), texts };
}

/** The distinct timestamps of several merged columns, ascending. */
function distinctTimes(merged: readonly Merged[]): Float64Array {
  const all = new Float64Array(merged.reduce((s, m) => s + m.times.length, 0));
  let filled = 0;
  for (const m of merged) {
    all.set(m.times, filled);
    filled += m.times.length;
  }
  all.sort();
  let kept = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[kept - 1]) all[kept++] = all[i];
  return all.subarray(0, kept);
}

/**
 * Columns side by side, one row per distinct timestamp (a pivot): each column's duplicates
 * merged (numbers by the mean of the present values, texts to the smallest), missing where it
 * has no measurement. `rows`, when the caller knows them, are every column's distinct
 * timestamps, ascending. Also returns how many measurements were merged into an earlier one.
 */
export function alignColumns(
  columns: readonly MeasuredColumn[],
  rows?: Float64Array,
): { times: Float64Array; variables: Variable[]; duplicates: number } {
  const merged = columns.map(merge);
  const times = rows ?? (merged.length === 1 ? merged[0].times : distinctTimes(merged));
  let duplicates = 0;
  const variables = columns.map((column, j): Variable => {
    const m = merged[j];
    duplicates += column.times.length - m.times.length;
    if (m.numbers && m.times === times)
      return { name: column.name, data: { kind: 'numeric', values: m.numbers } };
    // Each column's timestamps are a sorted subset of the rows: one walk aligns them.
    if (m.numbers) {
      const values = new Float64Array(times.length).fill(Number.NaN);
      for (let i = 0, r = 0; i < m.times.length; i++) {
        while (times[r] !== m.times[i]) r++;
        values[r] = m.numbers[i];
      }
      return { name: column.name, data: { kind: 'numeric', values } };
    }
    const values = new Array<string | null>(times.length).fill(null);
    for (let i = 0, r = 0; i < m.times.length; i++) {
      while (times[r] !== m.times[i]) r++;
      values[r] = m.texts![i];
    }
    return { name: column.name, data: { kind: 'text', values } };
  });
  return { times, variables, duplicates };
}

/**
 * Per window of `windows` (ascending window numbers of width `widthMs`): whether any row
 * satisfies the target (`labels`) and whether any row has a value of one of its columns
 * (`present`). Rows are the distinct timestamps of the target's columns; a column without a
 * measurement at a row is missing there, and a comparison on a missing value is false.
 */
export function windowLabels(
  target: TargetExpression,
  columns: readonly MeasuredColumn[],
  windows: Float64Array,
  widthMs: number,
): { labels: Uint8Array; present: Uint8Array } {
  const { times: rows, variables } = alignColumns(columns);
  const rowPresent = new Uint8Array(rows.length);
  for (const { data } of variables) {
    if (data.kind === 'numeric') {
      for (let r = 0; r < rows.length; r++) if (!Number.isNaN(data.values[r])) rowPresent[r] = 1;
    } else {
      for (let r = 0; r < rows.length; r++) if (data.values[r] !== null) rowPresent[r] = 1;
    }
  }
  const table: ObservationTable = { rows: rows.length, variables };
  const y = evaluateTarget(target, table);
  const labels = new Uint8Array(windows.length);
  const present = new Uint8Array(windows.length);
  let k = -1;
  let window = Number.NaN;
  for (let r = 0; r < rows.length; r++) {
    const w = windowOfMicros(rows[r], widthMs);
    if (w !== window) {
      window = w;
      k = findWindow(windows, w);
      if (k < 0) throw new Error(`windowLabels: window ${w} is not in the grid`);
    }
    labels[k] |= y[r];
    present[k] |= rowPresent[r];
  }
  return { labels, present };
}
