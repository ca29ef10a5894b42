/**
 * Parameter distributions: what a trial's `suggest*` call declared, as plain JSON data. The
 * samplers work on an internal number per parameter (the value itself for numbers, the choice's
 * index for categoricals), as Optuna does.
 */
import { InvalidInputError } from '../errors';

export type CategoricalChoice = string | number | boolean | null;
export type ParamValue = CategoricalChoice;

export interface FloatDistribution {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  /** Grid spacing from `low`, or null for a continuous value. */
  readonly step: number | null;
}

export interface IntDistribution {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

export interface CategoricalDistribution {
  readonly kind: 'categorical';
  readonly choices: readonly CategoricalChoice[];
}

export type NumericDistribution = FloatDistribution | IntDistribution;
export type ParamDistribution = NumericDistribution | CategoricalDistribution;

export interface SuggestOptions {
  readonly log?: boolean;
  readonly step?: number;
}

function problem(where: string, message: string): InvalidInputError {
  return new InvalidInputError({ where, message });
}

export function floatDistribution(
  name: string,
  low: number,
  high: number,
  opts: SuggestOptions = {},
): FloatDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? null;
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw problem(name, `needs finite low <= high, got [${low}, ${high}]`);
  }
  if (log && step !== null) throw problem(name, 'cannot have both log and step');
  if (log && low <= 0) throw problem(name, `a log scale needs low > 0, got ${low}`);
  if (step !== null && !(step > 0)) throw problem(name, `step must be > 0, got ${step}`);
  // Like Optuna, a stepped range ends on the last grid point at or below `high`.
  const top = step === null ? high : low + Math.floor((high - low) / step + 1e-9) * step;
  return { kind: 'float', low, high: top, log, step };
}

export function intDistribution(
  name: string,
  low: number,
  high: number,
  opts: SuggestOptions = {},
): IntDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low > high) {
    throw problem(name, `needs integers low <= high, got [${low}, ${high}]`);
  }
  if (!Number.isInteger(step) || step < 1)
    throw problem(name, `step must be a positive integer, got ${step}`);
  if (log && step !== 1) throw problem(name, 'cannot have both log and a step other than 1');
  if (log && low < 1) throw problem(name, `a log scale needs low >= 1, got ${low}`);
  const top = low + Math.floor((high - low) / step) * step;
  return { kind: 'int', low, high: top, log, step };
}

export function categoricalDistribution(
  name: string,
  choices: readonly CategoricalChoice[],
): CategoricalDistribution {
  if (choices.length === 0) throw problem(name, 'needs at least one choice');
  const seen = new Set<string>();
  for (const c of choices) {
    const key = JSON.stringify(c);
    if (seen.has(key)) throw problem(name, `choice ${key} appears twice`);
    seen.add(key);
  }
  return { kind: 'categorical', choices: [...choices] };
}

/** A distribution with a single possible value: nothing to search. */
export function isSingle(d: ParamDistribution): boolean {
  if (d.kind === 'categorical') return d.choices.length === 1;
  return d.low === d.high;
}

export function sameDistribution(a: ParamDistribution, b: ParamDistribution): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'categorical' || b.kind === 'categorical') {
    const ca = (a as CategoricalDistribution).choices;
    const cb = (b as CategoricalDistribution).choices;
    return ca.length === cb.length && ca.every((c, i) => c === cb[i]);
  }
  return a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
}

/** The number the samplers work with: the value, or a categorical choice's index. */
export function toInternal(d: ParamDistribution, value: ParamValue): number {
  if (d.kind === 'categorical') return d.choices.indexOf(value);
  return value as number;
}

export function toExternal(d: ParamDistribution, internal: number): ParamValue {
  if (d.kind === 'categorical') return d.choices[internal];
  if (d.kind === 'int') return Math.round(internal);
  return internal;
}

/** Whether `value` is one `d` can produce (used to accept enqueued parameters). */
export function contains(d: ParamDistribution, value: ParamValue): boolean {
  if (d.kind === 'categorical') return d.choices.some((c) => c === value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (value < d.low || value > d.high) return false;
  if (d.kind === 'int') return Number.isInteger(value) && (value - d.low) % d.step === 0;
  if (d.step === null) return true;
  const k = (value - d.low) / d.step;
  return Math.abs(k - Math.round(k)) < 1e-8;
}

/** Snaps a number onto the distribution's grid, inside its range. */
export function roundToGrid(d: NumericDistribution, x: number): number {
  const step = d.step;
  if (step === null) return Math.min(Math.max(x, d.low), d.high);
  const snapped = d.low + Math.round((x - d.low) / step) * step;
  return Math.min(Math.max(snapped, d.low), d.high);
}

/**
 * The interval the kernels live on: a stepped range widened by half a step at both ends so that
 * the end values get as much mass as the inner ones; in logs for a log scale.
 */
export function kernelBounds(d: NumericDistribution): { low: number; high: number } {
  const half = d.step === null ? 0 : d.step / 2;
  const low = d.low - half;
  const high = d.high + half;
  return d.log ? { low: Math.log(low), high: Math.log(high) } : { low, high };
}
