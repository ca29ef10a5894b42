import {
  alertEvents,
  badRateMoved,
  type ComparedResults,
  causesOf,
  compareResults,
} from '../../analysis/changes';
import type { NumericDistribution } from '../../analysis/distribution/types';
import { combinedRanking } from '../../analysis/ranking';

function numeric(variable: string, score: number, qValue: number, threshold = 1): NumericDistribution {
  return {
    variable,
    kind: 'numeric',
    score,
    intersection: score,
    ks: score,
    ksPValue: qValue,
    ksMethod: 'asymp',
    wasserstein: 1,
    wassersteinRaw: 1,
    wassersteinScale: 1,
    js: 0.1,
    psi: 0.1,
    smd: 0.1,
    qValue,
    threshold,
    direction: 'above',
    positiveRateAbove: 0.3,
    positiveRateBelow: 0.01,
    shareAbove: 0.1,
    shareBelow: 0.9,
    missingRateNegative: 0,
    missingRatePositive: 0,
    histogram: { edges: [0, 1], negative: [1], positive: [1] },
  };
}

function results(
  id: string,
  entries: NumericDistribution[],
  shap: [string, number][],
  extra: Partial<ComparedResults> = {},
): ComparedResults {
  return {
    id,
    finishedAt: `2026-11-0${id.length}T02:00:00Z`,
    data: { rows: 1000, positives: 50 },
    distribution: entries,
    importance: shap.map(([variable, meanAbsShap]) => ({ variable, meanAbsShap })),
    model: { validation: { auc: 0.9 } },
    ...extra,
  };
}

describe('combinedRanking', () => {
  it('averages the two ranks, a missing one counting past the last, identifiers left out', () => {
    const ranking = combinedRanking(
      [
        numeric('a', 0.9, 0),
        { variable: 'id', kind: 'identifier', score: 0, qValue: null, note: '' },
        numeric('b', 0.5, 0),
      ],
      [{ variable: 'b' }, { variable: 'c' }],
    );
    // a: (1 + 4) / 2, b: (2 + 1) / 2, c: (4 + 2) / 2 with three variables ranked
    expect(ranking.map((r) => [r.variable, r.score])).toEqual([
      ['b', 1.5],
      ['a', 2.5],
      ['c', 3],
    ]);
    expect(ranking[0]).toMatchObject({ distributionRank: 2, importanceRank: 1 });
    expect(combinedRanking([numeric('a', 0.9, 0), numeric('b', 0.5, 0)]).map((r) => r.score)).toEqual([1, 2]);
  });
});

describe('causesOf', () => {
  it('keeps the top variables that stand out in both analyses with q < 0.05', () => {
    const r = results(
      'x',
      [
        numeric('hot', 0.7, 1e-9),
        numeric('noise', 0.12, 1e-6),
        numeric('weak', 0.3, 0.2),
        numeric('other', 0.1, 0),
      ],
      [
        ['hot', 2],
        ['noise', 0.05],
        ['weak', 1.5],
      ],
    );
    expect(causesOf(r).causes).toEqual(['hot']);
    // Two that share the credit (an interaction) both stand out.
    const both = results(
      'y',
      [numeric('a', 0.5, 0), numeric('b', 0.4, 0), numeric('c', 0.05, 0)],
      [
        ['b', 1],
        ['a', 0.8],
        ['c', 0.1],
      ],
    );
    expect(causesOf(both).causes).toEqual(['a', 'b']);
    // Without a model, the distribution alone.
    expect(causesOf({ ...both, importance: [] }).causes).toEqual(['a', 'b']);
  });

  it('switches to the verdicts when the results carry them', () => {
    const r = results('x', [numeric('a', 0.7, 0)], [['a', 1]], {
      causes: [
        { variable: 'z', verdict: 'strong' },
        { variable: 'y', verdict: 'possible' },
        { variable: 'a', verdict: 'none' },
      ],
    });
    expect(causesOf(r)).toEqual({ rule: 'verdict strong', causes: ['z'] });
  });
});

describe('compareResults', () => {
  const before = results(
    'p',
    [numeric('a', 0.7, 0, 230), numeric('b', 0.2, 0), numeric('c', 0.1, 0)],
    [
      ['a', 2],
      ['c', 0.5],
      ['b', 0.1],
    ],
    { operatingWindows: [{ variable: 'a', low: null, high: 229 }] },
  );

  it('names new and vanished causes, rank moves, threshold and window shifts, AUC and bad rate', () => {
    const now = results(
      'now',
      [numeric('b', 0.6, 0), numeric('a', 0.5, 0, 233), numeric('c', 0.1, 0)],
      [
        ['b', 1.5],
        ['a', 1.2],
        ['c', 0.5],
      ],
      {
        data: { rows: 1000, positives: 90 },
        model: { validation: { auc: 0.8 } },
        operatingWindows: [{ variable: 'a', low: null, high: 231 }],
      },
    );
    const changes = compareResults(now, before);
    expect(changes).toMatchObject({
      previousId: 'p',
      causes: ['b', 'a'],
      previousCauses: ['a'],
      newCauses: ['b'],
      goneCauses: [],
      thresholdShifts: [{ variable: 'a', from: 230, to: 233, directionFrom: 'above', directionTo: 'above' }],
      windowShifts: [{ variable: 'a', from: { low: null, high: 229 }, to: { low: null, high: 231 } }],
      badRate: { from: 0.05, to: 0.09, moved: true },
    });
    expect(changes.aucChange).toBeCloseTo(-0.1, 12);
    // biggest move first, then the better rank now
    expect(changes.rankMoves).toEqual([
      { variable: 'b', from: 2, to: 1 },
      { variable: 'a', from: 1, to: 2 },
    ]);
    expect(compareResults(before, before)).toMatchObject({ newCauses: [], goneCauses: [], rankMoves: [] });
  });

  it('has no AUC change without a model on either side', () => {
    expect(compareResults({ ...before, model: null }, before).aucChange).toBeNull();
  });
});

describe('badRateMoved and alertEvents', () => {
  it('calls a change of a quarter and at least a point a move', () => {
    expect(badRateMoved(0.05, 0.07)).toBe(true);
    expect(badRateMoved(0.05, 0.059)).toBe(false); // under a point
    expect(badRateMoved(0.4, 0.45)).toBe(false); // under a quarter
    expect(badRateMoved(0.4, 0.3)).toBe(true);
  });

  it('lists the configured conditions that hold', () => {
    const changes = compareResults(
      results('now', [numeric('b', 0.7, 0)], [['b', 1]], {
        model: { validation: { auc: 0.8 } },
        data: { rows: 1000, positives: 100 },
      }),
      results('p', [numeric('a', 0.7, 0)], [['a', 1]]),
    );
    const all = ['new-cause', 'gone-cause', 'auc-drop', 'bad-rate'] as const;
    expect(alertEvents(changes, { on: all, aucDrop: 0.05 })).toEqual([...all]);
    expect(alertEvents(changes, { on: ['auc-drop'], aucDrop: 0.2 })).toEqual([]);
    expect(alertEvents(changes, { on: ['gone-cause', 'new-cause'], aucDrop: 0.05 })).toEqual([
      'gone-cause',
      'new-cause',
    ]);
  });
});
