/**
 * Window functions over one variable's measurements, in one pass over typed arrays: the kernel
 * behind every time-window aggregation (connectors/source/window_features.ts, for long rows and
 * wide tables). DuckDB reads and normalizes the rows; this computes every function of every
 * (window, variable) run and writes straight into column-major feature arrays. Doing it here
 * rather than in SQL avoids a grouped quantile sort per run and the pivot of the aggregated
 * rows back to one column per feature, which together were about three quarters of the
 * aggregation's time.
 *
 * Semantics are those of the SQL aggregation (connectors/source/aggregate.ts) and of pandas
 * `resample(..., origin="epoch")`:
 *   - a window is [k·width, (k + 1)·width) in epoch milliseconds, k = trunc(ms / width) as
 *     DuckDB's `epoch_ms(t) // width`;
 *   - measurements sharing a timestamp (microseconds) are merged first, by the mean of their
 *     present values (the pivot to wide rows does the same);
 *   - NaN is a missing value; mean, min, max; std with n − 1; first / last present value in
 *     time; count of present values; slope by least squares against minutes since `originMs`
 *     (NaN with fewer than two values or no spread in time); pNN by linear interpolation
 *     between order statistics (numpy's and DuckDB's `quantile_cont` default).
 */

/** Functions as `checkFunctions` normalizes them: basic names and `pNN` quantiles. */
export type WindowFunctionName = string;

const MEAN = 0;
const STD = 1;
const MIN = 2;
const MAX = 3;
const FIRST = 4;
const LAST = 5;
const COUNT = 6;
const SLOPE = 7;
const QUANTILE = 8;

/** Up to this many ordered pieces are merged; more are sorted by window (counting sort). */
const MERGE_SEGMENTS = 64;

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

export interface WindowGrid {
  /** Every window holding a measurement, as k = trunc(epoch ms / width), ascending. */
  readonly windows: Float64Array;
  /** The output row of each window (same index), −1 for a window that is not written. */
  readonly rowOf: Int32Array;
  /** Output rows: the length of every feature column. */
  readonly rows: number;
  readonly widthMs: number;
  /** Slope times are minutes since this instant (epoch ms); small numbers keep precision. */
  readonly originMs: number;
}

/** Window number of an instant in epoch microseconds, truncated as DuckDB's integer division. */
export function windowOfMicros(us: number, widthMs: number): number {
  // + 0: no negative zero, which DuckDB does not have.
  return Math.trunc(Math.trunc(us / 1000) / widthMs) + 0;
}

/**
 * Aggregates variables one at a time. Scratch buffers grow to the longest variable (or run)
 * and are reused, so memory stays at a few arrays of that length besides the feature columns.
 */
export class WindowAggregator {
  private readonly codes: Int32Array;
  private readonly quantiles: Float64Array;
  private readonly anyQuantile: boolean;
  private windowIndex = new Int32Array(0);
  private bounds = new Int32Array(64);
  private mergeT = [new Float64Array(0), new Float64Array(0)];
  private mergeX = [new Float64Array(0), new Float64Array(0)];
  private byWindowIndex = new Int32Array(0);
  private byWindowT = new Float64Array(0);
  private byWindowX = new Float64Array(0);
  private readonly starts: Int32Array;
  private readonly next: Int32Array;
  private runT = new Float64Array(0);
  private runX = new Float64Array(0);
  private present = new Float64Array(0);
  private minutes = new Float64Array(0);
  /** Statistics of the current run, by function code. */
  private readonly stats = new Float64Array(QUANTILE);

  constructor(
    readonly functions: readonly WindowFunctionName[],
    readonly grid: WindowGrid,
  ) {
    this.codes = new Int32Array(functions.length);
    this.quantiles = new Float64Array(functions.length);
    functions.forEach((f, j) => {
      const code = CODES[f];
      if (code !== undefined) {
        this.codes[j] = code;
        return;
      }
      const q = /^p(\d+(\.\d+)?)$/.exec(f);
      if (!q) throw new Error(`WindowAggregator: unknown function ${f}`);
      this.codes[j] = QUANTILE;
      this.quantiles[j] = Number(q[1]) / 100;
    });
    this.anyQuantile = this.codes.includes(QUANTILE);
    this.starts = new Int32Array(grid.windows.length + 1);
    this.next = new Int32Array(grid.windows.length);
  }

  /** Fresh feature columns for one variable: NaN, counts 0 (a window without values). */
  newColumns(): Float64Array[] {
    return Array.from(this.codes, (code) =>
      new Float64Array(this.grid.rows).fill(code === COUNT ? 0 : Number.NaN),
    );
  }

