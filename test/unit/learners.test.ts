import { variableImportance } from '../../analysis/explain/importance';
import { featureMatrix } from '../../analysis/frame';
import { chooseExplained, type FinalModel, fitFinal } from '../../analysis/learners/final';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import { learnerKinds, learnerSpaces } from '../../analysis/learners/kinds';
import { learnerOf, learners, modelFromJson } from '../../analysis/learners/registry';
import { paramsFromTrialValues } from '../../analysis/learners/search-space';
import { fitTrial } from '../../analysis/learners/trial';
import { validationFigures } from '../../analysis/learners/validation';
import { createRng } from '../../analysis/random';

const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);

/** A cause that separates the populations perfectly, and noise. */
function separable(rows: number, seed: number) {
  const rng = createRng(seed);
  const cause = Float64Array.from({ length: rows }, () => rng.next() * 10);
  const noise = [0, 1, 2].map(() => Float64Array.from({ length: rows }, () => rng.next()));
  const labels = Uint8Array.from(cause, (c) => (c > 6 ? 1 : 0));
  return { features: featureMatrix(['cause', 'noise_a', 'noise_b', 'noise_c'], [cause, ...noise]), labels };
}

describe('learner registry', () => {
  it('has one record per configured kind, each answering every question the stages ask', () => {
    expect(learnerKinds).toEqual(['gbdt', 'logistic']);
    for (const kind of learnerKinds) {
      const learner = learnerOf(kind);
      expect(learner.kind).toBe(kind);
      expect(learner.displayName.length).toBeGreaterThan(0);
      expect(learnerSpaces[kind].ranges).toBe(learner.ranges);
    }
    expect(() => learnerOf('gbdtt')).toThrow(/did you mean "gbdt"/);
  });

  it('reads back every learner’s JSON by its format, predicting the same margins', () => {
    const data = separable(400, 3);
    for (const kind of learnerKinds) {
      const learner = learnerOf(kind);
      const { model } = learner.fit(data, {
        params: paramsFromTrialValues(learner, learner.defaults),
        train: range(0, 400),
      });
      const back = modelFromJson(JSON.parse(JSON.stringify(learner.toJson(model))));
      expect(back.kind).toBe(kind);
      expect(Array.from(learnerOf(kind).margin(back, data.features))).toEqual(
        Array.from(learner.margin(model, data.features)),
      );
    }
  });
});

describe('early stopping (issue 15, item 10)', () => {
  const data = separable(2000, 11);
  const folds = [{ train: range(0, 1600), validation: range(1600, 2000) }];

  it('on validation AUC, a ranking that is perfect after one tree stops the model at one tree', () => {
    const binned = binDataset(data.features);
    const model = trainGbdt(binned, data.labels, {
      params: { metric: 'auc', early_stopping_round: 30, num_iterations: 500 },
      rows: folds[0].train,
      validation: {
        features: featureMatrix(
          data.features.names,
          data.features.columns.map((c) => c.slice(1600)),
        ),
        labels: data.labels.slice(1600),
      },
    });
    expect(model.bestIteration).toBe(1);
  });

  it("on the validation binary log loss (LightGBM's default), the trial keeps the rounds that still help", () => {
    const trial = fitTrial(data, {
      kind: 'gbdt',
      params: paramsFromTrialValues(learners.gbdt, learners.gbdt.defaults),
      folds,
      reportEvery: 10,
    });
    expect(trial.state).toBe('complete');
    expect(trial.value).toBe(1);
    expect(trial.bestIteration).toBeGreaterThan(20);
    // The pruners' curve is that loss, falling.
    expect(trial.intermediate[0].step).toBe(10);
    expect(trial.intermediate.at(-1)!.value).toBeLessThan(trial.intermediate[0].value);
  });

  it('a trial above the pruning curve stops there, pruned', () => {
    const trial = fitTrial(data, {
      kind: 'gbdt',
      params: paramsFromTrialValues(learners.gbdt, learners.gbdt.defaults),
      folds,
      reportEvery: 10,
      pruneAbove: [{ step: 20, value: 1e-9 }],
    });
    expect(trial.state).toBe('pruned');
    expect(trial.intermediate.map((p) => p.step)).toEqual([10, 20]);
  });
});

