/**
 * How the page recomputes the distribution on a zoomed period: through `line-rca serve`'s API when
 * the page came from it, else in the page itself with the bundled analysis (analysis/distribution)
 * on the rows it carries (`recompute`, up to STANDALONE_MAX_VALUES values); else not at all.
 */
import {
  analyzePrepared,
  type PreparedTable,
  prepareDistribution,
} from '../../analysis/distribution/analyze';
import { PeriodIndex } from '../../analysis/distribution/period';
import type { DistributionEntry } from '../../analysis/distribution/types';
import { isInvalidInput } from '../../analysis/errors';
import { decodeRecompute, type ReportData } from '../data';

export interface ZoomOutcome {
  readonly distribution: DistributionEntry[];
  readonly rows: number;
  readonly positives: number;
}

export interface Recompute {
  /** `api`: through serve; `page`: in the browser; `none`: the page cannot. */
  readonly kind: 'api' | 'page' | 'none';
  zoom(from: number, to: number): Promise<ZoomOutcome>;
}

/** A zoom the server or the analysis refused, with its reason (shown to the reader). */
export class ZoomRefused extends Error {}

function throughApi(): Recompute {
  const token = new URLSearchParams(window.location.search).get('access_token');
  return {
    kind: 'api',
    async zoom(from, to) {
      // The page is /api/analyses/<id>/report: its zoom is beside it.
      const response = await fetch('zoom', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
      });
      const body = await response.json();
      if (!response.ok) {
        const problems = (body.problems ?? []) as { message: string }[];
        throw new ZoomRefused(
          problems.map((p) => p.message).join('; ') || body.message || response.statusText,
        );
      }
      return { distribution: body.distribution, rows: body.data.rows, positives: body.data.positives };
    },
  };
}

function inThePage(data: NonNullable<ReportData['recompute']>): Recompute {
  let ready: { prepared: PreparedTable; labels: Uint8Array; periods: PeriodIndex } | undefined;
  return {
    kind: 'page',
    async zoom(from, to) {
      if (!ready) {
        const { table, labels, mask } = decodeRecompute(data);
        ready = {
          prepared: prepareDistribution(table),
          labels,
          periods: new PeriodIndex(table.time, labels, mask),
        };
      }
      try {
        const period = ready.periods.select(from, to);
        const distribution = analyzePrepared(ready.prepared, ready.labels, { rows: period.rows });
        return { distribution, rows: period.count, positives: period.positives };
      } catch (error) {
        if (isInvalidInput(error)) throw new ZoomRefused(error.problems.map((p) => p.message).join('; '));
        throw error;
      }
    },
  };
}

export function recomputeFor(data: ReportData): Recompute {
  if (document.body.dataset.mode === 'served') return throughApi();
  if (data.recompute) return inThePage(data.recompute);
  return {
    kind: 'none',
    zoom: () => Promise.reject(new ZoomRefused('this page does not carry the rows to recompute on')),
  };
}
