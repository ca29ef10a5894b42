/**
 * Autocorrelation of a series in observation order, through the FFT (Wiener–Khinchin), so a
 * series of a few hundred thousand observations costs milliseconds, and the correlation length
 * a time-aware null needs: how far apart two observations must be to be nearly unrelated.
 */

/** In-place iterative radix-2 FFT of (re, im), length a power of two, twiddles from one table. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  for (let size = 2; size <= n; size <<= 1) {
    const span = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, w = 0; k < span; k++, w += step) {
        const a = start + k;
        const b = a + span;
        const cr = cos[w];
        const ci = sin[w];
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * Sample autocorrelations r(0..maxLag) of `series` (missing values, NaN, count as the mean):
 * r(k) = Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)², the usual biased estimate (statsmodels'
 * `acf(adjusted=False)`). A constant series has r(k) = 0 for k ≥ 1.
 */
export function autocorrelation(series: ArrayLike<number>, maxLag: number): Float64Array {
  const n = series.length;
  const lags = Math.max(0, Math.min(maxLag, n - 1));
  const out = new Float64Array(lags + 1);
  if (n === 0) return out;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = series[i];
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    const v = series[i];
    re[i] = Number.isNaN(v) ? 0 : v - mean;
  }
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const zero = re[0];
  out[0] = 1;
  if (!(zero > 1e-12 * size)) return out;
  for (let k = 1; k <= lags; k++) out[k] = re[k] / zero;
  return out;
}

/**
 * The correlation length: the first lag at which the autocorrelation falls below `threshold`
 * (default 0.1), at least 1. Observations that far apart are nearly unrelated; a shift shorter
 * than this would compare the labels largely with themselves. Searched up to `maxLag`, which is
 * returned when the series never decorrelates that soon.
 */
export function correlationLength(series: ArrayLike<number>, maxLag: number, threshold = 0.1): number {
  const r = autocorrelation(series, maxLag);
  for (let k = 1; k < r.length; k++) if (r[k] < threshold) return k;
  return Math.max(1, r.length - 1);
}
