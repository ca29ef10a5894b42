/**
 * What an analysis logs to MLflow, and the journal that makes it durable.
 *
 * A parent run per analysis (configuration summary as params, data figures and best validation
 * metrics, the artifacts) and a nested run per search trial (`mlflow.parentRunId`; learner and
 * parameters as params; the validation score per boosting round as a metric with steps; the
 * final value; FINISHED, KILLED when pruned, FAILED).
 *
 * Every operation is first appended to a journal (tracking/journal.ts), then applied
 * (tracking/replay.ts), then marked done. When MLflow cannot be reached the analysis goes on:
 * operations stay pending in the journal and `line-rca tracking flush` applies them later, in
 * order, exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { TrialState } from '../analysis/results';
import {
  type KeyValue,
  type Metric,
  MlflowClient,
  type MlflowSettings,
  mlflowSettingsFromEnv,
  type RunStatus,
} from './mlflow';
import {
  ANALYSIS_KEY,
  Journal,
  type JournalEntry,
  statusOf,
  type TrackingOp,
  type TrackingStatus,
  trackingDirFromEnv,
} from './tracking/journal';
import { ANALYSIS_TAG, plainUri, Replayer, type ReplayResult } from './tracking/replay';

export * from './tracking/journal';
export * from './tracking/replay';

// ---------------------------------------------------------------------------------------------
// What the pipeline tells the tracker.

export type ParamValue = string | number | boolean | null | undefined | readonly unknown[] | object;

export interface AnalysisSummary {
  /** The analysis (results document) id. */
  id: string;
  name: string;
  line: string;
  /** Configuration summary; nested objects are flattened to dotted keys. */
  params?: Record<string, ParamValue>;
  /** Data figures (rows, positives, variables, features…). */
  metrics?: Record<string, number>;
  startedAt?: string | number;
}

export interface TrialLog {
  number: number;
  learner: string;
  params: Record<string, ParamValue>;
  /** Validation score per boosting round (or iteration). */
  intermediate?: readonly { step: number; value: number }[];
  value: number | null;
  state: TrialState;
  /** Name of the validation metric, e.g. `auc` (default `score`). */
  metric?: string;
  startedAt?: string | number;
  finishedAt?: string | number;
}

export interface AnalysisOutcome {
  /** Best validation metrics and any other final figures. */
  metrics?: Record<string, number>;
  /** Artifact name (`results.json`, `report.html`, `model.onnx`, `model.json`) → local file. */
  artifacts?: Record<string, string>;
  status?: 'complete' | 'failed' | 'cancelled';
  finishedAt?: string | number;
  /** Run tags set at the end (what changed since the last run). */
  tags?: Record<string, string>;
}

export interface Tracker {
  readonly enabled: boolean;
  startAnalysis(summary: AnalysisSummary): Promise<void>;
  logTrial(trial: TrialLog): Promise<void>;
  finishAnalysis(outcome: AnalysisOutcome): Promise<TrackingStatus>;
  /** Waits for every queued operation to be journaled (and applied, when MLflow answers). */
  settle(): Promise<void>;
  status(): TrackingStatus;
  pendingRuns(): string[];
}

// ---------------------------------------------------------------------------------------------
// Trackers.

export interface TrackerOptions {
  analysisId: string;
  line: string;
  /** `tracking.experiment` of the configuration; else `MLFLOW_EXPERIMENT_NAME`; else `line-rca/<line>`. */
  experiment?: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides the settings from the environment (tests). */
  settings?: MlflowSettings;
  journalDir?: string;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
}

/** A tracker when `MLFLOW_TRACKING_URI` is set (or settings are given), a no-op one otherwise. */
export function createTracker(options: TrackerOptions): Tracker {
  const env = options.env ?? process.env;
  const settings = options.settings ?? mlflowSettingsFromEnv(env);
  if (!settings) return new NoopTracker();
  const experiment = options.experiment ?? settings.experimentName ?? `line-rca/${options.line}`;
  return new MlflowTracker({
    // An analysis must not wait long on an MLflow that hangs: fewer, shorter tries than a flush.
    client: new MlflowClient({ timeoutMs: 10_000, retries: 2, ...settings }),
    analysisId: options.analysisId,
    experimentName: experiment,
    journal: Journal.forAnalysis(options.journalDir ?? trackingDirFromEnv(env), options.analysisId),
    warn: options.warn ?? ((m) => process.stderr.write(`tracking: ${m}\n`)),
  });
}

