/**
 * Operating windows: for one numeric variable, the interval `low < value ≤ high` (one end open,
 * or both closed) to run in. It splits the observations into inside and outside the way that
 * separates bad from good best (the largest Gini decrease, the depth-1 tree's criterion with
 * two cut points), among the intervals that keep at least `minGoodKept` of the good
 * observations and have fewer bad observations inside than outside. "Lowest bad rate" alone
 * would pick any narrow slice of the safe region (the rate there is noise around the same
 * floor); the split criterion puts each end where the bad rate changes, so a one-sided window's
 * end is the distribution's separating value.
 *
 * A second end is kept only when it separates clearly better than the best one-sided window
 * (by `twoSidedGain`, relative): otherwise a one-sided cause would gain a spurious far end.
 */
import { sortColumn } from '../distribution/analyze';
import type { Labels } from '../frame';
import type { OperatingWindow, WindowFigures } from './types';

export interface OperatingWindowOptions {
  /** Share of the good observations the window must keep (default 0.8). */
  readonly minGoodKept?: number;
  /** Relative gain a two-sided window needs over the best one-sided one (default 0.1). */
  readonly twoSidedGain?: number;
  /** Candidate cut points per end for the two-sided scan before exact refinement (default 200). */
  readonly grid?: number;
}

/** Counts of good and bad observations per distinct value, ascending, with prefix sums. */
interface Levels {
  readonly values: Float64Array;
  /** Prefix sums: good[k] is the number of good observations among the first k levels. */
  readonly good: Float64Array;
  readonly bad: Float64Array;
}

function levelsOf(values: Float64Array, labels: Labels, rows: ArrayLike<number>): Levels {
  const own = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) own[k] = values[rows[k]];
  const { sorted, order } = sortColumn(own);
  const distinct: number[] = [];
  const good: number[] = [0];
  const bad: number[] = [0];
  for (let k = 0; k < sorted.length; k++) {
    const v = sorted[k];
    if (distinct.length === 0 || v !== distinct[distinct.length - 1]) {
      distinct.push(v);
      good.push(good[good.length - 1]);
      bad.push(bad[bad.length - 1]);
    }
    if (labels[rows[order[k]]]) bad[bad.length - 1]++;
    else good[good.length - 1]++;
  }
  return { values: Float64Array.from(distinct), good: Float64Array.from(good), bad: Float64Array.from(bad) };
}

interface Scored {
  readonly from: number;
  readonly to: number;
  readonly score: number;
}

/**
 * Split score of levels [from, to) inside vs the rest outside: Σ over the two parts of
 * (bad² + good²) / size, which ranks splits as the Gini decrease does; −∞ when not allowed.
 */
function makeScorer(levels: Levels, minGoodKept: number): (from: number, to: number) => number {
  const m = levels.values.length;
  const G = levels.good[m];
  const B = levels.bad[m];
  const minGood = minGoodKept * G;
  return (from, to) => {
    const gi = levels.good[to] - levels.good[from];
    const bi = levels.bad[to] - levels.bad[from];
    const go = G - gi;
    const bo = B - bi;
    const ni = gi + bi;
    const no = go + bo;
    if (ni === 0 || no === 0 || gi < minGood) return Number.NEGATIVE_INFINITY;
    // Fewer bad inside than outside: bi/ni < bo/no.
    if (bi * no >= bo * ni) return Number.NEGATIVE_INFINITY;
    return (bi * bi + gi * gi) / ni + (bo * bo + go * go) / no;
  };
}

function bestOneSided(m: number, score: (from: number, to: number) => number): Scored | null {
  let best: Scored | null = null;
  for (let to = 1; to < m; to++) {
    const s = score(0, to);
    if (s > (best?.score ?? Number.NEGATIVE_INFINITY)) best = { from: 0, to, score: s };
  }
  for (let from = 1; from < m; from++) {
    const s = score(from, m);
    if (s > (best?.score ?? Number.NEGATIVE_INFINITY)) best = { from, to: m, score: s };
  }
  return best;
}

