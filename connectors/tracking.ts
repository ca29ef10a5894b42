/**
 * What an analysis logs to MLflow, and the journal that makes it durable.
 *
 * A parent run per analysis (configuration summary as params, data figures and best validation
 * metrics, the artifacts) and a nested run per search trial (`mlflow.parentRunId`; learner and
 * parameters as params; the validation score per boosting round as a metric with steps; the
 * final value; FINISHED, KILLED when pruned, FAILED).
 *
 * Every operation is first appended to a journal (JSON lines, one file per analysis under
 * `LINE_RCA_TRACKING_DIR`, default `.data/tracking`), then applied, then marked done. When MLflow
 * cannot be reached the analysis goes on: operations stay pending in the journal and
 * `line-rca tracking flush` applies them later, in order, exactly once:
 * - the journal maps our run keys (`analysis`, `trial-3`) to MLflow run ids;
 * - every run carries the tag `line_rca.run_key`, so a run created just before a crash (before
 *   its id reached the journal) is found again instead of created twice;
 * - metrics carry the timestamp of when they were recorded, and MLflow drops a metric identical
 *   in (key, value, timestamp, step); params and tags are idempotent; artifacts are overwritten.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { TrialState } from '../analysis/results';
import {
  type Batch,
  isMlflowError,
  type KeyValue,
  type Metric,
  MlflowClient,
  MlflowError,
  type MlflowSettings,
  maskSecrets,
  mlflowSettingsFromEnv,
  type RunStatus,
} from './mlflow';

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

export interface TrackingStatus {
  experimentId?: string;
  /** MLflow id of the analysis' parent run, once created. */
  runId?: string;
  /** Our keys of the runs with operations not applied yet (`analysis`, `trial-3`). */
  pending: string[];
  /** Runs whose operations MLflow refused for good (bad request); not retried. */
  failed?: string[];
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
// Journal.

export type TrackingOp =
  | {
      kind: 'createRun';
      key: string;
      parentKey?: string;
      experimentName: string;
      runName: string;
      startTime: number;
      tags: KeyValue[];
    }
  | { kind: 'logBatch'; key: string; batch: Batch }
  | { kind: 'endRun'; key: string; status: RunStatus; endTime: number }
  | { kind: 'uploadArtifact'; key: string; name: string; file: string };

export interface RunRef {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

export type JournalEntry =
  | { t: 'journal'; analysisId: string; trackingUri: string; experimentName?: string; createdAt: string }
  | { t: 'op'; id: string; op: TrackingOp }
  | { t: 'done'; id: string }
  | { t: 'failed'; id: string; error: string }
  | ({ t: 'run'; key: string } & RunRef);

export interface JournalState {
  analysisId?: string;
  trackingUri?: string;
  experimentName?: string;
  ops: { id: string; op: TrackingOp }[];
  done: Set<string>;
  failed: Map<string, string>;
  runs: Map<string, RunRef>;
}

export function trackingDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LINE_RCA_TRACKING_DIR || join(process.cwd(), '.data', 'tracking'));
}

function fileStem(analysisId: string): string {
  const safe = analysisId.replace(/[^\w.-]/g, '_').slice(0, 80);
  // A hash keeps two ids that differ only in unsafe characters apart.
  return safe === analysisId
    ? safe
    : `${safe}-${createHash('sha256').update(analysisId).digest('hex').slice(0, 8)}`;
}

export class Journal {
  readonly path: string;
  readonly filesDir: string;

  constructor(path: string) {
    this.path = path;
    this.filesDir = path.replace(/\.jsonl$/, '.files');
  }

  static forAnalysis(dir: string, analysisId: string): Journal {
    return new Journal(join(dir, `${fileStem(analysisId)}.jsonl`));
  }

