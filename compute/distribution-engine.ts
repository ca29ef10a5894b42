/**
 * The distribution analysis held in memory for zooming, its variables spread over threads: each
 * thread (and this one) prepares its share of the variables once and keeps it, so a zoom sends
 * only the selection (and the labels, the first time) and the parts run side by side. Entries
 * are the same as `analyzePrepared`'s, bit for bit: the parts run the same code, and the ranking
 * (q-values over all variables) is done here once they are back.
 *
 *   const engine = await DistributionEngine.load(table);
 *   const entries = await engine.analyze(labels, { rows: { start, end } });
 *   await engine.close();
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  analyzeEach,
  type PreparedTable,
  prepareDistribution,
  rankEntries,
} from '../analysis/distribution/analyze';
import type {
  DistributionEntry,
  DistributionOptions,
  DistributionSelection,
} from '../analysis/distribution/types';
import { InvalidInputError, unknownName } from '../analysis/errors';
import type { Labels, ObservationTable } from '../analysis/frame';
import { reviveError, type SerializedError } from './errors';
import { assertCurrentBuild, startThread } from './thread';

export interface ZoomRequest {
  readonly id: number;
  readonly labelsId: number;
  /** Sent the first time a thread sees these labels; later zooms name them by id. */
  readonly labels?: Uint8Array;
  readonly selection: DistributionSelection;
}

export type ZoomReply =
  | { readonly id: number; readonly kind: 'ready' }
  | { readonly id: number; readonly kind: 'done'; readonly entries: DistributionEntry[] }
  | { readonly id: number; readonly kind: 'error'; readonly error: SerializedError };

export interface EngineOptions extends DistributionOptions {
  /** Threads besides this one; default: available cores minus one (0 analyses here only). */
  readonly threads?: number;
}

interface Part {
  readonly worker: Worker;
  readonly names: ReadonlySet<string>;
  /** Labels ids this thread holds. */
  readonly labels: Set<number>;
  readonly pending: Map<number, { resolve: (e: DistributionEntry[]) => void; reject: (e: Error) => void }>;
}

export class DistributionEngine {
  private readonly labelIds = new WeakMap<Labels, number>();
  private nextLabelsId = 1;
  private nextRequest = 1;
  private readonly localNames: ReadonlySet<string>;

  private constructor(
    readonly rows: number,
    /** Every variable, in the table's order. */
    readonly names: readonly string[],
    /** The variables analysed on this thread. */
    private readonly local: PreparedTable,
    private readonly parts: readonly Part[],
  ) {
    this.localNames = new Set(local.variables.map((v) => v.name));
  }

  /**
   * Spreads the variables over the threads (every (threads + 1)-th to each; this thread takes
   * the first share) and waits until every part is prepared.
   */
  static async load(table: ObservationTable, options: EngineOptions = {}): Promise<DistributionEngine> {
    const { threads: wanted, ...distribution } = options;
    const threads = Math.max(
      0,
      Math.min(wanted ?? os.availableParallelism() - 1, table.variables.length - 1),
    );
    const shares = Array.from({ length: threads + 1 }, (_, p) =>
      table.variables.filter((_, j) => j % (threads + 1) === p),
    );
    if (threads > 0) assertCurrentBuild();
    const parts = shares.slice(1).map((variables) => {
      const worker = startThread('distribution-worker', {
        workerData: { table: { rows: table.rows, variables }, options: distribution },
      });
      const part: Part = {
        worker,
        names: new Set(variables.map((v) => v.name)),
        labels: new Set(),
        pending: new Map(),
      };
      return part;
    });
    const ready = parts.map((part) => waitReady(part));
    const local = prepareDistribution({ rows: table.rows, variables: shares[0] }, distribution);
    const engine = new DistributionEngine(
      table.rows,
      table.variables.map((v) => v.name),
      local,
      parts,
    );
    try {
      await Promise.all(ready);
    } catch (error) {
      await engine.close();
      throw error;
    }
    for (const part of parts) listen(part);
    return engine;
  }

  /** Threads besides this one. */
  get threads(): number {
    return this.parts.length;
  }

  /** `analyzePrepared` over the whole table, its parts analysed side by side. */
  async analyze(labels: Labels, selection: DistributionSelection = {}): Promise<DistributionEntry[]> {
    if (labels.length !== this.rows) {
      throw new RangeError(`DistributionEngine: ${labels.length} labels for ${this.rows} rows`);
    }
    const wanted = selection.variables ?? this.names;
    const problems = wanted
      .filter((name) => !this.names.includes(name))
      .map((name) => ({ where: 'variables', message: unknownName('variable', name, this.names) }));
    if (problems.length > 0) throw new InvalidInputError(problems);
    let labelsId = this.labelIds.get(labels);
    if (labelsId === undefined) {
      labelsId = this.nextLabelsId++;
      this.labelIds.set(labels, labelsId);
    }
    const id = this.nextRequest++;
    const remote = this.parts.map((part) => {
      const sendLabels = !part.labels.has(labelsId);
      part.labels.add(labelsId);
      const request: ZoomRequest = {
        id,
        labelsId,
        ...(sendLabels ? { labels: Uint8Array.from(labels) } : {}),
        selection: { ...selection, variables: wanted.filter((name) => part.names.has(name)) },
      };
      return new Promise<DistributionEntry[]>((resolve, reject) => {
        part.pending.set(id, { resolve, reject });
        part.worker.ref(); // a zoom under way keeps the process alive
        part.worker.postMessage(request);
      });
    });
    // This thread's share meanwhile; its errors (an empty population) are the threads' too.
    let here: DistributionEntry[];
    try {
      here = analyzeEach(this.local, labels, {
        ...selection,
        variables: wanted.filter((name) => this.localNames.has(name)),
      });
    } catch (error) {
      await Promise.allSettled(remote);
      throw error;
    }
    const byName = new Map<string, DistributionEntry>();
    for (const entries of [here, ...(await Promise.all(remote))])
      for (const e of entries) byName.set(e.variable, e);
    return rankEntries(wanted.map((name) => byName.get(name) as DistributionEntry));
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.worker.terminate()));
  }
}

function waitReady(part: Part): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ZoomReply) => {
      if (reply.kind !== 'ready') return;
      part.worker.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => reject(error);
    part.worker.once('message', onMessage);
    part.worker.once('error', onError);
  });
}

function listen(part: Part): void {
  part.worker.on('message', (reply: ZoomReply) => {
    const waiting = part.pending.get(reply.id);
    if (!waiting || reply.kind === 'ready') return;
    part.pending.delete(reply.id);
    if (part.pending.size === 0) part.worker.unref();
    if (reply.kind === 'done') waiting.resolve(reply.entries);
    else waiting.reject(reviveError(reply.error));
  });
  const fail = (error: Error) => {
    for (const waiting of part.pending.values()) waiting.reject(error);
    part.pending.clear();
  };
  part.worker.on('error', fail);
  part.worker.on('exit', (code) => fail(new Error(`distribution engine: a thread exited (code ${code})`)));
  // Idle threads must not keep the process alive.
  part.worker.unref();
}
