/**
 * Window grid and window labels from measurements in memory, against a direct restatement:
 * group rows by timestamp, merge each column's duplicates (mean of present numbers, smallest
 * text), evaluate the target on every timestamp, OR by window. Random data with missing values,
 * duplicates, shuffled order and timestamps of one column only.
 */
import fc from 'fast-check';
import { parseTarget } from '../../analysis/target';
import { windowOfMicros } from '../../analysis/window_aggregate';
import { type MeasuredColumn, WindowCounter, windowCounts, windowLabels } from '../../analysis/window_grid';

const WIDTH = 600_000;
const ORIGIN_US = Date.parse('2026-10-01T00:00:00Z') * 1000;

describe('window counts', () => {
  test('distinct timestamps per window, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }), (minutes) => {
        // Some timestamps carry sub-minute offsets so that windows split inside a minute too.
        const times = Float64Array.from(minutes, (m) => ORIGIN_US + m * 60e6 + (m % 7) * 1000);
        const got = windowCounts(times, WIDTH);
        const distinct = [...new Set(times)].sort((a, b) => a - b);
        const byWindow = new Map<number, number>();
        for (const us of distinct) {
          const w = windowOfMicros(us, WIDTH);
          byWindow.set(w, (byWindow.get(w) ?? 0) + 1);
        }
        expect(Array.from(got.windows)).toEqual([...byWindow.keys()]);
        expect(Array.from(got.counts)).toEqual([...byWindow.values()]);
        expect(got.originMs).toBe(distinct[0] / 1000);
        // Fed in order, one distinct time at a time, as the long source's reader does.
        const counter = new WindowCounter(WIDTH);
        for (const us of distinct) counter.add(us);
        expect(counter.result()).toEqual(got);
      }),
    );
  });
});

interface Row {
  column: 'temp' | 'state';
  minute: number;
  number: number;
  text: string | null;
}

// One-minute windows: one timestamp a window, so a wrong merge changes a label.
const MINUTE = 60_000;

function reference(rows: readonly Row[], windows: Float64Array): { labels: number[]; present: number[] } {
  const labels = new Array<number>(windows.length).fill(0);
  const present = new Array<number>(windows.length).fill(0);
  for (const minute of [...new Set(rows.map((r) => r.minute))]) {
    const temps = rows.filter((r) => r.minute === minute && r.column === 'temp' && !Number.isNaN(r.number));
    const texts = rows
      .filter((r) => r.minute === minute && r.column === 'state' && r.text !== null)
      .map((r) => r.text!)
      .sort();
    const temp = temps.length ? temps.reduce((s, r) => s + r.number, 0) / temps.length : Number.NaN;
    const state = texts.length ? texts[0] : null;
    const y = (temp > 0.5 && state === 'on') || temp < 0.1 ? 1 : 0;
    const k = windows.indexOf(windowOfMicros(ORIGIN_US + minute * 60e6, MINUTE));
    labels[k] |= y;
    present[k] |= !Number.isNaN(temp) || state !== null ? 1 : 0;
  }
  return { labels, present };
}

describe('window labels', () => {
  const target = parseTarget("(temp > 0.5 and state == 'on') or temp < 0.1");
  const row = fc.record({
    column: fc.constantFrom('temp' as const, 'state' as const),
    minute: fc.integer({ min: 0, max: 9 }), // few minutes: many duplicates
    number: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN)),
    text: fc.constantFrom('on', 'off', null),
  });

  test('equal the direct definition, in any order, with duplicates and missing values', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60, size: 'max' }), (rows) => {
        const { windows } = windowCounts(
          Float64Array.from(rows, (r) => ORIGIN_US + r.minute * 60e6),
          MINUTE,
        );
        const of = (name: 'temp' | 'state') => rows.filter((r) => r.column === name);
        const columns: MeasuredColumn[] = [
          {
            name: 'temp',
            kind: 'numeric',
            times: Float64Array.from(of('temp'), (r) => ORIGIN_US + r.minute * 60e6),
            values: Float64Array.from(of('temp'), (r) => r.number),
          },
          {
            name: 'state',
            kind: 'text',
            times: Float64Array.from(of('state'), (r) => ORIGIN_US + r.minute * 60e6),
            values: of('state').map((r) => r.text),
          },
        ];
        const got = windowLabels(target, columns, windows, MINUTE);
        const want = reference(rows, windows);
        expect(Array.from(got.labels)).toEqual(want.labels);
        expect(Array.from(got.present)).toEqual(want.present);
      }),
    );
  });

  test('unknown columns and comparisons that do not fit a kind are refused before any row', () => {
    const empty = new Float64Array(0);
    const temp: MeasuredColumn = { name: 'temp', kind: 'numeric', times: empty, values: empty };
    expect(() => windowLabels(parseTarget('tmp > 1'), [temp], empty, WIDTH)).toThrow(
      /column "tmp" does not exist; did you mean "temp"/,
    );
    expect(() => windowLabels(parseTarget("temp == 'hot'"), [temp], empty, WIDTH)).toThrow(
      /column "temp" is numeric; compare it with a number/,
    );
  });
});
