/**
 * `evaluate`: the final models off the main thread (the thread reads the features dataset
 * itself, cached per thread like the trials').
 */
import { runEvaluate } from '../../activities/model';
import type { EvaluateInput, EvaluateOutput } from '../../activities/types';
import type { TaskResult } from '../task';

export async function evaluateTask(input: EvaluateInput): Promise<TaskResult<EvaluateOutput>> {
  return { value: await runEvaluate(input) };
}
