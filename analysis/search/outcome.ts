/**
 * What a finished search hands on, the same in both runners: the trials as the results
 * document lists them, the best trial's request, and the logistic baseline's parameters.
 */
import type { Learner } from '../config';
import type { TrialSummary } from '../results';
import type { TrialReport, TrialRequest } from './parallel';
import type { Study } from './study';

export interface SearchChoice {
  readonly best: {
    readonly learner: Learner;
    readonly params: TrialRequest['params'];
    readonly bestIteration?: number;
  } | null;
  /** The best complete logistic trial's parameters; scikit-learn's defaults if none finished. */
  readonly baseline: TrialRequest['params'] | null;
  readonly trials: TrialSummary[];
}

export function searchChoice(
  study: Study,
  models: readonly Learner[],
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
      kind: request?.learner ?? (t.params.learner as Learner),
      params,
      value: t.value ?? null,
      state: t.state,
      ...(error ? { error } : {}),
    };
  });
  const bestTrial = study.bestTrial;
  const bestRequest = bestTrial ? requests.get(bestTrial.number) : undefined;
  const logistic = study.trials
    .filter((t) => t.state === 'complete' && requests.get(t.number)?.learner === 'logistic')
    .sort((a, b) => (b.value as number) - (a.value as number) || a.number - b.number)[0];
  const baseline = logistic
    ? requests.get(logistic.number)!.params
    : models.includes('logistic')
      ? { C: 1, penalty: 'l2' }
      : null;
  return {
    best: bestRequest
      ? {
          learner: bestRequest.learner,
          params: bestRequest.params,
          ...(reports.get(bestRequest.number)?.bestIteration !== undefined
            ? { bestIteration: reports.get(bestRequest.number)!.bestIteration }
            : {}),
        }
      : null,
    baseline,
    trials,
  };
}
