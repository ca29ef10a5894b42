/**
 * A zoom's rows: the observations of a period, `from` inclusive and `to` exclusive (the period
 * semantics of `line-rca distribution --from --to`), less the rows left out of the analysis (no
 * target value in their window). Counts come from prefix sums, so choosing a period costs two
 * binary searches; the selection is a row range, or a mask when rows inside it are left out.
 * Used by `serve`'s zoom and by the standalone report's.
 */
import { InvalidInputError } from '../errors';
import type { Labels } from '../frame';
import { lowerBound } from './analyze';
import type { DistributionSelection } from './types';

export interface PeriodRows {
  readonly rows: NonNullable<DistributionSelection['rows']>;
  readonly count: number;
  readonly positives: number;
  /** Times of the first and last rows in the period (epoch ms); null when it holds none. */
  readonly first: number | null;
  readonly last: number | null;
}

export class PeriodIndex {
  private readonly leftOutBefore: Uint32Array;
  private readonly positivesBefore: Uint32Array;
  private readonly mask: Uint8Array | null;

  /** `time` ascending (epoch ms); `mask` 0 for rows left out, null when none is. */
  constructor(
    private readonly time: Float64Array,
    labels: Labels,
    mask: Uint8Array | null,
  ) {
    const n = time.length;
    this.leftOutBefore = new Uint32Array(n + 1);
    this.positivesBefore = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const kept = mask === null || mask[i] === 1;
      this.leftOutBefore[i + 1] = this.leftOutBefore[i] + (kept ? 0 : 1);
      this.positivesBefore[i + 1] = this.positivesBefore[i] + (kept ? labels[i] : 0);
    }
    this.mask = this.leftOutBefore[n] > 0 ? mask : null;
  }

  /** Bytes held besides the caller's arrays. */
  get bytes(): number {
    return this.leftOutBefore.byteLength + this.positivesBefore.byteLength;
  }

  /**
   * The rows of [from, to) (±Infinity for an open end). Throws `InvalidInputError` when the
   * period does not hold both populations.
   */
  select(from: number, to: number): PeriodRows {
    if (!(from < to)) throw new InvalidInputError({ where: 'to', message: 'must be after from' });
    const start = lowerBound(this.time, from);
    const end = lowerBound(this.time, to);
    const leftOut = this.leftOutBefore[end] - this.leftOutBefore[start];
    const count = end - start - leftOut;
    const positives = this.positivesBefore[end] - this.positivesBefore[start];
    if (positives === 0 || positives === count) {
      throw new InvalidInputError({
        where: 'from/to',
        message: `the period holds ${count} observations, ${positives} of them positive: it needs both populations`,
      });
    }
    let rows: PeriodRows['rows'] = { start, end };
    if (leftOut > 0 && this.mask) {
      const mask = new Uint8Array(this.time.length);
      mask.set(this.mask.subarray(start, end), start);
      rows = mask;
    }
    return { rows, count, positives, first: this.time[start], last: this.time[end - 1] };
  }
}
