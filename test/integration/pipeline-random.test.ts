/**
 * Issue 8's third acceptance check: lines the analysis has never seen, each generated with one
 * cause injected at random (`analysis/demo/random-line.ts`), analysed end to end by the embedded
 * pipeline. Per line: every true cause in the top 3 of the distribution ranking (identifiers
 * left out) and of the SHAP importance; a single threshold within 0.3 standard deviation of the
 * truth, on the right side; validation AUC ≥ 0.7.
 *
 * Structural limits, asserted as such and not hidden: a two-sided safe range has no single
 * threshold (a depth-1 split can only find one of its two ends), so only its rank is checked;
 * an interaction's two variables share the credit, so both must be in the top 3 and no
 * threshold is checked.
 *
 * `RANDOM_LINES_SWEEP=10 [RANDOM_LINES_SWEEP_FROM=1000] npx jest test/integration/pipeline-random.test.ts -t sweep`
 * runs every kind and shape over that many seeds and prints how often each criterion holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import {
  type CauseKind,
  generateRandomLine,
  type LineShape,
  type RandomLineTruth,
} from '../../analysis/demo/random-line';
import type { ObservationTable } from '../../analysis/frame';
import type { ResultsDocument } from '../../analysis/results';
import { writeTableParquet } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-random-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TRIALS = 10;

async function analyse(
  seed: number,
  kind: CauseKind,
  shape: LineShape,
  trials = TRIALS,
): Promise<{ table: ObservationTable; truth: RandomLineTruth; results: ResultsDocument }> {
  const { table, truth } = generateRandomLine({ seed, kind, shape });
  const file = `line-${kind}-${shape}-${seed}.parquet`;
  await writeTableParquet(table, path.join(tmp, file));
  const config = parseConfig({
    name: `random ${kind} ${shape} ${seed}`,
    line: 'random',
    source: { kind: 'file', path: file, timeColumn: 'time' },
    target: truth.target,
    // Minutes: ten-minute windows, positive when any minute is. Batches: each row one batch.
    aggregation: shape === 'minutes' ? { window: '10m' } : 'none',
    search: { trials, seed: 42 },
  });
  const { results } = await runEmbedded({ config, baseDir: tmp });
  return { table, truth, results };
}

function standardDeviation(table: ObservationTable, name: string): number {
  const v = table.variables.find((x) => x.name === name)!;
  if (v.data.kind !== 'numeric') throw new Error(`${name} is not numeric`);
  const values = v.data.values.filter((x) => !Number.isNaN(x));
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (values.length - 1));
}

interface Verdict {
  readonly distributionTop3: string[];
  readonly shapTop3: string[];
  readonly inDistributionTop3: boolean;
  readonly inShapTop3: boolean;
  /** Only for a single-threshold cause. */
  readonly threshold?: {
    found: number | null;
    truth: number;
    errorSd: number;
    direction: string | null;
    expected: string;
  };
  readonly thresholdOk: boolean;
  readonly auc: number;
  readonly aucOk: boolean;
}

function judge(table: ObservationTable, truth: RandomLineTruth, results: ResultsDocument): Verdict {
  const distributionTop3 = results.distribution
    .filter((d) => d.kind !== 'identifier')
    .slice(0, 3)
    .map((d) => d.variable);
  const shapTop3 = results.importance.slice(0, 3).map((e) => e.variable);
  let threshold: Verdict['threshold'];
  let thresholdOk = true;
  if (truth.kind === 'threshold') {
    const [t] = truth.thresholds;
    const entry = results.distribution.find((d) => d.variable === t.variable);
    const found = entry?.kind === 'numeric' ? entry.threshold : null;
    const direction = entry?.kind === 'numeric' ? entry.direction : null;
    const errorSd =
      found === null
        ? Number.POSITIVE_INFINITY
        : Math.abs(found - t.value) / standardDeviation(table, t.variable);
    threshold = { found, truth: t.value, errorSd, direction, expected: t.direction };
    thresholdOk = errorSd <= 0.3 && direction === t.direction;
  }
  const auc = results.model?.validation.auc ?? Number.NaN;
  return {
    distributionTop3,
    shapTop3,
    inDistributionTop3: truth.causes.every((c) => distributionTop3.includes(c)),
    inShapTop3: truth.causes.every((c) => shapTop3.includes(c)),
    threshold,
    thresholdOk,
    auc,
    aucOk: auc >= 0.7,
  };
}

