/**
 * The demo line: a bakery line (mixing, proofing, a three-zone oven, cooling) at minute
 * resolution, with realistic dynamics and three causes injected on purpose, so the demo can
 * show that the analysis finds them. Pure and deterministic by seed. See `bakery.md`.
 */
import type { ObservationTable, Variable } from '../frame';
import { createRng, type Rng } from '../random';
import { smoothNoise } from './noise';

export interface BakeryOptions {
  readonly seed?: number;
  readonly days?: number;
  /** First minute, ISO or epoch ms; default 2026-10-01T00:00:00Z. */
  readonly start?: string | number;
}

/** What was injected on purpose: the analysis of `target` should rank `causes` first. */
export interface DemoCause {
  readonly name: string;
  /** A target expression (ARCHITECTURE.md grammar) the pipeline can be run with. */
  readonly target: string;
  /** Variables that drive the target by construction; they should rank at the top. */
  readonly causes: readonly string[];
  /** Variables correlated with a cause by construction (acceptable near the top, not required). */
  readonly related: readonly string[];
  readonly description: string;
}

export const DEMO_CAUSES: readonly DemoCause[] = [
  {
    name: 'burnt',
    target: 'burnt_rate > 0.05',
    causes: ['oven_zone2_temp', 'conveyor_speed'],
    related: ['burner_zone2_gas', 'oven_exhaust_temp', 'product_core_temp', 'energy_kw'],
    description:
      'Products burn when oven zone 2 runs above 237 °C while the conveyor runs below 4.3 m/min ' +
      '(a drifting zone 2 burner controller and downstream jams that slow the belt). Either alone is harmless.',
  },
  {
    name: 'cracks',
    target: 'crack_rate > 0.04',
    causes: ['flour_lot', 'flour_moisture'],
    related: ['dough_temp', 'mixer_power'],
    description:
      'Flour lot L7 is humid (about 15.8 % moisture against 13-14.5 % for the others): while it is in use, ' +
      'the crust cracks more, roughly in proportion to the moisture above 14.8 %.',
  },
  {
    name: 'energy',
    target: 'energy_kw > 190',
    causes: ['defrost_heater'],
    related: ['freezer_temp', 'compressor_power'],
    description:
      'Every 6 hours the blast freezer defrosts for 25 minutes: its heaters add about 85 kW while the compressor (about 30 kW) stops and the line ' +
      'energy spikes. The freezer warms up meanwhile.',
  },
];

/** The variables the generator writes, in column order (after `time`). */
export const DEMO_VARIABLES: readonly string[] = [
  'recipe',
  'shift',
  'line_state',
  'flour_lot',
  'flour_moisture',
  'water_temp',
  'mixer_speed',
  'mixer_power',
  'mixing_time',
  'dough_temp',
  'proofer_temp',
  'proofer_humidity',
  'proof_time',
  'oven_zone1_temp',
  'oven_zone2_temp',
  'oven_zone3_temp',
  'burner_zone2_gas',
  'oven_exhaust_temp',
  'conveyor_speed',
  'cooling_air_temp',
  'cooling_fan_speed',
  'product_core_temp',
  'product_weight',
  'ambient_temp',
  'ambient_humidity',
  'freezer_temp',
  'compressor_power',
  'defrost_heater',
  'energy_kw',
  'burnt_rate',
  'crack_rate',
];

interface Recipe {
  readonly name: string;
  readonly zone: readonly [number, number, number];
  readonly mixerSpeed: number;
  readonly mixingTime: number;
  readonly proofTime: number;
  readonly conveyor: number;
  readonly weight: number;
}

const RECIPES: readonly Recipe[] = [
  {
    name: 'classic',
    zone: [215, 229, 205],
    mixerSpeed: 110,
    mixingTime: 420,
    proofTime: 55,
    conveyor: 4.8,
    weight: 400,
  },
  {
    name: 'wholegrain',
    zone: [220, 231, 210],
    mixerSpeed: 95,
    mixingTime: 480,
    proofTime: 65,
    conveyor: 4.6,
    weight: 450,
  },
  {
    name: 'seeded',
    zone: [218, 230, 208],
    mixerSpeed: 100,
    mixingTime: 450,
    proofTime: 60,
    conveyor: 4.7,
    weight: 420,
  },
];

const LOT_MOISTURE: Record<string, number> = {
  L1: 13.4,
  L2: 13.9,
  L3: 13.1,
  L4: 14.2,
  L5: 13.6,
  L6: 14.4,
  L7: 15.8,
  L8: 13.8,
  L9: 14.0,
};

const MINUTE = 60_000;

// Module-level aliases: global lookups in the per-minute loop are slow in some hosts (jest's vm).
const { abs, floor, log, max, min, round, sin, PI } = Math;

