/** `line-rca worker [--task-queue Q] [--concurrency N]`: a Temporal worker for analyses. */
import os from 'node:os';
import { InvalidInputError } from '../analysis/errors';
import { temporalSettings } from '../connectors/temporal';
import { runWorker } from '../workers/worker';
import { trialTaskQueue } from '../workflows/queues';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand, TASK_QUEUE_OPTION } from './options';

export function positiveInteger(text: string | undefined, where: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError({
      where,
      message: `must be a positive integer, got ${JSON.stringify(text)}`,
    });
  return n;
}

export const workerSpec = {
  name: 'worker',
  usage: ['worker [--task-queue Q] [--concurrency N]'],
  description:
    'A Temporal worker (TEMPORAL_ADDRESS): runs analyses and their stages from the task queue Q, and\n' +
    'trials from Q-trials on worker threads. SIGTERM or Ctrl-C stop it after the running activities.',
  options: {
    'task-queue': TASK_QUEUE_OPTION,
    concurrency: {
      type: 'string',
      value: 'N',
      description: 'trials trained at once on worker threads (default: cores - 1)',
    },
  },
} as const satisfies CommandSpec;

export async function workerCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(workerSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  const settings = temporalSettings(process.env, values['task-queue']);
  const concurrency = positiveInteger(
    values.concurrency,
    '--concurrency',
    Math.max(1, os.availableParallelism() - 1),
  );
  io.stderr(
    `line-rca worker: connecting to ${settings.address} (namespace ${settings.namespace}), task queues ${settings.taskQueue} and ${trialTaskQueue(settings.taskQueue)}, ${concurrency} trial(s) at a time\n`,
  );
  await runWorker({
    ...settings,
    concurrency,
    onReady: () =>
      io.stderr('line-rca worker: ready; Ctrl-C or SIGTERM stops it after the running activities\n'),
  });
  io.stderr('line-rca worker: stopped\n');
  return 0;
}
