/**
 * The host's Temporal worker: its own workflow and activity, and line-rca's workflow and
 * stages, on the host's task queue; line-rca's trials on the trial queue that goes with it.
 *
 *   TEMPORAL_ADDRESS=127.0.0.1:7233 TASK_QUEUE=plant-jobs node dist/worker.js
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { ComputePool, createActivities, trialTaskQueue } from 'line-rca';
import * as hostActivities from './activities';

export interface HostWorkerOptions {
  readonly address: string;
  readonly taskQueue: string;
  /** line-rca trials trained side by side (worker threads). */
  readonly concurrency?: number;
}

export interface HostWorker {
  /** Runs until `shutdown` (or SIGINT / SIGTERM), then releases the threads and the connection. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createHostWorker(options: HostWorkerOptions): Promise<HostWorker> {
  const connection = await NativeConnection.connect({ address: options.address });
  const compute = new ComputePool({ size: options.concurrency ?? 2 });
  const rca = createActivities({ compute });
  const jobs = await Worker.create({
    connection,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: { ...rca, ...hostActivities },
  });
  const trials = await Worker.create({
    connection,
    taskQueue: trialTaskQueue(options.taskQueue),
    activities: { searchTrial: rca.searchTrial },
    maxConcurrentActivityTaskExecutions: compute.size,
  });
  return {
    async run() {
      try {
        await Promise.all([jobs.run(), trials.run()]);
      } finally {
        await compute.close();
        await connection.close();
      }
    },
    shutdown() {
      jobs.shutdown();
      trials.shutdown();
    },
  };
}

if (require.main === module) {
  createHostWorker({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    taskQueue: process.env.TASK_QUEUE ?? 'plant-jobs',
  })
    .then((worker) => worker.run())
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
