// Smoke test against the real Temporal dev server (`infra/services up`): a real worker bundles
// and runs a workflow and its activity, and the client reads the result and the history.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { serviceAddresses, uniqueName } from './setup/services';
import * as activities from './smoke/activities';

const { temporal } = serviceAddresses();

describe(`Temporal dev server at ${temporal}`, () => {
  let workerConnection: NativeConnection;
  let clientConnection: Connection;

  beforeAll(async () => {
    // Warnings and errors only: the worker's INFO state changes would bury jest's output.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    workerConnection = await NativeConnection.connect({ address: temporal });
    clientConnection = await Connection.connect({ address: temporal });
  });

  afterAll(async () => {
    await clientConnection?.close();
    await workerConnection?.close();
  });

  test('a worker executes a workflow and its activity', async () => {
    const taskQueue = uniqueName('smoke');
    const workflowId = uniqueName('smoke-batch');
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./smoke/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle,
      activities,
    });
    const client = new Client({ connection: clientConnection, namespace: 'default' });

    const result = await worker.runUntil(
      client.workflow.execute('smokeBatchWorkflow', {
        taskQueue,
        workflowId,
        args: ['line-7', [120, 95, 3]],
        workflowExecutionTimeout: '1 minute',
      }),
    );

    expect(result).toBe('line-7: 218 units checked');
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.taskQueue).toBe(taskQueue);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const activityScheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(activityScheduled).toHaveLength(1);
    expect(activityScheduled[0].activityTaskScheduledEventAttributes?.activityType?.name).toBe(
      'describeBatch',
    );
  });
});
