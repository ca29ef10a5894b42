/**
 * Duplicated timestamps: the one rule that makes a timestamp one row. Measurements sharing a
 * timestamp are merged, numbers by the mean of their present values, texts to the smallest;
 * the loaders (connectors/source/) apply it to wide rows and to long measurements alike, so the
 * canonical table has one row per distinct timestamp, ascending.
 */
import type { Variable } from '../frame';

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
