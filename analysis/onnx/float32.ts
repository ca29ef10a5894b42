/**
 * Float32 rounding for ONNX tree thresholds. ONNX tree ensembles compare float32 inputs with
 * float32 thresholds; rounding a float64 threshold to nearest could flip `x <= t` for an input
 * between the two. Rounding *down* keeps every decision: for a float32 `x`,
 * `x <= t` ⟺ `x <= float32AtOrBelow(t)`, because no float32 lies strictly between them.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest float32 value that is <= `t` (−Infinity below the float32 range; NaN stays NaN). */
export function float32AtOrBelow(t: number): number {
  const r = Math.fround(t);
  if (!(r > t)) return r; // exact, rounded down, or NaN
  // r > t: step one float32 toward −∞.
  if (r === 0) return -(2 ** -149); // smallest negative subnormal
  f32[0] = r;
  if (r > 0) u32[0] -= 1;
  else u32[0] += 1;
  return f32[0];
}
