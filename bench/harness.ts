/**
 * Shared pieces of the benchmarks: timing, medians, the Python reference run in the same
 * process tree, and the one-JSON-line summary every benchmark prints last.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** The value after `--name` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `repeats` times and returns every duration in seconds and the last result. */
export async function timeRepeated<T>(
  repeats: number,
  fn: () => T | Promise<T>,
): Promise<{ seconds: number[]; result: T }> {
  const seconds: number[] = [];
  let result: T | undefined;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds, result: result as T };
}

/** The Python interpreter for references: `LINE_RCA_PYTHON`, else `python3`. */
export function pythonExecutable(): string {
  return process.env.LINE_RCA_PYTHON ?? 'python3';
}

/**
 * Runs `bench/<script>` with Python; the script prints one JSON object on its last stdout line.
 * Its stderr passes through so the reader sees the reference's own progress.
 */
export function runPythonReference<T>(script: string, args: readonly string[]): T {
  const run = spawnSync(pythonExecutable(), [path.join(repoRoot, 'bench', script), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(
      `reference ${script} failed (exit ${run.status}); install it with: pip install -r bench/requirements.txt`,
    );
  }
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Prints the summary line the benchmark contract asks for: last, one JSON object. */
export function printSummary(
  bench: string,
  oursSeconds: number,
  referenceSeconds: number,
  extra: Record<string, number | string> = {},
): void {
  const round = (x: number) => Number(x.toPrecision(4));
  console.log(
    JSON.stringify({
      bench,
      ours_s: round(oursSeconds),
      reference_s: round(referenceSeconds),
      ratio: round(oursSeconds / referenceSeconds),
      ...extra,
    }),
  );
}

/** A child process's output and exit status once it has ended (spawned with piped stdout, stderr). */
export function collectOutput(
  child: ChildProcess,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The environment of a command run on its own: its files under `dir`, no MongoDB, no MLflow. */
export function standaloneEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LINE_RCA_ARTIFACTS: path.join(dir, 'artifacts'),
    LINE_RCA_TRACKING_DIR: path.join(dir, 'tracking'),
    MONGODB_URI: '',
    MLFLOW_TRACKING_URI: '',
  };
}
