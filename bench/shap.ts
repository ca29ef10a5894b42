/**
 * `npm run bench -- shap [--rows N] [--features N] [--trees N] [--repeats N]`
 *
 * Our exact TreeSHAP against LightGBM's own (`predict(pred_contrib=True)`, which shap's
 * TreeExplainer calls for LightGBM models) on the same model and rows: the Python reference
 * trains a 500-tree, 31-leaf binary model on 10,000 rows × 100 features, saves its text and the
 * rows; we load that text with our LightGBM loader and explain the same rows. Prints the medians
 * and the largest absolute difference between the two sets of SHAP values.
 *
 * LightGBM runs on every core (OpenMP); ours on as many worker threads (the compute pool's
 * `shap` task the product's explain stage runs, on a matrix in shared memory), `ours_s`. One in-process, single-thread run is timed too
 * (`ours_1thread_s`); `--one-thread` also times LightGBM on one thread.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { treeShapRowMajor } from '../analysis/explain/tree-shap';
import type { GbdtModel } from '../analysis/learners/gbdt/model';
import { parseLightGbmModel } from '../analysis/learners/lightgbm-text';
import { ComputePool } from '../compute/pool';
import { shapInParts } from '../compute/shap';
import { shareMatrix } from '../compute/shared';
import { median, printSummary, runPythonReference, timeRepeated } from './harness';

interface Reference {
  reference: string;
  reference_s: number;
  reference_cpu_s: number;
  reference_1thread_s?: number;
  threads: number;
  rows: number;
  features: number;
  trees: number;
}

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

function readFloat64(file: string): Float64Array {
  const bytes = readFileSync(file);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function main(): Promise<void> {
  const repeats = option('repeats', 3);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'line-rca-shap-'));
  try {
    const args = [dir, '--repeats', String(repeats)];
    if (process.argv.includes('--one-thread')) args.push('--one-thread');
    for (const name of ['rows', 'features', 'trees']) {
      const k = process.argv.indexOf(`--${name}`);
      if (k >= 0) args.push(`--${name}`, process.argv[k + 1]);
    }
    const ref = runPythonReference<Reference>('shap_reference.py', args);
    const { ensemble } = parseLightGbmModel(readFileSync(path.join(dir, 'model.txt'), 'utf8'));
    const x = readFloat64(path.join(dir, 'x.f64'));
    const contrib = readFloat64(path.join(dir, 'contrib.f64'));
    const F = ensemble.featureNames.length;

    // LightGBM's model explained as one of ours, on the rows as the explain stage holds them.
    const model = { ...ensemble, kind: 'gbdt' } as unknown as GbdtModel;
    const rows = x.length / F;
    const matrix = shareMatrix({
      names: ensemble.featureNames,
      rows,
      columns: ensemble.featureNames.map((_, j) =>
        Float64Array.from({ length: rows }, (_, i) => x[i * F + j]),
      ),
    });
    const pool = new ComputePool({ size: ref.threads });
    // Start the threads (and compile the code in them) before timing: a service keeps its pool.
    const warm = 2 * ref.threads;
    await shapInParts(pool, model, {
      ...matrix,
      rows: warm,
      columns: matrix.columns.map((c) => c.subarray(0, warm)),
    });
    // CPU seconds of the whole process (worker threads included): steadier than wall time on a
    // shared machine, where wall time also counts waiting for a core.
    const cpuSeconds: number[] = [];
    const { seconds, result } = await timeRepeated(repeats, async () => {
      const cpu = process.cpuUsage();
      const shap = await shapInParts(pool, model, matrix);
      const used = process.cpuUsage(cpu);
      cpuSeconds.push((used.user + used.system) / 1e6);
      return shap;
    }).finally(() => pool.close());
    console.error(`ours, ${ref.threads} threads: ${seconds.map((s) => s.toFixed(3)).join(', ')} s`);
    const single = await timeRepeated(1, () => treeShapRowMajor(ensemble, x));
    console.error(`ours, 1 thread: ${single.seconds[0].toFixed(3)} s`);

    let maxAbsDiff = 0;
    for (let r = 0; r < result.rows; r++) {
      for (let j = 0; j < F; j++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(result.values[r * F + j] - contrib[r * (F + 1) + j]));
      }
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(result.expectedValue - contrib[r * (F + 1) + F]));
    }
    printSummary('shap', median(seconds), ref.reference_s, {
      max_abs_diff: Number(maxAbsDiff.toPrecision(3)),
      ours_cpu_s: Number(median(cpuSeconds).toPrecision(4)),
      reference_cpu_s: Number(ref.reference_cpu_s.toPrecision(4)),
      ratio_cpu: Number((median(cpuSeconds) / ref.reference_cpu_s).toPrecision(4)),
      reference: `${ref.reference}, ${ref.threads} threads`,
      ours_threads: ref.threads,
      ours_1thread_s: Number(single.seconds[0].toPrecision(4)),
      ...(ref.reference_1thread_s === undefined
        ? {}
        : { reference_1thread_s: Number(ref.reference_1thread_s.toPrecision(4)) }),
      rows: ref.rows,
      features: ref.features,
      trees: ref.trees,
      repeats,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
