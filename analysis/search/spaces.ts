/**
 * The search space over the configured learners, as a define-by-run function: a trial suggests
 * `learner`, then that learner's parameters only (its ranges are in its record, e.g.
 * `learners/gbdt/space.ts`), plus the parameters it always trains with. Parameters of a branch
 * exist only in the trials of that branch.
 */
import { InvalidInputError, unknownName } from '../errors';
import { type LearnerKind, learnerKinds, learnerSpaces } from '../learners/kinds';
import type { LearnerParams, LearnerSpace } from '../learners/search-space';
import type { Trial } from './study';
import type { Params } from './trial';

export type { LearnerKind } from '../learners/kinds';
export type { RangeSpec } from '../learners/search-space';

export interface LearnerChoice {
  readonly kind: LearnerKind;
  readonly params: LearnerParams;
}

/** Each learner's searched ranges, by kind. */
export const searchRanges = Object.fromEntries(
  learnerKinds.map((kind) => [kind, learnerSpaces[kind].ranges]),
) as { readonly [K in LearnerKind]: (typeof learnerSpaces)[K]['ranges'] };

/** Checks a configuration's `models` list and returns it typed. */
export function parseModels(models: readonly string[], where = 'models'): LearnerKind[] {
  if (models.length === 0) throw new InvalidInputError({ where, message: 'needs at least one model' });
  return models.map((m, i) => {
    if (!(learnerKinds as readonly string[]).includes(m)) {
      throw new InvalidInputError({
        where: `${where}[${i}]`,
        message: unknownName('model', m, learnerKinds),
      });
    }
    return m as LearnerKind;
  });
}

/** The search space over `models`, for `study.askWith(...)`. */
export function learnerSpace(models: readonly LearnerKind[]): (trial: Trial) => LearnerChoice {
  const kinds = parseModels(models);
  return (trial) => {
    const kind = trial.suggestCategorical('learner', kinds);
    const space: LearnerSpace = learnerSpaces[kind];
    return { kind, params: { ...space.suggest(trial), ...space.fixed } };
  };
}

/** A learner's usual defaults as trial parameters, to `study.enqueue(...)` as its first trial. */
export function defaultTrialParams(kind: LearnerKind): Params {
  return { learner: kind, ...learnerSpaces[kind].defaults } as Params;
}
