/**
 * Values for people. results.json keeps every value exactly; a person reads it at the precision
 * the data carries. Values stored as float32 (Parquet FLOAT, sensor historians) and midpoints
 * of them are noisy past the seventh significant digit — 301.65000915527344 is 301.65 — and
 * float64 arithmetic past the fifteenth (0.15000000000000002). Pure, for the CLI and the report.
 */

/** Relative half-ulp of a float32: one float32 rounding moves a value by at most this much. */
const FLOAT32_NOISE = 2 ** -24;

/**
 * The shortest decimal that float32 precision cannot tell apart from `value` (so an exact
 * float64 value keeps its digits: 12345678 stays 12345678); with `decimals`, rounded to that
 * many decimals (the data's own, from `dataDecimals`). Not finite: returned as it is.
 */
export function readableValue(value: number, decimals?: number): number {
  if (!Number.isFinite(value)) return value;
  if (decimals !== undefined) {
    const d = Math.max(0, Math.min(15, Math.floor(decimals)));
    return Number(value.toFixed(d));
  }
  if (value === 0) return 0;
  const tolerance = Math.abs(value) * FLOAT32_NOISE;
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.abs(candidate - value) <= tolerance) return candidate;
  }
  return value;
}

/** `readableValue` as text, with the same digits (no exponent below 1e21 or above 1e-6). */
export function readableText(value: number, decimals?: number): string {
  return String(readableValue(value, decimals));
}

/**
 * How many decimals the data is written with (at most `max`), float32 noise forgiven: 301.6
 * read as float32 (301.6000061035156) has 1. A separating value between two such values needs
 * one more (a midpoint): `readableValue(threshold, dataDecimals(values) + 1)`.
 */
export function dataDecimals(values: ArrayLike<number>, max = 6): number {
  let decimals = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const tolerance = Math.abs(v) * FLOAT32_NOISE + Number.EPSILON;
    while (decimals < max && Math.abs(Number(v.toFixed(decimals)) - v) > tolerance) decimals++;
    if (decimals === max) break;
  }
  return decimals;
}
