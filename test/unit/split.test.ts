import { timeOrderedSplit } from '../../analysis/split';

const minutes = (n: number, step = 10) => Float64Array.from({ length: n }, (_, i) => i * step * 60_000);

describe('time-ordered split', () => {
  test('the last fraction of windows, in time order, is validation', () => {
    const s = timeOrderedSplit(10, { fraction: 0.2 }, minutes(10));
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(s.validation)).toEqual([8, 9]);
    expect(s.gap.length).toBe(0);
  });

  test('rows out of order are split by time, not by position', () => {
    const times = Float64Array.from([50, 10, 40, 20, 30]);
    const s = timeOrderedSplit(5, { fraction: 0.4 }, times);
    expect(Array.from(s.validation)).toEqual([2, 0]);
    expect(Array.from(s.train)).toEqual([1, 3, 4]);
  });

  test('a gap leaves out the windows that end less than gap before validation', () => {
    // 10-minute windows starting 0..90 min; validation starts at 80; with a 20-minute gap a
    // window is kept if start + 10 + 20 <= 80, so the windows starting at 60 and 70 are dropped.
    const s = timeOrderedSplit(10, { fraction: 0.2, gapMs: 20 * 60_000, windowMs: 10 * 60_000 }, minutes(10));
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(s.gap)).toEqual([6, 7]);
    expect(Array.from(s.validation)).toEqual([8, 9]);
  });

  test('a gap counted in rows', () => {
    const s = timeOrderedSplit(10, { fraction: 0.3, gapRows: 2 });
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(s.gap)).toEqual([5, 6]);
    expect(Array.from(s.validation)).toEqual([7, 8, 9]);
  });

  test('every row lands in exactly one set', () => {
    const n = 97;
    const s = timeOrderedSplit(n, { fraction: 0.23, gapMs: 35 * 60_000, windowMs: 600_000 }, minutes(n));
    const all = [...s.train, ...s.gap, ...s.validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(s.validation.length).toBe(Math.ceil(n * 0.23));
    expect(Math.max(...s.train)).toBeLessThan(Math.min(...s.validation));
  });

  test('bad options are refused with the configuration path', () => {
    expect(() => timeOrderedSplit(10, { fraction: 1.2 })).toThrow(/validation.fraction/);
    expect(() => timeOrderedSplit(1, { fraction: 0.5 })).toThrow(/too few/);
    expect(() => timeOrderedSplit(10, { fraction: 0.2, gapMs: 60_000 })).toThrow(/validation.gap.*times/);
    expect(() => timeOrderedSplit(10, { fraction: 0.2, gapMs: 1e9 }, minutes(10))).toThrow(/no training/);
  });
});
