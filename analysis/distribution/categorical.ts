/**
 * One categorical variable, two populations: category shares, total variation distance,
 * chi-square test, Cramér's V, and the best two-group split of the categories.
 */
import { chiSquareContingency } from './chi2';
import { suspectedLeak, totalVariation } from './measures';
import type { CategoricalDistribution } from './types';

/** The label missing values get when they are treated as one more category. */
export const MISSING_CATEGORY = '(missing)';

/**
 * `negative[c]`, `positive[c]`: row counts per category code in the selection; `missing0/1`:
 * rows with no value, which form one more category (missingness can be the cause).
 */
export function analyzeCategorical(
  variable: string,
  levels: readonly string[],
  negative: ArrayLike<number>,
  positive: ArrayLike<number>,
  missing0: number,
  missing1: number,
): CategoricalDistribution {
  const names: string[] = [];
  const c0: number[] = [];
  const c1: number[] = [];
  for (let c = 0; c < levels.length; c++) {
    if (negative[c] + positive[c] === 0) continue;
    names.push(levels[c]);
    c0.push(negative[c]);
    c1.push(positive[c]);
  }
  if (missing0 + missing1 > 0) {
    names.push(MISSING_CATEGORY);
    c0.push(missing0);
    c1.push(missing1);
  }
  const n0 = c0.reduce((s, v) => s + v, 0);
  const n1 = c1.reduce((s, v) => s + v, 0);
  const q = c0.map((v) => (n0 > 0 ? v / n0 : 0));
  const p = c1.map((v) => (n1 > 0 ? v / n1 : 0));
  const frequencies = names.map((category, i) => ({ category, negative: q[i], positive: p[i] }));
  const missingRateNegative = n0 > 0 ? missing0 / n0 : 0;
  const missingRatePositive = n1 > 0 ? missing1 / n1 : 0;
  const base = {
    variable,
    kind: 'categorical' as const,
    missingRateNegative,
    missingRatePositive,
    frequencies,
  };
  if (names.length < 2 || n0 === 0 || n1 === 0) {
    return {
      ...base,
      score: 0,
      tv: 0,
      chiSquare: null,
      chiSquarePValue: null,
      cramersV: null,
      qValue: null,
      categories: [],
      positiveRateIn: null,
      positiveRateOut: null,
      shareIn: null,
      suspectedLeak: false,
      note:
        names.length === 1 && names[0] === MISSING_CATEGORY
          ? 'missing on every row compared'
          : names.length < 2
            ? 'constant in the selected rows'
            : 'one population is empty',
    };
  }
  const tv = totalVariation(p, q);
  const chi = chiSquareContingency(names.map((_, i) => [c0[i], c1[i]]));

  // Best Gini split into two groups: with two classes, ordering the categories by positive rate
  // and cutting that order is optimal (Breiman et al. 1984, §9.4).
  const order = names
    .map((_, i) => i)
    .sort((a, b) => c1[a] / (c0[a] + c1[a]) - c1[b] / (c0[b] + c1[b]) || a - b);
  const total = n0 + n1;
  let best = Number.NEGATIVE_INFINITY;
  let bestCut = 1;
  let l0 = 0;
  let l1 = 0;
  for (let cut = 1; cut < order.length; cut++) {
    l0 += c0[order[cut - 1]];
    l1 += c1[order[cut - 1]];
    const nl = l0 + l1;
    const nr = total - nl;
    const r0 = n0 - l0;
    const r1 = n1 - l1;
    const proxy = -nr * (1 - (r0 * r0 + r1 * r1) / (nr * nr)) - nl * (1 - (l0 * l0 + l1 * l1) / (nl * nl));
    if (proxy > best) {
      best = proxy;
      bestCut = cut;
    }
  }
  const inIdx = order.slice(bestCut);
  const outIdx = order.slice(0, bestCut);
  const sum = (idx: number[], c: number[]) => idx.reduce((s, i) => s + c[i], 0);
  const in0 = sum(inIdx, c0);
  const in1 = sum(inIdx, c1);
  const out0 = sum(outIdx, c0);
  const out1 = sum(outIdx, c1);
  return {
    ...base,
    score: tv,
    tv,
    chiSquare: chi.statistic,
    chiSquarePValue: chi.pValue,
    cramersV: chi.cramersV,
    qValue: null,
    categories: inIdx.map((i) => names[i]),
    positiveRateIn: in1 / (in0 + in1),
    positiveRateOut: out1 / (out0 + out1),
    shareIn: (in0 + in1) / total,
    suspectedLeak: suspectedLeak(in1, n1, in0, n0),
  };
}
