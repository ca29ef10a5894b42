/**
 * Plant-scale memory: `line-rca analyze` (`aggregation: "none"`, one row an observation, 10
 * trials) and `line-rca distribution` on a generated line of 1M minute rows × 50 sensors, each
 * run in its own process through the real command. Reports, per command, the median over the
 * runs of the wall time and of the peak resident memory of the whole process tree (every
 * descendant's VmHWM summed, sampled every 50 ms, and the kernel's own peak of the largest
 * process from `wait4`, through GNU time when it is there), and whether the planted cause came
 * first.
 *
 * The reference is the budget of issue #21, not another program: 120 s and 2.5 GB for analyze,
 * 1 GB for distribution. `ours_s` / `reference_s` / `ratio` are analyze's median wall time, 120 s
 * and their ratio; `rss_ratio` is analyze's peak over 2.5 GB (both ≤ 1 meet the budget).
 *
 *   npm run bench -- memory [--rows 1000000] [--sensors 50] [--trials 10] [--repeats 3]
 *                           [--commands analyze,distribution] [--format parquet|csv] [--keep DIR]
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, median, printSummary, repoRoot, standaloneEnv } from './harness';
import { CAUSE, writeLine } from './memory-line';

/** Decimal megabytes: the budgets are 2.5 GB and 1 GB (10^9 bytes). */
const MB = 1e6;
/** Issue #21's budgets. */
const BUDGET_MB = { analyze: 2500, distribution: 1000 } as const;
const BUDGET_S = 120;
/** Sum of the peak resident sizes (VmHWM) of `pid` and its descendants, in bytes. */
function treePeak(pid: number, peaks: Map<number, number>): void {
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peaks.set(p, Math.max(peaks.get(p) ?? 0, Number(hwm[1]) * 1024));
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
      }
    } catch {
      // the process ended between two reads
    }
  };
  visit(pid);
}

interface Run {
  readonly seconds: number;
  /** Peak of the process tree, summed VmHWM, MB. */
  readonly treeMb: number;
  /** GNU time's "Maximum resident set size" (largest single process), MB; NaN without it. */
  readonly maxRssMb: number;
  readonly processes: number;
  /** User + system CPU seconds of the process (GNU time); NaN without it. */
  readonly cpuSeconds: number;
  readonly stdout: string;
  readonly status: number | null;
}

function runCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const gnuTime = existsSync('/usr/bin/time');
  const bin = path.join(repoRoot, 'bin', 'line-rca.js');
  const argv = gnuTime ? ['-v', process.execPath, bin, ...args] : [bin, ...args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(gnuTime ? '/usr/bin/time' : process.execPath, argv, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const peaks = new Map<number, number>();
    const timer = setInterval(() => treePeak(child.pid!, peaks), 50);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // GNU time itself is not the analysis.
      peaks.delete(child.pid!);
      const maxRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      if (status !== 0) process.stderr.write(stderr.slice(-4000));
      resolve({
        seconds,
        treeMb: [...peaks.values()].reduce((a, b) => a + b, 0) / MB,
        maxRssMb: maxRss ? (Number(maxRss[1]) * 1024) / MB : Number.NaN,
        processes: peaks.size,
        cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : Number.NaN,
        stdout,
        status,
      });
    });
  });
}

/** The first variable of the results document's rankings. */
function firstOf(stdout: string): { distribution: string; importance: string } {
  const doc = JSON.parse(stdout) as {
    distribution?: { variable: string }[];
    importance?: { variable: string }[];
  };
  return {
    distribution: doc.distribution?.[0]?.variable ?? '',
    importance: doc.importance?.[0]?.variable ?? '',
  };
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '1000000'));
  const sensors = Number(arg('sensors', '50'));
  const trials = Number(arg('trials', '10'));
  const repeats = Number(arg('repeats', '3'));
  const format = arg('format', 'parquet');
  const commands = arg('commands', 'analyze,distribution').split(',');
  const keep = arg('keep', '');
  const dir = keep || mkdtempSync(path.join(os.tmpdir(), 'line-rca-memory-'));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `line-${rows}x${sensors}.${format}`);
  if (!existsSync(file)) {
    const t0 = Date.now();
    await writeLine(file, rows, sensors);
    console.error(`memory: wrote ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const config = path.join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      name: 'plant-scale memory',
      line: 'bench-memory',
      source: { kind: 'file', path: path.basename(file), timeColumn: 'time' },
      target: 'defect == 1',
      aggregation: 'none',
      search: { trials, seed: 42 },
    }),
  );
  const env = standaloneEnv(dir);
  const argsOf: Record<string, string[]> = {
    analyze: ['analyze', '--config', config, '--json'],
    distribution: ['distribution', '--data', file, '--target', 'defect == 1', '--json'],
  };
  const summary: Record<string, number | string> = { rows, sensors, trials, repeats, format };
  const seconds: Record<string, number> = {};
  const load = () => os.loadavg()[0].toFixed(2);
  for (const command of commands) {
    const runs: Run[] = [];
    for (let r = 0; r < repeats; r++) {
      const before = load();
      const run = await runCommand(argsOf[command], env);
      if (run.status !== 0) throw new Error(`${command} exited ${run.status}`);
      const first = firstOf(run.stdout);
      console.error(
        `memory: ${command} run ${r + 1}: ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(1)} s CPU), tree peak ${run.treeMb.toFixed(0)} MB (${run.processes} process(es)), max RSS ${run.maxRssMb.toFixed(0)} MB, first ${first.distribution}/${first.importance || '-'}, load ${before}→${load()}`,
      );
      if (first.distribution !== CAUSE || (command === 'analyze' && first.importance !== CAUSE))
        throw new Error(`${command}: the planted cause ${CAUSE} is not first (${JSON.stringify(first)})`);
      runs.push(run);
      rmSync(path.join(dir, 'artifacts'), { recursive: true, force: true });
    }
    seconds[command] = median(runs.map((r) => r.seconds));
    summary[`${command}_s`] = Number(seconds[command].toFixed(2));
    summary[`${command}_cpu_s`] = Number(median(runs.map((r) => r.cpuSeconds)).toFixed(2));
    summary[`${command}_peak_mb`] = Math.round(median(runs.map((r) => r.treeMb)));
    summary[`${command}_max_rss_mb`] = Math.round(median(runs.map((r) => r.maxRssMb)));
    summary[`${command}_budget_mb`] = BUDGET_MB[command as keyof typeof BUDGET_MB] ?? 0;
  }
  summary.load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  if (!keep) rmSync(dir, { recursive: true, force: true });
  const main = commands.includes('analyze') ? 'analyze' : commands[0];
  summary.rss_ratio = Number(
    (Number(summary[`${main}_peak_mb`]) / BUDGET_MB[main as keyof typeof BUDGET_MB]).toFixed(3),
  );
  printSummary('memory', seconds[main], main === 'analyze' ? BUDGET_S : Number.NaN, summary);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