  /**
   * One variable's `n` measurements: `times` in epoch microseconds, `values` with NaN for
   * missing, in any order; both are only read. Writes its features into `out` (from
   * `newColumns`), or only counts duplicates when `out` is null (a target's or text variable).
   * Returns how many measurements shared a timestamp with an earlier one.
   */
  aggregate(times: Float64Array, values: Float64Array, n: number, out: Float64Array[] | null): number {
    if (this.windowIndex.length < n) this.windowIndex = new Int32Array(n);
    // Small methods, each warmed up on its own: one large one deoptimized on branches the
    // first variables never took.
    const segments = this.ascendingSegments(times, n);
    if (segments === 1) {
      this.assignWindows(times, n);
      return this.contiguousRuns(times, values, this.windowIndex, n, out);
    }
    if (segments <= MERGE_SEGMENTS) {
      // A few ordered pieces (DuckDB's list aggregate concatenates one per thread): merging
      // them is cheaper than sorting by window.
      const merged = this.mergeSegments(times, values, n, segments);
      this.assignWindows(merged.t, n);
      return this.contiguousRuns(merged.t, merged.x, this.windowIndex, n, out);
    }
    this.assignWindows(times, n);
    return this.sortedRuns(times, values, n, out);
  }

  /** Starts of the maximal non-decreasing pieces of `times` into `bounds` (then n); their count. */
  private ascendingSegments(times: Float64Array, n: number): number {
    let bounds = this.bounds;
    let count = 1;
    bounds[0] = 0;
    for (let i = 1; i < n; i++) {
      if (times[i] < times[i - 1]) {
        if (count + 1 >= bounds.length) {
          const grown = new Int32Array(2 * bounds.length);
          grown.set(bounds);
          bounds = grown;
          this.bounds = grown;
        }
        bounds[count++] = i;
      }
    }
    bounds[count] = n;
    return count;
  }

  /** Bottom-up merge of the `segments` ordered pieces; stable, so equal times keep their order. */
  private mergeSegments(
    times: Float64Array,
    values: Float64Array,
    n: number,
    segments: number,
  ): { t: Float64Array; x: Float64Array } {
    if (this.mergeT[0].length < n) {
      this.mergeT = [new Float64Array(n), new Float64Array(n)];
      this.mergeX = [new Float64Array(n), new Float64Array(n)];
    }
    const bounds = this.bounds;
    let srcT = times;
    let srcX = values;
    let side = 0;
    while (segments > 1) {
      const dstT = this.mergeT[side];
      const dstX = this.mergeX[side];
      let merged = 0;
      for (let s = 0; s < segments; s += 2) {
        const a0 = bounds[s];
        const a1 = bounds[s + 1];
        const b1 = s + 2 <= segments ? bounds[s + 2] : a1;
        let i = a0;
        let j = a1;
        let o = a0;
        while (i < a1 && j < b1) {
          if (srcT[j] < srcT[i]) {
            dstT[o] = srcT[j];
            dstX[o++] = srcX[j++];
          } else {
            dstT[o] = srcT[i];
            dstX[o++] = srcX[i++];
          }
        }
        while (i < a1) {
          dstT[o] = srcT[i];
          dstX[o++] = srcX[i++];
        }
        while (j < b1) {
          dstT[o] = srcT[j];
          dstX[o++] = srcX[j++];
        }
        bounds[merged++] = a0;
      }
      bounds[merged] = n;
      segments = merged;
      srcT = dstT;
      srcX = dstX;
      side = 1 - side;
    }
    return { t: srcT, x: srcX };
  }

  /** The window of each measurement into `windowIndex`. */
  private assignWindows(times: Float64Array, n: number): void {
    const { windows, widthMs } = this.grid;
    const index = this.windowIndex;
    const widthUs = widthMs * 1000;
    let k = -1;
    // The current window's bounds in µs (exact integers); negative times always recompute,
    // as truncation toward zero makes window 0 twice as wide there.
    let lo = 0;
    let hi = -1;
    for (let i = 0; i < n; i++) {
      const us = times[i];
      if (!(us >= lo && us < hi)) {
        const w = windowOfMicros(us, widthMs);
        if (k >= 0 && k + 1 < windows.length && windows[k + 1] === w) k++;
        else if (k < 0 || windows[k] !== w) {
          k = findWindow(windows, w);
          if (k < 0) throw new Error(`WindowAggregator: window ${w} is not in the grid`);
        }
        if (w >= 0) {
          lo = w * widthUs;
          hi = lo + widthUs;
        } else {
          lo = 0;
          hi = -1;
        }
      }
      index[i] = k;
    }
  }

  /** Times ascending: every run is a contiguous range. */
  private contiguousRuns(
    times: Float64Array,
    values: Float64Array,
    index: Int32Array,
    n: number,
    out: Float64Array[] | null,
  ): number {
    let duplicates = 0;
    for (let s = 0; s < n; ) {
      const k = index[s];
      let e = s + 1;
      while (e < n && index[e] === k) e++;
      duplicates += this.run(times, values, s, e, k, out);
      s = e;
    }
    return duplicates;
  }

