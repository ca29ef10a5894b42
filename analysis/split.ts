/**
 * Time-ordered validation split. Production data is a time series: a random split would put
 * a window's neighbours (nearly the same values, the same incident) on both sides and flatter
 * the model. The last `fraction` of the observations, in time order, is the validation set, and
 * an optional `gap` before it is left out of both sets so neighbouring windows do not leak.
 */
import { InvalidInputError } from './errors';

export interface SplitOptions {
  /** Share of observations (the latest ones) that form the validation set, in (0, 1). */
  readonly fraction: number;
  /** Time left out between training and validation, in ms (needs `times`). Default 0. */
  readonly gapMs?: number;
  /** Observations left out between training and validation, counted in rows. Default 0. */
  readonly gapRows?: number;
  /**
   * Width of each observation's window in ms (0 for point observations): a training window
   * [t, t + width) is kept only when it ends at least `gapMs` before validation starts.
   */
  readonly windowMs?: number;
}

export interface TimeSplit {
  /** Row indices of the training set, in time order. */
  readonly train: Uint32Array;
  /** Row indices of the validation set, in time order. */
  readonly validation: Uint32Array;
  /** Rows left out as the gap. */
  readonly gap: Uint32Array;
}

/**
 * Splits `rows` observations. With `times` (epoch ms, any order) the rows are ordered by time
 * (ties by row index); without, the row order is the time order.
 */
export function timeOrderedSplit(rows: number, options: SplitOptions, times?: Float64Array): TimeSplit {
  const { fraction } = options;
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidInputError({
      where: 'validation.fraction',
      message: `must be between 0 and 1, got ${fraction}`,
    });
  }
  const gapMs = options.gapMs ?? 0;
  const gapRows = options.gapRows ?? 0;
  if (gapMs < 0 || gapRows < 0)
    throw new InvalidInputError({ where: 'validation.gap', message: 'must not be negative' });
  if (gapMs > 0 && !times) {
    throw new InvalidInputError({
      where: 'validation.gap',
      message: 'a gap in time needs observation times',
    });
  }
  if (times && times.length !== rows)
    throw new RangeError(`timeOrderedSplit: ${times.length} times for ${rows} rows`);

  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  if (times) order.sort((a, b) => times[a] - times[b] || a - b);

  const validationCount = Math.ceil(rows * fraction);
  const firstValidation = rows - validationCount;
  if (validationCount < 1 || firstValidation < 1) {
    throw new InvalidInputError({
      where: 'validation.fraction',
      message: `${rows} observations are too few to keep ${fraction} of them for validation and train on the rest`,
    });
  }
  const validationStart = times ? times[order[firstValidation]] : 0;
  const windowMs = options.windowMs ?? 0;
  const train: number[] = [];
  const gap: number[] = [];
  for (let k = 0; k < firstValidation; k++) {
    const i = order[k];
    const inRowGap = k >= firstValidation - gapRows;
    const inTimeGap = times !== undefined && gapMs > 0 && times[i] + windowMs + gapMs > validationStart;
    (inRowGap || inTimeGap ? gap : train).push(i);
  }
  if (train.length === 0) {
    throw new InvalidInputError({
      where: 'validation.gap',
      message: 'the gap leaves no training observations; shorten it or lower validation.fraction',
    });
  }
  return {
    train: Uint32Array.from(train),
    validation: order.slice(firstValidation),
    gap: Uint32Array.from(gap),
  };
}
