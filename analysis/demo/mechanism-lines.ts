/**
 * Random lines with the mechanisms the "what to do" analysis must recover, built on
 * `random-line.ts`: its four causes (threshold, two-sided range, interaction, bad lot) as they
 * are, and four more made from its lines:
 *
 * - `dead-time`: a fast-moving setting crosses a threshold and the defects show 30–90 minutes
 *   later (minutes only);
 * - `stratified`: a threshold cause that acts in one recipe only (a `recipe` column, 3–4
 *   recipes in runs);
 * - `confounded`: one recipe makes more defects by itself, and a setting whose set-point
 *   depends on the recipe differs between the populations only through the recipe mix;
 * - `indicator`: a threshold cause on a setting, and a measurement that moves with the defects
 *   (it separates better than the cause, but nobody can set it);
 * - `null`: no cause: the defects come in runs driven by a hidden process no variable sees, so
 *   any rule, window or lag found is chance (what q-values must hold their rate on).
 *
 * Every line comes with roles (`variables.roles`): the causes are settings, the lot and the
 * recipe materials, ambient conditions ambient, a few sensors measurements. Pure and
 * deterministic by seed.
 */
import type { ObservationTable, Variable } from '../frame';
import { createRng, type Rng } from '../random';
import type { RoleLists, VariableRole } from '../rules/types';
import { smoothNoise } from './noise';
import {
  type CauseKind,
  generateRandomLine,
  type LineShape,
  quantile,
  type RandomLineTruth,
} from './random-line';

export const MECHANISMS = [
  'threshold',
  'range',
  'interaction',
  'lot',
  'dead-time',
  'stratified',
  'confounded',
  'indicator',
  'null',
] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface MechanismLineOptions {
  readonly seed: number;
  readonly mechanism: Mechanism;
  /** Default: drawn from the seed (`dead-time` is always minutes). */
  readonly shape?: LineShape;
  readonly days?: number;
  readonly batches?: number;
}

export interface MechanismTruth extends RandomLineTruth {
  readonly mechanism: Mechanism;
  /** `dead-time`: minutes between the cause and the defects it makes. */
  readonly lagMinutes?: number;
  /** `stratified`, `confounded`: the recipe column, and the recipe the cause acts in. */
  readonly recipeColumn?: string;
  readonly recipe?: string;
  /** Variables that differ between the populations only through the recipe mix. */
  readonly confounded?: readonly string[];
  /** `indicator`: the measurement that moves with the defects. */
  readonly indicator?: string;
  readonly roles: RoleLists;
}

export interface MechanismLine {
  readonly table: ObservationTable;
  readonly truth: MechanismTruth;
}

const MEASUREMENTS = new Set([
  'product_weight',
  'vibration',
  'motor_current',
  'ph',
  'dough_temp',
  'mixer_power',
]);
const { log, exp } = Math;

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

function numericValues(table: ObservationTable, name: string): Float64Array {
  const v = table.variables.find((x) => x.name === name);
  if (v?.data.kind !== 'numeric') throw new RangeError(`mechanism line: no numeric "${name}"`);
  return v.data.values;
}

function meanSd(values: Float64Array): [number, number] {
  let sum = 0;
  let count = 0;
  for (const v of values)
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  const mean = sum / count;
  let ss = 0;
  for (const v of values) if (!Number.isNaN(v)) ss += (v - mean) ** 2;
  return [mean, Math.sqrt(ss / Math.max(1, count - 1))];
}

/** The table with some columns replaced and others appended (before the quality column). */
function withColumns(
  table: ObservationTable,
  replaced: ReadonlyMap<string, Variable['data']>,
  added: readonly Variable[],
  quality: string,
): ObservationTable {
  const variables: Variable[] = [];
  for (const v of table.variables) {
    if (v.name === quality) variables.push(...added);
    const data = replaced.get(v.name);
    variables.push(data ? { name: v.name, data } : v);
  }
  return { ...table, variables };
}

/** The quality flag from where the cause is active, as `random-line.ts` draws it. */
function flags(rng: Rng, active: Uint8Array, minutes: boolean, pIn?: number, pOut?: number): Float64Array {
  const inside = pIn ?? (minutes ? uniform(rng, 0.12, 0.25) : uniform(rng, 0.55, 0.8));
  const outside = pOut ?? (minutes ? uniform(rng, 0.001, 0.003) : uniform(rng, 0.01, 0.025));
  const out = new Float64Array(active.length);
  for (let i = 0; i < active.length; i++) out[i] = rng.next() < (active[i] ? inside : outside) ? 1 : 0;
  return out;
}

function positiveRate(flag: Float64Array): number {
  let s = 0;
  for (const f of flag) s += f;
  return s / flag.length;
}

