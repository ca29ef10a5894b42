/**
 * Split finding of the GBDT tree learner in WebAssembly, the same scans as
 * `analysis/learners/gbdt/best-split.ts` (same IEEE operations in the same order, so the same
 * split): for every sampled feature the bins left to right with NaN sent right, then with NaN
 * sent left, keeping the candidate of highest gain that leaves enough rows and hessian on each
 * side.
 */

/**
 * Scans the histogram slot at `slot` (16-byte entries: gradient, hessian) over the `count`
 * features listed (i32) at `features`; `binOffset`, `numBins`, `missingBin` are i32 tables by
 * feature. Writes at `out`: f64 best gain (the sum of both sides' gains, -Infinity when none),
 * f64 left gradient, f64 left hessian, then i32 feature (-1 when none), last bin left, 1 when NaN
 * goes left, rows left (estimated from the hessian).
 */
export function findBestSplit(
  slot: usize,
  features: usize,
  count: i32,
  binOffset: usize,
  numBins: usize,
  missingBin: usize,
  minData: i32,
  minHess: f64,
  sumG: f64,
  sumH: f64,
  rows: i32,
  countPerHess: f64,
  l1: f64,
  l2: f64,
  out: usize,
): void {
  let bestGain = -Infinity;
  let bestFeature: i32 = -1;
  let bestBin: i32 = 0;
  let bestDefaultLeft: i32 = 0;
  let bestG: f64 = 0;
  let bestH: f64 = 0;
  let bestC: i32 = 0;
  for (let q = 0; q < count; q++) {
    const f = load<i32>(features + ((q as usize) << 2));
    const fo = (f as usize) << 2;
    const base = slot + ((load<i32>(binOffset + fo) as usize) << 4);
    const missing = load<i32>(missingBin + fo);
    const bins = load<i32>(numBins + fo);
    const valueBins = missing >= 0 ? bins - 1 : bins;
    // Scan 1: NaN (if any) goes right; with a NaN bin, "all values left, NaN right" is a candidate.
    let gl: f64 = 0;
    let hl: f64 = 0;
    let cl: i32 = 0;
    const last = missing >= 0 ? valueBins - 1 : valueBins - 2;
    for (let t = 0; t <= last; t++) {
      const e = base + ((t as usize) << 4);
      const g = load<f64>(e);
      const h = load<f64>(e, 8);
      if (h === 0 && g === 0) continue;
      gl += g;
      hl += h;
      cl = (hl * countPerHess + 0.5) as i32;
      if (cl < minData || hl < minHess) continue;
      const cr = rows - cl;
      const hr = sumH - hl;
      if (cr < minData || hr < minHess) break;
      const gain = sideGain(gl, hl, l1, l2) + sideGain(sumG - gl, hr, l1, l2);
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = t;
        // Without NaN in the training data, unseen NaN follows the larger side.
        bestDefaultLeft = missing < 0 && cl >= cr ? 1 : 0;
        bestG = gl;
        bestH = hl;
        bestC = cl;
      }
    }
    // Scan 2: NaN goes left (only when this leaf has NaN rows for the feature).
    if (missing >= 0 && load<f64>(base + ((missing as usize) << 4), 8) > 0) {
      const m = base + ((missing as usize) << 4);
      gl = load<f64>(m);
      hl = load<f64>(m, 8);
      for (let t = 0; t <= valueBins - 2; t++) {
        const e = base + ((t as usize) << 4);
        const g = load<f64>(e);
        const h = load<f64>(e, 8);
        if (h === 0 && g === 0) continue;
        gl += g;
        hl += h;
        cl = (hl * countPerHess + 0.5) as i32;
        if (cl < minData || hl < minHess) continue;
        const cr = rows - cl;
        const hr = sumH - hl;
        if (cr < minData || hr < minHess) break;
        const gain = sideGain(gl, hl, l1, l2) + sideGain(sumG - gl, hr, l1, l2);
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = t;
          bestDefaultLeft = 1;
          bestG = gl;
          bestH = hl;
          bestC = cl;
        }
      }
    }
  }
  store<f64>(out, bestGain);
  store<f64>(out, bestG, 8);
  store<f64>(out, bestH, 16);
  store<i32>(out, bestFeature, 24);
  store<i32>(out, bestBin, 28);
  store<i32>(out, bestDefaultLeft, 32);
  store<i32>(out, bestC, 36);
}

/** One side's gain: its gradient soft-thresholded by L1, squared, over its hessian plus L2. */
function sideGain(g: f64, h: f64, l1: f64, l2: f64): f64 {
  const t = g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
  return (t * t) / (h + l2);
}
