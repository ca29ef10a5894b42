/**
 * Time-window features from measurements in memory, the part that the long source
 * (aggregate_long.ts: `__long` rows) and the canonical wide table (aggregate_wide.ts: the
 * observations dataset the pipeline aggregates) share once each has read its rows: the window
 * grid and labels (analysis/window_grid.ts), the window functions in one JS pass
 * (analysis/window_aggregate.ts), the text modes in SQL, and the wide feature columns.
 *
 * ARCHITECTURE.md puts aggregation in DuckDB SQL; time windows are the exception. In SQL the
 * grouped quantiles, slopes and deviations of 50 variables cost 3–4 s on 43,200 rows (one
 * month at one minute), and the pivot of aggregated long rows back to one column per feature
 * about as much; the JS pass costs about 0.1 s for 2 million values. Batches and `"none"` stay
 * in SQL (aggregate.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../analysis/errors';
import { type TargetExpression, targetColumns } from '../../analysis/target';
import { formatDuration, lagInWindows, parseDuration } from '../../analysis/window';
import { findWindow, WindowAggregator, type WindowGrid } from '../../analysis/window_aggregate';
import { type MeasuredColumn, type WindowCounts, windowLabels } from '../../analysis/window_grid';
import { literal, queryRows } from '../duckdb';
import {
  type AggregateReport,
  type AggregationSpec,
  checkFunctions,
  DEFAULT_FUNCTIONS,
  LABEL,
  ROWS,
  TIME,
} from './aggregate';
import type { AppendColumn } from './append';
import type { SourceVariable, VariableKind } from './load';

/**
 * The features table's columns as computed (`__time`, `__label`, `__rows`, then the features).
 * A caller that only needs them in memory can skip writing the temp table and reading it
 * back.
 */
export interface WideColumns {
  readonly names: readonly string[];
  readonly columns: readonly AppendColumn[];
}

/** A time-window aggregation, checked. */
export interface WindowRequest {
  readonly target: TargetExpression;
  readonly kinds: ReadonlyMap<string, VariableKind>;
  /** The target's columns (no features). */
  readonly used: readonly string[];
  readonly explanatory: readonly SourceVariable[];
  readonly functions: readonly string[];
  readonly windowMs: number;
  readonly lagWindows: number;
}

/**
 * Checks the request before anything is read: time windows, functions, window and lag, and
 * the target (evaluated on no rows, it checks its columns and their kinds).
 */
export function windowRequest(
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
): WindowRequest {
  if (spec.window === 'none' || spec.batchColumn) throw new Error('windowRequest: time windows only');
  const kinds = new Map(variables.map((v) => [v.name, v.kind]));
  const used = targetColumns(target);
  const empty = new Float64Array(0);
  windowLabels(
    target,
    used
      .filter((name) => kinds.has(name))
      .map(
        (name): MeasuredColumn =>
          kinds.get(name) === 'text'
            ? { name, kind: 'text', times: empty, values: [] }
            : { name, kind: 'numeric', times: empty, values: empty },
      ),
    empty,
    1,
  );
  const functions = checkFunctions(spec.functions ?? DEFAULT_FUNCTIONS);
  const windowMs = parseDuration(spec.window ?? '10m', 'aggregation.window');
  if (windowMs <= 0)
    throw new InvalidInputError({ where: 'aggregation.window', message: 'must be longer than 0' });
  const lagWindows = lagInWindows(parseDuration(spec.lag ?? 0, 'aggregation.lag'), windowMs);
  const explanatory = variables.filter((v) => !used.includes(v.name));
  return { target, kinds, used, explanatory, functions, windowMs, lagWindows };
}

/** One variable's measurements as the window functions take them (epoch µs; NaN missing). */
export interface VariableSeries {
  readonly name: string;
  readonly times: Float64Array;
  readonly values: Float64Array;
}

/**
 * The features of `request` from the windows of the source, the target's columns and every
 * variable's measurements (`series`: the numeric explanatory variables get features, the
 * others only count their duplicates); `modes` computes the text variables' modes once the
 * grid is known. Returns the duplicates merged too.
 */
