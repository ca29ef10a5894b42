/**
 * Pruners decide, from the intermediate values trials report (a validation score per boosting
 * round), whether a running trial should stop early. Configured by plain data, as in Optuna:
 * `median` (MedianPruner) and `successiveHalving` (SuccessiveHalvingPruner, asynchronous).
 */
import { InvalidInputError } from '../errors';
import { type Direction, intermediateAt, lastStep, lossSign, type TrialRecord } from './trial';

export interface NoPrunerConfig {
  readonly kind: 'none';
}

export interface MedianPrunerConfig {
  readonly kind: 'median';
  /** No pruning until this many trials are complete. Optuna: 5. */
  readonly nStartupTrials?: number;
  /** No pruning before this step. Optuna: 0. */
  readonly nWarmupSteps?: number;
  /** Check every this many steps after the warm-up. Optuna: 1. */
  readonly intervalSteps?: number;
  /** Fewest complete trials with a value at the step to judge. Optuna: 1. */
  readonly nMinTrials?: number;
}

export interface SuccessiveHalvingPrunerConfig {
  readonly kind: 'successiveHalving';
  /** Steps before the first rung; 'auto' = max(1, last step of the longest complete trial / 100). */
  readonly minResource?: number | 'auto';
  /** Keep the best 1/reductionFactor at each rung. Optuna: 4. */
  readonly reductionFactor?: number;
  /** Rung offset: the first rung is at minResource · reductionFactor^rate. Optuna: 0. */
  readonly minEarlyStoppingRate?: number;
  /** Prune until more than this many trials reached a rung. Optuna: 0. */
  readonly bootstrapCount?: number;
}

export type PrunerConfig = NoPrunerConfig | MedianPrunerConfig | SuccessiveHalvingPrunerConfig;

export interface PruneDecision {
  readonly prune: boolean;
  /** Successive halving: the trial's rung values after this check. */
  readonly rungs?: number[];
}

export function validatePruner(config: PrunerConfig): void {
  const bad = (where: string, message: string) =>
    new InvalidInputError({ where: `pruner.${where}`, message });
  const nonNegativeInt = (x: number | undefined, where: string) => {
    if (x !== undefined && !(Number.isInteger(x) && x >= 0)) throw bad(where, 'must be an integer >= 0');
  };
  if (config.kind === 'none') return;
  if (config.kind === 'median') {
    nonNegativeInt(config.nStartupTrials, 'nStartupTrials');
    nonNegativeInt(config.nWarmupSteps, 'nWarmupSteps');
    if (
      config.intervalSteps !== undefined &&
      !(Number.isInteger(config.intervalSteps) && config.intervalSteps >= 1)
    ) {
      throw bad('intervalSteps', 'must be an integer >= 1');
    }
    if (config.nMinTrials !== undefined && !(Number.isInteger(config.nMinTrials) && config.nMinTrials >= 1)) {
      throw bad('nMinTrials', 'must be an integer >= 1');
    }
    return;
  }
  if (config.kind === 'successiveHalving') {
    const m = config.minResource;
    if (m !== undefined && m !== 'auto' && !(Number.isInteger(m) && m >= 1)) {
      throw bad('minResource', 'must be "auto" or an integer >= 1');
    }
    const r = config.reductionFactor;
    if (r !== undefined && !(Number.isInteger(r) && r >= 2))
      throw bad('reductionFactor', 'must be an integer >= 2');
    nonNegativeInt(config.minEarlyStoppingRate, 'minEarlyStoppingRate');
    nonNegativeInt(config.bootstrapCount, 'bootstrapCount');
    return;
  }
  throw bad('kind', 'must be "none", "median" or "successiveHalving"');
}

/** Whether `trial` should stop now, judged against the other `trials` of the study. */
export function decidePrune(
  config: PrunerConfig,
  direction: Direction,
  trials: readonly TrialRecord[],
  trial: TrialRecord,
): PruneDecision {
  if (config.kind === 'median') return { prune: medianPrune(config, direction, trials, trial) };
  if (config.kind === 'successiveHalving') return successiveHalvingPrune(config, direction, trials, trial);
  return { prune: false };
}

