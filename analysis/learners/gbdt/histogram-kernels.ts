/**
 * The histogram kernels: each adds the ordered gradient and hessian of a leaf's rows into the
 * bins of one or more features. Bin b of a feature adds at `base + b` of the two histogram
 * arrays. Every kernel visits the rows in the order of the leaf's segment, so a bin's sums are
 * the same whichever kernel (or grouping of features) built them.
 */
// The histogram loops differ only in the bin array type, in whether rows are gathered through
// the partition index, and in how many features share a pass; kept apart so each stays
// monomorphic and branch-free.
export function accumulate8(
  hg: Float64Array,
  hh: Float64Array,
  base: number,
  col: Uint8Array,
  index: Uint32Array,
  start: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
): void {
  for (let k = 0; k < count; k++) {
    const o = base + col[index[start + k]];
    hg[o] += gs[k];
    hh[o] += hs[k];
  }
}

export function accumulate16(
  hg: Float64Array,
  hh: Float64Array,
  base: number,
  col: Uint16Array,
  index: Uint32Array,
  start: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
): void {
  for (let k = 0; k < count; k++) {
    const o = base + col[index[start + k]];
    hg[o] += gs[k];
    hh[o] += hs[k];
  }
}

export function accumulateRun8(
  hg: Float64Array,
  hh: Float64Array,
  base: number,
  col: Uint8Array,
  first: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
) {
  for (let k = 0; k < count; k++) {
    const o = base + col[first + k];
    hg[o] += gs[k];
    hh[o] += hs[k];
  }
}

export function accumulateRun16(
  hg: Float64Array,
  hh: Float64Array,
  base: number,
  col: Uint16Array,
  first: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
) {
  for (let k = 0; k < count; k++) {
    const o = base + col[first + k];
    hg[o] += gs[k];
    hh[o] += hs[k];
  }
}

export function accumulate4Features(
  hg: Float64Array,
  hh: Float64Array,
  ba: number,
  ca: Uint8Array,
  bb: number,
  cb: Uint8Array,
  bc: number,
  cc: Uint8Array,
  bd: number,
  cd: Uint8Array,
  index: Uint32Array,
  start: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
  contiguous: boolean,
): void {
  if (contiguous) {
    // Rows first..first+count-1: no gather. A copy of the loop below, without the index read.
    const first = index[start];
    for (let k = 0; k < count; k++) {
      const r = first + k;
      const g = gs[k];
      const h = hs[k];
      const a = ba + ca[r];
      const b = bb + cb[r];
      const c = bc + cc[r];
      const d = bd + cd[r];
      hg[a] += g;
      hh[a] += h;
      hg[b] += g;
      hh[b] += h;
      hg[c] += g;
      hh[c] += h;
      hg[d] += g;
      hh[d] += h;
    }
    return;
  }
  for (let k = 0; k < count; k++) {
    const r = index[start + k];
    const g = gs[k];
    const h = hs[k];
    const a = ba + ca[r];
    const b = bb + cb[r];
    const c = bc + cc[r];
    const d = bd + cd[r];
    hg[a] += g;
    hh[a] += h;
    hg[b] += g;
    hh[b] += h;
    hg[c] += g;
    hh[c] += h;
    hg[d] += g;
    hh[d] += h;
  }
}

export function accumulate8Features(
  hg: Float64Array,
  hh: Float64Array,
  ba: number,
  ca: Uint8Array,
  bb: number,
  cb: Uint8Array,
  bc: number,
  cc: Uint8Array,
  bd: number,
  cd: Uint8Array,
  be: number,
  ce: Uint8Array,
  bf: number,
  cf: Uint8Array,
  bg: number,
  cg: Uint8Array,
  bh: number,
  ch: Uint8Array,
  index: Uint32Array,
  start: number,
  count: number,
  gs: Float64Array,
  hs: Float64Array,
  contiguous: boolean,
): void {
  if (contiguous) {
    // Rows first..first+count-1: no gather. A copy of the loop below, without the index read.
    const first = index[start];
    for (let k = 0; k < count; k++) {
      const r = first + k;
      const g = gs[k];
      const h = hs[k];
      const a = ba + ca[r];
      const b = bb + cb[r];
      const c = bc + cc[r];
      const d = bd + cd[r];
      const e = be + ce[r];
      const f = bf + cf[r];
      const i = bg + cg[r];
      const j = bh + ch[r];
      hg[a] += g;
      hh[a] += h;
      hg[b] += g;
      hh[b] += h;
      hg[c] += g;
      hh[c] += h;
      hg[d] += g;
      hh[d] += h;
      hg[e] += g;
      hh[e] += h;
      hg[f] += g;
      hh[f] += h;
      hg[i] += g;
      hh[i] += h;
      hg[j] += g;
      hh[j] += h;
    }
    return;
  }
  for (let k = 0; k < count; k++) {
    const r = index[start + k];
    const g = gs[k];
    const h = hs[k];
    const a = ba + ca[r];
    const b = bb + cb[r];
    const c = bc + cc[r];
    const d = bd + cd[r];
    const e = be + ce[r];
    const f = bf + cf[r];
    const i = bg + cg[r];
    const j = bh + ch[r];
    hg[a] += g;
    hh[a] += h;
    hg[b] += g;
    hh[b] += h;
    hg[c] += g;
    hh[c] += h;
    hg[d] += g;
    hh[d] += h;
    hg[e] += g;
    hh[e] += h;
    hg[f] += g;
    hh[f] += h;
    hg[i] += g;
    hh[i] += h;
    hg[j] += g;
    hh[j] += h;
  }
}

/**
 * Reads the first and last byte of each row of a block, so that the group passes that follow find
 * the rows in cache. This tight loop keeps many cache misses in flight at once; the long loop
 * of a group pass has room for only a few, which made deep leaves of large data memory-bound.
 */
export function touchRows(
  data: Uint8Array,
  stride: number,
  index: Uint32Array,
  start: number,
  from: number,
  to: number,
): number {
  let sum = 0;
  const last = stride - 1;
  for (let k = from; k < to; k++) {
    const r = index[start + k] * stride;
    sum += data[r] + data[r + last];
  }
  return sum & 1;
}

/** Rows per block of a histogram pass over the row-major groups (see `buildHistogram`). */
export const ROW_BLOCK = 2048;

export function accumulateRowGroup(
  hg: Float64Array,
  hh: Float64Array,
  ba: number,
  bb: number,
  bc: number,
  bd: number,
  be: number,
  bf: number,
  bg: number,
  bh: number,
  data: Uint8Array,
  stride: number,
  offset: number,
  index: Uint32Array,
  start: number,
  from: number,
  to: number,
  gs: Float64Array,
  hs: Float64Array,
  contiguous: boolean,
): void {
  const first = index[start];
  for (let k = from; k < to; k++) {
    const r = (contiguous ? first + k : index[start + k]) * stride + offset;
    const g = gs[k];
    const h = hs[k];
    const a = ba + data[r];
    const b = bb + data[r + 1];
    const c = bc + data[r + 2];
    const d = bd + data[r + 3];
    const e = be + data[r + 4];
    const f = bf + data[r + 5];
    const i = bg + data[r + 6];
    const j = bh + data[r + 7];
    hg[a] += g;
    hh[a] += h;
    hg[b] += g;
    hh[b] += h;
    hg[c] += g;
    hh[c] += h;
    hg[d] += g;
    hh[d] += h;
    hg[e] += g;
    hh[e] += h;
    hg[f] += g;
    hh[f] += h;
    hg[i] += g;
    hh[i] += h;
    hg[j] += g;
    hh[j] += h;
  }
}
