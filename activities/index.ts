/**
 * Every stage, by name: what the Temporal worker registers and the workflow proxies; the
 * embedded runner calls the same functions directly. `createActivities` binds the stages to
 * what their runner owns — the compute threads and the learning data kept between stages — so
 * nothing is held in module state: a host's Temporal worker creates its own.
 *
 *   const compute = new ComputePool({ size: 2 });
 *   const activities = createActivities({ compute });
 *   await Worker.create({ ..., activities });
 */
import type { ComputePool } from '../compute/pool';
import { type ArtifactStorage, artifactStorage } from '../connectors/artifact-storage';
import { alert } from './alerts';
import { throughStorage } from './artifact-transport';
import { aggregate, extract } from './data';
import { distribution } from './distribution';
import { LearningDataStore } from './learning-data';
import { evaluate, explain, searchTrial } from './model';
import { prepare } from './prepare';
import type { StageContext } from './progress';
import { report } from './report';
import { compose, discard, persist } from './results';
import { rules } from './rules';
import { stability } from './stability';
import { trackFinish, trackStart, trackTrial } from './tracking';
import type {
  AggregateInput,
  EvaluateInput,
  ExplainInput,
  RulesInput,
  StabilityInput,
  TrialInput,
} from './types';

export interface ActivityDependencies {
  /** Worker threads for trials, final models, binning and SHAP (the runner starts and closes them). */
  readonly compute: ComputePool;
  /** Learning data kept between stages; default: a store of its own, on `compute`. */
  readonly learningData?: LearningDataStore;
  /** Where artifacts go; default: `LINE_RCA_ARTIFACTS` (a folder, or GridFS through this worker's cache). */
  readonly storage?: ArtifactStorage;
}

export function createActivities(dependencies: ActivityDependencies) {
  const deps = {
    compute: dependencies.compute,
    learningData: dependencies.learningData ?? new LearningDataStore(dependencies.compute),
  };
  const stages = {
    prepare,
    extract,
    aggregate: (input: AggregateInput, context?: StageContext) =>
      aggregate(input, deps.learningData, context),
    distribution,
    rules: (input: RulesInput) => rules(input, deps),
    searchTrial: (input: TrialInput) => searchTrial(input, deps),
    evaluate: (input: EvaluateInput) => evaluate(input, deps),
    explain: (input: ExplainInput) => explain(input, deps),
    stability: (input: StabilityInput) => stability(input, deps),
    compose,
    persist,
    discard,
    report,
    alert,
    trackStart,
    trackTrial,
    trackFinish,
  };
  const storage = dependencies.storage ?? artifactStorage();
  return storage.kind === 'folder' ? stages : throughStorage(stages, storage);
}

/** The stages, by name (the workflow proxies this type). */
export type Activities = ReturnType<typeof createActivities>;
