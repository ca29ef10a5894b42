/**
 * `line-rca run (--config FILE | --config-id ID) [--wait] [--json] [--task-queue Q]`: starts an
 * analysis on Temporal. With `--wait --json` the results document is printed, as `analyze` does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { storedResults } from '../activities/results';
import { parseConfig } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import type { ResultsDocument } from '../analysis/results';
import { datasetPath } from '../connectors/datasets';
import { MongoStore } from '../connectors/mongo';
import { connectClient, temporalSettings } from '../connectors/temporal';
import type { PipelineResult } from '../pipeline/plan';
import { readConfigFile } from './config';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand, TASK_QUEUE_OPTION } from './options';

/** Workflow ids: the line (or configuration) and the time, so one night's run exists once. */
export function analysisWorkflowId(key: string, at: Date): string {
  return `analysis-${key}-${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

export async function readResults(outcome: PipelineResult): Promise<ResultsDocument> {
  if (outcome.storedIn.includes('mongodb') && process.env.MONGODB_URI) {
    const store = await MongoStore.fromEnv();
    try {
      const found = await store.getResults(outcome.resultId);
      if (found) return storedResults(found, outcome.workDir);
    } finally {
      await store.close();
    }
  }
  return JSON.parse(readFileSync(datasetPath(outcome.resultsUri), 'utf8')) as ResultsDocument;
}

export const runSpec = {
  name: 'run',
  usage: ['run (--config FILE | --config-id ID) [--wait] [--json] [--task-queue Q]'],
  description:
    'Starts an analysis on Temporal (TEMPORAL_ADDRESS); workers (`line-rca worker`) run it. Prints the\n' +
    'workflow id, or with --wait the outcome once the analysis is done.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'a configuration file, sent with the request' },
    'config-id': {
      type: 'string',
      value: 'ID',
      description: 'a configuration stored in MongoDB (`line-rca config put`)',
    },
    wait: { type: 'boolean', description: 'wait for the analysis to finish', default: false },
    json: {
      type: 'boolean',
      description: 'with --wait, print the results document on stdout; without, the workflow and run ids',
      default: false,
    },
    'task-queue': TASK_QUEUE_OPTION,
  },
} as const satisfies CommandSpec;

export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(runSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  if ((values.config === undefined) === (values['config-id'] === undefined)) {
    throw new InvalidInputError({
      where: 'run',
      message: 'give exactly one of --config FILE or --config-id ID',
    });
  }
  const settings = temporalSettings(process.env, values['task-queue']);
  let input: { config?: unknown; configId?: string; baseDir?: string };
  let key: string;
  if (values.config !== undefined) {
    const file = path.resolve(values.config);
    const document = await readConfigFile(file);
    key = parseConfig(document).line;
    input = { config: document, baseDir: path.dirname(file) };
  } else {
    key = values['config-id']!;
    input = { configId: key };
  }
  const workflowId = analysisWorkflowId(key, new Date());
  const { client, close } = await connectClient(settings);
  try {
    const handle = await client.workflow.start('analyzeLine', {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
    });
    io.stderr(`line-rca run: started ${workflowId} on task queue ${settings.taskQueue}\n`);
    if (!values.wait) {
      io.stdout(
        values.json
          ? `${JSON.stringify({ workflowId, runId: handle.firstExecutionRunId })}\n`
          : `${workflowId}\n`,
      );
      return 0;
    }
    let outcome: PipelineResult;
    try {
      outcome = (await handle.result()) as PipelineResult;
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? innermost(error) : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'InvalidInput') {
        throw new InvalidInputError({ where: workflowId, message: cause.message });
      }
      throw error;
    }
    const results = await readResults(outcome);
    if (values.json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
    else
      io.stderr(
        `line-rca run: ${outcome.status}; results ${outcome.resultsUri}${outcome.reportUri ? `, report ${outcome.reportUri}` : ''}\n`,
      );
    return 0;
  } finally {
    await close();
  }
}

function innermost(error: Error): Error {
  let current: Error = error;
  while ((current as { cause?: Error }).cause instanceof Error) current = (current as { cause: Error }).cause;
  return current;
}
