/**
 * Data placed once in shared memory, so every task of a pool reads the same bytes instead of
 * receiving a copy: a search's trials all train on one features matrix and one `BinnedDataset`.
 */
import type { FeatureMatrix, ObservationTable, Variable } from '../analysis/frame';
import type { BinnedDataset } from '../analysis/learners/gbdt/binning';

type Shareable = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `a` in a SharedArrayBuffer (posting it to a thread then copies nothing). */
export function shareArray<T extends Shareable>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

export function shareMatrix(matrix: FeatureMatrix): FeatureMatrix {
  return { names: matrix.names, rows: matrix.rows, columns: matrix.columns.map(shareArray) };
}

/** The table with its numbers and times shared (text columns are cloned to each task as they are). */
export function shareTable(table: ObservationTable): ObservationTable {
  const variables = table.variables.map(
    (v): Variable =>
      v.data.kind === 'numeric' ? { ...v, data: { kind: 'numeric', values: shareArray(v.data.values) } } : v,
  );
  return { ...table, variables, ...(table.time ? { time: shareArray(table.time) } : {}) };
}

/** A copy of `data` whose arrays live in SharedArrayBuffers. */
export function shareBinnedDataset(data: BinnedDataset): BinnedDataset {
  return {
    featureNames: data.featureNames,
    rows: data.rows,
    upperBounds: data.upperBounds.map(shareArray),
    numBins: shareArray(data.numBins),
    missingBin: shareArray(data.missingBin),
    bins: data.bins.map((b) => shareArray(b)),
  };
}