  /** Appends entries as whole lines and syncs them to disk before returning. */
  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await mkdir(join(this.path, '..'), { recursive: true });
    const handle = await open(this.path, 'a');
    try {
      // A line cut by a crash is skipped on reading; start ours on a fresh line.
      const { size } = await handle.stat();
      let text = entries.map((e) => JSON.stringify(e)).join('\n');
      text = `${size > 0 && !(await endsWithNewline(this.path, size)) ? '\n' : ''}${text}\n`;
      await handle.appendFile(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async read(): Promise<JournalState> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return parseJournal(text);
  }

  /** Copies a file into the journal's folder so a later flush does not depend on the original. */
  async keepFile(opId: string, name: string, source: string): Promise<string> {
    await mkdir(this.filesDir, { recursive: true });
    const target = join(this.filesDir, `${opId}-${basename(name).replace(/[^\w.-]/g, '_')}`);
    await copyFile(source, target);
    return target;
  }

  /**
   * Runs `work` holding the journal's lock: in this process a queue per journal (trackers of
   * concurrent activities may share one), across processes a `.lock` file with our pid.
   * Returns undefined without running `work` when another live process still holds the file
   * after `waitMs`.
   */
  async withLock<T>(work: () => Promise<T>, waitMs = 0): Promise<T | undefined> {
    const previous = inProcessLocks.get(this.path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chained = previous.then(() => mine);
    inProcessLocks.set(this.path, chained);
    await previous;
    try {
      const lock = `${this.path}.lock`;
      await mkdir(join(this.path, '..'), { recursive: true });
      const deadline = Date.now() + waitMs;
      while (!takeLock(lock)) {
        if (Date.now() >= deadline) return undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
      try {
        return await work();
      } finally {
        try {
          unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      }
    } finally {
      release();
      if (inProcessLocks.get(this.path) === chained) inProcessLocks.delete(this.path);
    }
  }
}

/** Per-journal queues of this process; the file lock alone cannot tell two of our own callers apart. */
const inProcessLocks = new Map<string, Promise<void>>();

async function endsWithNewline(path: string, size: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(lock));
      if (holder === process.pid || !isAlive(holder)) {
        // Left behind by a process that is gone; ours now. A lock of our own pid is stale too:
        // callers in this process are serialized by `inProcessLocks` before they get here.
        try {
          unlinkSync(lock);
        } catch {
          // Someone else removed it first; try again.
        }
        continue;
      }
      return false;
    }
  }
  return false;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function parseJournal(text: string): JournalState {
  const state: JournalState = { ops: [], done: new Set(), failed: new Map(), runs: new Map() };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      continue; // a line cut short by a crash: its operation was never reported applied
    }
    switch (entry.t) {
      case 'journal':
        state.analysisId ??= entry.analysisId;
        state.trackingUri ??= entry.trackingUri;
        state.experimentName ??= entry.experimentName;
        break;
      case 'op':
        state.ops.push({ id: entry.id, op: entry.op });
        break;
      case 'done':
        state.done.add(entry.id);
        break;
      case 'failed':
        state.failed.set(entry.id, entry.error);
        break;
      case 'run':
        state.runs.set(entry.key, {
          runId: entry.runId,
          experimentId: entry.experimentId,
          artifactUri: entry.artifactUri,
        });
        break;
    }
  }
  return state;
}

export function pendingOps(state: JournalState): { id: string; op: TrackingOp }[] {
  return state.ops.filter((o) => !state.done.has(o.id) && !state.failed.has(o.id));
}

/**
 * The runs the operations touch: the analysis first, then the trials by number. Trials are logged
 * alongside the search, so the journal's order follows timing; the list should not.
 */
