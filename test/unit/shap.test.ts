import fc from 'fast-check';
import {
  expectedMargin,
  gaussLegendre,
  treeShap,
  treeShapInteractions,
  treeShapRowMajor,
} from '../../analysis/explain/tree-shap';
import { featureMatrix } from '../../analysis/frame';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import type { TreeEnsemble } from '../../analysis/learners/tree';
import { createRng } from '../../analysis/random';
import { loadLightGbmFixture } from '../fixtures/shap/load';
import {
  bruteForceInteraction,
  bruteForceShap,
  featureNames,
  margin,
  randomTree,
} from '../fixtures/shap/oracle';

const GRID = [-2, -1, -0.5, 0, 0.5, 1, 2];

function randomEnsemble(seed: number, features: number, trees: number, maxLeaves: number): TreeEnsemble {
  const rng = createRng(seed);
  return {
    featureNames: featureNames(features),
    trees: Array.from({ length: trees }, () => randomTree(rng, features, 1 + rng.int(maxLeaves), GRID)),
    baseMargin: rng.normal(),
  };
}

/** Rows on the thresholds' grid (so x == threshold happens) with some NaN. */
function randomRows(seed: number, features: number, rows: number): Float64Array[] {
  const rng = createRng(seed);
  const values = [...GRID, -3, 3, 0.25, Number.NaN];
  return Array.from({ length: features }, () =>
    Float64Array.from({ length: rows }, () => values[rng.int(values.length)]),
  );
}