  /**
   * Times out of order: a stable counting sort by window into scratch arrays (sequential
   * reads), then contiguous runs.
   */
  private sortedRuns(
    times: Float64Array,
    values: Float64Array,
    n: number,
    out: Float64Array[] | null,
  ): number {
    const nw = this.grid.windows.length;
    const index = this.windowIndex;
    if (this.byWindowT.length < n) {
      this.byWindowT = new Float64Array(n);
      this.byWindowX = new Float64Array(n);
      this.byWindowIndex = new Int32Array(n);
    }
    const starts = this.starts;
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[index[i] + 1]++;
    for (let j = 0; j < nw; j++) starts[j + 1] += starts[j];
    const next = this.next;
    next.set(starts.subarray(0, nw));
    const t = this.byWindowT;
    const x = this.byWindowX;
    const sortedIndex = this.byWindowIndex;
    for (let i = 0; i < n; i++) {
      const k = index[i];
      const to = next[k]++;
      t[to] = times[i];
      x[to] = values[i];
      sortedIndex[to] = k;
    }
    return this.contiguousRuns(t, x, sortedIndex, n, out);
  }

  /**
   * One (window, variable) run: measurements `s` to `e`. When they are not strictly ascending
   * in time, sorts a copy and merges equal timestamps by the mean of their present values.
   * Writes the features; returns the duplicates merged.
   */
  private run(
    times: Float64Array,
    values: Float64Array,
    s: number,
    e: number,
    window: number,
    out: Float64Array[] | null,
  ): number {
    let ascending = true;
    for (let i = s + 1; i < e; i++) {
      if (times[i] <= times[i - 1]) {
        ascending = false;
        break;
      }
    }
    const row = this.grid.rowOf[window];
    if (ascending) {
      if (out !== null && row >= 0) this.features(times, values, s, e, out, row);
      return 0;
    }
    const m = e - s;
    this.reserve(m);
    const t = this.runT;
    const x = this.runX;
    for (let i = 0; i < m; i++) {
      t[i] = times[s + i];
      x[i] = values[s + i];
    }
    sortByTime(t, x, m);
    let duplicates = 0;
    let kept = 0;
    for (let i = 0; i < m; ) {
      let j = i + 1;
      while (j < m && t[j] === t[i]) j++;
      let value = x[i];
      if (j - i > 1) {
        duplicates += j - i - 1;
        let sum = 0;
        let c = 0;
        for (let u = i; u < j; u++) {
          if (!Number.isNaN(x[u])) {
            sum += x[u];
            c++;
          }
        }
        value = c > 0 ? sum / c : Number.NaN;
      }
      t[kept] = t[i];
      x[kept] = value;
      kept++;
      i = j;
    }
    if (out !== null && row >= 0) this.features(t, x, 0, kept, out, row);
    return duplicates;
  }

  private reserve(m: number): void {
    if (this.runT.length >= m) return;
    const size = Math.max(m, 2 * this.runT.length, 64);
    this.runT = new Float64Array(size);
    this.runX = new Float64Array(size);
    this.present = new Float64Array(size);
    this.minutes = new Float64Array(size);
  }

  /** Every function of measurements `s` to `e`, strictly ascending in time, into `row`. */
  private features(
    t: Float64Array,
    x: Float64Array,
    s: number,
    e: number,
    out: Float64Array[],
    row: number,
  ): void {
    this.reserve(e - s);
    // Present values only, times as minutes since the origin; sum, min, max on the way.
    const values = this.present;
    const minutes = this.minutes;
    const origin = this.grid.originMs;
    let m = 0;
    let sum = 0;
    let sumT = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = s; i < e; i++) {
      const v = x[i];
      if (Number.isNaN(v)) continue;
      // Whole milliseconds, as DuckDB's `epoch_ms` gives them to `regr_slope`.
      const tm = (Math.trunc(t[i] / 1000) - origin) / 60000;
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

/** Sorts a run by time, values alongside: insertion sort for short runs (stable). */
function sortByTime(t: Float64Array, x: Float64Array, m: number): void {
  if (m <= 32) {
    for (let i = 1; i < m; i++) {
      const ti = t[i];
      const xi = x[i];
      let j = i - 1;
      while (j >= 0 && t[j] > ti) {
        t[j + 1] = t[j];
        x[j + 1] = x[j];
        j--;
      }
      t[j + 1] = ti;
      x[j + 1] = xi;
    }
    return;
  }
  const idx = Array.from({ length: m }, (_, i) => i);
  idx.sort((a, b) => t[a] - t[b] || a - b);
  const tt = Float64Array.from(idx, (i) => t[i]);
  const xx = Float64Array.from(idx, (i) => x[i]);
  t.set(tt);
  x.set(xx);
}

/** Index of `w` in ascending `windows`, −1 when absent. */
export function findWindow(windows: Float64Array, w: number): number {
  let lo = 0;
  let hi = windows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid] < w) lo = mid + 1;
    else hi = mid;
  }
  return windows[lo] === w ? lo : -1;
}
