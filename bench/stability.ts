/**
 * What the stability stage costs against the evaluate stage (issue 17: "the stability folds cost
 * at most as much again as the evaluate stage"), each stage on its own.
 *
 * Each line is analysed once with `runEmbedded`, which keeps the inputs the pipeline gave to
 * `evaluate` and `stability`. Both stages are then run again on a fresh pool of two threads,
 * `--warmup` times each to warm it (in the pipeline the search has run the learners before
 * either stage, and the explanation runs TreeSHAP beside the folds), then alternately
 * `--repeats` times, nothing else running: each call's wall time and the process's CPU time over
 * it (every thread). Reported per line: the medians and the ratio of stability to evaluate, on
 * CPU time (wall time on two threads flatters the folds, which run side by side). The CPU time
 * counts V8's compiler threads too: on the tiny line a stage takes 15–30 ms and its first calls
 * several times that, so with one warm-up and five repeats the tiny line's ratio ranged over
 * 0.6–1.5 from run to run; with ten and 21, 0.76–0.82. In a real analysis the stage also runs
 * beside the explanation, so `--profile`'s wall time for it is longer.
 *
 * Lines: `tiny` (a bad flour lot on 3,000 batches, seed 3100: a six-tree model, where the folds'
 * fixed costs weigh most), `minutes` (an interaction on 20 days of minutes in ten-minute windows,
 * seed 3201), `demo` (`line-rca demo`'s line and configuration), `plant` (`npm run bench --
 * memory`'s line at 200,000 minutes × 50 sensors, or `--plant-rows`, where the folds' rows weigh
 * most; explained by a logistic regression), `plant-gbdt` (the same with boosted trees only). The
 * reference is the evaluate stage: `ours_s` / `reference_s` / `ratio` are the first line's
 * stability and evaluate CPU medians.
 *
 *   npm run bench -- stability [--lines tiny,minutes,demo,plant,plant-gbdt] [--plant-rows 200000]
 *     [--repeats 21] [--warmup 10]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../activities';
import type { EvaluateInput, StabilityInput } from '../activities/types';
import { type AnalysisConfig, parseConfig } from '../analysis/config';
import { type CauseKind, generateRandomLine, type LineShape } from '../analysis/demo/random-line';
import { ComputePool } from '../compute/pool';
import { writeTableParquet } from '../connectors/demo-line';
import { runEmbedded } from '../pipeline/embedded';
import { arg, median, printSummary, repoRoot } from './harness';
import { writeLine } from './memory-line';

interface BenchLine {
  readonly config: AnalysisConfig;
  readonly baseDir: string;
}

async function randomLine(dir: string, seed: number, kind: CauseKind, shape: LineShape): Promise<BenchLine> {
  const line = generateRandomLine({ seed, kind, shape });
  await writeTableParquet(line.table, path.join(dir, 'line.parquet'));
  // as test/integration/evidence-power.test.ts analyses its lines
  const config = parseConfig({
    name: `${kind} ${shape} ${seed}`,
    line: 'stability-bench',
    source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
    target: line.truth.target,
    aggregation: shape === 'minutes' ? { window: '10m' } : 'none',
    search: { trials: 10, seed: 42 },
  });
  return { config, baseDir: dir };
}

/** `line-rca demo`'s line and configuration, written by the command itself. */
function demoLine(dir: string): BenchLine {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'line-rca.js'), 'demo', '--out', dir], {
    cwd: dir,
    env: {
      ...process.env,
      LINE_RCA_ARTIFACTS: path.join(dir, 'artifacts'),
      MONGODB_URI: '',
      MLFLOW_TRACKING_URI: '',
    },
    stdio: 'ignore',
  });
  if (run.status !== 0) throw new Error(`line-rca demo failed (exit ${run.status})`);
  return {
    config: parseConfig(JSON.parse(readFileSync(path.join(dir, 'demo-config.json'), 'utf8'))),
    baseDir: dir,
  };
}

/** `npm run bench -- memory`'s line at 200,000 minutes × 50 sensors, as that bench configures it. */
async function plantLine(dir: string, rows: number, models?: readonly string[]): Promise<BenchLine> {
  await writeLine(path.join(dir, 'line.parquet'), rows, 50);
  const config = parseConfig({
    name: `plant ${rows}`,
    line: 'stability-bench',
    source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
    target: 'defect == 1',
    aggregation: 'none',
    ...(models ? { models } : {}),
    search: { trials: 10, seed: 42 },
  });
  return { config, baseDir: dir };
}

