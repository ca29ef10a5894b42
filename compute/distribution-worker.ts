/**
 * Entry point of a distribution engine thread (compute/distribution-engine.ts): prepares its
 * share of the variables once, from `workerData`, then answers each zoom with their entries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeEach, prepareDistribution } from '../analysis/distribution/analyze';
import type { DistributionOptions } from '../analysis/distribution/types';
import type { ObservationTable } from '../analysis/frame';
import type { ZoomReply, ZoomRequest } from './distribution-engine';
import { serializeError } from './errors';

const port = parentPort;
if (!port) throw new Error('compute/distribution-worker.js must run in a worker thread');

const { table, options } = workerData as { table: ObservationTable; options: DistributionOptions };
const prepared = prepareDistribution(table, options);
// The labels of the last few targets, by the caller's id: the same array object each time, so the
// analysis keeps the labels it put in each variable's sort order (analyze.ts, `labelCache`).
const labelsById = new Map<number, Uint8Array>();

port.on('message', (request: ZoomRequest) => {
  try {
    if (request.labels) {
      if (labelsById.size >= 4) labelsById.delete(labelsById.keys().next().value as number);
      labelsById.set(request.labelsId, request.labels);
    }
    const labels = labelsById.get(request.labelsId);
    if (!labels) throw new Error(`distribution engine: labels ${request.labelsId} were never sent`);
    const entries = analyzeEach(prepared, labels, request.selection);
    port.postMessage({ id: request.id, kind: 'done', entries } satisfies ZoomReply);
  } catch (e) {
    port.postMessage({ id: request.id, kind: 'error', error: serializeError(e) } satisfies ZoomReply);
  }
});
port.postMessage({ id: 0, kind: 'ready' } satisfies ZoomReply);
