import { isInvalidInput } from '../../analysis/errors';
import { parseLightGbmModel } from '../../analysis/learners/lightgbm-text';
import { loadLightGbmFixture } from '../fixtures/shap/load';
import { margin } from '../fixtures/shap/oracle';

const SINGLE_LEAF = `tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=binary sigmoid:1
feature_names=a b c
feature_infos=none none none
tree_sizes=243

Tree=0
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=-0.12014431184206334
leaf_weight=
leaf_count=200
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=1


end of trees
`;

/** A one-split tree on feature 0 at `threshold`, with the given decision_type. */
function oneSplit(decisionType: number, threshold: number, extra = ''): string {
  return SINGLE_LEAF.replace(
    /Tree=0[\s\S]*end of trees/,
    `Tree=0
num_leaves=2
num_cat=0
split_feature=0
split_gain=1
threshold=${threshold}
decision_type=${decisionType}
left_child=-1
right_child=-2
leaf_value=-1 1
leaf_weight=1 1
leaf_count=10 30
internal_value=0
internal_weight=2
internal_count=40
${extra}is_linear=0
shrinkage=0.1


end of trees`,
  );
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parseLightGbmModel', () => {
  test.each(['synthetic', 'ai4i'] as const)('%s: margins equal LightGBM raw scores', (name) => {
    const fx = loadLightGbmFixture(name);
    const { ensemble, objective, sigmoid } = parseLightGbmModel(fx.modelText);
    expect(ensemble.trees.length).toBeGreaterThanOrEqual(200);
    expect(ensemble.trees.every((t) => t.numLeaves <= 31)).toBe(true);
    expect(ensemble.trees.some((t) => t.numLeaves === 31)).toBe(true);
    expect(ensemble.featureNames).toEqual(fx.features);
    expect(objective).toBe('binary sigmoid:1');
    expect(sigmoid).toBe(1);
    const F = fx.features.length;
    let worst = 0;
    for (let r = 0; r < fx.rows; r++) {
      const m = margin(ensemble, fx.x.subarray(r * F, (r + 1) * F));
      worst = Math.max(worst, Math.abs(m - fx.margin[r]));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  test('the synthetic fixture exercises both missing types and NaN rows', () => {
    const fx = loadLightGbmFixture('synthetic');
    const types = new Set(
      fx.modelText
        .split('\n')
        .filter((l) => l.startsWith('decision_type='))
        .flatMap((l) => l.slice(14).split(' ')),
    );
    expect(types.has('2') || types.has('0')).toBe(true); // missing type None
    expect(types.has('8') || types.has('10')).toBe(true); // missing type NaN
    expect(fx.x.some(Number.isNaN)).toBe(true);
  });

  test('a single-leaf tree', () => {
    const { ensemble } = parseLightGbmModel(SINGLE_LEAF);
    expect(ensemble.trees[0].numLeaves).toBe(1);
    expect(ensemble.trees[0].leafValue[0]).toBe(-0.12014431184206334);
    expect(margin(ensemble, [1, 2, 3])).toBe(-0.12014431184206334);
    expect(ensemble.baseMargin).toBe(0);
  });

  test.each([
    // [decision_type, threshold, NaN goes left?], as LightGBM 4.7 itself predicts these models
    [8, 0.5, false], // missing NaN, default right
    [8, -0.5, false],
    [10, 0.5, true], // missing NaN, default left
    [10, -0.5, true],
    [2, 0.5, true], // missing None: NaN is 0, 0 <= 0.5
    [0, -0.5, false], // missing None: 0 > -0.5, whatever default_left says
    [2, -0.5, false],
  ])('decision_type %d, threshold %d: NaN goes left = %s', (d, threshold, nanLeft) => {
    const { ensemble } = parseLightGbmModel(oneSplit(d, threshold));
    expect(margin(ensemble, [Number.NaN, 0, 0])).toBe(nanLeft ? -1 : 1);
  });

  test.each([
    [oneSplit(1, 0.5), /categorical/],
    [oneSplit(6, 0.5), /zero_as_missing/],
    [oneSplit(2, 0.5).replace('num_cat=0', 'num_cat=1'), /categorical/],
    [oneSplit(2, 0.5).replace('is_linear=0', 'is_linear=1'), /linear trees/],
    [SINGLE_LEAF.replace('num_tree_per_iteration=1', 'num_tree_per_iteration=3'), /multiclass/],
    [SINGLE_LEAF.replace('feature_names=a b c', 'feature_names=a b'), /2 names for 3 features/],
    [oneSplit(2, 0.5).replace('split_feature=0', 'split_feature=7'), /split_feature\[0\] = 7/],
    [oneSplit(2, 0.5).replace('leaf_value=-1 1', 'leaf_value=-1'), /leaf_value has 1 values, expected 2/],
    [oneSplit(2, 0.5).replace('right_child=-2', 'right_child=-5'), /right_child\[0\]/],
    ['hello', /not a LightGBM text model/],
  ])('rejects bad models clearly (%#)', (text, message) => {
    const error = errorOf(() => parseLightGbmModel(text));
    expect(isInvalidInput(error)).toBe(true);
    expect(error.message).toMatch(message);
  });

  test('errors name the tree', () => {
    expect(errorOf(() => parseLightGbmModel(oneSplit(1, 0.5))).message).toMatch(/Tree=0/);
  });
});
