import { Worker } from 'node:worker_threads';
import { onnx } from 'onnx-proto';
import { InvalidInputError } from '../../analysis/errors';
import { type FeatureMatrix, featureMatrix } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { predictProbability } from '../../analysis/learners/gbdt/model';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { fitLogistic, logisticMargin, logisticProbability } from '../../analysis/learners/logistic/model';
import { learnerOf } from '../../analysis/learners/registry';
import { type Tree, type TreeEnsemble, treeLeaf } from '../../analysis/learners/tree';
import { float32AtOrBelow } from '../../analysis/onnx/float32';
import { treeEnsembleToOnnx } from '../../analysis/onnx/trees';
import { createRng, type Rng } from '../../analysis/random';
import logisticFixture from '../fixtures/logistic/logistic.json';
import { loadLightGbmFixture } from '../fixtures/shap/load';

/** Row-major float32 copy of a feature matrix, the tensor an ONNX consumer feeds. */
function toRowMajor(x: FeatureMatrix): Float32Array {
  const data = new Float32Array(x.rows * x.columns.length);
  for (let j = 0; j < x.columns.length; j++) {
    for (let i = 0; i < x.rows; i++) data[i * x.columns.length + j] = x.columns[j][i];
  }
  return data;
}

/**
 * Scores with onnxruntime-node in a worker thread: jest's sandbox has its own typed-array
 * classes, which onnxruntime's tensor checks reject, so the runtime runs outside it.
 */
const SCORER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
(async () => {
  const session = await ort.InferenceSession.create(workerData.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const features = new ort.Tensor('float32', workerData.data, workerData.dims);
  const out = await session.run({ features });
  const result = {};
  for (const [k, v] of Object.entries(out)) result[k] = { data: Array.from(v.data, Number), dims: v.dims };
  parentPort.postMessage(result);
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

type Scored = Record<string, { data: number[]; dims: number[] }>;

function score(bytes: Uint8Array, x: FeatureMatrix): Promise<Scored> {
  const worker = new Worker(SCORER, {
    eval: true,
    workerData: {
      ortPath: require.resolve('onnxruntime-node'),
      bytes,
      data: toRowMajor(x),
      dims: [x.rows, x.columns.length],
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: Scored | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(m.error as string));
      else resolve(m as Scored);
    });
    worker.once('error', reject);
  });
}

/** Feature values that are exact float32s (what an ONNX consumer can feed), NaN where missing. */
function float32Matrix(rng: Rng, rows: number, features: number, missing: number): FeatureMatrix {
  const columns = Array.from({ length: features }, (_, j) =>
    Float64Array.from({ length: rows }, () =>
      rng.next() < missing ? Number.NaN : Math.fround(rng.normal() * (1 + j) * 10 + j * 100),
    ),
  );
  return featureMatrix(
    columns.map((_, j) => `f${j}`),
    columns,
  );
}

/** A float64 threshold near a data value: the value itself, just off it, or between two float32s. */
function thresholdNear(rng: Rng, v: number): number {
  const u = rng.next();
  if (u < 0.3) return v; // ties: x == threshold goes left
  const up = float32Neighbour(v, 1);
  if (u < 0.6) return v + (up - v) * rng.next(); // strictly between two float32s
  return v + (rng.next() - 0.5) * 1e-6 * Math.abs(v);
}

function float32Neighbour(v: number, direction: 1 | -1): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer);
  u[0] += v >= 0 === (direction === 1) ? 1 : -1;
  return f[0];
}

