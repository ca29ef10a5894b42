/**
 * A long line through the embedded pipeline (issue 21): 330,000 minute rows, one row an
 * observation, so every plant-scale limit is crossed — search trials train on every 2nd row of
 * their fold (`searchValidation.trainStep`), the rules on every 3rd training row, SHAP on every
 * 4th observation, and the stability folds on the rows they use only. The planted cause must
 * still lead both rankings, with the verdict strong and its threshold found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import { writeLine } from '../../bench/memory-line';
import { runEmbedded } from '../../pipeline/embedded';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-long-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('330,000 rows: thinned trials, rules and SHAP, compact stability; the cause first and strong', async () => {
  await writeLine(path.join(tmp, 'line.parquet'), 330_000, 10);
  const config = parseConfig({
    name: 'long line',
    line: 'long-line',
    source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
    target: 'defect == 1',
    aggregation: 'none',
    search: { trials: 4, seed: 42 },
  });
  const { results } = await runEmbedded({ config, baseDir: tmp });
  expect(results.status).toBe('complete');
  expect(results.data.rows).toBe(330_000);
  // 211,200 rows before the search's validation: every 2nd.
  expect(results.model?.searchValidation?.trainStep).toBe(2);
  expect(results.distribution[0].variable).toBe('s07');
  expect(results.importance[0].variable).toBe('s07');
  expect(results.importance[0].stability?.folds).toBe(5);
  const cause = results.causes?.find((c) => c.variable === 's07');
  expect(cause?.verdict).toBe('strong');
  expect(results.causes?.filter((c) => c.verdict === 'strong').length).toBe(1);
  // The rule: s07 above about 0.8 (the generator's threshold), on the training part's thinned rows.
  const rule = results.rules?.[0];
  expect(rule?.conditions[0].variable).toBe('s07');
  expect(rule?.conditions[0].op).toBe('>');
  expect(Math.abs(Number(rule?.conditions[0].value) - 0.8)).toBeLessThan(0.02);
  // Measured on every row of the validation period (66,000; the rule covers about 18 % of them).
  expect(rule?.validation?.rows).toBeGreaterThan(10_000);
  expect(rule?.validation?.lift).toBeGreaterThan(4);
}, 600_000);
