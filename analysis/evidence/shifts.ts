/**
 * The circular-shift test: the labels of the observations, in time order, are rotated against
 * the variable by s observations and the statistics recomputed. Rotation keeps the
 * autocorrelation of both the variable and the labels (their episodes stay episodes, their
 * lengths unchanged), and only breaks the alignment between them: the null of "a variable that
 * moves slowly and a defect that comes in bursts, unrelated". Under that null the observed
 * alignment is one rotation among all W, so p = (1 + #{null ≥ observed}) / (1 + B) over
 * rotations drawn from all of them.
 *
 * Rotations shorter than the labels' correlation length L are counted like the others but left
 * out of the fitted tail: they compare the labels largely with themselves, so near a real cause
 * they are nearly as extreme as the observed alignment and would thicken the tail it is measured
 * against. Leaving them out of the counts too (as a first design did) made the test
 * anticonservative: the observed alignment was then measured against the other alignments' whole
 * peaks but not its own (on lines of 3,000 batches, 2.2 % of null p-values under 0.01).
 *
 * B adapts (Besag and Clifford, "Sequential Monte Carlo p-values", Biometrika 1991): shifts are
 * drawn one at a time, without replacement, and drawing stops once every statistic has been
 * reached `exceedances` times and `minShifts` were drawn (a clearly null variable costs about a
 * hundred shifts); the rest go on to `maxShifts`, or to every rotation when there are fewer (the
 * exact test). A statistic beyond every shift at the end gets its p-value from a generalized
 * Pareto tail fitted to the null statistics (tail.ts), since B shifts cannot resolve p < 1/(B + 1).
 */
import type { Labels } from '../frame';
import { createRng, type Rng } from '../random';
import { correlationLength } from './autocorrelation';
import { tailPValue } from './tail';

export interface ShiftKernel {
  /** How many statistics one evaluation gives (e.g. the score and the KS statistic). */
  readonly statistics: number;
  /** Writes the statistics with the labels rotated by `shift` observations into out[0..statistics). */
  evaluate(shift: number, out: Float64Array): void;
}

export interface ShiftOptions {
  /** Shifts drawn at most (default 2000). */
  readonly maxShifts?: number;
  /** Stop once every statistic has been reached this many times (default 10)… */
  readonly exceedances?: number;
  /**
   * …and at least this many shifts were drawn (default 100): stopping after the first ten would
   * leave the p-values of null variables on a coarse grid (1, 10/11, 10/12…), valid but lumpy.
   */
  readonly minShifts?: number;
  /** Fit a tail where the shifts cannot resolve the p-value (default true). */
  readonly tail?: boolean;
}

export const DEFAULT_MAX_SHIFTS = 2000;
export const DEFAULT_EXCEEDANCES = 10;
export const DEFAULT_MIN_SHIFTS = 100;

export interface ShiftTestResult {
  /** The statistics at shift 0 (the data as observed). */
  readonly observed: Float64Array;
  /** One p-value per statistic. */
  readonly pValues: Float64Array;
  /** The statistics' p-values combined (min-p over the shifts; Bonferroni over fitted tails). */
  readonly pValue: number;
  /** Shifts evaluated. */
  readonly shifts: number;
  /** Whether every allowed shift was evaluated (the exact circular-shift test). */
  readonly exhaustive: boolean;
  /** Whether a fitted tail gave the p-value. */
  readonly tail: boolean;
}

export interface ShiftSchedule {
  /** Shifts in the order tests use them, drawn from every rotation 1..W − 1. */
  readonly shifts: Int32Array;
  /** How many rotations there are (W − 1; all of them are in `shifts` when it is as long). */
  readonly allowed: number;
  /** W, the number of observations. */
  readonly count: number;
  /** Shifts closer than this to the observed alignment (either way) stay out of the fitted tail. */
  readonly near: number;
}

/**
 * The shifts a test may use, in a random order: every rotation when there are at most
 * `maxShifts` of them, else `maxShifts` of them drawn without replacement. Each test uses a
 * prefix, so all variables of an analysis see the same shifts in the same order. `near`: the
 * labels' correlation length (see the module comment).
 */
export function shiftSchedule(count: number, near: number, maxShifts: number, rng: Rng): ShiftSchedule {
  const allowed = Math.max(0, count - 1);
  const size = Math.min(allowed, maxShifts);
  const out = new Int32Array(size);
  // Fisher–Yates over the virtual array 1..count−1, its swaps kept in a map
  const swapped = new Map<number, number>();
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(allowed - i);
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out[i] = 1 + atJ;
  }
  return { shifts: out, allowed, count, near: Math.max(1, near) };
}

