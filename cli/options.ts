/**
 * Each command's options, described once: what `parseArgs` accepts, what `--help` prints and
 * what the README's command list is checked against (test/unit/cli-help.test.ts).
 */
import { parseArgs } from 'node:util';
import type { CommandIO } from './io';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What the value is, in the usage line: `FILE`, `DIR`, `N`. */
  readonly value?: string;
  readonly description: string;
  readonly default?: string | boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** Usage lines, without `line-rca `: what the README lists. */
  readonly usage: readonly string[];
  /** What the command does, a few lines. */
  readonly description: string;
  /** Sub-commands (`schedule create`, `config put`), with what each does. */
  readonly actions?: readonly { readonly name: string; readonly description: string }[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: boolean;
}

/** The Temporal task queue, the same option for `worker`, `run` and `schedule`. */
export const TASK_QUEUE_OPTION = {
  type: 'string',
  value: 'Q',
  description: 'Temporal task queue (default LINE_RCA_TASK_QUEUE, else line-rca)',
} as const satisfies OptionSpec;

export type OptionValues<S extends CommandSpec> = {
  [K in keyof S['options']]?: S['options'][K]['type'] extends 'boolean' ? boolean : string;
};

export function helpText(spec: CommandSpec): string {
  const lines = ['usage:', ...spec.usage.map((u) => `  line-rca ${u}`), '', spec.description];
  if (spec.actions?.length) {
    lines.push('', 'actions:');
    const width = Math.max(...spec.actions.map((a) => a.name.length));
    for (const a of spec.actions) lines.push(`  ${a.name.padEnd(width)}  ${a.description}`);
  }
  const options = Object.entries(spec.options).map(([name, o]) => ({
    flag: `--${name}${o.value ? ` ${o.value}` : ''}`,
    text: `${o.description}${o.default !== undefined && o.default !== false ? ` (default ${o.default})` : ''}`,
  }));
  options.push({ flag: '--help, -h', text: 'show this help' });
  const width = Math.max(...options.map((o) => o.flag.length));
  lines.push('', 'options:', ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`));
  return `${lines.join('\n')}\n`;
}

/**
 * Parses a command's arguments by its spec; with `--help` or `-h` anywhere, prints the help on
 * stdout and returns null (the command then exits 0).
 */
export function parseCommand<S extends CommandSpec>(
  spec: S,
  argv: readonly string[],
  io: CommandIO,
): { values: OptionValues<S>; positionals: string[] } | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(helpText(spec));
    return null;
  }
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(spec.options))
    options[name] = { type: o.type, ...(o.default !== undefined ? { default: o.default } : {}) };
  const { values, positionals } = parseArgs({
    args: [...argv],
    options,
    strict: true,
    allowPositionals: spec.positionals === true,
  });
  return { values: values as OptionValues<S>, positionals };
}