export class NoopTracker implements Tracker {
  readonly enabled = false;
  async startAnalysis(): Promise<void> {}
  async logTrial(): Promise<void> {}
  async finishAnalysis(): Promise<TrackingStatus> {
    return { pending: [] };
  }
  async settle(): Promise<void> {}
  status(): TrackingStatus {
    return { pending: [] };
  }
  pendingRuns(): string[] {
    return [];
  }
}

/** Drains at the end of an analysis, while each applies something (an MLflow that fails now and then). */
const FINISH_ROUNDS = 5;
/** The end of an analysis waits longer for a journal another process is applying: it is the last chance. */
const FINISH_LOCK_WAIT_MS = 60_000;

const RUN_STATUS: Record<TrialState, RunStatus | undefined> = {
  complete: 'FINISHED',
  pruned: 'KILLED',
  failed: 'FAILED',
  running: undefined,
};

const ANALYSIS_STATUS: Record<NonNullable<AnalysisOutcome['status']>, RunStatus> = {
  complete: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
};

function toMillis(time: string | number | undefined, fallback: number): number {
  if (time === undefined) return fallback;
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return Number.isFinite(ms) ? ms : fallback;
}

/** Nested values as dotted keys; arrays and other values as text (MLflow params are text). */
export function flattenParams(values: Record<string, ParamValue>, prefix = ''): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [k, v] of Object.entries(values)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...flattenParams(v as Record<string, ParamValue>, key));
    } else {
      out.push({ key, value: typeof v === 'string' ? v : JSON.stringify(v) });
    }
  }
  return out;
}

function metricsOf(values: Record<string, number> | undefined, timestamp: number, prefix = ''): Metric[] {
  return Object.entries(values ?? {})
    .filter(([, v]) => typeof v === 'number')
    .map(([key, value]) => ({ key: prefix + key, value, timestamp, step: 0 }));
}

export class MlflowTracker implements Tracker {
  readonly enabled = true;
  readonly journal: Journal;
  private readonly client: MlflowClient;
  private readonly analysisId: string;
  private readonly experimentName: string;
  private readonly warn: (message: string) => void;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once MLflow could not be reached: the rest of the analysis is only journaled. */
  private offline = false;
  private headerWritten = false;
  private lastStatus: TrackingStatus = { pending: [] };

  constructor(input: {
    client: MlflowClient;
    analysisId: string;
    experimentName: string;
    journal: Journal;
    warn: (message: string) => void;
  }) {
    this.client = input.client;
    this.analysisId = input.analysisId;
    this.experimentName = input.experimentName;
    this.journal = input.journal;
    this.warn = input.warn;
  }

  startAnalysis(summary: AnalysisSummary): Promise<void> {
    const now = Date.now();
    const startTime = toMillis(summary.startedAt, now);
    return this.record([
      {
        kind: 'createRun',
        key: ANALYSIS_KEY,
        experimentName: this.experimentName,
        runName: summary.name,
        startTime,
        tags: [
          { key: 'mlflow.runName', value: summary.name },
          { key: 'mlflow.source.name', value: 'line-rca' },
          { key: 'mlflow.source.type', value: 'LOCAL' },
          { key: ANALYSIS_TAG, value: summary.id },
          { key: 'line_rca.line', value: summary.line },
        ],
      },
      {
        kind: 'logBatch',
        key: ANALYSIS_KEY,
        batch: {
          params: flattenParams(summary.params ?? {}),
          metrics: metricsOf(summary.metrics, now, 'data.'),
          tags: [],
        },
      },
    ]);
  }

  logTrial(trial: TrialLog): Promise<void> {
    const now = Date.now();
    const key = `trial-${trial.number}`;
    const metric = `validation_${trial.metric ?? 'score'}`;
    const metrics: Metric[] = (trial.intermediate ?? []).map((p) => ({
      key: metric,
      value: p.value,
      timestamp: now,
      step: p.step,
    }));
    if (trial.value !== null && trial.value !== undefined) {
      metrics.push({ key: 'value', value: trial.value, timestamp: now, step: 0 });
    }
    const ops: TrackingOp[] = [
      {
        kind: 'createRun',
        key,
        parentKey: ANALYSIS_KEY,
        experimentName: this.experimentName,
        runName: `trial ${trial.number} (${trial.learner})`,
        startTime: toMillis(trial.startedAt, now),
        tags: [
          { key: 'mlflow.runName', value: `trial ${trial.number} (${trial.learner})` },
          { key: 'mlflow.source.name', value: 'line-rca' },
          { key: ANALYSIS_TAG, value: this.analysisId },
          { key: 'line_rca.trial_number', value: String(trial.number) },
          { key: 'line_rca.trial_state', value: trial.state },
        ],
      },
      {
        kind: 'logBatch',
        key,
        batch: {
          params: [{ key: 'learner', value: trial.learner }, ...flattenParams(trial.params)],
          metrics,
          tags: [],
        },
      },
    ];
    const status = RUN_STATUS[trial.state];
    if (status) ops.push({ kind: 'endRun', key, status, endTime: toMillis(trial.finishedAt, now) });
    return this.record(ops);
  }

