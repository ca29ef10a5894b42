/**
 * GBDT training against LightGBM (Python, one thread), same data, same parameters, same number of
 * trees, on 100,000 × 100 and 1,000,000 × 50 synthetic rows (time-ordered 80/20 split). Both
 * sides time binning + training (LightGBM's Dataset construction is part of its `train`).
 * The summary's seconds are the sum over both sizes of the per-size medians (wall clock, and CPU
 * seconds as `*_cpu_s`, steadier on a shared machine); the AUCs are those of the larger size.
 *
 *   npm run bench -- gbdt [--repeats 3] [--sizes 100000x100,1000000x50] [--ours-only]
 *   node dist/bench/gbdt.js --write-data DIR --rows N --features F --seed S   (data for Python)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FeatureMatrix, featureMatrix, type Labels } from '../analysis/frame';
import { binDataset } from '../analysis/learners/gbdt/binning';
import { aucOfMargins } from '../analysis/learners/gbdt/evaluation';
import { kernelInUse } from '../analysis/learners/gbdt/kernel-choice';
import { predictMargin } from '../analysis/learners/gbdt/model';
import { syntheticClassification } from '../analysis/learners/gbdt/synthetic';
import { trainGbdt } from '../analysis/learners/gbdt/train';
import { arg, median, printSummary, runPythonReference, timeRepeated } from './harness';

export const benchParams = {
  num_iterations: 100,
  learning_rate: 0.1,
  num_leaves: 31,
  max_bin: 255,
  min_data_in_leaf: 20,
  seed: 1,
};

/** Writes features column-major as float64 (little-endian), labels as uint8, and a meta file. */
export function writeDataset(dir: string, features: FeatureMatrix, labels: Labels): void {
  mkdirSync(dir, { recursive: true });
  const x = new Float64Array(features.rows * features.columns.length);
  features.columns.forEach((c, j) => {
    x.set(c, j * features.rows);
  });
  writeFileSync(path.join(dir, 'X.f64'), new Uint8Array(x.buffer));
  writeFileSync(path.join(dir, 'y.u8'), labels);
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ rows: features.rows, features: features.columns.length, names: features.names }),
  );
}

function splitRows(features: FeatureMatrix, labels: Labels, from: number, to: number) {
  return {
    features: featureMatrix(
      features.names,
      features.columns.map((c) => c.subarray(from, to)),
    ),
    labels: labels.subarray(from, to),
  };
}

interface ReferenceResult {
  seconds: number[];
  cpu_seconds: number[];
  auc: number;
}

async function benchSize(rows: number, cols: number, repeats: number, oursOnly: boolean) {
  const data = syntheticClassification(rows, cols, 7);
  const cut = Math.floor(rows * 0.8);
  const train = splitRows(data.features, data.labels, 0, cut);
  const valid = splitRows(data.features, data.labels, cut, rows);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gbdt-bench-'));
  try {
    if (!oursOnly) writeDataset(dir, data.features, data.labels);
    // CPU seconds too: on a shared machine they vary less than wall-clock seconds.
    const oursCpu: number[] = [];
    const ours = await timeRepeated(repeats, () => {
      const cpu = process.cpuUsage();
      const binned = binDataset(train.features, { params: benchParams });
      const model = trainGbdt(binned, train.labels, { params: benchParams });
      const used = process.cpuUsage(cpu);
      oursCpu.push((used.user + used.system) / 1e6);
      return model;
    });
    const aucOurs = aucOfMargins(predictMargin(ours.result, valid.features), valid.labels);
    // --ours-only (for quick iterations on our side): no LightGBM run, reference figures NaN.
    const ref: ReferenceResult = oursOnly
      ? { seconds: [Number.NaN], cpu_seconds: [Number.NaN], auc: Number.NaN }
      : runPythonReference<ReferenceResult>('gbdt_reference.py', [
          dir,
          JSON.stringify(benchParams),
          String(repeats),
        ]);
    const line = {
      size: `${rows}x${cols}`,
      ours_s: ours.seconds,
      reference_s: ref.seconds,
      ours_median: median(ours.seconds),
      reference_median: median(ref.seconds),
      ours_cpu_median: median(oursCpu),
      reference_cpu_median: median(ref.cpu_seconds),
      auc_ours: aucOurs,
      auc_reference: ref.auc,
      trees: ours.result.trees.length,
    };
    console.log(JSON.stringify(line));
    return line;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const writeDir = process.argv.indexOf('--write-data') >= 0 ? arg('write-data', '') : '';
  if (writeDir) {
    const data = syntheticClassification(
      Number(arg('rows', '20000')),
      Number(arg('features', '100')),
      Number(arg('seed', '7')),
    );
    writeDataset(writeDir, data.features, data.labels);
    return;
  }
  const repeats = Number(arg('repeats', '3'));
  const sizes = arg('sizes', '100000x100,1000000x50')
    .split(',')
    .map((s) => s.split('x').map(Number) as [number, number]);
  const results = [];
  const oursOnly = process.argv.includes('--ours-only');
  for (const [rows, cols] of sizes) results.push(await benchSize(rows, cols, repeats, oursOnly));
  const ours = results.reduce((s, r) => s + r.ours_median, 0);
  const reference = results.reduce((s, r) => s + r.reference_median, 0);
  const largest = results[results.length - 1];
  const oursCpu = results.reduce((s, r) => s + r.ours_cpu_median, 0);
  const referenceCpu = results.reduce((s, r) => s + r.reference_cpu_median, 0);
  printSummary('gbdt', ours, reference, {
    ours_cpu_s: Number(oursCpu.toPrecision(4)),
    reference_cpu_s: Number(referenceCpu.toPrecision(4)),
    cpu_ratio: Number((oursCpu / referenceCpu).toPrecision(4)),
    auc_ours: Number(largest.auc_ours.toFixed(5)),
    auc_reference: Number(largest.auc_reference.toFixed(5)),
    sizes: results.map((r) => r.size).join(','),
    kernel: kernelInUse(),
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
