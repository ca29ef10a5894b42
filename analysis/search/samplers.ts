/**
 * Samplers: random search, and TPE with Optuna's TPESampler defaults as the reference
 * (Bergstra et al. 2011; Watanabe 2023). A sampler is configured by plain data (so a study's
 * JSON names its sampler) and keeps no state of its own: everything it needs is the study's
 * trials and the random generator the study passes in.
 */
import { InvalidInputError } from '../errors';
import type { Rng } from '../random';
import {
  isSingle,
  kernelBounds,
  type ParamDistribution,
  type ParamValue,
  roundToGrid,
  sameDistribution,
  toExternal,
  toInternal,
} from './distributions';
import { defaultParzenOptions, observationWeights, parzenEstimator } from './parzen';
import { type Direction, lastStep, lossSign, type Params, type TrialRecord } from './trial';

export interface RandomSamplerConfig {
  readonly kind: 'random';
}

export interface TpeSamplerConfig {
  readonly kind: 'tpe';
  /** Trials (complete or pruned) sampled at random before TPE starts. Optuna: 10. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from the good-trials estimator per suggestion. Optuna: 24. */
  readonly nEiCandidates?: number;
  /** Prior kernel weight. Optuna: 1. */
  readonly priorWeight?: number;
  readonly considerMagicClip?: boolean;
  readonly considerEndpoints?: boolean;
  /**
   * Count running trials as the worst, in the bad group, so that several trials asked before any
   * is told spread out instead of piling on the same spot (Optuna's constant liar). Default true,
   * as Optuna 5; it changes nothing while trials run one at a time.
   */
  readonly constantLiar?: boolean;
  /**
   * Sample the parameters every finished trial has jointly, at ask time (Optuna's multivariate
   * TPE); other parameters, e.g. conditional ones, are still sampled one by one, each over the
   * trials that have it. Default true, as Optuna 5 for one objective.
   */
  readonly multivariate?: boolean;
}

export type SamplerConfig = RandomSamplerConfig | TpeSamplerConfig;

/** What a sampler sees of the study. */
export interface History {
  readonly direction: Direction;
  readonly trials: readonly TrialRecord[];
}

export interface RelativeSample {
  readonly params: Params;
  readonly distributions: Record<string, ParamDistribution>;
}

export interface Sampler {
  /** Parameters sampled jointly when the trial is asked, or undefined. */
  sampleRelative(history: History, trial: TrialRecord, rng: Rng): RelativeSample | undefined;
  /** One parameter, when the trial suggests it. */
  sampleIndependent(
    history: History,
    trial: TrialRecord,
    name: string,
    d: ParamDistribution,
    rng: Rng,
  ): ParamValue;
}

/** Uniform over the range (log-uniform on a log scale; a grid cell's worth of mass per point). */
export function sampleUniform(d: ParamDistribution, rng: Rng): ParamValue {
  if (d.kind === 'categorical') return d.choices[rng.int(d.choices.length)];
  const { low, high } = kernelBounds(d);
  let x = low + rng.next() * (high - low);
  if (d.log) x = Math.exp(x);
  return toExternal(d, d.step === null ? Math.min(Math.max(x, d.low), d.high) : roundToGrid(d, x));
}

export const randomSampler: Sampler = {
  sampleRelative: () => undefined,
  sampleIndependent: (_history, _trial, _name, d, rng) => sampleUniform(d, rng),
};

