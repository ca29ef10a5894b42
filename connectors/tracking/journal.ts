/**
 * The tracking journal: every MLflow operation of an analysis, appended (JSON lines, one file per
 * analysis under `LINE_RCA_TRACKING_DIR`, default `.data/tracking`) before it is applied, then
 * marked done or failed. The journal also maps our run keys (`analysis`, `trial-3`) to MLflow
 * run ids, and a lock keeps two processes from applying the same journal at once.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile, mkdir, open, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Batch, KeyValue, RunStatus } from '../mlflow';

/** Our key of the analysis' parent run; trials are `trial-<number>`. */
export const ANALYSIS_KEY = 'analysis';

export interface TrackingStatus {
  experimentId?: string;
  /** MLflow id of the analysis' parent run, once created. */
  runId?: string;
  /** Our keys of the runs with operations not applied yet (`analysis`, `trial-3`). */
  pending: string[];
  /** Runs whose operations MLflow refused for good (bad request); not retried. */
  failed?: string[];
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
  | { kind: 'uploadArtifact'; key: string; name: string; file: string }
  /** After the analysis' end: runs of the analysis made twice (a lost reply) ended and deleted. */
  | { kind: 'reconcile'; key: string; experimentName: string };

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
export function keysOf(ops: readonly { op: TrackingOp }[]): string[] {
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
