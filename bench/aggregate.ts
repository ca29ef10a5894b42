/**
 * Window aggregation against pandas, on the product's path: a long-format source (time,
 * variable, value) of 30 days at one minute with 50 variables (2.16 million rows, Parquet)
 * through the pipeline's extract stage (the source pivoted to the canonical table, written as
 * the observations dataset) and aggregate stage (the observations read back, 10-minute windows
 * with mean, std, min, max, first, last, count, slope, p10, p50, p90 and the window label
 * `v00 > 0.95`, any row, written as the features dataset): `extractSource` and
 * `aggregateDataset`, the functions the stages call. pandas does the same steps: read, pivot,
 * write and read back the wide table, resample, write the features (Parquet, zstd). Checksums
 * of every feature and the positive count are compared. Our CPU seconds (DuckDB's threads
 * included) are printed too: on a shared machine they vary less than wall time.
 *
 *   npm run bench -- aggregate [--repeats 3] [--ours-only]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { distributionSettings } from '../analysis/config';
import { newDatasetUri, readFeatureDataset } from '../connectors/datasets';
import { literal, withDuck } from '../connectors/duckdb';
import { aggregateDataset, extractSource } from '../connectors/sources';
import { arg, median, printSummary, runPythonReference, timeRepeated } from './harness';

const FUNCTIONS = ['mean', 'std', 'min', 'max', 'first', 'last', 'count', 'slope', 'p10', 'p50', 'p90'];
const TARGET = 'v00 > 0.95';
const VARIABLES = 50;
const DAYS = 30;

/** Deterministic long data: smooth signals plus hashed noise, 3 % of values missing. */
async function writeSource(file: string): Promise<void> {
  const minutes = DAYS * 1440;
  await withDuck(async (db) => {
    await db.run(`COPY (
      SELECT TIMESTAMP '2026-10-01 00:00:00' + to_minutes(i) AS time,
             printf('v%02d', j) AS variable,
             CASE WHEN hash(i * 131 + j) % 100 < 3 THEN NULL
                  ELSE sin(i / (60.0 + j)) * 0.4 + 0.5 + ((hash(i * 977 + j * 13) % 1000) / 1000.0 - 0.5) * 0.2 END AS value
      FROM range(${minutes}) r(i), range(${VARIABLES}) v(j)
      ORDER BY i, j
    ) TO ${literal(file)} (FORMAT parquet)`);
  });
}

async function main(): Promise<void> {
  const repeats = Number(arg('repeats', '3'));
  const dir = path.resolve('.data', 'bench', 'aggregate');
  mkdirSync(dir, { recursive: true });
  const source = path.join(dir, 'long.parquet');
  // The source is deterministic: written once, then reused.
  if (!existsSync(source)) await writeSource(source);
  const { target, targetColumns } = distributionSettings({ target: TARGET });
  const work = path.join(dir, 'work');
  const cpu: number[] = [];
  const run = async () => {
    const start = process.cpuUsage();
    const observations = newDatasetUri('observations', work);
    const load = await extractSource({ kind: 'file', path: source }, { keep: targetColumns }, observations);
    const featuresUri = newDatasetUri('features', work);
    await aggregateDataset(
      observations,
      { target, aggregation: { kind: 'windows', windowMs: 600_000, lagWindows: 0, functions: FUNCTIONS } },
      featuresUri,
    );
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1e6);
    return { load, featuresUri };
  };
  const ours = await timeRepeated(repeats, run);
  const { load, featuresUri } = ours.result;
  const features = await readFeatureDataset(featuresUri);
  rmSync(work, { recursive: true, force: true });
  let checksum = 0;
  for (const c of features.matrix.columns) for (const x of c) if (!Number.isNaN(x)) checksum += x;
  let positives = 0;
  for (const y of features.labels) positives += y;
  console.error(
    `ours: ${load.rows} timestamps from ${VARIABLES * DAYS * 1440} long rows → ${features.matrix.rows} windows × ${features.matrix.names.length} features; seconds ${ours.seconds.map((s) => s.toFixed(3)).join(' ')}; CPU seconds ${cpu.map((s) => s.toFixed(3)).join(' ')}`,
  );
  if (process.argv.includes('--ours-only')) {
    console.log(
      JSON.stringify({
        bench: 'aggregate',
        ours_s: median(ours.seconds),
        ours_cpu_s: median(cpu),
        windows: features.matrix.rows,
      }),
    );
    return;
  }
  const reference = runPythonReference<{
    seconds: number[];
    checksum: number;
    positives: number;
    windows: number;
  }>('aggregate_reference.py', [source, String(repeats), FUNCTIONS.join(','), dir]);
  printSummary('aggregate', median(ours.seconds), median(reference.seconds), {
    ours_cpu_s: Number(median(cpu).toPrecision(4)),
    windows_ours: features.matrix.rows,
    windows_reference: reference.windows,
    positives_ours: positives,
    positives_reference: reference.positives,
    checksum_rel_diff: Number(
      (Math.abs(checksum - reference.checksum) / Math.abs(reference.checksum)).toExponential(2),
    ),
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
