/**
 * Applying a journal's operations to MLflow, in order and exactly once (`Replayer`), for a
 * running analysis and for `line-rca tracking flush`:
 * - every run carries the tag `line_rca.run_key`, so a run whose id never reached the journal (a
 *   crash, or a reply lost after MLflow created the run) is found again instead of created twice;
 * - metrics carry the timestamp of when they were recorded, and MLflow drops a metric identical
 *   in (key, value, timestamp, step); params and tags are idempotent; artifacts are overwritten.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isMlflowError,
  type MlflowClient,
  MlflowError,
  maskSecrets,
  type Run,
  type RunInfo,
} from '../mlflow';
import {
  Journal,
  type JournalState,
  keysOf,
  pendingOps,
  type RunRef,
  statusOf,
  type TrackingOp,
  type TrackingStatus,
} from './journal';

export const RUN_KEY_TAG = 'line_rca.run_key';
/** Every run of an analysis carries its id (connectors/tracking.ts). */
export const ANALYSIS_TAG = 'line_rca.analysis_id';
/** On a second run of one key, ended and deleted: the id of the run kept. */
export const DUPLICATE_TAG = 'line_rca.duplicate_of';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Oldest first; runs created in the same millisecond by id, so every process picks the same. */
function firstCreated(a: Run, b: Run): number {
  return (a.info.startTime ?? 0) - (b.info.startTime ?? 0) || (a.info.runId < b.info.runId ? -1 : 1);
}

/** The value of the `line_rca.run_key` tag: unique per analysis and run, safe inside a filter. */
export function runKeyTag(analysisId: string, key: string): string {
  const raw = `${analysisId}/${key}`;
  return /^[\w.:/-]{1,240}$/.test(raw) ? raw : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The URI a journal records: no credentials, no trailing slash. */
export function plainUri(uri: string): string {
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

  /**
   * Our run `key` in MLflow: from the journal, else by its tag (created by a crashed process, by
   * another worker, or by a create whose reply was lost). Should two exist, the first is kept
   * and the other ended and deleted.
   */
  private async findRun(key: string, experimentId?: string): Promise<RunRef | undefined> {
    const known = this.state.runs.get(key);
    if (known) return known;
    if (!experimentId) return undefined;
    const tag = runKeyTag(this.analysisId(), key);
    const found = await this.client.searchRuns([experimentId], `tags.\`${RUN_KEY_TAG}\` = '${tag}'`);
    if (found.length === 0) return undefined;
    const [kept, ...extra] = found.sort(firstCreated);
    const ref = {
      runId: kept.info.runId,
      experimentId: kept.info.experimentId,
      artifactUri: kept.info.artifactUri,
    };
    await this.remember(key, ref);
    for (const run of extra) await this.retire(run, ref.runId);
    return ref;
  }

  /**
   * Creates the run of `key` at most once: a create that may have reached MLflow (a timeout, a
   * reset, a 5xx) is followed by a look-up of its tag before any new try.
   */
  private async createOnce(
    key: string,
    create: () => Promise<RunInfo>,
    experimentId: string,
  ): Promise<RunRef> {
    const tries = (this.client.settings.retries ?? 3) + 1;
    const backoff = this.client.settings.backoffMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await create();
        const ref = { runId: info.runId, experimentId: info.experimentId, artifactUri: info.artifactUri };
        await this.remember(key, ref);
        return ref;
      } catch (error) {
        if (!isMlflowError(error) || error.failure !== 'unavailable' || attempt >= tries) throw error;
        await sleep(backoff * 2 ** (attempt - 1));
        const found = await this.findRun(key, experimentId);
        if (found) return found;
      }
    }
  }

  /** A second run of one key: ended (KILLED), tagged with the run kept, and deleted. */
  private async retire(run: Run, keptRunId: string): Promise<void> {
    if (run.info.status === 'RUNNING') {
      await this.client.updateRun(run.info.runId, { status: 'KILLED', endTime: Date.now() });
    }
    await this.client.setTag(run.info.runId, DUPLICATE_TAG, keptRunId);
    await this.client.deleteRun(run.info.runId);
  }

  /**
   * Every run of the analysis, grouped by key: a key with two runs (the second create of a reply
   * that came back late, in this process or another) keeps the journal's run, else the first.
   */
  private async reconcile(experimentName: string): Promise<void> {
    const analysisId = this.analysisId();
    // Our ids never hold quotes (activities/analysis-id.ts); a filter cannot be written for one that does.
    if (/['"\\]/.test(analysisId)) return;
    const experimentId = await this.experimentId(experimentName);
    const runs = await this.client.searchRuns([experimentId], `tags.\`${ANALYSIS_TAG}\` = '${analysisId}'`);
    const byTag = new Map<string, Run[]>();
    for (const run of runs) {
      const tag = run.tags[RUN_KEY_TAG];
      if (tag !== undefined) byTag.set(tag, [...(byTag.get(tag) ?? []), run]);
    }
    const journaled = new Map(
      [...this.state.runs].map(([key, ref]) => [runKeyTag(analysisId, key), ref.runId]),
    );
    for (const [tag, group] of byTag) {
      if (group.length < 2) continue;
      const known = journaled.get(tag);
      const kept = group.find((r) => r.info.runId === known) ?? [...group].sort(firstCreated)[0];
      for (const run of group) if (run !== kept) await this.retire(run, kept.info.runId);
    }
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
        await this.createOnce(
          op.key,
          () => this.client.createRun({ experimentId, runName: op.runName, startTime: op.startTime, tags }),
          experimentId,
        );
        return;
      }
      case 'reconcile':
        await this.reconcile(op.experimentName);
        return;
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
