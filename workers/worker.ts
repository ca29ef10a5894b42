/**
 * The Temporal worker: runs `analyzeLine` workflows and every stage as an activity. Trials run
 * on worker threads (`--concurrency` of them side by side), so the event loop stays free and
 * every activity heartbeats while it works. Input problems become non-retryable failures whose
 * message reaches the Temporal UI. SIGINT / SIGTERM shut it down gracefully: running activities
 * finish, nothing new starts.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type Activities, createActivities } from '../activities';
import type { StageContext } from '../activities/progress';
import { isInvalidInput } from '../analysis/errors';
import { ComputePool } from '../compute/pool';
import { type TemporalSettings, TemporalUnavailableError } from '../connectors/temporal';
import { trialTaskQueue } from '../workflows/queues';

type ActivityFunction = (input: never, context?: StageContext) => Promise<unknown>;

/** How often a running activity tells Temporal it is alive (the timeout is 20 s: workflows/analyze-line.ts). */
const HEARTBEAT_MS = 5_000;
/** A stage that holds the event loop this long comes close to missing its heartbeat timeout: say so. */
const BLOCKED_WARNING_MS = 10_000;

function asActivity<F extends ActivityFunction>(name: string, stage: F): F {
  const wrapped = async (input: never) => {
    const context = Context.current();
    let details: { done: number; total: number; unit: string } | undefined;
    let last = Date.now();
    // The beat comes from the stage's own event loop: a stage that holds the loop (or a dead
    // worker) stops beating, and Temporal retries it elsewhere after the heartbeat timeout.
    const beat = setInterval(() => {
      const now = Date.now();
      if (now - last > HEARTBEAT_MS + BLOCKED_WARNING_MS) {
        context.log.warn(
          `${name} held the event loop for ${((now - last) / 1000).toFixed(1)} s without a heartbeat`,
        );
      }
      last = now;
      context.heartbeat(details);
    }, HEARTBEAT_MS);
    // How far the stage has gone travels with the heartbeats (the Temporal UI shows it).
    const step = (done: number, total: number, unit: string) => {
      details = { done, total, unit };
    };
    try {
      // A cancelled analysis stops waiting for its stages (the heartbeat delivers the cancellation).
      return await Promise.race([stage(input, { step }), context.cancelled]);
    } catch (error) {
      if (isInvalidInput(error)) {
        throw ApplicationFailure.create({
          type: 'InvalidInput',
          message: `${name}: ${error.message}`,
          nonRetryable: true,
          details: [error.problems],
        });
      }
      throw error;
    } finally {
      clearInterval(beat);
    }
  };
  return wrapped as F;
}

/** The stages as activities: each heartbeats, and input problems fail it for good. */
export function workerActivities(activities: Activities): Activities {
  const out: Record<string, ActivityFunction> = {};
  for (const [name, stage] of Object.entries(activities))
    out[name] = asActivity(name, stage as ActivityFunction);
  return out as unknown as Activities;
}

export interface WorkerOptions extends TemporalSettings {
  /** Trials trained at the same time on this worker (worker threads). */
  readonly concurrency: number;
  readonly onReady?: () => void;
}

let runtimeInstalled = false;

export async function runWorker(options: WorkerOptions): Promise<void> {
  if (!runtimeInstalled) {
    // The SDK's INFO lines (state changes, the bundler's module list) would bury ours.
    Runtime.install({
      logger: new DefaultLogger((process.env.LINE_RCA_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'),
    });
    runtimeInstalled = true;
  }
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: options.address });
  } catch (error) {
    throw new TemporalUnavailableError(options.address, error);
  }
  const compute = new ComputePool({ size: options.concurrency });
  compute.start();
  try {
    // The worker's own stages: its threads, and the learning data its trials share.
    const staged = workerActivities(createActivities({ compute }));
    const analyses = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: staged,
      // the stages other than trials: mostly I/O, a few analyses side by side
      maxConcurrentActivityTaskExecutions: options.concurrency + 4,
    });
    // One slot per trial thread: a trial this worker takes starts at once (workflows/queues.ts).
    const trials = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: trialTaskQueue(options.taskQueue),
      activities: { searchTrial: staged.searchTrial },
      maxConcurrentActivityTaskExecutions: options.concurrency,
    });
    options.onReady?.();
    await runTogether([analyses, trials]);
  } finally {
    await compute.close();
    await connection.close();
  }
}

/**
 * Runs the workers until all have stopped (SIGINT / SIGTERM stop them all, through the SDK's
 * runtime); one failing shuts the others down, and its error is the outcome.
 */
async function runTogether(workers: readonly Worker[]): Promise<void> {
  const outcomes = await Promise.allSettled(
    workers.map((worker) =>
      worker.run().catch((error: unknown) => {
        for (const other of workers) if (other !== worker && other.getState() === 'RUNNING') other.shutdown();
        throw error;
      }),
    ),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
