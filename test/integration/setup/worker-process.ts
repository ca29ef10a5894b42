// Real `line-rca worker` processes (from the build) for tests that run analyses on Temporal.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const bin = path.join(__dirname, '..', '..', '..', 'bin', 'line-rca.js');

/** Starts a worker on `taskQueue`; resolves once it says it is ready. */
export function startWorker(
  env: NodeJS.ProcessEnv,
  taskQueue: string,
  concurrency: number,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [bin, 'worker', '--task-queue', taskQueue, '--concurrency', String(concurrency)],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
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
