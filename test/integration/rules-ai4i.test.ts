/**
 * AI4I 2020 (datasets/ai4i2020.csv, CC BY 4.0) through the pipeline, whose failure mechanisms are
 * documented: heat dissipation failure (HDF) when the air–process temperature difference is below
 * 8.6 K and the rotational speed below 1380 rpm; overstrain failure (OSF) when tool wear × torque
 * exceeds 11,000 minNm for type L, 12,000 for M and 13,000 for H. `results.rules` must hold the
 * HDF rule; with `variables.stratify: ["Type"]`, OSF's tool wear has a threshold per type, the
 * lowest for L (the weakest), and is not `confounded` by the product mix.
 */
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import type { ResultsDocument } from '../../analysis/results';
import { runEmbedded } from '../../pipeline/embedded';
import { expectHdfRule, expectToolWearPerType } from '../support/ai4i-rules';

const datasets = path.join(__dirname, '..', '..', 'datasets');
const OUTCOMES = ['Machine failure', 'TWF', 'HDF', 'PWF', 'OSF', 'RNF'];

async function analyse(target: string, extra: Record<string, unknown> = {}): Promise<ResultsDocument> {
  const failure = target.split(' ')[0];
  const config = parseConfig({
    name: `AI4I ${failure}`,
    line: 'ai4i',
    source: { kind: 'file', path: 'ai4i2020.csv' },
    target,
    variables: { exclude: OUTCOMES.filter((o) => o !== failure), ...extra },
    aggregation: 'none',
    models: ['logistic'],
    search: { trials: 2, seed: 42, parallelism: 1 },
  });
  return (await runEmbedded({ config, baseDir: datasets })).results;
}

describe('AI4I 2020 through the pipeline', () => {
  it('HDF: a rule on rotational speed below about 1380 rpm and a temperature, lift ≥ 5', async () => {
    const results = await analyse('HDF == 1');
    expectHdfRule(results.rules ?? []);
    // No time column, no dead time searched.
    expect(results.distribution.some((e) => e.lagMinutes !== undefined)).toBe(false);
  }, 300_000);

  it('OSF stratified by Type: a tool-wear threshold per type, L lowest, not confounded', async () => {
    const results = await analyse('OSF == 1', { stratify: ['Type'] });
    const wear = results.distribution.find((e) => e.variable === 'Tool wear [min]');
    expectToolWearPerType(wear?.strata);
    expect(wear?.confounded).toBe(false);
    expect(wear?.withinStrata?.pValue).toBeLessThanOrEqual(0.05);
    // The stratify column is compared as a variable, not within itself.
    expect(results.distribution.find((e) => e.variable === 'Type')?.strata).toBeUndefined();
  }, 300_000);
});
