import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { staleBuildFiles } from '../../compute/thread';

describe('a build older than its sources', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'line-rca-build-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const file = (rel: string, seconds: number) => {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, seconds, seconds);
  };

  it('names the sources changed after their compiled files, and nothing else', () => {
    file('dist/compute/worker.js', 1000);
    file('compute/worker.ts', 900);
    file('dist/analysis/learners/trial.js', 1000);
    file('analysis/learners/trial.ts', 1100);
    file('dist/analysis/only-built.js', 1000);
    expect(staleBuildFiles(path.join(root, 'dist'), root)).toEqual([
      path.join('analysis', 'learners', 'trial.ts'),
    ]);
    file('dist/analysis/learners/trial.js', 1200);
    expect(staleBuildFiles(path.join(root, 'dist'), root)).toEqual([]);
  });
});
