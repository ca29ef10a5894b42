/**
 * `line-rca run (--config FILE | --config-id ID) [--wait [--wait-timeout D]] [--json] [--task-queue Q]`:
 * starts an analysis on Temporal. With `--wait --json` the results document is printed, as
 * `analyze` does. Each submission is an analysis of its own (a random suffix in its workflow id);
 * `--wait` keeps waiting through Temporal outages, reconnecting, until `--wait-timeout`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Client,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { storedResults } from '../activities/results';
import { parseDuration } from '../analysis/aggregate/time';
import { parseConfig } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import type { ResultsDocument } from '../analysis/results';
import { artifactPath } from '../connectors/artifact-storage';
import { MongoStore } from '../connectors/mongo';
import { connectClient, type TemporalSettings, temporalSettings } from '../connectors/temporal';
import type { PipelineResult } from '../pipeline/plan';
import { readConfigFile } from './config';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand, TASK_QUEUE_OPTION } from './options';

/**
 * Workflow ids of `run`: the line (or configuration id), the time to the second and a random
 * suffix, so two submissions in the same second are two analyses. Scheduled runs keep their
 * deterministic ids (cli/schedule.ts): one night, one analysis.
 */
export function analysisWorkflowId(key: string, at: Date, suffix = randomBytes(3).toString('hex')): string {
  const time = at
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `analysis-${key}-${time}-${suffix}`;
}

export const DEFAULT_WAIT_TIMEOUT = '6h';
/** Longest pause between two tries to reach Temporal again while waiting. */
const MAX_RECONNECT_MS = 10_000;
/** How long a start is tried again through an outage (the id is ours: a start that got through is found). */
const START_TIMEOUT_MS = 60_000;

/** The command stopped waiting; the workflow itself goes on. */
export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** The analysis failed on Temporal (not for bad input: that is exit 2). */
export class AnalysisFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisFailedError';
  }
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
  return JSON.parse(readFileSync(await artifactPath(outcome.resultsUri), 'utf8')) as ResultsDocument;
}

/** gRPC codes of a server that is away or overloaded, not of a wrong request. */
const TRANSIENT_GRPC = new Set([1, 2, 4, 8, 10, 13, 14]);

/** True when Temporal could not be reached (or answered as a server that is restarting). */
export function isTemporalOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TemporalUnavailableError') return true;
  if (error instanceof ServiceError) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code !== 'number' || TRANSIENT_GRPC.has(code);
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Temporal client that is reconnected after an outage. */
class Reconnecting {
  private current: { client: Client; close: () => Promise<void> } | undefined;

  constructor(private readonly settings: TemporalSettings) {}

  async client(): Promise<Client> {
    this.current ??= await connectClient(this.settings);
    return this.current.client;
  }

  async drop(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    await old?.close().catch(() => undefined);
  }

  /**
   * Runs `work`, and again after each outage, with pauses of 1, 2, 4… up to 10 s, until
   * `deadline`; `retryAlso` names other errors that an outage can cause (a restarted server).
   */
  async retry<T>(
    work: (client: Client) => Promise<T>,
    deadline: number,
    onOutage: (error: Error, attempt: number) => void,
    retryAlso: (error: unknown, attempt: number) => boolean = () => false,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await this.client();
        return await raceDeadline(work(client), deadline);
      } catch (error) {
        if (!isTemporalOutage(error) && !retryAlso(error, attempt)) throw error;
        if (Date.now() >= deadline) throw error;
        onOutage(error as Error, attempt);
        await this.drop();
        await sleep(Math.min(MAX_RECONNECT_MS, 500 * 2 ** attempt, Math.max(0, deadline - Date.now())));
      }
    }
  }
}

const DEADLINE = Symbol('deadline');

async function raceDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE), Math.max(0, deadline - Date.now()));
  });
  try {
    const outcome = await Promise.race([work, timeout]);
    if (outcome === DEADLINE) {
      work.catch(() => undefined);
      throw new WaitTimeoutError('the wait timed out');
    }
    return outcome as T;
  } finally {
    clearTimeout(timer);
  }
}

export const runSpec = {
  name: 'run',
  usage: ['run (--config FILE | --config-id ID) [--wait [--wait-timeout D]] [--json] [--task-queue Q]'],
  description:
    'Starts an analysis on Temporal (TEMPORAL_ADDRESS); workers (`line-rca worker`) run it. Prints the\n' +
    'workflow id (each submission its own), or with --wait the outcome once the analysis is done;\n' +
    '--wait rides out Temporal outages, reconnecting, until --wait-timeout.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'a configuration file, sent with the request' },
    'config-id': {
      type: 'string',
      value: 'ID',
      description: 'a configuration stored in MongoDB (`line-rca config put`)',
    },
    wait: { type: 'boolean', description: 'wait for the analysis to finish', default: false },
    'wait-timeout': {
      type: 'string',
      value: 'D',
      description: 'how long --wait waits, Temporal outages included (e.g. 30m, 2h)',
      default: DEFAULT_WAIT_TIMEOUT,
    },
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
  const waitMs = parseDuration(values['wait-timeout'] ?? DEFAULT_WAIT_TIMEOUT, '--wait-timeout');
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
  const started = Date.now();
  const temporal = new Reconnecting(settings);
  const outage = (what: string) => (error: Error, attempt: number) => {
    if (attempt === 1 || attempt % 10 === 0) {
      io.stderr(`line-rca run: Temporal at ${settings.address} is unreachable (${error.message}); ${what}\n`);
    }
  };
  try {
    const firstRunId = await temporal.retry(
      async (client) => {
        try {
          const handle = await client.workflow.start('analyzeLine', {
            taskQueue: settings.taskQueue,
            workflowId,
            args: [input],
          });
          return handle.firstExecutionRunId;
        } catch (error) {
          // Our id is new: "already started" means an earlier try got through before the outage.
          if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
          throw error;
        }
      },
      started + START_TIMEOUT_MS,
      outage('trying to start the analysis again'),
    );
    io.stderr(`line-rca run: started ${workflowId} on task queue ${settings.taskQueue}\n`);
    if (!values.wait) {
      io.stdout(values.json ? `${JSON.stringify({ workflowId, runId: firstRunId })}\n` : `${workflowId}\n`);
      return 0;
    }
    const deadline = started + waitMs;
    let outcome: PipelineResult;
    try {
      outcome = await temporal.retry(
        async (client) => (await client.workflow.getHandle(workflowId).result()) as PipelineResult,
        deadline,
        outage(`still waiting for ${workflowId} (until ${new Date(deadline).toISOString()})`),
        // A server coming back may not know the namespace yet for a moment.
        (error, attempt) => error instanceof WorkflowNotFoundError && attempt <= 20,
      );
    } catch (error) {
      if (error instanceof WorkflowFailedError) {
        const cause = innermost(error);
        if (cause instanceof ApplicationFailure && cause.type === 'InvalidInput') {
          throw new InvalidInputError({ where: workflowId, message: cause.message });
        }
        throw new AnalysisFailedError(`${workflowId} failed: ${cause.message}`);
      }
      if (error instanceof WaitTimeoutError || isTemporalOutage(error)) {
        throw new WaitTimeoutError(
          `stopped waiting for ${workflowId} after ${values['wait-timeout'] ?? DEFAULT_WAIT_TIMEOUT} ` +
            `(${(error as Error).message}); the analysis goes on on Temporal (--wait-timeout waits longer)`,
        );
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
    await temporal.drop();
  }
}

function innermost(error: Error): Error {
  let current: Error = error;
  while ((current as { cause?: Error }).cause instanceof Error) current = (current as { cause: Error }).cause;
  return current;
}
