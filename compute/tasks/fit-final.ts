/** `fit-final`: a final model (refit on the training part, measured on validation) on a thread. */
import { type FinalFit, type FinalModel, fitFinal } from '../../analysis/learners/final';
import type { LearningData } from '../../analysis/learners/learner';
import type { TimeSplit } from '../../analysis/split';
import type { TaskResult } from '../task';

export interface FitFinalInput {
  readonly data: LearningData;
  readonly split: Pick<TimeSplit, 'train' | 'validation'>;
  readonly fit: FinalFit;
}

export function fitFinalTask(input: FitFinalInput): TaskResult<FinalModel> {
  return { value: fitFinal(input.data, input.split, input.fit) };
}
