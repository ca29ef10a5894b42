// Analysis ids from workflow ids (issue 19, item 3): one-to-one, one safe path segment each, and
// the folder of every analysis under the artifact root, never the root or outside it.
import path from 'node:path';
import fc from 'fast-check';
import { analysisIdOf, checkAnalysisId, isAnalysisId, workflowIdOf } from '../../activities/analysis-id';
import { analysisWorkDir } from '../../activities/prepare';
import { analysisWorkflowId } from '../../cli/run';

const root = path.resolve('/tmp/line-rca-artifacts');

function folderOf(id: string): string {
  const saved = process.env.LINE_RCA_ARTIFACTS;
  process.env.LINE_RCA_ARTIFACTS = root;
  try {
    return analysisWorkDir(analysisIdOf(id));
  } finally {
    process.env.LINE_RCA_ARTIFACTS = saved;
  }
}

/** Inside `analyses/` of the root, exactly one level down. */
function ownFolder(folder: string): boolean {
  return path.dirname(folder) === path.join(root, 'analyses') && path.basename(folder) !== '..';
}

const tricky = [
  'x a',
  'x/a',
  'x-a',
  'x_a',
  'x.a',
  'x\\a',
  'x:a',
  'X a',
  'X-A',
  'x-A',
  '..',
  '.',
  '../..',
  '../../etc/passwd',
  '/abs/path',
  '',
  ' ',
  '~',
  'x-a~0123456789abcdef0123',
  'x~20a',
  'x~~0123456789abcdef0123',
  'café',
  'cafe\u0301',
  '日本語のライン',
  '🍪 line',
  'a'.repeat(180),
  'a'.repeat(181),
  'a'.repeat(5000),
  `${'a'.repeat(5000)}b`,
  'analysis-line-3-2026-11-01T02:00:00Z',
  'analysis-line-3-2026-11-01T02-00-00Z',
];

describe('analysisIdOf', () => {
  it('keeps plain ids as they are and encodes every other byte after a ~', () => {
    expect(analysisIdOf('analysis-line-3-20261101-020000-3fa9c1')).toBe(
      'analysis-line-3-20261101-020000-3fa9c1',
    );
    expect(analysisIdOf('analysis-Line-20261101T020000123Z-3fa9c1')).toBe(
      'analysis-Line-20261101T020000123Z-3fa9c1',
    );
    expect(analysisIdOf('x a')).toBe('x~20a');
    expect(analysisIdOf('x/a')).toBe('x~2Fa');
    expect(analysisIdOf('..')).toBe('~2E.');
    expect(analysisIdOf('analysis-c1-2026-11-01T02:00:00Z')).toBe('analysis-c1-2026-11-01T02~3A00~3A00Z');
    expect(analysisIdOf('café')).toBe('caf~C3~A9');
    expect(analysisIdOf('a'.repeat(5000))).toMatch(/^a{120}~~[0-9a-f]{20}$/);
  });

  it('is reversed by workflowIdOf, except for ids too long to keep whole', () => {
    for (const id of tricky) {
      const back = workflowIdOf(analysisIdOf(id));
      expect(back === id || (back === undefined && analysisIdOf(id).includes('~~'))).toBe(true);
    }
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        (id) => workflowIdOf(analysisIdOf(id)) === id || id === '',
      ),
      { numRuns: 300 },
    );
    expect(workflowIdOf('not/an/id')).toBeUndefined();
    expect(workflowIdOf('~ZZ')).toBeUndefined();
  });

  it('gives ids that differ only in punctuation, case, dots or length different analysis ids', () => {
    const ids = tricky.map(analysisIdOf);
    expect(new Set(ids).size).toBe(tricky.length);
  });

  it('is injective on arbitrary texts (unicode included)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...tricky)), {
          minLength: 2,
          maxLength: 40,
        }),
        (names) => new Set(names.map(analysisIdOf)).size === names.length,
      ),
      { numRuns: 300 },
    );
  });

  it('puts every analysis in a folder of its own under the artifact root', () => {
    for (const id of tricky) {
      const folder = folderOf(id);
      expect({ id, inside: ownFolder(folder) }).toEqual({ id, inside: true });
      expect(isAnalysisId(path.basename(folder))).toBe(true);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (id) => ownFolder(folderOf(id))),
      { numRuns: 300 },
    );
  });

  it('refuses a folder name that is not an analysis id', () => {
    for (const bad of ['..', '.', 'a/b', '', 'A b', 'x~2f', 'x~~12', '.hidden', 'a'.repeat(201)]) {
      expect(() => checkAnalysisId(bad)).toThrow(/is not an analysis id/);
    }
  });
});

describe('line-rca run workflow ids', () => {
  it('differ for submissions in the same second and are plain analysis ids', () => {
    const at = new Date('2026-11-01T02:00:00.123Z');
    const ids = Array.from({ length: 50 }, () => analysisWorkflowId('line-3', at));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(/^analysis-line-3-20261101-020000-[0-9a-f]{6}$/);
      expect(analysisIdOf(id)).toBe(id);
    }
  });
});