/** Share of observations (ten-minute windows for minutes, rows for batches) that are positive. */
function observationPositiveRate(table: ObservationTable, truth: RandomLineTruth): number {
  const flag = table.variables.find((v) => v.name === truth.quality)!.data.values as Float64Array;
  if (truth.shape === 'batches') return flag.reduce((s, x) => s + x, 0) / table.rows;
  const windows = new Map<number, number>();
  table.time!.forEach((t, i) => {
    const w = Math.floor(t / 600_000);
    windows.set(w, (windows.get(w) ?? 0) | flag[i]);
  });
  return [...windows.values()].reduce((s, x) => s + x, 0) / windows.size;
}

describe('the random line generator', () => {
  it('is deterministic by seed and draws kind, shape and variables from it', () => {
    const a = generateRandomLine({ seed: 7, batches: 500, days: 2 });
    const b = generateRandomLine({ seed: 7, batches: 500, days: 2 });
    expect(b.truth).toEqual(a.truth);
    expect(b.table.variables.map((v) => v.name)).toEqual(a.table.variables.map((v) => v.name));
    expect(Array.from(b.table.time!)).toEqual(Array.from(a.table.time!));
    const drawn = new Set<string>();
    for (let seed = 0; seed < 24; seed++) {
      const { truth } = generateRandomLine({ seed, batches: 300, days: 1 });
      drawn.add(`${truth.kind}/${truth.shape}`);
    }
    expect(drawn.size).toBe(8);
  });

  it.each(['threshold', 'interaction', 'lot', 'range'] as const)(
    '%s: 4–25 %% positive observations, thresholds on the data, the usual columns',
    (kind) => {
      for (const shape of ['batches', 'minutes'] as const) {
        for (let seed = 0; seed < 2; seed++) {
          const { table, truth } = generateRandomLine({ seed, kind, shape });
          const rate = observationPositiveRate(table, truth);
          expect({ seed, shape, rate, ok: rate >= 0.04 && rate <= 0.25 }).toEqual({
            seed,
            shape,
            rate,
            ok: true,
          });
          const names = table.variables.map((v) => v.name);
          expect(names).toContain('ingredient_lot');
          for (const c of truth.causes) expect(names).toContain(c);
          expect(names.length).toBeGreaterThanOrEqual(12 + 2 + (shape === 'batches' ? 1 : 0));
          if (shape === 'batches') {
            const ids = table.variables.find((v) => v.name === truth.batchColumn)!.data;
            expect(ids.kind === 'text' && new Set(ids.values).size).toBe(table.rows);
          }
          for (const t of truth.thresholds) {
            // Each threshold cuts the variable's own values (not some value outside them).
            const values = table.variables.find((v) => v.name === t.variable)!.data.values as Float64Array;
            const past = values.filter((x) => (t.direction === 'above' ? x > t.value : x <= t.value)).length;
            expect(past / table.rows).toBeGreaterThan(0.03);
            expect(past / table.rows).toBeLessThan(0.7);
          }
          expect(truth.thresholds).toHaveLength(kind === 'threshold' ? 1 : kind === 'lot' ? 0 : 2);
        }
      }
    },
  );
});

/**
 * One line per cause kind, both shapes covered; seeds fixed. Known failure outside these seeds:
 * threshold/batches seed 101 gets validation AUC 0.47 and the cause out of the SHAP top 3,
 * because early stopping kept 1 round and the final model's single tree drew a feature subsample
 * (`feature_fraction` 0.75) without the cause; the sweep below measures how often such things happen.
 */