async function benchLine(name: string, dir: string): Promise<BenchLine> {
  const rows = Number(arg('plant-rows', '200000'));
  if (name === 'plant') return plantLine(dir, rows);
  if (name === 'plant-gbdt') return plantLine(dir, rows, ['gbdt']);
  if (name === 'tiny') return randomLine(dir, 3100, 'lot', 'batches');
  if (name === 'minutes') return randomLine(dir, 3201, 'interaction', 'minutes');
  if (name === 'demo') return demoLine(dir);
  throw new Error(`unknown line ${name} (tiny, minutes, demo, plant, plant-gbdt)`);
}

interface StageInputs {
  evaluate?: EvaluateInput;
  stability?: StabilityInput;
}

/** The stages with the inputs of `evaluate` and `stability` kept in `inputs`. */
function keepingInputs<S extends object>(stages: S, inputs: StageInputs): S {
  const wrapped = { ...stages } as Record<string, unknown>;
  for (const name of ['evaluate', 'stability'] as const) {
    const stage = wrapped[name] as (input: never) => unknown;
    wrapped[name] = (input: never) => {
      inputs[name] = input;
      return stage(input);
    };
  }
  return wrapped as S;
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - t0) / 1000, cpu: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const names = arg('lines', 'tiny,minutes,demo,plant').split(',');
  const repeats = Math.max(1, Number(arg('repeats', '21')));
  const warmup = Math.max(1, Number(arg('warmup', '10')));
  const root = mkdtempSync(path.join(os.tmpdir(), 'line-rca-bench-stability-'));
  process.env.LINE_RCA_ARTIFACTS = path.join(root, 'artifacts');
  process.env.MONGODB_URI = '';
  process.env.MLFLOW_TRACKING_URI = '';
  const summary: Record<string, number | string> = {};
  let first: { stability: number; evaluate: number } | undefined;
  try {
    for (const name of names) {
      const dir = mkdtempSync(path.join(root, `${name}-`));
      const line = await benchLine(name, dir);
      const inputs: StageInputs = {};
      const { results } = await runEmbedded({
        ...line,
        instrument: (stages) => keepingInputs(stages, inputs),
      });
      if (!inputs.evaluate || !inputs.stability)
        throw new Error(`${name}: the pipeline ran no stability stage`);
      const { evaluate: evaluateInput, stability: stabilityInput } = inputs;
      const compute = new ComputePool({ size: 2 });
      try {
        const stages = createActivities({ compute });
        for (let w = 0; w < warmup; w++) {
          await stages.evaluate(evaluateInput);
          await stages.stability(stabilityInput);
        }
        const evaluate: Timing[] = [];
        const stability: Timing[] = [];
        for (let r = 0; r < repeats; r++) {
          evaluate.push(await timed(() => stages.evaluate(evaluateInput)));
          stability.push(await timed(() => stages.stability(stabilityInput)));
        }
        const m = (t: Timing[], key: keyof Timing) => median(t.map((x) => x[key]));
        const ratio = m(stability, 'cpu') / m(evaluate, 'cpu');
        console.error(
          `${name}: ${results.model?.kind ?? '?'} model, ${results.data.rows} rows; ` +
            `evaluate ${m(evaluate, 'cpu').toFixed(3)} s CPU (${m(evaluate, 'wall').toFixed(3)} s wall), ` +
            `stability ${m(stability, 'cpu').toFixed(3)} s CPU (${m(stability, 'wall').toFixed(3)} s wall): ` +
            `ratio ${ratio.toFixed(2)} (medians of ${repeats}; load ${os.loadavg()[0].toFixed(1)})`,
        );
        summary[`${name}_evaluate_cpu_s`] = Number(m(evaluate, 'cpu').toPrecision(4));
        summary[`${name}_stability_cpu_s`] = Number(m(stability, 'cpu').toPrecision(4));
        summary[`${name}_ratio`] = Number(ratio.toPrecision(3));
        first ??= { stability: m(stability, 'cpu'), evaluate: m(evaluate, 'cpu') };
      } finally {
        await compute.close();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (!first) throw new Error('no line measured');
  printSummary('stability', first.stability, first.evaluate, { ...summary, repeats });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
