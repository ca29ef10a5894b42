/**
 * The in-memory shapes every analysis works on. Column-major, one typed array a variable, so
 * a variable can be binned, sorted or sliced without touching the others, and the arrays can be
 * transferred to worker threads without copying.
 */

/** Numeric features for the learners: `columns[j][i]` is feature `j` of row `i`; NaN is missing. */
export interface FeatureMatrix {
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly rows: number;
}

/** Binary labels, one per row: 1 positive (the "bad" population), 0 negative. */
export type Labels = Uint8Array;

/** A source variable as read from data: numbers (NaN missing) or strings (null missing). */
export type VariableValues =
  | { readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly kind: 'text'; readonly values: readonly (string | null)[] };

export interface Variable {
  readonly name: string;
  readonly data: VariableValues;
  /** Values that could not be read as numbers (junk strings, ±Infinity) and were set to NaN. */
  readonly invalidCount?: number;
}

/** A table of observations: one entry per variable, all the same length, plus optional times. */
export interface ObservationTable {
  readonly rows: number;
  readonly variables: readonly Variable[];
  /** Epoch milliseconds (UTC) per row, when the data has a time column. */
  readonly time?: Float64Array;
}

export function featureMatrix(names: readonly string[], columns: readonly Float64Array[]): FeatureMatrix {
  if (names.length !== columns.length) {
    throw new RangeError(`featureMatrix: ${names.length} names but ${columns.length} columns`);
  }
  const rows = columns.length > 0 ? columns[0].length : 0;
  columns.forEach((c, j) => {
    if (c.length !== rows) {
      throw new RangeError(`featureMatrix: column "${names[j]}" has ${c.length} rows, expected ${rows}`);
    }
  });
  return { names, columns, rows };
}

/** The rows `rows` of a matrix (in that order), as a new matrix. */
export function selectRows(matrix: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const columns = matrix.columns.map((c) => {
    const out = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = c[rows[k]];
    return out;
  });
  return { names: matrix.names, columns, rows: rows.length };
}

/** The labels of rows `rows`, in that order. */
export function selectLabels(labels: Labels, rows: ArrayLike<number>): Labels {
  const out = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = labels[rows[k]];
  return out;
}
