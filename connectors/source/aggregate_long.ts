/**
 * Window aggregation straight from long rows (`__long`: t, variable, num, txt, with
 * `__long_variables` as `loadSource(..., keepLong)` stages them), without pivoting millions of
 * rows to one column a variable. Same features, names, label and semantics as the wide table's
 * (aggregate_wide.ts); the tests check both against the same pandas reference.
 *
 * long_rows.ts reads the rows in one ordered scan, grouped by variable, counting the windows
 * on the way; window_features.ts does the rest. Grouping the rows into per-variable lists in
 * DuckDB and counting the windows and labels in more scans cost about twice this one scan.
 *
 * Duplicated (t, variable) measurements are merged by mean (text: the smallest value), as the
 * pivot does, and counted. Missing numbers (NULL, or NaN in a Parquet source) are missing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TargetExpression } from '../../analysis/target';
import { WindowCounter, windowCounts } from '../../analysis/window_grid';
import type { AggregateReport, AggregationSpec } from './aggregate';
import type { LoadReport, SourceVariable } from './load';
import { measuredColumns, PULL_ROWS, readLong, textMeasurements } from './long_rows';
import { modeFeatures, type WideColumns, windowFeatures, windowRequest } from './window_features';

/** What the aggregation measured of the source (`loadSource(..., keepLong)` leaves these out). */
export type LongCounts = Pick<LoadReport, 'rows' | 'from' | 'to' | 'duplicateRows' | 'unsortedRows'>;

/**
 * Aggregates `__long` into columns in memory; no table is written. JS holds 16 bytes a
 * measurement while it works. `pullRows` is where reading switches to streaming.
 */
export async function aggregateLongColumns(
  db: DuckDBConnection,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
  pullRows = PULL_ROWS,
): Promise<{ report: AggregateReport; source: LongCounts; wide: WideColumns }> {
  const request = windowRequest(variables, target, spec);
  const counter = new WindowCounter(request.windowMs);
  const measurements = await readLong(db, counter, pullRows);
  // Rows out of order: the windows are counted again from all the times, sorted.
  const windows =
    measurements.unsorted === 0
      ? counter.result()
      : windowCounts(measurements.variableTimes, request.windowMs);
  const texts = await textMeasurements(
    db,
    request.used.filter((c) => request.kinds.get(c) === 'text'),
  );
  const { names, starts, variableTimes, variableValues } = measurements;
  const series = names.map((name, j) => ({
    name,
    times: variableTimes.subarray(starts[j], starts[j + 1]),
    values: variableValues.subarray(starts[j], starts[j + 1]),
  }));
  const { report, wide, duplicates } = await windowFeatures(
    request,
    windows,
    measuredColumns(
      measurements,
      texts,
      request.used
        .filter((name) => request.kinds.has(name))
        .map((name) => ({ name, kind: request.kinds.get(name)! })),
    ),
    series,
    (text, grid, merge) => modeFeatures(db, '__long', text, merge, grid),
  );
  let distinct = 0;
  for (const c of windows.counts) distinct += c;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    report,
    source: {
      rows: distinct,
      from: iso(windows.originMs),
      to: iso(Math.trunc(measurements.latest / 1000)),
      duplicateRows: duplicates,
      unsortedRows: measurements.unsorted,
    },
    wide,
  };
}
