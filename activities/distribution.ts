/**
 * The distribution stage: each source variable's own values compared between the populations.
 * With windows every raw row is labelled by its window's target (a window is positive when any
 * of its rows is), so thresholds stay in the variable's units; rows of windows (or batches) where
 * the target cannot be evaluated at all are left out, as aggregation leaves those windows out.
 * The labels and the variables come from analysis/aggregate, as the features' do. The p-values
 * are time-aware (analysis/evidence): the observations' labels are rotated against time, so rows
 * are in time order here (file order for rows without time, as the dataset keeps them). Each
 * variable is compared at its dead time, and within strata when configured (activities/rules.ts).
 */
import { explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { planObservations } from '../analysis/evidence/observations';
import { analyzeOverTime } from '../analysis/evidence/time-aware';
import { readObservationDataset } from '../connectors/datasets';
import type { StageContext } from './progress';
import { distributionWithRules } from './rules';
import type { DistributionInput, DistributionOutput } from './types';
import { toJson, writeArtifact } from './workspace';

export async function distribution(
  input: DistributionInput,
  context: StageContext = {},
): Promise<DistributionOutput> {
  const { settings } = input;
  const table = await readObservationDataset(input.observationsUri);
  const { labels, mask, groups } = populationLabels(table, settings.target, settings.aggregation);
  const variables = explanatoryVariables(
    table,
    settings.target,
    settings.aggregation,
    input.config.variables.exclude,
  );
  const { observations, name } = planObservations(settings.aggregation, groups, labels, mask);
  const names = variables.map((v) => v.name);
  let evidence: DistributionOutput['evidence'] | undefined;
  const entries = distributionWithRules(
    table,
    labels,
    mask,
    names,
    settings,
    input.config.search.seed,
    (aligned) => {
      const tested = analyzeOverTime(aligned, observations, {
        variables: names,
        seed: input.config.search.seed,
        observationName: name,
        ...(context.step
          ? { progress: (done: number, total: number) => context.step?.(done, total, 'variables') }
          : {}),
      });
      evidence = tested.evidence;
      return tested.entries;
    },
  );
  if (evidence === undefined) throw new Error('distribution: the time-aware analysis did not run');
  const entriesUri = writeArtifact(input.workDir, 'distribution.json', toJson(entries));
  return { entriesUri, variables: entries.length, evidence };
}
