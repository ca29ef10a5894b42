/**
 * Live zoom: the distribution analysis of one analysis's stored observations, recomputed on a
 * period and a choice of variables. Each analysis's rows are loaded once into a
 * `DistributionEngine` (sorted per variable, spread over threads) and kept warm; engines are
 * kept least-recently-used first out, within a memory budget, and loaded one at a time so a burst
 * of zooms on many analyses cannot hold many tables at once.
 *
 * Semantics are those of `line-rca distribution --from --to`: `from` inclusive, `to` exclusive,
 * an instant without offset is UTC; rows keep the analysis's own labels (with windows, each raw
 * row its window's) and rows whose window has no target value stay out, as in the pipeline.
 */
import { explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { parseInstant } from '../analysis/aggregate/time';
import { type AnalysisConfig, analysisSettings, parseConfig } from '../analysis/config';
import { PeriodIndex } from '../analysis/distribution/period';
import type { DistributionEntry } from '../analysis/distribution/types';
import { InvalidInputError } from '../analysis/errors';
import type { ObservationTable } from '../analysis/frame';
import type { ResultsDocument } from '../analysis/results';
import { DistributionEngine } from '../compute/distribution-engine';
import { localUri } from '../connectors/artifact-storage';
import { readObservationDataset } from '../connectors/datasets';
import { ConflictError } from './errors';

export interface ZoomQuery {
  readonly from?: string;
  readonly to?: string;
  readonly variables?: readonly string[];
}

export interface ZoomAnswer {
  readonly distribution: DistributionEntry[];
  readonly data: {
    readonly rows: number;
    readonly positives: number;
    readonly variables: number;
    /** The period actually covered: the first and last selected rows' times (ISO). */
    readonly from: string | null;
    readonly to: string | null;
  };
}

/** What an engine needs from an analysis: its observations dataset and its configuration. */
export interface ZoomSource {
  readonly observationsUri: string;
  readonly config: AnalysisConfig;
}

/** The zoom source of a results document, or a clear reason why it has none. */
export function zoomSource(results: ResultsDocument): ZoomSource {
  const observationsUri = results.artifacts?.observations;
  if (!observationsUri) {
    throw new ConflictError(`analysis ${results.id} has no stored observations (artifacts.observations)`);
  }
  if (results.config === undefined) {
    throw new ConflictError(
      `analysis ${results.id} was stored without its configuration (results.config); run it again to zoom on it`,
    );
  }
  return { observationsUri, config: parseConfig(results.config) };
}

interface Warm {
  readonly engine: DistributionEngine;
  /** Every row's label (the analysis's own): the same array each zoom, so threads keep it. */
  readonly labels: Uint8Array;
  readonly periods: PeriodIndex;
  readonly bytes: number;
  /** Zooms running now: the engine is closed only when none is. */
  active: number;
  retired: boolean;
}

export interface ZoomEnginesOptions {
  /** Estimated bytes of warm engines kept (default 2 GiB); the one in use is kept even when larger. */
  readonly memoryBytes?: number;
  /** Threads per engine besides the caller's (default: cores minus one). */
  readonly threads?: number;
}

/**
 * Bytes an engine holds for a table: per numeric value the sorted values (8), their rows (4) and
 * the labels packed with the order (4) plus a byte of labels in order; per text value its code
 * (4); per row the times, labels, mask and two prefix counts.
 */
export function engineBytes(table: ObservationTable): number {
  let perRow = 8 + 1 + 1 + 4 + 4;
  for (const v of table.variables) perRow += v.data.kind === 'numeric' ? 17 : 4;
  return perRow * table.rows;
}

export class ZoomEngines {
  private readonly warm = new Map<string, Promise<Warm>>();
  private readonly sizes = new Map<string, number>();
  private loading: Promise<unknown> = Promise.resolve();
  private readonly memoryBytes: number;

  constructor(
    /** The zoom source of an analysis id; undefined when there is no such analysis. */
    private readonly sourceOf: (id: string) => Promise<ZoomSource | undefined>,
    private readonly options: ZoomEnginesOptions = {},
  ) {
    this.memoryBytes = options.memoryBytes ?? 2 * 1024 ** 3;
  }

  /** Engines kept warm now, by analysis id, with their estimated bytes. */
  get kept(): ReadonlyMap<string, number> {
    return this.sizes;
  }

  /** The zoom of analysis `id`; undefined when there is no such analysis. */
  async zoom(id: string, query: ZoomQuery): Promise<ZoomAnswer | undefined> {
    const warm = await this.engineOf(id);
    if (!warm) return undefined;
    warm.active++;
    try {
      return await answer(warm, query);
    } finally {
      warm.active--;
      if (warm.retired && warm.active === 0) await warm.engine.close();
    }
  }

  async close(): Promise<void> {
    const all = [...this.warm.values()];
    this.warm.clear();
    this.sizes.clear();
    await Promise.all(all.map((w) => w.then((x) => x.engine.close()).catch(() => undefined)));
  }

  private async engineOf(id: string): Promise<Warm | undefined> {
    let entry = this.warm.get(id);
    if (entry) {
      // most recently used last
      this.warm.delete(id);
      this.warm.set(id, entry);
      return entry;
    }
    const source = await this.sourceOf(id);
    if (!source) return undefined;
    entry = this.warm.get(id);
    if (!entry) {
      const load = this.loading.then(() => this.load(source));
      this.loading = load.catch(() => undefined);
      entry = load;
      this.warm.set(id, entry);
      entry.then(
        (w) => {
          this.sizes.set(id, w.bytes);
          this.evict(id);
        },
        () => {
          // a failed load is not kept: the next zoom tries again
          if (this.warm.get(id) === entry) this.warm.delete(id);
        },
      );
    }
    return entry;
  }

  private async load(source: ZoomSource): Promise<Warm> {
    let table: ObservationTable;
    try {
      // A GridFS storage's dataset comes through this machine's cache.
      table = await readObservationDataset(await localUri(source.observationsUri));
    } catch (error) {
      throw new ConflictError(
        `the analysis's observations cannot be read at ${source.observationsUri} (LINE_RCA_ARTIFACTS must be the workers'): ${(error as Error).message}`,
      );
    }
    const { target, aggregation } = analysisSettings(source.config);
    const { labels, mask } = populationLabels(table, target, aggregation);
    const keep = new Set(
      explanatoryVariables(table, target, aggregation, source.config.variables.exclude).map((v) => v.name),
    );
    const explanatory = { rows: table.rows, variables: table.variables.filter((v) => keep.has(v.name)) };
    const time = table.time ?? Float64Array.from({ length: table.rows }, (_, i) => i * 60_000);
    const periods = new PeriodIndex(time, labels, mask);
    const engine = await DistributionEngine.load(explanatory, { threads: this.options.threads });
    return {
      engine,
      labels,
      periods,
      bytes: engineBytes(explanatory),
      active: 0,
      retired: false,
    };
  }

  /** Retires the least recently used engines (never `keep`) until the budget holds. */
  private evict(keep: string): void {
    let total = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    for (const id of [...this.warm.keys()]) {
      if (total <= this.memoryBytes) break;
      if (id === keep || !this.sizes.has(id)) continue;
      const entry = this.warm.get(id)!;
      this.warm.delete(id);
      total -= this.sizes.get(id)!;
      this.sizes.delete(id);
      entry.then((w) => {
        w.retired = true;
        if (w.active === 0) return w.engine.close();
      });
    }
  }
}

async function answer(warm: Warm, query: ZoomQuery): Promise<ZoomAnswer> {
  const from = query.from === undefined ? Number.NEGATIVE_INFINITY : parseInstant(query.from, 'from');
  const to = query.to === undefined ? Number.POSITIVE_INFINITY : parseInstant(query.to, 'to');
  if (!(from < to))
    throw new InvalidInputError({ where: 'to', message: `must be after from (${query.from})` });
  const period = warm.periods.select(from, to);
  const distribution = await warm.engine.analyze(warm.labels, {
    rows: period.rows,
    ...(query.variables ? { variables: query.variables } : {}),
  });
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    distribution,
    data: {
      rows: period.count,
      positives: period.positives,
      variables: distribution.length,
      from: iso(period.first),
      to: iso(period.last),
    },
  };
}
