/**
 * The evidence end to end (issue 17's power and calibration, through the embedded pipeline):
 *
 * - power: on generated lines with one injected cause (threshold, interaction, bad lot,
 *   two-sided range; minutes in ten-minute windows, or batches), every cause has q < 0.05 and
 *   the verdict `strong`, with few other variables `strong`;
 * - calibration: on lines whose defects follow an unmeasured drift (`generateDriftLine`), few
 *   variables have q < 0.05 and none should be `strong`.
 *
 * A few lines run here; the sweep that measures the README's figures is
 * `EVIDENCE_POWER_SWEEP=3 [EVIDENCE_POWER_FROM=3000] npx jest test/integration/evidence-power.test.ts -t sweep`
 * (that many seeds per cause kind and shape, and four times as many drift lines per shape).
 * A sweep of 20 seeds takes hours here, so it splits: EVIDENCE_POWER_KINDS (e.g. `interaction`)
 * and EVIDENCE_POWER_SHAPES (e.g. `minutes`) keep some kinds and shapes (comma-separated,
 * `drift` for the calibration lines), and EVIDENCE_POWER_LOG names a file that gets one JSON
 * line per line analysed, so chunks run on different seed ranges add up.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import {
  CAUSE_KINDS,
  type CauseKind,
  generateDriftLine,
  generateRandomLine,
  LINE_SHAPES,
  type LineShape,
  type RandomLine,
} from '../../analysis/demo/random-line';
import type { ResultsDocument } from '../../analysis/results';
import { writeTableParquet } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-evidence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function analyse(line: RandomLine, name: string): Promise<ResultsDocument> {
  const file = `${name}.parquet`;
  await writeTableParquet(line.table, path.join(tmp, file));
  const config = parseConfig({
    name,
    line: 'evidence',
    source: { kind: 'file', path: file, timeColumn: 'time' },
    target: line.truth.target,
    // Minutes: ten-minute windows, positive when any minute is. Batches: each row one batch.
    aggregation: line.truth.shape === 'minutes' ? { window: '10m' } : 'none',
    search: { trials: 10, seed: 42 },
  });
  const { results } = await runEmbedded({ config, baseDir: tmp });
  return results;
}

interface Judgement {
  /** Every cause has q < 0.05 and the verdict strong. */
  readonly found: boolean;
  /** Other variables with the verdict strong, and with q < 0.05. */
  readonly otherStrong: readonly string[];
  readonly otherSignificant: number;
  readonly others: number;
}

function judge(line: RandomLine, results: ResultsDocument): Judgement {
  const causes = line.truth.causes;
  const verdicts = new Map(results.causes!.map((c) => [c.variable, c]));
  const found = causes.every(
    (c) => verdicts.get(c)?.verdict === 'strong' && (verdicts.get(c)?.qValue ?? 1) < 0.05,
  );
  const others = results.causes!.filter(
    (c) =>
      !causes.includes(c.variable) &&
      results.distribution.some((d) => d.variable === c.variable && d.kind !== 'identifier'),
  );
  return {
    found,
    otherStrong: others.filter((c) => c.verdict === 'strong').map((c) => c.variable),
    otherSignificant: others.filter((c) => (c.qValue ?? 1) < 0.05).length,
    others: others.length,
  };
}

