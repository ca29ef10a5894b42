/**
 * Against a running Temporal server (TEMPORAL_ADDRESS, default 127.0.0.1:7233): the host's worker
 * runs its own workflow, which runs line-rca's analysis as a child on the same task queue.
 * HOST_EXAMPLE_DATA names the AI4I 2020 CSV (line-rca's datasets/ai4i2020.csv).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { validateConfig } from 'line-rca';
import { createHostWorker, type HostWorker } from './worker';
import { shiftHandover } from './workflows';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const taskQueue = `host-example-${randomUUID()}`;
const data = path.resolve(process.env.HOST_EXAMPLE_DATA ?? 'datasets/ai4i2020.csv');

const config = {
  name: 'AI4I overstrain failures',
  line: 'ai4i',
  source: { kind: 'file', path: data },
  target: 'OSF == 1',
  variables: { exclude: ['Machine failure', 'TWF', 'HDF', 'PWF', 'RNF', 'UDI', 'Product ID'] },
  aggregation: 'none',
  search: { trials: 6, seed: 1 },
};

let worker: HostWorker;
let running: Promise<void>;
let connection: Connection;

before(async () => {
  assert.ok(validateConfig(config).ok);
  worker = await createHostWorker({ address, taskQueue });
  running = worker.run();
  connection = await Connection.connect({ address });
});

after(async () => {
  worker.shutdown();
  await running;
  await connection.close();
});

test("the host's workflow runs line-rca's analysis and its own activity", { timeout: 300_000 }, async () => {
  const client = new Client({ connection });
  const note = await client.workflow.execute(shiftHandover, {
    taskQueue,
    workflowId: `handover-${randomUUID()}`,
    args: [{ config }],
  });
  assert.equal(note.status, 'complete');
  assert.equal(note.line, 'ai4i');
  // Overstrain failures are torque × tool wear above a limit: one of the two ranks first.
  assert.ok(['Torque [Nm]', 'Tool wear [min]'].includes(note.firstSuspect ?? ''), note.text);
  assert.ok((note.validationAuc ?? 0) > 0.9, note.text);
});

test('a bad configuration fails the analysis at once, naming the field', { timeout: 60_000 }, async () => {
  const client = new Client({ connection });
  const bad = { ...config, search: { trials: 0 } };
  await assert.rejects(
    client.workflow.execute(shiftHandover, {
      taskQueue,
      workflowId: `handover-${randomUUID()}`,
      args: [{ config: bad }],
    }),
    (error: Error) => {
      const messages: string[] = [];
      for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
      assert.match(messages.join(' / '), /search\.trials/);
      return true;
    },
  );
});
