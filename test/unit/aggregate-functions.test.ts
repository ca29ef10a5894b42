/**
 * analysis/aggregate on its own: the kernel against a direct, slow restatement of each function
 * (windows and interleaved batches, random data with missing values), durations and instants,
 * the any-row rule, the identifier rule, and the labels the distribution analysis takes equal
 * to those of the observations the model learns from. The pandas fixtures (aggregate.test.ts)
 * check the same semantics end to end.
 */
import fc from 'fast-check';
import { aggregateObservations } from '../../analysis/aggregate/aggregate';
import { BASIC_FUNCTIONS, GroupAggregator, groupModes, quantile } from '../../analysis/aggregate/functions';
import {
  type AggregationPlan,
  anyRow,
  batchGroups,
  type Groups,
  windowGroups,
} from '../../analysis/aggregate/groups';
import { isIdentifier } from '../../analysis/aggregate/identifier';
import { populationLabels } from '../../analysis/aggregate/labels';
import { parseTarget } from '../../analysis/aggregate/target';
import {
  formatDuration,
  lagInWindows,
  parseDuration,
  parseInstant,
  windowOf,
  windowStart,
} from '../../analysis/aggregate/time';
import type { ObservationTable } from '../../analysis/frame';

const FUNCTIONS = [...BASIC_FUNCTIONS, 'p1', 'p10', 'p50', 'p90', 'p99'];
const WIDTH = 600_000;
const ORIGIN = Date.parse('2026-10-01T00:00:00Z');

