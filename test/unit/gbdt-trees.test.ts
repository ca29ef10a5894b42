/**
 * Golden digests of the trees trained on `treeCases`: a refactor of the learner must keep every
 * tree, leaf value, threshold and validation score bit for bit. A change that means to alter
 * the trees (not a refactor) regenerates them with `UPDATE_GBDT_DIGESTS=1` and says why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { modelDigest, trainCase, treeCases } from '../fixtures/gbdt/tree-cases';

const file = path.join(__dirname, '..', 'fixtures', 'gbdt', 'tree-digests.json');

describe('GBDT trees stay bit for bit (golden digests)', () => {
  if (process.env.UPDATE_GBDT_DIGESTS === '1') {
    it('writes the digests', () => {
      const out: Record<string, string> = {};
      for (const c of treeCases) out[c.name] = modelDigest(trainCase(c));
      writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    });
    return;
  }
  const golden = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  it.each(treeCases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    expect(modelDigest(trainCase(c))).toBe(golden[name]);
  });
});