/** Optuna's default gamma: the 10% best trials, at most 25, form the good group. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

type ResolvedTpe = Required<Omit<TpeSamplerConfig, 'kind'>>;

export function resolveTpeConfig(config: TpeSamplerConfig): ResolvedTpe {
  const resolved: ResolvedTpe = {
    nStartupTrials: config.nStartupTrials ?? 10,
    nEiCandidates: config.nEiCandidates ?? 24,
    priorWeight: config.priorWeight ?? defaultParzenOptions.priorWeight,
    considerMagicClip: config.considerMagicClip ?? defaultParzenOptions.considerMagicClip,
    considerEndpoints: config.considerEndpoints ?? defaultParzenOptions.considerEndpoints,
    constantLiar: config.constantLiar ?? true,
    multivariate: config.multivariate ?? true,
  };
  const bad = (where: string, message: string) =>
    new InvalidInputError({ where: `sampler.${where}`, message });
  if (!Number.isInteger(resolved.nStartupTrials) || resolved.nStartupTrials < 0) {
    throw bad('nStartupTrials', 'must be an integer >= 0');
  }
  if (!Number.isInteger(resolved.nEiCandidates) || resolved.nEiCandidates < 1) {
    throw bad('nEiCandidates', 'must be an integer >= 1');
  }
  if (!(resolved.priorWeight > 0)) throw bad('priorWeight', 'must be > 0');
  return resolved;
}

export function createSampler(config: SamplerConfig): Sampler {
  if (config.kind === 'random') return randomSampler;
  if (config.kind === 'tpe') return tpeSampler(config);
  throw new InvalidInputError({ where: 'sampler.kind', message: 'must be "random" or "tpe"' });
}

const isFinished = (t: TrialRecord) => t.state === 'complete' || t.state === 'pruned';

export function tpeSampler(config: TpeSamplerConfig): Sampler {
  const options = resolveTpeConfig(config);
  const startupDone = (history: History) =>
    history.trials.filter(isFinished).length >= options.nStartupTrials;
  return {
    sampleRelative(history, trial, rng) {
      if (!options.multivariate || !startupDone(history)) return undefined;
      const space = intersectionSpace(history.trials);
      if (space.length === 0) return undefined;
      const params = sampleTpe(history, trial, space, options, rng, options.constantLiar);
      return { params, distributions: Object.fromEntries(space) };
    },
    sampleIndependent(history, trial, name, d, rng) {
      if (!startupDone(history)) return sampleUniform(d, rng);
      return sampleTpe(history, trial, [[name, d]], options, rng)[name];
    },
  };
}

/**
 * The parameters every finished trial has with the same distribution (and more than one possible
 * value), sorted by name: the group multivariate TPE samples jointly.
 */
export function intersectionSpace(trials: readonly TrialRecord[]): [string, ParamDistribution][] {
  let space: Map<string, ParamDistribution> | undefined;
  for (const t of trials) {
    if (!isFinished(t)) continue;
    if (space === undefined) {
      space = new Map(Object.entries(t.distributions));
      continue;
    }
    for (const [name, d] of space) {
      const other = t.distributions[name];
      if (other === undefined || !sameDistribution(d, other)) space.delete(name);
    }
  }
  return [...(space ?? new Map<string, ParamDistribution>())]
    .filter(([, d]) => !isSingle(d))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Splits the trials into the good group (the gamma(n) best complete trials, topped up with the
 * pruned trials that got furthest) and the bad group (the rest, plus running trials under the
 * constant liar). Both come back in trial order, which the age weights rely on.
 */
export function splitTrials(
  history: History,
  current: TrialRecord,
  constantLiar: boolean,
): { below: TrialRecord[]; above: TrialRecord[] } {
  const sign = lossSign(history.direction);
  const complete: TrialRecord[] = [];
  const pruned: TrialRecord[] = [];
  const running: TrialRecord[] = [];
  for (const t of history.trials) {
    if (t.state === 'complete') complete.push(t);
    else if (t.state === 'pruned') pruned.push(t);
    else if (constantLiar && t.state === 'running' && t.number !== current.number) running.push(t);
  }
  let nBelow = defaultGamma(complete.length + pruned.length);
  complete.sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.number - b.number);
  const below = complete.slice(0, Math.min(nBelow, complete.length));
  const above = complete.slice(below.length);
  nBelow -= below.length;
  if (pruned.length > 0) {
    const score = pruned.map((t) => prunedScore(t, sign));
    const order = pruned
      .map((_, i) => i)
      .sort((i, j) => score[i][0] - score[j][0] || score[i][1] - score[j][1] || i - j);
    for (let rank = 0; rank < order.length; rank++) (rank < nBelow ? below : above).push(pruned[order[rank]]);
  }
  above.push(...running);
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return { below: below.sort(byNumber), above: above.sort(byNumber) };
}

/**
 * The split only changes when trials are asked or told; a study hands the sampler the same
 * `History` object until then, so the suggestions of one trial share one split.
 */
const splitCache = new WeakMap<
  History,
  { trial: number; liar: boolean; split: ReturnType<typeof splitTrials> }
>();