/** Each group's functions from their definitions. */
function reference(times: number[], xs: number[], groups: Groups, originMs: number): number[][] {
  return Array.from({ length: groups.count }, (_, g) => {
    const rows = times.map((_, i) => i).filter((i) => groups.of[i] === g && !Number.isNaN(xs[i]));
    const v = rows.map((i) => xs[i]);
    const t = rows.map((i) => (Math.floor(times[i]) - originMs) / 60000);
    const n = v.length;
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const tMean = t.reduce((a, b) => a + b, 0) / n;
    const sxx = t.reduce((a, x) => a + (x - tMean) ** 2, 0);
    const sxy = t.reduce((a, x, k) => a + (x - tMean) * (v[k] - mean), 0);
    const sorted = Float64Array.from(v).sort();
    return FUNCTIONS.map((f) => {
      if (f === 'count') return n;
      if (n === 0) return Number.NaN;
      switch (f) {
        case 'mean':
          return mean;
        case 'std':
          return n < 2 ? Number.NaN : Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
        case 'min':
          return Math.min(...v);
        case 'max':
          return Math.max(...v);
        case 'first':
          return v[0];
        case 'last':
          return v[n - 1];
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
  });
}

function expectClose(got: number, want: number, label: string) {
  if (Number.isNaN(want)) {
    expect([label, got]).toEqual([label, Number.NaN]);
    return;
  }
  const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
  if (!(err < 1e-9)) expect([label, got]).toEqual([label, want]);
}

const series = fc
  .uniqueArray(fc.integer({ min: 0, max: 7200 }), { minLength: 1, maxLength: 300 })
  .chain((seconds) =>
    fc.record({
      times: fc.constant([...seconds].sort((a, b) => a - b).map((s) => ORIGIN + s * 1000)),
      xs: fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(Number.NaN)), {
        minLength: seconds.length,
        maxLength: seconds.length,
      }),
      batches: fc.array(fc.integer({ min: 0, max: 6 }), {
        minLength: seconds.length,
        maxLength: seconds.length,
      }),
      skip: fc.boolean(),
    }),
  );

describe('the kernel', () => {
  test('equals the definitions, over windows and over interleaved batches', () => {
    fc.assert(
      fc.property(series, ({ times, xs, batches, skip }) => {
        const t = Float64Array.from(times);
        for (const groups of [
          windowGroups(t, WIDTH),
          batchGroups(t, { kind: 'numeric', values: Float64Array.from(batches) }),
        ]) {
          // With `skip`, every other group is not an output row (the lag / target case).
          let rows = 0;
          const rowOf = Int32Array.from({ length: groups.count }, (_, g) => (skip && g % 2 ? -1 : rows++));
          const aggregator = new GroupAggregator(FUNCTIONS, groups, rowOf, rows, t, times[0]);
          const out = aggregator.newColumns();
          aggregator.aggregate(Float64Array.from(xs), out);
          const want = reference(times, xs, groups, times[0]);
          for (let g = 0; g < groups.count; g++) {
            if (rowOf[g] < 0) continue;
            want[g].forEach((value, f) => {
              expectClose(out[f][rowOf[g]], value, `${FUNCTIONS[f]} @ ${g}`);
            });
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a group without present values: count 0, the rest NaN; modes tie to the smallest', () => {
    const t = Float64Array.of(ORIGIN, ORIGIN + 1000, ORIGIN + WIDTH, ORIGIN + WIDTH + 1);
    const groups = windowGroups(t, WIDTH);
    const aggregator = new GroupAggregator(FUNCTIONS, groups, Int32Array.of(0, 1), 2, t, ORIGIN);
    const out = aggregator.newColumns();
    aggregator.aggregate(Float64Array.of(Number.NaN, Number.NaN, 5, Number.NaN), out);
    expect(out[FUNCTIONS.indexOf('count')][0]).toBe(0);
    expect(out[FUNCTIONS.indexOf('mean')][0]).toBeNaN();
    expect(out[FUNCTIONS.indexOf('mean')][1]).toBe(5);
    expect(out[FUNCTIONS.indexOf('std')][1]).toBeNaN();
    expect(groupModes(['b', 'a', null, 'c'], groups, Int32Array.of(0, 1), 2)).toEqual(['a', 'c']);
    expect(quantile(Float64Array.of(1, 2, 4), 3, 0.75)).toBe(3);
  });

  test('batches are numbered by their first time, ties by value; rows without a batch are in none', () => {
    const t = Float64Array.of(1, 2, 3, 4, 5);
    const groups = batchGroups(t, { kind: 'text', values: ['B', 'A', null, 'B', 'C'] });
    expect(Array.from(groups.of)).toEqual([0, 1, -1, 0, 2]);
    expect(Array.from(groups.starts)).toEqual([1, 2, 5]);
    expect(Array.from(groups.sizes)).toEqual([2, 1, 1]);
    expect(Array.from(anyRow(Uint8Array.of(0, 1, 1, 0, 0), groups))).toEqual([0, 1, 0]);
  });
});

describe('durations, instants, windows', () => {
  test.each([
    ['10m', 600_000],
    ['0m', 0],
    ['0', 0],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['15min', 900_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test('unreadable durations and instants name the field', () => {
    expect(() => parseDuration('10 minutes', 'aggregation.window')).toThrow(
      /aggregation.window.*"10 minutes"/,
    );
    expect(() => parseDuration('', 'validation.gap')).toThrow(/validation.gap/);
    expect(() => parseInstant('last tuesday', '--from')).toThrow(/--from.*ISO 8601/);
    expect(parseInstant('2026-10-01T02:00:00+02:00', 'x')).toBe(ORIGIN);
    expect(parseInstant('2026-10-01T00:00:00', 'x')).toBe(ORIGIN);
    expect(parseInstant('2026-10-01', 'x')).toBe(ORIGIN);
  });

  test('format is the inverse on whole units', () => {
    for (const text of ['10m', '1h', '2d', '45s', '0m'])
      expect(formatDuration(parseDuration(text))).toBe(text);
  });

  test('windows are epoch-aligned (floor, also before 1970); lags are whole windows', () => {
    const t = Date.parse('2026-10-01T10:17:42Z');
    expect(new Date(windowStart(t, 600_000)).toISOString()).toBe('2026-10-01T10:10:00.000Z');
    expect(windowOf(-1, WIDTH)).toBe(-1);
    expect(windowOf(0, WIDTH)).toBe(0);
    expect(lagInWindows(1_200_000, 600_000)).toBe(2);
    expect(() => lagInWindows(300_000, 600_000)).toThrow(/aggregation.lag.*5m.*10m/);
  });
});

describe('identifiers', () => {
  test('texts all different on at least half the rows; integer row counters', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `B${i}`);
    expect(isIdentifier({ kind: 'text', values: ids })).toBe(true);
    expect(isIdentifier({ kind: 'text', values: [...ids, null] })).toBe(true);
    expect(isIdentifier({ kind: 'text', values: [...ids, 'B3'] })).toBe(false);
    expect(isIdentifier({ kind: 'text', values: [...ids.slice(0, 10), ...new Array(30).fill(null)] })).toBe(
      false,
    );
    expect(isIdentifier({ kind: 'numeric', values: Float64Array.of(1, 2, 3, 5) })).toBe(true);
    expect(isIdentifier({ kind: 'numeric', values: Float64Array.of(1, 2, 2, 5) })).toBe(false);
    expect(isIdentifier({ kind: 'numeric', values: Float64Array.of(1, 2.5, 3) })).toBe(false);
    expect(isIdentifier({ kind: 'numeric', values: Float64Array.of(1, 2) })).toBe(false);
  });
});

describe('labels: the distribution and the model label the same observations', () => {
  const rows = 500;
  const time = Float64Array.from({ length: rows }, (_, i) => ORIGIN + i * 37_000);
  const temp = Float64Array.from({ length: rows }, (_, i) =>
    i % 53 === 0 ? Number.NaN : 200 + 10 * Math.sin(i / 9),
  );
  const batch = Array.from({ length: rows }, (_, i) => (i % 71 === 5 ? null : `B${Math.floor(i / 13) % 17}`));
  const table: ObservationTable = {
    rows,
    time,
    variables: [
      { name: 'temp', data: { kind: 'numeric', values: temp } },
      { name: 'batch', data: { kind: 'text', values: batch } },
      { name: 'x', data: { kind: 'numeric', values: Float64Array.from({ length: rows }, (_, i) => i % 7) } },
    ],
  };
  const target = parseTarget('temp > 209');
  const plans: AggregationPlan[] = [
    { kind: 'windows', windowMs: WIDTH, lagWindows: 0, functions: ['mean'] },
    { kind: 'batches', batchColumn: 'batch', lagBatches: 0, functions: ['mean'] },
    { kind: 'rows' },
  ];
  test.each(plans)('$kind', (plan) => {
    const observations = aggregateObservations(table, target, plan);
    const { labels, mask } = populationLabels(table, target, plan);
    // Every observation's label is its rows' label; its rows are the masked rows of its group.
    const byStart = new Map<number, number>();
    observations.times.forEach((t, r) => {
      byStart.set(t, observations.labels[r]);
    });
    let masked = 0;
    for (let i = 0; i < rows; i++) {
      if (!mask[i]) continue;
      masked++;
      const start =
        plan.kind === 'windows'
          ? windowStart(time[i], WIDTH)
          : plan.kind === 'rows'
            ? time[i]
            : Math.min(...Array.from(time).filter((_, k) => batch[k] === batch[i]));
      expect([i, labels[i]]).toEqual([i, byStart.get(start)]);
    }
    expect(masked).toBe(observations.rowCounts.reduce((a, b) => a + b, 0));
    expect(observations.positives).toBeGreaterThan(0);
  });
});