function bestTwoSided(
  levels: Levels,
  score: (from: number, to: number) => number,
  grid: number,
): Scored | null {
  const m = levels.values.length;
  if (m < 3) return null;
  // Cut points at quantiles of the observations, then each end refined exactly in turn.
  const total = levels.good[m] + levels.bad[m];
  const cuts: number[] = [];
  for (let g = 1, k = 1; g < grid && k < m; g++) {
    const target = (g / grid) * total;
    while (k < m - 1 && levels.good[k] + levels.bad[k] < target) k++;
    if (cuts.length === 0 || cuts[cuts.length - 1] !== k) cuts.push(k);
  }
  let best: Scored | null = null;
  for (let a = 0; a < cuts.length; a++) {
    for (let b = a + 1; b < cuts.length; b++) {
      const s = score(cuts[a], cuts[b]);
      if (s > (best?.score ?? Number.NEGATIVE_INFINITY)) best = { from: cuts[a], to: cuts[b], score: s };
    }
  }
  if (best === null) return null;
  for (let round = 0; round < 3; round++) {
    let from: number = best.from;
    let to: number = best.to;
    for (let t = from + 1; t < m; t++) if (score(from, t) > score(from, to)) to = t;
    for (let f = 1; f < to; f++) if (score(f, to) > score(from, to)) from = f;
    const s = score(from, to);
    if (from === best.from && to === best.to) break;
    best = { from, to, score: s };
  }
  return best;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** How the window `low < v ≤ high` does on `rows` (missing values left out). */
export function windowFigures(
  values: Float64Array,
  labels: Labels,
  rows: ArrayLike<number>,
  low: number | null,
  high: number | null,
): WindowFigures {
  let goodIn = 0;
  let badIn = 0;
  let goodOut = 0;
  let badOut = 0;
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]];
    if (Number.isNaN(v)) continue;
    const inside = (low === null || v > low) && (high === null || v <= high);
    const y = labels[rows[k]];
    if (inside) {
      if (y) badIn++;
      else goodIn++;
    } else if (y) badOut++;
    else goodOut++;
  }
  return {
    badRateInside: ratio(badIn, badIn + goodIn),
    badRateOutside: ratio(badOut, badOut + goodOut),
    goodKept: ratio(goodIn, goodIn + goodOut),
    rows: goodIn + badIn,
  };
}

/**
 * The operating window of a numeric variable, found on `train` rows and measured again on
 * `validation` rows (when given); `null` when no interval keeps enough good observations with
 * fewer bad ones inside.
 */
export function operatingWindow(
  variable: string,
  values: Float64Array,
  labels: Labels,
  train: ArrayLike<number>,
  validation: ArrayLike<number> | null,
  options: OperatingWindowOptions = {},
): Omit<OperatingWindow, 'indicator'> | null {
  const levels = levelsOf(values, labels, train);
  const m = levels.values.length;
  if (m < 2 || levels.bad[m] === 0 || levels.good[m] === 0) return null;
  const score = makeScorer(levels, options.minGoodKept ?? 0.8);
  const one = bestOneSided(m, score);
  const two = bestTwoSided(levels, score, options.grid ?? 200);
  // Scores compare as Gini decreases: gains over the no-split score.
  const base = (levels.bad[m] ** 2 + levels.good[m] ** 2) / (levels.bad[m] + levels.good[m]);
  const gain = (s: Scored | null) => (s === null ? Number.NEGATIVE_INFINITY : s.score - base);
  const twoSidedGain = options.twoSidedGain ?? 0.1;
  const chosen = two !== null && gain(two) > (1 + twoSidedGain) * Math.max(0, gain(one)) ? two : one;
  if (chosen === null || !Number.isFinite(chosen.score)) return null;
  const { values: u } = levels;
  const low = chosen.from === 0 ? null : u[chosen.from - 1] + (u[chosen.from] - u[chosen.from - 1]) / 2;
  const high = chosen.to === m ? null : u[chosen.to - 1] + (u[chosen.to] - u[chosen.to - 1]) / 2;
  return {
    variable,
    low,
    high,
    ...windowFigures(values, labels, train, low, high),
    validation:
      validation && validation.length > 0 ? windowFigures(values, labels, validation, low, high) : null,
  };
}
