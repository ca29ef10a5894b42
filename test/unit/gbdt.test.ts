import { InvalidInputError } from '../../analysis/errors';
import { featureMatrix } from '../../analysis/frame';
import { binDataset, binOf } from '../../analysis/learners/gbdt/binning';
import { aucOfMargins, loglossOfMargins } from '../../analysis/learners/gbdt/evaluation';
import {
  featureImportance,
  gbdtModelFromJson,
  gbdtModelToJson,
  predictMargin,
  predictProbability,
} from '../../analysis/learners/gbdt/model';
import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import { resolveGbdtParams } from '../../analysis/learners/params';
import { createRng } from '../../analysis/random';
import ai4i from '../fixtures/gbdt/ai4i.json';
import { rowsOf, validationAuc } from '../fixtures/gbdt/split';

type ParamSets = Record<string, Record<string, number | string>>;
type Reference = Record<string, { auc: number; trees: number }>;

describe('GBDT against LightGBM (validation AUC within 0.01)', () => {
  const features = featureMatrix(
    ai4i.names,
    ai4i.columns.map((c) => Float64Array.from(c)),
  );
  const labels = Uint8Array.from(ai4i.labels);

  it.each(Object.keys(ai4i.params))('ai4i2020, %s parameters', (name) => {
    const params = (ai4i.params as ParamSets)[name];
    const { model, auc } = validationAuc(features, labels, ai4i.split, params);
    const reference = (ai4i.reference as Reference)[name];
    expect(Math.abs(auc - reference.auc)).toBeLessThanOrEqual(0.01);
    if (params.early_stopping_round) {
      // Early stopping keeps the best round: its score is the best seen.
      const best = Math.max(...model.evaluation.scores);
      expect(model.evaluation.scores[model.bestIteration - 1]).toBe(best);
      expect(model.trees.length).toBe(model.bestIteration);
      expect(model.evaluation.scores.length).toBe(model.bestIteration + 20);
    }
  });
});

