/**
 * A trial as the study records it: plain JSON, so the whole study serializes and resumes.
 */
import type { ParamDistribution, ParamValue } from './distributions';

export type Direction = 'minimize' | 'maximize';
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';
export type Params = Record<string, ParamValue>;

export interface IntermediateValue {
  readonly step: number;
  /** null stands for NaN or ±Infinity (JSON has neither). */
  readonly value: number | null;
}

export interface TrialRecord {
  readonly number: number;
  state: TrialState;
  /** Parameters suggested so far, in suggestion order. */
  readonly params: Params;
  readonly distributions: Record<string, ParamDistribution>;
  /** The objective value of a complete trial (or the last value of a pruned one, if told). */
  value?: number;
  /** Intermediate values reported, sorted by step. */
  readonly intermediate: IntermediateValue[];
  error?: string;
  /** Values to use instead of sampling (enqueued trials). */
  readonly fixedParams?: Params;
  /** Parameters sampled jointly at ask time (multivariate TPE), used if the trial suggests them. */
  relativeParams?: Params;
  relativeDistributions?: Record<string, ParamDistribution>;
  /** Successive halving: the value that earned each rung, in rung order. */
  rungs?: number[];
}

export function lastStep(trial: TrialRecord): number | undefined {
  return trial.intermediate.length ? trial.intermediate[trial.intermediate.length - 1].step : undefined;
}

export function intermediateAt(trial: TrialRecord, step: number): number | undefined {
  for (const iv of trial.intermediate) if (iv.step === step) return iv.value ?? Number.NaN;
  return undefined;
}

/** Sign that turns a value into a loss (smaller is better). */
export function lossSign(direction: Direction): 1 | -1 {
  return direction === 'minimize' ? 1 : -1;
}
