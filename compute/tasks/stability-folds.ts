/**
 * `stability-folds`: some folds of the stability stage on one thread, one after the other
 * (analysis/evidence/refit.ts), on the shadowed features and their bins the caller shares. One
 * task a thread, not one a fold: the trainings of a task share the bins' WebAssembly arena, which
 * a task of its own rebuilt for every fold (a seventh of the folds' time on a six-tree model).
 */
import { refitImportance } from '../../analysis/evidence/refit';
import type { FinalFit } from '../../analysis/learners/final';
import type { LearningData } from '../../analysis/learners/learner';
import type { TaskResult } from '../task';

export interface StabilityFoldsInput {
  readonly data: LearningData;
  readonly folds: readonly {
    readonly train: Uint32Array;
    readonly explain: Uint32Array;
    /** The fold's parameters (the final fit's, scaled to its rows). */
    readonly fit: FinalFit;
  }[];
}

export interface StabilityFoldsOutput {
  /** Per fold, each feature's mean |SHAP| on the fold's rows; null when the fold is left out. */
  readonly importances: (Float64Array | null)[];
  /**
   * The task's time on its thread: the stage's wall time also counts the time its tasks wait
   * behind others (the explanation's, which runs beside it on the same threads).
   */
  readonly seconds: number;
}

export function stabilityFoldsTask(input: StabilityFoldsInput): TaskResult<StabilityFoldsOutput> {
  const started = performance.now();
  const importances = input.folds.map((fold) => refitImportance(input.data, fold, fold.fit));
  return {
    value: { importances, seconds: (performance.now() - started) / 1000 },
    transfer: importances.flatMap((i) => (i ? [i.buffer as ArrayBuffer] : [])),
  };
}
