/**
 * Reads LightGBM's text model format (`model.txt`, `Booster.model_to_string()`) into our
 * `TreeEnsemble`, so a model trained by LightGBM is scored and explained by the same code as
 * ours, and our TreeSHAP can be checked against LightGBM's `pred_contrib`.
 *
 * Supported: one output per iteration (binary, regression…), numerical splits with missing type
 * None or NaN. Rejected with a clear error: multiclass, categorical splits, zero-as-missing,
 * linear trees, random-forest mode (averaged output).
 *
 * Missing values follow LightGBM's `NumericalDecision`: with missing type NaN a NaN goes to the
 * `default_left` side; with missing type None a NaN is read as 0 and compared with the
 * threshold, which we resolve once here (`defaultLeft = 0 <= threshold`). Both give the same
 * leaf as LightGBM for every input, so `Tree`'s one rule (NaN follows `defaultLeft`) suffices.
 */
import { InvalidInputError } from '../errors';
import type { Tree, TreeEnsemble } from './tree';

export interface LightGbmModel {
  readonly ensemble: TreeEnsemble;
  /** LightGBM's objective line, e.g. `binary sigmoid:1`. */
  readonly objective: string;
  /** Slope of the logistic link for `binary` (probability = 1 / (1 + exp(-sigmoid * margin))); 1 otherwise. */
  readonly sigmoid: number;
}

// decision_type bits, as LightGBM packs them.
const CATEGORICAL_MASK = 1;
const DEFAULT_LEFT_MASK = 2;
const MISSING_NONE = 0;
const MISSING_ZERO = 1;
const MISSING_NAN = 2;

const WHERE = 'LightGBM model text';

function fail(where: string, message: string): never {
  throw new InvalidInputError({ where: where ? `${WHERE}, ${where}` : WHERE, message });
}

/** Parses `model.txt` content. Throws `InvalidInputError` naming the tree and field at fault. */
export function parseLightGbmModel(text: string): LightGbmModel {
  const lines = text.split(/\r?\n/);
  let i = 0;
  const header = new Map<string, string>();
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('Tree=') || line === 'end of trees') break;
    const eq = line.indexOf('=');
    if (eq > 0) header.set(line.slice(0, eq), line.slice(eq + 1));
    else if (line.trim() !== '' && line.trim() !== 'tree') header.set(line.trim(), '');
  }
  if (!header.has('max_feature_idx')) {
    fail(
      '',
      'not a LightGBM text model (no max_feature_idx line); save it with booster.save_model() or model_to_string()',
    );
  }
  const perIteration = Number(header.get('num_tree_per_iteration') ?? '1');
  if (perIteration !== 1) {
    fail(
      'num_tree_per_iteration',
      `${perIteration} trees per iteration (multiclass) are not supported; train a binary model`,
    );
  }
  if (header.has('average_output')) {
    fail('average_output', 'random-forest models (boosting=rf, averaged output) are not supported');
  }
  const featureCount = Number(header.get('max_feature_idx')) + 1;
  const featureNames = (header.get('feature_names') ?? '').split(' ').filter((s) => s !== '');
  if (featureNames.length !== featureCount) {
    fail('feature_names', `${featureNames.length} names for ${featureCount} features (max_feature_idx + 1)`);
  }
  const objective = header.get('objective') ?? '';
  const sigmoidMatch = /(?:^|\s)sigmoid:([^\s]+)/.exec(objective);
  const sigmoid = sigmoidMatch ? Number(sigmoidMatch[1]) : 1;

  const trees: Tree[] = [];
  while (i < lines.length && lines[i].startsWith('Tree=')) {
    const label = lines[i];
    const fields = new Map<string, string>();
    for (i++; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith('Tree=') || line === 'end of trees') break;
      const eq = line.indexOf('=');
      if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
    }
    trees.push(parseTree(label, fields, featureCount));
  }
  if (trees.length === 0) fail('', 'the model has no trees');
  return { ensemble: { featureNames, trees, baseMargin: 0 }, objective, sigmoid };
}

