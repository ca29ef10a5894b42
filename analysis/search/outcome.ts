/**
 * What a finished search hands on, the same in both runners: the trials as the results
 * document lists them, the best trial's request, and the baseline learner's parameters.
 */
import { baselineKind, type LearnerKind, learnerSpaces } from '../learners/kinds';
import { paramsFromTrialValues } from '../learners/search-space';
import type { TrialSummary } from '../results';
import type { TrialReport, TrialRequest } from './parallel';
import type { Study } from './study';

export interface SearchChoice {
  readonly best: {
    readonly learner: LearnerKind;
    readonly params: TrialRequest['params'];
    readonly bestIteration?: number;
  } | null;
  /**
   * The baseline learner's best complete trial; its usual defaults if none finished; null when
   * the analysis has no baseline learner.
   */
  readonly baseline: { readonly learner: LearnerKind; readonly params: TrialRequest['params'] } | null;
  readonly trials: TrialSummary[];
}

export function searchChoice(
  study: Study,
  models: readonly LearnerKind[],
  requests: ReadonlyMap<number, TrialRequest>,
  reports: ReadonlyMap<number, TrialReport>,
): SearchChoice {
  const trials: TrialSummary[] = study.trials.map((t) => {
    const request = requests.get(t.number);
    const params: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(request?.params ?? {})) if (v !== null) params[k] = v;
    const error = reports.get(t.number)?.error;
    return {
      number: t.number,
      kind: request?.learner ?? (t.params.learner as LearnerKind),
      params,
      value: t.value ?? null,
      state: t.state,
      ...(error ? { error } : {}),
    };
  });
  const bestTrial = study.bestTrial;
  const bestRequest = bestTrial ? requests.get(bestTrial.number) : undefined;
  const baselineLearner = baselineKind(models);
  const bestOfBaseline = study.trials
    .filter((t) => t.state === 'complete' && requests.get(t.number)?.learner === baselineLearner)
    .sort((a, b) => (b.value as number) - (a.value as number) || a.number - b.number)[0];
  const baseline = baselineLearner
    ? {
        learner: baselineLearner,
        params: bestOfBaseline
          ? requests.get(bestOfBaseline.number)!.params
          : paramsFromTrialValues(learnerSpaces[baselineLearner], learnerSpaces[baselineLearner].defaults),
      }
    : null;
  const bestIteration = bestRequest ? reports.get(bestRequest.number)?.bestIteration : undefined;
  return {
    best: bestRequest
      ? {
          learner: bestRequest.learner,
          params: bestRequest.params,
          ...(bestIteration !== undefined ? { bestIteration } : {}),
        }
      : null,
    baseline,
    trials,
  };
}
