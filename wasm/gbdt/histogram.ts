/**
 * Histogram kernels of the GBDT tree learner in WebAssembly with 128-bit SIMD. A histogram entry
 * is 16 bytes, (gradient, hessian) as two f64; a row's (gradient, hessian) pair is the same 16
 * bytes (at `pairs + 16 row`), so adding a row to a bin is one v128 load, one f64x2.add and one
 * store.
 *
 * Every kernel visits a leaf's rows in the order of its segment, one row after another for each
 * entry, exactly as the JavaScript kernels (`analysis/learners/gbdt/histogram-kernels.ts`) do:
 * a bin's sums are the same IEEE additions in the same order, so both give the same trees bit
 * for bit.
 */

/** Rows per block: a block's rows are touched once, then read from cache by the pass. */
const ROW_BLOCK: i32 = 1024;

/**
 * Adds each row's pair to the bins of the planned one-byte features, stored row-major (`stride`
 * bytes a row, in groups of eight). `plan` lists first `groups` full groups, 9 u32 each: the
 * group's byte offset in a row, then the entry address of bin 0 of each of its eight features;
 * then `lanes` single features, 2 u32 each: the feature's byte offset in a row and its entry
 * address (the sampled members of groups not wholly sampled, and of the last, shorter group).
 * Rows are `index[start + k]`. Each row updates every feature before the next row: one read of
 * the row for all its features, the whole slot's histogram staying in L2.
 */
export function histogramRows(
  plan: usize,
  groups: i32,
  lanes: i32,
  data: usize,
  stride: i32,
  index: usize,
  start: i32,
  count: i32,
  pairs: usize,
): void {
  if (count <= 0 || groups + lanes <= 0) return;
  const rows = index + ((start as usize) << 2);
  const first = load<u32>(rows);
  const contiguous = load<u32>(rows + (((count - 1) as usize) << 2)) === first + ((count - 1) as u32);
  const s = stride as usize;
  const groupsEnd = plan + (groups as usize) * 36;
  const lanesEnd = groupsEnd + ((lanes as usize) << 3);
  for (let from = 0; from < count; from += ROW_BLOCK) {
    const to = min(from + ROW_BLOCK, count);
    if (!contiguous) touchRows(data, stride, rows, from, to, pairs);
    for (let k = from; k < to; k++) {
      const r = contiguous ? first + (k as u32) : load<u32>(rows + ((k as usize) << 2));
      const row = data + (r as usize) * s;
      const v = v128.load(pairs + ((r as usize) << 4));
      for (let p = plan; p < groupsEnd; p += 36) {
        const x = load<u64>(row + (load<u32>(p) as usize));
        const lo = x as u32;
        const hi = (x >> 32) as u32;
        add((load<u32>(p, 4) as usize) + ((lo & 255) << 4), v);
        add((load<u32>(p, 8) as usize) + (((lo >> 8) & 255) << 4), v);
        add((load<u32>(p, 12) as usize) + (((lo >> 16) & 255) << 4), v);
        add((load<u32>(p, 16) as usize) + ((lo >> 24) << 4), v);
        add((load<u32>(p, 20) as usize) + ((hi & 255) << 4), v);
        add((load<u32>(p, 24) as usize) + (((hi >> 8) & 255) << 4), v);
        add((load<u32>(p, 28) as usize) + (((hi >> 16) & 255) << 4), v);
        add((load<u32>(p, 32) as usize) + ((hi >> 24) << 4), v);
      }
      for (let p = groupsEnd; p < lanesEnd; p += 8) {
        const bin = load<u8>(row + (load<u32>(p) as usize)) as usize;
        add((load<u32>(p, 4) as usize) + (bin << 4), v);
      }
    }
  }
}

/**
 * Reads the first and last byte of each row of a block, and its pair, so the pass that follows
 * finds them in cache: this tight loop keeps many cache misses in flight, where the long pass has
 * room for few.
 */
function touchRows(data: usize, stride: i32, rows: usize, from: i32, to: i32, pairs: usize): void {
  let sum: u32 = 0;
  const last = (stride - 1) as usize;
  for (let k = from; k < to; k++) {
    const r = load<u32>(rows + ((k as usize) << 2)) as usize;
    const row = data + r * (stride as usize);
    sum += load<u8>(row) + load<u8>(row + last) + load<u8>(pairs + (r << 4));
  }
  // Kept where nothing reads it (the first bytes of memory are scratch), so the loads stay.
  store<u32>(0, sum);
}

function add(entry: usize, v: v128): void {
  v128.store(entry, f64x2.add(v128.load(entry), v));
}

/** Adds the ordered pairs of `count` rows to the bins of one two-byte feature column. */
export function histogramColumn16(
  base: usize,
  column: usize,
  index: usize,
  start: i32,
  count: i32,
  pairs: usize,
): void {
  const rows = index + ((start as usize) << 2);
  for (let k = 0; k < count; k++) {
    const row = load<u32>(rows + ((k as usize) << 2)) as usize;
    const bin = load<u16>(column + (row << 1)) as usize;
    add(base + (bin << 4), v128.load(pairs + (row << 4)));
  }
}

/** `a -= b` over `entries` histogram entries: the larger child's histogram from its parent's. */
export function subtractHistogram(a: usize, b: usize, entries: i32): void {
  const end = a + ((entries as usize) << 4);
  for (let p = a, q = b; p < end; p += 16, q += 16) {
    v128.store(p, f64x2.sub(v128.load(p), v128.load(q)));
  }
}
