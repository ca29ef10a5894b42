/**
 * The rules analysis' pieces, each against an independent oracle: the beam search against an
 * exhaustive search, the stratified statistics against statsmodels (test/fixtures/rules), the
 * window and the dead time against data built with a known answer, the errors with their paths.
 */
import fc from 'fast-check';
import { isInvalidInput } from '../../analysis/errors';
import type { ObservationTable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';
import {
  alignTable,
  asOfRows,
  circularShiftNull,
  cochranMantelHaenszel,
  findDeadTimes,
  maxTPValues,
  operatingWindow,
  roleProblems,
  ruleColumns,
  ruleFigures,
  searchSubgroups,
  strataOf,
  whatToDoSection,
} from '../../analysis/rules';
import { countBoth, countRows, jaccard, rowSetOf } from '../../analysis/rules/row-set';
import fixtures from '../fixtures/rules/rules.json';

const range = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('row sets', () => {
  test('counts and Jaccard agree with plain loops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 0, maxLength: 200 }),
        (bits) => {
          const n = bits.length;
          const a = rowSetOf(n, (i) => bits[i][0]);
          const b = rowSetOf(n, (i) => bits[i][1]);
          const both = bits.filter(([x, y]) => x && y).length;
          const either = bits.filter(([x, y]) => x || y).length;
          expect(countRows(a)).toBe(bits.filter(([x]) => x).length);
          expect(countBoth(a, b)).toBe(both);
          expect(jaccard(a, b)).toBeCloseTo(either === 0 ? 1 : both / either, 12);
        },
      ),
    );
  });
});

/** A small table: 4 numeric variables with few distinct values and a lot column, a planted rule. */
function plantedTable(seed: number): { table: ObservationTable; labels: Uint8Array } {
  const rng = createRng(seed);
  const n = 400;
  const cols = Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => rng.int(12)));
  const lots = Array.from({ length: n }, () => `L${rng.int(4)}`);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const inRule = cols[0][i] > 6 && cols[1][i] <= 4;
    labels[i] = rng.next() < (inRule ? 0.7 : lots[i] === 'L2' ? 0.25 : 0.05) ? 1 : 0;
  }
  return {
    table: {
      rows: n,
      variables: [
        ...cols.map((values, j) => ({ name: `x${j}`, data: { kind: 'numeric' as const, values } })),
        { name: 'lot', data: { kind: 'text' as const, values: lots } },
      ],
    },
    labels,
  };
}

/** Every conjunction of at most two single conditions (all cut points, each category). */
function exhaustiveBest(table: ObservationTable, labels: Uint8Array, minRows: number): number {
  const n = table.rows;
  const P = labels.reduce((a, b) => a + b, 0);
  const singles: Uint8Array[] = [];
  for (const v of table.variables) {
    if (v.data.kind === 'numeric') {
      const values = v.data.values;
      const distinct = [...new Set(values)].sort((a, b) => a - b);
      for (let k = 0; k + 1 < distinct.length; k++) {
        const cut = (distinct[k] + distinct[k + 1]) / 2;
        singles.push(Uint8Array.from(values, (x) => (x <= cut ? 1 : 0)));
        singles.push(Uint8Array.from(values, (x) => (x > cut ? 1 : 0)));
      }
    } else {
      const values = v.data.values;
      for (const c of new Set(values)) singles.push(Uint8Array.from(values, (x) => (x === c ? 1 : 0)));
    }
  }
  const wracc = (mask: Uint8Array) => {
    let size = 0;
    let pos = 0;
    for (let i = 0; i < n; i++)
      if (mask[i]) {
        size++;
        pos += labels[i];
      }
    return size < minRows ? Number.NEGATIVE_INFINITY : (pos - (P / n) * size) / n;
  };
  let best = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < singles.length; a++) {
    best = Math.max(best, wracc(singles[a]));
    for (let b = a + 1; b < singles.length; b++)
      best = Math.max(best, wracc(singles[a].map((x, i) => x & singles[b][i])));
  }
  return best;
}