function keysOf(ops: readonly { op: TrackingOp }[]): string[] {
  const rank = (key: string) =>
    key === ANALYSIS_KEY ? -1 : Number(/^trial-(\d+)$/.exec(key)?.[1] ?? Infinity);
  return [...new Set(ops.map((o) => o.op.key))].sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

export function statusOf(state: JournalState): TrackingStatus {
  const parent = state.runs.get(ANALYSIS_KEY);
  const failedOps = state.ops.filter((o) => state.failed.has(o.id));
  return {
    experimentId: parent?.experimentId,
    runId: parent?.runId,
    pending: keysOf(pendingOps(state)),
    ...(failedOps.length > 0 ? { failed: keysOf(failedOps) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Applying operations.

export const ANALYSIS_KEY = 'analysis';
export const RUN_KEY_TAG = 'line_rca.run_key';

/** The value of the `line_rca.run_key` tag: unique per analysis and run, safe inside a filter. */
export function runKeyTag(analysisId: string, key: string): string {
  const raw = `${analysisId}/${key}`;
  return /^[\w.:/-]{1,240}$/.test(raw) ? raw : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The URI a journal records: no credentials, no trailing slash. */
function plainUri(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return uri;
  }
}

export interface ReplayResult {
  applied: number;
  failed: number;
  pending: string[];
  /** Why replay stopped early (MLflow unavailable), masked. */
  stoppedBy?: string;
}

/** Applies the pending operations of one journal in order. Call it holding the journal's lock. */
export class Replayer {
  private readonly experiments = new Map<string, string>();

  constructor(
    private readonly client: MlflowClient,
    private readonly journal: Journal,
    private readonly state: JournalState,
  ) {}

  async run(): Promise<ReplayResult> {
    const result: ReplayResult = { applied: 0, failed: 0, pending: [] };
    for (const { id, op } of pendingOps(this.state)) {
      try {
        await this.apply(op);
        await this.journal.append([{ t: 'done', id }]);
        this.state.done.add(id);
        result.applied++;
        if (op.kind === 'uploadArtifact') await rm(op.file, { force: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (isMlflowError(error) && error.failure === 'rejected') {
          await this.journal.append([{ t: 'failed', id, error: message }]);
          this.state.failed.set(id, message);
          result.failed++;
          continue;
        }
        result.stoppedBy = message;
        break;
      }
    }
    result.pending = keysOf(pendingOps(this.state));
    return result;
  }

  private analysisId(): string {
    if (!this.state.analysisId) throw new Error(`journal ${this.journal.path} has no header line`);
    return this.state.analysisId;
  }

  private async experimentId(name: string): Promise<string> {
    let id = this.experiments.get(name);
    if (!id) {
      id = await this.client.ensureExperiment(name);
      this.experiments.set(name, id);
    }
    return id;
  }

  /** Our run `key` in MLflow: from the journal, else by its tag (created by a crashed process, or elsewhere). */
  private async findRun(key: string, experimentId?: string): Promise<RunRef | undefined> {
    const known = this.state.runs.get(key);
    if (known) return known;
    if (!experimentId) return undefined;
    const tag = runKeyTag(this.analysisId(), key);
    const found = await this.client.searchRuns([experimentId], `tags.\`${RUN_KEY_TAG}\` = '${tag}'`);
    if (found.length === 0) return undefined;
    // Oldest first: if two were ever made, keep using the first one.
    found.sort((a, b) => (a.info.startTime ?? 0) - (b.info.startTime ?? 0));
    const ref = {
      runId: found[0].info.runId,
      experimentId: found[0].info.experimentId,
      artifactUri: found[0].info.artifactUri,
    };
    await this.remember(key, ref);
    return ref;
  }

  private async remember(key: string, ref: RunRef): Promise<void> {
    await this.journal.append([{ t: 'run', key, ...ref }]);
    this.state.runs.set(key, ref);
  }

  private async requireRun(key: string): Promise<RunRef> {
    this.refuseIfCreateFailed(key);
    // The run may have been created from another journal (another worker): look in the experiment.
    const experimentName = this.createOpOf(key)?.experimentName ?? this.state.experimentName;
    const ref = await this.findRun(key, experimentName ? await this.experimentId(experimentName) : undefined);
    if (!ref) throw new Error(`run ${key} is not created yet`);
    return ref;
  }

  private createOpOf(key: string) {
    for (const { op } of this.state.ops) if (op.kind === 'createRun' && op.key === key) return op;
    return undefined;
  }

  /** A run MLflow refused to create will never exist: what depends on it fails too, for good. */
  private refuseIfCreateFailed(key: string): void {
    const create = this.state.ops.find((o) => o.op.kind === 'createRun' && o.op.key === key);
    if (create && this.state.failed.has(create.id)) {
      throw new MlflowError(
        `run ${key} was refused by MLflow: ${this.state.failed.get(create.id)}`,
        'rejected',
      );
    }
  }

  private async apply(op: TrackingOp): Promise<void> {
    switch (op.kind) {
      case 'createRun': {
        const experimentId = await this.experimentId(op.experimentName);
        if (await this.findRun(op.key, experimentId)) return;
        const tags = [...op.tags, { key: RUN_KEY_TAG, value: runKeyTag(this.analysisId(), op.key) }];
        if (op.parentKey) {
          this.refuseIfCreateFailed(op.parentKey);
          const parent = await this.findRun(op.parentKey, experimentId);
          // The parent may be pending in another process' journal: keep this one pending too.
          if (!parent) throw new Error(`parent run ${op.parentKey} of ${op.key} is not created yet`);
          tags.push({ key: 'mlflow.parentRunId', value: parent.runId });
        }
        const info = await this.client.createRun({
          experimentId,
          runName: op.runName,
          startTime: op.startTime,
          tags,
        });
        await this.remember(op.key, {
          runId: info.runId,
          experimentId: info.experimentId,
          artifactUri: info.artifactUri,
        });
        return;
      }
      case 'logBatch': {
        const run = await this.requireRun(op.key);
        await this.client.logBatch(run.runId, op.batch);
        return;
      }
      case 'endRun': {
        const run = await this.requireRun(op.key);
        await this.client.updateRun(run.runId, { status: op.status, endTime: op.endTime });
        return;
      }
      case 'uploadArtifact': {
        const run = await this.requireRun(op.key);
        let content: Buffer;
        try {
          content = await readFile(op.file);
        } catch (error) {
          // The kept copy is removed only after the upload is journaled done; if it is gone and
          // the artifact is on the server, an earlier attempt got this far.
          const listed = await this.client.listArtifacts(run.artifactUri);
          if (listed.some((f) => f.path === op.name)) return;
          throw new MlflowError(`artifact ${op.name}: ${(error as Error).message}`, 'rejected');
        }
        await this.client.uploadArtifact(run.artifactUri, op.name, content);
        return;
      }
    }
  }
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
          { key: 'line_rca.analysis_id', value: summary.id },
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
          { key: 'line_rca.analysis_id', value: this.analysisId },
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
      await this.appendOps(ops);
      // One more try even when offline: MLflow may be back by the end of the analysis.
      this.offline = false;
      await this.drain();
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
  private async drain(): Promise<void> {
    // Another process (a flush, a trial on another worker) may be applying this journal: wait a little.
    const outcome = await this.journal.withLock(async () => {
      const state = await this.journal.read();
      const result = await new Replayer(this.client, this.journal, state).run();
      this.lastStatus = statusOf(state);
      return result;
    }, 5000);
    if (!outcome) {
      this.lastStatus = statusOf(await this.journal.read());
      return;
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
  }
}

// ---------------------------------------------------------------------------------------------
// Flush.

export interface FlushReport {
  journal: string;
  analysisId?: string;
  applied: number;
  failed: number;
  pending: string[];
  /** Why this journal was left (MLflow unavailable, another server, in use). */
  skipped?: string;
  /** The analysis' tracking status after the flush (for the results document). */
  tracking?: TrackingStatus;
}

/** Applies the pending operations of every journal in `dir` against the configured MLflow. */
export async function flushJournals(options: {
  client: MlflowClient;
  dir: string;
  /** Replay journals recorded for another tracking URI too (e.g. `localhost` vs `127.0.0.1`). */
  anyServer?: boolean;
}): Promise<FlushReport[]> {
  let names: string[];
  try {
    names = (await readdir(options.dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const reports: FlushReport[] = [];
  const target = plainUri(options.client.settings.trackingUri);
  for (const name of names) {
    const journal = new Journal(join(options.dir, name));
    const report = await journal.withLock(async (): Promise<FlushReport> => {
      const state = await journal.read();
      const pending = pendingOps(state);
      const base = { journal: journal.path, analysisId: state.analysisId };
      if (pending.length === 0) return { ...base, applied: 0, failed: 0, pending: [] };
      if (state.trackingUri && state.trackingUri !== target && !options.anyServer) {
        return {
          ...base,
          applied: 0,
          failed: 0,
          pending: keysOf(pending),
          skipped: `journal is for ${maskSecrets(state.trackingUri, [])}, not ${target} (--any-server to replay it here)`,
        };
      }
      const result = await new Replayer(options.client, journal, state).run();
      return {
        ...base,
        applied: result.applied,
        failed: result.failed,
        pending: result.pending,
        ...(result.stoppedBy ? { skipped: result.stoppedBy } : {}),
        tracking: statusOf(state),
      };
    });
    if (report) {
      if (report.applied > 0 || report.failed > 0 || report.pending.length > 0) reports.push(report);
    } else {
      const state = await journal.read();
      reports.push({
        journal: journal.path,
        analysisId: state.analysisId,
        applied: 0,
        failed: 0,
        pending: keysOf(pendingOps(state)),
        skipped: 'in use by another process (an analysis or another flush)',
      });
    }
  }
  return reports;
}

/** Pending work of every journal in `dir`, without contacting MLflow. */
export async function pendingJournals(
  dir: string,
): Promise<{ journal: string; analysisId?: string; pending: string[] }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out = [];
  for (const name of names) {
    const journal = new Journal(join(dir, name));
    const state = await journal.read();
    const pending = keysOf(pendingOps(state));
    if (pending.length > 0) out.push({ journal: journal.path, analysisId: state.analysisId, pending });
  }
  return out;
}
