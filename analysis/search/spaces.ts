/**
 * The search spaces of our learners, with LightGBM's parameter names: one table of ranges (data,
 * documented here and nowhere else) and the define-by-run function that turns a trial into a
 * learner and its parameters. Parameters of a branch exist only in the trials of that branch.
 */
import { InvalidInputError, unknownName } from '../errors';
import type { Trial } from './study';
import type { Params } from './trial';

export type LearnerKind = 'gbdt' | 'logistic';
export const learnerKinds: readonly LearnerKind[] = ['gbdt', 'logistic'];

export type RangeSpec =
  | {
      readonly kind: 'float';
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | {
      readonly kind: 'int';
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | { readonly kind: 'categorical'; readonly choices: readonly (string | number | boolean)[] };

/**
 * Searched ranges. gbdt (LightGBM names): `max_depth` is searched in [3, 12] only when
 * `max_depth_limited` is true, else it is −1 (no limit, LightGBM's default) — so TPE keeps the
 * depth ordinal instead of one categorical with −1 among the depths.
 */
export const searchRanges = {
  gbdt: {
    num_leaves: { kind: 'int', low: 8, high: 128, log: true },
    max_depth_limited: { kind: 'categorical', choices: [true, false] },
    max_depth: { kind: 'int', low: 3, high: 12 },
    learning_rate: { kind: 'float', low: 0.01, high: 0.3, log: true },
    min_data_in_leaf: { kind: 'int', low: 5, high: 100, log: true },
    feature_fraction: { kind: 'float', low: 0.5, high: 1.0 },
    bagging_fraction: { kind: 'float', low: 0.5, high: 1.0 },
    lambda_l1: { kind: 'float', low: 1e-8, high: 10, log: true },
    lambda_l2: { kind: 'float', low: 1e-8, high: 10, log: true },
  },
  logistic: {
    /** Inverse regularization strength, scikit-learn's semantics. */
    C: { kind: 'float', low: 1e-4, high: 1e2, log: true },
    penalty: { kind: 'categorical', choices: ['l2', 'l1'] },
  },
} as const satisfies Record<LearnerKind, Record<string, RangeSpec>>;

/**
 * Fixed, not searched: boosting runs up to `num_iterations` rounds and stops once the validation
 * loss has not improved for `early_stopping_round` rounds; bagging every round when it bags.
 */
export const fixedParams = {
  gbdt: { num_iterations: 500, early_stopping_round: 30, bagging_freq: 1 },
  logistic: {},
} as const;

export interface GbdtParams {
  num_leaves: number;
  max_depth: number;
  learning_rate: number;
  min_data_in_leaf: number;
  feature_fraction: number;
  bagging_fraction: number;
  bagging_freq: number;
  lambda_l1: number;
  lambda_l2: number;
  num_iterations: number;
  early_stopping_round: number;
}

export interface LogisticParams {
  C: number;
  penalty: 'l1' | 'l2';
}

export type LearnerChoice =
  | { readonly kind: 'gbdt'; readonly params: GbdtParams }
  | { readonly kind: 'logistic'; readonly params: LogisticParams };

function suggest(trial: Trial, name: string, spec: RangeSpec): number | string | boolean {
  if (spec.kind === 'categorical') return trial.suggestCategorical(name, spec.choices);
  const opts = { log: spec.log, step: spec.step };
  return spec.kind === 'int'
    ? trial.suggestInt(name, spec.low, spec.high, opts)
    : trial.suggestFloat(name, spec.low, spec.high, opts);
}

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

/**
 * The search space over the configured models, as a define-by-run function for
 * `study.askWith(...)`: it suggests `learner`, then that learner's parameters only.
 */
export function learnerSpace(models: readonly LearnerKind[]): (trial: Trial) => LearnerChoice {
  const kinds = parseModels(models);
  return (trial) => {
    const kind = trial.suggestCategorical('learner', kinds);
    if (kind === 'logistic') {
      const r = searchRanges.logistic;
      return {
        kind,
        params: {
          C: suggest(trial, 'C', r.C) as number,
          penalty: suggest(trial, 'penalty', r.penalty) as 'l1' | 'l2',
        },
      };
    }
    const r = searchRanges.gbdt;
    const num = (name: keyof typeof r) => suggest(trial, name, r[name]) as number;
    const limited = suggest(trial, 'max_depth_limited', r.max_depth_limited) as boolean;
    return {
      kind,
      params: {
        num_leaves: num('num_leaves'),
        max_depth: limited ? num('max_depth') : -1,
        learning_rate: num('learning_rate'),
        min_data_in_leaf: num('min_data_in_leaf'),
        feature_fraction: num('feature_fraction'),
        bagging_fraction: num('bagging_fraction'),
        lambda_l1: num('lambda_l1'),
        lambda_l2: num('lambda_l2'),
        ...fixedParams.gbdt,
      },
    };
  };
}

/**
 * Trial parameters of each learner's usual defaults (LightGBM's, scikit-learn's C = 1, L2), to
 * `study.enqueue(...)` as baseline trials. LightGBM's λ = 0 becomes the range floor 1e-8.
 */
export function defaultTrialParams(kind: LearnerKind): Params {
  if (kind === 'logistic') return { learner: 'logistic', C: 1, penalty: 'l2' };
  return {
    learner: 'gbdt',
    num_leaves: 31,
    max_depth_limited: false,
    learning_rate: 0.1,
    min_data_in_leaf: 20,
    feature_fraction: 1,
    bagging_fraction: 1,
    lambda_l1: 1e-8,
    lambda_l2: 1e-8,
  };
}
