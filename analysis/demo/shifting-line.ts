/**
 * A line whose cause changes: minute data where, until `switchDay`, rejects follow one variable
 * running high (the `before` cause), and from then on another (the `after` cause) while the
 * first no longer matters. Two nightly analyses of the periods before and after the switch must
 * name the new cause and the vanished one. Pure and deterministic by seed.
 */
import type { ObservationTable } from '../frame';
import { createRng } from '../random';
import { smoothNoise } from './noise';

export interface ShiftingLineOptions {
  readonly seed: number;
  /** Days of minutes (default 20). */
  readonly days?: number;
  /** The day the cause changes (default 10). */
  readonly switchDay?: number;
}

export interface ShiftingLine {
  readonly table: ObservationTable;
  readonly target: string;
  /** The cause before the switch and after it. */
  readonly before: string;
  readonly after: string;
  /** When the cause changes (ISO). */
  readonly switchAt: string;
  readonly start: string;
}

/** Process variables: name, typical value, spread, memory in minutes. */
const VARIABLES: readonly (readonly [string, number, number, number])[] = [
  ['oven_zone1_temp', 215, 3, 90],
  ['oven_zone2_temp', 229, 3, 120],
  ['conveyor_speed', 4.8, 0.15, 60],
  ['proofer_humidity', 80, 2.5, 180],
  ['dough_temp', 25, 0.9, 240],
  ['mixer_power', 18, 1.5, 45],
  ['cooling_air_temp', 14, 1.5, 300],
  ['belt_tension', 120, 6, 150],
  ['steam_flow', 1.2, 0.08, 100],
  ['ambient_humidity', 55, 6, 400],
];

const START = Date.parse('2026-09-01T00:00:00Z');
const MINUTE = 60_000;

export function generateShiftingLine(options: ShiftingLineOptions): ShiftingLine {
  const rng = createRng(options.seed);
  const days = options.days ?? 20;
  const switchDay = options.switchDay ?? 10;
  const n = Math.round(days * 1440);
  const switchRow = Math.round(switchDay * 1440);
  const time = Float64Array.from({ length: n }, (_, i) => START + i * MINUTE);
  const z = VARIABLES.map(([, , , tau]) => smoothNoise(rng, n, tau));
  const columns = VARIABLES.map(([, mean, sd], j) =>
    Float64Array.from(z[j], (x) => mean + sd * (x + 0.2 * rng.normal())),
  );
  // Before the switch oven zone 2 running hot makes rejects; after it, low proofer humidity does.
  const before = 1;
  const after = 3;
  const reject = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const active = i < switchRow ? z[before][i] > 1.1 : z[after][i] < -1.1;
    reject[i] = rng.next() < (active ? 0.25 : 0.002) ? 1 : 0;
  }
  return {
    table: {
      rows: n,
      time,
      variables: [
        ...VARIABLES.map(([name], j) => ({ name, data: { kind: 'numeric' as const, values: columns[j] } })),
        { name: 'reject', data: { kind: 'numeric' as const, values: reject } },
      ],
    },
    target: 'reject == 1',
    before: VARIABLES[before][0],
    after: VARIABLES[after][0],
    switchAt: new Date(START + switchRow * MINUTE).toISOString(),
    start: new Date(START).toISOString(),
  };
}
