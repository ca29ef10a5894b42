/**
 * The demo line: deterministic by seed, the documented shape, and the injected causes really
 * drive their targets (checked on the generated rows, independently of the analysis).
 */

import { evaluateTarget, parseTarget, targetColumns } from '../../analysis/aggregate/target';
import { DEMO_CAUSES, DEMO_VARIABLES, generateBakeryLine } from '../../analysis/demo/bakery';
import type { ObservationTable } from '../../analysis/frame';

const line = generateBakeryLine({ seed: 7 });
const numeric = (t: ObservationTable, name: string) =>
  t.variables.find((v) => v.name === name)!.data.values as Float64Array;
const text = (t: ObservationTable, name: string) =>
  t.variables.find((v) => v.name === name)!.data.values as (string | null)[];

function rate(y: Uint8Array, where: (i: number) => boolean): number {
  let n = 0;
  let p = 0;
  for (let i = 0; i < y.length; i++) {
    if (!where(i)) continue;
    n++;
    p += y[i];
  }
  return p / n;
}

describe('bakery demo line', () => {
  test('30 days at one-minute resolution, the documented variables', () => {
    expect(line.rows).toBe(30 * 1440);
    expect(line.variables.map((v) => v.name)).toEqual(DEMO_VARIABLES);
    expect(DEMO_VARIABLES.length).toBeGreaterThanOrEqual(30);
    expect(line.time![1] - line.time![0]).toBe(60_000);
    expect(new Date(line.time![0]).toISOString()).toBe('2026-10-01T00:00:00.000Z');
  });

  test('deterministic by seed', () => {
    const again = generateBakeryLine({ seed: 7, days: 1 });
    const same = generateBakeryLine({ seed: 7, days: 1 });
    const other = generateBakeryLine({ seed: 8, days: 1 });
    const bytes = (t: ObservationTable, name: string) => Buffer.from(numeric(t, name).buffer);
    for (const v of DEMO_VARIABLES) {
      const kind = again.variables.find((x) => x.name === v)!.data.kind;
      if (kind === 'numeric') expect(bytes(again, v).equals(bytes(same, v))).toBe(true);
      else expect(text(again, v).join()).toBe(text(same, v).join());
    }
    expect(bytes(other, 'oven_zone2_temp').equals(bytes(again, 'oven_zone2_temp'))).toBe(false);
  });

  test('every documented cause and related variable exists; targets are rare but present', () => {
    for (const cause of DEMO_CAUSES) {
      for (const v of [...cause.causes, ...cause.related, ...targetColumns(parseTarget(cause.target))]) {
        expect(DEMO_VARIABLES).toContain(v);
      }
      const y = evaluateTarget(parseTarget(cause.target), line);
      const share = rate(y, () => true);
      expect(share).toBeGreaterThan(0.005);
      expect(share).toBeLessThan(0.2);
    }
  });

  test('burnt: zone 2 hot AND slow conveyor, neither alone', () => {
    const y = evaluateTarget(parseTarget(DEMO_CAUSES[0].target), line);
    const z2 = numeric(line, 'oven_zone2_temp');
    const belt = numeric(line, 'conveyor_speed');
    const running = (i: number) => belt[i] > 0;
    const both = rate(y, (i) => running(i) && z2[i] > 237 && belt[i] < 4.3);
    const hotOnly = rate(y, (i) => running(i) && z2[i] > 237 && belt[i] >= 4.3);
    const slowOnly = rate(y, (i) => running(i) && z2[i] <= 237 && belt[i] < 4.3);
    expect(both).toBeGreaterThan(0.9);
    expect(hotOnly).toBeLessThan(0.01);
    expect(slowOnly).toBeLessThan(0.01);
  });

  test('cracks come with flour lot L7; energy spikes with the defrost heater', () => {
    const cracks = evaluateTarget(parseTarget(DEMO_CAUSES[1].target), line);
    const lot = text(line, 'flour_lot');
    expect(lot).toContain('L7');
    expect(rate(cracks, (i) => lot[i] === 'L7')).toBeGreaterThan(0.5);
    expect(rate(cracks, (i) => lot[i] !== 'L7')).toBeLessThan(0.01);
    const energy = evaluateTarget(parseTarget(DEMO_CAUSES[2].target), line);
    const defrost = numeric(line, 'defrost_heater');
    expect(rate(energy, (i) => defrost[i] === 1)).toBeGreaterThan(0.8);
    expect(rate(energy, (i) => defrost[i] === 0)).toBeLessThan(0.01);
  });
});
