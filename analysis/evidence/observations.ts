/**
 * The observations a time-aware test shifts: windows, batches or rows, in time order (file order
 * when there is no time), each with its label, and the raw rows each one holds. The distribution
 * analysis compares raw rows, but the labels belong to observations, so a null that keeps the
 * labels' time structure moves whole observations: every raw row carries its observation's label.
 */
import type { AggregationPlan, Groups } from '../aggregate/groups';
import { formatDuration } from '../aggregate/time';
import type { Labels } from '../frame';

export interface Observations {
  /** Number of observations, in time order. */
  readonly count: number;
  /** The observation of each raw row; −1 for a row left out of the analysis. */
  readonly ofRow: Int32Array;
  /** 1 for a positive observation. */
  readonly labels: Uint8Array;
}

/**
 * Groups raw rows (already in time order, or file order) into observations. `groupOf(i)` names
 * the group of row `i` (a window start, a batch id); groups are numbered by first appearance, so
 * in time order. Without `groupOf` each row is an observation. Rows outside `mask` are left out.
 * An observation is positive when any of its rows is (rows of one group share a label already
 * when they come from the aggregation's labels; the "any" keeps that rule if they do not).
 */
export function observationsOf(
  rowLabels: Labels,
  groupOf?: (row: number) => string | number,
  mask?: Uint8Array,
): Observations {
  const rows = rowLabels.length;
  if (mask && mask.length !== rows)
    throw new RangeError(`observationsOf: mask of ${mask.length} for ${rows} rows`);
  const ofRow = new Int32Array(rows).fill(-1);
  const labels: number[] = [];
  if (!groupOf) {
    for (let i = 0; i < rows; i++) {
      if (mask && mask[i] === 0) continue;
      ofRow[i] = labels.length;
      labels.push(rowLabels[i]);
    }
    return { count: labels.length, ofRow, labels: Uint8Array.from(labels) };
  }
  const index = new Map<string | number, number>();
  for (let i = 0; i < rows; i++) {
    if (mask && mask[i] === 0) continue;
    const key = groupOf(i);
    let o = index.get(key);
    if (o === undefined) {
      o = labels.length;
      index.set(key, o);
      labels.push(0);
    }
    ofRow[i] = o;
    labels[o] |= rowLabels[i];
  }
  return { count: labels.length, ofRow, labels: Uint8Array.from(labels) };
}

/**
 * The observations an aggregation plan makes (analysis/aggregate: windows or batches, numbered in
 * time order, or each row alone), rows outside `mask` left out, and what one is called in the
 * method's description.
 */
export function planObservations(
  plan: AggregationPlan,
  groups: Pick<Groups, 'of'>,
  rowLabels: Labels,
  mask: Uint8Array,
): { observations: Observations; name: string } {
  if (plan.kind === 'rows') return { observations: observationsOf(rowLabels, undefined, mask), name: 'rows' };
  const of = groups.of;
  return {
    observations: observationsOf(rowLabels, (i) => of[i], mask),
    name: plan.kind === 'batches' ? 'batches' : `${formatDuration(plan.windowMs)} windows`,
  };
}

/** The rows of each observation, contiguous: rows of observation o are `rows[start[o]..start[o+1])`. */
export interface ObservationRows {
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Raw rows grouped by observation (a counting sort on `ofRow`, rows ascending within each). */
export function rowsByObservation(observations: Observations): ObservationRows {
  const { count, ofRow } = observations;
  const start = new Int32Array(count + 1);
  for (let i = 0; i < ofRow.length; i++) if (ofRow[i] >= 0) start[ofRow[i] + 1]++;
  for (let o = 0; o < count; o++) start[o + 1] += start[o];
  const next = start.slice(0, count);
  const rows = new Int32Array(start[count]);
  for (let i = 0; i < ofRow.length; i++) if (ofRow[i] >= 0) rows[next[ofRow[i]]++] = i;
  return { start, rows };
}

export interface Episodes {
  /** Maximal runs of positive observations; a single negative observation inside does not split one. */
  readonly count: number;
  /** First and last observation of each episode (inclusive). */
  readonly runs: readonly { readonly first: number; readonly last: number }[];
}

/**
 * Bad episodes: maximal runs of consecutive positive observations, where a gap of at most
 * `bridge` negative observations (default 1) inside a run does not split it. A defect that
 * flickers on and off for an hour is one episode, not six.
 */
export function badEpisodes(labels: ArrayLike<number>, bridge = 1): Episodes {
  const runs: { first: number; last: number }[] = [];
  let current: { first: number; last: number } | null = null;
  for (let o = 0; o < labels.length; o++) {
    if (labels[o] === 0) continue;
    if (current !== null && o - current.last - 1 <= bridge) current.last = o;
    else {
      current = { first: o, last: o };
      runs.push(current);
    }
  }
  return { count: runs.length, runs };
}
