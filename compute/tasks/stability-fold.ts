/**
 * `stability-fold`: one fold of the stability stage on a thread (analysis/evidence/refit.ts), on
 * the shadowed features and their bins the caller shares.
 */
import { refitImportance } from '../../analysis/evidence/refit';
import type { FinalFit } from '../../analysis/learners/final';
import type { LearningData } from '../../analysis/learners/learner';
import type { TaskResult } from '../task';

export interface StabilityFoldInput {
  readonly data: LearningData;
  readonly fold: { readonly train: Uint32Array; readonly explain: Uint32Array };
  readonly fit: FinalFit;
}

export function stabilityFoldTask(input: StabilityFoldInput): TaskResult<Float64Array | null> {
  const importance = refitImportance(input.data, input.fold, input.fit);
  return { value: importance, ...(importance ? { transfer: [importance.buffer as ArrayBuffer] } : {}) };
}
