/**
 * No source file over 700 lines (STYLE: a reader holds one concern a file). Tests, benchmarks
 * and fixtures aside. Import cycles are checked by `npm run lint` (dependency-cruiser,
 * .dependency-cruiser.cjs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const MAX_LINES = 700;
/** Folders that are not product source. */
const ASIDE = new Set(['node_modules', 'dist', 'test', 'bench', 'coverage', '.data', '.git', 'datasets']);

function sourceFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!ASIDE.has(entry.name) && !entry.name.startsWith('.') && entry.name !== 'fixtures')
        out.push(...sourceFiles(path.join(dir, entry.name), name));
    } else if (/\.(ts|js|cjs|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      out.push(name);
    }
  }
  return out;
}

describe('source files', () => {
  const files = sourceFiles(ROOT);
  const lines = (file: string) => readFileSync(path.join(ROOT, file), 'utf8').split('\n').length;

  it('finds the product folders', () => {
    expect(files).toEqual(expect.arrayContaining(['pipeline/plan.ts', 'cli/main.ts', 'analysis/config.ts']));
  });

  it(`keeps every file at ${MAX_LINES} lines or fewer`, () => {
    const long = files.map((f) => ({ file: f, lines: lines(f) })).filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('names every source and test file in kebab-case (one convention: window-grid.ts)', () => {
    const tests = (readdirSync(path.join(ROOT, 'test'), { recursive: true }) as string[]).filter((f) =>
      /\.(ts|js|cjs|mjs)$/.test(f),
    );
    const odd = [...files, ...tests]
      .map((f) => path.basename(f))
      .filter((name) => !name.startsWith('.') && !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)+$/.test(name));
    expect(odd).toEqual([]);
  });
});
