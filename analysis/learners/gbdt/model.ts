/**
 * A trained GBDT model: the shared `TreeEnsemble` plus what training learned about itself, its
 * predictions on raw feature values, its importances, and its versioned JSON form. Float arrays
 * are stored as base64 of their IEEE-754 bytes so a loaded model predicts bit-identical margins.
 */
import { InvalidInputError } from '../../errors';
import type { FeatureMatrix } from '../../frame';
import { type GbdtMetric, type GbdtParams, resolveGbdtParams } from '../params';
import type { Tree, TreeEnsemble } from '../tree';

export interface GbdtModel extends TreeEnsemble {
  readonly kind: 'gbdt';
  readonly params: GbdtParams;
  /** Trees kept: the best round under early stopping, else every round trained. */
  readonly bestIteration: number;
  /** Validation metric after each round trained (empty without a validation set). */
  readonly evaluation: { readonly metric: GbdtMetric; readonly scores: readonly number[] };
}

export const gbdtFormat = 'line-rca/gbdt';
export const gbdtFormatVersion = 1;

/** Margins (log-odds) of every row of `features`, whose columns must be the model's features. */
export function predictMargin(model: TreeEnsemble, features: FeatureMatrix): Float64Array {
  checkFeatures(model, features);
  const n = features.rows;
  const out = new Float64Array(n).fill(model.baseMargin);
  const columns = features.columns;
  for (const tree of model.trees) {
    if (tree.numLeaves <= 1) {
      // A single-leaf tree has no nodes; its output is its only leaf.
      const v = tree.leafValue.length > 0 ? tree.leafValue[0] : 0;
      for (let i = 0; i < n; i++) out[i] += v;
      continue;
    }
    const { splitFeature, threshold, defaultLeft, leftChild, rightChild, leafValue } = tree;
    for (let i = 0; i < n; i++) {
      let node = 0;
      for (;;) {
        const v = columns[splitFeature[node]][i];
        const left = Number.isNaN(v) ? defaultLeft[node] === 1 : v <= threshold[node];
        node = left ? leftChild[node] : rightChild[node];
        if (node < 0) break;
      }
      out[i] += leafValue[~node];
    }
  }
  return out;
}

/** Probabilities of the positive class. */
export function predictProbability(model: TreeEnsemble, features: FeatureMatrix): Float64Array {
  const m = predictMargin(model, features);
  for (let i = 0; i < m.length; i++) m[i] = 1 / (1 + Math.exp(-m[i]));
  return m;
}

function checkFeatures(model: TreeEnsemble, features: FeatureMatrix): void {
  const expected = model.featureNames;
  if (features.columns.length !== expected.length) {
    throw new InvalidInputError({
      where: 'features',
      message: `the model uses ${expected.length} features, the data has ${features.columns.length}`,
    });
  }
  for (let j = 0; j < expected.length; j++) {
    if (features.names[j] !== expected[j]) {
      throw new InvalidInputError({
        where: `features[${j}]`,
        message: `expected feature ${JSON.stringify(expected[j])}, found ${JSON.stringify(features.names[j])}`,
      });
    }
  }
}

export interface FeatureImportance {
  readonly feature: string;
  /** Sum of split gains of the splits on this feature. */
  readonly gain: number;
  /** Number of splits on this feature. */
  readonly split: number;
}

/** LightGBM's `feature_importance` of both kinds, one entry per feature in model order. */
export function featureImportance(model: TreeEnsemble): FeatureImportance[] {
  const gain = new Float64Array(model.featureNames.length);
  const split = new Float64Array(model.featureNames.length);
  for (const tree of model.trees) {
    for (let k = 0; k < tree.numLeaves - 1; k++) {
      gain[tree.splitFeature[k]] += tree.splitGain[k];
      split[tree.splitFeature[k]] += 1;
    }
  }
  return model.featureNames.map((feature, j) => ({ feature, gain: gain[j], split: split[j] }));
}

// ---- versioned JSON -------------------------------------------------------------------------

export interface GbdtModelJson {
  readonly format: typeof gbdtFormat;
  readonly version: number;
  readonly featureNames: readonly string[];
  /** base64 of the float64 bytes (little-endian), to round-trip exactly. */
  readonly baseMargin: string;
  readonly params: GbdtParams;
  readonly bestIteration: number;
  readonly evaluation: { readonly metric: GbdtMetric; readonly scores: string };
  readonly trees: readonly TreeJson[];
}

interface TreeJson {
  readonly numLeaves: number;
  readonly splitFeature: number[];
  readonly defaultLeft: number[];
  readonly leftChild: number[];
  readonly rightChild: number[];
  readonly threshold: string;
  readonly splitGain: string;
  readonly leafValue: string;
  readonly leafCount: string;
  readonly internalCount: string;
  readonly internalValue: string;
}

