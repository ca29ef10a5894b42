import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The import graph of the sources (cycles and layer rules are dependency-cruiser's, in `npm run
// lint`): what a compute thread loads, followed through every file, packages included.
const root = path.resolve(__dirname, '..', '..');
const folders = [
  'analysis',
  'connectors',
  'compute',
  'activities',
  'pipeline',
  'workflows',
  'workers',
  'cli',
  'report',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

const files = folders.flatMap((f) => sources(path.join(root, f)));
const graph = new Map<string, { local: string[]; packages: string[] }>(
  files.map((file) => {
    const imported = ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((f) => f.fileName);
    return [
      file,
      {
        local: imported.map((s) => resolve(file, s)).filter((f): f is string => f !== undefined),
        packages: imported.filter((s) => !s.startsWith('.')),
      },
    ];
  }),
);
const rel = (file: string) => path.relative(root, file);

/** Every file reachable from `start`. */
function reach(start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const next of graph.get(stack.pop()!)?.local ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

describe('import graph', () => {
  it('compute threads run analysis functions only: no connector, no activity, no native package', () => {
    const entries = ['compute/worker.ts', 'compute/distribution-worker.ts'].map((f) => path.join(root, f));
    for (const entry of entries) {
      const reached = [...reach(entry)];
      const outside = reached.map(rel).filter((f) => !f.startsWith('analysis/') && !f.startsWith('compute/'));
      expect({ entry: rel(entry), outside }).toEqual({ entry: rel(entry), outside: [] });
      const packages = new Set(reached.flatMap((f) => graph.get(f)!.packages));
      const native = [...packages].filter((p) => p.startsWith('@duckdb') || p.startsWith('onnxruntime'));
      expect(native).toEqual([]);
    }
  });
});
