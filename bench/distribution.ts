/**
 * Distribution analysis against the Python reference doing the same work per variable (pandas
 * columns, NumPy quantiles and histograms, SciPy `ks_2samp` and `wasserstein_distance`, a
 * scikit-learn depth-1 tree), on 200 variables × 1,000,000 rows; and the zoom case: 200
 * variables × 100,000 rows already in memory (prepared once), analysed again on a row range.
 *
 * Both sides time only the analysis: the data is generated here (seeded), written as raw float64
 * columns for Python, and file reading is outside the timings on both sides. Our time includes
 * `prepareDistribution` (sorting every column); the zoom time does not (it is done once when the
 * data is loaded, then reused for every zoom). The zoom runs on `DistributionEngine`, which
 * spreads the variables over this thread and one more per other core; the one-thread time
 * (`analyzePrepared`) is printed too.
 *
 *   npm run bench -- distribution [--rows 1000000] [--variables 200] [--repeats 3]
 *                                 [--reference-repeats 1] [--zoom-rows 100000] [--zoom-only]
 *
 * The time-aware permutation null (bench/distribution-null.ts) runs on the zoom table's size
 * (200 × 100,000): the analysis with and without it, and its NumPy reference on the same shifts;
 * its figures are the summary's `null_*` fields (`--no-null` leaves it out).
 *
 * `--zoom-only` times the zoom case alone (no million-row table, no Python) and prints, last,
 * `{"bench":"distribution-zoom","zoom_s":…,"zoom_cpu_s":…,"zoom_threads":…,"zoom_one_thread_s":…}`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeDistribution, analyzePrepared, prepareDistribution } from '../analysis/distribution';
import type { ObservationTable } from '../analysis/frame';
import { createRng } from '../analysis/random';
import { DistributionEngine } from '../compute/distribution-engine';
import { benchNull } from './distribution-null';
import { arg, median, printSummary, runPythonReference, timeRepeated } from './harness';

/**
 * Synthetic line data: 5 % positives; every tenth variable shifted for positives (effect 0.05 to
 * 0.5 sd), every tenth+1 rounded to integers (heavy ties), every tenth+2 with 2 % missing values,
 * the rest pure noise (so the null p-value paths are exercised too).
 */
export function syntheticTable(
  rows: number,
  variables: number,
  seed: number,
): { table: ObservationTable; labels: Uint8Array } {
  const rng = createRng(seed);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = rng.next() < 0.05 ? 1 : 0;
  const vars = [];
  for (let j = 0; j < variables; j++) {
    const r = createRng(seed * 1000 + j + 1);
    const values = new Float64Array(rows);
    const shift = j % 10 === 0 ? 0.05 + (0.45 * (j / 10)) / Math.max(1, variables / 10) : 0;
    for (let i = 0; i < rows; i++) {
      let v = r.normal() + (labels[i] ? shift : 0);
      if (j % 10 === 1) v = Math.round(v * 5 + 50);
      if (j % 10 === 2 && r.next() < 0.02) v = Number.NaN;
      values[i] = v;
    }
    vars.push({ name: `v${j}`, data: { kind: 'numeric' as const, values } });
  }
  return { table: { rows, variables: vars }, labels };
}

export function writeForPython(dir: string, table: ObservationTable, labels: Uint8Array): void {
  const parts = table.variables.map((v) => {
    const values = (v.data as { values: Float64Array }).values;
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  });
  const file = path.join(dir, 'X.f64');
  writeFileSync(file, parts[0]);
  for (let j = 1; j < parts.length; j++) writeFileSync(file, parts[j], { flag: 'a' });
  writeFileSync(path.join(dir, 'y.u8'), labels);
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ rows: table.rows, variables: table.variables.length }),
  );
}

interface ReferenceResult {
  seconds: number[];
  cpu_seconds: number[];
  top: string[];
}

const zoomText = (seconds: readonly number[]) => seconds.map((s) => s.toFixed(3)).join(' ');

