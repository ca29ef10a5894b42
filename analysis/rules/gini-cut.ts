/**
 * The exact Gini cut of a numeric rule column among some of its rows: where a depth-1 tree
 * would split them, used by the subgroup search to move a rule's bounds to where the bad rate
 * changes (`subgroups.ts`, `placeBounds`).
 */
import { MISSING_BIN, type NumericRuleColumn } from './columns';
import { lowestBit, type RowSet } from './row-set';
import type { Condition } from './types';

/** What a Gini cut reads of the search it serves. */
export interface GiniContext {
  /** 1 for a bad observation, by position in the columns. */
  readonly labels: Uint8Array;
  /** Each numeric column's labels in its sorted order, made on first use. */
  readonly sortedLabels: Map<string, Uint8Array>;
  /** Rows the kept side must have at least. */
  readonly minRows: number;
  /** 1: the kept side is the worse one; −1: the better one. */
  readonly sign: 1 | -1;
  /** Scratch: rows and bad rows per bin of one column (`MAX_RULE_BINS` at least). */
  readonly cutCounts: Int32Array;
  readonly cutPositives: Int32Array;
}

/**
 * Gini score of splitting `total` rows into a kept side (size, positives) and the rest:
 * `Σ (bad² + good²) / size` over the two sides, −∞ unless the kept side is the worse one (the
 * better one for "good").
 */
function giniScore(
  s: GiniContext,
  size: number,
  positives: number,
  total: number,
  totalPositives: number,
): number {
  const rest = total - size;
  const restPositives = totalPositives - positives;
  if (rest === 0 || s.sign * (positives * rest - restPositives * size) <= 0) return Number.NEGATIVE_INFINITY;
  const negatives = size - positives;
  const restNegatives = rest - restPositives;
  return (
    (positives * positives + negatives * negatives) / size +
    (restPositives * restPositives + restNegatives * restNegatives) / rest
  );
}

/**
 * `Σ (bad² + good²) / size` over the two sides of a cut with `positives` bad and `negatives`
 * good rows before it, without the conditions `giniScore` puts on the sides: a convex function
 * of (positives, negatives), so over the cuts inside a bin it is largest at a corner of the
 * rectangle the bin's rows span, and those corners bound every cut inside.
 */
function giniSum(
  positives: number,
  negatives: number,
  totalPositives: number,
  totalNegatives: number,
): number {
  const size = positives + negatives;
  const restPositives = totalPositives - positives;
  const restNegatives = totalNegatives - negatives;
  const rest = restPositives + restNegatives;
  return (
    (size > 0 ? (positives * positives + negatives * negatives) / size : 0) +
    (rest > 0 ? (restPositives * restPositives + restNegatives * restNegatives) / rest : 0)
  );
}

/**
 * The exact Gini cut of a numeric column within `within` for a `≤` or a `>` condition: the first
 * cut, in the order of the values, with the best `giniScore` (as a scan of every row in that
 * order finds it). The rows are first counted per quantile bin (a pass over `within` only);
 * the cuts between bins are scored from the counts, and only the bins whose corners
 * (`giniSum`) could beat the best of those are scanned row by row.
 */
export function giniCut(
  s: GiniContext,
  column: NumericRuleColumn,
  within: RowSet,
  op: '<=' | '>',
): Condition | null {
  const { sorted, order, bins, binStarts } = column;
  const m = binStarts.length - 1;
  let labels = s.sortedLabels.get(column.name);
  if (!labels) {
    labels = new Uint8Array(order.length);
    for (let k = 0; k < order.length; k++) labels[k] = s.labels[order[k]];
    s.sortedLabels.set(column.name, labels);
  }
  const count = s.cutCounts;
  const bad = s.cutPositives;
  count.fill(0, 0, m);
  bad.fill(0, 0, m);
  for (let w = 0; w < within.length; w++) {
    let word = within[w];
    while (word !== 0) {
      const i = (w << 5) | lowestBit(word);
      word &= word - 1;
      const b = bins[i];
      if (b !== MISSING_BIN) {
        count[b]++;
        bad[b] += s.labels[i];
      }
    }
  }
  let total = 0;
  let totalPositives = 0;
  for (let b = 0; b < m; b++) {
    total += count[b];
    totalPositives += bad[b];
  }
  const totalNegatives = total - totalPositives;
  const score = (size: number, positives: number) => {
    const kept = op === '<=' ? size : total - size;
    if (kept < s.minRows) return Number.NEGATIVE_INFINITY;
    return giniScore(s, kept, op === '<=' ? positives : totalPositives - positives, total, totalPositives);
  };
  // The best cut between bins (before the first row of a bin with rows before it).
  let between = Number.NEGATIVE_INFINITY;
  let size = 0;
  let positives = 0;
  for (let b = 0; b < m; b++) {
    if (count[b] === 0) continue;
    if (size > 0) between = Math.max(between, score(size, positives));
    size += count[b];
    positives += bad[b];
  }
  let best = Number.NEGATIVE_INFINITY;
  let bestK = -1;
  let cut = Number.NaN;
  size = 0;
  positives = 0;
  for (let b = 0; b < m; b++) {
    const inBin = count[b];
    if (inBin === 0) continue;
    if (size > 0) {
      const q = score(size, positives);
      if (q > best) {
        best = q;
        // The cut's value once the rows around it are known (below).
        bestK = binStarts[b];
        cut = Number.NaN;
      }
    }
    const negatives = size - positives;
    const binPositives = bad[b];
    const binNegatives = inBin - binPositives;
    const bound = Math.max(
      giniSum(positives, negatives, totalPositives, totalNegatives),
      giniSum(positives + binPositives, negatives, totalPositives, totalNegatives),
      giniSum(positives, negatives + binNegatives, totalPositives, totalNegatives),
      giniSum(positives + binPositives, negatives + binNegatives, totalPositives, totalNegatives),
    );
    // A margin for rounding: the corners bound the cuts inside exactly, not to the last bit.
    if (inBin > 1 && bound + 1e-9 * Math.abs(bound) >= between) {
      let scanSize = size;
      let scanPositives = positives;
      let previous = Number.NaN;
      for (let k = binStarts[b]; k < binStarts[b + 1]; k++) {
        const i = order[k];
        if (((within[i >>> 5] >>> (i & 31)) & 1) === 0) continue;
        const v = sorted[k];
        if (scanSize > size && v !== previous) {
          const q = score(scanSize, scanPositives);
          if (q > best) {
            best = q;
            bestK = k;
            cut = previous + (v - previous) / 2;
          }
        }
        scanSize++;
        scanPositives += labels[k];
        previous = v;
      }
    }
    size += inBin;
    positives += binPositives;
  }
  if (best === Number.NEGATIVE_INFINITY) return null;
  if (Number.isNaN(cut)) {
    // A cut between bins: halfway from the last row of `within` before it to the first after.
    const member = (k: number) => {
      const i = order[k];
      return ((within[i >>> 5] >>> (i & 31)) & 1) === 1;
    };
    let after = bestK;
    while (!member(after)) after++;
    let before = bestK - 1;
    while (!member(before)) before--;
    cut = sorted[before] + (sorted[after] - sorted[before]) / 2;
  }
  return { variable: column.name, op, value: cut };
}
