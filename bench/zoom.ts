/**
 * `POST /api/analyses/:id/zoom` through `line-rca serve`'s HTTP server, on 200 variables ×
 * 100,000 rows (an `aggregation: "none"` analysis whose observations dataset is on disk): the
 * first zoom (the engine loads the rows, sorts every variable and starts its threads), then 20
 * warm zooms on different periods (median), then 50 zooms sent at once (all must succeed; the
 * process's peak memory is sampled meanwhile), then analyses loaded one after another under a
 * memory budget that holds one engine (the budget must evict, memory must stay flat).
 *
 * The reference is a Python service holding the same rows in a pandas DataFrame and running
 * bench/distribution_reference.py's per-variable analysis (pandas, NumPy, SciPy, scikit-learn)
 * on the same period: what answering a zoom costs there without our engine.
 *
 *   npm run bench -- zoom [--rows 100000] [--variables 200] [--warm 20] [--concurrent 50]
 *                        [--reference-repeats 3] [--ours-only]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../analysis/config';
import type { ResultsDocument } from '../analysis/results';
import { writeObservationDataset } from '../connectors/datasets';
import { buildServer, zoomSourceFrom } from '../server/app';
import type { Catalog } from '../server/catalog';
import type { Runs } from '../server/runs';
import { engineBytes, ZoomEngines } from '../server/zoom';
import { syntheticTable, writeForPython } from './distribution';
import { arg, median, printSummary, runPythonReference } from './harness';

const START = Date.parse('2026-01-01T00:00:00Z');
const MINUTE = 60_000;
const iso = (row: number) => new Date(START + row * MINUTE).toISOString();

/** The analyses by id, in memory: the catalog is not what is measured. */
function memoryCatalog(documents: Map<string, ResultsDocument>): Catalog {
  return {
    lines: async () => [],
    analyses: async () => ({ total: 0, analyses: [] }),
    results: async (id) => documents.get(id),
    close: async () => undefined,
  };
}

const noRuns: Runs = {
  start: () => Promise.reject(new Error('not in this benchmark')),
  progress: () => Promise.reject(new Error('not in this benchmark')),
  close: async () => undefined,
};