/** A random leaf-wise tree over `x`: split a random leaf on a random feature at a data value. */
function randomTree(rng: Rng, x: FeatureMatrix, numLeaves: number, leafValue: (k: number) => number): Tree {
  const internal = numLeaves - 1;
  const splitFeature = new Int32Array(internal);
  const threshold = new Float64Array(internal);
  const defaultLeft = new Uint8Array(internal);
  const leftChild = new Int32Array(internal);
  const rightChild = new Int32Array(internal);
  // parentOf[k] = [node, isLeft] of leaf k; leaf 0 is the root before any split.
  const parentOf: [number, boolean][] = [[-1, true]];
  for (let node = 0; node < internal; node++) {
    const leaf = rng.int(node + 1);
    const [parent, isLeft] = parentOf[leaf];
    if (parent >= 0) {
      if (isLeft) leftChild[parent] = node;
      else rightChild[parent] = node;
    }
    const feature = rng.int(x.columns.length);
    let v = Number.NaN;
    while (Number.isNaN(v)) v = x.columns[feature][rng.int(x.rows)];
    splitFeature[node] = feature;
    threshold[node] = thresholdNear(rng, v);
    defaultLeft[node] = rng.next() < 0.5 ? 1 : 0;
    leftChild[node] = ~leaf;
    rightChild[node] = ~(node + 1);
    parentOf[leaf] = [node, true];
    parentOf[node + 1] = [node, false];
  }
  const leaves = Math.max(1, numLeaves);
  return {
    numLeaves,
    splitFeature,
    threshold,
    defaultLeft,
    leftChild,
    rightChild,
    splitGain: new Float64Array(internal),
    leafValue: Float64Array.from({ length: leaves }, (_, k) => leafValue(k)),
    leafCount: new Float64Array(leaves),
    internalCount: new Float64Array(internal),
    internalValue: new Float64Array(internal),
  };
}

/** Our reference prediction: baseMargin + Σ leaf values, with `treeLeaf` from tree.ts. */
function referenceMargin(ensemble: TreeEnsemble, x: FeatureMatrix): Float64Array {
  const margin = new Float64Array(x.rows).fill(ensemble.baseMargin);
  for (let i = 0; i < x.rows; i++) {
    const row = (j: number) => x.columns[j][i];
    for (const tree of ensemble.trees) margin[i] += tree.leafValue[treeLeaf(tree, row)];
  }
  return margin;
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

describe('float32AtOrBelow', () => {
  test('largest float32 not above t', () => {
    const rng = createRng(3);
    const wrong: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const t = (rng.normal() * 10 ** rng.int(12)) / 10 ** rng.int(12);
      const r = float32AtOrBelow(t);
      if (Math.fround(r) !== r || r > t || float32Neighbour(r, 1) <= t) wrong.push(t);
    }
    expect(wrong).toEqual([]);
    expect(float32AtOrBelow(1e39)).toBe(3.4028234663852886e38);
    expect(float32AtOrBelow(-1e39)).toBe(Number.NEGATIVE_INFINITY);
    expect(float32AtOrBelow(-1e-50)).toBe(-(2 ** -149));
    expect(float32AtOrBelow(0.5)).toBe(0.5);
  });
});

