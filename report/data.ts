/**
 * What the report shows beyond the results document: the series of the top variables with the
 * positive windows, and a sample of per-row SHAP values for the beeswarm. Both are built from
 * arrays the pipeline already has, and downsampled so the HTML stays small enough to e-mail.
 */
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

export interface ReportData {
  readonly results: ResultsDocument;
  readonly target: string;
  readonly series?: ReportSeries;
  readonly shap?: ReportShapSample;
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
