/**
 * A small pool of worker threads running named compute tasks (see `tasks.ts`) off the main
 * thread, so a Temporal worker keeps heartbeating while trials train side by side. The threads
 * run analysis functions only (no DuckDB, no file): a thread can be stopped at any moment.
 *
 *   const pool = new ComputePool({ size: 2 });
 *   const outcome = await pool.run('fit-trial', { data, trial }, {
 *     onProgress: (point) => point.value < 0.5,   // false asks the task to stop
 *   });
 *   await pool.close();
 *
 * Inputs are structured-cloned; list buffers in `transfer` to move them instead, or share a
 * dataset once (`compute/shared.ts`) so every task reads the same memory.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidInputError, unknownName } from '../analysis/errors';
import { reviveError } from './errors';
import type { TaskReply, TaskRequest } from './messages';
import { type TaskInput, type TaskName, type TaskOutput, type TaskProgress, tasks } from './tasks';
import { assertCurrentBuild, startThread } from './thread';

export interface RunOptions<P> {
  /** Buffers of the input to move to the worker (they become unusable in the caller). */
  readonly transfer?: readonly ArrayBuffer[];
  /** Each intermediate message of the task; return `false` to ask the task to stop early. */
  readonly onProgress?: (message: P) => boolean | undefined;
}

export interface PoolOptions {
  /** Number of worker threads; default: available cores minus one, at least 1. */
  readonly size?: number;
  /** A JavaScript worker script instead of `compute/worker` (tests). */
  readonly workerEntry?: string;
}

interface Job {
  readonly request: TaskRequest;
  readonly transfer: readonly ArrayBuffer[];
  readonly onProgress?: (message: unknown) => boolean | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | null;
}

export class ComputePool {
  readonly size: number;
  private readonly entry: string | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? Math.max(1, os.availableParallelism() - 1);
    if (!Number.isInteger(size) || size < 1) {
      throw new InvalidInputError({
        where: 'size',
        message: `pool size must be an integer >= 1, got ${size}`,
      });
    }
    this.size = size;
    this.entry = options.workerEntry;
    // A build older than the sources is refused here, before any task is queued.
    if (!this.entry) assertCurrentBuild();
  }

  /** Runs task `name` on the next free thread; resolves with its result. */
  run<N extends TaskName>(
    name: N,
    input: TaskInput<N>,
    options: RunOptions<TaskProgress<N>> = {},
  ): Promise<TaskOutput<N>> {
    if (this.closed) return Promise.reject(new Error('compute: the pool is closed'));
    if (!Object.hasOwn(tasks, name)) {
      return Promise.reject(
        new InvalidInputError({
          where: 'task',
          message: unknownName('compute task', name, Object.keys(tasks)),
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        request: { id: this.nextId++, task: name, input, stop: new SharedArrayBuffer(4) },
        transfer: options.transfer ?? [],
        onProgress: options.onProgress as ((m: unknown) => boolean | undefined) | undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  /** Threads running now (started by `start` or by tasks, up to `size`). */
  get threads(): number {
    return this.slots.length;
  }

  /**
   * Starts every thread now rather than at its first task: a thread loads its modules (the
   * DuckDB binding among them) in about half a second, which a long-lived worker should spend
   * before the first trial arrives, not during it.
   */
  start(): void {
    if (this.closed) return;
    while (this.slots.length < this.size) this.spawn();
  }

  /**
   * Rejects the queued tasks and stops every thread, running tasks included, and resolves once
   * they have all exited. The threads are referenced meanwhile: an idle thread is not, and the
   * process must not end (as if the command had finished) while one is still stopping.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('compute: the pool was closed'));
    const stopping = this.slots.splice(0).map((s) => {
      s.worker.ref();
      s.job?.reject(new Error('compute: the pool was closed'));
      return s.worker.terminate();
    });
    await Promise.all(stopping);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // a running task keeps the process alive
      slot.worker.postMessage(job.request, [...job.transfer]);
    }
  }

  private spawn(): Slot {
    const worker = this.entry ? new Worker(this.entry) : startThread('worker');
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: TaskReply) => {
      const job = slot.job;
      if (!job || reply.id !== job.request.id) return;
      if (reply.kind === 'progress') {
        if (job.onProgress?.(reply.message) === false) Atomics.store(new Int32Array(job.request.stop), 0, 1);
        return;
      }
      slot.job = null;
      slot.worker.unref();
      if (reply.kind === 'done') job.resolve(reply.value);
      else job.reject(reviveError(reply.error));
      this.dispatch();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      slot.job?.reject(error);
      slot.job = null;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (error) => fail(error));
    worker.on('exit', (code) => {
      if (!this.closed)
        fail(new Error(`compute: a worker thread exited (code ${code}) while running a task`));
    });
    // Idle threads must not keep the process alive.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
