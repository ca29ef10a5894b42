/**
 * The shapes loading deals in: what a source's variables are, what to load, what loading found.
 * Apart from load.ts so that long-rows.ts and the MongoDB stager use them without a cycle.
 */
import type { Period } from '../../analysis/aggregate/time';

export type VariableKind = 'numeric' | 'text';

export interface SourceVariable {
  readonly name: string;
  readonly kind: VariableKind;
  /** Values of a numeric variable that could not be read as numbers (set to missing). */
  readonly invalidCount: number;
}

export interface LoadOptions {
  /** Epoch ms, `fromMs` inclusive, `toMs` exclusive (parsed by the configuration module). */
  readonly period?: Period;
  /** Only these variables (empty or absent: all). */
  readonly include?: readonly string[];
  /** Leave these variables out. */
  readonly exclude?: readonly string[];
  /** Always keep these (the target's columns), whatever include / exclude say. */
  readonly keep?: readonly string[];
  /** How the caller calls `include` in messages (default `variables.include`; `--variables`). */
  readonly includeOption?: string;
  /**
   * Other columns the configuration names (roles, strata), checked against the source's columns
   * and reported at `where` with the name's index; kept whatever include / exclude say when `keep`.
   */
  readonly named?: readonly NamedColumns[];
}

export interface NamedColumns {
  readonly where: string;
  readonly names: readonly string[];
  readonly keep?: boolean;
}

/** The columns loading keeps whatever include / exclude say: the target's, and named ones kept. */
export function keptColumns(options: LoadOptions): string[] {
  return [...(options.keep ?? []), ...(options.named ?? []).filter((n) => n.keep).flatMap((n) => n.names)];
}

/** What loading found and did: part of every dataset's description. */
export interface LoadReport {
  /** Where the data came from, as used in messages (a path, `mongodb:measurements`). */
  readonly source: string;
  readonly layout: 'wide' | 'long';
  readonly rows: number;
  /** First and last timestamp kept (ISO, UTC). */
  readonly from: string;
  readonly to: string;
  readonly variables: readonly SourceVariable[];
  /** Rows (wide) or measurements (long) sharing a timestamp with an earlier one; merged by mean. */
  readonly duplicateRows: number;
  /** Rows whose time is earlier than the row before them in the source; the table is sorted. */
  readonly unsortedRows: number;
  /** The time column read, or null when the rows got times in file order (no time column). */
  readonly timeColumn: string | null;
  /** Distinct UTC offsets seen in text timestamps (`Z`, `+02:00`, `none`); all converted to UTC. */
  readonly timeZones: readonly string[];
}

/** How the staged source looks before it is made canonical. */
export interface StagedSource {
  /** Name used in messages. */
  readonly source: string;
  /** A relation (view or table) over the source rows, in source order. */
  readonly relation: string;
  readonly timeColumn: string;
  /**
   * Long layout: the variable name and value columns; `text`, when set, holds the text values
   * and `value` only numbers (MongoDB documents keep both types in one field).
   */
  readonly long?: { readonly variable: string; readonly value: string; readonly text?: string };
  /** Line numbers in messages count a header line (CSV) or not (Parquet, MongoDB). */
  readonly headerLines: number;
  /**
   * The same rows as `relation` as an expression that stays readable after the staging is
   * dropped (a Parquet file's `read_parquet(...)`); absent when the rows live in a temp table.
   */
  readonly scan?: string;
  /** Files: the format, and a CSV's field separator (a decimal comma is told apart with it). */
  readonly format?: 'csv' | 'parquet';
  readonly separator?: string;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/** The time column given to the rows of a file without time (row i: 1970-01-01 + i minutes). */
export const ROW_TIME = '__row_time';
