/**
 * Analysis time against issue #21's budgets, through the real command with `--profile`:
 * - `wide`: `line-rca analyze` with the default settings on a line of 5,000 variables × 300
 *   minute rows (the generator of test/integration/wide-line.test.ts: `v0000` drives the defect,
 *   the others are hash noise), budget 60 s;
 * - `demo`: `line-rca demo` (30 days, 30 trials), budget 8 s of analysis.
 * Each run is its own process; reported per command: the median over the runs of the analysis'
 * time (`--profile`'s total: the analysis, without the process start or the demo's data
 * generation), of the process's wall time and of its CPU time (GNU time, user + system), and
 * the first variable of both rankings in every run. The load average is printed with every run.
 *
 * The reference is the budget, not another program: `ours_s` / `reference_s` / `ratio` are the
 * first command's median analysis time, its budget and their ratio.
 *
 *   npm run bench -- analysis-time [--commands wide,demo] [--repeats 3] [--variables 5000] [--rows 300]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, collectOutput, median, printSummary, repoRoot, standaloneEnv } from './harness';

const BUDGET_S: Record<string, number> = { wide: 60, demo: 8 };

/** The wide line of test/integration/wide-line.test.ts, and a configuration with the defaults. */
function writeWideLine(dir: string, variables: number, rows: number): string {
  const names = Array.from({ length: variables }, (_, j) => `v${String(j).padStart(4, '0')}`);
  const lines = [`time,${names.join(',')},defect`];
  for (let i = 0; i < rows; i++) {
    const values = names.map((_, j) =>
      j === 0 ? 200 + 10 * Math.sin(i / 9) : ((i * 7919 + j * 104729) % 10007) / 10007,
    );
    const time = new Date(Date.parse('2026-10-01T00:00:00Z') + i * 60_000).toISOString();
    lines.push(`${time},${values.map((v) => v.toFixed(4)).join(',')},${values[0] > 208 ? 1 : 0}`);
  }
  writeFileSync(path.join(dir, 'wide.csv'), `${lines.join('\n')}\n`);
  const config = path.join(dir, 'wide.json');
  writeFileSync(
    config,
    JSON.stringify({
      name: 'wide line',
      line: 'wide',
      source: { kind: 'file', path: 'wide.csv' },
      target: 'defect == 1',
    }),
  );
  return config;
}

interface Run {
  readonly status: number | null;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** `--profile`'s total. */
  readonly analysisSeconds: number;
  readonly first: string;
}

async function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const gnuTime = existsSync('/usr/bin/time');
  const bin = path.join(repoRoot, 'bin', 'line-rca.js');
  const argv = [bin, ...args, '--profile', '--json'];
  const t0 = process.hrtime.bigint();
  const child = spawn(
    gnuTime ? '/usr/bin/time' : process.execPath,
    gnuTime ? ['-f', 'cpu %U %S', process.execPath, ...argv] : argv,
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { status, stdout, stderr } = await collectOutput(child);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (status !== 0) process.stderr.write(stderr.slice(-4000));
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  const total = /^\s*total\s+([\d.]+) s/m.exec(stderr);
  let first = '';
  try {
    const doc = JSON.parse(stdout) as {
      distribution?: { variable: string }[];
      importance?: { variable: string }[];
    };
    first = `${doc.distribution?.[0]?.variable ?? '-'}/${doc.importance?.[0]?.variable ?? '-'}`;
  } catch {
    // no document: the status says why
  }
  return {
    status,
    wallSeconds,
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN,
    analysisSeconds: total ? Number(total[1]) : Number.NaN,
    first,
  };
}

async function main(): Promise<void> {
  const commands = arg('commands', 'wide,demo').split(',');
  const repeats = Number(arg('repeats', '3'));
  const variables = Number(arg('variables', '5000'));
  const rows = Number(arg('rows', '300'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'line-rca-analysis-time-'));
  const env = standaloneEnv(dir);
  const argsOf: Record<string, () => string[]> = {
    wide: () => [
      'analyze',
      '--config',
      writeWideLine(dir, variables, rows),
      '--out',
      path.join(dir, 'wide-out'),
    ],
    demo: () => ['demo', '--out', path.join(dir, 'demo-out')],
  };
  const summary: Record<string, number | string> = { repeats, variables, rows };
  const analysis: Record<string, number> = {};
  const load = () => os.loadavg()[0].toFixed(2);
  try {
    for (const command of commands) {
      if (!argsOf[command]) throw new Error(`unknown command ${command} (wide, demo)`);
      const args = argsOf[command]();
      const runs: Run[] = [];
      for (let r = 0; r < repeats; r++) {
        const before = load();
        const done = await run(args, env);
        if (done.status !== 0) throw new Error(`${command} exited ${done.status}`);
        console.error(
          `analysis-time: ${command} run ${r + 1}: analysis ${done.analysisSeconds.toFixed(1)} s, process ${done.wallSeconds.toFixed(1)} s wall, ${done.cpuSeconds.toFixed(1)} s CPU, first ${done.first}, load ${before}→${load()}`,
        );
        runs.push(done);
        rmSync(path.join(dir, 'artifacts'), { recursive: true, force: true });
      }
      analysis[command] = median(runs.map((r) => r.analysisSeconds));
      summary[`${command}_analysis_s`] = Number(analysis[command].toFixed(2));
      summary[`${command}_wall_s`] = Number(median(runs.map((r) => r.wallSeconds)).toFixed(2));
      summary[`${command}_cpu_s`] = Number(median(runs.map((r) => r.cpuSeconds)).toFixed(2));
      summary[`${command}_budget_s`] = BUDGET_S[command];
      summary[`${command}_first`] = [...new Set(runs.map((r) => r.first))].join(' | ');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  summary.load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  printSummary('analysis-time', analysis[commands[0]], BUDGET_S[commands[0]], summary);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
