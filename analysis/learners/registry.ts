/**
 * Every learner, by kind: the one place that lists them (with `kinds.ts`, their light side for
 * the configuration and the search). Code that trains, scores, explains, saves or exports a model
 * looks its learner up here instead of testing its kind.
 */
import { InvalidInputError, unknownName } from '../errors';
import { gbdtLearner } from './gbdt/learner';
import type { GbdtModel } from './gbdt/model';
import { type LearnerKind, learnerKinds } from './kinds';
import type { LearnerDefinition } from './learner';
import { logisticLearner } from './logistic/learner';
import type { LogisticModel } from './logistic/model';

/** A model of any registered learner. */
export type LearnedModel = GbdtModel | LogisticModel;

export const learners: {
  readonly [K in LearnerKind]: LearnerDefinition<Extract<LearnedModel, { kind: K }>>;
} = {
  gbdt: gbdtLearner,
  logistic: logisticLearner,
};

/** The learner of `kind`; an unknown kind is an input error with a suggestion. */
export function learnerOf(kind: string, where = 'learner'): LearnerDefinition<LearnedModel> {
  if (!Object.hasOwn(learners, kind)) {
    throw new InvalidInputError({ where, message: unknownName('learner', kind, learnerKinds) });
  }
  return learners[kind as LearnerKind] as LearnerDefinition<LearnedModel>;
}

export function modelToJson(model: LearnedModel): unknown {
  return learnerOf(model.kind).toJson(model);
}

/** A model from its JSON form (a parsed object), by its `format` field. */
export function modelFromJson(json: unknown): LearnedModel {
  const format = (json as { format?: unknown } | null)?.format;
  const learner = learnerKinds.map((k) => learnerOf(k)).find((l) => l.format === format);
  if (!learner) {
    throw new InvalidInputError({
      where: 'model: format',
      message: unknownName(
        'model format',
        String(format),
        learnerKinds.map((k) => learnerOf(k).format),
      ),
    });
  }
  return learner.fromJson(json);
}
