/**
 * The distribution stage: each source variable's own values compared between the populations.
 * With windows every raw row is labelled by its window's target (a window is positive when any
 * of its rows is), so thresholds stay in the variable's units; rows of windows (or batches) where
 * the target cannot be evaluated at all are left out, as aggregation leaves those windows out.
 * The labels and the variables come from analysis/aggregate, as the features' do. Each variable
 * is compared at its dead time, and within strata when configured (activities/rules.ts).
 */
import { explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { analyzeDistribution } from '../analysis/distribution';
import { readObservationDataset } from '../connectors/datasets';
import { distributionWithRules } from './rules';
import type { DistributionInput, DistributionOutput } from './types';
import { toJson, writeArtifact } from './workspace';

export async function distribution(input: DistributionInput): Promise<DistributionOutput> {
  const { settings } = input;
  const table = await readObservationDataset(input.observationsUri);
  const { labels, mask } = populationLabels(table, settings.target, settings.aggregation);
  const variables = explanatoryVariables(
    table,
    settings.target,
    settings.aggregation,
    input.config.variables.exclude,
  );
  const names = variables.map((v) => v.name);
  const entries = distributionWithRules(
    table,
    labels,
    mask,
    names,
    settings,
    input.config.search.seed,
    (aligned) => analyzeDistribution(aligned, labels, { rows: mask, variables: names }),
  );
  const entriesUri = writeArtifact(input.workDir, 'distribution.json', toJson(entries));
  return { entriesUri, variables: entries.length };
}
