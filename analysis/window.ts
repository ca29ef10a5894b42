/**
 * Durations and window arithmetic for the aggregation stage: `"10m"`, `"1h30m"`, `"0m"`.
 * Windows are aligned on the Unix epoch (UTC), as pandas `resample` and DuckDB `time_bucket`
 * with an epoch origin do, so the same data always falls into the same windows.
 */
import { InvalidInputError } from './errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `"10m"`, `"90s"`, `"1h30m"`, `"2d"` into milliseconds.
 * Units: ms, s, m (or min), h, d, w. A bare `0` is zero. `where` names the configuration field
 * in the error message.
 */
export function parseDuration(text: string | number, where = 'duration'): number {
  if (typeof text === 'number' && text === 0) return 0;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidInputError({
      where,
      message: `expected a duration such as "10m", got ${JSON.stringify(text)}`,
    });
  }
  const source = text.trim().toLowerCase();
  if (source === '0') return 0;
  const part = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < source.length) {
    part.lastIndex = pos;
    const match = part.exec(source);
    if (!match) {
      throw new InvalidInputError({
        where,
        message: `cannot read ${JSON.stringify(text)} as a duration: use a number and a unit (ms, s, m, h, d, w), e.g. "10m" or "1h30m"`,
      });
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
    pos = part.lastIndex;
    while (source[pos] === ' ') pos++;
  }
  return Math.round(total);
}

/** Writes milliseconds back as the shortest readable duration: 600000 → "10m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0m';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Start (epoch ms) of the epoch-aligned window of width `widthMs` holding `timeMs`. */
export function windowStart(timeMs: number, widthMs: number): number {
  return Math.floor(timeMs / widthMs) * widthMs;
}

/**
 * How many windows a lag spans. A lag must be a whole number of windows, so that the features
 * of window w - k explain the target of window w without mixing two windows.
 */
export function lagInWindows(lagMs: number, widthMs: number, where = 'aggregation.lag'): number {
  if (lagMs < 0) throw new InvalidInputError({ where, message: 'must not be negative' });
  if (lagMs % widthMs !== 0) {
    throw new InvalidInputError({
      where,
      message: `${formatDuration(lagMs)} is not a whole number of ${formatDuration(widthMs)} windows; use a multiple of the window`,
    });
  }
  return lagMs / widthMs;
}