  async finishAnalysis(outcome: AnalysisOutcome): Promise<TrackingStatus> {
    const now = Date.now();
    await this.enqueue(async () => {
      const ops: { id: string; op: TrackingOp }[] = [];
      const metrics = metricsOf(outcome.metrics, now);
      const tags = Object.entries(outcome.tags ?? {}).map(([key, value]) => ({ key, value }));
      if (metrics.length > 0 || tags.length > 0) {
        ops.push({
          id: randomUUID(),
          op: { kind: 'logBatch', key: ANALYSIS_KEY, batch: { metrics, params: [], tags } },
        });
      }
      for (const [name, file] of Object.entries(outcome.artifacts ?? {})) {
        const id = randomUUID();
        let kept: string;
        try {
          kept = await this.journal.keepFile(id, name, file);
        } catch (error) {
          this.warn(`artifact ${name} (${file}) cannot be read, not logged: ${(error as Error).message}`);
          continue;
        }
        ops.push({ id, op: { kind: 'uploadArtifact', key: ANALYSIS_KEY, name, file: kept } });
      }
      ops.push({
        id: randomUUID(),
        op: {
          kind: 'endRun',
          key: ANALYSIS_KEY,
          status: ANALYSIS_STATUS[outcome.status ?? 'complete'],
          endTime: toMillis(outcome.finishedAt, now),
        },
      });
      ops.push({
        id: randomUUID(),
        op: { kind: 'reconcile', key: ANALYSIS_KEY, experimentName: this.experimentName },
      });
      await this.appendOps(ops);
      // More tries even when offline: MLflow may be back by the end of the analysis, and what
      // is left now waits for `tracking flush`. Rounds go on while each one gets further.
      for (let round = 0; round < FINISH_ROUNDS; round++) {
        this.offline = false;
        const outcome = await this.drain(FINISH_LOCK_WAIT_MS);
        if (!outcome?.stoppedBy || outcome.applied === 0) break;
      }
    });
    return this.status();
  }

  settle(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  status(): TrackingStatus {
    return { ...this.lastStatus, pending: [...this.lastStatus.pending] };
  }

  pendingRuns(): string[] {
    return [...this.lastStatus.pending];
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private record(ops: TrackingOp[]): Promise<void> {
    return this.enqueue(async () => {
      await this.appendOps(ops.map((op) => ({ id: randomUUID(), op })));
      if (!this.offline) await this.drain();
      else this.lastStatus = statusOf(await this.journal.read());
    });
  }

  private async appendOps(ops: { id: string; op: TrackingOp }[]): Promise<void> {
    const entries: JournalEntry[] = [];
    if (!this.headerWritten) {
      const existing = await this.journal.read();
      if (!existing.analysisId) {
        entries.push({
          t: 'journal',
          analysisId: this.analysisId,
          trackingUri: plainUri(this.client.settings.trackingUri),
          experimentName: this.experimentName,
          createdAt: new Date().toISOString(),
        });
      }
      this.headerWritten = true;
    }
    for (const { id, op } of ops) entries.push({ t: 'op', id, op });
    await this.journal.append(entries);
  }

  /** Applies what is pending; on an outage, goes offline and leaves the rest to `tracking flush`. */
  private async drain(lockWaitMs = 5000): Promise<ReplayResult | undefined> {
    // Another process (a flush, a trial on another worker) may be applying this journal: wait a little.
    const outcome = await this.journal.withLock(async () => {
      const state = await this.journal.read();
      const result = await new Replayer(this.client, this.journal, state).run();
      this.lastStatus = statusOf(state);
      return result;
    }, lockWaitMs);
    if (!outcome) {
      this.lastStatus = statusOf(await this.journal.read());
      return undefined;
    }
    if (outcome.stoppedBy) {
      if (!this.offline) {
        this.warn(
          `${outcome.stoppedBy}; the analysis goes on and ${outcome.pending.length} run(s) stay in ` +
            `${this.journal.path} for \`line-rca tracking flush\``,
        );
      }
      this.offline = true;
    }
    if (outcome.failed > 0) {
      const state = await this.journal.read();
      for (const [, message] of state.failed) this.warn(`MLflow refused an operation: ${message}`);
    }
    return outcome;
  }
}
