/**
 * One search trial: a learner with one parameter set, trained and scored on each fold of the
 * search's validation (`analysis/split.ts`). The value maximized is the validation ROC AUC
 * (the mean over folds); the curve the pruners see is the first fold's validation binary log
 * loss every few rounds — the loss early stopping watches, smooth where AUC saturates.
 */
import { isInvalidInput } from '../errors';
import { selectLabels, selectRows } from '../frame';
import type { Fold } from '../split';
import type { LearnerParams, LearningData } from './learner';
import { rocAuc } from './metrics';
import { learnerOf } from './registry';
import { checkBothClasses } from './validation';

export interface TrialFit {
  readonly kind: string;
  readonly params: LearnerParams;
  readonly folds: readonly Fold[];
  /** Rounds between two points of the pruning curve. */
  readonly reportEvery: number;
  /**
   * The median pruner's curve (the median log loss of finished trials of the learner, by
   * round): a trial whose loss is above it at a round stops there, pruned.
   */
  readonly pruneAbove?: readonly { readonly step: number; readonly value: number }[];
}

export interface TrialOutcome {
  readonly state: 'complete' | 'pruned' | 'failed';
  /** Mean validation ROC AUC over the folds scored (the value maximized). */
  readonly value: number | null;
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  /** Rounds kept by early stopping (mean over folds), for the final refit. */
  readonly bestIteration?: number;
  readonly error?: string;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function fitTrial(
  data: LearningData,
  request: TrialFit,
  /** Each point of the curve as it comes; returning false stops the trial (pruned). */
  onPoint?: (point: { step: number; value: number }) => boolean | undefined,
): TrialOutcome {
  const learner = learnerOf(request.kind);
  const limit = new Map((request.pruneAbove ?? []).map((p) => [p.step, p.value]));
  const intermediate: { step: number; value: number }[] = [];
  const values: number[] = [];
  const rounds: number[] = [];
  const bestIteration = () => (rounds.length > 0 ? Math.round(mean(rounds)) : undefined);
  try {
    for (const [f, fold] of request.folds.entries()) {
      checkBothClasses(data.labels, fold.train, `${request.kind} training rows`);
      checkBothClasses(data.labels, fold.validation, `${request.kind} validation rows`);
      const fit = learner.fit(data, {
        params: request.params,
        train: fold.train,
        validation: fold.validation,
        reportEvery: request.reportEvery,
        // The first fold's curve only: every trial is pruned against the same fold.
        onLoss:
          f === 0
            ? (step, loss) => {
                const point = { step, value: loss };
                intermediate.push(point);
                if (onPoint?.(point) === false) return false;
                const above = limit.get(step);
                return above === undefined || loss <= above;
              }
            : undefined,
      });
      const margin = learner.margin(fit.model, selectRows(data.features, fold.validation));
      values.push(rocAuc(selectLabels(data.labels, fold.validation), margin));
      if (fit.bestIteration !== undefined) rounds.push(fit.bestIteration);
      if (fit.stopped) {
        return { state: 'pruned', value: mean(values), intermediate, bestIteration: bestIteration() };
      }
    }
    return { state: 'complete', value: mean(values), intermediate, bestIteration: bestIteration() };
  } catch (error) {
    // Bad data fails the whole analysis; a parameter set that cannot train fails only its trial.
    if (isInvalidInput(error) && !error.message.startsWith('params.')) throw error;
    return {
      state: 'failed',
      value: null,
      intermediate,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
