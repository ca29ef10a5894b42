/**
 * Analyses started through the API: the `analyzeLine` workflow on Temporal (`TEMPORAL_ADDRESS`,
 * `LINE_RCA_TASK_QUEUE`), and its `progress` query. The workflow id is chosen plain (letters,
 * digits, `-`), so it is also the analysis id the results will be stored under.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIdOf } from '../activities/analysis-id';
import { parseConfig } from '../analysis/config';
import { MongoStore } from '../connectors/mongo';
import { connectClient, type TemporalSettings, TemporalUnavailableError } from '../connectors/temporal';
import { NotFoundError, UnavailableError } from './errors';

export interface StartRequest {
  readonly configId?: string;
  readonly config?: unknown;
  readonly baseDir?: string;
}

export interface StartedRun {
  readonly id: string;
  readonly workflowId: string;
  readonly taskQueue: string;
}

export interface RunProgress {
  readonly id: string;
  readonly workflowId: string;
  /** Temporal's status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, … */
  readonly status: string;
  /** The workflow's `progress` query while it runs. */
  readonly progress: {
    readonly stage: string;
    readonly trialsDone: number;
    readonly trialsTotal: number;
    readonly bestValue: number | null;
    readonly secondsLeft?: number | null;
  } | null;
}

export interface Runs {
  start(request: StartRequest): Promise<StartedRun>;
  progress(id: string): Promise<RunProgress>;
  close(): Promise<void>;
}

/**
 * `analysis-<key>-<UTC time to the millisecond>-<random>`: plain, so the workflow's analysis id
 * (`analysisIdOf`, activities/analysis-id.ts) is the workflow id itself.
 */
export function plainWorkflowId(key: string, at: Date): string {
  const safeKey =
    key
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'line';
  const time = at.toISOString().replace(/[-:.]/g, '');
  return `analysis-${safeKey}-${time}-${randomBytes(3).toString('hex')}`;
}

/**
 * The workflow ids an analysis id may come from: the one it encodes (activities/analysis-id.ts),
 * and for analyses stored before that encoding, a scheduled or `line-rca run` workflow named
 * `analysis-<key>-<ISO time>` whose time's colons were turned to dashes.
 */
export function workflowIdsOf(id: string): string[] {
  const decoded = workflowIdOf(id) ?? id;
  const iso = /-(\d{4}-\d\d-\d\dT)(\d\d)-(\d\d)-(\d\d)(Z)$/.exec(id);
  return iso
    ? [decoded, `${id.slice(0, iso.index)}-${iso[1]}${iso[2]}:${iso[3]}:${iso[4]}${iso[5]}`]
    : [decoded];
}

const QUERY_TIMEOUT_MS = 5_000;

export class TemporalRuns implements Runs {
  private client: Promise<{ client: Client; close: () => Promise<void> }> | undefined;

  constructor(
    private readonly settings: TemporalSettings,
    private readonly mongoUri: string | undefined,
  ) {}

  private connected(): Promise<Client> {
    this.client ??= connectClient(this.settings);
    const pending = this.client;
    return pending.then(
      (c) => c.client,
      (error: unknown) => {
        if (this.client === pending) this.client = undefined;
        throw error instanceof TemporalUnavailableError ? new UnavailableError(error.message) : error;
      },
    );
  }

  async start(request: StartRequest): Promise<StartedRun> {
    let key: string;
    if (request.configId !== undefined) {
      if (!this.mongoUri)
        throw new UnavailableError('MONGODB_URI is not set: stored configurations cannot be read');
      const store = await MongoStore.connect(this.mongoUri);
      try {
        const stored = await store.getConfig(request.configId);
        if (!stored) throw new NotFoundError(`no configuration ${JSON.stringify(request.configId)}`);
        // Checked here, so a stored document that no longer validates is a 400, not a failed run.
        parseConfig(stored.document);
      } finally {
        await store.close();
      }
      key = request.configId;
    } else {
      key = parseConfig(request.config).line;
    }
    const client = await this.connected();
    const workflowId = plainWorkflowId(key, new Date());
    const input =
      request.configId !== undefined
        ? { configId: request.configId }
        : { config: request.config, ...(request.baseDir ? { baseDir: request.baseDir } : {}) };
    try {
      await client.workflow.start('analyzeLine', {
        taskQueue: this.settings.taskQueue,
        workflowId,
        args: [input],
      });
    } catch (error) {
      throw new UnavailableError(`cannot start the analysis on Temporal: ${(error as Error).message}`);
    }
    return { id: workflowId, workflowId, taskQueue: this.settings.taskQueue };
  }

  async progress(id: string): Promise<RunProgress> {
    const client = await this.connected();
    for (const workflowId of workflowIdsOf(id)) {
      const handle = client.workflow.getHandle(workflowId);
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) continue;
        throw new UnavailableError(`cannot read the analysis's workflow: ${(error as Error).message}`);
      }
      let progress: RunProgress['progress'] = null;
      if (status === 'RUNNING') {
        // A query needs a worker to answer; without one, the status alone.
        progress = await client
          .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
            handle.query<NonNullable<RunProgress['progress']>>('progress'),
          )
          .catch(() => null);
      }
      return { id, workflowId, status, progress };
    }
    throw new NotFoundError(`no analysis workflow ${JSON.stringify(id)}`);
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) await pending.then((c) => c.close()).catch(() => undefined);
  }
}