/** Recipes in runs (3–8 h of minutes, 10–40 batches), never the same twice in a row. */
function recipeSchedule(rng: Rng, n: number, minutes: boolean, recipes: readonly string[]): string[] {
  const [shortest, longest] = minutes ? [180, 480] : [10, 40];
  const out = new Array<string>(n);
  let previous = -1;
  for (let i = 0; i < n; ) {
    let r = rng.int(recipes.length);
    if (r === previous) r = (r + 1) % recipes.length;
    const length = shortest + rng.int(longest - shortest);
    for (let j = i; j < Math.min(n, i + length); j++) out[j] = recipes[r];
    previous = r;
    i += length;
  }
  return out;
}

function rolesFor(
  table: ObservationTable,
  truth: { causes: readonly string[]; quality: string },
  extra: Partial<Record<string, VariableRole>> = {},
): RoleLists {
  const lists: Record<VariableRole, string[]> = { setting: [], material: [], measurement: [], ambient: [] };
  const causes = new Set(truth.causes);
  for (const v of table.variables) {
    const name = v.name;
    if (name === truth.quality || name === 'batch_id') continue;
    const role: VariableRole =
      extra[name] ??
      (causes.has(name) && v.data.kind === 'numeric'
        ? 'setting'
        : v.data.kind === 'text'
          ? 'material'
          : name.startsWith('ambient_')
            ? 'ambient'
            : MEASUREMENTS.has(name)
              ? 'measurement'
              : 'setting');
    lists[role].push(name);
  }
  return lists;
}

function baseLine(options: MechanismLineOptions, kind: CauseKind, shape?: LineShape) {
  return generateRandomLine({
    seed: options.seed,
    kind,
    ...((shape ?? options.shape) ? { shape: shape ?? options.shape } : {}),
    ...(options.days === undefined ? {} : { days: options.days }),
    ...(options.batches === undefined ? {} : { batches: options.batches }),
  });
}

function deadTimeLine(options: MechanismLineOptions, rng: Rng): MechanismLine {
  const base = baseLine(options, 'threshold', 'minutes');
  const { table, truth } = base;
  const n = table.rows;
  const cause = truth.causes[0];
  const [mean, sd] = meanSd(numericValues(table, cause));
  // A fast setting (5–15 minutes of memory): at lag 0 it says little about defects 30+ minutes on.
  const tau = exp(uniform(rng, log(5), log(15)));
  const slow = smoothNoise(rng, n, tau);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = mean + sd * (0.95 * slow[i] + 0.3 * rng.normal());
  const lag = 30 + rng.int(61);
  const direction = rng.next() < 0.5 ? 'above' : 'below';
  const share = uniform(rng, 0.08, 0.18);
  const threshold = quantile(values, direction === 'above' ? 1 - share : share);
  const active = new Uint8Array(n);
  for (let i = lag; i < n; i++) {
    const v = values[i - lag];
    active[i] = direction === 'above' ? +(v > threshold) : +(v <= threshold);
  }
  const flag = flags(rng, active, true);
  const replaced = new Map<string, Variable['data']>([
    [cause, { kind: 'numeric', values }],
    [truth.quality, { kind: 'numeric', values: flag }],
  ]);
  const out = withColumns(table, replaced, [], truth.quality);
  return {
    table: out,
    truth: {
      ...truth,
      mechanism: 'dead-time',
      thresholds: [{ variable: cause, value: threshold, direction }],
      positiveRate: positiveRate(flag),
      lagMinutes: lag,
      roles: rolesFor(out, truth),
    },
  };
}