describe('trees in the shared representation', () => {
  const { features, labels } = syntheticClassification(3000, 12, 11);
  const binned = binDataset(features);
  const model = trainGbdt(binned, labels, { params: { num_iterations: 10, num_leaves: 15 } });

  it('counts the training rows that reach every leaf and node, through raw thresholds', () => {
    for (const tree of model.trees) {
      const reached = new Float64Array(tree.numLeaves);
      for (let i = 0; i < features.rows; i++) {
        let node = 0;
        while (node >= 0) {
          const v = features.columns[tree.splitFeature[node]][i];
          const left = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node];
          node = left ? tree.leftChild[node] : tree.rightChild[node];
        }
        reached[~node]++;
      }
      expect(Array.from(reached)).toEqual(Array.from(tree.leafCount));
      expect(tree.internalCount[0]).toBe(features.rows);
      // The root's value is the row-weighted mean of all leaf outputs.
      let sum = 0;
      for (let l = 0; l < tree.numLeaves; l++) sum += tree.leafCount[l] * tree.leafValue[l];
      expect(tree.internalValue[0]).toBeCloseTo(sum / features.rows, 12);
    }
  });

  it('starts from the log-odds of the positive rate (boost_from_average)', () => {
    let positives = 0;
    for (const y of labels) positives += y;
    expect(model.baseMargin).toBeCloseTo(Math.log(positives / (labels.length - positives)), 12);
  });

  it('reports feature importance by split count and gain', () => {
    const importance = featureImportance(model);
    const splits = importance.reduce((s, x) => s + x.split, 0);
    expect(splits).toBe(model.trees.reduce((s, t) => s + t.numLeaves - 1, 0));
    // Feature f0 drives the label most; pure-noise features f11 and f9 gain much less.
    const gain = Object.fromEntries(importance.map((x) => [x.feature, x.gain]));
    expect(gain.f0).toBeGreaterThan(gain.f11 * 3);
  });

  it('round-trips through versioned JSON with bit-identical margins', () => {
    const json = JSON.stringify(gbdtModelToJson(model));
    expect(JSON.parse(json).format).toBe('line-rca/gbdt');
    expect(JSON.parse(json).version).toBe(1);
    const loaded = gbdtModelFromJson(json);
    const a = predictMargin(model, features);
    const b = predictMargin(loaded, features);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const p = predictProbability(loaded, features);
    expect(p[0]).toBe(1 / (1 + Math.exp(-a[0])));
    expect(loaded.trees[0].threshold).toEqual(model.trees[0].threshold);
    expect(() => gbdtModelFromJson({ format: 'line-rca/gbdt', version: 2 })).toThrow(/version 2/);
  });

  it('is deterministic by seed, with row and feature sampling', () => {
    const params = {
      num_iterations: 5,
      bagging_fraction: 0.7,
      bagging_freq: 1,
      feature_fraction: 0.5,
      seed: 9,
    };
    const a = gbdtModelToJson(trainGbdt(binned, labels, { params }));
    const b = gbdtModelToJson(trainGbdt(binned, labels, { params }));
    const c = gbdtModelToJson(trainGbdt(binned, labels, { params: { ...params, seed: 10 } }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('grows the same trees whichever histogram kernel a feature falls to', () => {
    // Constant columns are never split on but shift every later feature to another position of
    // the eight-feature groups, so the same features go through other kernels (row-major group,
    // a group with unsampled members, loose columns, two-byte bins).
    const data = syntheticClassification(6000, 21, 4);
    const constant = new Float64Array(6000).fill(1);
    const at = [0, 0, 0, 9, 17];
    const names = [...data.features.names];
    const columns = [...data.features.columns];
    for (const [k, j] of at.entries()) {
      names.splice(j, 0, `constant${k}`);
      columns.splice(j, 0, constant);
    }
    const shifted = featureMatrix(names, columns);
    for (const params of [
      { num_iterations: 8, seed: 2 },
      { num_iterations: 8, feature_fraction: 0.6, bagging_fraction: 0.8, bagging_freq: 1, seed: 3 },
      { num_iterations: 4, max_bin: 600, seed: 4 },
    ]) {
      const a = trainGbdt(binDataset(data.features, { params }), data.labels, { params });
      const b = trainGbdt(binDataset(shifted, { params }), data.labels, { params });
      expect(b.trees.length).toBe(a.trees.length);
      const nameOf = (m: typeof a, t: number) =>
        Array.from(m.trees[t].splitFeature, (f) => m.featureNames[f]);
      for (let t = 0; t < a.trees.length; t++) {
        expect(nameOf(b, t)).toEqual(nameOf(a, t));
        expect(b.trees[t].threshold).toEqual(a.trees[t].threshold);
        expect(b.trees[t].leafValue).toEqual(a.trees[t].leafValue);
      }
    }
  });

  it('trains on a row subset (an inner split) without re-binning', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => i);
    const subset = trainGbdt(binned, labels, { rows, params: { num_iterations: 3 } });
    expect(subset.trees[0].internalCount[0]).toBe(2000);
    const sliced = trainGbdt(binned, labels, { rows: Uint32Array.from(rows), params: { num_iterations: 3 } });
    expect(gbdtModelToJson(sliced)).toEqual(gbdtModelToJson(subset));
  });
});

describe('missing values', () => {
  it('learns where NaN goes at each split', () => {
    // Positives are missing or low: the best split sends NaN with the low values (left).
    const rng = createRng(5);
    const n = 4000;
    const x = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.next() < 0.3 ? 1 : 0;
      x[i] = y[i] === 1 ? (rng.next() < 0.5 ? Number.NaN : rng.normal() - 2) : rng.normal() + 1;
    }
    const features = featureMatrix(['x'], [x]);
    const data = binDataset(features);
    expect(data.missingBin[0]).toBe(data.numBins[0] - 1);
    const model = trainGbdt(data, y, { params: { num_iterations: 20, num_leaves: 2 } });
    expect(model.trees[0].defaultLeft[0]).toBe(1);
    const margins = predictMargin(model, featureMatrix(['x'], [Float64Array.of(Number.NaN, -2, 1)]));
    expect(margins[0]).toBeGreaterThan(margins[2] + 2);
    expect(margins[1]).toBeGreaterThan(margins[2] + 2);
  });

  it('sends NaN to the side that gains most, even alone', () => {
    // NaN marks positives; the values carry no signal: NaN must end up apart from every value.
    const rng = createRng(6);
    const n = 4000;
    const x = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.next() < 0.3 ? 1 : 0;
      x[i] = y[i] === 1 && rng.next() < 0.7 ? Number.NaN : rng.normal();
    }
    const model = trainGbdt(binDataset(featureMatrix(['x'], [x])), y, {
      params: { num_iterations: 10, num_leaves: 2 },
    });
    const margins = predictMargin(model, featureMatrix(['x'], [Float64Array.of(Number.NaN, -3, 0, 3)]));
    for (let k = 1; k < 4; k++) expect(margins[0]).toBeGreaterThan(margins[k] + 2);
  });
});