export function gbdtModelToJson(model: GbdtModel): GbdtModelJson {
  return {
    format: gbdtFormat,
    version: gbdtFormatVersion,
    featureNames: [...model.featureNames],
    baseMargin: encodeFloat64(Float64Array.of(model.baseMargin)),
    params: { ...model.params },
    bestIteration: model.bestIteration,
    evaluation: {
      metric: model.evaluation.metric,
      scores: encodeFloat64(Float64Array.from(model.evaluation.scores)),
    },
    trees: model.trees.map((t) => ({
      numLeaves: t.numLeaves,
      splitFeature: Array.from(t.splitFeature),
      defaultLeft: Array.from(t.defaultLeft),
      leftChild: Array.from(t.leftChild),
      rightChild: Array.from(t.rightChild),
      threshold: encodeFloat64(t.threshold),
      splitGain: encodeFloat64(t.splitGain),
      leafValue: encodeFloat64(t.leafValue),
      leafCount: encodeFloat64(t.leafCount),
      internalCount: encodeFloat64(t.internalCount),
      internalValue: encodeFloat64(t.internalValue),
    })),
  };
}

/** Reads a model written by `gbdtModelToJson` (an object, or its JSON text). */
export function gbdtModelFromJson(input: unknown): GbdtModel {
  const json = (typeof input === 'string' ? JSON.parse(input) : input) as Partial<GbdtModelJson> | null;
  const fail = (message: string): never => {
    throw new InvalidInputError({ where: 'model', message });
  };
  if (json === null || typeof json !== 'object' || json.format !== gbdtFormat) {
    fail(`not a ${gbdtFormat} model (format is ${JSON.stringify(json?.format)})`);
  }
  const j = json as GbdtModelJson;
  if (j.version !== gbdtFormatVersion)
    fail(`unsupported ${gbdtFormat} version ${j.version}; this reader knows 1`);
  const nFeatures = j.featureNames.length;
  const trees: Tree[] = j.trees.map((t, k) => {
    const nodes = Math.max(0, t.numLeaves - 1);
    const tree: Tree = {
      numLeaves: t.numLeaves,
      splitFeature: Int32Array.from(t.splitFeature),
      defaultLeft: Uint8Array.from(t.defaultLeft),
      leftChild: Int32Array.from(t.leftChild),
      rightChild: Int32Array.from(t.rightChild),
      threshold: decodeFloat64(t.threshold),
      splitGain: decodeFloat64(t.splitGain),
      leafValue: decodeFloat64(t.leafValue),
      leafCount: decodeFloat64(t.leafCount),
      internalCount: decodeFloat64(t.internalCount),
      internalValue: decodeFloat64(t.internalValue),
    };
    const sizes = [tree.splitFeature, tree.threshold, tree.defaultLeft, tree.leftChild, tree.rightChild];
    if (sizes.some((a) => a.length !== nodes) || tree.leafValue.length !== Math.max(1, t.numLeaves)) {
      fail(`tree ${k}: array lengths do not match numLeaves ${t.numLeaves}`);
    }
    for (let i = 0; i < nodes; i++) {
      const f = tree.splitFeature[i];
      if (f < 0 || f >= nFeatures)
        fail(`tree ${k}: node ${i} splits on feature ${f}, outside 0..${nFeatures - 1}`);
      for (const c of [tree.leftChild[i], tree.rightChild[i]]) {
        if (c >= 0 ? c <= i || c >= nodes : ~c >= t.numLeaves)
          fail(`tree ${k}: node ${i} has a bad child ${c}`);
      }
    }
    return tree;
  });
  return {
    kind: 'gbdt',
    featureNames: [...j.featureNames],
    trees,
    baseMargin: decodeFloat64(j.baseMargin)[0],
    params: resolveGbdtParams(j.params as unknown as Record<string, unknown>, 'model.params.'),
    bestIteration: j.bestIteration,
    evaluation: { metric: j.evaluation.metric, scores: Array.from(decodeFloat64(j.evaluation.scores)) },
  };
}

// base64 without Node's Buffer, so the module runs in a browser too.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const lookup = new Uint8Array(128);
for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;

export function encodeFloat64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    parts.push(
      alphabet[a >> 2] +
        alphabet[((a & 3) << 4) | (b >> 4)] +
        (i + 1 < bytes.length ? alphabet[((b & 15) << 2) | (c >> 6)] : '=') +
        (i + 2 < bytes.length ? alphabet[c & 63] : '='),
    );
  }
  return parts.join('');
}

export function decodeFloat64(text: string): Float64Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new InvalidInputError({ where: 'model', message: 'a float array is not valid base64' });
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (lookup[text.charCodeAt(i)] << 18) |
      (lookup[text.charCodeAt(i + 1)] << 12) |
      (lookup[text.charCodeAt(i + 2)] << 6) |
      lookup[text.charCodeAt(i + 3)];
    if (o < bytes.length) bytes[o++] = (n >> 16) & 255;
    if (o < bytes.length) bytes[o++] = (n >> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  if (bytes.length % 8 !== 0)
    throw new InvalidInputError({ where: 'model', message: 'a float array has a bad length' });
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