/** Random episodes: marks minutes inside [start, start + duration) with a 0..1 ramp-shaped level. */
function episodes(
  rng: Rng,
  n: number,
  perDay: number,
  minLength: number,
  maxLength: number,
  ramp: number,
): Float64Array {
  const level = new Float64Array(n);
  let i = floor(rng.next() * (1440 / perDay));
  while (i < n) {
    const length = minLength + floor(rng.next() * (maxLength - minLength));
    for (let k = 0; k < length && i + k < n; k++) {
      const up = min(1, (k + 1) / ramp);
      const down = min(1, (length - k) / max(1, ramp / 3));
      level[i + k] = max(level[i + k], min(up, down));
    }
    // Exponential gaps keep the episodes irregular.
    i += length + floor(-log(1 - rng.next()) * (1440 / perDay));
  }
  return level;
}

/** Generates the demo line as wide rows: `time` (epoch ms, one a minute) and the variables. */
export function generateBakeryLine(options: BakeryOptions = {}): ObservationTable {
  const rng = createRng(options.seed ?? 7);
  const days = options.days ?? 30;
  const start =
    typeof options.start === 'number' ? options.start : Date.parse(options.start ?? '2026-10-01T00:00:00Z');
  const n = round(days * 1440);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = start + i * MINUTE;

  const num = () => new Float64Array(n);
  const v: Record<string, Float64Array> = {};
  for (const name of DEMO_VARIABLES) v[name] = num();
  const recipe: (string | null)[] = new Array(n);
  const shift: (string | null)[] = new Array(n);
  const lineState: (string | null)[] = new Array(n);
  const flourLot: (string | null)[] = new Array(n);

  // Slow processes drawn first, each from the one generator, in a fixed order.
  const weather = smoothNoise(rng, n, 2 * 1440);
  const humidWeather = smoothNoise(rng, n, 1440);
  const zone2Drift = episodes(rng, n, 0.9, 180, 480, 90); // burner controller drifting hot
  const jams = episodes(rng, n, 5, 20, 90, 5); // downstream jams slowing the belt
  const burnerNoise = smoothNoise(rng, n, 30);
  const conveyorNoise = smoothNoise(rng, n, 20);
  const proofDrift = smoothNoise(rng, n, 5 * 1440);
  let valve = 0;

  // Recipes change every 8 hours (at shift changes), flour lots every 36-60 hours.
  const recipeOrder: number[] = [];
  for (let s = 0; s <= n / 480 + 1; s++) recipeOrder.push(rng.int(RECIPES.length));
  const lots = Object.keys(LOT_MOISTURE);
  const lotOf = new Array<string>(n);
  {
    let i = 0;
    let k = rng.int(3);
    while (i < n) {
      const length = (36 + rng.int(25)) * 60;
      // L7, the humid lot, comes twice in a month: lots run in a fixed cycle from a random start.
      const lot = lots[k % lots.length];
      for (let j = i; j < min(n, i + length); j++) lotOf[j] = lot;
      i += length;
      k += 1;
    }
  }

  let freezer = -30;
  for (let i = 0; i < n; i++) {
    const t = new Date(time[i]);
    const hour = t.getUTCHours() + t.getUTCMinutes() / 60;
    const minuteOfDay = t.getUTCHours() * 60 + t.getUTCMinutes();
    const r = RECIPES[recipeOrder[floor(i / 480)]];
    recipe[i] = r.name;
    shift[i] = hour >= 6 && hour < 14 ? 'A' : hour >= 14 && hour < 22 ? 'B' : 'C';
    // Weekly sanitation: Sundays 02:00-06:00 the line stands still and makes no product.
    const cleaning = t.getUTCDay() === 0 && hour >= 2 && hour < 6;
    lineState[i] = cleaning ? 'cleaning' : 'running';
    flourLot[i] = lotOf[i];

    const ambient = 14 + 6 * sin(((hour - 9) / 24) * 2 * PI) + 4 * weather[i] + 0.3 * rng.normal();
    const ambientHumidity = min(98, max(25, 62 - 1.2 * (ambient - 14) + 10 * humidWeather[i] + rng.normal()));
    v.ambient_temp[i] = ambient;
    v.ambient_humidity[i] = ambientHumidity;

    const moisture = LOT_MOISTURE[lotOf[i]] + 0.15 * rng.normal() + 0.01 * (ambientHumidity - 60);
    v.flour_moisture[i] = moisture;
    const water = 12 + 0.25 * (ambient - 14) + 0.4 * rng.normal();
    v.water_temp[i] = water;
    // Shift C runs the mixer slightly harder (an operator habit, harmless).
    const mixerSpeed = cleaning ? 0 : r.mixerSpeed + (shift[i] === 'C' ? 4 : 0) + 1.5 * rng.normal();
    v.mixer_speed[i] = mixerSpeed;
    v.mixing_time[i] = cleaning ? 0 : r.mixingTime + 10 * rng.normal();
    v.mixer_power[i] = cleaning
      ? 0.5
      : 18 + 0.12 * (mixerSpeed - 100) + 1.5 * (moisture - 13.8) + 0.6 * rng.normal();
    const doughTemp =
      24 + 0.35 * (water - 12) + 0.15 * (ambient - 14) + 0.4 * (moisture - 13.8) + 0.3 * rng.normal();
    v.dough_temp[i] = doughTemp;

    v.proofer_temp[i] = 36 + 0.3 * rng.normal();
    // The humidity probe drifts slowly (a sensor in need of calibration).
    v.proofer_humidity[i] = 80 + 2.5 * proofDrift[i] + 0.8 * rng.normal();
    v.proof_time[i] = cleaning ? 0 : r.proofTime + 2 * rng.normal();

    const zone2Excess = 10 * zone2Drift[i] + 0.9 * burnerNoise[i];
    const z1 = r.zone[0] + 0.8 * rng.normal() + 0.2 * zone2Excess;
    const z2 = r.zone[1] + zone2Excess + 0.5 * rng.normal();
    const z3 = r.zone[2] + 0.8 * rng.normal() + 0.3 * zone2Excess;
    v.oven_zone1_temp[i] = z1;
    v.oven_zone2_temp[i] = z2;
    v.oven_zone3_temp[i] = z3;
    // The gas valve hunts around what the controller asks for: a noisy witness of zone 2.
    valve = 0.97 * valve + 0.25 * rng.normal();
    v.burner_zone2_gas[i] = 42 + 1.2 * (z2 - 229) + 4 * valve;
    v.oven_exhaust_temp[i] = (0.45 * (z1 + z2 + z3)) / 3 + 80 + rng.normal();
    const conveyor = cleaning ? 0 : r.conveyor * (1 - 0.16 * jams[i]) + 0.05 * conveyorNoise[i];
    v.conveyor_speed[i] = conveyor;

    v.cooling_air_temp[i] = 0.6 * ambient + 6 + 0.5 * rng.normal();
    v.cooling_fan_speed[i] = 70 + 1.5 * max(0, ambient - 18) + 2 * rng.normal();
    const bakeMinutes = conveyor > 0 ? 60 / conveyor : 0;
    v.product_core_temp[i] = cleaning
      ? Number.NaN
      : 38 + 0.4 * (v.cooling_air_temp[i] - 14) + 0.8 * (bakeMinutes - 12.5) + 0.5 * rng.normal();
    v.product_weight[i] = cleaning ? Number.NaN : r.weight + 0.6 * (moisture - 13.8) * 5 + 3 * rng.normal();

    // Freezer: defrost every 6 hours for 25 minutes (phase 01:10, 07:10, …).
    const defrost = (minuteOfDay - 70 + 1440) % 360 < 25 ? 1 : 0;
    v.defrost_heater[i] = defrost;
    freezer = defrost ? freezer + 0.6 : freezer + (-30 - freezer) * 0.15;
    v.freezer_temp[i] = freezer + 0.3 * rng.normal();
    const compressor = defrost ? 0.4 : 30 + 0.4 * (ambient - 14) + rng.normal();
    v.compressor_power[i] = compressor;

    const gasPower = 0.9 * v.burner_zone2_gas[i];
    v.energy_kw[i] =
      (cleaning ? 40 : 95) + 0.3 * gasPower + v.mixer_power[i] + compressor + 85 * defrost + 3 * rng.normal();

    // Cause 1: zone 2 hot AND belt slow. Cause 2: humid flour cracks the crust.
    const heat = max(0, z2 - 237);
    const slow = max(0, 4.3 - conveyor);
    const burnt =
      0.012 + 0.004 * abs(rng.normal()) + (heat > 0 && slow > 0 ? 0.045 + 0.01 * heat + 0.08 * slow : 0);
    v.burnt_rate[i] = cleaning ? Number.NaN : min(1, burnt + (rng.next() < 0.0015 ? 0.05 : 0));
    const crack = 0.015 + 0.005 * abs(rng.normal()) + 0.03 * max(0, moisture - 14.8);
    v.crack_rate[i] = cleaning ? Number.NaN : min(1, crack);
  }

  // A few sensor dropouts, as on any real line.
  for (const name of ['dough_temp', 'proofer_humidity', 'cooling_air_temp', 'ambient_humidity']) {
    const values = v[name];
    for (let i = 0; i < n; i++) if (rng.next() < 0.001) values[i] = Number.NaN;
  }

  const text: Record<string, (string | null)[]> = {
    recipe,
    shift,
    line_state: lineState,
    flour_lot: flourLot,
  };
  const variables: Variable[] = DEMO_VARIABLES.map((name) =>
    name in text
      ? { name, data: { kind: 'text', values: text[name] } }
      : { name, data: { kind: 'numeric', values: v[name] } },
  );
  return { rows: n, variables, time };
}
