/**
 * The rules stage and what the other stages do for it (analysis/rules): extract checks the
 * columns `variables.roles` and `variables.stratify` name and the number of strata; the
 * distribution stage compares values aligned on each variable's dead time and within strata
 * (`distributionWithRules`); this stage finds the operating windows, the rules and the
 * recommendation on the same aligned rows, on a compute thread (the rule search runs again on
 * every null draw of the labels).
 */
import { labelColumns, populationLabels } from '../analysis/aggregate/labels';
import type { AnalysisSettings } from '../analysis/config';
import type { DistributionEntry } from '../analysis/distribution/types';
import type { InteractionEntry } from '../analysis/explain/interactions';
import type { Labels, ObservationTable } from '../analysis/frame';
import type { ResultsDocument } from '../analysis/results';
import { alignTable } from '../analysis/rules/dead-time';
import {
  alignOnDeadTimes,
  annotateEntries,
  lagsOf,
  rowSplit,
  ruleTrainingRows,
  strataComparisons,
} from '../analysis/rules/line-rules';
import { circularShiftNull } from '../analysis/rules/null';
import { strataOf } from '../analysis/rules/strata';
import { type DistributionRuleFields, VARIABLE_ROLES } from '../analysis/rules/types';
import { type WhatToDo, whatToDoVariables, withRuleQValues } from '../analysis/rules/what-to-do';
import type { ComputePool } from '../compute/pool';
import { shareArray, shareTable } from '../compute/shared';
import { observationShape, readObservationDataset } from '../connectors/datasets';
import type { NamedColumns } from '../connectors/source/types';
import type { ComposeInput, RulesInput, RulesOutput } from './types';
import { readJsonArtifact, toJson, writeArtifact } from './workspace';

/** The columns roles and strata name, for extract to check (strata columns are kept). */
export function namedColumns(settings: AnalysisSettings): NamedColumns[] {
  const { roles, stratify } = settings.rules;
  const named: NamedColumns[] = VARIABLE_ROLES.flatMap((role) =>
    roles?.[role]?.length ? [{ where: `variables.roles.${role}`, names: roles[role] }] : [],
  );
  if (stratify.length > 0) named.push({ where: 'variables.stratify', names: stratify, keep: true });
  return named;
}

/** More than 50 strata is an input error, found before the analysis starts its work. */
export async function checkStrata(observationsUri: string, settings: AnalysisSettings): Promise<void> {
  const { stratify } = settings.rules;
  if (stratify.length === 0) return;
  const table = await readObservationDataset(observationsUri, { columns: stratify });
  strataOf(table, stratify);
}

/**
 * The distribution entries as the distribution stage reports them: `analyze` runs on the table
 * aligned on each variable's dead time, the entries carry `lagMinutes` and, with strata,
 * `confounded` and the per-stratum splits.
 */
export function distributionWithRules<E extends DistributionEntry>(
  table: ObservationTable,
  labels: Labels,
  mask: Uint8Array,
  variables: readonly string[],
  settings: AnalysisSettings,
  seed: number,
  analyze: (aligned: ObservationTable) => readonly E[],
): (E & DistributionRuleFields)[] {
  const aligned = alignOnDeadTimes(table, labels, mask, variables, {
    maxLagMs: settings.rules.maxLagMs,
    seed,
  });
  const entries = analyze(aligned.table);
  const strata = strataComparisons(aligned.table, labels, mask, entries, settings.rules.stratify, seed);
  return annotateEntries(entries, aligned, strata);
}

/** Null draws for the rules' q-values (the smallest is 1/100). */
const RULE_NULL_DRAWS = 99;

/** Windows for variables whose difference has this much evidence (q-value) at most. */
const WINDOW_Q = 0.05;

export async function rules(
  input: RulesInput,
  deps: { readonly compute: ComputePool },
): Promise<RulesOutput> {
  const started = performance.now();
  const { settings } = input;
  const entries = readJsonArtifact<(DistributionEntry & DistributionRuleFields)[]>(input.entriesUri);
  const ranked = entries.filter((e) => e.kind !== 'identifier');
  // Numeric as the table holds them (a numeric column of codes is a categorical entry).
  const shape = await observationShape(input.observationsUri);
  const numeric = new Set(shape.variables.filter((v) => v.numeric).map((v) => v.name));
  const variables = whatToDoVariables(
    ranked.map((e) => ({ variable: e.variable, numeric: numeric.has(e.variable) })),
  );
  // Only the columns the search looks at and the labels are made of (12 of 50 variables on a
  // wide line), shared: the table goes to a task and to each part of the null draws uncopied.
  const table = await readObservationDataset(input.observationsUri, {
    shared: true,
    columns: [...new Set([...variables, ...labelColumns(settings.target, settings.aggregation)])],
  });
  const { labels, mask } = populationLabels(table, settings.target, settings.aggregation);
  const lags = lagsOf(entries);
  const aligned = alignTable(table, lags, { maxLagMs: settings.rules.maxLagMs });
  const split = rowSplit(table, settings.aggregation, mask, settings.validation);
  const train = ruleTrainingRows(split.train);
  const validation = split.validation;
  const task = {
    table: shareTable(aligned),
    labels: shareArray(labels),
    train: shareArray(train),
    validation: shareArray(validation),
    variables,
    ...(settings.rules.roles ? { roles: settings.rules.roles } : {}),
    lagMinutes: [...lags],
    options: { seed: input.config.search.seed, nullDraws: 0 },
  };
  // The rules, and the null draws in parts side by side on the pool's threads.
  const parts = Math.max(1, Math.min(deps.compute.size, RULE_NULL_DRAWS));
  const nulls = Promise.all(
    Array.from({ length: parts }, (_, p) => {
      const from = Math.floor((p * RULE_NULL_DRAWS) / parts);
      const count = Math.floor(((p + 1) * RULE_NULL_DRAWS) / parts) - from;
      return deps.compute.run('rule-null', { ...task, from, count });
    }),
  );
  const [plain, bests] = await Promise.all([deps.compute.run('what-to-do', task), nulls]);
  const found = withRuleQValues(plain, bests.flat(), circularShiftNull.method);
  const evident = new Set(
    ranked.filter((e) => e.qValue !== null && e.qValue <= WINDOW_Q).map((e) => e.variable),
  );
  const operatingWindows = found.operatingWindows.filter((w) => evident.has(w.variable));
  const whatToDoUri = writeArtifact(input.workDir, 'what-to-do.json', toJson({ ...found, operatingWindows }));
  return {
    whatToDoUri,
    operatingWindows: operatingWindows.length,
    rules: found.rules.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The results' "what to do" fields from the rules stage's artifact and the explain stage's pairs. */
export function whatToDoResults(
  input: ComposeInput,
): Pick<ResultsDocument, 'operatingWindows' | 'rules' | 'recommendation' | 'ruleEvidence' | 'interactions'> {
  const out: {
    -readonly [K in
      | 'operatingWindows'
      | 'rules'
      | 'recommendation'
      | 'ruleEvidence'
      | 'interactions']?: ResultsDocument[K];
  } = {};
  if (input.rules) {
    const found = readJsonArtifact<WhatToDo>(input.rules.whatToDoUri);
    out.operatingWindows = found.operatingWindows;
    out.rules = found.rules;
    out.recommendation = found.recommendation;
    out.ruleEvidence = found.ruleEvidence;
  }
  if (input.explain?.interactionsUri)
    out.interactions = readJsonArtifact<InteractionEntry[]>(input.explain.interactionsUri);
  return out;
}
