/**
 * The distribution stage: each source variable's own values compared between the populations.
 * With windows every raw row is labelled by its window's target (a window is positive when any
 * of its rows is), so thresholds stay in the variable's units; rows of windows (or batches) where
 * the target cannot be evaluated at all are left out, as aggregation leaves those windows out.
 */
import type { AnalysisConfig } from '../analysis/config';
import { observationsOf } from '../analysis/evidence/observations';
import { analyzeOverTime } from '../analysis/evidence/time-aware';
import type { ObservationTable } from '../analysis/frame';
import { evaluateTarget, parseTarget, targetColumns } from '../analysis/target';
import { parseDuration, windowStart } from '../analysis/window';
import { readObservationDataset } from '../connectors/datasets';
import type { DistributionInput, DistributionOutput } from './types';
import { toJson, writeArtifact } from './workspace';

/**
 * Per-row labels, the mask of rows whose group (window, batch or row) has a target value, and
 * the group of each row (none when each row is its own observation).
 */
export function populationLabels(
  table: ObservationTable,
  config: AnalysisConfig,
): { labels: Uint8Array; mask: Uint8Array; groupOf?: (row: number) => string | number } {
  const target = parseTarget(config.target);
  const own = evaluateTarget(target, table);
  const columns = targetColumns(target).map((c) => table.variables.find((v) => v.name === c)!);
  const known = new Uint8Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    known[i] = columns.some((v) =>
      v.data.kind === 'numeric' ? !Number.isNaN(v.data.values[i]) : v.data.values[i] !== null,
    )
      ? 1
      : 0;
  }
  const aggregation = config.aggregation;
  let groupOf: ((i: number) => string | number) | undefined;
  if (aggregation !== 'none' && aggregation.batchColumn !== undefined) {
    const batch = table.variables.find((v) => v.name === aggregation.batchColumn);
    if (batch)
      groupOf = (i) => (batch.data.kind === 'numeric' ? batch.data.values[i] : (batch.data.values[i] ?? ''));
  } else if (aggregation !== 'none' && aggregation.window !== undefined && table.time) {
    const width = parseDuration(aggregation.window, 'aggregation.window');
    const time = table.time;
    groupOf = (i) => windowStart(time[i], width);
  }
  if (!groupOf) return { labels: own, mask: known };
  const positive = new Map<string | number, number>();
  const hasTarget = new Map<string | number, number>();
  for (let i = 0; i < table.rows; i++) {
    const g = groupOf(i);
    positive.set(g, (positive.get(g) ?? 0) | own[i]);
    hasTarget.set(g, (hasTarget.get(g) ?? 0) | known[i]);
  }
  const labels = new Uint8Array(table.rows);
  const mask = new Uint8Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    const g = groupOf(i);
    labels[i] = positive.get(g)!;
    mask[i] = hasTarget.get(g)!;
  }
  return { labels, mask, groupOf };
}

/** The variables compared: every source variable but the target's columns and the batch column. */
export function explanatoryVariables(table: ObservationTable, config: AnalysisConfig): string[] {
  const left = new Set(targetColumns(parseTarget(config.target)));
  if (config.aggregation !== 'none' && config.aggregation.batchColumn)
    left.add(config.aggregation.batchColumn);
  return table.variables.map((v) => v.name).filter((name) => !left.has(name));
}

/** What one observation is, for the evidence's description. */
function observationName(config: AnalysisConfig): string {
  const aggregation = config.aggregation;
  if (aggregation === 'none') return 'rows';
  if (aggregation.batchColumn !== undefined) return 'batches';
  return `${aggregation.window} windows`;
}

/**
 * Time-aware p-values (analysis/evidence): the observations' labels are rotated against time,
 * so rows are in time order here (file order for rows without time, as the dataset keeps them).
 */
export async function distribution(input: DistributionInput): Promise<DistributionOutput> {
  const table = await readObservationDataset(input.observationsUri);
  const { labels, mask, groupOf } = populationLabels(table, input.config);
  const { entries, evidence } = analyzeOverTime(table, observationsOf(labels, groupOf, mask), {
    variables: explanatoryVariables(table, input.config),
    seed: input.config.search.seed,
    observationName: observationName(input.config),
  });
  const entriesUri = writeArtifact(input.workDir, 'distribution.json', toJson(entries));
  return { entriesUri, variables: entries.length, evidence };
}
