/**
 * The GBDT parameter table: every parameter once, with LightGBM's name, default, range, aliases
 * and meaning, validated in one place. A search space, a configuration file and the learner all
 * read the same table, so a name or a default cannot drift between them.
 */
import { InvalidInputError, unknownName } from '../errors';

export type GbdtMetric = 'binary_logloss' | 'auc';

export interface GbdtParams {
  readonly num_iterations: number;
  readonly learning_rate: number;
  readonly num_leaves: number;
  readonly max_depth: number;
  readonly min_data_in_leaf: number;
  readonly min_sum_hessian_in_leaf: number;
  readonly lambda_l1: number;
  readonly lambda_l2: number;
  readonly min_gain_to_split: number;
  readonly feature_fraction: number;
  readonly bagging_fraction: number;
  readonly bagging_freq: number;
  readonly scale_pos_weight: number;
  readonly early_stopping_round: number;
  readonly metric: GbdtMetric;
  readonly boost_from_average: boolean;
  readonly seed: number;
  readonly max_bin: number;
  readonly min_data_in_bin: number;
  readonly bin_construct_sample_cnt: number;
}

export interface ParamSpec {
  readonly name: keyof GbdtParams;
  readonly kind: 'int' | 'float' | 'bool' | 'enum';
  readonly default: number | boolean | string;
  /** Inclusive bounds unless `exclusiveMin` / `exclusiveMax`. */
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  readonly values?: readonly string[];
  readonly aliases: readonly string[];
  /** Which stage reads it: the binning of a dataset (once) or the training (every trial). */
  readonly stage: 'dataset' | 'training';
  readonly doc: string;
}

export const gbdtParamTable: readonly ParamSpec[] = [
  {
    name: 'num_iterations',
    kind: 'int',
    default: 100,
    min: 0,
    aliases: [
      'num_iteration',
      'n_iter',
      'num_tree',
      'num_trees',
      'num_round',
      'num_rounds',
      'num_boost_round',
      'n_estimators',
    ],
    stage: 'training',
    doc: 'Number of boosting rounds (trees).',
  },
  {
    name: 'learning_rate',
    kind: 'float',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    aliases: ['shrinkage_rate', 'eta'],
    stage: 'training',
    doc: 'Shrinkage applied to every leaf output.',
  },
  {
    name: 'num_leaves',
    kind: 'int',
    default: 31,
    min: 2,
    max: 131072,
    aliases: ['num_leaf', 'max_leaves', 'max_leaf', 'max_leaf_nodes'],
    stage: 'training',
    doc: 'Maximum number of leaves in one tree (trees grow leaf-wise, best leaf first).',
  },
  {
    name: 'max_depth',
    kind: 'int',
    default: -1,
    aliases: [],
    stage: 'training',
    doc: 'Maximum depth of a leaf; <= 0 means no limit.',
  },
  {
    name: 'min_data_in_leaf',
    kind: 'int',
    default: 20,
    min: 0,
    aliases: ['min_data_per_leaf', 'min_data', 'min_child_samples', 'min_samples_leaf'],
    stage: 'training',
    doc: 'Minimal number of training rows in a leaf.',
  },
  {
    name: 'min_sum_hessian_in_leaf',
    kind: 'float',
    default: 1e-3,
    min: 0,
    aliases: ['min_sum_hessian_per_leaf', 'min_sum_hessian', 'min_hessian', 'min_child_weight'],
    stage: 'training',
    doc: 'Minimal sum of hessians in a leaf.',
  },
  {
    name: 'lambda_l1',
    kind: 'float',
    default: 0,
    min: 0,
    aliases: ['reg_alpha', 'l1_regularization'],
    stage: 'training',
    doc: 'L1 regularization of leaf outputs.',
  },
  {
    name: 'lambda_l2',
    kind: 'float',
    default: 0,
    min: 0,
    aliases: ['reg_lambda', 'lambda', 'l2_regularization'],
    stage: 'training',
    doc: 'L2 regularization of leaf outputs.',
  },
  {
    name: 'min_gain_to_split',
    kind: 'float',
    default: 0,
    min: 0,
    aliases: ['min_split_gain'],
    stage: 'training',
    doc: 'Minimal gain to perform a split.',
  },
  {
    name: 'feature_fraction',
    kind: 'float',
    default: 1,
    min: 0,
    max: 1,
    exclusiveMin: true,
    aliases: ['sub_feature', 'colsample_bytree'],
    stage: 'training',
    doc: 'Fraction of features drawn (seeded) for each tree.',
  },
  {
    name: 'bagging_fraction',
    kind: 'float',
    default: 1,
    min: 0,
    max: 1,
    exclusiveMin: true,
    aliases: ['sub_row', 'subsample', 'bagging'],
    stage: 'training',
    doc: 'Fraction of rows drawn (seeded, without replacement) every `bagging_freq` rounds.',
  },
  {
    name: 'bagging_freq',
    kind: 'int',
    default: 0,
    min: 0,
    aliases: ['subsample_freq'],
    stage: 'training',
    doc: 'Redraw the bag every k rounds; 0 disables bagging.',
  },
  {
    name: 'scale_pos_weight',
    kind: 'float',
    default: 1,
    min: 0,
    exclusiveMin: true,
    aliases: [],
    stage: 'training',
    doc: 'Weight of positive rows in the loss (for unbalanced data).',
  },
  {
    name: 'early_stopping_round',
    kind: 'int',
    default: 0,
    min: 0,
    aliases: ['early_stopping_rounds', 'early_stopping', 'n_iter_no_change'],
    stage: 'training',
    doc: 'Stop when the validation metric has not improved for this many rounds; 0 disables.',
  },
  {
    name: 'metric',
    kind: 'enum',
    default: 'binary_logloss',
    values: ['binary_logloss', 'auc'],
    aliases: ['metrics', 'metric_types'],
    stage: 'training',
    doc: 'Validation metric for early stopping and the per-round report.',
  },
  {
    name: 'boost_from_average',
    kind: 'bool',
    default: true,
    aliases: [],
    stage: 'training',
    doc: 'Start from the log-odds of the positive rate instead of 0.',
  },
  {
    name: 'seed',
    kind: 'int',
    default: 0,
    aliases: ['random_seed', 'random_state'],
    stage: 'training',
    doc: 'Seed of every random choice (feature and row sampling, bin sampling).',
  },
  {
    name: 'max_bin',
    kind: 'int',
    default: 255,
    min: 2,
    max: 65535,
    aliases: ['max_bins'],
    stage: 'dataset',
    doc: 'Maximum number of bins a feature is bucketed into (the missing-value bin included).',
  },
  {
    name: 'min_data_in_bin',
    kind: 'int',
    default: 3,
    min: 1,
    aliases: [],
    stage: 'dataset',
    doc: 'Minimal number of sampled rows in one bin.',
  },
  {
    name: 'bin_construct_sample_cnt',
    kind: 'int',
    default: 200000,
    min: 1,
    aliases: ['subsample_for_bin'],
    stage: 'dataset',
    doc: 'Number of rows sampled (seeded) to choose bin boundaries.',
  },
];

