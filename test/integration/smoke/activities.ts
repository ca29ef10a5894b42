// Activities for the Temporal smoke test: run by the worker outside the workflow sandbox.
export async function describeBatch(line: string, units: number): Promise<string> {
  return `${line}: ${units} units checked`;
}
