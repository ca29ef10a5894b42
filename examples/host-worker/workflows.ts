/**
 * The host's workflows module: its own workflow, `shiftHandover`, and line-rca's `analyzeLine`
 * re-exported, so one worker on the host's task queue runs both (Temporal bundles this file).
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { analyzeLine } from 'line-rca/workflows';
import type * as activities from './activities';

export { analyzeLine, progressQuery } from 'line-rca/workflows';

const { writeHandoverNote } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface ShiftHandoverInput {
  /** A line-rca configuration document (see line-rca's README, Configuration). */
  readonly config: unknown;
  /** Where a relative `source.path` is, on the workers' machines. */
  readonly baseDir?: string;
}

/** Analyses the shift's line with line-rca (a child workflow) and writes the handover note. */
export async function shiftHandover(input: ShiftHandoverInput): Promise<activities.HandoverNote> {
  const outcome = await executeChild(analyzeLine, {
    workflowId: `${workflowInfo().workflowId}-analysis`,
    args: [{ config: input.config, baseDir: input.baseDir }],
  });
  return writeHandoverNote(outcome);
}
