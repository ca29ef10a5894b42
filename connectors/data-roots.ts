/**
 * `LINE_RCA_DATA_ROOTS`: the folders file sources may be read from, separated by `:` (`;` on
 * Windows). Unset or empty, any path may be read. Set, a source outside them is refused as
 * invalid input before anything is read, so whoever may start a workflow cannot make a worker
 * open another file on its machine, nor learn its column names from an error message.
 *
 * Paths are compared after resolving symbolic links, so a link inside a root that points
 * outside it is refused too.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../analysis/errors';

export function dataRootsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const roots = (env.LINE_RCA_DATA_ROOTS ?? '')
    .split(path.delimiter)
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  return roots.length > 0 ? roots.map((r) => path.resolve(r)) : undefined;
}

/** The real path of `file`, or of its nearest existing folder joined with the rest. */
function realPath(file: string): string {
  const missing: string[] = [];
  let current = path.resolve(file);
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing.reverse());
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

export function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

/**
 * Refuses `file` (absolute) when `LINE_RCA_DATA_ROOTS` is set and the file is outside every
 * root. `shown` is how the caller wrote the path, the only thing the message repeats.
 */
export function confineToDataRoots(file: string, shown: string, env: NodeJS.ProcessEnv = process.env): void {
  const roots = dataRootsFromEnv(env);
  if (!roots) return;
  const real = realPath(file);
  if (roots.some((root) => isInside(real, realPath(root)))) return;
  throw new InvalidInputError({
    where: 'source.path',
    message:
      `${JSON.stringify(shown)} is outside the folders this worker may read (LINE_RCA_DATA_ROOTS); ` +
      'put the file in one of them, or use a MongoDB source',
  });
}
