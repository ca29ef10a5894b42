import { PeriodIndex } from '../../analysis/distribution/period';
import { decodeRecompute, encodeRecompute, fromBase64, toBase64 } from '../../report/data';

describe('the rows a standalone report carries', () => {
  it('base64 round-trips every length, as Node encodes it', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(text)).toEqual(bytes);
    }
  });

  it('decodes to the same values, labels and mask, text variables included', () => {
    const table = {
      rows: 4,
      time: Float64Array.from([0, 60_000, 120_000, 180_000]),
      variables: [
        {
          name: 'x',
          data: { kind: 'numeric' as const, values: Float64Array.from([0.1, Number.NaN, -0, 1e300]) },
        },
        { name: 'lot', data: { kind: 'text' as const, values: ['L7', null, 'L1', 'L7'] }, invalidCount: 2 },
      ],
    };
    const labels = Uint8Array.from([1, 0, 0, 1]);
    const mask = Uint8Array.from([1, 1, 0, 1]);
    const back = decodeRecompute(JSON.parse(JSON.stringify(encodeRecompute(table, labels, mask))));
    expect(back.table.time).toEqual(table.time);
    expect(Array.from((back.table.variables[0].data as { values: Float64Array }).values)).toEqual([
      0.1,
      Number.NaN,
      -0,
      1e300,
    ]);
    expect(back.table.variables[1]).toEqual(table.variables[1]);
    expect(back.labels).toEqual(labels);
    expect(back.mask).toEqual(mask);
    expect(decodeRecompute(encodeRecompute(table, labels, Uint8Array.from([1, 1, 1, 1]))).mask).toBeNull();
  });
});

describe('PeriodIndex', () => {
  const time = Float64Array.from([0, 10, 20, 30, 40, 50]);
  const labels = Uint8Array.from([0, 1, 0, 1, 0, 0]);

  it('selects [from, to) as a range, or a mask when rows inside are left out', () => {
    const all = new PeriodIndex(time, labels, null);
    expect(all.select(10, 40)).toEqual({
      rows: { start: 1, end: 4 },
      count: 3,
      positives: 2,
      first: 10,
      last: 30,
    });
    expect(all.select(-Infinity, Infinity)).toMatchObject({
      rows: { start: 0, end: 6 },
      count: 6,
      positives: 2,
    });
    const some = new PeriodIndex(time, labels, Uint8Array.from([1, 1, 0, 1, 1, 1]));
    const period = some.select(0, 45);
    expect(period).toMatchObject({ count: 4, positives: 2 });
    expect(period.rows).toEqual(Uint8Array.from([1, 1, 0, 1, 1, 0]));
  });

  it('refuses a period without both populations or with from not before to', () => {
    const index = new PeriodIndex(time, labels, null);
    expect(() => index.select(35, 60)).toThrow(/2 observations, 0 of them positive/);
    expect(() => index.select(20, 20)).toThrow(/after from/);
  });
});
