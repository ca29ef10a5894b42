/**
 * Random production lines with a known cause, for acceptance tests the analysis has never seen
 * (and, `generateDriftLine`, lines with no cause among their columns, for calibration):
 * 12–20 process variables (smooth autocorrelated noise, daily cycles, slow drifts, correlated
 * pairs, a few sensor dropouts), an ingredient lot column, and a quality column driven by one
 * injected cause: a single threshold, an interaction of two variables, a bad ingredient lot, or
 * a two-sided safe range. Either minute time series or one row per batch (with a batch id).
 * Pure and deterministic by seed: every random choice goes through one `Rng`.
 */
import type { ObservationTable, Variable } from '../frame';
import { createRng, type Rng } from '../random';
import { ar1, smoothNoise } from './noise';

export const CAUSE_KINDS = ['threshold', 'interaction', 'lot', 'range'] as const;
export type CauseKind = (typeof CAUSE_KINDS)[number];
export const LINE_SHAPES = ['minutes', 'batches'] as const;
export type LineShape = (typeof LINE_SHAPES)[number];

export interface RandomLineOptions {
  readonly seed: number;
  /** Default: drawn from the seed. */
  readonly kind?: CauseKind;
  /** Default: drawn from the seed. */
  readonly shape?: LineShape;
  /** Days of minute data (default 14): 2016 ten-minute windows. */
  readonly days?: number;
  /** Batches for the per-batch shape (default 3000). */
  readonly batches?: number;
}

/** A threshold that drives the target by construction: positives where the value is `direction` it. */
export interface TrueThreshold {
  readonly variable: string;
  readonly value: number;
  readonly direction: 'above' | 'below';
}

/** What was injected: the analysis of `target` should rank `causes` first. */
export interface RandomLineTruth {
  /** `drift`: no column is a cause (`generateDriftLine`). */
  readonly kind: CauseKind | 'drift';
  readonly shape: LineShape;
  /** A target expression for the pipeline (ARCHITECTURE.md grammar). */
  readonly target: string;
  /** The quality column the target reads. */
  readonly quality: string;
  /** The variables that drive the target. */
  readonly causes: readonly string[];
  /**
   * The thresholds behind the cause: one for `threshold` (the one a depth-1 split should find),
   * two for `interaction` (both must hold at once), two for `range` (the safe range's ends:
   * trouble below the first or above the second); none for `lot`.
   */
  readonly thresholds: readonly TrueThreshold[];
  /** The bad ingredient lot (`lot` kind). */
  readonly badLot?: string;
  /** The batch id column (per-batch shape): one distinct id a row. */
  readonly batchColumn?: string;
  /** Share of rows with the quality flag set. */
  readonly positiveRate: number;
}

export interface RandomLine {
  readonly table: ObservationTable;
  readonly truth: RandomLineTruth;
}

/** Plausible process variables: name, typical value and spread. */
const PROCESS_VARIABLES: readonly (readonly [string, number, number])[] = [
  ['mixer_temp', 24, 1.2],
  ['mixer_speed', 110, 4],
  ['mixer_power', 18, 1.5],
  ['water_temp', 12, 0.8],
  ['dough_temp', 25, 0.9],
  ['proofer_temp', 36, 0.5],
  ['proofer_humidity', 80, 2.5],
  ['oven_zone1_temp', 215, 3],
  ['oven_zone2_temp', 229, 3],
  ['oven_zone3_temp', 205, 3],
  ['conveyor_speed', 4.8, 0.15],
  ['belt_tension', 120, 6],
  ['cooling_air_temp', 14, 1.5],
  ['cooling_fan_speed', 70, 3],
  ['filler_pressure', 2.5, 0.12],
  ['seal_temp', 165, 2.5],
  ['line_pressure', 3.2, 0.15],
  ['vacuum_level', -0.8, 0.04],
  ['product_weight', 400, 4],
  ['ambient_temp', 20, 2.5],
  ['ambient_humidity', 55, 6],
  ['steam_flow', 1.2, 0.08],
  ['motor_current', 14, 0.9],
  ['vibration', 2.1, 0.3],
  ['brine_concentration', 18, 0.6],
  ['ph', 5.6, 0.08],
];

const MINUTE = 60_000;
const START = Date.parse('2026-09-01T00:00:00Z');
const { exp, floor, log, max, min, sin, PI } = Math;