/** Linear-interpolation percentile (numpy's default), ignoring NaN. */
function percentile(values: number[], q: number): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Prune when the trial's best intermediate value so far is worse than the median of the complete
 * trials' values at the same step.
 */
function medianPrune(
  config: MedianPrunerConfig,
  direction: Direction,
  trials: readonly TrialRecord[],
  trial: TrialRecord,
) {
  const nStartup = config.nStartupTrials ?? 5;
  const warmup = config.nWarmupSteps ?? 0;
  const interval = config.intervalSteps ?? 1;
  const nMin = config.nMinTrials ?? 1;
  const complete = trials.filter((t) => t.state === 'complete');
  if (complete.length === 0 || complete.length < nStartup) return false;
  const step = lastStep(trial);
  if (step === undefined || step < warmup) return false;
  // Judge only at the first report in each interval after the warm-up.
  const nearestCheck = Math.floor((step - warmup) / interval) * interval + warmup;
  let secondLast = -1;
  for (const iv of trial.intermediate) if (iv.step !== step && iv.step > secondLast) secondLast = iv.step;
  if (secondLast >= nearestCheck) return false;
  const sign = lossSign(direction);
  let best = Number.NaN;
  for (const iv of trial.intermediate) {
    const v = iv.value;
    if (v === null || Number.isNaN(v)) continue;
    if (Number.isNaN(best) || sign * v < sign * best) best = v;
  }
  if (Number.isNaN(best)) return true;
  const atStep: number[] = [];
  for (const t of complete) {
    const v = intermediateAt(t, step);
    if (v !== undefined) atStep.push(v);
  }
  if (atStep.length < nMin) return false;
  const median = percentile(atStep, 50);
  if (Number.isNaN(median)) return false;
  return sign * best > sign * median;
}

/**
 * Asynchronous successive halving: at each rung step (minResource · η^(rate + rung)) a trial
 * goes on only if its value is within the best 1/η of the values every trial had at that rung.
 */
function successiveHalvingPrune(
  config: SuccessiveHalvingPrunerConfig,
  direction: Direction,
  trials: readonly TrialRecord[],
  trial: TrialRecord,
): PruneDecision {
  const step = lastStep(trial);
  const rungs = [...(trial.rungs ?? [])];
  if (step === undefined) return { prune: false, rungs };
  const eta = config.reductionFactor ?? 4;
  const rate = config.minEarlyStoppingRate ?? 0;
  const bootstrap = config.bootstrapCount ?? 0;
  let minResource = config.minResource ?? 'auto';
  if (minResource === 'auto') {
    let longest = -1;
    for (const t of trials) {
      const s = t.state === 'complete' ? lastStep(t) : undefined;
      if (s !== undefined && s > longest) longest = s;
    }
    if (longest < 0) return { prune: false, rungs };
    minResource = Math.max(Math.floor(longest / 100), 1);
  }
  const value = trial.intermediate[trial.intermediate.length - 1].value ?? Number.NaN;
  const sign = lossSign(direction);
  for (;;) {
    const rung = rungs.length;
    const promotionStep = minResource * eta ** (rate + rung);
    if (step < promotionStep) return { prune: false, rungs };
    if (Number.isNaN(value)) return { prune: true, rungs };
    rungs.push(value);
    const competing = [value];
    for (const t of trials) {
      if (t.number !== trial.number && t.rungs && t.rungs.length > rung) competing.push(t.rungs[rung]);
    }
    if (competing.length <= bootstrap) return { prune: true, rungs };
    let promotable = Math.floor(competing.length / eta) - 1;
    if (promotable < 0) promotable = 0;
    // Losses sorted ascending: the trial must be among the best `promotable + 1`.
    const losses = competing.map((v) => sign * v).sort((a, b) => a - b);
    if (sign * value > losses[promotable]) return { prune: true, rungs };
  }
}
