/**
 * Trials have a task queue of their own, next to the analysis's: a worker polls it with exactly
 * as many slots as it has trial threads, so it never takes a trial it would only queue while
 * another worker stands idle (the analysis's queue has spare slots for the light stages, and
 * Temporal hands the activities a workflow task schedules eagerly to the worker that ran it).
 */
export function trialTaskQueue(taskQueue: string): string {
  return `${taskQueue}-trials`;
}
