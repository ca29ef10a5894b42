/**
 * The null the rules' q-values are measured against, behind a small interface so that the
 * evidence module's time-aware null can take its place. A null draws label series that keep
 * the time structure of the real labels (their rate, their runs of bad observations) and break
 * their link with the variables; the whole rule search is run again on each, and a rule's
 * q-value is the share of draws whose best rule is at least as good (Westfall–Young's max-T
 * adjustment, which bounds the family-wise error and so the false discovery rate too).
 */
import type { Labels } from '../frame';
import { createRng, type Rng } from '../random';

export interface LabelNull {
  /** Said in the results (`evidence.method`-style), e.g. "circular shift, 99 draws". */
  readonly method: string;
  /** `count` label series drawn under the null, deterministic by `seed`. */
  draw(labels: Labels, count: number, seed: number): Labels[];
}

/**
 * A circular shift for a series of n observations, drawn in [n/10, 9n/10]: far enough that
 * every run of bad observations, kept whole, lands far from where it was. The one draw of the
 * rules' nulls (rules, dead times, strata).
 */
export function circularOffset(n: number, rng: Rng): number {
  return Math.floor(n / 10) + rng.int(Math.max(1, Math.floor((8 * n) / 10)));
}

/** Circular shifts of the label series (`circularOffset`). */
export const circularShiftNull: LabelNull = {
  method: 'circular shift of the labels in time',
  draw(labels, count, seed) {
    const n = labels.length;
    const rng = createRng(seed);
    const out: Labels[] = [];
    if (n < 10) return out;
    for (let b = 0; b < count; b++) {
      const offset = circularOffset(n, rng);
      const y = new Uint8Array(n);
      for (let i = 0; i < n; i++) y[i] = labels[(i + offset) % n];
      out.push(y);
    }
    return out;
  },
};

/**
 * Max-T p-values: for each observed quality, (1 + draws whose best quality reaches it) /
 * (1 + draws). `null` when no draw was made.
 */
export function maxTPValues(observed: readonly number[], bestPerDraw: readonly number[]): (number | null)[] {
  if (bestPerDraw.length === 0) return observed.map(() => null);
  return observed.map((q) => {
    let atLeast = 0;
    for (const b of bestPerDraw) if (b >= q) atLeast++;
    return (1 + atLeast) / (1 + bestPerDraw.length);
  });
}
