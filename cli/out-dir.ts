/**
 * The `--out` folder, checked and made before any work starts: a file in its place, a parent that
 * is a file, a folder that cannot be made or written (read-only, `/proc`) are input errors
 * (exit 2) at once, not failures after the whole analysis. Folders are made one level at a time:
 * Node's recursive mkdir can spin forever where the kernel answers ENOENT for a parent that
 * exists (`/proc/nope`).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../analysis/errors';

function problem(flag: string, dir: string, message: string): InvalidInputError {
  return new InvalidInputError({ where: flag, message: `${JSON.stringify(dir)} ${message}` });
}

/** Makes `dir` (and its missing parents) a folder this process can write into; returns its path. */
export function prepareOutDir(dir: string, flag = '--out'): string {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      const stat = statSync(current);
      if (!stat.isDirectory()) {
        throw problem(
          flag,
          dir,
          current === target
            ? 'is a file; name a folder (it is made if missing)'
            : `cannot be made: ${current} is a file`,
        );
      }
      break;
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw problem(flag, dir, `cannot be read (${code})`);
      const parent = path.dirname(current);
      if (parent === current) throw problem(flag, dir, 'cannot be made: no existing parent folder');
      missing.unshift(current);
      current = parent;
    }
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw problem(flag, dir, `cannot be made (${code} at ${folder})`);
    }
  }
  const probe = path.join(target, `.line-rca-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw problem(flag, dir, `is not writable (${(error as NodeJS.ErrnoException).code})`);
  }
  return target;
}
