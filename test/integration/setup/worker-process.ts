// Real `line-rca worker` processes (from the build) for tests that run analyses on Temporal, and
// other `line-rca` commands as processes of their own.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const bin = path.join(__dirname, '..', '..', '..', 'bin', 'line-rca.js');

/** Every process started here and still running: `stopAll` ends them (a test file's `afterAll`). */
const started = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Starts a worker on `taskQueue`; resolves once it says it is ready. */
export function startWorker(
  env: NodeJS.ProcessEnv,
  taskQueue: string,
  concurrency: number,
  options: { cwd?: string } = {},
): Promise<ChildProcess> {
  const child = track(
    spawn(
      process.execPath,
      [bin, 'worker', '--task-queue', taskQueue, '--concurrency', String(concurrency)],
      {
        env,
        cwd: options.cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (text.length < 100_000) text += chunk.toString();
      if (text.includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${text}`)));
  });
}

export function stopWorker(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function stopAll(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all([...started].map((child) => stopWorker(child, signal)));
}

export interface CommandRun {
  readonly child: ChildProcess;
  /** What the command wrote so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string; seconds: number }>;
}

/** `line-rca ...args` as a process of its own. */
export function runCommand(args: readonly string[], env: NodeJS.ProcessEnv): CommandRun {
  const begun = Date.now();
  const child = track(spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string; seconds: number }>(
    (resolve) =>
      child.once('close', (status) =>
        resolve({ status, stdout: out, stderr: err, seconds: (Date.now() - begun) / 1000 }),
      ),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}