describe('binning', () => {
  it('gives every distinct value its own bin when there are few, bounds between neighbours', () => {
    const x = Float64Array.from([3, 1, 2, 2, 3, 1, 1, 2, 3, Number.NaN, 3, 1]);
    const data = binDataset(featureMatrix(['x'], [x]), { params: { min_data_in_bin: 1 } });
    expect(Array.from(data.upperBounds[0])).toEqual([1.5, 2.5, Number.POSITIVE_INFINITY]);
    expect(data.numBins[0]).toBe(4);
    expect(Array.from(data.bins[0])).toEqual([2, 0, 1, 1, 2, 0, 0, 1, 2, 3, 2, 0]);
  });

  it('keeps at most max_bin bins, each value in the bin its bounds say', () => {
    const rng = createRng(1);
    const x = new Float64Array(20000);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    for (const maxBin of [16, 255]) {
      const data = binDataset(featureMatrix(['x'], [x]), { params: { max_bin: maxBin } });
      const bounds = data.upperBounds[0];
      expect(data.numBins[0]).toBeLessThanOrEqual(maxBin);
      expect(data.numBins[0]).toBeGreaterThan(maxBin * 0.9);
      for (let i = 0; i < x.length; i += 97) {
        const b = data.bins[0][i];
        expect(x[i] <= bounds[b]).toBe(true);
        if (b > 0) expect(x[i] > bounds[b - 1]).toBe(true);
        expect(binOf(bounds, x[i], -1)).toBe(b);
      }
      // Quantile bins: counts roughly equal.
      const counts = new Array(data.numBins[0]).fill(0);
      for (const b of data.bins[0]) counts[b]++;
      expect(Math.max(...counts)).toBeLessThan((3 * x.length) / data.numBins[0]);
    }
  });

  it('bins every row as binOf does, values outside the sample and infinities included', () => {
    const rng = createRng(3);
    const n = 30000;
    const kinds: [string, (i: number) => number][] = [
      ['heavy tail', () => Math.exp(3 * rng.normal())],
      ['huge range', () => (rng.next() < 0.01 ? (rng.next() < 0.5 ? -1e300 : 1e300) : rng.normal())],
      ['infinities and zeros', (i) => [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -0, 0][i % 4]],
      ['ties', () => Math.round(rng.normal() * 4) / 4],
      ['with NaN', () => (rng.next() < 0.2 ? Number.NaN : rng.next() ** 4)],
      ['two values', (i) => (i % 3 === 0 ? 1 : 2)],
      ['constant', () => 5],
    ];
    const columns = kinds.map(([, f]) => Float64Array.from({ length: n }, (_, i) => f(i)));
    for (const maxBin of [255, 1000]) {
      // A small sample: most rows hold values the bounds were not chosen from.
      const data = binDataset(
        featureMatrix(
          kinds.map(([name]) => name),
          columns,
        ),
        { params: { max_bin: maxBin, bin_construct_sample_cnt: 2000 } },
      );
      columns.forEach((x, j) => {
        const bounds = data.upperBounds[j];
        const bins = data.bins[j];
        let wrong = 0;
        for (let i = 0; i < n; i++) if (bins[i] !== binOf(bounds, x[i], data.missingBin[j])) wrong++;
        expect({ feature: kinds[j][0], maxBin, wrong }).toEqual({ feature: kinds[j][0], maxBin, wrong: 0 });
      });
    }
  });
});

