/**
 * Distances between the two populations' histograms, and the small statistics the engine
 * shares: quantiles as NumPy's default (`linear`, type 7), Benjamini–Hochberg q-values.
 */

/** Quantile `p` of ascending `sorted[0..n)`, as `numpy.quantile(method='linear')`. */
export function quantileSorted(sorted: ArrayLike<number>, n: number, p: number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  // NumPy's lerp: from the nearer end, so the result is exact at t = 0 and t = 1
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Histogram intersection distance 1 − Σ min(p, q) of two share vectors (each summing to 1). */
export function intersectionDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.min(p[i], q[i]);
  return Math.max(0, 1 - s);
}

/** Total variation distance ½ Σ |p − q| (equal to the intersection distance for shares). */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / 2;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/**
 * Jensen–Shannon distance in base 2 (between 0 and 1), as
 * `scipy.spatial.distance.jensenshannon(p, q, base=2)`: both vectors are normalized first.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  const js = (left + right) / Math.log(2);
  return Math.sqrt(Math.max(0, js) / 2);
}

/** Shares below this floor count as this floor in the PSI, so empty bins stay finite. */
export const PSI_FLOOR = 1e-4;

/** Population stability index Σ (p − q) ln(p / q), positives p against negatives q. */
export function populationStabilityIndex(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.max(p[i], PSI_FLOOR);
    const b = Math.max(q[i], PSI_FLOOR);
    s += (a - b) * Math.log(a / b);
  }
  return s;
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), like
 * `scipy.stats.false_discovery_control(method='bh')`. NaN p-values stay NaN and are not counted.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues.map((_p, i) => i).filter((i) => !Number.isNaN(pValues[i]));
  idx.sort((a, b) => pValues[a] - pValues[b]);
  const m = idx.length;
  const q = pValues.map(() => Number.NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r];
    running = Math.min(running, (pValues[i] * m) / (r + 1));
    q[i] = running;
  }
  return q;
}

/** At least this share of the positive rows on the variable's "bad" side … */
export const LEAK_POSITIVE_SHARE = 0.99;
/** … and at most this share of the negative rows there: the variable nearly determines the target. */
export const LEAK_NEGATIVE_SHARE = 0.05;

/**
 * The suspected-leak rule, on the depth-1 split that best separates the populations: when the
 * target holds the variable is (nearly) always on one side, and otherwise rarely. That is what
 * an outcome of the target looks like (AI4I's `Machine failure` when the target is `TWF`, a
 * reject counter, the target under another name): worth checking before reading it as a cause.
 * `positivesIn` of `positives` and `negativesIn` of `negatives` (missing values included in the
 * totals) are on the side where positives are more frequent.
 */
/** What a person reads about a variable flagged `suspectedLeak` (CLI and report alike). */
export function suspectedLeakText(variable: string): string {
  return `${variable} nearly determines the target: it looks like an outcome of the target, not a cause (check it before acting on it)`;
}

export function suspectedLeak(
  positivesIn: number,
  positives: number,
  negativesIn: number,
  negatives: number,
): boolean {
  if (positives === 0 || negatives === 0) return false;
  return positivesIn >= LEAK_POSITIVE_SHARE * positives && negativesIn <= LEAK_NEGATIVE_SHARE * negatives;
}
