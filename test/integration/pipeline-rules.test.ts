/**
 * Issue 18 through the product: lines with a known mechanism (`analysis/demo/mechanism-lines.ts`)
 * analysed end to end by the embedded pipeline, with the configuration a user would write
 * (`variables.roles` from the line's roles, `variables.stratify` on its recipe column, the
 * default `aggregation.maxLag`), and judged by the same criteria as the pure analysis
 * (test/support/rules-lines.ts, `judge`) on what `results.json` holds: the operating window's
 * bound within 0.3 sd of the truth (threshold), a rule with both variables within 0.3 sd, lift
 * ≥ 3, q ≤ 0.05 and the pair first in `interactions` (interaction), the dead time within one
 * 10-minute window and the cause first once aligned (dead time), the recipe's own threshold and
 * not `confounded` (stratified).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import { generateMechanismLine, type Mechanism } from '../../analysis/demo/mechanism-lines';
import { analyzeDistribution } from '../../analysis/distribution';
import type { ResultsDocument } from '../../analysis/results';
import type { DeadTime, StratifiedComparison } from '../../analysis/rules';
import { writeTableParquet } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';
import { explanatory, judge, type LineAnalysis, labelsOf } from '../support/rules-lines';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-rules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The pure analysis' view of a line, read from the pipeline's results document. */
function fromResults(line: ReturnType<typeof generateMechanismLine>, results: ResultsDocument): LineAnalysis {
  const labels = labelsOf(line);
  const ranked = results.distribution;
  const deadTimes = ranked.flatMap((e) =>
    e.kind !== 'identifier' && e.lagMinutes !== undefined
      ? // `judge` reads the variable and its lag only.
        [{ variable: e.variable, lagMinutes: e.lagMinutes } as DeadTime]
      : [],
  );
  const strata: StratifiedComparison[] = ranked.flatMap((e) =>
    e.strata && e.withinStrata
      ? [{ variable: e.variable, strata: e.strata, ...e.withinStrata, confounded: e.confounded === true }]
      : [],
  );
  return {
    labels,
    before: analyzeDistribution(line.table, labels, { variables: explanatory(line) }),
    after: ranked,
    deadTimes,
    strata,
    result: {
      operatingWindows: [...(results.operatingWindows ?? [])],
      rules: [...(results.rules ?? [])],
      recommendation: results.recommendation ?? null,
      ruleEvidence: results.ruleEvidence ?? { method: '', draws: 0 },
    },
    ...(results.interactions ? { interactions: [...results.interactions] } : {}),
    aligned: line.table,
  };
}

async function analyse(mechanism: Mechanism, seed: number) {
  const line = generateMechanismLine({ seed, mechanism });
  const { truth } = line;
  const file = `${mechanism}-${seed}.parquet`;
  await writeTableParquet(line.table, path.join(tmp, file));
  const config = parseConfig({
    name: `${mechanism} ${seed}`,
    line: 'mechanisms',
    source: { kind: 'file', path: file, timeColumn: 'time' },
    target: truth.target,
    variables: {
      roles: truth.roles,
      ...(truth.recipeColumn ? { stratify: [truth.recipeColumn] } : {}),
    },
    aggregation: truth.shape === 'minutes' ? { window: '10m' } : 'none',
    // Interactions come from a tree model.
    models: mechanism === 'interaction' ? ['gbdt'] : ['gbdt', 'logistic'],
    // Two compute threads: the rules' null draws run in two parts.
    search: { trials: 6, seed: 42, parallelism: 2 },
  });
  const { results } = await runEmbedded({ config, baseDir: tmp });
  return { line, results };
}

describe('what to do through the pipeline, on lines with a known mechanism', () => {
  it.each([
    ['threshold', 2],
    ['interaction', 2],
    ['dead-time', 3],
    ['stratified', 2],
  ] as const)(
    '%s, seed %d',
    async (mechanism, seed) => {
      const { line, results } = await analyse(mechanism, seed);
      const verdict = judge(line, fromResults(line, results));
      expect(verdict.applies).toBe(true);
      if (!verdict.pass) throw new Error(`${mechanism} ${line.truth.shape} seed ${seed}: ${verdict.detail}`);
      // The dead time reaches the results as the pure analysis finds it, and the windows say it.
      if (mechanism === 'dead-time') {
        const cause = line.truth.causes[0];
        const lag = results.distribution.find((e) => e.variable === cause)?.lagMinutes ?? 0;
        expect(Math.abs(lag - (line.truth.lagMinutes as number))).toBeLessThanOrEqual(10);
        const window = results.operatingWindows?.find((w) => w.variable === cause);
        expect(window?.lagMinutes).toBe(lag);
      }
      expect(results.ruleEvidence?.draws).toBe(99);
    },
    300_000,
  );
});
