/**
 * The standard normal functions the Parzen estimator needs: log tail masses that stay accurate
 * far in the tails (a kernel judged far from its centre must still give a finite log density),
 * and the inverse CDF to sample a truncated normal by inversion.
 */

// Math's members as module constants: a global lookup in a hot loop is slow in sandboxes
// such as jest's vm context.
const { LN2, PI, SQRT2, abs, exp, expm1, log, log1p, max, min, sqrt } = Math;

const LOG_SQRT_PI = 0.5 * log(PI);
const LOG_SQRT_2PI = 0.5 * log(2 * PI);
const TWO_OVER_SQRT_PI = 2 / sqrt(PI);

/** erf(x) by its Taylor series: accurate to ~1e-15 for |x| < 2, where it is used. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (abs(add) < 1e-17 * abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/**
 * log erfc(x) for x >= 2 by the continued fraction erfc(x) = exp(-x²)/√π · 1/K(x),
 * K(x) = x + (1/2)/(x + 1/(x + (3/2)/(x + …))), evaluated with the modified Lentz method;
 * computed in logs so it never underflows.
 */
function logErfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (abs(delta - 1) < 1e-16) break;
  }
  return -x * x - LOG_SQRT_PI - log(f);
}

export function erf(x: number): number {
  if (abs(x) < 2) return erfSeries(x);
  const tail = exp(logErfcContinuedFraction(abs(x)));
  return x > 0 ? 1 - tail : tail - 1;
}

/** log erfc(x), relative-accurate in the right tail. */
export function logErfc(x: number): number {
  if (x >= 2) return logErfcContinuedFraction(x);
  return log1p(-erf(x));
}

/** log Φ(z), the log of the standard normal CDF. */
export function logNdtr(z: number): number {
  if (z < 0) return logErfc(-z / SQRT2) - LN2;
  return log1p(-0.5 * exp(logErfc(z / SQRT2)));
}

/** Φ(z). */
export function ndtr(z: number): number {
  return z < 0 ? 0.5 * exp(logErfc(-z / SQRT2)) : 1 - 0.5 * exp(logErfc(z / SQRT2));
}

/** log φ(z), the log of the standard normal density. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** log(1 − exp(t)) for t <= 0, accurate near both ends. */
function log1mExp(t: number): number {
  return t > -LN2 ? log(-expm1(t)) : log1p(-exp(t));
}

/**
 * log P(a <= Z <= b) for a standard normal Z. Works in the tail on the side where both bounds
 * lie so that narrow intervals far from the centre (discrete values under a distant kernel)
 * keep their relative accuracy.
 */
export function logGaussMass(a: number, b: number): number {
  if (!(b > a)) return b === a ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (b <= 0) return logGaussMass(-b, -a);
  if (a >= 0) {
    // Both in the right tail: Q(a) − Q(b) with Q the upper tail.
    const logQa = logNdtr(-a);
    const logQb = logNdtr(-b);
    return logQa + log1mExp(logQb - logQa);
  }
  // Straddles the centre: 1 − Φ(a) − Q(b), both terms below one half and the mass above 0.3 once
  // b − a >= 1, so a tail beyond 8.5 (< 1e-17) cannot change the result: skip computing it.
  const left = a < -8.5 ? 0 : ndtr(a);
  const right = b > 8.5 ? 0 : ndtr(-b);
  return log1p(-left - right);
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9), refined by
// one Halley step with the accurate CDF above.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Φ⁻¹(p) for p in (0, 1); ±Infinity at 0 and 1. */
export function ndtri(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  let x: number;
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = sqrt(-2 * log(p < P_LOW ? p : 1 - p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    if (p > 1 - P_LOW) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  // Halley refinement: e = Φ(x) − p; working in the smaller tail keeps e accurate.
  const e = x < 0 ? ndtr(x) - p : 1 - p - ndtr(-x);
  const u = e * sqrt(2 * PI) * exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/**
 * The quantile u ∈ [0, 1) of the standard normal truncated to [a, b]: inversion on the tail side
 * of the interval, so a kernel truncated far from its centre still samples inside its bounds.
 */
export function truncatedNormalQuantile(u: number, a: number, b: number): number {
  if (a >= 0) return -truncatedNormalQuantile(1 - u, -b, -a);
  // Here a < 0: Φ(a) is a left-tail value, computed accurately.
  const lo = ndtr(a);
  const hi = ndtr(b);
  const x = ndtri(lo + u * (hi - lo));
  return min(max(x, a), b);
}
