import { learners } from '../../analysis/learners/registry';

describe('finalParams', () => {
  it('keeps the rounds early stopping chose, without early stopping', () => {
    expect(
      learners.gbdt.finalParams(
        { num_iterations: 500, early_stopping_round: 30, feature_fraction: 0.7 },
        120,
      ),
    ).toEqual({
      num_iterations: 120,
      feature_fraction: 0.7,
    });
  });
  it('offers every feature to a model of a few trees', () => {
    expect(
      learners.gbdt.finalParams({ num_iterations: 500, early_stopping_round: 30, feature_fraction: 0.7 }, 2),
    ).toEqual({
      num_iterations: 2,
      feature_fraction: 1,
    });
  });
  it('leaves logistic parameters as they are', () => {
    expect(learners.logistic.finalParams({ C: 0.3, penalty: 'l1' }, undefined)).toEqual({
      C: 0.3,
      penalty: 'l1',
    });
  });
});
