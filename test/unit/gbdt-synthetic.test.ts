import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { validationAuc } from '../fixtures/gbdt/split';
import synthetic from '../fixtures/gbdt/synthetic.json';

type ParamSets = Record<string, Record<string, number | string>>;
type Reference = Record<string, { auc: number; trees: number }>;

describe('GBDT against LightGBM on seeded synthetic data (validation AUC within 0.01)', () => {
  const data = syntheticClassification(
    synthetic.generator.rows,
    synthetic.generator.features,
    synthetic.generator.seed,
  );

  it('generates the same synthetic data LightGBM saw', () => {
    let positives = 0;
    for (const y of data.labels) positives += y;
    expect(positives).toBe(synthetic.positives);
  });

  it.each(['default', 'regularized', 'early_stopping_auc'])(
    'synthetic 10,000 × 100 with NaN, %s parameters',
    (name) => {
      const params = (synthetic.params as ParamSets)[name];
      const { auc } = validationAuc(data.features, data.labels, synthetic.split, params);
      expect(Math.abs(auc - (synthetic.reference as Reference)[name].auc)).toBeLessThanOrEqual(0.01);
    },
  );
});
