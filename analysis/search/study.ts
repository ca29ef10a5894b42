/**
 * A study: the ask/tell loop of a hyperparameter search, in the spirit of Optuna. `ask()` opens a
 * trial whose `suggest*` calls sample parameters define-by-run; `tell()` closes it. The whole
 * state — trials, the random generator, the sampler and pruner configurations — is JSON, so a
 * workflow can persist it between steps and a resumed study makes the same next suggestions.
 */
import { InvalidInputError } from '../errors';
import { createRng, type Rng } from '../random';
import {
  type CategoricalChoice,
  categoricalDistribution,
  contains,
  floatDistribution,
  intDistribution,
  type ParamDistribution,
  type ParamValue,
  type SuggestOptions,
  sameDistribution,
} from './distributions';
import { decidePrune, type PrunerConfig, validatePruner } from './pruners';
import { createSampler, type History, type Sampler, type SamplerConfig } from './samplers';
import { type Direction, lossSign, type Params, type TrialRecord, type TrialState } from './trial';

export interface StudyOptions {
  /** Default 'minimize'. */
  readonly direction?: Direction;
  /** Default TPE with Optuna's defaults. */
  readonly sampler?: SamplerConfig;
  /** Default the median pruner (as Optuna). */
  readonly pruner?: PrunerConfig;
  /** Seeds every random choice of the study. Default 0. */
  readonly seed?: number;
}

/** What a study serializes to. */
export interface StudyState {
  readonly version: 1;
  readonly direction: Direction;
  readonly sampler: SamplerConfig;
  readonly pruner: PrunerConfig;
  readonly rng: number[];
  readonly trials: TrialRecord[];
  /** Enqueued parameter sets, used by the next asks in order. */
  readonly queue: Params[];
}

export type TrialOutcome =
  | { readonly state: 'complete'; readonly value: number }
  | { readonly state: 'pruned'; readonly value?: number }
  | { readonly state: 'failed'; readonly error: string };

/** Thrown by an objective (in `optimize`) to say its trial was pruned. */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}

