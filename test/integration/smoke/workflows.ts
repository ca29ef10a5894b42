// The smoke workflow: deterministic, no I/O; its one activity proves the worker round trip
// (workflow task -> activity task -> workflow task) on the real dev server.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { describeBatch } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

export async function smokeBatchWorkflow(line: string, batches: number[]): Promise<string> {
  let units = 0;
  for (const batch of batches) units += batch;
  return await describeBatch(line, units);
}
