/**
 * What the report shows beyond the results document: the series of the top variables with the
 * positive windows, and a sample of per-row SHAP values for the beeswarm. Both are built from
 * arrays the pipeline already has, and downsampled so the HTML stays small enough to e-mail.
 */
import type { Labels, ObservationTable, Variable } from '../analysis/frame';
import type { ResultsDocument } from '../analysis/results';

export interface ReportSeries {
  /** Epoch milliseconds, ascending. */
  readonly time: readonly number[];
  readonly variables: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  /** [start, end) epoch-ms ranges where the target was positive. */
  readonly positive: readonly (readonly [number, number])[];
}

export interface ReportShapSample {
  readonly variables: readonly string[];
  /** Per variable, per sampled row: the variable's SHAP value and its feature value scaled to 0..1 (null if missing). */
  readonly points: readonly (readonly { readonly shap: number; readonly level: number | null }[])[];
}

/**
 * A standalone page recomputes a zoom itself (the distribution analysis is bundled into it) on
 * data up to this many values (rows × compared variables): about 2.7 MB of page per 250,000.
 * Larger analyses recompute through `line-rca serve`.
 */
export const STANDALONE_MAX_VALUES = 250_000;

/**
 * The compared variables' rows with the analysis's labels, base64 of little-endian typed arrays
 * (exact values: the page's zoom of the whole period gives the stored ranking back).
 */
export interface RecomputeData {
  readonly rows: number;
  /** Float64 epoch ms per row, ascending. */
  readonly time: string;
  /** Uint8 label per row. */
  readonly labels: string;
  /** Uint8 per row, 0 for rows left out (no target value in their window); null: none is. */
  readonly mask: string | null;
  readonly variables: readonly (
    | {
        readonly name: string;
        readonly kind: 'numeric';
        readonly invalidCount?: number;
        readonly values: string;
      }
    | {
        readonly name: string;
        readonly kind: 'text';
        readonly invalidCount?: number;
        readonly levels: readonly string[];
        /** Int32 level per row, -1 missing. */
        readonly codes: string;
      }
  )[];
}

export interface ReportData {
  readonly results: ResultsDocument;
  readonly target: string;
  readonly series?: ReportSeries;
  readonly shap?: ReportShapSample;
  readonly recompute?: RecomputeData;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    chunk.push(
      ALPHABET[a >> 2] +
        ALPHABET[((a & 3) << 4) | (b >> 4)] +
        (i + 1 < bytes.length ? ALPHABET[((b & 15) << 2) | (c >> 6)] : '=') +
        (i + 2 < bytes.length ? ALPHABET[c & 63] : '='),
    );
    if (chunk.length === 4096) parts.push(chunk.splice(0).join(''));
  }
  parts.push(chunk.join(''));
  return parts.join('');
}

const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

export function fromBase64(text: string): Uint8Array {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (INDEX[text.charCodeAt(i)] << 18) |
      (INDEX[text.charCodeAt(i + 1)] << 12) |
      ((INDEX[text.charCodeAt(i + 2)] & 63) << 6) |
      (INDEX[text.charCodeAt(i + 3)] & 63);
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

const bytesOf = (a: Float64Array | Int32Array | Uint8Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The rows, labels and mask as the page carries them (typed arrays are little-endian everywhere we run). */
export function encodeRecompute(table: ObservationTable, labels: Labels, mask: Uint8Array): RecomputeData {
  const time = table.time ?? Float64Array.from({ length: table.rows }, (_, i) => i * 60_000);
  return {
    rows: table.rows,
    time: toBase64(bytesOf(time)),
    labels: toBase64(bytesOf(labels)),
    mask: mask.every((m) => m === 1) ? null : toBase64(bytesOf(mask)),
    variables: table.variables.map((v) => {
      const invalid = v.invalidCount ? { invalidCount: v.invalidCount } : {};
      if (v.data.kind === 'numeric') {
        return {
          name: v.name,
          kind: 'numeric' as const,
          ...invalid,
          values: toBase64(bytesOf(v.data.values)),
        };
      }
      const levels = [...new Set(v.data.values.filter((x): x is string => x !== null))];
      const index = new Map(levels.map((l, i) => [l, i]));
      const codes = Int32Array.from(v.data.values, (x) => (x === null ? -1 : (index.get(x) as number)));
      return { name: v.name, kind: 'text' as const, ...invalid, levels, codes: toBase64(bytesOf(codes)) };
    }),
  };
}

/** The page's side of `encodeRecompute`. */
export function decodeRecompute(data: RecomputeData): {
  table: ObservationTable & { readonly time: Float64Array };
  labels: Labels;
  mask: Uint8Array | null;
} {
  const float64 = (text: string) => new Float64Array(fromBase64(text).buffer);
  const variables: Variable[] = data.variables.map((v) => {
    const invalid = v.invalidCount ? { invalidCount: v.invalidCount } : {};
    if (v.kind === 'numeric')
      return { name: v.name, data: { kind: 'numeric', values: float64(v.values) }, ...invalid };
    const codes = new Int32Array(fromBase64(v.codes).buffer);
    const values = Array.from(codes, (c) => (c < 0 ? null : v.levels[c]));
    return { name: v.name, data: { kind: 'text', values }, ...invalid };
  });
  return {
    table: { rows: data.rows, variables, time: float64(data.time) },
    labels: fromBase64(data.labels),
    mask: data.mask === null ? null : fromBase64(data.mask),
  };
}

/** Keeps at most `maxPoints` points of a series by min/max per bucket, so spikes stay visible. */
export function downsampleSeries(series: ReportSeries, maxPoints: number): ReportSeries {
  const n = series.time.length;
  if (n <= maxPoints) return series;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const keep = new Set<number>();
  for (const variable of series.variables) {
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * n) / buckets);
      const hi = Math.floor(((b + 1) * n) / buckets);
      let iMin = -1;
      let iMax = -1;
      for (let i = lo; i < hi; i++) {
        const v = variable.values[i];
        if (v === null || Number.isNaN(v)) continue;
        if (iMin < 0 || v < (variable.values[iMin] as number)) iMin = i;
        if (iMax < 0 || v > (variable.values[iMax] as number)) iMax = i;
      }
      if (iMin >= 0) keep.add(iMin);
      if (iMax >= 0) keep.add(iMax);
      if (variable === series.variables[0]) keep.add(lo);
    }
  }
  const index = [...keep].sort((a, b) => a - b);
  return {
    time: index.map((i) => series.time[i]),
    variables: series.variables.map((v) => ({ name: v.name, values: index.map((i) => v.values[i]) })),
    positive: series.positive,
  };
}

/** Merges per-row positive flags into [start, end) ranges, each row lasting until the next. */
export function positiveRanges(
  time: ArrayLike<number>,
  positive: ArrayLike<number>,
  rowMs: number,
): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < time.length; i++) {
    if (!positive[i]) continue;
    const start = time[i];
    const end = start + rowMs;
    const last = ranges[ranges.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  }
  return ranges;
}
