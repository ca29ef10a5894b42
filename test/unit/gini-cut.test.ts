/**
 * The Gini cut scans only the bins whose corners could beat the best cut between bins: it must
 * give the cut a scan of every row in value order gives (the first of the best, halfway between
 * the two values around it), whatever the ties, missing values, subgroup, side and minimum.
 */
import fc from 'fast-check';
import type { ObservationTable } from '../../analysis/frame';
import { MAX_RULE_BINS, type NumericRuleColumn, ruleColumns } from '../../analysis/rules/columns';
import { type GiniContext, giniCut } from '../../analysis/rules/gini-cut';
import { rowSetOf } from '../../analysis/rules/row-set';

/** The cut as the search placed bounds before the bins were used: every row in value order. */
function scanCut(
  column: NumericRuleColumn,
  labels: Uint8Array,
  within: (i: number) => boolean,
  op: '<=' | '>',
  minRows: number,
  sign: 1 | -1,
): number | null {
  const rows = Array.from(column.order).filter(within);
  const total = rows.length;
  let totalPositives = 0;
  for (const i of rows) totalPositives += labels[i];
  const score = (size: number, positives: number) => {
    const rest = total - size;
    const restPositives = totalPositives - positives;
    if (rest === 0 || sign * (positives * rest - restPositives * size) <= 0) return Number.NEGATIVE_INFINITY;
    const negatives = size - positives;
    const restNegatives = rest - restPositives;
    return (
      (positives * positives + negatives * negatives) / size +
      (restPositives * restPositives + restNegatives * restNegatives) / rest
    );
  };
  let size = 0;
  let positives = 0;
  let previous = Number.NaN;
  let best = Number.NEGATIVE_INFINITY;
  let cut: number | null = null;
  for (const i of rows) {
    const v = column.values[i];
    if (size > 0 && v !== previous) {
      const kept = op === '<=' ? size : total - size;
      const keptPositives = op === '<=' ? positives : totalPositives - positives;
      if (kept >= minRows) {
        const q = score(kept, keptPositives);
        if (q > best) {
          best = q;
          cut = previous + (v - previous) / 2;
        }
      }
    }
    size++;
    positives += labels[i];
    previous = v;
  }
  return cut;
}

function columnOf(values: number[]): NumericRuleColumn {
  const table: ObservationTable = {
    rows: values.length,
    variables: [{ name: 'x', data: { kind: 'numeric', values: Float64Array.from(values) } }],
  };
  const [column] = ruleColumns(
    table,
    Uint32Array.from(values, (_, i) => i),
  );
  return column as NumericRuleColumn;
}

const line = fc.integer({ min: 2, max: 1500 }).chain((n) =>
  fc.record({
    // NaN makes missing values; `coarse` few distinct values (ties), else more than the bins.
    values: fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constant(Number.NaN)), {
      minLength: n,
      maxLength: n,
    }),
    coarse: fc.boolean(),
    labels: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    within: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    op: fc.constantFrom<'<=' | '>'>('<=', '>'),
    minShare: fc.double({ min: 0, max: 0.3, noNaN: true }),
    sign: fc.constantFrom<1 | -1>(1, -1),
    spread: fc.double({ min: 0.001, max: 1000, noNaN: true }),
  }),
);

describe('giniCut', () => {
  it('gives the cut a scan of every row in value order gives', () => {
    fc.assert(
      fc.property(line, ({ values, coarse, labels, within, op, minShare, sign, spread }) => {
        const column = columnOf(values.map((v) => (coarse ? Math.floor(v / 75) : v) * spread));
        const y = Uint8Array.from(labels);
        const n = values.length;
        const minRows = Math.max(1, Math.ceil(minShare * n));
        const context: GiniContext = {
          labels: y,
          sortedLabels: new Map(),
          minRows,
          sign,
          cutCounts: new Int32Array(MAX_RULE_BINS + 1),
          cutPositives: new Int32Array(MAX_RULE_BINS + 1),
        };
        const found = giniCut(
          context,
          column,
          rowSetOf(n, (i) => within[i]),
          op,
        );
        expect(found?.value ?? null).toBe(scanCut(column, y, (i) => within[i], op, minRows, sign));
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  it('scans the bins on a long column with many distinct values (more values than bins)', () => {
    const n = 20_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 100 + (i % 97));
    const labels = Uint8Array.from(values, (v, i) => (v > 60 && i % 3 !== 0 ? 1 : 0));
    const column = columnOf(values);
    expect(column.cuts.length).toBe(MAX_RULE_BINS - 1);
    // The worse side (more bad rows, sign 1) is above the cut; the better one (sign −1) below it.
    for (const [op, sign] of [
      ['>', 1],
      ['<=', -1],
    ] as const) {
      const within = (i: number) => i % 5 !== 2;
      const context: GiniContext = {
        labels,
        sortedLabels: new Map(),
        minRows: 200,
        sign,
        cutCounts: new Int32Array(MAX_RULE_BINS + 1),
        cutPositives: new Int32Array(MAX_RULE_BINS + 1),
      };
      const found = giniCut(context, column, rowSetOf(n, within), op);
      expect(found).not.toBeNull();
      expect(found?.value).toBe(scanCut(column, labels, within, op, 200, sign));
    }
  });
});
