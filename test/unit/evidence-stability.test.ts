/**
 * The stability of the model's ranking (analysis/evidence/stability.ts) with a real learner:
 * gradient-boosted trees fitted on each blocked fold, TreeSHAP on the fold left out. A variable
 * that drives the labels beats the time-shifted shadows in every fold; slowly drifting noise,
 * which an iid test would call significant, rarely does. Then the verdicts built from both.
 */

import { ar1 } from '../../analysis/demo/noise';
import type { DistributionEntry } from '../../analysis/distribution';
import { observationsOf } from '../../analysis/evidence/observations';
import { foldParams, refitImportance } from '../../analysis/evidence/refit';
import {
  rankingStability,
  type StabilityFold,
  timeFolds,
  withShadows,
} from '../../analysis/evidence/stability';
import { analyzeOverTime } from '../../analysis/evidence/time-aware';
import { causeVerdicts, evidenceSummary } from '../../analysis/evidence/verdicts';
import type { FeatureMatrix } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { createRng } from '../../analysis/random';

/** 12 AR(1) 0.98 variables; the labels follow `cause` above its 85th percentile (with noise). */
function line(seed: number): { features: FeatureMatrix; labels: Uint8Array } {
  const rng = createRng(seed);
  const n = 3000;
  const columns = Array.from({ length: 12 }, () => ar1(rng, n, 0.98));
  const level = Float64Array.from(columns[0]).sort()[Math.floor(n * 0.85)];
  const labels = Uint8Array.from(columns[0], (x) => +(rng.next() < (x > level ? 0.7 : 0.03)));
  const names = ['cause', ...Array.from({ length: 11 }, (_, j) => `noise${j + 1}`)];
  return { features: { names, columns, rows: n }, labels };
}

/** Each fold fitted and explained as the stability stage does (analysis/evidence/refit.ts). */
function gbdtFolds(labels: Uint8Array, trainRows: number) {
  let binned: ReturnType<typeof binDataset> | undefined;
  const params = { num_iterations: 60, num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: 20, seed: 3 };
  return (fold: StabilityFold) => {
    binned ??= binDataset(fold.features);
    return refitImportance({ features: fold.features, labels, binned }, fold, {
      kind: 'gbdt',
      params: foldParams('gbdt', params, fold.train.length / trainRows),
    });
  };
}

describe('rankingStability', () => {
  it('shadows keep each training column as a rotation of itself, NaN elsewhere', () => {
    const { features } = line(1);
    const train = Uint32Array.from({ length: 2000 }, (_, i) => i);
    const shadowed = withShadows(
      features,
      Int32Array.from(features.names, (_, j) => j),
      12,
      train,
      7,
    );
    expect(shadowed.names).toHaveLength(24);
    expect(shadowed.names[12]).toBe('shadow~cause');
    const original = features.columns[3];
    const shadow = shadowed.columns[15];
    expect(Number.isNaN(shadow[2500])).toBe(true);
    // a rotation: some offset o in [500, 1500) maps every training value
    const o = Array.from({ length: 1000 }, (_, k) => 500 + k).find((k) => shadow[0] === original[k])!;
    expect(o).toBeDefined();
    for (let i = 0; i < 2000; i++) expect(shadow[i]).toBe(original[(i + o) % 2000]);
    expect(timeFolds(train, 5).map((f) => f.length)).toEqual([400, 400, 400, 400, 400]);
  });

  it('the cause beats the shadows in every fold; drifting noise seldom does; same seed, same result', async () => {
    const { features, labels } = line(2);
    const train = Uint32Array.from({ length: 2400 }, (_, i) => i);
    const stability = await rankingStability(features, train, gbdtFolds(labels, train.length), { seed: 11 });
    const cause = stability.get('cause')!;
    expect(cause).toMatchObject({ folds: 5, topShare: 1, aboveShadowShare: 1 });
    expect(cause.spread).toBeLessThan(0.5);
    const noise = [...stability.entries()].filter(([v]) => v !== 'cause').map(([, s]) => s.aboveShadowShare);
    expect(noise.reduce((s, x) => s + x, 0) / noise.length).toBeLessThan(0.3);
    expect(noise.filter((x) => x > 0.5).length).toBeLessThanOrEqual(1);
    const again = await rankingStability(features, train, gbdtFolds(labels, train.length), { seed: 11 });
    expect(again).toEqual(stability);
  }, 120_000);

  it("scales the trees' regularization to a fold's rows; logistic folds stop at a looser tolerance", () => {
    expect(foldParams('gbdt', { min_data_in_leaf: 30, lambda_l2: 2, num_leaves: 31 }, 0.25)).toEqual({
      min_data_in_leaf: 8,
      lambda_l2: 0.5,
      num_leaves: 31,
    });
    // An L1 C is divided by √share (0.02 / √0.25), an L2 C kept
    expect(foldParams('logistic', { penalty: 'l1', C: 0.02 }, 0.25)).toEqual({
      penalty: 'l1',
      C: 0.04,
      tol: 1e-3,
    });
    expect(foldParams('logistic', { penalty: 'l2', C: 0.02 }, 0.25)).toEqual({
      penalty: 'l2',
      C: 0.02,
      tol: 1e-3,
    });
    expect(foldParams('gbdt', { min_data_in_leaf: 30 }, 1)).toEqual({ min_data_in_leaf: 30 });
  });

  it('leaves out a fold that cannot be fitted', async () => {
    const { features, labels } = line(5);
    const train = Uint32Array.from({ length: 2400 }, (_, i) => i);
    const fitFold = gbdtFolds(labels, train.length);
    const stability = await rankingStability(
      features,
      train,
      (fold) => (fold.fold === 2 ? null : fitFold(fold)),
      {
        seed: 2,
      },
    );
    expect(stability.get('cause')).toMatchObject({ folds: 4, aboveShadowShare: 1 });
  }, 120_000);

  it('refuses fewer than five folds', async () => {
    const { features, labels } = line(3);
    await expect(
      rankingStability(
        features,
        Uint32Array.from({ length: 100 }, (_, i) => i),
        gbdtFolds(labels, 100),
        { folds: 3 },
      ),
    ).rejects.toThrow('stability.folds');
  });
});

