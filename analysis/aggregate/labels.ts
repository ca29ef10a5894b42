/**
 * Labels: the target evaluated on every row, and each observation's label by the any-row rule
 * (groups.ts). The distribution analysis compares raw rows, each labelled by its observation;
 * the model learns from the observations themselves (aggregate.ts): both take their labels here.
 */
import type { ObservationTable } from '../frame';
import { type AggregationPlan, anyRow, type Groups, groupsOf } from './groups';
import { evaluateTarget, type TargetExpression, targetColumns } from './target';

/** The columns the labels are made of: the target's, and the batch column that groups rows. */
export function labelColumns(target: TargetExpression, plan: AggregationPlan): string[] {
  const columns = targetColumns(target);
  return plan.kind === 'batches' && !columns.includes(plan.batchColumn)
    ? [...columns, plan.batchColumn]
    : columns;
}

/** The target on every row, and whether any of its columns has a value there. */
export function targetRows(
  target: TargetExpression,
  table: ObservationTable,
): { labels: Uint8Array; known: Uint8Array } {
  const labels = evaluateTarget(target, table);
  const known = new Uint8Array(table.rows);
  for (const name of targetColumns(target)) {
    const { data } = table.variables.find((v) => v.name === name)!;
    if (data.kind === 'numeric') {
      for (let i = 0; i < table.rows; i++) if (!Number.isNaN(data.values[i])) known[i] = 1;
    } else {
      for (let i = 0; i < table.rows; i++) if (data.values[i] !== null) known[i] = 1;
    }
  }
  return { labels, known };
}

/** Each group's label (positive when any row is) and whether any row has a target value. */
export function groupLabels(
  target: TargetExpression,
  table: ObservationTable,
  groups: Groups,
): { labels: Uint8Array; known: Uint8Array } {
  const rows = targetRows(target, table);
  return { labels: anyRow(rows.labels, groups), known: anyRow(rows.known, groups) };
}

/**
 * Every row labelled by its observation (window, batch or itself), and the mask of the rows
 * whose observation has a target value: the two populations the distribution analysis compares.
 * The groups come back too, for the time-aware test that moves whole observations.
 */
export function populationLabels(
  table: ObservationTable,
  target: TargetExpression,
  plan: AggregationPlan,
): { labels: Uint8Array; mask: Uint8Array; groups: Groups } {
  const groups = groupsOf(table, plan);
  const byGroup = groupLabels(target, table, groups);
  const labels = new Uint8Array(table.rows);
  const mask = new Uint8Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    const g = groups.of[i];
    if (g < 0) continue;
    labels[i] = byGroup.labels[g];
    mask[i] = byGroup.known[g];
  }
  return { labels, mask, groups };
}