export async function windowFeatures(
  request: WindowRequest,
  windowCounts: WindowCounts,
  target: readonly MeasuredColumn[],
  series: Iterable<VariableSeries>,
  modes: (
    text: readonly string[],
    grid: WindowGrid,
    duplicates: boolean,
  ) => Promise<Map<string, (string | null)[]>>,
): Promise<{ report: AggregateReport; wide: WideColumns; duplicates: number }> {
  const { explanatory, functions, windowMs, lagWindows } = request;
  const { windows, counts, originMs } = windowCounts;
  const { labels, present } = windowLabels(request.target, target, windows, windowMs);
  // Output rows: windows with a target value whose window `lag` earlier has rows.
  const nw = windows.length;
  const rowOf = new Int32Array(nw).fill(-1);
  const rowTimes: number[] = [];
  const rowLabels: number[] = [];
  const rowCounts: number[] = [];
  for (let k = 0; k < nw; k++) {
    if (!present[k]) continue;
    const source = findWindow(windows, windows[k] - lagWindows);
    if (source < 0) continue;
    rowOf[source] = rowTimes.length;
    rowTimes.push(windows[k] * windowMs);
    rowLabels.push(labels[k]);
    rowCounts.push(counts[source]);
  }
  const rows = rowTimes.length;
  if (rows === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: `no ${formatDuration(windowMs)} window has a value for the target's columns${lagWindows ? ' (with the lag)' : ''}`,
    });
  }
  const grid: WindowGrid = { windows, rowOf, rows, widthMs: windowMs, originMs };

  const aggregator = new WindowAggregator(functions, grid);
  const numericColumns = new Map<string, Float64Array[]>();
  for (const v of explanatory) if (v.kind === 'numeric') numericColumns.set(v.name, aggregator.newColumns());
  let duplicates = 0;
  for (const s of series) {
    duplicates += aggregator.aggregate(s.times, s.values, s.times.length, numericColumns.get(s.name) ?? null);
  }
  const text = explanatory.filter((v) => v.kind === 'text').map((v) => v.name);
  const textModes = await modes(text, grid, duplicates > 0);

  const features: string[] = [];
  const columns: AppendColumn[] = [
    Float64Array.from(rowTimes),
    Uint8Array.from(rowLabels),
    Float64Array.from(rowCounts),
  ];
  for (const v of explanatory) {
    if (v.kind === 'numeric') {
      const own = numericColumns.get(v.name)!;
      functions.forEach((f, j) => {
        features.push(`${v.name}__${f}`);
        columns.push(own[j]);
      });
    } else {
      features.push(`${v.name}__mode`);
      columns.push(textModes.get(v.name)!);
    }
  }
  let positives = 0;
  for (const y of rowLabels) positives += y;
  return {
    report: {
      rows,
      positives,
      features,
      variables: explanatory.map((v) => v.name),
      windowMs,
      lagWindows,
    },
    wide: { names: [TIME, LABEL, ROWS, ...features], columns },
    duplicates,
  };
}

/**
 * Most frequent text a window of `grid`, ties to the smallest, from `source`: a relation of
 * (t, variable, txt) rows; with `merge`, duplicated (t, variable) rows count once, as their
 * smallest text.
 */
export async function modeFeatures(
  db: DuckDBConnection,
  source: string,
  text: readonly string[],
  merge: boolean,
  grid: WindowGrid,
): Promise<Map<string, (string | null)[]>> {
  const modes = new Map<string, (string | null)[]>();
  if (text.length === 0) return modes;
  for (const name of text) modes.set(name, new Array<string | null>(grid.rows).fill(null));
  const names = text.map(literal).join(', ');
  const rows = merge
    ? `(SELECT t, variable, min(txt) AS txt FROM ${source} WHERE variable IN (${names}) GROUP BY t, variable)`
    : source;
  const found = await queryRows(
    db,
    `SELECT variable, CAST(w AS DOUBLE) AS w, first(txt ORDER BY c DESC, txt ASC) AS m FROM (SELECT variable, (epoch_ms(t) // ${grid.widthMs}) AS w, txt, count(*) AS c FROM ${rows} WHERE variable IN (${names}) AND txt IS NOT NULL GROUP BY ALL) GROUP BY ALL`,
  );
  for (const r of found) {
    const k = findWindow(grid.windows, Number(r.w));
    const row = k < 0 ? -1 : grid.rowOf[k];
    if (row >= 0) modes.get(String(r.variable))![row] = String(r.m);
  }
  return modes;
}