describe('causeVerdicts', () => {
  it('strong when both analyses agree, possible with one, none with neither; strongest first', async () => {
    const { features, labels } = line(4);
    const train = Uint32Array.from({ length: 2400 }, (_, i) => i);
    const stability = await rankingStability(features, train, gbdtFolds(labels, train.length), { seed: 1 });
    const table = {
      rows: features.rows,
      variables: features.names.map((name, j) => ({
        name,
        data: { kind: 'numeric' as const, values: features.columns[j] },
      })),
    };
    const { entries, evidence } = analyzeOverTime(table, observationsOf(labels), { seed: 1 });
    const importance = [...stability.entries()]
      .sort((a, b) => b[1].aboveShadowShare - a[1].aboveShadowShare)
      .map(([variable, s]) => ({ variable, stability: s }));
    const causes = causeVerdicts(entries, importance);
    expect(causes).toHaveLength(12);
    expect(causes[0]).toMatchObject({ variable: 'cause', verdict: 'strong', distributionRank: 1 });
    expect(causes[0].evidence).toContain('5 of 5 folds');
    // the power criterion (issue 17): at most one other variable strong on a line; here drifting
    // noise4 passes both tests by chance (q = 0.036, above the shadows in 3 of 5 folds)
    const strong = causes.filter((c) => c.verdict === 'strong').map((c) => c.variable);
    expect(strong.length).toBeLessThanOrEqual(2);
    // iid q-values would call most of the noise significant; the verdicts do not
    const iid = entries.filter((e) => e.kind === 'numeric' && (e.qValueIid ?? 1) < 0.05).length;
    expect(iid).toBeGreaterThan(5);
    const summary = evidenceSummary(causes, {
      problem: 'the defects',
      episodes: evidence.episodes,
      days: 14,
    });
    expect(summary).toMatch(
      strong.length === 1
        ? /^1 variable explains the defects with strong evidence \(cause\);/
        : /^2 variables explain the defects with strong evidence \(cause, noise\d+\);/,
    );
    expect(summary).toContain(`Based on ${evidence.episodes} bad episodes over 14 days.`);
  }, 120_000);

  it('verdicts from the distribution alone are at most possible, and few episodes are warned about', () => {
    const entry = (variable: string, qValue: number): DistributionEntry =>
      ({ variable, kind: 'categorical', score: 0.5, qValue }) as unknown as DistributionEntry;
    const causes = causeVerdicts([entry('a', 0.001), entry('b', 0.4)], null);
    expect(causes.map((c) => [c.variable, c.verdict, c.importanceRank])).toEqual([
      ['a', 'possible', null],
      ['b', 'none', null],
    ]);
    const text = evidenceSummary(causes, { problem: 'the burnt products', episodes: 3, observations: 400 });
    expect(text).toBe(
      'No variable explains the burnt products with strong evidence; 1 has possible evidence, from one analysis only (a); ' +
        '1 other differs between the two populations no more than slow drift produces by chance. Based on 3 bad episodes ' +
        'over 400 observations. With fewer than 5 episodes, any variable that happened to move at those times will look like a cause.',
    );
  });
});
