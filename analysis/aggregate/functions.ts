/**
 * The aggregation functions: their names (the configuration's `aggregation.functions`), and the
 * kernel that computes every function of every (observation, variable) in one pass over typed
 * arrays, writing straight into column-major feature arrays.
 *
 * Semantics (checked against pandas `resample(..., origin="epoch")` in test/fixtures/aggregate):
 *   - the rows are the canonical table's: one per distinct timestamp, ascending; NaN is missing;
 *   - mean, min, max; std with n − 1 (pandas); first / last present value in time; count of
 *     present values; slope by least squares against minutes since the table's first time
 *     (units per minute; NaN with fewer than two values); pNN by linear interpolation between
 *     order statistics (numpy's default);
 *   - text variables: `mode`, the most frequent value, ties to the smallest in text order.
 */
import type { Groups } from './groups';

export const BASIC_FUNCTIONS = ['mean', 'std', 'min', 'max', 'first', 'last', 'count', 'slope'] as const;
export const DEFAULT_FUNCTIONS: readonly string[] = ['mean', 'std', 'min', 'max', 'last'];
export const FUNCTIONS_HINT = `one of ${BASIC_FUNCTIONS.join(', ')} or a quantile p1 … p99`;

/** A function the kernel computes: one of the basic ones, or a quantile `p1` … `p99`. */
export function isAggregationFunction(name: string): boolean {
  return (BASIC_FUNCTIONS as readonly string[]).includes(name) || /^p([1-9]|[1-9]\d)$/.test(name);
}

const MEAN = 0;
const STD = 1;
const MIN = 2;
const MAX = 3;
const FIRST = 4;
const LAST = 5;
const COUNT = 6;
const SLOPE = 7;
const QUANTILE = 8;

const CODES: Record<string, number> = {
  mean: MEAN,
  std: STD,
  min: MIN,
  max: MAX,
  first: FIRST,
  last: LAST,
  count: COUNT,
  slope: SLOPE,
};

/**
 * Aggregates numeric variables one at a time over fixed groups of rows (windows, batches).
 * The rows of each group are put in order once, shared by every variable; scratch buffers are
 * sized to the largest group and reused.
 */
export class GroupAggregator {
  private readonly codes: Int32Array;
  private readonly quantiles: Float64Array;
  private readonly anyQuantile: boolean;
  /** Rows of group g are `order[starts[g] .. starts[g + 1])`, in time order. */
  private readonly order: Int32Array;
  private readonly starts: Int32Array;
  /** Minutes since the origin, per row. */
  private readonly minutes: Float64Array;
  private readonly present: Float64Array;
  private readonly presentMinutes: Float64Array;
  private readonly stats = new Float64Array(QUANTILE);

  /**
   * `rowOf[g]`: the output row group g's features go to, −1 for none; `times` epoch ms of the
   * rows, ascending; `originMs` the slope's zero.
   */
  constructor(
    readonly functions: readonly string[],
    groups: Groups,
    private readonly rowOf: Int32Array,
    readonly rows: number,
    times: Float64Array,
    originMs: number,
  ) {
    this.codes = new Int32Array(functions.length);
    this.quantiles = new Float64Array(functions.length);
    functions.forEach((f, j) => {
      const code = CODES[f];
      if (code !== undefined) {
        this.codes[j] = code;
        return;
      }
      const q = /^p(\d+)$/.exec(f);
      if (!q) throw new Error(`GroupAggregator: unknown function ${f}`);
      this.codes[j] = QUANTILE;
      this.quantiles[j] = Number(q[1]) / 100;
    });
    this.anyQuantile = this.codes.includes(QUANTILE);
    // A stable counting sort of the rows by group keeps each group's rows in time order.
    const n = groups.of.length;
    const starts = new Int32Array(groups.count + 1);
    for (let i = 0; i < n; i++) if (groups.of[i] >= 0) starts[groups.of[i] + 1]++;
    let largest = 0;
    for (let g = 0; g < groups.count; g++) {
      largest = Math.max(largest, starts[g + 1]);
      starts[g + 1] += starts[g];
    }
    const next = starts.slice(0, groups.count);
    const order = new Int32Array(starts[groups.count]);
    for (let i = 0; i < n; i++) {
      const g = groups.of[i];
      if (g >= 0) order[next[g]++] = i;
    }
    this.order = order;
    this.starts = starts;
    this.minutes = new Float64Array(n);
    for (let i = 0; i < n; i++) this.minutes[i] = (Math.floor(times[i]) - originMs) / 60000;
    this.present = new Float64Array(largest);
    this.presentMinutes = new Float64Array(largest);
  }

