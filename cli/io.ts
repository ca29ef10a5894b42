/** Where a command writes: stdout carries only results (`--json`), stderr progress and errors. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A command: its arguments to an exit status. */
export type Command = (argv: string[], io: CommandIO) => Promise<number>;