describe('the evidence through the embedded pipeline', () => {
  it.each([
    { seed: 3000, kind: 'threshold' as CauseKind, shape: 'minutes' as LineShape },
    { seed: 3001, kind: 'lot' as CauseKind, shape: 'batches' as LineShape },
    // An L1 logistic regression near its sparsity edge: with the final fit's C, every fold kept
    // motor_current only (cooling_air_temp above the shadows in 0 of 5 folds; refit.ts).
    { seed: 3201, kind: 'interaction' as CauseKind, shape: 'minutes' as LineShape },
  ])(
    '$kind cause, $shape (seed $seed): strong, and at most one other variable strong',
    async ({ seed, kind, shape }) => {
      const line = generateRandomLine({ seed, kind, shape });
      const results = await analyse(line, `${kind}-${shape}-${seed}`);
      const j = judge(line, results);
      expect({ causes: line.truth.causes, found: j.found }).toEqual({
        causes: line.truth.causes,
        found: true,
      });
      expect(j.otherStrong.length).toBeLessThanOrEqual(1);
      expect(results.evidence!.summary).toMatch(/with strong evidence \(/);
    },
    300_000,
  );

  it.each(LINE_SHAPES)(
    'drift line, %s: at most 10 %% of the variables significant, none strong',
    async (shape) => {
      const line = generateDriftLine({ seed: 3000, shape });
      const results = await analyse(line, `drift-${shape}`);
      const j = judge(line, results);
      expect(j.otherSignificant / j.others).toBeLessThanOrEqual(0.1);
      expect(j.otherStrong).toEqual([]);
    },
    300_000,
  );
});

const sweep = Number(process.env.EVIDENCE_POWER_SWEEP ?? 0);
const from = Number(process.env.EVIDENCE_POWER_FROM ?? 3000);
const kept = (name: string): ((x: string) => boolean) => {
  const list = process.env[name]?.split(',').filter((x) => x !== '');
  return (x) => list === undefined || list.length === 0 || list.includes(x);
};
const keptKind = kept('EVIDENCE_POWER_KINDS');
const keptShape = kept('EVIDENCE_POWER_SHAPES');

/** One JSON line a line analysed, when EVIDENCE_POWER_LOG names a file. */
function logLine(record: Record<string, unknown>): void {
  const file = process.env.EVIDENCE_POWER_LOG;
  if (file) appendFileSync(file, `${JSON.stringify(record)}\n`);
}

(sweep > 0 ? describe : describe.skip)('sweep over seeds (EVIDENCE_POWER_SWEEP=N)', () => {
  it(
    'power: every cause kind and shape',
    async () => {
      let lines = 0;
      let found = 0;
      let otherStrong = 0;
      const misses: string[] = [];
      // Seeds outermost, so that a sweep stopped early still has every kind and shape.
      for (let seed = from; seed < from + sweep; seed++)
        for (const kind of CAUSE_KINDS.filter(keptKind))
          for (const shape of LINE_SHAPES.filter(keptShape)) {
            const line = generateRandomLine({ seed, kind, shape });
            const results = await analyse(line, `${kind}-${shape}-${seed}`);
            const j = judge(line, results);
            const verdicts = new Map(results.causes!.map((c) => [c.variable, c]));
            logLine({
              kind,
              shape,
              seed,
              found: j.found,
              causes: line.truth.causes.map((c) => ({
                variable: c,
                verdict: verdicts.get(c)?.verdict,
                qValue: verdicts.get(c)?.qValue,
                aboveShadowShare: verdicts.get(c)?.aboveShadowShare,
                importanceRank: verdicts.get(c)?.importanceRank,
              })),
              otherStrong: j.otherStrong,
              otherSignificant: j.otherSignificant,
              others: j.others,
            });
            lines++;
            found += +j.found;
            otherStrong += j.otherStrong.length;
            if (!j.found || j.otherStrong.length > 0)
              misses.push(
                `${kind} ${shape} ${seed}: found ${j.found}, other strong [${j.otherStrong.join(', ')}]`,
              );
          }
      process.stdout.write(
        `SWEEP power: ${lines} lines, causes strong on ${found} (${((100 * found) / lines).toFixed(1)} %), ` +
          `other strong ${(otherStrong / lines).toFixed(2)} a line\n${misses.join('\n')}\n`,
      );
      expect(found / lines).toBeGreaterThanOrEqual(0.9);
      expect(otherStrong / lines).toBeLessThanOrEqual(1);
    },
    24 * 3_600_000,
  );

  (keptKind('drift') ? it : it.skip)(
    'calibration: drift lines of both shapes',
    async () => {
      for (const shape of LINE_SHAPES.filter(keptShape)) {
        const shares: number[] = [];
        let strong = 0;
        for (let seed = from; seed < from + 4 * sweep; seed++) {
          const line = generateDriftLine({ seed, shape });
          const j = judge(line, await analyse(line, `drift-${shape}-${seed}`));
          logLine({
            kind: 'drift',
            shape,
            seed,
            otherStrong: j.otherStrong,
            otherSignificant: j.otherSignificant,
            others: j.others,
          });
          shares.push(j.otherSignificant / j.others);
          strong += j.otherStrong.length;
        }
        const mean = shares.reduce((s, x) => s + x, 0) / shares.length;
        process.stdout.write(
          `SWEEP drift ${shape}: ${shares.length} lines, share q<0.05 mean ${mean.toFixed(4)} max ${Math.max(...shares).toFixed(3)}, strong ${(strong / shares.length).toFixed(2)} a line\n`,
        );
        expect(mean).toBeLessThanOrEqual(0.05);
        expect(Math.max(...shares)).toBeLessThanOrEqual(0.1);
      }
    },
    24 * 3_600_000,
  );
});
