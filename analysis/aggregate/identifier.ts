/**
 * The identifier rule: a column that names rows rather than measures them (a serial, a unit or
 * batch id, a row counter). It says nothing a model could learn from new rows, and its
 * distribution only reflects the period, so it is reported as `identifier` and never ranked nor
 * used as a feature.
 */
import type { VariableValues } from '../frame';

/** Fewer values than this are never called an identifier. */
const MIN_VALUES = 3;

/**
 * Text: at least half the rows have a value and no two values are equal. Numbers: integers on
 * every row, strictly increasing or decreasing (a row counter such as AI4I's `UDI`).
 */
export function isIdentifier(data: VariableValues): boolean {
  const rows = data.values.length;
  if (rows < MIN_VALUES) return false;
  if (data.kind === 'numeric') {
    const values = data.values;
    const up = values[1] > values[0];
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (!Number.isInteger(v)) return false;
      if (i > 0 && (up ? !(v > values[i - 1]) : !(v < values[i - 1]))) return false;
    }
    return true;
  }
  const seen = new Set<string>();
  for (const v of data.values) {
    if (v === null) continue;
    if (seen.has(v)) return false;
    seen.add(v);
  }
  return seen.size >= MIN_VALUES && 2 * seen.size >= rows;
}
