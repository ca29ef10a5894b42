import { SEARCH_ROWS_MAX, searchValidation, thinRows, timeOrderedSplit } from '../../analysis/split';

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

describe("the search's validation inside the training part", () => {
  const labelsWith = (n: number, positive: (i: number) => boolean) =>
    Uint8Array.from({ length: n }, (_, i) => (positive(i) ? 1 : 0));
  const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);

  test('the time-ordered split when both its sides hold both populations', () => {
    const labels = labelsWith(100, (i) => i % 7 === 0);
    const v = searchValidation(range(0, 100), labels, { fraction: 0.2 }, minutes(100));
    expect(v.method).toBe('time-ordered');
    expect(v.reason).toBeUndefined();
    expect(v.folds).toHaveLength(1);
    expect(Array.from(v.folds[0].validation)).toEqual(Array.from(range(80, 100)));
    expect(Array.from(v.folds[0].train)).toEqual(Array.from(range(0, 80)));
  });

  test('blocked folds when the last part holds no positive (AI4I HDF: failures in one period only)', () => {
    // Positives only in rows 30..55 of 100: the last fifth (80..99) holds none.
    const labels = labelsWith(100, (i) => i >= 30 && i < 55 && i % 3 === 0);
    const v = searchValidation(range(0, 100), labels, { fraction: 0.2 }, minutes(100));
    expect(v.method).toBe('blocked folds');
    expect(v.reason).toMatch(/last 0.2 of the training part \(20 observations\) holds no bad observation/);
    // Blocks of 20 rows; those with both populations are 20..39 and 40..59.
    expect(v.folds.map((f) => [f.validation[0], f.validation.at(-1)])).toEqual([
      [20, 39],
      [40, 59],
    ]);
    for (const fold of v.folds) {
      const validation = new Set(fold.validation);
      expect(Array.from(fold.train).some((i) => validation.has(i))).toBe(false);
      expect(fold.train.length + fold.validation.length).toBe(100);
    }
  });

  test('the gap and the window width are left out on both sides of a block', () => {
    const labels = labelsWith(100, (i) => i >= 30 && i < 55 && i % 3 === 0);
    // Windows of 10 minutes one every 10 minutes; a 20-minute gap.
    const v = searchValidation(
      range(0, 100),
      labels,
      { fraction: 0.2, gapMs: 20 * 60_000, windowMs: 10 * 60_000 },
      minutes(100),
    );
    const fold = v.folds[0]; // validation rows 20..39
    const train = new Set(fold.train);
    // Before: a window [t, t + 10 min) must end 20 min before row 20 starts: rows up to 17.
    expect([17, 18, 19].map((i) => train.has(i))).toEqual([true, false, false]);
    // After: the last validation window ends at row 40's start; rows from 42 on are 20 min after.
    expect([40, 41, 42].map((i) => train.has(i))).toEqual([false, false, true]);
  });

  test('an error naming the problem when no block can be scored', () => {
    // Every positive in one block: its fold has a training part without positives.
    const labels = labelsWith(100, (i) => i >= 22 && i < 30);
    expect(() => searchValidation(range(0, 100), labels, { fraction: 0.2 }, minutes(100))).toThrow(
      /holds no bad observation, and no time block of the training part can be scored.*8 positive observations all fall in one block/,
    );
  });
});

describe('trials on long training parts', () => {
  const labelsWith = (n: number, positive: (i: number) => boolean) =>
    Uint8Array.from({ length: n }, (_, i) => (positive(i) ? 1 : 0));
  const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);
  test('train on every k-th row beyond SEARCH_ROWS_MAX, validated on all their rows', () => {
    const n = 1_000_000;
    const labels = labelsWith(n, (i) => i % 7 === 0);
    const v = searchValidation(range(0, n), labels, { fraction: 0.2 });
    expect(v.method).toBe('time-ordered');
    expect(v.trainStep).toBe(4);
    const [fold] = v.folds;
    // 800,000 rows before the last fifth: every 4th, in time order.
    expect(fold.train.length).toBe(200_000);
    expect(SEARCH_ROWS_MAX).toBe(200_000);
    expect([fold.train[0], fold.train[1], fold.train[fold.train.length - 1]]).toEqual([0, 4, 799_996]);
    expect(fold.validation.length).toBe(200_000);
    expect(fold.validation[0]).toBe(800_000);
  });

  test('no thinning up to the maximum, nor when it would leave one population', () => {
    const small = searchValidation(
      range(0, 1000),
      labelsWith(1000, (i) => i % 5 === 0),
      { fraction: 0.2 },
    );
    expect(small.trainStep).toBeUndefined();
    expect(small.folds[0].train.length).toBe(800);
    // 480,000 training rows thinned to every 3rd (0, 3, 6, …) would hold none of the positives.
    const odd = searchValidation(
      range(0, 600_000),
      labelsWith(600_000, (i) => i % 3 === 1),
      { fraction: 0.2 },
    );
    expect(odd.trainStep).toBeUndefined();
    expect(odd.folds[0].train.length).toBe(480_000);
  });

  test('thinRows keeps every k-th row, k the smallest that fits', () => {
    expect(Array.from(thinRows(range(0, 10), 4))).toEqual([0, 3, 6, 9]);
    const rows = range(0, 5);
    expect(thinRows(rows, 5)).toBe(rows);
  });
});