describe('beam search for subgroups', () => {
  test.each([1, 2, 3])('finds the exhaustive search’s best WRAcc over two conditions (seed %i)', (seed) => {
    const { table, labels } = plantedTable(seed);
    const columns = ruleColumns(table, range(table.rows));
    const rules = searchSubgroups(columns, labels, {
      maxConditions: 2,
      beamWidth: 50,
      minImprovement: 0,
      placeBounds: false,
    });
    const best = exhaustiveBest(table, labels, Math.ceil(0.01 * table.rows));
    expect(rules[0].quality).toBeGreaterThanOrEqual(best - 1e-12);
    // The planted rule, both bounds where they were planted.
    expect(rules[0].conditions).toEqual(
      expect.arrayContaining([
        { variable: 'x0', op: '>', value: 6.5 },
        { variable: 'x1', op: '<=', value: 4.5 },
      ]),
    );
  });

  test('each rule’s figures are its conditions’ own; each beats its sub-rules’ bad rate by 10 %; no two overlap ≥ 0.8', () => {
    const { table, labels } = plantedTable(7);
    const rows = range(table.rows);
    const rules = searchSubgroups(ruleColumns(table, rows), labels);
    expect(rules.length).toBeGreaterThan(1);
    const n = table.rows;
    const base = labels.reduce((a, b) => a + b, 0) / n;
    const wracc = (conditions: Parameters<typeof ruleFigures>[1]) => {
      const f = ruleFigures(table, conditions, labels, rows);
      return f.support * ((f.badRate ?? 0) - base);
    };
    for (const r of rules) {
      const f = ruleFigures(table, r.conditions, labels, rows);
      expect(f.rows).toBe(r.size);
      expect(f.positives).toBe(r.positives);
      expect(wracc(r.conditions)).toBeCloseTo(r.quality, 12);
      if (r.conditions.length > 1)
        r.conditions.forEach((_, drop) => {
          const sub = ruleFigures(
            table,
            r.conditions.filter((_, k) => k !== drop),
            labels,
            rows,
          );
          expect(f.badRate).toBeGreaterThan(1.1 * (sub.badRate ?? 0));
        });
    }
    for (let a = 0; a < rules.length; a++)
      for (let b = a + 1; b < rules.length; b++)
        expect(jaccard(rules[a].rows, rules[b].rows)).toBeLessThan(0.8);
    // The lot with more bad batches is a rule of its own.
    expect(rules.some((r) => r.conditions.some((c) => c.op === 'in' && c.value.includes('L2')))).toBe(true);
  });

  test('"good" finds the complement: the rows outside the planted rule', () => {
    const { table, labels } = plantedTable(4);
    const [best] = searchSubgroups(ruleColumns(table, range(table.rows)), labels, {
      seek: 'good',
      maxRules: 1,
    });
    const f = ruleFigures(table, best.conditions, labels, range(table.rows));
    expect(f.badRate).toBeLessThan(labels.reduce((a, b) => a + b, 0) / table.rows);
    expect(best.conditions.some((c) => c.variable === 'x0' || c.variable === 'x1')).toBe(true);
  });

  test('no rule without both populations', () => {
    const { table } = plantedTable(1);
    expect(searchSubgroups(ruleColumns(table, range(table.rows)), new Uint8Array(table.rows))).toEqual([]);
  });
});

describe('operating windows', () => {
  // Values 0..1999 (each 0.5 apart); trouble above 800 and, for the range, below 100.
  function line(twoSided: boolean) {
    const rng = createRng(5);
    const n = 4000;
    const values = Float64Array.from({ length: n }, (_, i) => (i % 2000) / 2);
    const labels = Uint8Array.from(values, (v) => {
      const trouble = v > 800 || (twoSided && v <= 100);
      return rng.next() < (trouble ? 0.8 : 0.02) ? 1 : 0;
    });
    return { values, labels };
  }

  test('one-sided: the bound where the bad rate changes, the other end open', () => {
    const { values, labels } = line(false);
    const w = operatingWindow(
      'v',
      values,
      labels,
      range(3000),
      Uint32Array.from({ length: 1000 }, (_, i) => 3000 + i),
    );
    expect(w?.low).toBeNull();
    expect(w?.high).toBeGreaterThanOrEqual(799);
    expect(w?.high).toBeLessThanOrEqual(801);
    expect(w?.badRateInside).toBeLessThan(0.05);
    expect(w?.badRateOutside).toBeGreaterThan(0.7);
    expect(w?.validation?.badRateOutside).toBeGreaterThan(0.7);
    expect(w?.goodKept).toBeGreaterThan(0.95);
  });

  test('two-sided: both ends', () => {
    const { values, labels } = line(true);
    const w = operatingWindow('v', values, labels, range(4000), null);
    expect(w?.low).toBeGreaterThanOrEqual(99);
    expect(w?.low).toBeLessThanOrEqual(101);
    expect(w?.high).toBeGreaterThanOrEqual(799);
    expect(w?.high).toBeLessThanOrEqual(801);
    expect(w?.validation).toBeNull();
  });

  test('keeps the required share of good production', () => {
    const { values, labels } = line(true);
    const w = operatingWindow('v', values, labels, range(4000), null, { minGoodKept: 0.97 });
    expect(w?.goodKept).toBeGreaterThanOrEqual(0.97);
  });
});

