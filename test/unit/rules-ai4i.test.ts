/**
 * AI4I 2020 (datasets/ai4i2020.csv, CC BY 4.0), whose failure mechanisms are documented:
 * heat dissipation failure (HDF) when the air–process temperature difference is below 8.6 K and
 * the rotational speed below 1380 rpm; overstrain failure (OSF) when tool wear × torque exceeds
 * 11,000 minNm for type L, 12,000 for M and 13,000 for H. Our rules against pysubgroup's beam
 * search on the same data (test/fixtures/rules/rules.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeDistribution } from '../../analysis/distribution';
import type { ObservationTable } from '../../analysis/frame';
import {
  compareWithinStrata,
  ruleColumns,
  ruleFigures,
  searchSubgroups,
  whatToDo,
} from '../../analysis/rules';
import type { Condition } from '../../analysis/rules/types';
import fixtures from '../fixtures/rules/rules.json';
import { expectHdfRule, expectToolWearPerType } from '../support/ai4i-rules';

const csv = readFileSync(path.join(__dirname, '../../datasets/ai4i2020.csv'), 'utf8').trim().split('\n');
const header = csv[0].split(',');
const cells = csv.slice(1).map((line) => line.split(','));
const table: ObservationTable = {
  rows: cells.length,
  variables: header.map((name, j) =>
    name === 'Type' || name === 'Product ID'
      ? { name, data: { kind: 'text' as const, values: cells.map((r) => r[j]) } }
      : { name, data: { kind: 'numeric' as const, values: Float64Array.from(cells, (r) => Number(r[j])) } },
  ),
};
const VARIABLES = fixtures.ai4i.columns;
function labelsOf(target: string): Uint8Array {
  const v = table.variables.find((x) => x.name === target);
  if (v?.data.kind !== 'numeric') throw new Error(`no numeric ${target}`);
  return Uint8Array.from(v.data.values);
}
const all = Uint32Array.from({ length: table.rows }, (_, i) => i);

/** pysubgroup's rule text ("A>=1 AND B<2") as our conditions. */
function parse(description: string): Condition[] {
  return description.split(' AND ').map((part) => {
    const m = /^(.*?)(>=|<)(.*)$/.exec(part) as RegExpExecArray;
    // pysubgroup's `x >= c` on values with one decimal is our `x > c − 0.05`.
    return m[2] === '<'
      ? { variable: m[1], op: '<=', value: Number(m[3]) - 0.05 }
      : { variable: m[1], op: '>', value: Number(m[3]) - 0.05 };
  });
}

describe('AI4I 2020 rules', () => {
  const hdf = labelsOf('HDF');

  test('HDF: a rule on rotational speed below about 1380 rpm and a temperature, lift ≥ 5', () => {
    const ranked = analyzeDistribution(table, hdf, { variables: VARIABLES }).map((e) => e.variable);
    const cut = Math.floor(table.rows * 0.8);
    const result = whatToDo(
      { table, labels: hdf, train: all.subarray(0, cut), validation: all.subarray(cut), variables: ranked },
      { nullDraws: 19 },
    );
    const rule = expectHdfRule(result.rules);
    expect(result.rules[0]).toBe(rule);
  });

  test('HDF: best WRAcc at least pysubgroup’s, whose rules we evaluate to its own counts', () => {
    // The same task as pysubgroup's: subgroups by WRAcc, bounds as the search found them.
    const ours = searchSubgroups(ruleColumns(table, all, VARIABLES), hdf, { placeBounds: false });
    const theirs = fixtures.ai4i.rules;
    expect(ours[0].quality).toBeGreaterThanOrEqual(theirs[0].wracc);
    for (const rule of theirs) {
      const f = ruleFigures(table, parse(rule.description), hdf, all);
      expect(f.rows).toBe(rule.size);
      expect(f.positives).toBe(rule.positives);
    }
  });

  test('OSF within Type: a threshold per type, tool wear’s lowest for L (the weakest type)', () => {
    const osf = labelsOf('OSF');
    const pooled = analyzeDistribution(table, osf, { variables: VARIABLES });
    const strata = compareWithinStrata(table, osf, pooled, ['Type']);
    expect(strata.map((s) => s.variable)).not.toContain('Type');
    const wear = strata.find((s) => s.variable === 'Tool wear [min]');
    expectToolWearPerType(wear?.strata);
    // Overstrain is a real effect within every type, not a product-mix artefact.
    expect(wear?.confounded).toBe(false);
    expect(wear?.pValue).toBeLessThanOrEqual(0.05);
  });
});
