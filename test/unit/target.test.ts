import { evaluateTarget, formatTarget, parseTarget, targetColumns } from '../../analysis/aggregate/target';
import { InvalidInputError } from '../../analysis/errors';
import type { ObservationTable } from '../../analysis/frame';

const table: ObservationTable = {
  rows: 5,
  variables: [
    {
      name: 'Torque [Nm]',
      data: { kind: 'numeric', values: Float64Array.from([10, 60, 61, Number.NaN, 70]) },
    },
    { name: 'defect_rate', data: { kind: 'numeric', values: Float64Array.from([0.01, 0.1, 0, 0.2, 0.06]) } },
    { name: 'flour_lot', data: { kind: 'text', values: ['L1', 'L7', null, 'L7', 'L2'] } },
  ],
};

describe('parseTarget', () => {
  it('parses comparisons, quoted names, and/or with precedence and parentheses', () => {
    expect(parseTarget('defect_rate > 0.05')).toEqual({
      kind: 'compare',
      column: 'defect_rate',
      op: '>',
      value: 0.05,
    });
    expect(parseTarget('"Torque [Nm]" >= -1e2')).toEqual({
      kind: 'compare',
      column: 'Torque [Nm]',
      op: '>=',
      value: -100,
    });
    const t = parseTarget("a == 1 or b < 2 and flour_lot != 'L7'");
    expect(t.kind).toBe('or');
    expect(formatTarget(t)).toBe("a == 1 or b < 2 and flour_lot != 'L7'");
    expect(formatTarget(parseTarget('(a == 1 or b < 2) and c > 3'))).toBe('(a == 1 or b < 2) and c > 3');
    expect(targetColumns(parseTarget('a > 1 and (b < 2 or a < 0)'))).toEqual(['a', 'b']);
  });

  it('says what is wrong and where', () => {
    expect(() => parseTarget('defect_rate = 1')).toThrow(/use == to compare/);
    expect(() => parseTarget('Torque [Nm] > 60')).toThrow(/quote names with spaces/);
    expect(() => parseTarget('a > ')).toThrow(/expected a number/);
    expect(() => parseTarget('a > 1 b < 2')).toThrow(/join comparisons with and/);
    expect(() => parseTarget('(a > 1')).toThrow(/expected \)/);
    expect(() => parseTarget('')).toThrow(InvalidInputError);
  });
});

describe('evaluateTarget', () => {
  it('evaluates rows, missing values never positive', () => {
    expect(Array.from(evaluateTarget(parseTarget('"Torque [Nm]" > 60'), table))).toEqual([0, 0, 1, 0, 1]);
    expect(Array.from(evaluateTarget(parseTarget('"Torque [Nm]" != 60'), table))).toEqual([1, 0, 1, 0, 1]);
    expect(Array.from(evaluateTarget(parseTarget("flour_lot == 'L7' or defect_rate > 0.05"), table))).toEqual(
      [0, 1, 0, 1, 1],
    );
    expect(
      Array.from(evaluateTarget(parseTarget("flour_lot != 'L7' and defect_rate < 0.05"), table)),
    ).toEqual([1, 0, 0, 0, 0]);
  });

  it('names unknown columns with close suggestions', () => {
    expect(() => evaluateTarget(parseTarget('"Torque [nm]" > 1'), table)).toThrow(
      /did you mean "Torque \[Nm\]"/,
    );
    // A text column compared with a number is a mistake (the loader reads mostly-number columns as numbers).
    expect(() => evaluateTarget(parseTarget('flour_lot > 1'), table)).toThrow(
      /"flour_lot" is text \(values such as 'L/,
    );
    expect(() => evaluateTarget(parseTarget("flour_lot > 'L1'"), table)).toThrow(/== or != only/);
  });
});
