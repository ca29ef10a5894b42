/**
 * The time-aware permutation null of the distribution analysis (analysis/evidence): the analysis
 * with it (`analyzeOverTime`) and without it (`analyzeDistribution`) on the same table (rows of
 * drifting variables, positives in episodes: `driftingTable`), and a
 * NumPy reference that computes the same statistics (histogram intersection with the entry's
 * edges, exact two-sample KS) for the same shifts of the labels, vectorized over shifts. The
 * reference also reports the statistics it found at every shift, so the bench checks that both
 * sides agree on the observed statistics and on how many shifts reached them.
 *
 *   npm run bench -- distribution-null [--rows 100000] [--variables 200] [--repeats 3] [--reference-repeats 1]
 *
 * `npm run bench -- distribution` runs it too (on its zoom table size) and adds its figures to
 * its summary line. Last line: {"bench":"distribution-null","ours_s":…,"reference_s":…,…} where
 * `ours_s` and `reference_s` time the null alone (ours: with − without).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ar1 } from '../analysis/demo/noise';
import { analyzeDistribution } from '../analysis/distribution';
import type { NumericDistribution } from '../analysis/distribution/types';
import { observationsOf } from '../analysis/evidence/observations';
import { shiftSchedule } from '../analysis/evidence/shifts';
import { analyzeOverTime } from '../analysis/evidence/time-aware';
import type { ObservationTable } from '../analysis/frame';
import { createRng } from '../analysis/random';
import { arg, median, printSummary, runPythonReference, timeRepeated } from './harness';

/**
 * A line as the null sees it: rows in time order, about 5 % positive in episodes (a latent AR(1)
 * with 0.99 per row above its 95th percentile), variables AR(1) 0.98 per row; every tenth shifted
 * for positives (0.05 to 0.5 sd), every tenth+1 rounded (heavy ties), every tenth+2 with 2 %
 * missing values, the rest noise.
 */
export function driftingTable(
  rows: number,
  variables: number,
  seed: number,
): { table: ObservationTable; labels: Uint8Array } {
  const rng = createRng(seed);
  const latent = ar1(rng, rows, 0.99);
  const level = Float64Array.from(latent).sort()[Math.floor(rows * 0.95)];
  const labels = Uint8Array.from(latent, (x) => (x > level ? 1 : 0));
  const vars = [];
  for (let j = 0; j < variables; j++) {
    const r = createRng(seed * 1000 + j + 1);
    const values = ar1(r, rows, 0.98);
    const shift = j % 10 === 0 ? 0.05 + (0.45 * (j / 10)) / Math.max(1, variables / 10) : 0;
    for (let i = 0; i < rows; i++) {
      let v = values[i] + (labels[i] ? shift : 0);
      if (j % 10 === 1) v = Math.round(v * 5 + 50);
      if (j % 10 === 2 && r.next() < 0.02) v = Number.NaN;
      values[i] = v;
    }
    vars.push({ name: `v${j}`, data: { kind: 'numeric' as const, values } });
  }
  return { table: { rows, variables: vars }, labels };
}

interface NullReference {
  seconds: number[];
  /** Per variable: observed score and KS, and how many of its shifts reached each. */
  observed: [number, number][];
  reached: [number, number][];
}

export interface NullFigures {
  /** Median seconds: the analysis without the null, with it, the null alone (difference). */
  readonly without_s: number;
  readonly with_s: number;
  readonly null_s: number;
  readonly reference_null_s: number;
  /** with / without, and our null over the reference's. */
  readonly with_over_without: number;
  readonly null_ratio: number;
  readonly shifts_total: number;
  readonly agree: number;
}

