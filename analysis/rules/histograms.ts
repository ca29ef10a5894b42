/**
 * Rows and bad rows per bin (per category) of every column of a rule search within a subgroup,
 * in one pass over its rows: what the search's refinements read their cut points from.
 */
import { MAX_RULE_BINS, MISSING_BIN, type RuleColumn } from './columns';
import { lowestBit, type RowSet } from './row-set';

/** Rows and bad rows per slot of every column (`rowSlots`) in one subgroup. */
export interface Histogram {
  readonly count: Int32Array;
  readonly bad: Int32Array;
}

/** The histograms of a search, and what counting them reads. */
export interface HistogramContext {
  /** Each column's place in `rowSlots` and the histograms. */
  readonly columnIndex: Map<string, number>;
  /** Every column's histogram slot row by row (row i's at i × columns), from `rowSlots`. */
  readonly rowSlots: Uint16Array | Uint32Array;
  readonly positivesSet: RowSet;
  /** Rows and bad rows per bin (category) of each column, `HISTOGRAM_STRIDE` apart. */
  readonly binCounts: Int32Array;
  readonly binPositives: Int32Array;
}

/** Slots per column in the histograms: a bin (category) each, and one for missing values. */
export const HISTOGRAM_STRIDE = MAX_RULE_BINS + 1;
const MISSING_SLOT = MAX_RULE_BINS;

/**
 * Every column's histogram slot row by row: row i's slot of column c, at i × columns + c, is
 * c × `HISTOGRAM_STRIDE` plus its bin (numeric) or category (text), or `MISSING_SLOT` (a slot
 * no proposal reads), so one pass over a subgroup's rows counts them all without a branch.
 */
export function rowSlots(columns: readonly RuleColumn[], n: number): Uint16Array | Uint32Array {
  // The same columns are searched again on every null draw of the labels.
  const known = slotsByColumns.get(columns);
  if (known) return known;
  const width = columns.length;
  const out = width * HISTOGRAM_STRIDE <= 0x10000 ? new Uint16Array(n * width) : new Uint32Array(n * width);
  for (let c = 0; c < width; c++) {
    const column = columns[c];
    const offset = c * HISTOGRAM_STRIDE;
    if (column.kind === 'numeric') {
      const { bins } = column;
      for (let i = 0; i < n; i++)
        out[i * width + c] = offset + (bins[i] === MISSING_BIN ? MISSING_SLOT : bins[i]);
    } else {
      const { codes } = column;
      for (let i = 0; i < n; i++) out[i * width + c] = offset + (codes[i] < 0 ? MISSING_SLOT : codes[i]);
    }
  }
  slotsByColumns.set(columns, out);
  return out;
}

const slotsByColumns = new WeakMap<readonly RuleColumn[], Uint16Array | Uint32Array>();

/**
 * Rows and bad rows per bin (category) of every column within `within`: one pass over its
 * rows for the counts, one over its bad rows for the bad counts.
 */
export function histograms(s: HistogramContext, within: RowSet): void {
  const width = s.columnIndex.size;
  const { rowSlots: slots, positivesSet, binCounts: count, binPositives: bad } = s;
  count.fill(0);
  bad.fill(0);
  for (let w = 0; w < within.length; w++) {
    let word = within[w];
    while (word !== 0) {
      const base = ((w << 5) | lowestBit(word)) * width;
      word &= word - 1;
      for (let c = 0; c < width; c++) count[slots[base + c]]++;
    }
    word = within[w] & positivesSet[w];
    while (word !== 0) {
      const base = ((w << 5) | lowestBit(word)) * width;
      word &= word - 1;
      for (let c = 0; c < width; c++) bad[slots[base + c]]++;
    }
  }
}

/** Rows and bad rows per bin (category) of a column in the subgroup last counted by `histograms`. */
export function histogramOf(
  s: HistogramContext,
  name: string,
  m: number,
): { count: Int32Array; bad: Int32Array } {
  const offset = (s.columnIndex.get(name) as number) * HISTOGRAM_STRIDE;
  return {
    count: s.binCounts.subarray(offset, offset + m),
    bad: s.binPositives.subarray(offset, offset + m),
  };
}