const LINES: readonly { seed: number; kind: CauseKind; shape: LineShape }[] = [
  { seed: 1000, kind: 'threshold', shape: 'batches' },
  { seed: 1001, kind: 'threshold', shape: 'minutes' },
  { seed: 1002, kind: 'interaction', shape: 'minutes' },
  { seed: 1003, kind: 'lot', shape: 'batches' },
  { seed: 1004, kind: 'range', shape: 'batches' },
  { seed: 1005, kind: 'lot', shape: 'minutes' },
];

describe('the embedded pipeline on random lines it has never seen', () => {
  it.each(LINES)(
    '$kind cause, $shape (seed $seed)',
    async ({ seed, kind, shape }) => {
      const { table, truth, results } = await analyse(seed, kind, shape);
      const verdict = judge(table, truth, results);
      // The whole verdict in one comparison, so a failure shows every figure at once.
      expect({ causes: truth.causes, ...verdict }).toEqual({
        causes: truth.causes,
        ...verdict,
        inDistributionTop3: true,
        inShapTop3: true,
        thresholdOk: true,
        aucOk: true,
      });
      expect(truth.positiveRate).toBeGreaterThan(0.005);
    },
    240_000,
  );
});

const sweepSeeds = Number(process.env.RANDOM_LINES_SWEEP ?? 0);
const sweepFrom = Number(process.env.RANDOM_LINES_SWEEP_FROM ?? 1000);
(sweepSeeds > 0 ? describe : describe.skip)('sweep over seeds (RANDOM_LINES_SWEEP=N)', () => {
  const kinds: readonly { kind: CauseKind; shape: LineShape }[] = [
    { kind: 'threshold', shape: 'batches' },
    { kind: 'threshold', shape: 'minutes' },
    { kind: 'interaction', shape: 'batches' },
    { kind: 'interaction', shape: 'minutes' },
    { kind: 'lot', shape: 'batches' },
    { kind: 'lot', shape: 'minutes' },
    { kind: 'range', shape: 'batches' },
    { kind: 'range', shape: 'minutes' },
  ];
  it.each(kinds)(
    '$kind, $shape',
    async ({ kind, shape }) => {
      const tally = {
        distribution: 0,
        shap: 0,
        threshold: 0,
        auc: 0,
        all: 0,
        minAuc: 1,
        maxThresholdErrorSd: 0,
      };
      const failures: string[] = [];
      for (let seed = sweepFrom; seed < sweepFrom + sweepSeeds; seed++) {
        const { table, truth, results } = await analyse(seed, kind, shape);
        const v = judge(table, truth, results);
        tally.distribution += +v.inDistributionTop3;
        tally.shap += +v.inShapTop3;
        tally.threshold += +v.thresholdOk;
        tally.auc += +v.aucOk;
        tally.minAuc = Math.min(tally.minAuc, Number(v.auc.toFixed(3)));
        if (v.threshold)
          tally.maxThresholdErrorSd = Math.max(
            tally.maxThresholdErrorSd,
            Number(v.threshold.errorSd.toFixed(3)),
          );
        const all = v.inDistributionTop3 && v.inShapTop3 && v.thresholdOk && v.aucOk;
        tally.all += +all;
        if (!all)
          failures.push(
            `seed ${seed} causes ${truth.causes.join('+')} positives ${(truth.positiveRate * 100).toFixed(1)}%: ` +
              JSON.stringify({ ...v, auc: Number(v.auc.toFixed(3)) }),
          );
      }
      process.stdout.write(
        `SWEEP ${kind} ${shape} seeds ${sweepFrom}..${sweepFrom + sweepSeeds - 1}: ${JSON.stringify(tally)}\n${failures.join('\n')}\n`,
      );
    },
    3_600_000,
  );
});
