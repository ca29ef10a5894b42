/**
 * The final models: the search's best parameters and the baseline's, each refit on the whole
 * training part and measured once on the validation set, and the choice of the model to
 * explain — the better of the two on validation, or the search's when validation cannot rank
 * them.
 */
import { selectLabels, selectRows } from '../frame';
import type { ModelSummary } from '../results';
import type { TimeSplit } from '../split';
import type { LearnerParams, LearningData } from './learner';
import { type LearnedModel, learnerOf } from './registry';
import { checkBothClasses, type ValidationFigures, validationFigures } from './validation';

export interface FinalFit {
  readonly kind: string;
  /** The trial's parameters; the learner turns them into the refit's (`finalParams`). */
  readonly params: LearnerParams;
  readonly bestIteration?: number;
}

export interface FinalModel {
  readonly kind: string;
  /** The parameters it was trained with. */
  readonly params: LearnerParams;
  readonly model: LearnedModel;
  readonly validation: ValidationFigures;
}

export function fitFinal(
  data: LearningData,
  split: Pick<TimeSplit, 'train' | 'validation'>,
  request: FinalFit,
): FinalModel {
  const learner = learnerOf(request.kind);
  const params = learner.finalParams(request.params, request.bestIteration);
  checkBothClasses(data.labels, split.train, `${request.kind} training rows`);
  const { model } = learner.fit(data, { params, train: split.train });
  const margin = learner.margin(model, selectRows(data.features, split.validation));
  return {
    kind: request.kind,
    params,
    model,
    validation: validationFigures(margin, selectLabels(data.labels, split.validation)),
  };
}

export function modelSummary(final: FinalModel): ModelSummary {
  const learner = learnerOf(final.kind);
  return {
    kind: learner.kind as ModelSummary['kind'],
    params: learner.shownParams(final.model, final.params),
    validation: final.validation,
  };
}

export interface ExplainedChoice {
  readonly explained: FinalModel;
  /** Why this model is the one explained, for people. */
  readonly reason: string;
}

const auc = (m: FinalModel) => (m.validation.auc as number).toFixed(3);

/**
 * The model to explain: the search's best unless the baseline scores higher on validation.
 * Choosing between two on the validation set makes its AUC the higher of two figures, a little
 * optimistic; explaining a model that the baseline beats would be worse.
 */
export function chooseExplained(best: FinalModel, baseline: FinalModel | null): ExplainedChoice {
  const name = (m: FinalModel) => learnerOf(m.kind).displayName;
  if (!baseline || baseline.kind === best.kind) {
    return { explained: best, reason: `the search's best trial (${name(best)})` };
  }
  if (best.validation.auc === null || baseline.validation.auc === null) {
    return {
      explained: best,
      reason: `the search's best trial (${name(best)}): ${best.validation.reason ?? baseline.validation.reason}, so validation cannot rank it against the ${name(baseline)} baseline`,
    };
  }
  if (baseline.validation.auc > best.validation.auc) {
    return {
      explained: baseline,
      reason: `the ${name(baseline)} baseline scored higher on validation than the search's best trial (${name(best)}): AUC ${auc(baseline)} against ${auc(best)}`,
    };
  }
  return {
    explained: best,
    reason: `the search's best trial (${name(best)}), at least as good on validation as the ${name(baseline)} baseline: AUC ${auc(best)} against ${auc(baseline)}`,
  };
}
