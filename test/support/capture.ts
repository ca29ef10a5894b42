/** A `CommandIO` that keeps what a command writes, to run `main([...])` in-process in tests. */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}
