/**
 * `fit-trial`: one search trial on a thread, on learning data the caller shares (nothing is
 * read here: a thread runs analysis functions only). Each point of the pruning curve is sent as
 * progress; the caller's stop request ends the trial as pruned.
 */
import type { LearningData } from '../../analysis/learners/learner';
import { fitTrial, type TrialFit, type TrialOutcome } from '../../analysis/learners/trial';
import type { TaskContext, TaskResult } from '../task';

export interface FitTrialInput {
  readonly data: LearningData;
  readonly trial: TrialFit;
}

export function fitTrialTask(
  input: FitTrialInput,
  context: TaskContext<{ step: number; value: number }>,
): TaskResult<TrialOutcome> {
  const outcome = fitTrial(input.data, input.trial, (point) => {
    context.progress(point);
    return !context.stopRequested();
  });
  return { value: outcome };
}
