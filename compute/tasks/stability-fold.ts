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

export interface StabilityFoldOutput {
  /** Each feature's mean |SHAP| on the fold's rows; null when the fold is left out. */
  readonly importance: Float64Array | null;
  /**
   * The fold's time on its thread: the stage's wall time also counts the time its tasks wait
   * behind others (the explanation's, which runs beside it on the same threads).
   */
  readonly seconds: number;
}

export function stabilityFoldTask(input: StabilityFoldInput): TaskResult<StabilityFoldOutput> {
  const started = performance.now();
  const importance = refitImportance(input.data, input.fold, input.fit);
  return {
    value: { importance, seconds: (performance.now() - started) / 1000 },
    ...(importance ? { transfer: [importance.buffer as ArrayBuffer] } : {}),
  };
}
