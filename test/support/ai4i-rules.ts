/**
 * AI4I 2020's documented mechanisms as checks on what the rules analysis found, shared by the
 * pure test (test/unit/rules-ai4i.test.ts) and the pipeline's (test/integration/rules-ai4i.test.ts):
 * HDF when the rotational speed is below 1380 rpm with a small air–process temperature difference;
 * OSF above a tool-wear × torque limit that is lowest for type L.
 */
import type { RuleEntry, StratumEntry } from '../../analysis/rules';

/** The HDF rule: speed ≤ about 1380 rpm and a temperature condition, lift ≥ 5, q ≤ 0.05. */
export function expectHdfRule(rules: readonly RuleEntry[]): RuleEntry | undefined {
  const rule = rules.find(
    (r) =>
      r.conditions.some((c) => c.variable === 'Rotational speed [rpm]' && c.op === '<=') &&
      r.conditions.some((c) => c.variable.endsWith('temperature [K]')),
  );
  expect(rule).toBeDefined();
  const speed = rule?.conditions.find((c) => c.variable === 'Rotational speed [rpm]');
  expect(speed?.value).toBeGreaterThan(1350);
  expect(speed?.value).toBeLessThan(1410);
  expect(rule?.lift).toBeGreaterThanOrEqual(5);
  expect(rule?.qValue).toBeLessThanOrEqual(0.05);
  return rule;
}

/** OSF's tool wear within Type: a threshold above per type, the lowest for L. */
export function expectToolWearPerType(strata: readonly StratumEntry[] | undefined): void {
  expect(strata?.map((s) => s.stratum).sort()).toEqual(['H', 'L', 'M']);
  for (const s of strata ?? []) {
    expect(s.threshold).toEqual(expect.any(Number));
    expect(s.direction).toBe('above');
  }
  const at = (t: string) => strata?.find((s) => s.stratum === t)?.threshold as number;
  expect(at('L')).toBeLessThan(at('M'));
  expect(at('L')).toBeLessThan(at('H'));
}
