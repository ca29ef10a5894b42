/**
 * The chi-square test of independence on a categories × populations table, as
 * `scipy.stats.chi2_contingency` (Yates' correction when there is one degree of freedom), and
 * Cramér's V as `scipy.stats.contingency.association(method='cramer')` (no correction).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_G + 2; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;

/** Regularized upper incomplete gamma Q(a, x): series below a + 1, continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Lentz's continued fraction for Q
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logPrefix) * h;
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom. */
export function chiSquareSf(statistic: number, dof: number): number {
  return gammaQ(dof / 2, statistic / 2);
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
  /** Cramér's V from the uncorrected statistic. */
  readonly cramersV: number;
}

/**
 * Chi-square test on counts `table[r][c]` (rows: categories present, columns: populations).
 * Rows or columns that sum to zero must be removed by the caller (SciPy refuses them).
 */
export function chiSquareContingency(table: readonly (readonly number[])[]): ChiSquareResult {
  const r = table.length;
  const c = r > 0 ? table[0].length : 0;
  const rowSums = table.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = new Array<number>(c).fill(0);
  let total = 0;
  for (const row of table) {
    row.forEach((v, j) => {
      colSums[j] += v;
      total += v;
    });
  }
  const dof = (r - 1) * (c - 1);
  if (dof === 0 || total === 0) return { statistic: 0, pValue: 1, dof, cramersV: 0 };
  let stat = 0;
  let statRaw = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const expected = (rowSums[i] * colSums[j]) / total;
      let observed = table[i][j];
      statRaw += (observed - expected) ** 2 / expected;
      if (dof === 1) {
        // Yates: move each observed count toward its expectation by at most 0.5
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += (observed - expected) ** 2 / expected;
    }
  }
  const cramersV = Math.sqrt(statRaw / (total * (Math.min(r, c) - 1)));
  return { statistic: stat, pValue: chiSquareSf(stat, dof), dof, cramersV };
}
