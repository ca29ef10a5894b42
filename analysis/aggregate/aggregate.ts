/**
 * The aggregation: the canonical table of raw rows → one observation per window (or batch, or
 * row) with its label and its features `variable__function`. The one path every runner and
 * source takes: connectors read the rows and write the result, nothing else.
 *
 *   - windows exist where rows are; an observation exists where its window has a value of the
 *     target's columns (`known`) and, with a lag k, where the window k before it has rows;
 *   - the target's columns, the excluded variables, the batch column and identifiers are never
 *     features; the target is evaluated on every row whatever is excluded;
 *   - with `"none"` (plan `rows`) the features are the variables themselves.
 */
import { InvalidInputError } from '../errors';
import type { ObservationTable, Variable } from '../frame';
import { GroupAggregator, groupModes } from './functions';
import { type AggregationPlan, groupsOf, lagOf } from './groups';
import { isIdentifier } from './identifier';
import { groupLabels } from './labels';
import { type TargetExpression, targetColumns } from './target';
import { formatDuration } from './time';

export type FeatureColumn = Float64Array | readonly (string | null)[];

export interface Observations {
  /** Rows: the observations, in time order. */
  readonly rows: number;
  /** Each observation's time (epoch ms): its window's start, its batch's first time, its row's time. */
  readonly times: Float64Array;
  readonly labels: Uint8Array;
  /** Raw rows each observation aggregated (the features' window with a lag). */
  readonly rowCounts: Float64Array;
  /** Feature names (`variable__function`, `variable__mode`, or the variables with `"none"`). */
  readonly features: readonly string[];
  readonly columns: readonly FeatureColumn[];
  /** The variables features were made from. */
  readonly variables: readonly string[];
  /** Variables left out as identifiers. */
  readonly identifiers: readonly string[];
  readonly positives: number;
}

/** The variables an analysis explains with: all but the target's columns, `exclude` and the batch column. */
export function explanatoryVariables(
  table: ObservationTable,
  target: TargetExpression,
  plan: AggregationPlan,
  exclude: readonly string[] = [],
): Variable[] {
  const kept = new Set(
    explanatoryNames(
      table.variables.map((v) => v.name),
      target,
      plan,
      exclude,
    ),
  );
  return table.variables.filter((v) => kept.has(v.name));
}

/** The names among `names` that `explanatoryVariables` keeps (for sizing before reading). */
export function explanatoryNames(
  names: readonly string[],
  target: TargetExpression,
  plan: AggregationPlan,
  exclude: readonly string[] = [],
): string[] {
  const left = new Set([...targetColumns(target), ...exclude]);
  if (plan.kind === 'batches') left.add(plan.batchColumn);
  return names.filter((name) => !left.has(name));
}

export function aggregateObservations(
  table: ObservationTable,
  target: TargetExpression,
  plan: AggregationPlan,
  exclude: readonly string[] = [],
): Observations {
  const groups = groupsOf(table, plan);
  const { labels, known } = groupLabels(target, table, groups);
  const lag = lagOf(plan);
  // Output rows: groups with a target value whose group `lag` before has rows.
  const rowOf = new Int32Array(groups.count).fill(-1);
  const times: number[] = [];
  const rowLabels: number[] = [];
  const rowCounts: number[] = [];
  const outputGroups: number[] = [];
  const byKey = new Map<number, number>();
  for (let g = 0; g < groups.count; g++) byKey.set(groups.keys[g], g);
  for (let g = 0; g < groups.count; g++) {
    if (!known[g]) continue;
    const source = byKey.get(groups.keys[g] - lag);
    if (source === undefined) continue;
    rowOf[source] = times.length;
    outputGroups.push(g);
    times.push(groups.starts[g]);
    rowLabels.push(labels[g]);
    rowCounts.push(groups.sizes[source]);
  }
  const rows = times.length;
  if (rows === 0) {
    const unit =
      plan.kind === 'windows'
        ? `${formatDuration(plan.windowMs)} window`
        : plan.kind === 'batches'
          ? 'batch'
          : 'row';
    throw new InvalidInputError({
      where: 'target',
      message: `the target's columns (${targetColumns(target).join(', ')}) have no value in any ${unit}${lag ? ' that has a window the lag before it' : ''}`,
    });
  }

  const candidates = explanatoryVariables(table, target, plan, exclude);
  const identifiers = candidates.filter((v) => isIdentifier(v.data)).map((v) => v.name);
  const explanatory = candidates.filter((v) => !identifiers.includes(v.name));
  const features: string[] = [];
  const columns: FeatureColumn[] = [];
  if (plan.kind === 'rows') {
    const kept = Int32Array.from(outputGroups);
    // Every row kept (the usual case): the features are the variables' own arrays, not copies
    // (a million rows × 50 variables is 400 MB).
    const all = kept.length === table.rows;
    for (const v of explanatory) {
      features.push(v.name);
      const values = v.data.values;
      if (all) columns.push(values);
      else if (values instanceof Float64Array) {
        const out = new Float64Array(kept.length);
        for (let k = 0; k < kept.length; k++) out[k] = values[kept[k]];
        columns.push(out);
      } else columns.push(Array.from(kept, (i) => values[i]));
    }
  } else {
    const time = table.time ?? Float64Array.from({ length: table.rows }, (_, i) => i * 60_000);
    const origin = table.rows > 0 ? Math.floor(time[0]) : 0;
    const aggregator = new GroupAggregator(plan.functions, groups, rowOf, rows, time, origin);
    for (const v of explanatory) {
      if (v.data.kind === 'numeric') {
        const own = aggregator.newColumns();
        aggregator.aggregate(v.data.values, own);
        plan.functions.forEach((f, j) => {
          features.push(`${v.name}__${f}`);
          columns.push(own[j]);
        });
      } else {
        features.push(`${v.name}__mode`);
        columns.push(groupModes(v.data.values, groups, rowOf, rows));
      }
    }
  }
  let positives = 0;
  for (const y of rowLabels) positives += y;
  return {
    rows,
    times: Float64Array.from(times),
    labels: Uint8Array.from(rowLabels),
    rowCounts: Float64Array.from(rowCounts),
    features,
    columns,
    variables: explanatory.map((v) => v.name),
    identifiers,
    positives,
  };
}