const byName = new Map<string, ParamSpec>();
for (const spec of gbdtParamTable) {
  byName.set(spec.name, spec);
  for (const alias of spec.aliases) byName.set(alias, spec);
}

export const defaultGbdtParams: GbdtParams = Object.fromEntries(
  gbdtParamTable.map((s) => [s.name, s.default]),
) as unknown as GbdtParams;

/**
 * Validates user parameters (LightGBM names or aliases) and fills in defaults. Every problem is
 * reported at once, each naming its parameter (`where` is `prefix + name`).
 */
export function resolveGbdtParams(input: Readonly<Record<string, unknown>> = {}, prefix = ''): GbdtParams {
  const out: Record<string, unknown> = { ...defaultGbdtParams };
  const problems: { where: string; message: string }[] = [];
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const spec = byName.get(key);
    const where = `${prefix}${key}`;
    if (!spec) {
      const known = [...byName.keys()];
      problems.push({ where, message: unknownName('GBDT parameter', key, known) });
      continue;
    }
    const earlier = seen.get(spec.name);
    if (earlier !== undefined) {
      problems.push({ where, message: `sets ${spec.name} again (already set as ${earlier})` });
      continue;
    }
    seen.set(spec.name, key);
    const problem = checkValue(spec, value);
    if (problem) problems.push({ where, message: problem });
    else out[spec.name] = value;
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return out as unknown as GbdtParams;
}

function checkValue(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.values!.includes(value)
        ? undefined
        : `must be one of ${spec.values!.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`;
    default: {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `must be a finite number, got ${JSON.stringify(value)}`;
      }
      if (spec.kind === 'int' && !Number.isInteger(value)) return `must be an integer, got ${value}`;
      if (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min)) {
        return `must be ${spec.exclusiveMin ? '>' : '>='} ${spec.min}, got ${value}`;
      }
      if (spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max)) {
        return `must be ${spec.exclusiveMax ? '<' : '<='} ${spec.max}, got ${value}`;
      }
      return undefined;
    }
  }
}
