import { variableImportance } from '../../analysis/explain/importance';
import { variableResolver } from '../../analysis/explain/variables';

describe('variableResolver', () => {
  it('groups one-hot columns of a text variable without windows under the variable', () => {
    const of = variableResolver(['Type', 'Torque [Nm]', 'a=b']);
    expect(of('Type=L')).toBe('Type');
    expect(of('Torque [Nm]')).toBe('Torque [Nm]');
    expect(of('a=b')).toBe('a=b');
    expect(of('flour_lot__mode=L7')).toBe('flour_lot');
    expect(of('oven__max')).toBe('oven');
    const importance = variableImportance(
      {
        rows: 2,
        features: ['Type=L', 'Type=H', 'Torque [Nm]'],
        values: Float64Array.from([1, -2, 0.5, -1, 0, 0.5]),
      },
      { variableOf: of },
    );
    expect(importance.map((e) => [e.variable, e.meanAbsShap])).toEqual([
      ['Type', 2],
      ['Torque [Nm]', 0.5],
    ]);
  });
});
