/**
 * `search-trial`: one search trial off the main thread. The thread reads the features dataset
 * itself (cached per thread, so a thread that runs many trials reads and bins it once).
 */
import { runTrial } from '../../activities/model';
import type { TrialInput, TrialOutput } from '../../activities/types';
import type { TaskResult } from '../task';

export async function searchTrialTask(input: TrialInput): Promise<TaskResult<TrialOutput>> {
  return { value: await runTrial(input) };
}
