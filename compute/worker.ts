/**
 * Entry point of a compute worker thread: runs the named task of each request and posts back
 * progress messages, then the result (its buffers transferred) or the error.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from './errors';
import type { TaskReply, TaskRequest } from './messages';
import type { TaskContext, TaskResult } from './task';
import { type TaskName, tasks } from './tasks';

type AnyTask = (input: unknown, context: TaskContext) => TaskResult<unknown> | Promise<TaskResult<unknown>>;

const port = parentPort;
if (!port) throw new Error('compute/worker.js must run in a worker thread');

port.on('message', async (request: TaskRequest) => {
  const stop = new Int32Array(request.stop);
  const context: TaskContext = {
    progress: (message) =>
      port.postMessage({ id: request.id, kind: 'progress', message } satisfies TaskReply),
    stopRequested: () => Atomics.load(stop, 0) === 1,
  };
  try {
    const task = tasks[request.task as TaskName] as unknown as AnyTask | undefined;
    if (!task) throw new Error(`unknown compute task ${JSON.stringify(request.task)}`);
    const result = await task(request.input, context);
    port.postMessage({ id: request.id, kind: 'done', value: result.value } satisfies TaskReply, [
      ...(result.transfer ?? []),
    ]);
  } catch (e) {
    port.postMessage({ id: request.id, kind: 'error', error: serializeError(e) } satisfies TaskReply);
  }
});