function recipeLine(options: MechanismLineOptions, rng: Rng, confounded: boolean): MechanismLine {
  const base = baseLine(options, 'threshold');
  const { table, truth } = base;
  const n = table.rows;
  const minutes = truth.shape === 'minutes';
  const recipes = Array.from({ length: 3 + rng.int(2) }, (_, k) => `R${k + 1}`);
  const schedule = recipeSchedule(rng, n, minutes, recipes);
  const chosen = recipes[rng.int(recipes.length)];
  const cause = truth.causes[0];
  // Non-causes whose set-point depends on the recipe (as oven profiles do).
  const others = table.variables
    .filter((v) => v.data.kind === 'numeric' && v.name !== cause && v.name !== truth.quality)
    .map((v) => v.name);
  const shifted = [others[rng.int(others.length)]];
  const replaced = new Map<string, Variable['data']>();
  for (const name of shifted) {
    const source = numericValues(table, name);
    const [, sd] = meanSd(source);
    const offsets = new Map(recipes.map((r) => [r, r === chosen ? 1.5 * sd : uniform(rng, -0.4, 0.4) * sd]));
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = source[i] + (offsets.get(schedule[i]) as number);
    replaced.set(name, { kind: 'numeric', values });
  }
  const active = new Uint8Array(n);
  let thresholds: RandomLineTruth['thresholds'] = [];
  let causes: readonly string[];
  let flag: Float64Array;
  if (confounded) {
    // The recipe itself makes defects; the shifted set-point only follows the recipe.
    for (let i = 0; i < n; i++) active[i] = +(schedule[i] === chosen);
    flag = flags(rng, active, minutes, minutes ? uniform(rng, 0.02, 0.04) : uniform(rng, 0.15, 0.3));
    causes = ['recipe'];
  } else {
    const values = numericValues(table, cause);
    const inRecipe = values.filter((_, i) => schedule[i] === chosen);
    const { direction } = truth.thresholds[0];
    const share = uniform(rng, 0.15, 0.3);
    const threshold = quantile(inRecipe, direction === 'above' ? 1 - share : share);
    thresholds = [{ variable: cause, value: threshold, direction }];
    for (let i = 0; i < n; i++) {
      const hit = direction === 'above' ? values[i] > threshold : values[i] <= threshold;
      active[i] = +(schedule[i] === chosen && hit);
    }
    flag = flags(rng, active, minutes);
    causes = [cause, 'recipe'];
  }
  replaced.set(truth.quality, { kind: 'numeric', values: flag });
  const recipe: Variable = { name: 'recipe', data: { kind: 'text', values: schedule } };
  const out = withColumns(table, replaced, [recipe], truth.quality);
  return {
    table: out,
    truth: {
      ...truth,
      mechanism: confounded ? 'confounded' : 'stratified',
      causes,
      thresholds,
      positiveRate: positiveRate(flag),
      recipeColumn: 'recipe',
      recipe: chosen,
      confounded: shifted,
      roles: rolesFor(out, { causes: confounded ? [] : [cause], quality: truth.quality }),
    },
  };
}

function indicatorLine(options: MechanismLineOptions, rng: Rng): MechanismLine {
  const { table, truth } = baseLine(options, 'threshold');
  const n = table.rows;
  const flag = numericValues(table, truth.quality);
  // Crust colour darkens on burnt products: it moves with the defects themselves.
  const noise = smoothNoise(rng, n, truth.shape === 'minutes' ? 30 : 3);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = 62 + 2 * (noise[i] + 2.5 * flag[i]);
  const indicator: Variable = { name: 'crust_color', data: { kind: 'numeric', values } };
  const out = withColumns(table, new Map(), [indicator], truth.quality);
  return {
    table: out,
    truth: {
      ...truth,
      mechanism: 'indicator',
      indicator: 'crust_color',
      roles: rolesFor(out, truth, { crust_color: 'measurement' }),
    },
  };
}

function nullLine(options: MechanismLineOptions, rng: Rng): MechanismLine {
  const { table, truth } = baseLine(options, 'threshold');
  const n = table.rows;
  const minutes = truth.shape === 'minutes';
  const hidden = smoothNoise(
    rng,
    n,
    minutes ? exp(uniform(rng, log(20), log(240))) : exp(uniform(rng, 0, log(10))),
  );
  const threshold = quantile(hidden, 1 - uniform(rng, 0.08, 0.18));
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) active[i] = +(hidden[i] > threshold);
  const flag = flags(rng, active, minutes);
  const out = withColumns(
    table,
    new Map([[truth.quality, { kind: 'numeric', values: flag }]]),
    [],
    truth.quality,
  );
  return {
    table: out,
    truth: {
      ...truth,
      mechanism: 'null',
      causes: [],
      thresholds: [],
      positiveRate: positiveRate(flag),
      roles: rolesFor(out, { causes: [], quality: truth.quality }),
    },
  };
}

/** A random line with one mechanism injected, and what was injected. */
export function generateMechanismLine(options: MechanismLineOptions): MechanismLine {
  const rng = createRng((options.seed * 7919 + MECHANISMS.indexOf(options.mechanism) * 104_729) >>> 0);
  switch (options.mechanism) {
    case 'dead-time':
      return deadTimeLine(options, rng);
    case 'stratified':
      return recipeLine(options, rng, false);
    case 'confounded':
      return recipeLine(options, rng, true);
    case 'indicator':
      return indicatorLine(options, rng);
    case 'null':
      return nullLine(options, rng);
    default: {
      const { table, truth } = baseLine(options, options.mechanism);
      return { table, truth: { ...truth, mechanism: options.mechanism, roles: rolesFor(table, truth) } };
    }
  }
}