describe('evaluation', () => {
  it('AUC counts ties as one half, log loss is the mean negative log-likelihood', () => {
    const m = Float64Array.of(0.1, 0.4, 0.4, 0.8);
    const y = [0, 0, 1, 1];
    // Pairs (pos, neg): (0.4,0.1)=1 (0.4,0.4)=0.5 (0.8,0.1)=1 (0.8,0.4)=1 → 3.5/4.
    expect(aucOfMargins(m, y)).toBeCloseTo(0.875, 15);
    const expected =
      -(
        Math.log(1 - 1 / (1 + Math.exp(-0.1))) +
        Math.log(1 - 1 / (1 + Math.exp(-0.4))) +
        Math.log(1 / (1 + Math.exp(-0.4))) +
        Math.log(1 / (1 + Math.exp(-0.8)))
      ) / 4;
    expect(loglossOfMargins(m, y)).toBeCloseTo(expected, 12);
  });
});

describe('per-round callback', () => {
  const { features, labels } = syntheticClassification(2000, 8, 3);
  const binned = binDataset(rowsOf(features, 0, 1600));
  const validation = { features: rowsOf(features, 1600, 2000), labels: labels.subarray(1600) };

  it('reports the validation score each round and stops when told', () => {
    const seen: number[] = [];
    const model = trainGbdt(binned, labels.subarray(0, 1600), {
      params: { num_iterations: 50, metric: 'auc' },
      validation,
      onIteration: (r) => {
        seen.push(r.score);
        return r.iteration < 7;
      },
    });
    expect(seen.length).toBe(7);
    expect(model.trees.length).toBe(7);
    expect(seen[6]).toBeCloseTo(
      aucOfMargins(predictMargin(model, validation.features), validation.labels),
      12,
    );
  });
});

describe('bad input', () => {
  const features = featureMatrix(['a', 'b'], [Float64Array.of(1, 2, 3, 4), Float64Array.of(4, 3, 2, 1)]);
  const binned = binDataset(features);
  const fails = (fn: () => unknown, pattern: RegExp) => {
    expect(fn).toThrow(InvalidInputError);
    expect(fn).toThrow(pattern);
  };

  it('names the problem', () => {
    fails(() => trainGbdt(binned, [1, 1, 1, 1]), /single class/);
    fails(() => trainGbdt(binned, [0, 1, 1]), /3 labels for 4 rows/);
    fails(() => trainGbdt(binned, [0, 1, Number.NaN, 1]), /labels\[2\]: label is NaN/);
    fails(() => trainGbdt(binned, [0, 1, Number.POSITIVE_INFINITY, 1]), /infinite/);
    fails(() => trainGbdt(binned, [0, 1, 2, 1]), /label is 2; labels must be 0 or 1/);
    fails(() => trainGbdt(binned, [0, 1, 0, 1], { rows: [] }), /no rows/);
    fails(() => trainGbdt(binned, [0, 1, 0, 1], { rows: [0, 9] }), /rows\[1\]: row 9/);
    fails(() => binDataset(featureMatrix(['a'], [new Float64Array(0)])), /no rows/);
    fails(
      () => trainGbdt(binned, [0, 1, 0, 1], { params: { num_leafs: 3 } }),
      /num_leafs.*did you mean "num_leaf"/,
    );
    fails(
      () => trainGbdt(binned, [0, 1, 0, 1], { params: { learning_rate: 0 } }),
      /params.learning_rate: must be > 0/,
    );
    fails(
      () => predictMargin(trainGbdt(binned, [0, 1, 0, 1]), featureMatrix(['a'], [Float64Array.of(1)])),
      /uses 2 features/,
    );
  });

  it('resolves aliases to LightGBM names, once each', () => {
    const p = resolveGbdtParams({ n_estimators: 7, eta: 0.3, subsample: 0.5, colsample_bytree: 0.4 });
    expect([p.num_iterations, p.learning_rate, p.bagging_fraction, p.feature_fraction]).toEqual([
      7, 0.3, 0.5, 0.4,
    ]);
    expect(p.num_leaves).toBe(31);
    expect(() => resolveGbdtParams({ n_estimators: 7, num_iterations: 8 })).toThrow(/num_iterations again/);
    expect(() => resolveGbdtParams({ metric: 'rmse' })).toThrow(/"binary_logloss", "auc"/);
  });
});
