/**
 * The tasks a compute worker can run, by name. Adding a task is one entry here (and its file
 * under `tasks/`): the pool's types follow from this table.
 */
import { evaluateTask } from './tasks/evaluate';
import { explainTreeTask } from './tasks/explain';
import { searchTrialTask } from './tasks/search-trial';
import { stabilityFoldTask } from './tasks/stability-fold';
import { trainGbdtTask } from './tasks/train-gbdt';

export const tasks = {
  'train-gbdt': trainGbdtTask,
  'explain-tree': explainTreeTask,
  'search-trial': searchTrialTask,
  evaluate: evaluateTask,
  'stability-fold': stabilityFoldTask,
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