describe('tree ensemble to ONNX, scored by onnxruntime', () => {
  test('every decision is ours on float32 inputs, NaN included (integer leaves: exact sums)', async () => {
    const rng = createRng(11);
    const x = float32Matrix(rng, 3000, 8, 0.1);
    const trees = Array.from({ length: 60 }, () => randomTree(rng, x, 2 + rng.int(30), (k) => k + 1));
    trees.push(randomTree(rng, x, 1, () => 5)); // a single-leaf tree
    const ensemble: TreeEnsemble = { featureNames: x.names, trees, baseMargin: -3 };
    const out = await score(treeEnsembleToOnnx(ensemble), x);
    const expected = referenceMargin(ensemble, x);
    // Any different leaf changes the integer sum by at least 1.
    expect(Array.from(out.margin.data)).toEqual(Array.from(expected));
  });

  test('a threshold between two float32s: rounding to nearest would send x the wrong way', async () => {
    const a = Math.fround(1.1);
    const b = float32Neighbour(a, 1);
    const t = a + (b - a) * 0.9; // nearest float32 is b, but b > t so b must go right
    expect(Math.fround(t)).toBe(b);
    const tree = randomTree(createRng(1), featureMatrix(['v'], [Float64Array.from([a])]), 2, (k) =>
      k === 0 ? -1 : 1,
    );
    tree.threshold[0] = t;
    const ensemble: TreeEnsemble = { featureNames: ['v'], trees: [tree], baseMargin: 0 };
    const x = featureMatrix(['v'], [Float64Array.from([a, b, Number.NaN])]);
    const out = await score(treeEnsembleToOnnx(ensemble), x);
    expect(Array.from(out.margin.data)).toEqual(Array.from(referenceMargin(ensemble, x)));
    expect(Array.from(out.margin.data).slice(0, 2)).toEqual([-1, 1]);
  });

  test('probabilities match ours to 1e-5 on a GBDT-sized ensemble', async () => {
    const rng = createRng(29);
    const x = float32Matrix(rng, 2000, 20, 0.15);
    const trees = Array.from({ length: 200 }, () => randomTree(rng, x, 31, () => rng.normal() * 0.05));
    const ensemble: TreeEnsemble = { featureNames: x.names, trees, baseMargin: -1.7 };
    const out = await score(treeEnsembleToOnnx(ensemble), x);
    const margin = referenceMargin(ensemble, x);
    const p = out.probability.data;
    const m = out.margin.data;
    let maxP = 0;
    let maxM = 0;
    for (let i = 0; i < x.rows; i++) {
      maxP = Math.max(maxP, Math.abs(p[i] - sigmoid(margin[i])));
      maxM = Math.max(maxM, Math.abs(m[i] - margin[i]));
    }
    if (process.env.ONNX_REPORT) console.log('trees', { maxP, maxM });
    expect(maxP).toBeLessThan(1e-5);
    expect(maxM).toBeLessThan(1e-4);
    expect(out.probability.dims).toEqual([x.rows, 1]);
  });

  test('a GBDT trained by our learner on data with NaN: onnxruntime matches predictProbability to 1e-5', async () => {
    const c = (
      logisticFixture.cases as {
        name: string;
        names: string[];
        columns: (number | null)[][];
        labels: number[];
      }[]
    )[1];
    const columns = c.columns.map((col) =>
      Float64Array.from(col, (v) => (v === null ? Number.NaN : Math.fround(v))),
    );
    const x = featureMatrix(c.names, columns);
    const model = trainGbdt(binDataset(x), Uint8Array.from(c.labels), {
      params: { num_iterations: 60, num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: 5 },
    });
    const out = await score(learnerOf(model.kind).toOnnx(model), x);
    const ours = predictProbability(model, x);
    let maxP = 0;
    for (let i = 0; i < x.rows; i++) maxP = Math.max(maxP, Math.abs(out.probability.data[i] - ours[i]));
    if (process.env.ONNX_REPORT) console.log('gbdt', { maxP });
    expect(maxP).toBeLessThan(1e-5);
  });

  test.each(['ai4i', 'synthetic'] as const)(
    'a LightGBM model (%s, via the text loader): onnxruntime matches LightGBM’s own predictions to 1e-5',
    async (name) => {
      const fixture = loadLightGbmFixture(name);
      const lgbm = parseLightGbmModel(fixture.modelText);
      expect(lgbm.sigmoid).toBe(1);
      const out = await score(treeEnsembleToOnnx(lgbm.ensemble), fixture.matrix);
      // The oracle is LightGBM's raw score on float64 inputs; onnxruntime sees them as float32.
      let maxP = 0;
      for (let i = 0; i < fixture.rows; i++) {
        maxP = Math.max(maxP, Math.abs(out.probability.data[i] - sigmoid(fixture.margin[i])));
      }
      if (process.env.ONNX_REPORT) console.log('lightgbm', name, { maxP, trees: lgbm.ensemble.trees.length });
      expect(maxP).toBeLessThan(1e-5);
    },
  );

  test('the model declares its input, feature names and opsets', () => {
    const ensemble: TreeEnsemble = {
      featureNames: ['a', 'b c'],
      trees: [randomTree(createRng(2), float32Matrix(createRng(2), 20, 2, 0), 3, () => 0.5)],
      baseMargin: 0,
    };
    const proto = onnx.ModelProto.decode(treeEnsembleToOnnx(ensemble));
    expect(proto.graph?.input?.[0].name).toBe('features');
    const dims = proto.graph?.input?.[0].type?.tensorType?.shape?.dim?.map(
      (d) => d.dimParam || Number(d.dimValue),
    );
    expect(dims).toEqual(['N', 2]);
    expect(JSON.parse(proto.metadataProps.find((p) => p.key === 'feature_names')?.value ?? 'null')).toEqual([
      'a',
      'b c',
    ]);
    expect(proto.opsetImport.map((o) => `${o.domain}:${o.version}`)).toEqual([':13', 'ai.onnx.ml:3']);
    expect(proto.graph?.output?.map((o) => o.name)).toEqual(['margin', 'probability']);
  });

  test('an ensemble without trees predicts its base margin', async () => {
    const x = featureMatrix(['a'], [Float64Array.from([1, Number.NaN])]);
    const out = await score(treeEnsembleToOnnx({ featureNames: ['a'], trees: [], baseMargin: 0.75 }), x);
    expect(out.margin.data).toEqual([0.75, 0.75]);
    expect(Math.abs(out.probability.data[1] - sigmoid(0.75))).toBeLessThan(1e-7);
  });

  test('malformed trees are refused', () => {
    const rng = createRng(5);
    const x = float32Matrix(rng, 50, 3, 0);
    const tree = randomTree(rng, x, 4, () => 0.1);
    tree.splitFeature[1] = 7;
    expect(() => treeEnsembleToOnnx({ featureNames: x.names, trees: [tree], baseMargin: 0 })).toThrow(
      InvalidInputError,
    );
    expect(() => treeEnsembleToOnnx({ featureNames: x.names, trees: [], baseMargin: Number.NaN })).toThrow(
      /baseMargin/,
    );
  });
});