/** A deep copy of JSON data (structuredClone is missing in some sandboxes, e.g. Temporal's). */
function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class Study {
  readonly direction: Direction;
  readonly samplerConfig: SamplerConfig;
  readonly prunerConfig: PrunerConfig;
  private rng: Rng;
  private readonly sampler: Sampler;
  private readonly records: TrialRecord[];
  private readonly queue: Params[];
  private snapshot: History | undefined;

  constructor(options: StudyOptions = {}) {
    this.direction = options.direction ?? 'minimize';
    if (this.direction !== 'minimize' && this.direction !== 'maximize') {
      throw new InvalidInputError({ where: 'direction', message: 'must be "minimize" or "maximize"' });
    }
    this.samplerConfig = options.sampler ?? { kind: 'tpe' };
    this.prunerConfig = options.pruner ?? { kind: 'median' };
    validatePruner(this.prunerConfig);
    this.sampler = createSampler(this.samplerConfig);
    this.rng = createRng(options.seed ?? 0);
    this.records = [];
    this.queue = [];
  }

  /** Resumes a study from `toJSON()`'s output (or that output after a JSON round trip). */
  static fromJSON(state: StudyState): Study {
    if (state?.version !== 1) {
      throw new InvalidInputError({ where: 'study.version', message: 'unknown study state version' });
    }
    const study = new Study({ direction: state.direction, sampler: state.sampler, pruner: state.pruner });
    study.rng = createRng(state.rng);
    study.records.push(...copyJson(state.trials));
    study.queue.push(...copyJson(state.queue));
    return study;
  }

  toJSON(): StudyState {
    return {
      version: 1,
      direction: this.direction,
      sampler: this.samplerConfig,
      pruner: this.prunerConfig,
      rng: this.rng.state(),
      trials: copyJson(this.records),
      queue: copyJson(this.queue),
    };
  }

  /** Every trial so far, in trial order. Read-only: change trials through the study. */
  get trials(): readonly Readonly<TrialRecord>[] {
    return this.records;
  }

  /** The complete trial with the best value (the earliest on ties). */
  get bestTrial(): Readonly<TrialRecord> | undefined {
    const sign = lossSign(this.direction);
    let best: TrialRecord | undefined;
    for (const t of this.records) {
      if (t.state !== 'complete') continue;
      if (best === undefined || sign * (t.value as number) < sign * (best.value as number)) best = t;
    }
    return best;
  }

  /** Fixes parameters of a future trial (e.g. a baseline); the next ask without params takes it. */
  enqueue(params: Params): void {
    this.queue.push({ ...params });
  }

  /** Opens a trial. `fixed` parameters are used as given when the trial suggests them. */
  ask(fixed?: Params): Trial {
    const fixedParams = fixed ? { ...fixed } : this.queue.shift();
    const record: TrialRecord = {
      number: this.records.length,
      state: 'running',
      params: {},
      distributions: {},
      intermediate: [],
      ...(fixedParams ? { fixedParams } : {}),
    };
    this.records.push(record);
    this.snapshot = undefined;
    const relative = this.sampler.sampleRelative(this.history(), record, this.rng);
    if (relative) {
      record.relativeParams = relative.params;
      record.relativeDistributions = relative.distributions;
    }
    return new Trial(this, record);
  }

  /** A handle on a running trial, e.g. one asked before the study was saved and resumed. */
  trial(number: number): Trial {
    return new Trial(this, this.running(number, 'trial'));
  }

  /**
   * Asks a trial and runs the search space on it right away, so every parameter is known before
   * the trial runs elsewhere: the caller sends `{number, params}` to a worker and later tells
   * the number. If the space throws, the trial is marked failed and the error rethrown.
   */
  askWith<P>(space: (trial: Trial) => P, fixed?: Params): { number: number; params: P } {
    const trial = this.ask(fixed);
    try {
      return { number: trial.number, params: space(trial) };
    } catch (error) {
      this.tell(trial.number, {
        state: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  /**
   * Takes back the last trial asked, still running and never run: a search that asked ahead
   * and ran out of time. The random state stays where the ask left it, and parameters the trial
   * took from `enqueue` are not asked again.
   */
  withdraw(number: number): void {
    this.running(number, 'withdraw');
    if (number !== this.records.length - 1) {
      throw new InvalidInputError({
        where: 'withdraw',
        message: `trial ${number} is not the last one asked (${this.records.length - 1})`,
      });
    }
    this.records.pop();
    this.snapshot = undefined;
  }

  /** Closes a running trial. A complete trial with a non-finite value is recorded as failed. */
  tell(number: number, outcome: TrialOutcome): Readonly<TrialRecord> {
    const record = this.running(number, 'tell');
    this.snapshot = undefined;
    // The joint sample only serves suggestions of the running trial; drop it to keep the state small.
    delete record.relativeParams;
    delete record.relativeDistributions;
    if (outcome.state === 'complete') {
      if (typeof outcome.value !== 'number' || !Number.isFinite(outcome.value)) {
        record.state = 'failed';
        record.error = `objective value ${String(outcome.value)} is not a finite number`;
      } else {
        record.state = 'complete';
        record.value = outcome.value;
      }
    } else if (outcome.state === 'pruned') {
      record.state = 'pruned';
      if (outcome.value !== undefined && Number.isFinite(outcome.value)) record.value = outcome.value;
    } else if (outcome.state === 'failed') {
      record.state = 'failed';
      record.error = String(outcome.error);
    } else {
      throw new InvalidInputError({
        where: `trial ${number}`,
        message: 'outcome state must be "complete", "pruned" or "failed"',
      });
    }
    return record;
  }

  /** Records an intermediate value (e.g. validation loss after `step` boosting rounds). */
  report(number: number, step: number, value: number): void {
    const record = this.running(number, 'report');
    if (!Number.isInteger(step) || step < 0) {
      throw new InvalidInputError({
        where: `trial ${number}`,
        message: `step must be an integer >= 0, got ${step}`,
      });
    }
    // As Optuna: the first value reported for a step stands.
    if (record.intermediate.some((iv) => iv.step === step)) return;
    // JSON holds no NaN or Infinity: a value that is not finite (a diverged loss) is stored as null
    // and judged as NaN, which the pruners prune.
    record.intermediate.push({ step, value: Number.isFinite(value) ? value : null });
    record.intermediate.sort((a, b) => a.step - b.step);
  }

  /** Whether the pruner says the running trial should stop, given what it reported so far. */
  shouldPrune(number: number): boolean {
    const record = this.running(number, 'shouldPrune');
    const decision = decidePrune(this.prunerConfig, this.direction, this.records, record);
    if (decision.rungs) record.rungs = decision.rungs;
    return decision.prune;
  }

  /** @internal Used by Trial. */
  suggest(record: TrialRecord, name: string, d: ParamDistribution): ParamValue {
    if (record.state !== 'running') {
      throw new InvalidInputError({
        where: `trial ${record.number}`,
        message: `is ${record.state}; suggest before tell`,
      });
    }
    const previous = record.distributions[name];
    if (previous !== undefined) {
      if (!sameDistribution(previous, d)) {
        throw new InvalidInputError({
          where: name,
          message: 'suggested twice in one trial with different ranges',
        });
      }
      return record.params[name];
    }
    let value: ParamValue;
    const fixed = record.fixedParams;
    const relative = record.relativeDistributions?.[name];
    if (fixed && name in fixed) {
      if (!contains(d, fixed[name])) {
        throw new InvalidInputError({
          where: name,
          message: `fixed value ${JSON.stringify(fixed[name])} is outside its distribution ${JSON.stringify(d)}`,
        });
      }
      value = fixed[name];
    } else if (relative !== undefined && record.relativeParams && sameDistribution(relative, d)) {
      value = record.relativeParams[name];
    } else {
      value = this.sampler.sampleIndependent(this.history(), record, name, d, this.rng);
    }
    record.distributions[name] = d;
    record.params[name] = value;
    return value;
  }

  /**
   * The sampler's view of the trials. The same object until a trial is asked or told (samplers
   * may cache what they derive from it for the suggestions of one trial).
   */
  private history(): History {
    this.snapshot ??= { direction: this.direction, trials: this.records };
    return this.snapshot;
  }

  private running(number: number, action: string): TrialRecord {
    const record = this.records[number];
    if (record === undefined) {
      throw new InvalidInputError({ where: `trial ${number}`, message: `does not exist (${action})` });
    }
    if (record.state !== 'running') {
      throw new InvalidInputError({
        where: `trial ${number}`,
        message: `is already ${record.state} (${action})`,
      });
    }
    return record;
  }
}

/** A running trial: define-by-run parameter suggestions. */
export class Trial {
  constructor(
    private readonly study: Study,
    private readonly record: TrialRecord,
  ) {}

  get number(): number {
    return this.record.number;
  }

  get state(): TrialState {
    return this.record.state;
  }

  get params(): Readonly<Params> {
    return this.record.params;
  }

  suggestFloat(name: string, low: number, high: number, opts?: SuggestOptions): number {
    return this.study.suggest(this.record, name, floatDistribution(name, low, high, opts)) as number;
  }

  suggestInt(name: string, low: number, high: number, opts?: SuggestOptions): number {
    return this.study.suggest(this.record, name, intDistribution(name, low, high, opts)) as number;
  }

  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.study.suggest(this.record, name, categoricalDistribution(name, choices)) as T;
  }

  report(step: number, value: number): void {
    this.study.report(this.number, step, value);
  }

  shouldPrune(): boolean {
    return this.study.shouldPrune(this.number);
  }
}