  /** Fresh feature columns for one variable: NaN, counts 0 (a group without values). */
  newColumns(): Float64Array[] {
    return Array.from(this.codes, (code) =>
      new Float64Array(this.rows).fill(code === COUNT ? 0 : Number.NaN),
    );
  }

  /** One variable's values (NaN missing), one per row: its features into `out` (from `newColumns`). */
  aggregate(values: Float64Array, out: Float64Array[]): void {
    const { order, starts, rowOf } = this;
    for (let g = 0; g < rowOf.length; g++) {
      const row = rowOf[g];
      if (row >= 0) this.features(values, order, starts[g], starts[g + 1], out, row);
    }
  }

  private features(
    x: Float64Array,
    order: Int32Array,
    s: number,
    e: number,
    out: Float64Array[],
    row: number,
  ): void {
    const values = this.present;
    const minutes = this.presentMinutes;
    const rowMinutes = this.minutes;
    let m = 0;
    let sum = 0;
    let sumT = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = s; k < e; k++) {
      const i = order[k];
      const v = x[i];
      if (Number.isNaN(v)) continue;
      const tm = rowMinutes[i];
      minutes[m] = tm;
      values[m] = v;
      m++;
      sum += v;
      sumT += tm;
      // Math.min / max compile without branches: noisy values mispredict an `if`.
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (m === 0) return;
    const stats = this.stats;
    const mean = sum / m;
    stats[MEAN] = mean;
    stats[MIN] = min;
    stats[MAX] = max;
    stats[FIRST] = values[0];
    stats[LAST] = values[m - 1];
    stats[COUNT] = m;
    if (m < 2) {
      stats[STD] = Number.NaN;
      stats[SLOPE] = Number.NaN;
    } else {
      // Centred sums (two passes) keep the precision of std and slope.
      const meanT = sumT / m;
      let sxx = 0;
      let sxy = 0;
      let syy = 0;
      for (let i = 0; i < m; i++) {
        const dt = minutes[i] - meanT;
        const dx = values[i] - mean;
        sxx += dt * dt;
        sxy += dt * dx;
        syy += dx * dx;
      }
      stats[STD] = Math.sqrt(syy / (m - 1));
      stats[SLOPE] = sxx > 0 ? sxy / sxx : Number.NaN;
    }
    // Quantiles sort the present values in place: nothing reads them in time order after this.
    if (this.anyQuantile) sortValues(values, m);
    const codes = this.codes;
    for (let f = 0; f < codes.length; f++) {
      const code = codes[f];
      out[f][row] = code === QUANTILE ? quantile(values, m, this.quantiles[f]) : stats[code];
    }
  }
}

/**
 * The most frequent text of each group (ties to the smallest text), into output rows `rowOf[g]`;
 * null where a group has no text.
 */
export function groupModes(
  values: readonly (string | null)[],
  groups: Groups,
  rowOf: Int32Array,
  rows: number,
): (string | null)[] {
  const out = new Array<string | null>(rows).fill(null);
  const counts: Map<string, number>[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const g = groups.of[i];
    if (v === null || g < 0 || rowOf[g] < 0) continue;
    const own = counts[g] ?? new Map<string, number>();
    counts[g] = own;
    own.set(v, (own.get(v) ?? 0) + 1);
  }
  counts.forEach((own, g) => {
    let best: string | null = null;
    let most = 0;
    for (const [v, c] of own) {
      if (c > most || (c === most && best !== null && v < best)) {
        best = v;
        most = c;
      }
    }
    out[rowOf[g]] = best;
  });
  return out;
}

/** Linear interpolation between the order statistics around q·(m − 1). */
export function quantile(sorted: Float64Array, m: number, q: number): number {
  const position = q * (m - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  if (lo === hi) return sorted[lo];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

function sortValues(a: Float64Array, m: number): void {
  if (m > 32) {
    a.subarray(0, m).sort();
    return;
  }
  for (let i = 1; i < m; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