/** Peak resident memory while `work` runs, sampled every 20 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

interface ReferenceResult {
  seconds: number[];
  top: string[];
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '100000'));
  const variables = Number(arg('variables', '200'));
  const warmRuns = Number(arg('warm', '20'));
  const concurrent = Number(arg('concurrent', '50'));
  const referenceRepeats = Number(arg('reference-repeats', '3'));
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'zoom-bench-'));
  try {
    const { table, labels } = syntheticTable(rows, variables, 11);
    const time = Float64Array.from({ length: rows }, (_, i) => START + i * MINUTE);
    const bad = { name: 'bad', data: { kind: 'numeric' as const, values: Float64Array.from(labels) } };
    const uri = pathToFileURL(path.join(dir, 'observations.parquet')).href;
    await writeObservationDataset({ rows, variables: [...table.variables, bad], time }, uri);
    const config = parseConfig({
      name: 'zoom bench',
      line: 'bench',
      source: { kind: 'file', path: 'none.parquet', timeColumn: 'time' },
      target: 'bad == 1',
      aggregation: 'none',
    });
    const document = (id: string): ResultsDocument => ({
      id,
      name: 'zoom bench',
      line: 'bench',
      startedAt: iso(0),
      finishedAt: iso(1),
      data: { rows, positives: 0, variables, features: variables },
      distribution: [],
      model: null,
      importance: [],
      target: 'bad == 1',
      config,
      artifacts: { observations: uri },
    });
    const documents = new Map(['a', 'b', 'c'].map((id) => [id, document(id)]));
    const catalog = memoryCatalog(documents);
    const bytes = engineBytes({ rows, variables: table.variables });
    // Room for one engine: loading a second one evicts the first.
    const zoom = new ZoomEngines(zoomSourceFrom(catalog), { memoryBytes: bytes * 1.5 });
    const app = await buildServer({ catalog, zoom, runs: noRuns });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const post = async (id: string, from: number, to: number) => {
      const t0 = process.hrtime.bigint();
      const response = await fetch(`${base}/api/analyses/${id}/zoom`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: iso(from), to: iso(to) }),
      });
      const body = (await response.json()) as { distribution?: { variable: string }[] };
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (response.status !== 200)
        throw new Error(`zoom answered ${response.status}: ${JSON.stringify(body)}`);
      return { seconds, top: (body.distribution ?? []).slice(0, 5).map((e) => e.variable) };
    };
    // Periods of 80-95 % of the rows, each one different.
    const period = (k: number) => {
      const start = Math.floor(rows * (0.02 + 0.003 * (k % 10)));
      return [start, start + Math.floor(rows * (0.8 + 0.01 * (k % 15)))] as const;
    };

    let results: Record<string, number | string>;
    try {
      const before = process.memoryUsage().rss;
      const first = await post('a', ...period(0));
      const loaded = process.memoryUsage().rss;
      const warm: number[] = [];
      const warmCpu: number[] = [];
      let top: string[] = [];
      for (let k = 1; k <= warmRuns; k++) {
        const cpu = process.cpuUsage();
        const answer = await post('a', ...period(k));
        const used = process.cpuUsage(cpu);
        // every thread of this process: the server, its engine's threads, and the client's parse
        warmCpu.push((used.user + used.system) / 1e6);
        warm.push(answer.seconds);
        top = answer.top;
      }
      console.error(
        `first zoom (load, sort, threads) ${first.seconds.toFixed(3)} s; warm ${warm.map((s) => s.toFixed(3)).join(' ')} s (CPU ${warmCpu.map((s) => s.toFixed(3)).join(' ')} s); top ${top.join(', ')}`,
      );
      const burst = await peakRss(async () => {
        const t0 = process.hrtime.bigint();
        const outcomes = await Promise.allSettled(
          Array.from({ length: concurrent }, (_, k) => post('a', ...period(100 + k))),
        );
        return { outcomes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
      });
      const failed = burst.result.outcomes.filter((o) => o.status === 'rejected');
      console.error(
        `${concurrent} zooms at once: ${concurrent - failed.length} succeeded in ${burst.result.seconds.toFixed(2)} s; peak RSS ${mb(burst.peak)} MB (${mb(loaded)} MB before, ${mb(before)} MB before the first load)`,
      );
      if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
      // Two more analyses under a budget for one engine: each load evicts the one before.
      const evictions = await peakRss(async () => {
        await post('b', ...period(1));
        await post('c', ...period(2));
        return [...zoom.kept.keys()];
      });
      console.error(
        `after loading b and c: engines kept ${evictions.result.join(', ')} (budget ${mb(bytes * 1.5)} MB, one engine ${mb(bytes)} MB); peak RSS ${mb(evictions.peak)} MB`,
      );
      results = {
        warm_median_s: Number(median(warm).toPrecision(4)),
        warm_cpu_median_s: Number(median(warmCpu).toPrecision(4)),
        first_zoom_s: Number(first.seconds.toPrecision(4)),
        concurrent,
        concurrent_ok: concurrent - failed.length,
        concurrent_s: Number(burst.result.seconds.toPrecision(4)),
        rss_loaded_mb: mb(loaded),
        rss_peak_concurrent_mb: mb(burst.peak),
        rss_peak_three_analyses_mb: mb(evictions.peak),
        engines_kept: evictions.result.length,
        engine_estimate_mb: mb(bytes),
        rows,
        variables,
        threads: os.availableParallelism(),
      };
    } finally {
      await app.close();
      await zoom.close();
    }

    if (process.argv.includes('--ours-only')) {
      console.log(JSON.stringify({ bench: 'zoom', ours_s: results.warm_median_s, ...results }));
      return;
    }
    writeForPython(dir, table, labels);
    const [start, end] = period(1);
    const ref = runPythonReference<ReferenceResult>('zoom_reference.py', [
      dir,
      String(start),
      String(end),
      String(referenceRepeats),
    ]);
    console.error(
      `reference (pandas/SciPy on the same period): ${ref.seconds.map((s) => s.toFixed(2)).join(' ')} s; top ${ref.top.join(', ')}`,
    );
    printSummary('zoom', results.warm_median_s as number, median(ref.seconds), results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
