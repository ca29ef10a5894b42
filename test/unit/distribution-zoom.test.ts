import { analyzeDistribution, analyzePrepared, prepareDistribution } from '../../analysis/distribution';
import type { ObservationTable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';

/**
 * The zoom path (one filtering pass over the prepared order that also measures the CDFs, bins
 * counted afterwards) against the one-off analysis of the selected rows alone (a separate code
 * path: each population sorted, one scan counting bins value by value): every field equal.
 * Columns with missing values and ±Infinity inside and outside the selection, heavy ties,
 * values closer than float32 can tell apart, and a column with large offsets.
 */
function table(rows: number, seed: number): { whole: ObservationTable; labels: Uint8Array } {
  const rng = createRng(seed);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = rng.next() < 0.15 ? 1 : 0;
  const column = (f: (i: number) => number) => Float64Array.from({ length: rows }, (_, i) => f(i));
  const variables = [
    { name: 'shifted', values: column((i) => rng.normal() + (labels[i] ? 0.7 : 0)) },
    { name: 'ties', values: column((i) => Math.round(rng.normal() * 3 + (labels[i] ? 1 : 0))) },
    {
      name: 'missing',
      values: column((i) => {
        const u = rng.next();
        if (u < 0.05) return Number.NaN;
        if (u < 0.07) return labels[i] ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        return rng.normal() * 10 + (labels[i] ? -3 : 0);
      }),
    },
    { name: 'float32', values: column((i) => 1 + Math.floor(rng.next() * 40) * 3e-8 + labels[i] * 1e-9) },
    { name: 'offset', values: column((i) => 1e6 + rng.normal() * 1e-3 + (labels[i] ? 2e-4 : 0)) },
    { name: 'few', values: column(() => Math.floor(rng.next() * 12)) },
  ].map((v) => ({ name: v.name, data: { kind: 'numeric' as const, values: v.values } }));
  return { whole: { rows, variables }, labels };
}

function selectedRows(whole: ObservationTable, labels: Uint8Array, keep: (i: number) => boolean) {
  const rows: number[] = [];
  for (let i = 0; i < whole.rows; i++) if (keep(i)) rows.push(i);
  const sliced: ObservationTable = {
    rows: rows.length,
    variables: whole.variables.map((v) => ({
      name: v.name,
      data: {
        kind: 'numeric' as const,
        values: Float64Array.from(rows, (i) => (v.data as { values: Float64Array }).values[i]),
      },
    })),
  };
  return { sliced, labels: Uint8Array.from(rows, (i) => labels[i]) };
}

describe('zoom equals the analysis of the selected rows alone', () => {
  const { whole, labels } = table(3000, 21);
  const prepared = prepareDistribution(whole);
  const stripInvalid = (entries: ReturnType<typeof analyzePrepared>) =>
    entries.map((e) => {
      const { invalidCount: _ignored, ...rest } = e as typeof e & { invalidCount?: number };
      return rest;
    });

  test.each([
    [0, 3000],
    [700, 2100],
    [2950, 3000],
  ])('range [%i, %i)', (start, end) => {
    const { sliced, labels: y } = selectedRows(whole, labels, (i) => i >= start && i < end);
    const expected = analyzeDistribution(sliced, y);
    // ±Infinity counts are per column (prepared once), not per selection
    expect(stripInvalid(analyzePrepared(prepared, labels, { rows: { start, end } }))).toEqual(
      stripInvalid(expected),
    );
  });

  test('a scattered mask, and options (fixed bins, few bins)', () => {
    const mask = Uint8Array.from({ length: whole.rows }, (_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const { sliced, labels: y } = selectedRows(whole, labels, (i) => mask[i] === 1);
    expect(stripInvalid(analyzePrepared(prepared, labels, { rows: mask }))).toEqual(
      stripInvalid(analyzeDistribution(sliced, y)),
    );
    for (const options of [{ bins: 7 }, { maxBins: 6 }, { bins: 30 }]) {
      const preparedWith = prepareDistribution(whole, options);
      expect(stripInvalid(analyzePrepared(preparedWith, labels, { rows: mask }))).toEqual(
        stripInvalid(analyzeDistribution(sliced, y, {}, options)),
      );
    }
  });
});
