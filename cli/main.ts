/**
 * The `line-rca` command: a small dispatcher. Each command is a function from its arguments to
 * an exit status; this file is the one place that turns errors into statuses — invalid input
 * (`InvalidInputError`, bad options) is 2, anything else 1 — and prints them on stderr.
 */
import { isInvalidInput } from '../analysis/errors';
import { analyzeCommand, demoCommand } from './analyze';
import { configCommand } from './config';
import { distributionCommand } from './distribution';
import type { Command, CommandIO } from './io';
import { runCommand } from './run';
import { scheduleCommand } from './schedule';
import { trackingCommand } from './tracking';
import { workerCommand } from './worker';

interface CommandEntry {
  readonly summary: string;
  readonly run: Command;
}

/** Registered commands; `demo`, `analyze`, `worker`, `run`, `schedule`, `config`, `tracking` join here. */
export const commands: Record<string, CommandEntry> = {
  demo: {
    summary: 'demo [--out DIR] [--cause burnt|cracks|energy] [--trials N] [--json]',
    run: demoCommand,
  },
  analyze: { summary: 'analyze --config FILE [--out DIR] [--json]', run: analyzeCommand },
  worker: { summary: 'worker [--task-queue Q] [--concurrency N]', run: workerCommand },
  run: {
    summary: 'run (--config FILE | --config-id ID) [--wait] [--json] [--task-queue Q]',
    run: runCommand,
  },
  schedule: {
    summary:
      'schedule create --config-id ID --cron EXPR [--timezone TZ] | list [--json] | delete --config-id ID | trigger --config-id ID | backfill --config-id ID --from ISO --to ISO',
    run: scheduleCommand,
  },
  distribution: {
    summary:
      'distribution --data FILE --target EXPR [--time-column NAME] [--from ISO] [--to ISO] [--variables a,b,c] [--json]',
    run: distributionCommand,
  },
  config: {
    summary: 'config put FILE [--id ID] | get ID | list [--line LINE] [--json] | delete ID',
    run: configCommand,
  },
  tracking: {
    summary: 'tracking flush [--dir DIR] [--any-server] [--json] | pending [--json]',
    run: trackingCommand,
  },
};

export const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  line-rca ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

/** Errors `node:util` parseArgs throws for unknown or malformed options. */
function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Runs `line-rca <command> ...argv`; resolves to the exit status. */
export async function main(
  argv: string[] = process.argv.slice(2),
  io: CommandIO = processIO,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`line-rca: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isInvalidInput(error)) {
      for (const p of error.problems)
        io.stderr(`line-rca ${name}: error: ${p.where ? `${p.where}: ` : ''}${p.message}\n`);
      return 2;
    }
    if (isArgumentError(error)) {
      io.stderr(`line-rca ${name}: error: ${(error as Error).message}\n${usage()}`);
      return 2;
    }
    io.stderr(`line-rca ${name}: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (error) => {
      process.stderr.write(`line-rca: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