async function main(): Promise<void> {
  const rows = Number(arg('rows', '1000000'));
  const variables = Number(arg('variables', '200'));
  const repeats = Number(arg('repeats', '3'));
  const referenceRepeats = Number(arg('reference-repeats', '1'));
  const zoomRows = Number(arg('zoom-rows', '100000'));

  // Zoom first, on its own smaller table (data in memory, prepared once): the engine, its
  // variables spread over this thread and the other cores, and one thread alone for the record.
  let zoomSeconds: number[];
  let zoomCpuSeconds: number;
  let singleSeconds: number[];
  let threads: number;
  {
    const { table, labels } = syntheticTable(zoomRows, variables, 11);
    const range = { start: Math.floor(zoomRows * 0.1), end: zoomRows };
    const prepareStart = process.hrtime.bigint();
    const engine = await DistributionEngine.load(table);
    const prepareSeconds = Number(process.hrtime.bigint() - prepareStart) / 1e9;
    threads = engine.threads + 1;
    try {
      await engine.analyze(labels, { rows: range }); // warm-up
      const cpuStart = process.cpuUsage();
      const zoom = await timeRepeated(Math.max(5, repeats), () => engine.analyze(labels, { rows: range }));
      zoomSeconds = zoom.seconds;
      // CPU time too (this process, every thread): on a shared machine wall time also counts waiting
      zoomCpuSeconds = process.cpuUsage(cpuStart).user / 1e6 / zoom.seconds.length;
    } finally {
      await engine.close();
    }
    const prepared = prepareDistribution(table);
    analyzePrepared(prepared, labels, { rows: range }); // warm-up
    singleSeconds = (
      await timeRepeated(Math.max(5, repeats), () => analyzePrepared(prepared, labels, { rows: range }))
    ).seconds;
    console.error(
      `zoom ${variables} × ${range.end - range.start} rows of ${zoomRows}: load and prepare ${prepareSeconds.toFixed(3)} s once, analysis on ${threads} threads ${zoomText(zoomSeconds)} s, on one thread ${zoomText(singleSeconds)} s`,
    );
  }

  if (process.argv.includes('--zoom-only')) {
    console.log(
      JSON.stringify({
        bench: 'distribution-zoom',
        zoom_s: Number(median(zoomSeconds).toPrecision(4)),
        zoom_cpu_s: Number(zoomCpuSeconds.toPrecision(4)),
        zoom_runs_s: zoomSeconds.map((s) => Number(s.toPrecision(4))),
        zoom_threads: threads,
        zoom_one_thread_s: Number(median(singleSeconds).toPrecision(4)),
        variables,
        zoom_rows: zoomRows,
      }),
    );
    return;
  }

  const nullFigures = process.argv.includes('--no-null')
    ? null
    : await benchNull(zoomRows, variables, repeats, referenceRepeats);

  const { table, labels } = syntheticTable(rows, variables, 7);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distribution-bench-'));
  try {
    writeForPython(dir, table, labels);
    const oursCpuStart = process.cpuUsage();
    const ours = await timeRepeated(repeats, () => analyzeDistribution(table, labels));
    const oursCpuSeconds = process.cpuUsage(oursCpuStart).user / 1e6 / repeats;
    const top = ours.result.slice(0, 5).map((e) => e.variable);
    console.error(
      `ours ${variables} × ${rows}: ${ours.seconds.map((s) => s.toFixed(2)).join(' ')} s; top ${top.join(', ')}`,
    );
    const ref = runPythonReference<ReferenceResult>('distribution_reference.py', [
      dir,
      String(referenceRepeats),
    ]);
    console.error(
      `reference: ${ref.seconds.map((s) => s.toFixed(2)).join(' ')} s; top ${ref.top.join(', ')}`,
    );
    printSummary('distribution', median(ours.seconds), median(ref.seconds), {
      zoom_s: Number(median(zoomSeconds).toPrecision(4)),
      zoom_cpu_s: Number(zoomCpuSeconds.toPrecision(4)),
      rows,
      variables,
      zoom_rows: zoomRows,
      ours_cpu_s: Number(oursCpuSeconds.toPrecision(4)),
      reference_cpu_s: Number(median(ref.cpu_seconds).toPrecision(4)),
      ratio_cpu: Number((oursCpuSeconds / median(ref.cpu_seconds)).toPrecision(4)),
      ...(nullFigures
        ? {
            null_without_s: Number(nullFigures.without_s.toPrecision(4)),
            null_with_s: Number(nullFigures.with_s.toPrecision(4)),
            null_with_over_without: Number(nullFigures.with_over_without.toPrecision(4)),
            null_s: Number(nullFigures.null_s.toPrecision(4)),
            null_reference_s: Number(nullFigures.reference_null_s.toPrecision(4)),
            null_ratio: Number(nullFigures.null_ratio.toPrecision(4)),
          }
        : {}),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
