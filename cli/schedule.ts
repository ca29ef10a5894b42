/**
 * `line-rca schedule create|list|delete|trigger|backfill`: one Temporal Schedule per stored
 * configuration (id `line-rca-<configId>`), running `analyzeLine` on a cron, skipping a run
 * while the previous one is still going, and catching up runs missed within a day.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { InvalidInputError } from '../analysis/errors';
import { connectClient, temporalSettings } from '../connectors/temporal';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand, TASK_QUEUE_OPTION } from './options';

const PREFIX = 'line-rca-';
export const scheduleSpec = {
  name: 'schedule',
  usage: [
    'schedule create --config-id ID --cron EXPR [--timezone TZ] [--task-queue Q]',
    'schedule list [--json]',
    'schedule delete --config-id ID',
    'schedule trigger --config-id ID',
    'schedule backfill --config-id ID --from ISO --to ISO',
  ],
  description:
    'Nightly (or any cron) analyses on Temporal: one schedule per stored configuration, id\n' +
    'line-rca-<configId>; a run still going when the next is due makes the next one skip.',
  actions: [
    { name: 'create', description: 'schedule the stored configuration on a cron expression' },
    { name: 'list', description: 'the schedules, their cron and next run (a new one shows after a moment)' },
    { name: 'delete', description: "remove the configuration's schedule" },
    { name: 'trigger', description: 'run it now' },
    { name: 'backfill', description: 'run it for every time the cron names between --from and --to' },
  ],
  options: {
    'config-id': {
      type: 'string',
      value: 'ID',
      description: 'the stored configuration (`line-rca config list`)',
    },
    cron: { type: 'string', value: 'EXPR', description: "cron expression, e.g. '0 2 * * *' (create)" },
    timezone: {
      type: 'string',
      value: 'TZ',
      description: 'time zone of the cron, e.g. Europe/Paris (default UTC)',
    },
    from: { type: 'string', value: 'ISO', description: 'backfill from this time, e.g. 2026-11-01T00:00:00Z' },
    to: { type: 'string', value: 'ISO', description: 'backfill up to this time' },
    json: { type: 'boolean', description: 'list as JSON on stdout', default: false },
    'task-queue': TASK_QUEUE_OPTION,
  },
  positionals: true,
} as const satisfies CommandSpec;
const USAGE = scheduleSpec.usage.join(' | ');

export function scheduleId(configId: string): string {
  return `${PREFIX}${configId}`;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '')
    throw new InvalidInputError({ where: flag, message: `is required (${USAGE})` });
  return value;
}

function isoTime(value: string | undefined, flag: string): Date {
  const t = Date.parse(required(value, flag));
  if (Number.isNaN(t))
    throw new InvalidInputError({
      where: flag,
      message: `must be an ISO time such as 2026-10-01T00:00:00Z, got ${JSON.stringify(value)}`,
    });
  return new Date(t);
}

export async function scheduleCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(scheduleSpec, argv, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...extra] = positionals;
  if (!['create', 'list', 'delete', 'trigger', 'backfill'].includes(action ?? '') || extra.length > 0) {
    throw new InvalidInputError({
      where: 'schedule',
      message: `unknown action ${JSON.stringify(action ?? '')}; usage: ${USAGE}`,
    });
  }
  const settings = temporalSettings(process.env, values['task-queue']);
  const { client, close } = await connectClient(settings);
  try {
    if (action === 'list') {
      const rows: {
        configId: string;
        scheduleId: string;
        cron: string[];
        timezone: string | undefined;
        paused: boolean;
        next: string | null;
      }[] = [];
      for await (const s of client.schedule.list()) {
        if (!s.scheduleId.startsWith(PREFIX)) continue;
        const handle = client.schedule.getHandle(s.scheduleId);
        const d = await handle.describe();
        rows.push({
          configId: s.scheduleId.slice(PREFIX.length),
          scheduleId: s.scheduleId,
          cron: Array.isArray(d.memo?.cron) ? (d.memo.cron as string[]) : [],
          timezone: d.spec.timezone,
          paused: d.state.paused,
          next: d.info.nextActionTimes[0]?.toISOString() ?? null,
        });
      }
      if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.stdout('no schedules\n');
      else
        for (const r of rows)
          io.stdout(
            `${r.configId}\t${r.cron.join(' | ')}\t${r.timezone ?? 'UTC'}\tnext ${r.next ?? '—'}${r.paused ? '\tpaused' : ''}\n`,
          );
      return 0;
    }
    const configId = required(values['config-id'], '--config-id');
    const id = scheduleId(configId);
    if (action === 'create') {
      const cron = required(values.cron, '--cron');
      await client.schedule.create({
        scheduleId: id,
        spec: { cronExpressions: [cron], ...(values.timezone ? { timezone: values.timezone } : {}) },
        action: {
          type: 'startWorkflow',
          workflowType: 'analyzeLine',
          taskQueue: settings.taskQueue,
          // Temporal appends the scheduled time: one workflow id, so one analysis, per night.
          workflowId: `analysis-${configId}`,
          args: [{ configId }],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
        // Temporal keeps cron as calendar specs; the memo keeps the expression as the user wrote it.
        memo: { cron: [cron], configId },
      });
      io.stdout(`${id}\n`);
      return 0;
    }
    const handle = client.schedule.getHandle(id);
    try {
      if (action === 'delete') await handle.delete();
      else if (action === 'trigger') await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      else {
        const start = isoTime(values.from, '--from');
        const end = isoTime(values.to, '--to');
        if (start >= end) throw new InvalidInputError({ where: '--from', message: 'must be before --to' });
        await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      }
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) {
        throw new InvalidInputError({
          where: '--config-id',
          message: `no schedule for configuration ${JSON.stringify(configId)} (line-rca schedule list)`,
        });
      }
      throw error;
    }
    io.stderr(`line-rca schedule ${action}: done for ${id}\n`);
    return 0;
  } finally {
    await close();
  }
}
