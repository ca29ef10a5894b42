/**
 * The rules analysis as the pipeline runs it (analysis/rules/line-rules.ts): the rows of the
 * training part and validation period follow their windows' time-ordered split, the entries get
 * their dead time and strata, and no dead time is searched without time or with maxLag 0.
 */
import type { DistributionEntry } from '../../analysis/distribution/types';
import type { ObservationTable } from '../../analysis/frame';
import { alignOnDeadTimes, annotateEntries, lagsOf, rowSplit } from '../../analysis/rules/line-rules';

const MINUTE = 60_000;

/** 100 ten-minute windows of minute rows. */
function minuteTable(rows = 1000): ObservationTable & { time: Float64Array } {
  const time = Float64Array.from({ length: rows }, (_, i) => Date.UTC(2026, 9, 1) + i * MINUTE);
  return {
    rows,
    time,
    variables: [{ name: 'x', data: { kind: 'numeric', values: new Float64Array(rows) } }],
  };
}

describe('rowSplit', () => {
  const plan = { kind: 'windows' as const, windowMs: 10 * MINUTE, lagWindows: 0, functions: [] };

  it('puts each row on its window’s side: the last 20 % of the windows for validation', () => {
    const table = minuteTable();
    const { train, validation } = rowSplit(table, plan, new Uint8Array(table.rows).fill(1), {
      fraction: 0.2,
      gapMs: 0,
    });
    expect(train.length).toBe(800);
    expect(validation.length).toBe(200);
    expect(train[train.length - 1]).toBe(799);
    expect(validation[0]).toBe(800);
  });

  it('leaves out the gap’s windows and the rows whose target is unknown', () => {
    const table = minuteTable();
    const mask = new Uint8Array(table.rows).fill(1);
    // Window 10 (rows 100–109) has no target value: it is not an observation.
    mask.fill(0, 100, 110);
    const { train, validation } = rowSplit(table, plan, mask, { fraction: 0.2, gapMs: 20 * MINUTE });
    // 99 windows: 20 for validation (ceil of 19.8), from window 80 on; windows 78 and 79 end
    // less than 20 minutes before it (the gap).
    expect(validation.length).toBe(200);
    expect(validation[0]).toBe(800);
    expect(train.length).toBe(770);
    expect(train.includes(105)).toBe(false);
    expect(train[train.length - 1]).toBe(779);
  });

  it('splits rows as observations without windows', () => {
    const table = minuteTable(50);
    const { train, validation } = rowSplit(table, { kind: 'rows' }, new Uint8Array(50).fill(1), {
      fraction: 0.2,
      gapMs: 0,
    });
    expect([train.length, validation.length, validation[0]]).toEqual([40, 10, 40]);
  });
});

describe('dead times and strata on the entries', () => {
  const numeric = {
    variable: 'x',
    kind: 'numeric',
    score: 0.5,
    qValue: 0.01,
  } as unknown as DistributionEntry;
  const identifier = { variable: 'id', kind: 'identifier' } as unknown as DistributionEntry;

  it('searches no dead time with maxLag 0 or without time, and says none', () => {
    const table = minuteTable();
    const labels = new Uint8Array(table.rows);
    const mask = new Uint8Array(table.rows).fill(1);
    const none = alignOnDeadTimes(table, labels, mask, ['x'], { maxLagMs: 0 });
    expect(none.table).toBe(table);
    const { time: _time, ...untimed } = table;
    expect(alignOnDeadTimes(untimed, labels, mask, ['x'], { maxLagMs: 3600_000 }).deadTimes).toEqual([]);
    const [entry] = annotateEntries([numeric], none, []);
    expect(entry).not.toHaveProperty('lagMinutes');
  });

  it('gives each ranked entry its lag and strata, identifiers untouched', () => {
    const aligned = {
      deadTimes: [{ variable: 'x', lagMinutes: 40 }] as never,
      lagMinutes: new Map([['x', 40]]),
    };
    const comparison = {
      variable: 'x',
      strata: [{ stratum: 'R1', rows: 10, positives: 2, score: 0.3 }],
      oddsRatio: 1.1,
      crudeOddsRatio: 4,
      cmh: 0.2,
      pValue: 0.6,
      confounded: true,
    };
    const [x, id] = annotateEntries([numeric, identifier], aligned, [comparison]);
    expect(x).toMatchObject({
      lagMinutes: 40,
      confounded: true,
      strata: comparison.strata,
      withinStrata: { oddsRatio: 1.1, crudeOddsRatio: 4, cmh: 0.2, pValue: 0.6 },
    });
    expect(id).toEqual(identifier);
    expect([...lagsOf([x, id])]).toEqual([['x', 40]]);
  });
});

describe('rowSplit on too few observations', () => {
  it('keeps them all for training instead of failing', () => {
    const table = minuteTable(5);
    const { train, validation } = rowSplit(
      table,
      { kind: 'windows', windowMs: 10 * MINUTE, lagWindows: 0, functions: [] },
      new Uint8Array(5).fill(1),
      { fraction: 0.2, gapMs: 0 },
    );
    expect([train.length, validation.length]).toEqual([5, 0]);
  });
});
