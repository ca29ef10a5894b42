/**
 * `--profile`: each stage's wall time and the process's peak resident memory while it ran,
 * printed on stderr at the end (`analyze`, `demo`, `distribution`).
 *
 * The peak is sampled every 10 ms by a small worker thread (the main thread is often busy in
 * one long synchronous computation, when its own timers would not fire); the worker keeps the
 * highest value in shared memory, and the main thread takes it at every stage boundary. Stages
 * that overlap (distribution runs beside the search) each get the peak of the intervals they
 * were running in. The process's own high-water mark (VmHWM, Linux) is reported as the total.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new Int32Array(workerData);
const sample = () => {
  const kib = Math.ceil(process.memoryUsage.rss() / 1024);
  for (;;) {
    const seen = Atomics.load(peak, 0);
    if (kib <= seen || Atomics.compareExchange(peak, 0, seen, kib) === seen) return;
  }
};
sample();
setInterval(sample, 10);
`;

interface StageRecord {
  readonly name: string;
  readonly startMs: number;
  endMs: number | null;
  /** Peak resident KiB while it ran. */
  peakKib: number;
  /** The work of its tasks on the compute threads, when the stage reports it (`threadSeconds`). */
  threadSeconds?: number;
}

/** Peak resident memory of this process so far (Linux VmHWM), bytes; RSS now elsewhere. */
export function processPeakBytes(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss();
}

export class StageProfile {
  private readonly peak = new Int32Array(new SharedArrayBuffer(4));
  private readonly sampler: Worker;
  private readonly records: StageRecord[] = [];
  private readonly started = Date.now();

  constructor() {
    this.sampler = new Worker(SAMPLER, { eval: true, workerData: this.peak.buffer });
    this.sampler.unref();
  }

  /** The peak since the last boundary, given to every running stage, and a new interval begun. */
  private boundary(): void {
    const now = Math.ceil(process.memoryUsage.rss() / 1024);
    const interval = Math.max(Atomics.exchange(this.peak, 0, now), now);
    for (const r of this.records) if (r.endMs === null) r.peakKib = Math.max(r.peakKib, interval);
  }

  /** Starts a stage; the returned function ends it. */
  start(name: string): () => void {
    this.boundary();
    const record: StageRecord = { name, startMs: Date.now(), endMs: null, peakKib: 0 };
    this.records.push(record);
    return () => {
      this.boundary();
      record.endMs = Date.now();
    };
  }

  /** Times `work` as the stage `name`. */
  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const end = this.start(name);
    const record = this.records[this.records.length - 1];
    try {
      const result = await work();
      const threadSeconds = (result as { threadSeconds?: unknown } | null)?.threadSeconds;
      if (typeof threadSeconds === 'number') record.threadSeconds = threadSeconds;
      return result;
    } finally {
      end();
    }
  }

  /**
   * One line a stage (calls of the same stage, trials, together: from the first start to the
   * last end, the sum of their times, their highest peak), then the run's time and peak.
   */
  report(): string {
    this.boundary();
    const mb = (kib: number) => `${Math.round((kib * 1024) / 1e6)} MB`;
    const groups = new Map<
      string,
      { first: number; last: number; busy: number; calls: number; peak: number; work?: number }
    >();
    for (const r of this.records) {
      const end = r.endMs ?? Date.now();
      const g = groups.get(r.name);
      if (!g)
        groups.set(r.name, { first: r.startMs, last: end, busy: end - r.startMs, calls: 1, peak: r.peakKib });
      else {
        g.last = Math.max(g.last, end);
        g.busy += end - r.startMs;
        g.calls += 1;
        g.peak = Math.max(g.peak, r.peakKib);
      }
      if (r.threadSeconds !== undefined) {
        const group = groups.get(r.name)!;
        group.work = (group.work ?? 0) + r.threadSeconds;
      }
    }
    const names = [...groups.keys()].map((n) =>
      groups.get(n)!.calls > 1 ? `${n} ×${groups.get(n)!.calls}` : n,
    );
    const width = Math.max(5, ...names.map((n) => n.length));
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(8)} s`;
    const lines = [
      'profile: stage, started at (s), wall time, summed time of its calls, peak RSS while it ran',
    ];
    [...groups.values()].forEach((g, k) => {
      lines.push(
        `  ${names[k].padEnd(width)}  ${((g.first - this.started) / 1000).toFixed(1).padStart(8)}  ${seconds(g.last - g.first)}  ${seconds(g.busy)}  ${mb(g.peak).padStart(9)}` +
          // the wall time also counts its tasks' waits behind other stages' on the same threads
          (g.work === undefined ? '' : `  (its tasks' own work ${g.work.toFixed(2)} s)`),
      );
    });
    lines.push(
      `  ${'total'.padEnd(width)}  ${''.padStart(8)}  ${seconds(Date.now() - this.started)}  ${''.padStart(10)}  ${mb(processPeakBytes() / 1024).padStart(9)} (process peak)`,
    );
    return `${lines.join('\n')}\n`;
  }

  async close(): Promise<void> {
    await this.sampler.terminate();
  }
}

/** The stages with each call measured as a stage of `profile` under its own name. */
export function profiledStages<S extends object>(stages: S, profile: StageProfile): S {
  const wrapped: Record<string, unknown> = {};
  for (const [name, stage] of Object.entries(stages)) {
    wrapped[name] =
      typeof stage === 'function'
        ? (...args: unknown[]) =>
            profile.measure(name, () => Promise.resolve((stage as (...a: unknown[]) => unknown)(...args)))
        : stage;
  }
  return wrapped as S;
}
