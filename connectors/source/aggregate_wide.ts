/**
 * Time windows of a canonical wide table (`t`, then one column per variable, one row per
 * timestamp: what `loadSource` makes and the observations dataset holds). The table is read
 * into typed arrays in one query (time, the numeric variables, the target's text columns);
 * window_features.ts does the rest, as for a long source, so both give the same features. The
 * text variables' modes are computed in SQL from the table.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TargetExpression } from '../../analysis/target';
import {
  type MeasuredColumn,
  WindowCounter,
  type WindowCounts,
  windowCounts,
} from '../../analysis/window_grid';
import { ident, literal } from '../duckdb';
import type { AggregateReport, AggregationSpec } from './aggregate';
import { readColumns } from './columns';
import type { SourceVariable } from './load';
import { modeFeatures, type WideColumns, windowFeatures, windowRequest } from './window_features';

/** Aggregates the wide table `raw` into columns in memory; no table is written. */
export async function aggregateWideColumns(
  db: DuckDBConnection,
  raw: string,
  variables: readonly SourceVariable[],
  target: TargetExpression,
  spec: AggregationSpec,
): Promise<{ report: AggregateReport; wide: WideColumns }> {
  const request = windowRequest(variables, target, spec);
  const { kinds, used, explanatory } = request;
  const numeric = variables.filter((v) => v.kind === 'numeric').map((v) => v.name);
  const textTarget = used.filter((c) => kinds.get(c) === 'text');
  const read = await readColumns(
    db,
    `SELECT CAST(epoch_us(t) AS DOUBLE) AS t${[
      ...numeric.map((c) => `, CAST(${ident(c)} AS DOUBLE)`),
      ...textTarget.map((c) => `, CAST(${ident(c)} AS VARCHAR)`),
    ].join('')} FROM ${ident(raw)} ORDER BY t`,
  );
  const times = read.columns[0] as Float64Array;
  const column = (name: string) => read.columns[1 + numeric.indexOf(name)] as Float64Array;
  const text = (name: string) =>
    read.columns[1 + numeric.length + textTarget.indexOf(name)] as (string | null)[];
  const targetColumns = used
    .filter((name) => kinds.has(name))
    .map(
      (name): MeasuredColumn =>
        kinds.get(name) === 'text'
          ? { name, kind: 'text', times, values: text(name) }
          : { name, kind: 'numeric', times, values: column(name) },
    );
  const series = explanatory
    .filter((v) => v.kind === 'numeric')
    .map((v) => ({ name: v.name, times, values: column(v.name) }));
  const textRows = (names: readonly string[]) =>
    `(${names.map((name) => `SELECT t, ${literal(name)} AS variable, CAST(${ident(name)} AS VARCHAR) AS txt FROM ${ident(raw)}`).join(' UNION ALL ')})`;
  const { report, wide } = await windowFeatures(
    request,
    windowsOf(times, request.windowMs),
    targetColumns,
    series,
    (names, grid) => modeFeatures(db, textRows(names), names, false, grid),
  );
  return { report, wide };
}

/** The windows of sorted times; a table with repeated times is counted from a sorted copy. */
function windowsOf(times: Float64Array, widthMs: number): WindowCounts {
  const counter = new WindowCounter(widthMs);
  for (let i = 0; i < times.length; i++) {
    if (i > 0 && times[i] <= times[i - 1]) return windowCounts(times, widthMs);
    counter.add(times[i]);
  }
  return counter.result();
}
