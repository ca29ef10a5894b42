/**
 * The GBDT's search space (LightGBM's names). `max_depth` is searched in [3, 12] only when
 * `max_depth_limited` is true, else it is −1 (no limit, LightGBM's default), so TPE keeps the
 * depth ordinal instead of one categorical with −1 among the depths.
 *
 * (Belongs in `gbdt/space.ts`; kept beside the folder while gbdt/ is being split.)
 */
import { type LearnerSpace, suggestRange } from '../search-space';

const ranges = {
  num_leaves: { kind: 'int', low: 8, high: 128, log: true },
  max_depth_limited: { kind: 'categorical', choices: [true, false] },
  max_depth: { kind: 'int', low: 3, high: 12 },
  learning_rate: { kind: 'float', low: 0.01, high: 0.3, log: true },
  min_data_in_leaf: { kind: 'int', low: 5, high: 100, log: true },
  feature_fraction: { kind: 'float', low: 0.5, high: 1.0 },
  bagging_fraction: { kind: 'float', low: 0.5, high: 1.0 },
  lambda_l1: { kind: 'float', low: 1e-8, high: 10, log: true },
  lambda_l2: { kind: 'float', low: 1e-8, high: 10, log: true },
} as const;

export const gbdtSpace = {
  kind: 'gbdt',
  displayName: 'gradient-boosted trees',
  binned: true,
  ranges,
  /**
   * Boosting runs up to `num_iterations` rounds and stops once the validation binary log loss
   * (LightGBM's default metric) has not improved for `early_stopping_round` rounds: a smooth
   * loss keeps improving where AUC saturates (a ranking that is already perfect would stop the
   * model at one tree). Bagging every round when it bags.
   */
  fixed: { num_iterations: 500, early_stopping_round: 30, bagging_freq: 1, metric: 'binary_logloss' },
  // LightGBM's defaults; its λ = 0 becomes the range floor 1e-8.
  defaults: {
    num_leaves: 31,
    max_depth_limited: false,
    learning_rate: 0.1,
    min_data_in_leaf: 20,
    feature_fraction: 1,
    bagging_fraction: 1,
    lambda_l1: 1e-8,
    lambda_l2: 1e-8,
  },
  suggest: (trial) => {
    const num = (name: keyof typeof ranges) => suggestRange(trial, name, ranges[name]) as number;
    const limited = suggestRange(trial, 'max_depth_limited', ranges.max_depth_limited) as boolean;
    return {
      num_leaves: num('num_leaves'),
      max_depth: limited ? num('max_depth') : -1,
      learning_rate: num('learning_rate'),
      min_data_in_leaf: num('min_data_in_leaf'),
      feature_fraction: num('feature_fraction'),
      bagging_fraction: num('bagging_fraction'),
      lambda_l1: num('lambda_l1'),
      lambda_l2: num('lambda_l2'),
    };
  },
} as const satisfies LearnerSpace;
