/**
 * Every group of one-byte features 8g..8g+7 (the last may be shorter, padded) stored row-major
 * in one array, `stride` bytes a row, group g at byte `groupOffset[g]` of its row (-1: the group
 * has a two-byte feature and is not stored). A leaf's histogram pass then touches about one
 * cache line per row for all groups, where one array per group touched one line per row and
 * group: on data larger than the cache, rows of a deep leaf are far apart and each line is a miss.
 */
import type { BinnedDataset } from './binning';

export interface RowMajorLayout {
  readonly bytes: Uint8Array;
  readonly stride: number;
  readonly groupOffset: Int32Array;
}

/**
 * Row-major layouts by the bin columns they were built from: every trial of a search trains on
 * one dataset, and building the layout of a million rows costs as much as a few trees.
 */
const layouts = new WeakMap<readonly (Uint8Array | Uint16Array)[], RowMajorLayout>();

/** Groups of eight one-byte features (the last one may be shorter) stored row-major. */
export function rowMajorLayout(data: BinnedDataset): RowMajorLayout {
  const cached = layouts.get(data.bins);
  if (cached && cached.bytes.length === cached.stride * data.rows) return cached;
  const f = data.bins.length;
  const groups = Math.ceil(f / 8);
  const groupOffset = new Int32Array(groups).fill(-1);
  let stride = 0;
  for (let g = 0; g < groups; g++) {
    let bytes = true;
    for (let u = 0; u < 8 && 8 * g + u < f; u++) bytes &&= data.bins[8 * g + u] instanceof Uint8Array;
    if (bytes) {
      groupOffset[g] = stride;
      stride += 8;
    }
  }
  const rows = data.rows;
  const out = new Uint8Array(rows * stride);
  for (let g = 0; g < groups; g++) {
    const o = groupOffset[g];
    if (o < 0) continue;
    for (let u = 0; u < 8 && 8 * g + u < f; u++) {
      const c = data.bins[8 * g + u];
      for (let r = 0, at = o + u; r < rows; r++, at += stride) out[at] = c[r];
    }
  }
  const layout = { bytes: out, stride, groupOffset };
  layouts.set(data.bins, layout);
  return layout;
}