describe('logistic model to ONNX, scored by onnxruntime', () => {
  type Case = { name: string; names: string[]; columns: (number | null)[][]; labels: number[] };
  const cases = logisticFixture.cases as Case[];

  test.each([
    ['synthetic-missing', { penalty: 'l2', C: 1 }],
    ['synthetic-missing', { penalty: 'l1', C: 0.3, class_weight: 'balanced' }],
    ['ai4i2020', { penalty: 'l2', C: 10 }],
  ] as const)('%s %j: probabilities match ours to 1e-5, NaN rows included', async (name, params) => {
    const c = cases.find((k) => k.name === name)!;
    // float32 inputs: what the ONNX model receives is exactly what our model scores.
    const columns = c.columns.map((col) =>
      Float64Array.from(col, (v) => (v === null ? Number.NaN : Math.fround(v))),
    );
    const x = featureMatrix(c.names, columns);
    const model = fitLogistic(x, Uint8Array.from(c.labels), params);
    const out = await score(learnerOf(model.kind).toOnnx(model), x);
    const ours = logisticProbability(model, x);
    const margin = logisticMargin(model, x);
    const p = out.probability.data;
    const both = out.probabilities.data;
    const label = out.label.data;
    let maxDiff = 0;
    let maxDiffClass0 = 0;
    let maxDiffNanRows = 0;
    let nanRows = 0;
    let labelMismatches = 0;
    for (let i = 0; i < x.rows; i++) {
      const d = Math.abs(p[i] - ours[i]);
      maxDiff = Math.max(maxDiff, d);
      maxDiffClass0 = Math.max(maxDiffClass0, Math.abs(both[2 * i] - (1 - ours[i])));
      if (Math.abs(margin[i]) > 1e-4 && label[i] !== (margin[i] > 0 ? 1 : 0)) labelMismatches++;
      if (columns.some((col) => Number.isNaN(col[i]))) {
        nanRows++;
        maxDiffNanRows = Math.max(maxDiffNanRows, d);
      }
    }
    expect(maxDiff).toBeLessThan(1e-5);
    expect(maxDiffClass0).toBeLessThan(1e-5);
    expect(labelMismatches).toBe(0);
    if (name === 'synthetic-missing') {
      expect(nanRows).toBeGreaterThan(100);
      expect(maxDiffNanRows).toBeLessThan(1e-5);
    }
    if (process.env.ONNX_REPORT) console.log(name, JSON.stringify(params), { maxDiff, maxDiffNanRows });
  });
});