/** A number as LightGBM prints it (`%.17g`, and `inf`/`-inf`/`nan` from C++ streams). */
function readNumber(text: string): number {
  if (text === 'inf' || text === '+inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  if (text === 'nan' || text === '-nan') return Number.NaN;
  return text === '' ? Number.NaN : Number(text);
}

function parseTree(label: string, fields: Map<string, string>, featureCount: number): Tree {
  const numLeaves = Number(fields.get('num_leaves'));
  if (!Number.isInteger(numLeaves) || numLeaves < 1) fail(label, `num_leaves must be a positive integer`);
  if (Number(fields.get('num_cat') ?? '0') > 0) {
    fail(label, 'categorical splits are not supported; encode categories as numbers before training');
  }
  if (fields.get('is_linear') === '1') fail(label, 'linear trees (linear_tree=true) are not supported');
  const internal = numLeaves - 1;
  const numbers = (key: string, length: number, required = true): Float64Array => {
    const raw = fields.get(key);
    if (raw === undefined || raw.trim() === '') {
      if (length === 0 || !required) return new Float64Array(length);
      return fail(label, `missing ${key}`);
    }
    const parts = raw.trim().split(' ');
    if (parts.length !== length) fail(label, `${key} has ${parts.length} values, expected ${length}`);
    const out = new Float64Array(length);
    for (let k = 0; k < length; k++) {
      const v = readNumber(parts[k]);
      if (Number.isNaN(v) && parts[k] !== 'nan')
        fail(label, `${key}[${k}] is not a number: ${JSON.stringify(parts[k])}`);
      out[k] = v;
    }
    return out;
  };

  const leafValue = numbers('leaf_value', numLeaves);
  // LightGBM writes leaf_count for every tree; tolerate its absence on a single leaf (no split to weigh).
  const leafCount = numbers('leaf_count', numLeaves, internal > 0);
  const splitFeatureRaw = numbers('split_feature', internal);
  const threshold = numbers('threshold', internal);
  const decisionType = numbers('decision_type', internal);
  const leftRaw = numbers('left_child', internal);
  const rightRaw = numbers('right_child', internal);
  const splitGain = numbers('split_gain', internal, false);
  const internalValue = numbers('internal_value', internal, false);
  const internalCount = numbers('internal_count', internal);

  const splitFeature = new Int32Array(internal);
  const defaultLeft = new Uint8Array(internal);
  const leftChild = new Int32Array(internal);
  const rightChild = new Int32Array(internal);
  for (let n = 0; n < internal; n++) {
    const f = splitFeatureRaw[n];
    if (!Number.isInteger(f) || f < 0 || f >= featureCount)
      fail(label, `split_feature[${n}] = ${f} is not a feature index`);
    splitFeature[n] = f;
    const d = decisionType[n];
    if (d & CATEGORICAL_MASK) fail(label, `node ${n} is a categorical split; encode categories as numbers`);
    const missingType = (d >> 2) & 3;
    if (missingType === MISSING_ZERO) {
      fail(
        label,
        `node ${n} treats zero as missing (zero_as_missing=true); retrain with zero_as_missing=false`,
      );
    } else if (missingType === MISSING_NAN) {
      defaultLeft[n] = d & DEFAULT_LEFT_MASK ? 1 : 0;
    } else if (missingType === MISSING_NONE) {
      // LightGBM reads NaN as 0 here, so NaN takes the side 0 takes.
      defaultLeft[n] = 0 <= threshold[n] ? 1 : 0;
    } else {
      fail(label, `node ${n} has an unknown missing type in decision_type ${d}`);
    }
    for (const [name, raw, out] of [
      ['left_child', leftRaw, leftChild],
      ['right_child', rightRaw, rightChild],
    ] as const) {
      const c = raw[n];
      if (!Number.isInteger(c) || c >= internal || c < -numLeaves || c === 0) {
        fail(label, `${name}[${n}] = ${c} is not a node or leaf of this tree`);
      }
      out[n] = c;
    }
  }
  return {
    numLeaves,
    splitFeature,
    threshold,
    defaultLeft,
    leftChild,
    rightChild,
    splitGain,
    leafValue,
    leafCount,
    internalCount,
    internalValue,
  };
}