describe('validation figures', () => {
  it('an AUC only when the period holds both populations, with the reason when not', () => {
    const both = validationFigures(Float64Array.from([-1, 2, 0.5]), Uint8Array.from([0, 1, 0]));
    expect(both).toMatchObject({ auc: 1, prAuc: 1, rows: 3, positives: 1 });
    expect(both.reason).toBeUndefined();
    const none = validationFigures(Float64Array.from([-1, 2]), Uint8Array.from([0, 0]));
    expect(none).toMatchObject({ auc: null, prAuc: null, rows: 2, positives: 0 });
    expect(none.reason).toMatch(/the validation period holds no bad observation \(0 positive of 2\)/);
    expect(none.logloss).toBeCloseTo((Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(2))) / 2, 12);
  });
});

describe('the model explained (issue 15, item 11)', () => {
  const data = separable(600, 5);
  const gbdt = fitFinal(
    data,
    { train: range(0, 480), validation: range(480, 600) },
    {
      kind: 'gbdt',
      params: paramsFromTrialValues(learners.gbdt, learners.gbdt.defaults),
      bestIteration: 5,
    },
  );
  const logistic = fitFinal(
    data,
    { train: range(0, 480), validation: range(480, 600) },
    { kind: 'logistic', params: { C: 1, penalty: 'l2' } },
  );
  const withAuc = (m: FinalModel, auc: number | null): FinalModel => ({
    ...m,
    validation: {
      ...m.validation,
      auc,
      ...(auc === null
        ? { reason: 'the validation period holds no bad observation (0 positive of 120)' }
        : {}),
    },
  });

  it('refits with the rounds the search kept', () => {
    expect(gbdt.params.num_iterations).toBe(5);
    expect(learners.gbdt.shownParams(gbdt.model as never, gbdt.params).num_iterations).toBe(5);
  });

  it('the baseline when it scores higher on validation, saying why', () => {
    const choice = chooseExplained(withAuc(gbdt, 0.897), withAuc(logistic, 0.909));
    expect(choice.explained.kind).toBe('logistic');
    expect(choice.reason).toBe(
      'the logistic regression baseline scored higher on validation than the search’s best trial (gradient-boosted trees): AUC 0.909 against 0.897'.replace(
        '’',
        "'",
      ),
    );
  });

  it("the search's best otherwise, and when validation cannot rank them", () => {
    expect(chooseExplained(withAuc(gbdt, 0.91), withAuc(logistic, 0.91)).explained.kind).toBe('gbdt');
    const blind = chooseExplained(withAuc(gbdt, null), withAuc(logistic, null));
    expect(blind.explained.kind).toBe('gbdt');
    expect(blind.reason).toMatch(
      /holds no bad observation .*, so validation cannot rank it against the logistic regression baseline/,
    );
    expect(chooseExplained(gbdt, null).explained).toBe(gbdt);
  });
});

describe('variables the model never uses (issue 15, item 9)', () => {
  const data = separable(800, 7);
  it('are marked unused, unranked, after the ranked ones in name order', () => {
    const { model } = learners.gbdt.fit(data, {
      params: { num_iterations: 3, num_leaves: 2, min_data_in_leaf: 5 },
      train: range(0, 800),
    });
    const used = learners.gbdt.usedFeatures(model);
    expect([...used]).toEqual(['cause']);
    const importance = variableImportance(learners.gbdt.shap(model, data.features), { used });
    expect(importance.map((e) => [e.variable, e.unused ?? false])).toEqual([
      ['cause', false],
      ['noise_a', true],
      ['noise_b', true],
      ['noise_c', true],
    ]);
    expect(importance[1]).toEqual({ variable: 'noise_a', meanAbsShap: 0, unused: true });
  });

  it('a zero coefficient (L1) leaves a variable unused', () => {
    const { model } = learners.logistic.fit(data, {
      params: { C: 0.01, penalty: 'l1' },
      train: range(0, 800),
    });
    const used = learners.logistic.usedFeatures(model);
    expect(used.has('cause')).toBe(true);
    expect(used.size).toBeLessThan(4);
  });
});
