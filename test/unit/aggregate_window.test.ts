import { formatDuration, lagInWindows, parseDuration, windowStart } from '../../analysis/window';

describe('durations', () => {
  test.each([
    ['10m', 600_000],
    ['0m', 0],
    ['0', 0],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['15min', 900_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test('unreadable durations name the field', () => {
    expect(() => parseDuration('10 minutes', 'aggregation.window')).toThrow(
      /aggregation.window.*"10 minutes"/,
    );
    expect(() => parseDuration('', 'validation.gap')).toThrow(/validation.gap/);
  });

  test('format is the inverse on whole units', () => {
    for (const text of ['10m', '1h', '2d', '45s', '0m'])
      expect(formatDuration(parseDuration(text))).toBe(text);
  });

  test('windows are epoch-aligned; lags are whole windows', () => {
    const t = Date.parse('2026-10-01T10:17:42Z');
    expect(new Date(windowStart(t, 600_000)).toISOString()).toBe('2026-10-01T10:10:00.000Z');
    expect(lagInWindows(1_200_000, 600_000)).toBe(2);
    expect(() => lagInWindows(300_000, 600_000)).toThrow(/aggregation.lag.*5m.*10m/);
  });
});
