/**
 * The JS window kernel against a direct, slow restatement of its semantics (group by window,
 * sort by time, merge equal timestamps by mean, then each function from its definition), on
 * random data with missing values, duplicates and shuffled order. The pandas fixtures
 * (aggregate.test.ts) check the same semantics end to end.
 */
import fc from 'fast-check';
import { AGGREGATION_FUNCTIONS } from '../../analysis/config';
import { findWindow, quantile, WindowAggregator, windowOfMicros } from '../../analysis/window_aggregate';

const FUNCTIONS = [...AGGREGATION_FUNCTIONS, 'p0', 'p10', 'p50', 'p90', 'p100'];
const WIDTH = 600_000;
const ORIGIN_US = Date.parse('2026-10-01T00:00:00Z') * 1000;

interface Measurement {
  us: number;
  x: number;
}

function reference(rows: readonly Measurement[], originMs: number): Map<number, number[]> {
  const byWindow = new Map<number, Measurement[]>();
  for (const r of rows) {
    const w = windowOfMicros(r.us, WIDTH);
    byWindow.set(w, [...(byWindow.get(w) ?? []), r]);
  }
  const out = new Map<number, number[]>();
  for (const [w, list] of byWindow) {
    const times = [...new Set(list.map((r) => r.us))].sort((a, b) => a - b);
    const merged = times
      .map((us) => {
        const xs = list.filter((r) => r.us === us && !Number.isNaN(r.x)).map((r) => r.x);
        return { us, x: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN };
      })
      .filter((r) => !Number.isNaN(r.x));
    const xs = merged.map((r) => r.x);
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const ts = merged.map((r) => (Math.trunc(r.us / 1000) - originMs) / 60000);
    const tMean = ts.reduce((a, b) => a + b, 0) / n;
    const sxx = ts.reduce((a, t) => a + (t - tMean) ** 2, 0);
    const sxy = ts.reduce((a, t, i) => a + (t - tMean) * (xs[i] - mean), 0);
    const sorted = Float64Array.from(xs).sort();
    const values = FUNCTIONS.map((f) => {
      if (f === 'count') return n;
      if (n === 0) return Number.NaN;
      switch (f) {
        case 'mean':
          return mean;
        case 'std':
          return n < 2 ? Number.NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
        case 'min':
          return Math.min(...xs);
        case 'max':
          return Math.max(...xs);
        case 'first':
          return xs[0];
        case 'last':
          return xs[n - 1];
        case 'slope':
          return n < 2 || sxx === 0 ? Number.NaN : sxy / sxx;
        default: {
          const q = Number(f.slice(1)) / 100;
          const pos = q * (n - 1);
          const lo = Math.floor(pos);
          return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
        }
      }
    });
    out.set(w, values);
  }
  return out;
}

function run(rows: readonly Measurement[], everyOther = false) {
  const windows = Float64Array.from(new Set(rows.map((r) => windowOfMicros(r.us, WIDTH)))).sort();
  // With `everyOther`, only even-indexed windows are output rows (the lag / target case).
  const rowOf = new Int32Array(windows.length);
  let rowsOut = 0;
  windows.forEach((_, k) => {
    rowOf[k] = everyOther && k % 2 === 1 ? -1 : rowsOut++;
  });
  const originMs = Math.min(...rows.map((r) => Math.trunc(r.us / 1000)));
  const agg = new WindowAggregator(FUNCTIONS, { windows, rowOf, rows: rowsOut, widthMs: WIDTH, originMs });
  const out = agg.newColumns();
  const duplicates = agg.aggregate(
    Float64Array.from(rows, (r) => r.us),
    Float64Array.from(rows, (r) => r.x),
    rows.length,
    out,
  );
  return { windows, rowOf, out, duplicates, originMs };
}

function expectClose(got: number, want: number, label: string) {
  if (Number.isNaN(want)) {
    expect([label, got]).toEqual([label, Number.NaN]);
    return;
  }
  const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
  if (!(err < 1e-9)) expect([label, got]).toEqual([label, want]);
}

const measurement = fc.record({
  // Seconds over two hours, some sharing a timestamp; values with missing ones.
  us: fc.integer({ min: 0, max: 7200 }).map((s) => ORIGIN_US + s * 1_000_000),
  x: fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(Number.NaN)),
});

describe('window kernel', () => {
  test('equals the direct definition, in any input order, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(measurement, { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        (rows, everyOther) => {
          const { windows, rowOf, out, duplicates, originMs } = run(rows, everyOther);
          const want = reference(rows, originMs);
          expect(duplicates).toBe(rows.length - new Set(rows.map((r) => r.us)).size);
          windows.forEach((w, k) => {
            const row = rowOf[k];
            if (row < 0) return;
            want.get(w)!.forEach((value, f) => {
              expectClose(out[f][row], value, `${FUNCTIONS[f]} @ ${w}`);
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('time-ordered and shuffled input give the same features', () => {
    const rows: Measurement[] = [];
    for (let i = 0; i < 2000; i++) rows.push({ us: ORIGIN_US + i * 7_000_000, x: Math.sin(i / 10) });
    const shuffled = [...rows].reverse();
    for (let i = 0; i < shuffled.length; i += 3)
      [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1], shuffled[i]];
    const a = run(rows);
    const b = run(shuffled.filter(Boolean));
    expect(a.duplicates).toBe(0);
    a.out.forEach((column, f) => {
      expect(Array.from(b.out[f])).toEqual(Array.from(column));
    });
  });

  test('a window without present values: count 0, the rest NaN', () => {
    const rows = [
      { us: ORIGIN_US, x: Number.NaN },
      { us: ORIGIN_US + 1_000_000, x: Number.NaN },
      { us: ORIGIN_US + WIDTH * 1000, x: 5 },
    ];
    const { out } = run(rows);
    expect(out[FUNCTIONS.indexOf('count')][0]).toBe(0);
    expect(out[FUNCTIONS.indexOf('mean')][0]).toBeNaN();
    expect(out[FUNCTIONS.indexOf('mean')][1]).toBe(5);
    expect(out[FUNCTIONS.indexOf('std')][1]).toBeNaN();
    expect(out[FUNCTIONS.indexOf('slope')][1]).toBeNaN();
    expect(out[FUNCTIONS.indexOf('p50')][1]).toBe(5);
  });

  test('windows truncate like DuckDB integer division; lookups', () => {
    expect(windowOfMicros(ORIGIN_US + 599_999_999, WIDTH)).toBe(ORIGIN_US / 1000 / WIDTH);
    expect(windowOfMicros(ORIGIN_US + 600_000_000, WIDTH)).toBe(ORIGIN_US / 1000 / WIDTH + 1);
    expect(windowOfMicros(-1_000, WIDTH)).toBe(0);
    expect(findWindow(Float64Array.of(1, 4, 9), 4)).toBe(1);
    expect(findWindow(Float64Array.of(1, 4, 9), 5)).toBe(-1);
    expect(quantile(Float64Array.of(1, 2, 4), 3, 0.75)).toBe(3);
  });
});