/** Runs both sides on `rows` × `variables` and returns the figures (printing progress on stderr). */
export async function benchNull(
  rows: number,
  variables: number,
  repeats: number,
  referenceRepeats = repeats,
): Promise<NullFigures> {
  const { table, labels } = driftingTable(rows, variables, 13);
  const observations = observationsOf(labels);
  const without = await timeRepeated(repeats, () => analyzeDistribution(table, labels));
  const withNull = await timeRepeated(repeats, () => analyzeOverTime(table, observations, { seed: 5 }));
  const { entries, evidence } = withNull.result;
  const schedule = shiftSchedule(
    observations.count,
    evidence.correlationLength,
    evidence.maxShifts,
    createRng(5),
  );
  const numeric = entries.filter(
    (e): e is NumericDistribution => e.kind === 'numeric' && e.shiftTest !== undefined,
  );
  const shiftsTotal = numeric.reduce((s, e) => s + e.shiftTest!.shifts, 0);
  const withoutSeconds = median(without.seconds);
  const withSeconds = median(withNull.seconds);
  console.error(
    `null ${variables} × ${rows}: without ${without.seconds.map((s) => s.toFixed(2)).join(' ')} s, with ${withNull.seconds.map((s) => s.toFixed(2)).join(' ')} s; ${shiftsTotal} shifts over ${numeric.length} variables (${numeric.filter((e) => e.shiftTest!.tail).length} with a fitted tail)`,
  );

  const dir = mkdtempSync(path.join(os.tmpdir(), 'distribution-null-bench-'));
  try {
    const byName = new Map(table.variables.map((v) => [v.name, v]));
    const columns = numeric.map((e) => {
      const values = (byName.get(e.variable)!.data as { values: Float64Array }).values;
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    });
    writeFileSync(path.join(dir, 'X.f64'), Buffer.concat(columns));
    writeFileSync(path.join(dir, 'y.u8'), labels);
    writeFileSync(path.join(dir, 'shifts.i32'), new Uint8Array(schedule.shifts.buffer));
    writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({
        rows,
        variables: numeric.map((e) => ({
          name: e.variable,
          edges: e.histogram.edges,
          shifts: e.shiftTest!.shifts,
        })),
      }),
    );
    const ref = runPythonReference<NullReference>('distribution_null_reference.py', [
      dir,
      String(referenceRepeats),
    ]);
    // agreement: observed statistics, and for p-values the shifts resolved, the count that reached them
    let agree = 0;
    numeric.forEach((e, j) => {
      const [score, ks] = ref.observed[j];
      const sameObserved = Math.abs(score - e.score) < 1e-9 && Math.abs(ks - (e.ks ?? 0)) < 1e-9;
      const t = e.shiftTest!;
      const fromCounts = (reached: number) => (reached + 1) / (t.shifts + 1);
      const sameCounts =
        t.tail ||
        (Math.abs(fromCounts(ref.reached[j][0]) - t.pScore) < 1e-12 &&
          Math.abs(fromCounts(ref.reached[j][1]) - (t.pTest ?? 0)) < 1e-12);
      if (sameObserved && sameCounts) agree++;
    });
    const referenceNull = median(ref.seconds);
    const nullSeconds = Math.max(0, withSeconds - withoutSeconds);
    console.error(
      `reference (NumPy, same shifts): ${ref.seconds.map((s) => s.toFixed(2)).join(' ')} s; ${agree} of ${numeric.length} variables agree on the observed statistics and the counts`,
    );
    return {
      without_s: withoutSeconds,
      with_s: withSeconds,
      null_s: nullSeconds,
      reference_null_s: referenceNull,
      with_over_without: withSeconds / withoutSeconds,
      null_ratio: nullSeconds / referenceNull,
      shifts_total: shiftsTotal,
      agree: agree / numeric.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '100000'));
  const variables = Number(arg('variables', '200'));
  const repeats = Number(arg('repeats', '3'));
  const f = await benchNull(rows, variables, repeats, Number(arg('reference-repeats', '1')));
  const round = (x: number) => Number(x.toPrecision(4));
  printSummary('distribution-null', f.null_s, f.reference_null_s, {
    without_s: round(f.without_s),
    with_s: round(f.with_s),
    with_over_without: round(f.with_over_without),
    shifts_total: f.shifts_total,
    agree: round(f.agree),
    rows,
    variables,
  });
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
