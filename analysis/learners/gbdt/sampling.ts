/**
 * What each round trains on: the features sampled for a tree (`feature_fraction`) and the rows
 * in the bag (`bagging_fraction`, redrawn every `bagging_freq` rounds), as LightGBM draws them.
 */
import type { Rng } from '../../random';
import type { BinnedDataset } from './binning';

/** Features with more than one bin (a constant column can never split). */
export function usableFeatures(data: BinnedDataset): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < data.numBins.length; j++) if (data.numBins[j] > 1) out.push(j);
  return Int32Array.from(out);
}

/** LightGBM's per-tree feature sampling: round(fraction × count) features, at least one. */
export function drawFeatures(usable: Int32Array, fraction: number, rng: Rng): Int32Array {
  if (fraction >= 1) return usable;
  const k = Math.max(1, Math.min(usable.length, Math.round(usable.length * fraction)));
  const pool = usable.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(pool.length - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.subarray(0, k).sort();
}

/** Each row in the bag with probability `fraction` (LightGBM's bagging), ascending. */
export function drawBag(rows: Uint32Array, fraction: number, rng: Rng): Uint32Array[] {
  const inBag = new Uint32Array(rows.length);
  const out = new Uint32Array(rows.length);
  let a = 0;
  let b = 0;
  for (let k = 0; k < rows.length; k++) {
    if (rng.next() < fraction) inBag[a++] = rows[k];
    else out[b++] = rows[k];
  }
  if (a === 0) inBag[a++] = out[--b];
  return [inBag.slice(0, a), out.slice(0, b)];
}
