/**
 * `line-rca config put FILE [--id ID] | get ID | list [--line LINE] [--json] | delete ID`:
 * analysis configurations in MongoDB (`MONGODB_URI`). `put` validates the document (JSON or
 * YAML) and prints its id; `get` prints the stored document as JSON, as it was put.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseConfig } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import { MongoStore, MongoUnavailableError } from '../connectors/mongo';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const configSpec = {
  name: 'config',
  usage: [
    'config put FILE [--id ID] [--json]',
    'config get ID',
    'config list [--line LINE] [--json]',
    'config delete ID',
  ],
  description:
    'Analysis configurations stored in MongoDB (MONGODB_URI), for `run --config-id` and schedules.',
  actions: [
    { name: 'put', description: 'check a configuration file (JSON or YAML) and store it; prints its id' },
    { name: 'get', description: 'print a stored configuration as JSON, as it was put' },
    { name: 'list', description: 'the stored configurations: id, line, name, last update' },
    { name: 'delete', description: 'remove a stored configuration' },
  ],
  options: {
    id: {
      type: 'string',
      value: 'ID',
      description: 'put: store under this id (replacing it) instead of a new one',
    },
    line: { type: 'string', value: 'LINE', description: 'list: only the configurations of this line' },
    json: { type: 'boolean', description: 'put, list: JSON on stdout', default: false },
  },
  positionals: true,
} as const satisfies CommandSpec;
const USAGE = configSpec.usage.join(' | ');

/** Reads a configuration file: JSON by extension `.json`, YAML otherwise. Problems name the file and line. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError({
      where: file,
      message: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`,
    });
  }
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError({ where: file, message: `is not valid JSON: ${(error as Error).message}` });
    }
  }
  try {
    return parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      throw new InvalidInputError({
        where: pos ? `${file}:${pos.line}:${pos.col}` : file,
        message: `is not valid YAML: ${error.message.split('\n')[0]}`,
      });
    }
    throw error;
  }
}

async function withStore(io: CommandIO, work: (store: MongoStore) => Promise<number>): Promise<number> {
  let store: MongoStore;
  try {
    store = await MongoStore.fromEnv();
  } catch (error) {
    if (error instanceof MongoUnavailableError) {
      io.stderr(`line-rca config: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof MongoUnavailableError) {
      io.stderr(`line-rca config: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function configCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(configSpec, argv, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, arg, ...extra] = positionals;
  const needsArg = action === 'put' || action === 'get' || action === 'delete';
  if (
    !action ||
    !['put', 'get', 'list', 'delete'].includes(action) ||
    (needsArg && !arg) ||
    extra.length > 0
  ) {
    throw new InvalidInputError({ where: 'config', message: `usage: line-rca ${USAGE}` });
  }
  switch (action) {
    case 'put': {
      const document = await readConfigFile(arg);
      // Validate before connecting: a bad file is reported the same with or without MongoDB.
      const config = parseConfig(document);
      if (config.source.kind === 'file' && !isAbsolute(config.source.path)) {
        io.stderr(
          `line-rca config: note: source.path ${JSON.stringify(config.source.path)} is relative; a stored ` +
            "configuration is resolved against the runner's working directory\n",
        );
      }
      return withStore(io, async (store) => {
        const { id } = await store.putConfig(document, values.id);
        io.stdout(values.json ? `${JSON.stringify({ id })}\n` : `${id}\n`);
        return 0;
      });
    }
    case 'get':
      return withStore(io, async (store) => {
        const stored = await store.getConfig(arg);
        if (!stored) {
          io.stderr(`line-rca config: error: configuration ${JSON.stringify(arg)} does not exist\n`);
          return 1;
        }
        io.stdout(`${JSON.stringify(stored.document, null, 2)}\n`);
        return 0;
      });
    case 'delete':
      return withStore(io, async (store) => {
        if (!(await store.deleteConfig(arg))) {
          io.stderr(`line-rca config: error: configuration ${JSON.stringify(arg)} does not exist\n`);
          return 1;
        }
        io.stderr(`deleted ${arg}\n`);
        return 0;
      });
    default:
      return withStore(io, async (store) => {
        const list = await store.listConfigs(values.line === undefined ? {} : { line: values.line });
        if (values.json) {
          io.stdout(`${JSON.stringify(list)}\n`);
        } else if (list.length === 0) {
          io.stderr('no configurations\n');
        } else {
          io.stdout(
            `${table([['ID', 'LINE', 'NAME', 'UPDATED'], ...list.map((c) => [c.id, c.line, c.name, c.updatedAt])])}\n`,
          );
        }
        return 0;
      });
  }
}
