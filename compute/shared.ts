/**
 * Datasets placed once in shared memory, so every task of a pool reads the same bytes instead of
 * receiving a copy: a search's trials all train on one `BinnedDataset`.
 */
import type { BinnedDataset } from '../analysis/learners/gbdt/binning';

function shared<T extends Uint8Array | Uint16Array | Int32Array | Float64Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** A copy of `data` whose arrays live in SharedArrayBuffers (posting it to a worker copies nothing). */
export function shareBinnedDataset(data: BinnedDataset): BinnedDataset {
  return {
    featureNames: data.featureNames,
    rows: data.rows,
    upperBounds: data.upperBounds.map(shared),
    numBins: shared(data.numBins),
    missingBin: shared(data.missingBin),
    bins: data.bins.map((b) => shared(b)),
  };
}
