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

/** Rows to train on and rows to score, indices into the dataset. */
export interface Fold {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
}

/** How the search scores a trial inside the training part. */
export interface SearchValidation {
  /**
   * `time-ordered`: trained on the earlier part of the training part, scored on its last
   * `fraction`, as the outer split. `blocked folds`: the training part cut into contiguous time
   * blocks, each block with both populations scored in turn by a model trained on the others.
   */
  readonly method: 'time-ordered' | 'blocked folds';
  readonly folds: readonly Fold[];
  /** Why the search does not score on the last part of the training part. */
  readonly reason?: string;
  /**
   * Trials train on every `trainStep`-th row of a fold (folds of more than `SEARCH_ROWS_MAX`
   * training rows); absent when they train on all. The final fit trains on all of them.
   */
  readonly trainStep?: number;
}

/**
 * Training rows a search trial uses at most. On a million minutes, neighbouring rows are near
 * duplicates: a trial on every 4th row ranks the settings as well as on all of them at a quarter
 * of the cost (the search was two thirds of a 1M-row analysis, issue 21). The chosen settings are
 * then fitted on the whole training part.
 */
export const SEARCH_ROWS_MAX = 200_000;

/** Every k-th of `rows` (time order kept), k the smallest that leaves at most `max`; `rows` itself when it has no more. */
export function thinRows(rows: Uint32Array, max: number): Uint32Array {
  if (rows.length <= max) return rows;
  const step = Math.ceil(rows.length / max);
  return rows.filter((_, k) => k % step === 0);
}

/** The folds with their training rows thinned to `SEARCH_ROWS_MAX` when both populations stay. */
function thinnedSearch(
  search: SearchValidation,
  labels: ArrayLike<number>,
  max = SEARCH_ROWS_MAX,
): SearchValidation {
  let trainStep = 1;
  const folds = search.folds.map((fold) => {
    const train = thinRows(fold.train, max);
    if (train === fold.train || missingPopulation(labels, train) !== null) return fold;
    trainStep = Math.max(trainStep, Math.ceil(fold.train.length / max));
    return { ...fold, train };
  });
  return trainStep > 1 ? { ...search, folds, trainStep } : search;
}

/** How many of `rows` are positive. */
export function positivesIn(labels: ArrayLike<number>, rows: ArrayLike<number>): number {
  let positives = 0;
  for (let k = 0; k < rows.length; k++) positives += labels[rows[k]];
  return positives;
}

/** What a set of rows lacks to score or train a classifier ('bad', 'good'), or null. */
function missingPopulation(labels: ArrayLike<number>, rows: ArrayLike<number>): 'bad' | 'good' | null {
  const positives = positivesIn(labels, rows);
  return positives === 0 ? 'bad' : positives === rows.length ? 'good' : null;
}

/**
 * The search's validation inside the training part `train` (dataset rows in time order, as
 * `timeOrderedSplit` gives them): the same time-ordered split as the outer one when both its
 * sides hold both populations. When they do not (the bad observations all fall in one period, as
 * AI4I's heat dissipation failures in rows 3000–5000), blocked folds of the training part, as
 * blocked cross-validation of time series (Bergmeir & Benítez 2012): `round(1 / fraction)`
 * contiguous blocks, each block that holds both populations scored by a model trained on the
 * other blocks, less the observations within the gap (and the window width) of the block on
 * either side.
 */
export function searchValidation(
  train: Uint32Array,
  labels: ArrayLike<number>,
  options: SplitOptions,
  times?: Float64Array,
): SearchValidation {
  const trainTimes = times ? Float64Array.from(train, (i) => times[i]) : undefined;
  const local = timeOrderedSplit(train.length, options, trainTimes);
  const inner = {
    train: Uint32Array.from(local.train, (k) => train[k]),
    validation: Uint32Array.from(local.validation, (k) => train[k]),
  };
  const validationLacks = missingPopulation(labels, inner.validation);
  const trainLacks = missingPopulation(labels, inner.train);
  if (validationLacks === null && trainLacks === null)
    return thinnedSearch({ method: 'time-ordered', folds: [inner] }, labels);

  const reason =
    validationLacks !== null
      ? `the last ${options.fraction} of the training part (${inner.validation.length} observations) holds no ${validationLacks} observation`
      : `the training part before its last ${options.fraction} holds no ${trainLacks} observation`;
  const blocks = Math.max(2, Math.round(1 / options.fraction));
  const gapMs = options.gapMs ?? 0;
  const windowMs = options.windowMs ?? 0;
  const n = train.length;
  const folds: Fold[] = [];
  for (let b = 0; b < blocks; b++) {
    const first = Math.floor((b * n) / blocks);
    const end = Math.floor(((b + 1) * n) / blocks);
    if (end <= first) continue;
    const validation = train.slice(first, end);
    if (missingPopulation(labels, validation) !== null) continue;
    const blockStart = times ? times[train[first]] : 0;
    const blockEnd = times ? times[train[end - 1]] + windowMs : 0;
    const rows: number[] = [];
    for (let k = 0; k < n; k++) {
      if (k >= first && k < end) continue;
      if (times && gapMs > 0) {
        const t = times[train[k]];
        if (t + windowMs + gapMs > blockStart && t < blockEnd + gapMs) continue;
      }
      rows.push(train[k]);
    }
    if (missingPopulation(labels, rows) !== null) continue;
    folds.push({ train: Uint32Array.from(rows), validation });
  }
  if (folds.length === 0) {
    throw new InvalidInputError({
      where: 'validation',
      message: `${reason}, and no time block of the training part can be scored by a model trained on the others (its ${positivesIn(labels, train)} positive observations all fall in one block): use a longer period or a smaller validation.fraction`,
    });
  }
  return thinnedSearch({ method: 'blocked folds', folds, reason }, labels);
}
