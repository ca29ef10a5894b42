/**
 * A fitted tail for permutation p-values too small for the number of permutations to resolve
 * (Knijnenburg et al., "Fewer permutations, more accurate P-values", Bioinformatics 2009): the
 * largest null statistics are modelled as a generalized Pareto distribution (GPD) above a
 * threshold, and P(T ≥ t) = (exceedances / B) · S_GPD(t − u).
 *
 * The GPD is fitted by Zhang and Stephens' estimator ("A new and efficient estimation method for
 * the generalized Pareto distribution", Technometrics 2009): the profile likelihood averaged
 * over a grid of θ = −ξ/σ, robust where maximum likelihood fails on small samples. The shape is
 * then floored at 0: a bounded fit (ξ < 0) is replaced by the exponential tail of the same
 * excesses, which decays more slowly than any bounded one, so the extrapolation can err on the
 * large side but never claims that a statistic beyond the fitted end point is impossible (the
 * zero p-values permApprox, Peschel et al. 2026, guards against in another way).
 */

export interface GpdFit {
  /** Shape ξ (0: exponential, > 0: heavy tail). */
  readonly shape: number;
  readonly scale: number;
}

/**
 * Zhang–Stephens estimate of a GPD on excesses (all ≥ 0, at least one > 0), or null when they
 * cannot support a fit (all zero).
 */
export function fitGpd(excesses: ArrayLike<number>): GpdFit | null {
  const y = Float64Array.from(excesses).sort();
  const n = y.length;
  if (n < 2 || !(y[n - 1] > 0)) return null;
  const quartile = y[Math.max(0, Math.floor(n / 4 + 0.5) - 1)];
  const reference = quartile > 0 ? quartile : y[n - 1] / 4;
  const m = 20 + Math.floor(Math.sqrt(n));
  const theta = new Float64Array(m);
  const profile = new Float64Array(m);
  const shapeOf = (t: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log1p(-t * y[i]);
    return s / n;
  };
  for (let j = 0; j < m; j++) {
    const t = 1 / y[n - 1] + (1 - Math.sqrt(m / (j + 0.5))) / (3 * reference);
    theta[j] = t;
    const k = shapeOf(t);
    // profile log-likelihood n·(log(−θ/ξ) − ξ − 1); at θ → 0 (ξ → 0) the ratio −θ/ξ → 1/mean
    const ratio = Math.abs(k) > 1e-300 ? -t / k : 0;
    profile[j] = ratio > 0 ? n * (Math.log(ratio) - k - 1) : Number.NEGATIVE_INFINITY;
  }
  let top = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < m; j++) top = Math.max(top, profile[j]);
  if (!Number.isFinite(top)) return exponentialFit(y);
  let weight = 0;
  let estimate = 0;
  for (let j = 0; j < m; j++) {
    const w = Math.exp(profile[j] - top);
    weight += w;
    estimate += w * theta[j];
  }
  const t = estimate / weight;
  const shape = shapeOf(t);
  if (!(Math.abs(t) > 1e-12 / y[n - 1]) || !Number.isFinite(shape)) return exponentialFit(y);
  const scale = -shape / t;
  if (!(scale > 0)) return exponentialFit(y);
  return { shape, scale };
}

function exponentialFit(y: Float64Array): GpdFit {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  return { shape: 0, scale: s / y.length };
}

/** Survival function of the GPD at excess x ≥ 0. */
export function gpdSurvival(fit: GpdFit, x: number): number {
  if (x <= 0) return 1;
  if (fit.shape === 0) return Math.exp(-x / fit.scale);
  const base = 1 + (fit.shape * x) / fit.scale;
  return base > 0 ? base ** (-1 / fit.shape) : 0;
}

export interface TailEstimate {
  readonly pValue: number;
  /** Null statistics above the threshold the GPD was fitted on. */
  readonly exceedances: number;
  readonly shape: number;
}

/** How many of the largest null statistics the tail is fitted on: 250 (Knijnenburg), at most B/8. */
export const TAIL_SIZE = 250;
/** Below this many, or this few distinct excesses, no tail is fitted. */
export const TAIL_MIN = 25;

/**
 * P(T ≥ observed) from the fitted tail of the null statistics `sample[0..count)`, or of
 * `sample[index[i]]` for i < count when `index` is given (any order; not modified), or null when
 * they cannot support a fit or `observed` is not beyond the threshold. The threshold is halfway
 * between the N-th and (N+1)-th largest values.
 */
export function tailPValue(
  sample: Float64Array,
  count: number,
  observed: number,
  index?: Int32Array,
): TailEstimate | null {
  const size = Math.min(TAIL_SIZE, Math.floor(count / 8));
  if (size < TAIL_MIN) return null;
  const sorted = new Float64Array(count);
  for (let i = 0; i < count; i++) sorted[i] = sample[index === undefined ? i : index[i]];
  sorted.sort();
  const threshold = (sorted[count - size] + sorted[count - size - 1]) / 2;
  if (!(observed > threshold)) return null;
  const excesses = new Float64Array(size);
  let distinct = 0;
  for (let i = 0; i < size; i++) {
    excesses[i] = sorted[count - size + i] - threshold;
    if (i === 0 || excesses[i] !== excesses[i - 1]) distinct++;
  }
  if (distinct < TAIL_MIN) return null;
  const fit = fitGpd(excesses);
  if (fit === null) return null;
  const floored = fit.shape < 0 ? exponentialFit(excesses) : fit;
  return {
    pValue: (size / count) * gpdSurvival(floored, observed - threshold),
    exceedances: size,
    shape: floored.shape,
  };
}