/** Values of ascending `sorted` at least `v`. */
function atLeast(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * The permutation p-value of the smallest of the statistics' p-values (the min-p combination of
 * Westfall and Young): among the observed alignment and the `done` shifts, each member's
 * p-value per statistic is its rank from the top, and the observed one's smallest is ranked
 * against the shifts' smallest. Exact over the shifts drawn, so uniform under the null, where
 * twice the smaller p-value (Bonferroni) would be conservative.
 */
function minPValue(
  samples: readonly Float64Array[],
  done: number,
  observed: Float64Array,
  reached: Int32Array,
  tolerance: Float64Array,
): number {
  const least = new Int32Array(done).fill(done + 1);
  let observedLeast = done + 1;
  for (let j = 0; j < samples.length; j++) {
    const sorted = samples[j].slice(0, done).sort();
    observedLeast = Math.min(observedLeast, reached[j] + 1);
    for (let s = 0; s < done; s++) {
      const v = samples[j][s];
      const rank = atLeast(sorted, v - tolerance[j]) + (observed[j] >= v - tolerance[j] ? 1 : 0);
      if (rank < least[s]) least[s] = rank;
    }
  }
  let as = 1;
  for (let s = 0; s < done; s++) if (least[s] <= observedLeast) as++;
  return as / (done + 1);
}

/** Runs the sequential test of `kernel` over a prefix of `schedule` (see the module comment). */
export function shiftTest(
  kernel: ShiftKernel,
  schedule: ShiftSchedule,
  options: ShiftOptions = {},
): ShiftTestResult {
  const k = kernel.statistics;
  const h = options.exceedances ?? DEFAULT_EXCEEDANCES;
  const shifts = schedule.shifts;
  const total = Math.min(shifts.length, options.maxShifts ?? DEFAULT_MAX_SHIFTS);
  const minimum = options.minShifts ?? DEFAULT_MIN_SHIFTS;
  const observed = new Float64Array(k);
  kernel.evaluate(0, observed);
  // a rotation reproducing the observed counts may sum them in another order: ties count
  const tolerance = new Float64Array(k);
  for (let j = 0; j < k; j++) tolerance[j] = 1e-10 * Math.max(1, Math.abs(observed[j]));
  const samples = Array.from({ length: k }, () => new Float64Array(total));
  const reached = new Int32Array(k);
  const out = new Float64Array(k);
  let done = 0;
  let least = 0;
  while (done < total) {
    kernel.evaluate(shifts[done], out);
    least = Number.POSITIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      samples[j][done] = out[j];
      if (out[j] >= observed[j] - tolerance[j]) reached[j]++;
      if (reached[j] < least) least = reached[j];
    }
    done++;
    if (least >= h && done >= minimum) break;
  }
  const pValues = new Float64Array(k);
  const tail: boolean[] = [];
  // the shifts far enough from the observed alignment for the tail
  const far = new Int32Array(done);
  let farCount = 0;
  for (let t = 0; t < done; t++) {
    const s = shifts[t];
    if (Math.min(s, schedule.count - s) >= schedule.near) far[farCount++] = t;
  }
  for (let j = 0; j < k; j++) {
    pValues[j] = Math.min(1, (reached[j] + 1) / (done + 1));
    let fromTail = false;
    // beyond every shift: the tail tells how far beyond (below 1/(B + 1) the shifts say nothing)
    if (reached[j] === 0 && done === total && options.tail !== false) {
      const estimate = tailPValue(samples[j], farCount, observed[j], far);
      if (estimate !== null) {
        pValues[j] = estimate.pValue;
        fromTail = true;
      }
    }
    tail.push(fromTail);
  }
  let pValue = minPValue(samples, done, observed, reached, tolerance);
  const fromTail = tail.some((t) => t);
  if (fromTail) {
    // beyond what the shifts resolve: Bonferroni over the statistics' tail p-values
    let smallest = 1;
    for (let j = 0; j < k; j++) smallest = Math.min(smallest, pValues[j]);
    pValue = Math.min(1, k * smallest);
  }
  return {
    observed,
    pValues,
    pValue,
    shifts: done,
    exhaustive: done > 0 && done === schedule.allowed,
    tail: fromTail,
  };
}

/**
 * `count` rotations of an observation label series, for analyses that rerun a whole search under
 * the null (a rule search, a dead-time scan): at least the labels' correlation length from the
 * original, distinct while there are enough, deterministic by seed. The rules' `LabelNull.draw`
 * has this shape.
 */
export function rotatedLabels(labels: Labels, count: number, seed: number): Labels[] {
  const n = labels.length;
  const near = correlationLength(labels, Math.floor(n / 2));
  // rotations at least `near` from the original: each draw then changes the labels' alignment
  // (a rerun search finds the original rule again on a rotation by one); see the module comment
  // for what leaving them out costs in calibration
  const { shifts } = shiftSchedule(n - 2 * near + 1, 0, count, createRng(seed));
  return Array.from(shifts, (t) => {
    const s = t - 1 + near;
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) y[i] = labels[(i + s) % n];
    return y;
  });
}
