/**
 * Worker threads that run the code the caller runs: the TypeScript sources when the caller runs
 * from them (tests, development: the thread compiles each module on load with SWC, as jest
 * does), the build in `dist/` when the caller runs from there — and then only if that build is
 * not older than the sources beside it, or the threads would run other code than was edited.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { InvalidInputError } from '../analysis/errors';

const fromSource = path.extname(__filename) === '.ts';

/**
 * Compiled files of `distRoot` whose TypeScript source in `sourceRoot` was changed after them
 * (relative paths of the sources); empty when the build is current or there are no sources.
 */
export function staleBuildFiles(distRoot: string, sourceRoot: string): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js')) {
        const source = path.join(sourceRoot, path.relative(distRoot, file)).replace(/\.js$/, '.ts');
        const built = statSync(file).mtimeMs;
        const edited = statSync(source, { throwIfNoEntry: false })?.mtimeMs;
        if (edited !== undefined && edited > built) stale.push(path.relative(sourceRoot, source));
      }
    }
  };
  walk(distRoot);
  return stale.sort();
}

/**
 * Refuses a `dist/` build older than the sources of the checkout it was built from (a walk of
 * the build, some 20 ms: done when a pool or an engine is made, not per thread or task).
 */
export function assertCurrentBuild(): void {
  if (fromSource) return;
  const distRoot = path.resolve(__dirname, '..');
  const sourceRoot = path.dirname(distRoot);
  // An installed package ships the build alone: nothing to compare with.
  if (path.basename(distRoot) === 'dist') {
    const stale = staleBuildFiles(distRoot, sourceRoot);
    if (stale.length > 0) {
      throw new InvalidInputError({
        where: 'build',
        message: `${path.join(sourceRoot, 'dist')} is older than the sources (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? `, and ${stale.length - 3} more` : ''} changed since it was built): worker threads would run the old code; run \`npm run build\``,
      });
    }
  }
}

/** The bootstrap of a thread running TypeScript: SWC compiles each `.ts` module as it loads. */
export function typescriptBootstrap(entry: string): string {
  const pirates = require.resolve('pirates');
  const swc = require.resolve('@swc/core');
  return `
const { addHook } = require(${JSON.stringify(pirates)});
const { transformSync } = require(${JSON.stringify(swc)});
addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
require(${JSON.stringify(entry)});
`;
}

/** Starts `compute/<name>` in a worker thread running the caller's code (see above). */
export function startThread(name: string, options: WorkerOptions = {}): Worker {
  if (fromSource)
    return new Worker(typescriptBootstrap(path.join(__dirname, `${name}.ts`)), { ...options, eval: true });
  return new Worker(path.join(__dirname, `${name}.js`), options);
}
