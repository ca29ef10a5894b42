/**
 * The learners by kind, as the configuration and the search know them: names, roles and search
 * spaces only (`registry.ts` adds how each trains, explains, saves and exports). Adding a learner
 * is its folder and one line here and in the registry.
 */
import { gbdtSpace } from './gbdt/space';
import { logisticSpace } from './logistic/space';
import type { LearnerSpace } from './search-space';

export const learnerSpaces = {
  gbdt: gbdtSpace,
  logistic: logisticSpace,
} as const satisfies Record<string, LearnerSpace>;

export type LearnerKind = keyof typeof learnerSpaces;

export const learnerKinds = Object.keys(learnerSpaces) as [LearnerKind, ...LearnerKind[]];

/** The baseline learner (measured beside the explained model), when the analysis has it. */
export function baselineKind(models: readonly LearnerKind[]): LearnerKind | undefined {
  return models.find((kind) => (learnerSpaces[kind] as LearnerSpace).baseline === true);
}