describe('dead time', () => {
  // A fast signal; the label at t is set by the signal 40 minutes earlier.
  function delayed(lag: number) {
    const rng = createRng(11);
    const n = 6000;
    const time = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
    const x = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      s = 0.8 * s + 0.6 * rng.normal();
      x[i] = s;
    }
    const noise = Float64Array.from({ length: n }, () => rng.normal());
    const labels = new Uint8Array(n);
    for (let i = lag; i < n; i++) labels[i] = x[i - lag] > 1.2 && rng.next() < 0.8 ? 1 : 0;
    const table: ObservationTable = {
      rows: n,
      time,
      variables: [
        { name: 'x', data: { kind: 'numeric', values: x } },
        { name: 'noise', data: { kind: 'numeric', values: noise } },
      ],
    };
    return { table, labels };
  }

  test('finds the lag, leaves an unrelated variable at 0, and aligning makes the cause separate', () => {
    const { table, labels } = delayed(40);
    const [x, noise] = findDeadTimes(table, labels, ['x', 'noise']);
    expect(x.lagMinutes).toBe(40);
    expect(x.separation).toBeGreaterThan(0.5);
    expect(x.separationAtZero).toBeLessThan(0.1);
    expect(noise.lagMinutes).toBe(0);
    const aligned = alignTable(table, new Map([['x', 40]]));
    const shifted = aligned.variables[0].data as { values: Float64Array };
    const original = table.variables[0].data as { values: Float64Array };
    expect(Number.isNaN(shifted.values[39])).toBe(true);
    expect(shifted.values[100]).toBe(original.values[60]);
    expect(aligned.variables[1]).toBe(table.variables[1]);
  });

  test('as-of rows look back within the tolerance only', () => {
    const time = Float64Array.from([0, 60, 120, 600, 660]);
    expect(Array.from(asOfRows(time, 60, 90))).toEqual([1, 2, 2, 4, 4]);
    expect(Array.from(asOfRows(time, 60, 30))).toEqual([1, 2, -1, 4, -1]);
    expect(Array.from(asOfRows(time, -60, 90))).toEqual([-1, 0, 1, -1, 3]);
  });
});

describe('strata and roles', () => {
  test('CMH statistic and Mantel–Haenszel odds ratio as statsmodels', () => {
    for (const c of fixtures.cmh) {
      const cells = c.tables.flatMap(([[a, b], [cc, d]]) => [a, b, cc, d]);
      const got = cochranMantelHaenszel(cells);
      expect(got.statistic).toBeCloseTo(c.statistic, 9);
      expect(got.oddsRatio).toBeCloseTo(c.oddsRatio, 9);
    }
  });

  const table: ObservationTable = {
    rows: 60,
    variables: [
      { name: 'recipe', data: { kind: 'text', values: Array.from({ length: 60 }, (_, i) => `R${i % 3}`) } },
      { name: 'serial', data: { kind: 'numeric', values: Float64Array.from({ length: 60 }, (_, i) => i) } },
    ],
  };

  test('strata: unknown column and too many strata are input errors naming the path', () => {
    expect(strataOf(table, ['recipe']).names).toEqual(['R0', 'R1', 'R2']);
    const problem = (stratify: string[]) => {
      try {
        strataOf(table, stratify);
      } catch (error) {
        if (isInvalidInput(error)) return error.problems[0];
        throw error;
      }
      return null;
    };
    expect(problem(['recipes'])).toEqual({
      where: 'variables.stratify[0]',
      message: expect.stringContaining('did you mean "recipe"'),
    });
    expect(problem(['serial'])).toEqual({
      where: 'variables.stratify',
      message: expect.stringContaining('more than 50 strata'),
    });
  });

  test('roles: unknown columns and a variable with two roles', () => {
    expect(roleProblems({ setting: ['recipe'], measurement: ['serial'] }, ['recipe', 'serial'])).toEqual([]);
    expect(roleProblems({ setting: ['recipe', 'oven'], ambient: ['recipe'] }, ['recipe', 'serial'])).toEqual([
      { where: 'variables.roles.setting[1]', message: 'column "oven" does not exist' },
      {
        where: 'variables.roles.ambient[0]',
        message: '"recipe" is already a setting; give each variable one role',
      },
    ]);
  });
});

