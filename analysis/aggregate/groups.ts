/**
 * Observations as groups of rows: time windows, batches, or each row alone; and the rule that
 * labels a group — positive when any of its rows is. Rows are the canonical table's (one per
 * distinct timestamp, ascending in time).
 */
import { InvalidInputError, unknownName } from '../errors';
import type { ObservationTable, VariableValues } from '../frame';
import { windowOf } from './time';

export interface Groups {
  readonly count: number;
  /** The group of each row, −1 for a row in none (a batch column without a value). */
  readonly of: Int32Array;
  /** Each group's number: its window (floor(ms / width)), its batch (0, 1, … in order of first time), its row. */
  readonly keys: Float64Array;
  /** Each group's time (epoch ms): its window's start, its batch's first time, its row's time. */
  readonly starts: Float64Array;
  /** Rows in each group. */
  readonly sizes: Float64Array;
}

/** How observations are made from rows: the typed form of the configuration's `aggregation`. */
export type AggregationPlan =
  | {
      readonly kind: 'windows';
      readonly windowMs: number;
      /** Features of window w − lag explain the label of window w. */
      readonly lagWindows: number;
      readonly functions: readonly string[];
    }
  | {
      readonly kind: 'batches';
      readonly batchColumn: string;
      /** Features of batch b − lag (in order of first time) explain the label of batch b. */
      readonly lagBatches: number;
      readonly functions: readonly string[];
    }
  | { readonly kind: 'rows' };

/** The epoch-aligned windows of width `widthMs` holding the rows (`times` ascending, epoch ms). */
export function windowGroups(times: Float64Array, widthMs: number): Groups {
  const n = times.length;
  const of = new Int32Array(n);
  const keys: number[] = [];
  const sizes: number[] = [];
  let current = Number.NaN;
  for (let i = 0; i < n; i++) {
    const w = windowOf(times[i], widthMs);
    if (w !== current) {
      if (w < current) throw new RangeError('windowGroups: times must be ascending');
      current = w;
      keys.push(w);
      sizes.push(0);
    }
    of[i] = keys.length - 1;
    sizes[sizes.length - 1]++;
  }
  return {
    count: keys.length,
    of,
    keys: Float64Array.from(keys),
    starts: Float64Array.from(keys, (k) => k * widthMs),
    sizes: Float64Array.from(sizes),
  };
}

/**
 * One group per value of a batch column, numbered in order of each batch's first time (ties by
 * value); rows without a value belong to none.
 */
export function batchGroups(times: Float64Array, batch: VariableValues): Groups {
  const n = times.length;
  const index = new Map<string | number, number>();
  const values: (string | number)[] = [];
  const first: number[] = [];
  const raw = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = batch.kind === 'numeric' ? batch.values[i] : batch.values[i];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    let b = index.get(v);
    if (b === undefined) {
      b = values.length;
      index.set(v, b);
      values.push(v);
      first.push(times[i]);
    }
    raw[i] = b;
  }
  const order = values
    .map((_, b) => b)
    .sort((a, b) => first[a] - first[b] || (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
  const rank = new Int32Array(values.length);
  order.forEach((b, k) => {
    rank[b] = k;
  });
  const of = raw.map((b) => (b < 0 ? -1 : rank[b]));
  const sizes = new Float64Array(values.length);
  for (let i = 0; i < n; i++) if (of[i] >= 0) sizes[of[i]]++;
  return {
    count: values.length,
    of,
    keys: Float64Array.from(order, (_, k) => k),
    starts: Float64Array.from(order, (b) => first[b]),
    sizes,
  };
}

/** Each row its own group. */
export function rowGroups(times: Float64Array): Groups {
  const n = times.length;
  return {
    count: n,
    of: Int32Array.from({ length: n }, (_, i) => i),
    keys: Float64Array.from({ length: n }, (_, i) => i),
    starts: Float64Array.from(times),
    sizes: new Float64Array(n).fill(1),
  };
}

/** The groups `plan` makes of the table's rows. */
export function groupsOf(table: ObservationTable, plan: AggregationPlan): Groups {
  const times = table.time ?? Float64Array.from({ length: table.rows }, (_, i) => i * 60_000);
  if (plan.kind === 'windows') return windowGroups(times, plan.windowMs);
  if (plan.kind === 'rows') return rowGroups(times);
  const batch = table.variables.find((v) => v.name === plan.batchColumn);
  if (!batch) {
    throw new InvalidInputError({
      where: 'aggregation.batchColumn',
      message: unknownName(
        'column',
        plan.batchColumn,
        table.variables.map((v) => v.name),
      ),
    });
  }
  return batchGroups(times, batch.data);
}

/** The lag of a plan, in groups. */
export function lagOf(plan: AggregationPlan): number {
  return plan.kind === 'windows' ? plan.lagWindows : plan.kind === 'batches' ? plan.lagBatches : 0;
}

/** The any-row rule: a group's flag is 1 when any of its rows' flag is. */
export function anyRow(flags: Uint8Array, groups: Groups): Uint8Array {
  const out = new Uint8Array(groups.count);
  for (let i = 0; i < flags.length; i++) {
    const g = groups.of[i];
    if (g >= 0) out[g] |= flags[i];
  }
  return out;
}
