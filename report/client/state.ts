/**
 * What the report shows right now, shared by its sections: the distribution entries (the
 * analysis's, or recomputed on a zoomed period), the ticked variables and the period in view.
 * Sections subscribe to the parts they draw.
 */
import type { DistributionEntry } from '../../analysis/distribution/types';
import { type CombinedRank, combinedRanking } from '../../analysis/ranking';
import type { ReportData } from '../data';
import { type TimeFormat, timeFormat } from './format';

export type Topic = 'distribution' | 'selection' | 'view' | 'status';

export interface Zoomed {
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly positives: number;
}

export interface ReportState {
  readonly data: ReportData;
  readonly time: TimeFormat;
  /** The entries drawn: the analysis's, or those of the zoomed period. */
  distribution: readonly DistributionEntry[];
  /** The period the distribution was recomputed on; null: the whole analysis. */
  zoomed: Zoomed | null;
  readonly selected: Set<string>;
  /** The period drawn on the time series (epoch ms); null ends: the whole series. */
  view: { from: number | null; to: number | null };
  /** What the last zoom did, for the status line. */
  status: { kind: 'whole' | 'working' | 'zoomed' | 'refused'; text: string };
  on(topic: Topic, listener: () => void): void;
  emit(topic: Topic): void;
}

export function createState(data: ReportData): ReportState {
  const listeners = new Map<Topic, (() => void)[]>();
  const series = data.series;
  const rowOrder = Boolean(series && series.time.length > 0 && series.time[0] === 0);
  return {
    data,
    time: timeFormat(rowOrder),
    distribution: data.results.distribution,
    zoomed: null,
    selected: new Set(),
    view: { from: null, to: null },
    status: { kind: 'whole', text: '' },
    on(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
    },
    emit(topic) {
      for (const listener of listeners.get(topic) ?? []) listener();
    },
  };
}

/** The ranked entries (identifiers left out) and each variable's rank. */
export function ranked(entries: readonly DistributionEntry[]) {
  const list = entries.filter((d) => d.kind !== 'identifier');
  return { list, rank: new Map(list.map((d, i) => [d.variable, i + 1])) };
}

/** Both analyses combined (analysis/ranking.ts), on the entries drawn now. */
export function combined(state: ReportState): CombinedRank[] {
  return combinedRanking(state.distribution, state.data.results.importance ?? []);
}
