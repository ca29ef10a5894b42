/**
 * The search budget: a number of trials and a time limit, whichever ends first. Time comes from
 * the caller (a `now` in milliseconds): in a Temporal workflow that is the workflow's
 * deterministic clock, in-process it is `Date.now`. Nothing here reads a clock by itself.
 */
import { InvalidInputError } from '../errors';
import { type Study, type Trial, TrialPruned } from './study';

export interface SearchBudget {
  /** Most trials to start. */
  readonly trials: number;
  /** Start no trial after this many seconds from the start of the search. */
  readonly timeoutSeconds?: number;
}

export type BudgetStatus =
  | { readonly exhausted: false }
  | { readonly exhausted: true; readonly reason: 'trials' | 'time' };

export function validateBudget(budget: SearchBudget): void {
  if (!Number.isInteger(budget.trials) || budget.trials < 0) {
    throw new InvalidInputError({
      where: 'search.trials',
      message: `must be an integer >= 0, got ${budget.trials}`,
    });
  }
  const t = budget.timeoutSeconds;
  if (t !== undefined && !(typeof t === 'number' && t > 0)) {
    throw new InvalidInputError({
      where: 'search.timeoutSeconds',
      message: `must be a number > 0, got ${t}`,
    });
  }
}

/** Whether another trial may start, given how many started and the time since `startedAtMs`. */
export function budgetStatus(
  budget: SearchBudget,
  trialsStarted: number,
  startedAtMs: number,
  nowMs: number,
): BudgetStatus {
  if (trialsStarted >= budget.trials) return { exhausted: true, reason: 'trials' };
  if (budget.timeoutSeconds !== undefined && nowMs - startedAtMs >= budget.timeoutSeconds * 1000) {
    return { exhausted: true, reason: 'time' };
  }
  return { exhausted: false };
}

/** Seconds left before the time limit (Infinity without one), e.g. to cap a trial's own timeout. */
export function secondsLeft(budget: SearchBudget, startedAtMs: number, nowMs: number): number {
  if (budget.timeoutSeconds === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, budget.timeoutSeconds - (nowMs - startedAtMs) / 1000);
}

/**
 * Runs trials one after the other in-process until the budget ends. The objective returns the
 * value, or throws `TrialPruned` after `trial.shouldPrune()`; any other error fails the trial
 * and the search goes on.
 */
export function optimize(
  study: Study,
  objective: (trial: Trial) => number,
  budget: SearchBudget,
  now: () => number,
): BudgetStatus & { readonly exhausted: true } {
  validateBudget(budget);
  const startedAt = now();
  let started = 0;
  for (;;) {
    const status = budgetStatus(budget, started, startedAt, now());
    if (status.exhausted) return status;
    const trial = study.ask();
    started++;
    try {
      const value = objective(trial);
      study.tell(trial.number, { state: 'complete', value });
    } catch (error) {
      if (error instanceof TrialPruned) study.tell(trial.number, { state: 'pruned' });
      else
        study.tell(trial.number, {
          state: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
    }
  }
}
