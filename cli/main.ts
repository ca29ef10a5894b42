/**
 * The `line-rca` command: a small dispatcher. Each command is a function from its arguments to
 * an exit status; this file is the one place that turns errors into statuses — invalid input
 * (`InvalidInputError`, bad options) is 2, anything else 1 — and prints them on stderr.
 */
import { isInvalidInput } from '../analysis/errors';
import { analyzeCommand, analyzeSpec, demoCommand, demoSpec } from './analyze';
import { artifactsCommand, artifactsSpec } from './artifacts';
import { configCommand, configSpec } from './config';
import { dataCommand, dataSpec } from './data';
import { distributionCommand, distributionSpec } from './distribution';
import type { Command, CommandIO } from './io';
import { type CommandSpec, helpText } from './options';
import { runCommand, runSpec } from './run';
import { scheduleCommand, scheduleSpec } from './schedule';
import { serveCommand, serveSpec } from './serve';
import { trackingCommand, trackingSpec } from './tracking';
import { workerCommand, workerSpec } from './worker';

interface CommandEntry {
  readonly spec: CommandSpec;
  readonly run: Command;
}

/** Every command, in the order `line-rca --help` lists them. */
export const commands: Record<string, CommandEntry> = {
  demo: { spec: demoSpec, run: demoCommand },
  analyze: { spec: analyzeSpec, run: analyzeCommand },
  distribution: { spec: distributionSpec, run: distributionCommand },
  worker: { spec: workerSpec, run: workerCommand },
  run: { spec: runSpec, run: runCommand },
  schedule: { spec: scheduleSpec, run: scheduleCommand },
  config: { spec: configSpec, run: configCommand },
  tracking: { spec: trackingSpec, run: trackingCommand },
  artifacts: { spec: artifactsSpec, run: artifactsCommand },
  data: { spec: dataSpec, run: dataCommand },
  serve: { spec: serveSpec, run: serveCommand },
};

export const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function usage(): string {
  const lines = Object.values(commands).flatMap((c) => c.spec.usage.map((u) => `  line-rca ${u}`));
  return `usage:\n${lines.join('\n')}\n\nline-rca <command> --help describes a command and every option.\n`;
}

/** Failures of the world around the command (a service, a workflow), not of its code. */
const OPERATIONAL_FAILURES = new Set([
  'TemporalUnavailableError',
  'MongoUnavailableError',
  'MlflowError',
  'WaitTimeoutError',
  'AnalysisFailedError',
]);

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
  if (name === 'help' && rest[0] !== undefined && commands[rest[0]]) {
    io.stdout(helpText(commands[rest[0]].spec));
    return 0;
  }
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
      io.stderr(`line-rca ${name}: error: ${(error as Error).message}\n${helpText(command.spec)}`);
      return 2;
    }
    // A service that is away or an analysis that failed is told in a sentence; a stack trace
    // is kept for what may be a bug.
    const known = error instanceof Error && OPERATIONAL_FAILURES.has(error.name);
    io.stderr(
      `line-rca ${name}: failed: ${known ? error.message : ((error as Error)?.stack ?? String(error))}\n`,
    );
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