describe('the rules’ null', () => {
  test('circular shifts keep every label, are rotations, and are fixed by the seed', () => {
    const labels = Uint8Array.from({ length: 500 }, (_, i) => (i % 37 < 5 ? 1 : 0));
    const draws = circularShiftNull.draw(labels, 10, 3);
    expect(draws).toHaveLength(10);
    for (const y of draws) {
      expect(y.reduce((a, b) => a + b, 0)).toBe(labels.reduce((a, b) => a + b, 0));
      const offset = [...Array(500).keys()].find((o) => y.every((v, i) => v === labels[(i + o) % 500]));
      expect(offset).toBeGreaterThanOrEqual(50);
      expect(offset).toBeLessThan(450);
    }
    expect(circularShiftNull.draw(labels, 10, 3)).toEqual(draws);
  });

  test('max-T p-values', () => {
    expect(maxTPValues([0.5, 0.1], [0.2, 0.3, 0.05, 0.6])).toEqual([2 / 5, 4 / 5]);
    expect(maxTPValues([0.5], [])).toEqual([null]);
  });
});

describe('the "What to do" section', () => {
  test('levers and indicators apart, in words, with the bounds to draw', () => {
    const section = whatToDoSection(
      {
        operatingWindows: [
          {
            variable: 'oven_zone2_temp',
            low: null,
            high: 235.8,
            badRateInside: 0.02,
            badRateOutside: 0.41,
            goodKept: 0.93,
            rows: 900,
            validation: { badRateInside: 0.03, badRateOutside: 0.38, goodKept: 0.9, rows: 200 },
            indicator: false,
            lagMinutes: 40,
          },
          {
            variable: 'crust_color',
            low: 55,
            high: 66,
            badRateInside: 0.01,
            badRateOutside: 0.6,
            goodKept: 0.97,
            rows: 900,
            validation: null,
            role: 'measurement',
            indicator: true,
          },
        ],
        rules: [
          {
            conditions: [
              { variable: 'oven_zone2_temp', op: '>', value: 236.1 },
              { variable: 'conveyor_speed', op: '<=', value: 4.4 },
              { variable: 'conveyor_speed', op: '>', value: 3.9 },
            ],
            badRate: 0.48,
            baseRate: 0.05,
            support: 0.07,
            coverage: 0.81,
            lift: 9.6,
            rows: 70,
            positives: 34,
            wracc: 0.03,
            qValue: 0.01,
            validation: null,
            indicator: false,
          },
          {
            conditions: [{ variable: 'flour_lot', op: 'in', value: ['L7'] }],
            badRate: 0.2,
            baseRate: 0.05,
            support: 0.1,
            coverage: 0.4,
            lift: 4,
            rows: 100,
            positives: 20,
            wracc: 0.015,
            qValue: 0.3,
            validation: null,
            indicator: false,
          },
        ],
        recommendation: {
          conditions: [{ variable: 'oven_zone2_temp', op: '<=', value: 235.8 }],
          badRate: 0.02,
          baseRate: 0.05,
          badRateOutside: 0.41,
          support: 0.9,
          goodKept: 0.93,
          rows: 900,
          positives: 18,
          validation: null,
        },
      },
      { lagMinutes: new Map([['oven_zone2_temp', 40]]) },
    );
    expect(section.actions.map((a) => a.kind)).toEqual(['recommendation', 'window', 'rule']);
    expect(section.indicators.map((a) => a.variables)).toEqual([['crust_color']]);
    expect(section.actions[1].text).toBe(
      'Keep oven_zone2_temp (40 minutes before) at or below 235.8: 2 % bad inside, 41 % outside (validation period: 3 % and 38 %); keeps 93 % of good production.',
    );
    expect(section.actions[2].text).toContain(
      'When oven_zone2_temp (40 minutes before) > 236.1 and conveyor_speed ≤ 4.4',
    );
    expect(section.actions[2].bounds).toEqual([
      { variable: 'oven_zone2_temp', low: 236.1, high: null, lagMinutes: 40 },
      { variable: 'conveyor_speed', low: 3.9, high: 4.4 },
    ]);
    // The lot rule has no evidence (q 0.3): it is not told.
    expect(section.actions.some((a) => a.variables.includes('flour_lot'))).toBe(false);
  });
});
