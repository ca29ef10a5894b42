import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTracker,
  flattenParams,
  Journal,
  NoopTracker,
  parseJournal,
  pendingOps,
  runKeyTag,
  statusOf,
} from '../../connectors/tracking';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-rca-tracking-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('journal', () => {
  it('skips a line cut short by a crash and counts only unfinished operations as pending', () => {
    const lines = [
      { t: 'journal', analysisId: 'a1', trackingUri: 'http://x', createdAt: '' },
      { t: 'op', id: '1', op: { kind: 'endRun', key: 'analysis', status: 'FINISHED', endTime: 1 } },
      { t: 'op', id: '2', op: { kind: 'endRun', key: 'trial-0', status: 'FINISHED', endTime: 1 } },
      { t: 'op', id: '3', op: { kind: 'endRun', key: 'trial-1', status: 'KILLED', endTime: 1 } },
      { t: 'done', id: '1' },
      { t: 'failed', id: '3', error: 'bad' },
      { t: 'run', key: 'analysis', runId: 'r', experimentId: 'e', artifactUri: 'u' },
    ].map((l) => JSON.stringify(l));
    const state = parseJournal(`${lines.join('\n')}\n{"t":"done","id":"2`);
    expect(state.analysisId).toBe('a1');
    expect(pendingOps(state).map((o) => o.id)).toEqual(['2']);
    expect(state.runs.get('analysis')?.runId).toBe('r');
  });

  it('lists pending runs as analysis then trials by number, whatever order they were journalled in', () => {
    const op = (id: string, key: string) =>
      JSON.stringify({ t: 'op', id, op: { kind: 'endRun', key, status: 'FINISHED', endTime: 1 } });
    const lines = [
      JSON.stringify({ t: 'journal', analysisId: 'a1', trackingUri: 'http://x', createdAt: '' }),
      op('1', 'trial-10'),
      op('2', 'trial-2'),
      op('3', 'analysis'),
      op('4', 'trial-0'),
      op('5', 'trial-2'),
    ];
    expect(statusOf(parseJournal(`${lines.join('\n')}\n`)).pending).toEqual([
      'analysis',
      'trial-0',
      'trial-2',
      'trial-10',
    ]);
  });

  it('starts a fresh line after a torn one', async () => {
    const journal = new Journal(join(dir, 'x.jsonl'));
    await writeFile(journal.path, '{"t":"op","id":"1","op":{"kind":"endRun"');
    await journal.append([{ t: 'done', id: '9' }]);
    const state = await journal.read();
    expect([...state.done]).toEqual(['9']);
    expect((await readFile(journal.path, 'utf8')).split('\n')).toHaveLength(3);
  });
});

describe('flattenParams and run keys', () => {
  it('flattens nested configuration to dotted text params', () => {
    expect(
      flattenParams({
        line: 'l3',
        search: { trials: 40, seed: 42 },
        models: ['gbdt', 'logistic'],
        x: undefined,
      }),
    ).toEqual([
      { key: 'line', value: 'l3' },
      { key: 'search.trials', value: '40' },
      { key: 'search.seed', value: '42' },
      { key: 'models', value: '["gbdt","logistic"]' },
    ]);
  });

  it('makes run-key tags safe inside an MLflow filter string', () => {
    expect(runKeyTag('abc-1', 'trial-3')).toBe('abc-1/trial-3');
    const odd = runKeyTag("it's", 'analysis');
    expect(odd).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('trackers', () => {
  it('is a no-op without MLFLOW_TRACKING_URI', async () => {
    const tracker = createTracker({ analysisId: 'a', line: 'l', env: {}, journalDir: dir });
    expect(tracker).toBeInstanceOf(NoopTracker);
    expect(await tracker.finishAnalysis({})).toEqual({ pending: [] });
  });

  it('journals everything and reports it pending when MLflow cannot be reached', async () => {
    const warnings: string[] = [];
    const tracker = createTracker({
      analysisId: 'offline-1',
      line: 'line-3',
      env: {},
      settings: { trackingUri: 'http://127.0.0.1:9', retries: 0, token: 'secret-token' },
      journalDir: dir,
      warn: (m) => warnings.push(m),
    });
    const artifact = join(dir, 'results.json');
    await writeFile(artifact, '{"id":"offline-1"}');
    await tracker.startAnalysis({ id: 'offline-1', name: 'n', line: 'line-3', params: { a: 1 } });
    await Promise.all(
      [0, 1, 2].map((n) =>
        tracker.logTrial({ number: n, learner: 'gbdt', params: {}, value: 0.5, state: 'complete' }),
      ),
    );
    const status = await tracker.finishAnalysis({
      metrics: { auc: 0.9 },
      artifacts: { 'results.json': artifact },
    });
    expect(status.pending).toEqual(['analysis', 'trial-0', 'trial-1', 'trial-2']);
    expect(tracker.pendingRuns()).toEqual(status.pending);
    expect(status.runId).toBeUndefined();
    // Warned once per outage (and once more when the final retry also fails), never with the token.
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.join('\n')).not.toContain('secret-token');
    const state = await Journal.forAnalysis(dir, 'offline-1').read();
    // parent: create + batch; 3 trials × (create, batch, end); finish: batch, artifact, end, reconcile.
    expect(state.ops).toHaveLength(2 + 9 + 4);
    expect(pendingOps(state)).toHaveLength(15);
    // The artifact was copied next to the journal, so a flush does not need the original.
    const upload = state.ops.find((o) => o.op.kind === 'uploadArtifact')!.op as { file: string };
    expect(upload.file.startsWith(join(dir, 'offline-1.files'))).toBe(true);
    expect(await readFile(upload.file, 'utf8')).toBe('{"id":"offline-1"}');
  });
});
