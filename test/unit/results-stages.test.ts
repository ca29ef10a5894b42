/**
 * The last stages on files (activities/results.ts): compose reads the per-variable lists from
 * their artifacts into results.json, persist adds the tracking status once, discard removes an
 * analysis' folder and nothing outside the artifact root's analyses.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analysisWorkDir } from '../../activities/prepare';
import { compose, discard, persist, storedResults } from '../../activities/results';
import type { ComposeInput } from '../../activities/types';
import { readJsonArtifact, writeArtifact } from '../../activities/workspace';
import { parseConfig } from '../../analysis/config';
import type { ResultsDocument } from '../../analysis/results';
import { ArtifactStore, splitLargeArrays } from '../../connectors/artifacts';

const root = mkdtempSync(path.join(os.tmpdir(), 'line-rca-results-'));
const saved = { ...process.env };
beforeAll(() => {
  process.env.LINE_RCA_ARTIFACTS = root;
  delete process.env.LINE_RCA_ARTIFACTS_URI;
  process.env.MONGODB_URI = '';
});
afterAll(() => {
  process.env = saved;
});

function composeInput(workDir: string, status: ComposeInput['status']): ComposeInput {
  const entries = [{ variable: 'oven', kind: 'numeric', score: 0.7, threshold: 301.65000915527344 }];
  const importance = [{ variable: 'oven', meanAbsShap: 1.2, features: [] }];
  return {
    analysisId: 'a1',
    workDir,
    config: parseConfig({
      name: 'n',
      line: 'l',
      source: { kind: 'file', path: 'x.csv' },
      target: 'defect > 0',
    }),
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    status,
    extract: {
      observationsUri: 'file:///o.parquet',
      rows: 10,
      from: '',
      to: '',
      variables: 2,
      duplicateRows: 0,
      unsortedRows: 0,
    },
    aggregate: {
      featuresUri: 'file:///f.parquet',
      rows: 10,
      positives: 3,
      features: 5,
      variables: 1,
      split: { fraction: 0.2, gapMs: 0, windowMs: 0 },
      trainRows: 8,
      validationRows: 2,
      validationPositives: 1,
    },
    distribution: {
      entriesUri: writeArtifact(workDir, 'distribution.json', JSON.stringify(entries)),
      variables: 1,
    },
    trials: [],
    evaluate: null,
    explain:
      status === 'complete'
        ? {
            importanceUri: writeArtifact(workDir, 'importance.json', JSON.stringify(importance)),
            contributionsUri: 'file:///c.json',
            shapSampleUri: 'file:///s.json',
          }
        : null,
  };
}

describe('compose and persist', () => {
  it('write the results document once composed, then with its tracking status', async () => {
    const workDir = analysisWorkDir('a1');
    const { resultsUri } = await compose(composeInput(workDir, 'complete'));
    const composed = readJsonArtifact<ResultsDocument>(resultsUri);
    expect(composed.distribution).toEqual([
      { variable: 'oven', kind: 'numeric', score: 0.7, threshold: 301.65000915527344 },
    ]);
    expect(composed.importance.map((e) => e.variable)).toEqual(['oven']);
    expect(composed.data).toEqual({ rows: 10, positives: 3, variables: 1, features: 5 });
    expect(composed.tracking).toBeUndefined();

    const persisted = await persist({
      analysisId: 'a1',
      workDir,
      resultsUri,
      tracking: { pending: ['trial-3'] },
    });
    expect(persisted).toEqual({ resultId: 'a1', resultsUri, storedIn: ['file'] });
    const stored = readJsonArtifact<ResultsDocument>(resultsUri);
    expect(stored.tracking).toEqual({ pending: ['trial-3'] });
    expect(stored.distribution).toEqual(composed.distribution);
  });

  it('compose the evidence: stability in the importance, one verdict a variable, the summary and its tags', async () => {
    const workDir = analysisWorkDir('a3');
    const base = composeInput(workDir, 'complete');
    const entries = [
      { variable: 'oven', kind: 'numeric', score: 0.7, qValue: 0.001, pValue: 0.0005 },
      { variable: 'belt', kind: 'numeric', score: 0.2, qValue: 0.6, pValue: 0.5 },
    ];
    const stability = {
      oven: { folds: 5, topShare: 1, aboveShadowShare: 1, spread: 0.1 },
      belt: { folds: 5, topShare: 0.4, aboveShadowShare: 0.2, spread: 0.9 },
    };
    const input: ComposeInput = {
      ...base,
      analysisId: 'a3',
      extract: { ...base.extract, from: '2026-01-01T00:00:00Z', to: '2026-01-15T00:00:00Z' },
      distribution: {
        entriesUri: writeArtifact(workDir, 'distribution.json', JSON.stringify(entries)),
        variables: 2,
        evidence: {
          method: 'circular shifts of the labels against time …',
          observations: 2016,
          positiveObservations: 200,
          episodes: 12,
          correlationLength: 9,
          allowedShifts: 2015,
          maxShifts: 2000,
          seed: 42,
        },
      },
      explain: {
        ...base.explain!,
        importanceUri: writeArtifact(
          workDir,
          'importance.json',
          JSON.stringify([
            { variable: 'oven', meanAbsShap: 1.2, features: [] },
            { variable: 'belt', meanAbsShap: 0.1, features: [] },
          ]),
        ),
      },
      stability: {
        stabilityUri: writeArtifact(workDir, 'stability.json', JSON.stringify(stability)),
        folds: 5,
        seconds: 1,
      },
    };
    const { resultsUri, tags } = await compose(input);
    const doc = readJsonArtifact<ResultsDocument>(resultsUri);
    expect(doc.importance.map((e) => e.stability)).toEqual([stability.oven, stability.belt]);
    expect(doc.causes!.map((c) => [c.variable, c.verdict])).toEqual([
      ['oven', 'strong'],
      ['belt', 'none'],
    ]);
    expect(doc.data.episodes).toBe(12);
    expect(doc.evidence).toMatchObject({ episodes: 12, stability: { folds: 5, seed: 42 } });
    expect(doc.evidence!.summary).toBe(
      '1 variable explains the observations where defect > 0 with strong evidence (oven); 1 other differs ' +
        'between the two populations no more than slow drift produces by chance. Based on 12 bad episodes over 14 days.',
    );
    expect(tags).toEqual({
      'line_rca.evidence.method': 'circular shifts of the labels against time …',
      'line_rca.episodes': '12',
      'line_rca.causes.strong': 'oven',
      'line_rca.causes.possible': '',
      'line_rca.evidence.summary': doc.evidence!.summary,
    });
  });

  it('compose a cancelled analysis without a distribution', async () => {
    const input = {
      ...composeInput(analysisWorkDir('a2'), 'cancelled'),
      analysisId: 'a2',
      distribution: null,
    };
    const doc = readJsonArtifact<ResultsDocument>((await compose(input)).resultsUri);
    expect(doc.status).toBe('cancelled');
    expect(doc.distribution).toEqual([]);
    expect(doc.importance).toEqual([]);
  });
});

describe('storedResults', () => {
  it('reads back the arrays kept aside from MongoDB, and leaves the other artifacts alone', async () => {
    const workDir = analysisWorkDir('a3');
    const document = {
      id: 'a3',
      distribution: Array.from({ length: 50 }, (_, i) => ({ variable: `tag_${i}`, score: i / 50 })),
      importance: [{ variable: 'tag_1', meanAbsShap: 1, features: [] }],
      artifacts: { model: 'file:///elsewhere/model.json' },
    };
    // what MongoStore.saveResults does with persist's store
    const split = await splitLargeArrays(document, new ArtifactStore(path.join(workDir, 'stored')), {
      prefix: 'results/a3',
      maxInlineBytes: 500,
    });
    expect(Object.keys(split)).not.toContain('distribution');
    const read = await storedResults(split as unknown as ResultsDocument, workDir);
    expect(read.distribution).toEqual(document.distribution);
    expect(read.importance).toEqual(document.importance);
    expect(read.artifacts).toEqual({ model: 'file:///elsewhere/model.json' });
  });
});

describe('discard', () => {
  it("removes an analysis' folder, and nothing outside the root's analyses", async () => {
    const workDir = analysisWorkDir('failed-1');
    writeArtifact(workDir, 'observations.parquet', 'rows');
    await discard({ analysisId: 'failed-1', workDir });
    expect(existsSync(workDir)).toBe(false);

    const elsewhere = path.join(root, 'keep');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(path.join(elsewhere, 'data'), 'x');
    for (const dir of [elsewhere, root, path.join(root, 'analyses'), path.join(root, 'analyses', 'a', 'b')])
      await discard({ analysisId: 'x', workDir: dir });
    expect(existsSync(path.join(elsewhere, 'data'))).toBe(true);
    expect(existsSync(path.join(root, 'analyses'))).toBe(true);
  });
});
