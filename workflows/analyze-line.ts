/**
 * `analyzeLine`: the analysis as a durable Temporal workflow. It runs the same plan as the
 * embedded runner (pipeline/plan.ts) with every stage an activity: trials run up to
 * `search.parallelism` at a time on any worker (on the trial queue, workflows/queues.ts) and are
 * told back in the order they were asked (pipeline/plan.ts); a finished
 * trial is in the history, so a crashed worker never makes it run again.
 */
import {
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type PipelineResult, runPipeline, type Stages } from '../pipeline/plan';
import { STORAGE_RETRY } from '../pipeline/storage-retry';
import { trialTaskQueue } from './queues';

export interface AnalyzeLineInput {
  /** A configuration document, or `configId` to read it from MongoDB. */
  readonly config?: unknown;
  readonly configId?: string;
  /** Folder a relative `source.path` is relative to, on the workers' machines. */
  readonly baseDir?: string;
}

export interface AnalysisProgress {
  readonly stage: string;
  readonly trialsDone: number;
  readonly trialsTotal: number;
  readonly bestValue: number | null;
  /** The search's estimated time left, in seconds (null before the first trial is told). */
  readonly secondsLeft?: number | null;
}

export const progressQuery = defineQuery<AnalysisProgress>('progress');

// Every activity heartbeats (workers/worker.ts), so a crashed worker's activities are retried
// elsewhere 20 s after its last heartbeat, not after their whole start-to-close time.
const INVALID = ['InvalidInput'];
const HEARTBEAT = '20 seconds';
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT,
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: INVALID },
});
const heavy = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: HEARTBEAT,
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: INVALID },
});
/** The stages that reach MongoDB outlast an outage (pipeline/storage-retry.ts). */
const storage = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT,
  scheduleToCloseTimeout: `${STORAGE_RETRY.totalMinutes} minutes`,
  // No maximum of attempts: the schedule-to-close timeout ends the retries.
  retry: {
    initialInterval: `${STORAGE_RETRY.initialSeconds} second`,
    backoffCoefficient: STORAGE_RETRY.backoffCoefficient,
    maximumInterval: `${STORAGE_RETRY.maximumIntervalSeconds} seconds`,
    nonRetryableErrorTypes: [...INVALID, 'ResultsTooLargeError'],
  },
});
const tracking = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT,
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: INVALID },
});

/** The stages; trials on the trial queue that goes with the analysis's (workflows/queues.ts). */
const stagesOn = (taskQueue: string): Stages => ({
  prepare: storage.prepare,
  extract: heavy.extract,
  aggregate: heavy.aggregate,
  distribution: heavy.distribution,
  rules: heavy.rules,
  searchTrial: proxyActivities<Activities>({
    taskQueue: trialTaskQueue(taskQueue),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: HEARTBEAT,
    retry: { maximumAttempts: 3, initialInterval: '1 second', nonRetryableErrorTypes: INVALID },
  }).searchTrial,
  evaluate: heavy.evaluate,
  explain: heavy.explain,
  stability: heavy.stability,
  compose: storage.compose,
  persist: storage.persist,
  report: heavy.report,
  discard: quick.discard,
  trackStart: tracking.trackStart,
  trackTrial: tracking.trackTrial,
  trackFinish: tracking.trackFinish,
  alert: quick.alert,
});

export async function analyzeLine(input: AnalyzeLineInput): Promise<PipelineResult> {
  let progress: AnalysisProgress = { stage: 'prepare', trialsDone: 0, trialsTotal: 0, bestValue: null };
  setHandler(progressQuery, () => progress);
  return runPipeline(
    stagesOn(workflowInfo().taskQueue),
    // The workflow id names the analysis (activities/analysis-id.ts): a night's scheduled run is
    // one analysis, whoever retries it, and two workflows are never one analysis.
    { ...input, analysisId: workflowInfo().workflowId },
    {
      now: () => Date.now(),
      stage: (name) => {
        progress = { ...progress, stage: name };
      },
      trial: (search) => {
        progress = {
          ...progress,
          trialsDone: search.done,
          trialsTotal: search.total,
          bestValue: search.best?.value ?? null,
          secondsLeft: search.secondsLeft,
        };
      },
      isCancellation,
      nonCancellable: (work) => CancellationScope.nonCancellable(work),
    },
  );
}
