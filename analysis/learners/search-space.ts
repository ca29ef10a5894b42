/**
 * What a learner tells the search: its name, its role, the ranges of the parameters searched
 * (data, with LightGBM's or scikit-learn's names), the parameters it always trains with, its
 * usual defaults (the first trial of every search) and the define-by-run function that turns a
 * trial into its parameters. Light on purpose: the workflow bundle imports the search spaces,
 * never the training code.
 */
import type { Trial } from '../search/study';

export type LearnerParams = Readonly<Record<string, string | number | boolean | null>>;

export type RangeSpec =
  | {
      readonly kind: 'float';
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | {
      readonly kind: 'int';
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
    }
  | { readonly kind: 'categorical'; readonly choices: readonly (string | number | boolean)[] };

export interface LearnerSpace {
  readonly kind: string;
  /** For people: "gradient-boosted trees". */
  readonly displayName: string;
  /**
   * The simple reference measured beside the explained model in every analysis
   * (`results.model.baseline`); at most one learner has it.
   */
  readonly baseline?: boolean;
  /** Trains on the binned dataset, which is then binned once per analysis and shared. */
  readonly binned?: boolean;
  /** Searched ranges, by parameter name. */
  readonly ranges: Readonly<Record<string, RangeSpec>>;
  /** Parameters every trial of this learner trains with, not searched. */
  readonly fixed: LearnerParams;
  /** The learner's usual defaults, as trial parameters: the first trial of its search. */
  readonly defaults: LearnerParams;
  /** This learner's parameters for a trial (define-by-run: only its own branch is suggested). */
  suggest(trial: Trial): LearnerParams;
}

/** One parameter of a range table, suggested by a trial. */
export function suggestRange(trial: Trial, name: string, spec: RangeSpec): number | string | boolean {
  if (spec.kind === 'categorical') return trial.suggestCategorical(name, spec.choices);
  const opts = { log: spec.log, step: spec.step };
  return spec.kind === 'int'
    ? trial.suggestInt(name, spec.low, spec.high, opts)
    : trial.suggestFloat(name, spec.low, spec.high, opts);
}

/**
 * The parameters a learner trains with for given trial values (its `defaults`, a stored trial):
 * what its `suggest` makes of them, plus its fixed parameters.
 */
export function paramsFromTrialValues(space: LearnerSpace, values: LearnerParams): LearnerParams {
  const given = (name: string) => {
    if (!Object.hasOwn(values, name)) throw new RangeError(`no value for trial parameter ${name}`);
    return values[name];
  };
  const replay = { suggestCategorical: given, suggestInt: given, suggestFloat: given } as unknown as Trial;
  return { ...space.suggest(replay), ...space.fixed };
}
