/**
 * `stability-fold`: one fold of the stability stage off the main thread (the thread reads the
 * features dataset and builds the shadows itself, cached per thread for the other folds).
 */
import { runStabilityFold } from '../../activities/stability';
import type { StabilityFoldInput } from '../../activities/types';
import type { TaskResult } from '../task';

export async function stabilityFoldTask(input: StabilityFoldInput): Promise<TaskResult<Float64Array | null>> {
  const importance = await runStabilityFold(input);
  return { value: importance, ...(importance ? { transfer: [importance.buffer as ArrayBuffer] } : {}) };
}