/** A draw uniform in [lo, hi). */
function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Fisher–Yates, in place. */
function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The empirical `q` quantile (linear interpolation), missing values left out. */
export function quantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  const h = (sorted.length - 1) * q;
  const lo = floor(h);
  return sorted[lo] + (h - lo) * ((sorted[min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

/**
 * A standardized signal. Minutes: AR(1) with 10 min–10 h memory, sometimes a daily cycle, and
 * for non-causes sometimes a slow drift over the whole period. Batches: AR(1) over 1–30 batches
 * (raw material and wear carry from one batch to the next). Plus measurement noise.
 */
function signal(rng: Rng, n: number, shape: LineShape, isCause: boolean): Float64Array {
  const minutes = shape === 'minutes';
  // Causes vary on a scale that crosses their thresholds many times over the period, so the
  // training and validation parts both see the effect.
  const tau = minutes
    ? exp(uniform(rng, log(isCause ? 20 : 10), log(isCause ? 240 : 600)))
    : exp(uniform(rng, 0, log(isCause ? 10 : 30)));
  const slow = smoothNoise(rng, n, tau);
  const daily = minutes && rng.next() < 0.3 ? uniform(rng, 0.3, 0.8) : 0;
  const phase = uniform(rng, 0, 2 * PI);
  const drift = !isCause && rng.next() < 0.3 ? uniform(rng, -1.2, 1.2) : 0;
  const white = uniform(rng, 0.2, 0.5);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cycle = daily * sin((2 * PI * i) / 1440 + phase);
    out[i] = slow[i] + cycle + drift * (i / n - 0.5) * 2 + white * rng.normal();
  }
  return out;
}

/**
 * Ingredient lots in runs (4–12 h of minutes, 20–60 batches). For the `lot` cause the bad lot
 * runs once in each fifth of the period, so the time-ordered training and validation parts both
 * see it, and about a tenth of the time in all.
 */
function lotSchedule(
  rng: Rng,
  n: number,
  shape: LineShape,
  lots: readonly string[],
  bad: string | undefined,
  runs: readonly [number, number] = shape === 'minutes' ? [240, 720] : [20, 60],
): string[] {
  const [shortest, longest] = runs;
  const good = bad === undefined ? lots : lots.filter((l) => l !== bad);
  const out = new Array<string>(n);
  let i = 0;
  let previous = '';
  while (i < n) {
    const length = shortest + (longest > shortest ? rng.int(longest - shortest) : 0);
    let lot = good[rng.int(good.length)];
    if (lot === previous) lot = good[(good.indexOf(lot) + 1) % good.length];
    for (let j = i; j < min(n, i + length); j++) out[j] = lot;
    previous = lot;
    i += length;
  }
  if (bad !== undefined) {
    const fifth = floor(n / 5);
    const length = floor(n / 50);
    for (let k = 0; k < 5; k++) {
      const at = k * fifth + rng.int(max(1, fifth - length));
      for (let j = at; j < min(n, at + length); j++) out[j] = bad;
    }
  }
  return out;
}

/**
 * The line's shape (drawn when not given), its length and its row times: regular minutes, or a
 * batch every 20–40 minutes.
 */
function lineFrame(
  rng: Rng,
  options: { shape?: LineShape; days?: number; batches?: number },
): { shape: LineShape; minutes: boolean; n: number; time: Float64Array } {
  const shape = options.shape ?? LINE_SHAPES[rng.int(LINE_SHAPES.length)];
  const minutes = shape === 'minutes';
  const n = minutes ? floor((options.days ?? 14) * 1440) : (options.batches ?? 3000);
  const time = new Float64Array(n);
  let t = START;
  for (let i = 0; i < n; i++) {
    time[i] = t;
    t += minutes ? MINUTE : (20 + rng.int(21)) * MINUTE;
  }
  return { shape, minutes, n, time };
}

type ProcessVariable = (typeof PROCESS_VARIABLES)[number];

/** Correlated pairs among columns `from..`, as sensors of one process are. */
function correlatePairs(
  rng: Rng,
  columns: Float64Array[],
  chosen: readonly ProcessVariable[],
  from: number,
): void {
  const count = columns.length;
  const n = columns[0].length;
  for (let k = 0; k < 3; k++) {
    const a = from + rng.int(count - from);
    const b = from + rng.int(count - from);
    if (a === b) continue;
    const weight = uniform(rng, 0.4, 0.8);
    const [, meanFrom, sdFrom] = chosen[a];
    const [, meanTo, sdTo] = chosen[b];
    for (let i = 0; i < n; i++) {
      const z = (columns[a][i] - meanFrom) / sdFrom;
      columns[b][i] = meanTo + sdTo * (weight * z + ((1 - weight) * (columns[b][i] - meanTo)) / sdTo);
    }
  }
}

/**
 * The quality flag: likely where `active`, rare elsewhere (label noise both ways). Minutes are
 * flagged one by one; a ten-minute window is positive when any minute is.
 */
function qualityFlags(
  rng: Rng,
  active: Uint8Array,
  minutes: boolean,
): { flag: Float64Array; positives: number } {
  const n = active.length;
  const pIn = minutes ? uniform(rng, 0.12, 0.25) : uniform(rng, 0.55, 0.8);
  const pOut = minutes ? uniform(rng, 0.001, 0.003) : uniform(rng, 0.01, 0.025);
  const flag = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    flag[i] = rng.next() < (active[i] ? pIn : pOut) ? 1 : 0;
    positives += flag[i];
  }
  return { flag, positives };
}

/** A few sensor dropouts on columns `from..`. */
function dropouts(rng: Rng, columns: Float64Array[], from: number): void {
  for (let j = from; j < columns.length; j++) {
    if (rng.next() < 0.5) continue;
    for (let i = 0; i < columns[j].length; i++) if (rng.next() < 0.002) columns[j][i] = Number.NaN;
  }
}

/** The table: batch ids (batches), the columns in a shuffled order, the lots, the quality flag. */
function lineTable(
  rng: Rng,
  parts: {
    time: Float64Array;
    minutes: boolean;
    chosen: readonly ProcessVariable[];
    columns: readonly Float64Array[];
    lots: string[];
    quality: string;
    flag: Float64Array;
  },
): { table: ObservationTable; batchColumn?: string } {
  const { time, minutes, chosen, columns, lots, quality, flag } = parts;
  const n = time.length;
  const variables: Variable[] = [];
  let batchColumn: string | undefined;
  if (!minutes) {
    batchColumn = 'batch_id';
    const ids = Array.from({ length: n }, (_, i) => `B${String(240_000 + i)}`);
    variables.push({ name: batchColumn, data: { kind: 'text', values: ids } });
  }
  // Column order shuffled so the causes are not always first.
  const order = shuffle(
    rng,
    chosen.map((_, j) => j),
  );
  for (const j of order)
    variables.push({ name: chosen[j][0], data: { kind: 'numeric', values: columns[j] } });
  variables.push({ name: 'ingredient_lot', data: { kind: 'text', values: lots } });
  variables.push({ name: quality, data: { kind: 'numeric', values: flag } });
  return { table: { rows: n, variables, time }, ...(batchColumn === undefined ? {} : { batchColumn }) };
}

const lotNamesFor = (rng: Rng) => Array.from({ length: 6 + rng.int(5) }, (_, k) => `L${String(101 + k)}`);

/** Generates one random line with its injected cause. */
export function generateRandomLine(options: RandomLineOptions): RandomLine {
  const rng = createRng(options.seed);
  const kind = options.kind ?? CAUSE_KINDS[rng.int(CAUSE_KINDS.length)];
  const { shape, minutes, n, time } = lineFrame(rng, options);

  const count = 12 + rng.int(9);
  const chosen = shuffle(rng, PROCESS_VARIABLES.slice()).slice(0, count);
  const causeCount = kind === 'interaction' ? 2 : kind === 'lot' ? 0 : 1;
  const columns = chosen.map(([, mean, sd], j) => {
    const z = signal(rng, n, shape, j < causeCount);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + sd * z[i];
    return out;
  });
  correlatePairs(rng, columns, chosen, causeCount);

  const lotNames = lotNamesFor(rng);
  const badLot = kind === 'lot' ? lotNames[rng.int(lotNames.length)] : undefined;
  const lots = lotSchedule(rng, n, shape, lotNames, badLot);

  // Where the cause is active.
  const active = new Uint8Array(n);
  const thresholds: TrueThreshold[] = [];
  const name = (j: number) => chosen[j][0];
  if (kind === 'threshold') {
    const direction = rng.next() < 0.5 ? 'above' : 'below';
    const share = uniform(rng, 0.08, 0.18);
    const value = quantile(columns[0], direction === 'above' ? 1 - share : share);
    thresholds.push({ variable: name(0), value, direction });
    for (let i = 0; i < n; i++)
      active[i] = direction === 'above' ? +(columns[0][i] > value) : +(columns[0][i] <= value);
  } else if (kind === 'interaction') {
    // Each condition alone is common (30–45 % of the time) and harmless; together they are not.
    const a = quantile(columns[0], 1 - uniform(rng, 0.3, 0.45));
    const b = quantile(columns[1], uniform(rng, 0.3, 0.45));
    thresholds.push({ variable: name(0), value: a, direction: 'above' });
    thresholds.push({ variable: name(1), value: b, direction: 'below' });
    for (let i = 0; i < n; i++) active[i] = +(columns[0][i] > a && columns[1][i] <= b);
  } else if (kind === 'range') {
    const lo = quantile(columns[0], uniform(rng, 0.05, 0.1));
    const hi = quantile(columns[0], 1 - uniform(rng, 0.05, 0.1));
    thresholds.push({ variable: name(0), value: lo, direction: 'below' });
    thresholds.push({ variable: name(0), value: hi, direction: 'above' });
    for (let i = 0; i < n; i++) active[i] = +(columns[0][i] <= lo || columns[0][i] > hi);
  } else {
    for (let i = 0; i < n; i++) active[i] = +(lots[i] === badLot);
  }

  const { flag, positives } = qualityFlags(rng, active, minutes);
  dropouts(rng, columns, causeCount);
  const quality = minutes ? 'reject' : 'defect';
  const { table, batchColumn } = lineTable(rng, { time, minutes, chosen, columns, lots, quality, flag });

  const causes =
    kind === 'lot' ? ['ingredient_lot'] : kind === 'interaction' ? [name(0), name(1)] : [name(0)];
  return {
    table,
    truth: {
      kind,
      shape,
      target: `${quality} == 1`,
      quality,
      causes,
      thresholds,
      ...(badLot === undefined ? {} : { badLot }),
      ...(batchColumn === undefined ? {} : { batchColumn }),
      positiveRate: positives / n,
    },
  };
}

export interface DriftLineOptions {
  readonly seed: number;
  /** Default: drawn from the seed. */
  readonly shape?: LineShape;
  /** Days of minute data (default 14). */
  readonly days?: number;
  /** Batches for the per-batch shape (default 3000). */
  readonly batches?: number;
}

/** AR(1) coefficient of every sensor of a drift line, per row (minute or batch). */
export const DRIFT_LINE_AR = 0.98;
/** Batches each lot of a drift line lasts. */
export const DRIFT_LINE_LOT_BATCHES = 100;

/**
 * A line where no column is a cause: the defects follow an unmeasured slow drift (an AR(1)
 * process with 6 h–2 days of memory on minutes, 30–300 batches on batches, crossing a threshold
 * as a threshold cause would), while every sensor is AR(1) with coefficient 0.98 per row plus
 * measurement noise (some minute sensors with a daily cycle, a few correlated pairs, a few
 * dropouts), and lots last 4–12 hours or exactly 100 batches. Defects come in episodes and
 * every variable drifts, so rows are far from independent draws: the null on which a test of
 * "does this variable differ between bad and good observations" must keep its promised rate.
 */
export function generateDriftLine(options: DriftLineOptions): RandomLine {
  const rng = createRng(options.seed);
  const { shape, minutes, n, time } = lineFrame(rng, options);

  const count = 20 + rng.int(7);
  const chosen = shuffle(rng, PROCESS_VARIABLES.slice()).slice(0, count);
  const columns = chosen.map(([, mean, sd]) => {
    const z = ar1(rng, n, DRIFT_LINE_AR);
    const daily = minutes && rng.next() < 0.3 ? uniform(rng, 0.3, 0.8) : 0;
    const phase = uniform(rng, 0, 2 * PI);
    const white = uniform(rng, 0.2, 0.5);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++)
      out[i] = mean + sd * (z[i] + daily * sin((2 * PI * i) / 1440 + phase) + white * rng.normal());
    return out;
  });
  correlatePairs(rng, columns, chosen, 0);
  const lotNames = lotNamesFor(rng);
  const lots = lotSchedule(
    rng,
    n,
    shape,
    lotNames,
    undefined,
    minutes ? [240, 720] : [DRIFT_LINE_LOT_BATCHES, DRIFT_LINE_LOT_BATCHES],
  );

  const memory = minutes ? exp(uniform(rng, log(360), log(2880))) : exp(uniform(rng, log(30), log(300)));
  const drift = smoothNoise(rng, n, memory);
  const share = uniform(rng, 0.08, 0.18);
  const level = quantile(drift, 1 - share);
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) active[i] = +(drift[i] > level);
  const { flag, positives } = qualityFlags(rng, active, minutes);
  dropouts(rng, columns, 0);
  const quality = minutes ? 'reject' : 'defect';
  const { table, batchColumn } = lineTable(rng, { time, minutes, chosen, columns, lots, quality, flag });
  return {
    table,
    truth: {
      kind: 'drift',
      shape,
      target: `${quality} == 1`,
      quality,
      causes: [],
      thresholds: [],
      ...(batchColumn === undefined ? {} : { batchColumn }),
      positiveRate: positives / n,
    },
  };
}
