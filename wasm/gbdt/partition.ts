/**
 * The data partition of the GBDT tree learner in WebAssembly: a stable split of a leaf's segment
 * of the row index, as `analysis/learners/gbdt/partition.ts` does in JavaScript (same rows, same
 * order). Only row numbers move: the kernels here read a row's gradient pair by its number.
 */

/**
 * Partitions `index[start, start + count)`: rows whose bin in `column` (one byte a row, or two
 * when `twoByte`) is at most `thresholdBin` go left, the NaN bin `missingBin` left when
 * `missingLeft`; left rows first, right rows after, each in their old order. Returns the number
 * sent left. Branch-free: every row is written to both sides and only one cursor moves, which
 * costs less than a mispredicted branch on every other row of a balanced split.
 */
export function partitionRows(
  index: usize,
  scratch: usize,
  start: i32,
  count: i32,
  column: usize,
  twoByte: i32,
  thresholdBin: i32,
  missingBin: i32,
  missingLeft: i32,
): i32 {
  const begin = start as usize;
  const end = begin + (count as usize);
  let l = begin;
  let r: usize = 0;
  if (twoByte) {
    for (let i = begin; i < end; i++) {
      const row = load<u32>(index + (i << 2));
      const bin = load<u16>(column + ((row as usize) << 1)) as i32;
      const left = select<usize>(
        missingLeft as usize,
        select<usize>(1, 0, bin <= thresholdBin),
        bin === missingBin,
      );
      store<u32>(index + (l << 2), row);
      store<u32>(scratch + (r << 2), row);
      l += left;
      r += 1 - left;
    }
  } else {
    for (let i = begin; i < end; i++) {
      const row = load<u32>(index + (i << 2));
      const bin = load<u8>(column + (row as usize)) as i32;
      const left = select<usize>(
        missingLeft as usize,
        select<usize>(1, 0, bin <= thresholdBin),
        bin === missingBin,
      );
      store<u32>(index + (l << 2), row);
      store<u32>(scratch + (r << 2), row);
      l += left;
      r += 1 - left;
    }
  }
  memory.copy(index + (l << 2), scratch, r << 2);
  return (l - begin) as i32;
}
