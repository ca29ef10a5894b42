/**
 * The distribution stage: each source variable's own values compared between the populations.
 * With windows every raw row is labelled by its window's target (a window is positive when any
 * of its rows is), so thresholds stay in the variable's units; rows of windows (or batches) where
 * the target cannot be evaluated at all are left out, as aggregation leaves those windows out.
 * The labels and the variables come from analysis/aggregate, as the features' do.
 */
import { explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { analyzeDistribution } from '../analysis/distribution';
import { readObservationDataset } from '../connectors/datasets';
import type { StageContext } from './progress';
import type { DistributionInput, DistributionOutput } from './types';
import { toJson, writeArtifact } from './workspace';

export async function distribution(
  input: DistributionInput,
  context: StageContext = {},
): Promise<DistributionOutput> {
  const { settings } = input;
  const table = await readObservationDataset(input.observationsUri);
  const { labels, mask } = populationLabels(table, settings.target, settings.aggregation);
  const variables = explanatoryVariables(
    table,
    settings.target,
    settings.aggregation,
    input.config.variables.exclude,
  );
  const step = context.step;
  const entries = analyzeDistribution(
    table,
    labels,
    { rows: mask, variables: variables.map((v) => v.name) },
    step ? { progress: (done, total) => step(done, total, 'variables') } : {},
  );
  const entriesUri = writeArtifact(input.workDir, 'distribution.json', toJson(entries));
  return { entriesUri, variables: entries.length };
}