describe('treeShap against LightGBM pred_contrib', () => {
  test.each([
    ['synthetic', 'fast'],
    ['synthetic', 'classic'],
    ['ai4i', 'fast'],
    ['ai4i', 'classic'],
  ] as const)('%s, %s algorithm: every value within 1e-6, local accuracy', (name, algorithm) => {
    const fx = loadLightGbmFixture(name);
    const { ensemble } = parseLightGbmModel(fx.modelText);
    // The classic algorithm is slower: its first 100 rows suffice as a check.
    const rows = algorithm === 'classic' ? 100 : fx.rows;
    const shap = treeShap(ensemble, fx.matrix, {
      algorithm,
      rows: Array.from({ length: rows }, (_, r) => r),
    });
    const F = fx.features.length;
    expect(shap.values.length).toBe(rows * F);
    let worst = 0;
    let worstLocal = 0;
    for (let r = 0; r < rows; r++) {
      let sum = shap.expectedValue;
      for (let j = 0; j < F; j++) {
        worst = Math.max(worst, Math.abs(shap.values[r * F + j] - fx.contrib[r * (F + 1) + j]));
        sum += shap.values[r * F + j];
      }
      worst = Math.max(worst, Math.abs(shap.expectedValue - fx.contrib[r * (F + 1) + F]));
      worstLocal = Math.max(worstLocal, Math.abs(sum - fx.margin[r]));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(worstLocal).toBeLessThan(1e-6);
  });

  test('row-major entry point and row selection give the same values', () => {
    const fx = loadLightGbmFixture('ai4i');
    const { ensemble } = parseLightGbmModel(fx.modelText);
    const F = fx.features.length;
    const all = treeShapRowMajor(ensemble, fx.x.subarray(0, 20 * F));
    const block = treeShapRowMajor(ensemble, fx.x, { first: 10, count: 5 });
    const picked = treeShap(ensemble, fx.matrix, { rows: [10, 11, 12, 13, 14] });
    expect(Array.from(block.values)).toEqual(Array.from(all.values.subarray(10 * F, 15 * F)));
    expect(Array.from(picked.values)).toEqual(Array.from(block.values));
  });

  test('columns are matched by name, and an unknown name is a clear error', () => {
    const fx = loadLightGbmFixture('ai4i');
    const { ensemble } = parseLightGbmModel(fx.modelText);
    const reversed = featureMatrix([...fx.matrix.names].reverse(), [...fx.matrix.columns].reverse());
    expect(Array.from(treeShap(ensemble, reversed, { rows: [0, 1] }).values)).toEqual(
      Array.from(treeShap(ensemble, fx.matrix, { rows: [0, 1] }).values),
    );
    const renamed = featureMatrix(
      fx.matrix.names.map((n) => (n === 'torque' ? 'torq' : n)),
      fx.matrix.columns,
    );
    expect(() => treeShap(ensemble, renamed)).toThrow(/"torque" does not exist; did you mean "torq"/);
    expect(() => treeShap(ensemble, fx.matrix, { rows: [fx.rows] })).toThrow(/outside/);
    expect(() => treeShapRowMajor(ensemble, fx.x.subarray(1))).toThrow(/not a multiple of 6 features/);
    expect(() => treeShapRowMajor(ensemble, fx.x, { first: 299, count: 2 })).toThrow(/outside/);
  });
});

describe('treeShap on random ensembles', () => {
  test('local accuracy: expected value + Σφ = margin (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 40 }),
        (seed, features, trees, maxLeaves) => {
          const ensemble = randomEnsemble(seed, features, trees, maxLeaves);
          const rows = 8;
          const matrix = featureMatrix(ensemble.featureNames, randomRows(seed + 1, features, rows));
          const shap = treeShap(ensemble, matrix);
          const classic = treeShap(ensemble, matrix, { algorithm: 'classic' });
          for (let k = 0; k < shap.values.length; k++) {
            if (Math.abs(shap.values[k] - classic.values[k]) > 1e-9) return false;
          }
          for (let r = 0; r < rows; r++) {
            const row = matrix.columns.map((c) => c[r]);
            let sum = shap.expectedValue;
            for (let j = 0; j < features; j++) sum += shap.values[r * features + j];
            if (Math.abs(sum - margin(ensemble, row)) > 1e-6) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  test('equals brute-force Shapley values of the path-dependent expectation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 14 }),
        (seed, features, trees, maxLeaves) => {
          const ensemble = randomEnsemble(seed, features, trees, maxLeaves);
          const matrix = featureMatrix(ensemble.featureNames, randomRows(seed + 7, features, 4));
          for (const algorithm of ['fast', 'classic'] as const) {
            const shap = treeShap(ensemble, matrix, { algorithm });
            for (let r = 0; r < matrix.rows; r++) {
              const exact = bruteForceShap(
                ensemble,
                matrix.columns.map((c) => c[r]),
              );
              for (let j = 0; j < features; j++) {
                if (Math.abs(shap.values[r * features + j] - exact[j]) > 1e-9) return false;
              }
            }
          }
          return true;
        },
      ),
      { numRuns: 120 },
    );
  });

  test('a tree that splits twice on the same feature (the unwind case) against brute force', () => {
    // Root on f0 <= 0, then f1 <= 0 on the left, then f0 <= -1 again below it.
    const ensemble: TreeEnsemble = {
      featureNames: ['f0', 'f1'],
      baseMargin: 0,
      trees: [
        {
          numLeaves: 4,
          splitFeature: Int32Array.from([0, 1, 0]),
          threshold: Float64Array.from([0, 0, -1]),
          defaultLeft: Uint8Array.from([1, 0, 1]),
          leftChild: Int32Array.from([1, 2, -1]),
          rightChild: Int32Array.from([-4, -3, -2]),
          splitGain: new Float64Array(3),
          leafValue: Float64Array.from([3, -1, 0.5, 2]),
          leafCount: Float64Array.from([5, 15, 20, 60]),
          internalCount: Float64Array.from([100, 40, 20]),
          internalValue: new Float64Array(3),
        },
      ],
    };
    const rows = [
      [-2, -1],
      [-0.5, -1],
      [-0.5, 1],
      [1, Number.NaN],
      [Number.NaN, Number.NaN],
    ];
    const matrix = featureMatrix(
      ['f0', 'f1'],
      [0, 1].map((j) => Float64Array.from(rows, (r) => r[j])),
    );
    const shap = treeShap(ensemble, matrix);
    const classic = treeShap(ensemble, matrix, { algorithm: 'classic' });
    // Expected value by hand: (5·3 + 15·(−1) + 20·0.5 + 60·2) / 100.
    expect(shap.expectedValue).toBeCloseTo(1.3, 12);
    expect(expectedMargin(ensemble)).toBeCloseTo(1.3, 12);
    rows.forEach((row, r) => {
      const exact = bruteForceShap(ensemble, row);
      expect(shap.values[r * 2]).toBeCloseTo(exact[0], 12);
      expect(shap.values[r * 2 + 1]).toBeCloseTo(exact[1], 12);
      expect(classic.values[r * 2]).toBeCloseTo(exact[0], 12);
      expect(classic.values[r * 2 + 1]).toBeCloseTo(exact[1], 12);
    });
  });

  test('single-leaf trees add to the expected value only', () => {
    const ensemble = randomEnsemble(3, 3, 1, 1);
    expect(ensemble.trees[0].numLeaves).toBe(1);
    const matrix = featureMatrix(ensemble.featureNames, randomRows(4, 3, 2));
    const shap = treeShap(ensemble, matrix);
    expect(Array.from(shap.values)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(shap.expectedValue).toBe(ensemble.baseMargin + ensemble.trees[0].leafValue[0]);
  });
});

describe('gaussLegendre', () => {
  test('integrates t^k exactly up to degree 2m − 1 on [0, 1]', () => {
    for (let m = 1; m <= 20; m++) {
      const { nodes, weights } = gaussLegendre(m);
      for (let k = 0; k <= 2 * m - 1; k++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += weights[i] * nodes[i] ** k;
        expect(Math.abs(sum - 1 / (k + 1))).toBeLessThan(1e-13);
      }
    }
  });
});

test('deep trees (depth up to 30): fast equals classic', () => {
  const rng = createRng(99);
  // A chain: each node splits off one leaf, so depth = leaves − 1 and features repeat.
  const chain = (leaves: number) => {
    const tree = randomTree(rng, 5, 2, GRID);
    const internal = leaves - 1;
    const splitFeature = Int32Array.from({ length: internal }, () => rng.int(5));
    const threshold = Float64Array.from({ length: internal }, () => GRID[rng.int(GRID.length)]);
    const leftChild = Int32Array.from({ length: internal }, (_, n) => (n + 1 < internal ? n + 1 : ~n - 1));
    const rightChild = Int32Array.from({ length: internal }, (_, n) => ~n);
    const leafCount = Float64Array.from({ length: leaves }, () => 1 + rng.int(9));
    const internalCount = new Float64Array(internal);
    for (let n = internal - 1; n >= 0; n--) {
      internalCount[n] = leafCount[n] + (n + 1 < internal ? internalCount[n + 1] : leafCount[n + 1]);
    }
    return {
      ...tree,
      numLeaves: leaves,
      splitFeature,
      threshold,
      defaultLeft: Uint8Array.from({ length: internal }, () => rng.int(2)),
      leftChild,
      rightChild,
      splitGain: new Float64Array(internal),
      leafValue: Float64Array.from({ length: leaves }, () => rng.normal()),
      leafCount,
      internalCount,
      internalValue: new Float64Array(internal),
    };
  };
  const ensemble: TreeEnsemble = {
    featureNames: featureNames(5),
    trees: [chain(31), chain(12), chain(2)],
    baseMargin: 0,
  };
  const matrix = featureMatrix(ensemble.featureNames, randomRows(5, 5, 20));
  const fast = treeShap(ensemble, matrix);
  const classic = treeShap(ensemble, matrix, { algorithm: 'classic' });
  let worst = 0;
  for (let k = 0; k < fast.values.length; k++)
    worst = Math.max(worst, Math.abs(fast.values[k] - classic.values[k]));
  expect(worst).toBeLessThan(1e-10);
  for (let r = 0; r < matrix.rows; r++) {
    let sum = fast.expectedValue;
    for (let j = 0; j < 5; j++) sum += fast.values[r * 5 + j];
    expect(
      Math.abs(
        sum -
          margin(
            ensemble,
            matrix.columns.map((c) => c[r]),
          ),
      ),
    ).toBeLessThan(1e-10);
  }
});

describe('treeShapInteractions', () => {
  test('rows sum to SHAP values, symmetric, off-diagonal equals brute-force Shapley interaction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (seed, F, trees, maxLeaves) => {
          const ensemble = randomEnsemble(seed, F, trees, maxLeaves);
          const matrix = featureMatrix(ensemble.featureNames, randomRows(seed + 3, F, 3));
          const shap = treeShap(ensemble, matrix);
          const inter = treeShapInteractions(ensemble, matrix);
          expect(inter.expectedValue).toBe(shap.expectedValue);
          for (let r = 0; r < matrix.rows; r++) {
            const row = matrix.columns.map((c) => c[r]);
            for (let i = 0; i < F; i++) {
              let sum = 0;
              for (let j = 0; j < F; j++) {
                const v = inter.values[(r * F + i) * F + j];
                sum += v;
                if (j !== i) {
                  expect(Math.abs(v - inter.values[(r * F + j) * F + i])).toBeLessThan(1e-9);
                  expect(Math.abs(v - bruteForceInteraction(ensemble, row, i, j))).toBeLessThan(1e-9);
                }
              }
              expect(Math.abs(sum - shap.values[r * F + i])).toBeLessThan(1e-9);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('on a LightGBM model, interaction rows sum to SHAP values', () => {
    const fx = loadLightGbmFixture('synthetic');
    const { ensemble } = parseLightGbmModel(fx.modelText);
    const rows = [0, 5, 17];
    const F = fx.features.length;
    const inter = treeShapInteractions(ensemble, fx.matrix, rows);
    const shap = treeShap(ensemble, fx.matrix, { rows });
    let worst = 0;
    for (let k = 0; k < rows.length; k++) {
      for (let i = 0; i < F; i++) {
        let sum = 0;
        for (let j = 0; j < F; j++) sum += inter.values[(k * F + i) * F + j];
        worst = Math.max(worst, Math.abs(sum - shap.values[k * F + i]));
      }
    }
    expect(worst).toBeLessThan(1e-9);
    // The generator has an x3·x5 product term: belt_speed__mean × humidity__mean interact.
    const a = fx.features.indexOf('belt_speed__mean');
    const b = fx.features.indexOf('humidity__mean');
    const mean = rows.reduce((s, _, k) => s + Math.abs(inter.values[(k * F + a) * F + b]), 0) / rows.length;
    expect(mean).toBeGreaterThan(0);
  });
});
