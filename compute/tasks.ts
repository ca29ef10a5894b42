/**
 * The tasks a compute worker can run, by name: each runs `analysis/` functions on data it is
 * given (shared memory or copies), never I/O. Adding a task is one entry here (and its file
 * under `tasks/`): the pool's types follow from this table.
 */
import { binDatasetTask } from './tasks/bin-dataset';
import { fitFinalTask } from './tasks/fit-final';
import { fitTrialTask } from './tasks/fit-trial';
import { interactionsTask } from './tasks/interactions';
import { shapTask } from './tasks/shap';
import { stabilityFoldsTask } from './tasks/stability-folds';
import { ruleNullTask, whatToDoTask } from './tasks/what-to-do';

export const tasks = {
  'fit-trial': fitTrialTask,
  'fit-final': fitFinalTask,
  'bin-dataset': binDatasetTask,
  shap: shapTask,
  'stability-folds': stabilityFoldsTask,
  'what-to-do': whatToDoTask,
  'rule-null': ruleNullTask,
  interactions: interactionsTask,
} as const;

export type TaskName = keyof typeof tasks;
export type TaskInput<N extends TaskName> = Parameters<(typeof tasks)[N]>[0];
export type TaskOutput<N extends TaskName> =
  ReturnType<(typeof tasks)[N]> extends { value: infer T } | Promise<{ value: infer T }> ? T : never;
export type TaskProgress<N extends TaskName> = Parameters<(typeof tasks)[N]>[1] extends {
  progress(message: infer P): void;
}
  ? P
  : never;
