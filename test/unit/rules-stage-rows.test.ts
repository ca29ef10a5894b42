/**
 * What the rules stage hands its tasks at plant scale (issue 21): only the columns the search
 * looks at (`whatToDoVariables`), which gives the same windows, rules and recommendation as the
 * whole table, and at most `RULE_ROWS_MAX` training rows, thinned evenly in time order.
 */
import type { ObservationTable, Variable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';
import { RULE_ROWS_MAX, ruleTrainingRows } from '../../analysis/rules/line-rules';
import { whatToDo, whatToDoVariables } from '../../analysis/rules/what-to-do';

/** 30 variables: numeric ones, a few text ones, and numeric codes (a categorical entry). */
function line(rows: number) {
  const rng = createRng(7);
  const variables: Variable[] = [];
  for (let j = 0; j < 30; j++) {
    const name = `v${String(j).padStart(2, '0')}`;
    if (j % 7 === 3) {
      const levels = ['a', 'b', 'c'];
      variables.push({
        name,
        data: { kind: 'text', values: Array.from({ length: rows }, () => levels[rng.int(3)]) },
      });
    } else if (j % 7 === 5) {
      variables.push({
        name,
        data: { kind: 'numeric', values: Float64Array.from({ length: rows }, () => rng.int(4)) },
      });
    } else {
      variables.push({
        name,
        data: { kind: 'numeric', values: Float64Array.from({ length: rows }, () => rng.next()) },
      });
    }
  }
  const cause = variables[12].data.values as Float64Array;
  const codes = variables[5].data.values as Float64Array;
  const labels = Uint8Array.from({ length: rows }, (_, i) =>
    (cause[i] > 0.8 && rng.next() < 0.7) || (codes[i] === 2 && rng.next() < 0.2) || rng.next() < 0.03 ? 1 : 0,
  );
  const table: ObservationTable = { rows, variables };
  return { table, labels };
}

describe('whatToDoVariables', () => {
  it('keeps the first 12 and the first 10 numeric variables, in ranking order', () => {
    const ranked = Array.from({ length: 30 }, (_, k) => ({ variable: `r${k}`, numeric: k % 3 !== 0 }));
    const kept = whatToDoVariables(ranked);
    // r0…r11, then the numeric ones up to the tenth numeric (r1 r2 r4 r5 r7 r8 r10 r11 r13 r14).
    expect(kept).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
      'r6',
      'r7',
      'r8',
      'r9',
      'r10',
      'r11',
      'r13',
      'r14',
    ]);
    expect(whatToDoVariables(ranked, { maxRuleVariables: 2, maxWindows: 1 })).toEqual(['r0', 'r1']);
    expect(whatToDoVariables(ranked, { maxRuleVariables: 0, maxWindows: 3 })).toEqual(['r1', 'r2', 'r4']);
  });

  it('gives the same windows, rules and recommendation as the whole table', () => {
    const { table, labels } = line(3000);
    const train = Uint32Array.from({ length: 2400 }, (_, i) => i);
    const validation = Uint32Array.from({ length: 600 }, (_, i) => 2400 + i);
    // A ranking with text variables and codes among the first, the cause further down.
    const order = [
      3, 5, 10, 17, 24, 12, 0, 1, 2, 4, 6, 7, 8, 9, 11, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 25, 26, 27,
      28, 29,
    ];
    const names = order.map((j) => table.variables[j].name);
    const options = { seed: 3, nullDraws: 9 };
    const whole = whatToDo({ table, labels, train, validation, variables: names }, options);
    const kept = whatToDoVariables(
      names.map((name) => ({
        variable: name,
        numeric: table.variables.find((v) => v.name === name)?.data.kind === 'numeric',
      })),
    );
    expect(kept.length).toBeLessThan(names.length);
    const narrow: ObservationTable = {
      rows: table.rows,
      variables: table.variables.filter((v) => kept.includes(v.name)),
    };
    const part = whatToDo({ table: narrow, labels, train, validation, variables: kept }, options);
    expect(part).toEqual(whole);
    // The search found something to compare: the cause's rule and ten windows.
    expect(whole.rules.length).toBeGreaterThan(0);
    expect(whole.operatingWindows.length).toBeGreaterThan(0);
  });
});

describe('ruleTrainingRows', () => {
  it('leaves up to RULE_ROWS_MAX rows as they are', () => {
    const rows = Uint32Array.from({ length: RULE_ROWS_MAX }, (_, i) => 2 * i);
    expect(ruleTrainingRows(rows)).toBe(rows);
  });

  it('thins more rows evenly, in time order, to at most the maximum', () => {
    const rows = Uint32Array.from({ length: 800_000 }, (_, i) => i + 5);
    const thinned = ruleTrainingRows(rows);
    expect(thinned.length).toBe(100_000);
    expect(thinned[0]).toBe(5);
    expect(thinned[1]).toBe(13);
    expect(thinned[thinned.length - 1]).toBe(799_997);
    const odd = ruleTrainingRows(
      Uint32Array.from({ length: 250 }, (_, i) => i),
      100,
    );
    // step 3: rows 0, 3, … 249
    expect(odd.length).toBe(84);
    expect(odd.every((r, k) => r === 3 * k)).toBe(true);
  });
});
