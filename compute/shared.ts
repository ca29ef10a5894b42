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

/** Arrays already shared stay where they are while they span at most this many buffers (`shareArrays`). */
const SEPARATE_MAX = 64;

const align8 = (bytes: number) => (bytes + 7) & ~7;

/**
 * The arrays in shared memory, in as few SharedArrayBuffers as it takes. Posting a message costs
 * about 15 µs for every SharedArrayBuffer it carries and next to nothing for more views of one: a
 * 5,000-variable line's 25,000 feature columns and their bins, one buffer each, took over a
 * second of the main thread for every trial sent to a thread. Arrays shared already stay as they
 * are while they span at most `SEPARATE_MAX` buffers (no copy of a large matrix read into shared
 * memory), and the others are packed into one new buffer: a text variable's one-hot columns made
 * beside a matrix read shared no longer copy the whole matrix. Beyond `SEPARATE_MAX` buffers,
 * everything is packed into one.
 */
export function shareArrays<T extends Shareable>(arrays: readonly T[]): T[] {
  const buffers = new Set<ArrayBufferLike>();
  for (const a of arrays) if (a.buffer instanceof SharedArrayBuffer) buffers.add(a.buffer);
  const keep = buffers.size <= SEPARATE_MAX;
  const packed = keep ? arrays.filter((a) => !(a.buffer instanceof SharedArrayBuffer)) : arrays;
  if (packed.length === 0) return [...arrays];
  let bytes = 0;
  for (const a of packed) bytes = align8(bytes) + a.byteLength;
  const buffer = new SharedArrayBuffer(align8(bytes));
  let offset = 0;
  const copies = new Map<T, T>();
  for (const a of packed) {
    offset = align8(offset);
    const Ctor = a.constructor as new (buffer: SharedArrayBuffer, offset: number, length: number) => T;
    const out = new Ctor(buffer, offset, a.length);
    out.set(a as never);
    offset += a.byteLength;
    copies.set(a, out);
  }
  return arrays.map((a) => copies.get(a) ?? a);
}

export function shareMatrix(matrix: FeatureMatrix): FeatureMatrix {
  return { names: matrix.names, rows: matrix.rows, columns: shareArrays(matrix.columns) };
}

/** The table with its numbers and times shared (text columns are cloned to each task as they are). */
export function shareTable(table: ObservationTable): ObservationTable {
  const numbers = table.variables.flatMap((v) => (v.data.kind === 'numeric' ? [v.data.values] : []));
  const shared = shareArrays(table.time ? [table.time, ...numbers] : numbers);
  const time = table.time ? shared.shift() : undefined;
  const variables = table.variables.map(
    (v): Variable =>
      v.data.kind === 'numeric'
        ? { ...v, data: { kind: 'numeric', values: shared.shift() as Float64Array } }
        : v,
  );
  return { ...table, variables, ...(time ? { time } : {}) };
}

/** A copy of `data` whose arrays live in SharedArrayBuffers. */
export function shareBinnedDataset(data: BinnedDataset): BinnedDataset {
  return {
    featureNames: data.featureNames,
    rows: data.rows,
    upperBounds: shareArrays(data.upperBounds),
    numBins: shareArray(data.numBins),
    missingBin: shareArray(data.missingBin),
    bins: shareArrays(data.bins),
  };
}
