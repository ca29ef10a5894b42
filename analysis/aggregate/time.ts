/**
 * Time as the configuration writes it and the aggregation uses it: durations (`"10m"`,
 * `"1h30m"`), instants (ISO 8601, UTC when no offset is given) and epoch-aligned windows. Windows
 * are [k·width, (k + 1)·width) in epoch milliseconds, k = floor(ms / width), as pandas
 * `resample(..., origin="epoch")` makes them, so the same data always falls into the same windows.
 */
import { InvalidInputError } from '../errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_HINT = 'a duration such as "10m", "30s", "2h" or "1d"';

/** A duration as the configuration writes it (what `parseDuration` reads, units in lower case). */
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|min|s|m|h|d|w))+$|^0$/;

/**
 * Parses a duration such as `"10m"`, `"90s"`, `"1h30m"`, `"2d"` into milliseconds.
 * Units: ms, s, m (or min), h, d, w. A bare `0` is zero. `where` names the configuration field
 * in the error message.
 */
export function parseDuration(text: string | number, where = 'duration'): number {
  if (typeof text === 'number' && text === 0) return 0;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidInputError({ where, message: `must be ${DURATION_HINT}, got ${JSON.stringify(text)}` });
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

/**
 * Parses an ISO 8601 instant into epoch milliseconds: an offset (`Z`, `+02:00`) is honoured,
 * none means UTC, a date alone is midnight UTC.
 */
export function parseInstant(text: string, where: string): number {
  const value = typeof text === 'string' ? text.trim() : '';
  const withZone =
    /([zZ]|[+-]\d\d:?\d\d)$/.test(value) || /^\d{4}-\d\d-\d\d$/.test(value) ? value : `${value}Z`;
  const ms = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidInputError({
      where,
      message: `cannot read ${JSON.stringify(text)} as a time; use ISO 8601, e.g. 2026-10-01T00:00:00Z`,
    });
  }
  return ms;
}

/** A period: `fromMs` inclusive, `toMs` exclusive, either open. */
export interface Period {
  readonly fromMs?: number;
  readonly toMs?: number;
}

/** Parses a period's two ends and checks their order; `where` names each end (`period.from`). */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  where: { readonly from: string; readonly to: string },
): Period {
  const fromMs = from === undefined || from === '' ? undefined : parseInstant(from, where.from);
  const toMs = to === undefined || to === '' ? undefined : parseInstant(to, where.to);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    throw new InvalidInputError({
      where: where.from,
      message: `${from} must be before ${where.to} (${to})`,
    });
  }
  return { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) };
}

/** The number of the epoch-aligned window of width `widthMs` holding `ms`. */
export function windowOf(ms: number, widthMs: number): number {
  // + 0: no negative zero.
  return Math.floor(ms / widthMs) + 0;
}

/** Start (epoch ms) of the epoch-aligned window of width `widthMs` holding `ms`. */
export function windowStart(ms: number, widthMs: number): number {
  return windowOf(ms, widthMs) * widthMs;
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