function cachedSplit(history: History, trial: TrialRecord, constantLiar: boolean) {
  const hit = splitCache.get(history);
  if (hit && hit.trial === trial.number && hit.liar === constantLiar) return hit.split;
  const split = splitTrials(history, trial, constantLiar);
  splitCache.set(history, { trial: trial.number, liar: constantLiar, split });
  return split;
}

/** Pruned trials rank by how far they got, then by their last intermediate loss. */
function prunedScore(t: TrialRecord, sign: number): [number, number] {
  const step = lastStep(t);
  if (step === undefined) {
    return t.value === undefined ? [1, 0] : [0, sign * t.value];
  }
  const v = t.intermediate[t.intermediate.length - 1].value;
  return [-step, v === null || Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v];
}

function paramsOf(t: TrialRecord): Params {
  return t.state === 'running' && t.relativeParams ? { ...t.relativeParams, ...t.params } : t.params;
}

/** Observations of a parameter group: the trials that have every parameter of the group. */
function observationsOf(
  trials: readonly TrialRecord[],
  space: readonly [string, ParamDistribution][],
): number[][] {
  const columns: number[][] = space.map(() => []);
  const row: number[] = [];
  for (const t of trials) {
    const params = paramsOf(t);
    // A trial whose value the distribution cannot hold (the range or the choices changed between
    // trials) is left out rather than fitted with a meaningless kernel.
    const usable = space.every(([name, d], j) => {
      if (!(name in params)) return false;
      row[j] = toInternal(d, params[name]);
      return d.kind === 'categorical' ? row[j] >= 0 : row[j] >= d.low && row[j] <= d.high;
    });
    if (usable) for (let j = 0; j < space.length; j++) columns[j].push(row[j]);
  }
  return columns;
}

/**
 * TPE's two densities over a group of parameters: l(x) fitted to the good trials, g(x) to the bad
 * ones (each over the trials that have every parameter of the group).
 */
export function tpeEstimators(
  history: History,
  trial: TrialRecord,
  space: readonly [string, ParamDistribution][],
  options: ResolvedTpe,
) {
  const { below, above } = cachedSplit(history, trial, options.constantLiar);
  const dists = space.map(([, d]) => d);
  const obsBelow = observationsOf(below, space);
  const obsAbove = observationsOf(above, space);
  const l = parzenEstimator(dists, obsBelow, observationWeights(obsBelow[0]?.length ?? 0), options);
  const g = parzenEstimator(dists, obsAbove, observationWeights(obsAbove[0]?.length ?? 0), options);
  return { below, above, l, g };
}

/**
 * One TPE step over a group of parameters: fit l(x) to the good trials and g(x) to the bad ones,
 * draw candidates from l and keep the one with the largest l(x)/g(x).
 */
function sampleTpe(
  history: History,
  trial: TrialRecord,
  space: readonly [string, ParamDistribution][],
  options: ResolvedTpe,
  rng: Rng,
  avoidRunning = false,
): Params {
  const { above, l, g } = tpeEstimators(history, trial, space, options);
  // Under the constant liar a joint sample also steers clear of exact copies of running trials
  // (their kernels in g only make copies less likely; on small discrete spaces that is not enough).
  // Only running trials with no parameter outside the group count: with conditional parameters
  // the group (say, just `learner`) says too little to call two trials the same.
  const inGroup = new Set(space.map(([name]) => name));
  const sameSpace = (t: TrialRecord) =>
    t.state === 'running' && Object.keys(paramsOf(t)).every((name) => inGroup.has(name));
  const running = avoidRunning ? observationsOf(above.filter(sameSpace), space) : [];
  const isRunning = (x: readonly number[]) =>
    running.length > 0 && running[0].some((_, i) => x.every((v, j) => v === running[j][i]));
  let best: number[] = [];
  let bestScore = Number.NEGATIVE_INFINITY;
  let bestIsCopy = true;
  for (let c = 0; c < options.nEiCandidates; c++) {
    const x = l.sample(rng);
    const score = l.logPdf(x) - g.logPdf(x);
    const copy = isRunning(x);
    if (c === 0 || (bestIsCopy && !copy) || (copy === bestIsCopy && score > bestScore)) {
      best = x;
      bestScore = score;
      bestIsCopy = copy;
    }
  }
  return Object.fromEntries(space.map(([name, d], j) => [name, toExternal(d, best[j])]));
}
