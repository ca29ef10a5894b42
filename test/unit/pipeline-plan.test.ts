/**
 * The plan alone (pipeline/plan.ts), with recording stages in place of the activities: the
 * order of the DAG, one compose and one persist, a cancellation recorded as cancelled with the
 * trials so far, a failure discarding the analysis' folder, MLflow trial logs awaited before
 * the run is closed, trials numbered as results.json numbers them, and payloads that do not
 * grow with the number of variables.
 */
import type { SearchProgress } from '../../activities/progress';
import type {
  ComposeInput,
  EvaluateInput,
  PersistInput,
  StabilityInput,
  TrialInput,
} from '../../activities/types';
import { parseConfig } from '../../analysis/config';
import { secondsLeft } from '../../pipeline/model-branch';
import { type PipelineHooks, runPipeline, type Stages } from '../../pipeline/plan';

class Cancelled extends Error {}

const config = parseConfig({
  name: 'plan test',
  line: 'l1',
  source: { kind: 'file', path: 'line.parquet', timeColumn: 'time' },
  target: 'defect > 0',
  models: ['gbdt', 'logistic'],
  search: { trials: 6, seed: 3, parallelism: 2 },
});

interface Recorded {
  calls: string[];
  inputs: Record<string, unknown[]>;
  outputs: unknown[];
}

function fakeStages(options: { failAt?: string; variables?: number; baselineExplained?: boolean } = {}): {
  stages: Stages;
  rec: Recorded;
} {
  const rec: Recorded = { calls: [], inputs: {}, outputs: [] };
  const variables = options.variables ?? 3;
  const ref = { analysisId: 'a1', workDir: '/tmp/analyses/a1' };
  const stage =
    <T>(name: string, output: (input: never) => T) =>
    async (input: unknown): Promise<T> => {
      rec.calls.push(name);
      rec.inputs[name] = [...(rec.inputs[name] ?? []), input];
      // Each stage takes a turn of the event loop, as activities do.
      await new Promise((r) => setImmediate(r));
      if (options.failAt === name) throw new Error(`${name} failed`);
      const out = output(input as never);
      rec.outputs.push(out);
      return out;
    };
  const stages = {
    prepare: stage('prepare', () => ({ ...ref, config, baseDir: '/data' })),
    extract: stage('extract', () => ({
      observationsUri: 'file:///o.parquet',
      rows: 1000,
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
      variables: variables + 1,
      duplicateRows: 0,
      unsortedRows: 0,
    })),
    aggregate: stage('aggregate', () => ({
      featuresUri: 'file:///f.parquet',
      rows: 100,
      positives: 10,
      features: variables * 5,
      variables,
      split: { fraction: 0.2, gapMs: 0, windowMs: 600_000 },
      trainRows: 80,
      validationRows: 20,
      validationPositives: 2,
    })),
    distribution: stage('distribution', () => ({ entriesUri: 'file:///distribution.json', variables })),
    rules: stage('rules', () => ({
      whatToDoUri: 'file:///what-to-do.json',
      operatingWindows: 1,
      rules: 2,
      seconds: 1,
    })),
    searchTrial: stage('searchTrial', (input: TrialInput) => ({
      number: input.number,
      learner: input.learner,
      state: 'complete' as const,
      value: 0.5 + input.number / 100,
      intermediate: [],
      seconds: 1,
    })),
    evaluate: stage('evaluate', () => ({
      model: {
        kind: 'gbdt' as const,
        params: {},
        validation: { auc: 0.9, prAuc: 0.5, logloss: 0.2, rows: 20, positives: 2 },
      },
      baseline: null,
      selection: options.baselineExplained
        ? {
            reason: 'the logistic regression baseline scored higher on validation',
            searchBest: { kind: 'gbdt' as const, params: {}, validation: { auc: 0.8 } },
          }
        : { reason: "the search's best trial (gradient-boosted trees)" },
      searchValidation: { method: 'time-ordered' as const, folds: 1 },
      modelUri: 'file:///model.json',
      onnxUri: 'file:///model.onnx',
    })),
    explain: stage('explain', () => ({
      importanceUri: 'file:///importance.json',
      contributionsUri: 'file:///contributions.json',
      shapSampleUri: 'file:///shap.json',
    })),
    stability: stage('stability', () => ({
      stabilityUri: 'file:///stability.json',
      folds: 5,
      seconds: 1,
    })),
    compose: stage('compose', () => ({ resultsUri: 'file:///results.json' })),
    persist: stage('persist', (input: PersistInput) => ({
      resultId: 'a1',
      resultsUri: input.resultsUri,
      storedIn: ['file' as const],
    })),
    report: stage('report', () => ({ reportUri: 'file:///report.html' })),
    discard: stage('discard', () => undefined),
    trackStart: stage('trackStart', () => ({ pending: [] })),
    trackTrial: stage('trackTrial', () => ({ pending: [] })),
    trackFinish: stage('trackFinish', () => ({ experimentId: '7', runId: 'r', pending: [] })),
  } as unknown as Stages;
  return { stages, rec };
}

function hooks(extra: Partial<PipelineHooks> = {}): PipelineHooks {
  let clock = 1_000_000;
  return {
    now: () => (clock += 500),
    isCancellation: (error) => error instanceof Cancelled,
    nonCancellable: (work) => work(),
    ...extra,
  };
}

const withoutTrials = (calls: string[]) => calls.filter((c) => c !== 'searchTrial' && c !== 'trackTrial');

describe('runPipeline', () => {
  it('runs the DAG in order and records the outcome once', async () => {
    const { stages, rec } = fakeStages();
    const result = await runPipeline(stages, { config: {} }, hooks());
    expect(withoutTrials(rec.calls)).toEqual([
      'prepare',
      'extract',
      'aggregate',
      'trackStart',
      'distribution',
      'rules',
      'evaluate',
      'stability',
      'explain',
      'compose',
      'report',
      'trackFinish',
      'persist',
    ]);
    expect(rec.calls.filter((c) => c === 'searchTrial')).toHaveLength(6);
    // every trial log is done before the run is closed
    expect(rec.calls.lastIndexOf('trackTrial')).toBeLessThan(rec.calls.indexOf('trackFinish'));
    const composed = rec.inputs.compose[0] as ComposeInput;
    expect(composed.status).toBe('complete');
    // the stability folds refit the configuration explained: here the search's best
    const evaluated = rec.inputs.evaluate[0] as EvaluateInput;
    expect((rec.inputs.stability[0] as StabilityInput).explained).toEqual(evaluated.best);
    expect(composed.stability).toEqual({ stabilityUri: 'file:///stability.json', folds: 5, seconds: 1 });
    expect(composed.distribution).toEqual({ entriesUri: 'file:///distribution.json', variables: 3 });
    // the rules stage reads the distribution's ranking and dead times; compose gets its output
    expect(rec.inputs.rules[0]).toMatchObject({ entriesUri: 'file:///distribution.json' });
    expect(composed.rules).toMatchObject({ whatToDoUri: 'file:///what-to-do.json' });
    expect(composed.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rec.inputs.persist[0]).toEqual({
      analysisId: 'a1',
      workDir: '/tmp/analyses/a1',
      resultsUri: 'file:///results.json',
      tracking: { experimentId: '7', runId: 'r', pending: [] },
    });
    expect(result).toMatchObject({
      status: 'complete',
      reportUri: 'file:///report.html',
      storedIn: ['file'],
    });
  });

  it('refits the baseline in the stability folds when evaluate explains the baseline', async () => {
    const { stages, rec } = fakeStages({ baselineExplained: true });
    await runPipeline(stages, { config: {} }, hooks());
    const evaluated = rec.inputs.evaluate[0] as EvaluateInput;
    expect(evaluated.baseline?.learner).toBe('logistic');
    expect((rec.inputs.stability[0] as StabilityInput).explained).toEqual(evaluated.baseline);
  });

  it('records a cancellation during the search as cancelled, with the trials so far and no report', async () => {
    const { stages, rec } = fakeStages();
    let told = 0;
    let cancelled = false;
    const result = await runPipeline(
      stages,
      { config: {} },
      hooks({
        trial: () => {
          told++;
          if (told >= 2) cancelled = true;
        },
        checkpoint: () => {
          if (cancelled) throw new Cancelled();
        },
      }),
    );
    expect(result.status).toBe('cancelled');
    expect(rec.calls).not.toContain('report');
    expect(rec.calls).not.toContain('evaluate');
    expect(rec.calls).not.toContain('discard');
    expect(rec.calls.filter((c) => c === 'persist')).toHaveLength(1);
    const composed = rec.inputs.compose[0] as ComposeInput;
    expect(composed.status).toBe('cancelled');
    expect(composed.evaluate).toBeNull();
  });

  it('records a cancellation after the search with the trials it has', async () => {
    const { stages, rec } = fakeStages();
    let cancelled = false;
    const result = await runPipeline(
      stages,
      { config: {} },
      hooks({
        stage: (name) => {
          if (name === 'evaluate') cancelled = true;
        },
        checkpoint: () => {
          if (cancelled) throw new Cancelled();
        },
      }),
    );
    expect(result.status).toBe('cancelled');
    const composed = rec.inputs.compose[0] as ComposeInput;
    expect(composed.trials).toHaveLength(6);
    // cancelled while evaluating: the evaluation is kept, explain never starts
    expect(composed.evaluate).not.toBeNull();
    expect(composed.explain).toBeNull();
  });

  it.each(['aggregate', 'distribution', 'rules', 'explain'])(
    'discards the analysis and records nothing when %s fails',
    async (stage) => {
      const { stages, rec } = fakeStages({ failAt: stage });
      await expect(runPipeline(stages, { config: {} }, hooks())).rejects.toThrow(`${stage} failed`);
      expect(rec.calls).toContain('discard');
      expect(rec.calls).not.toContain('compose');
      expect(rec.calls).not.toContain('persist');
      expect(rec.inputs.discard[0]).toEqual({ analysisId: 'a1', workDir: '/tmp/analyses/a1' });
    },
  );

  it('tells each trial by its number, with the count done and the time left', async () => {
    const { stages } = fakeStages();
    const seen: SearchProgress[] = [];
    await runPipeline(stages, { config: {} }, hooks({ trial: (p) => seen.push(p) }));
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((p) => p.trial.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.every((p) => p.total === 6)).toBe(true);
    // the best so far is the latest trial here (values grow with the number)
    expect(seen.map((p) => p.best?.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[5].secondsLeft).toBe(0);
    expect(seen[0].secondsLeft).toBeGreaterThan(0);
  });

  it('passes the same small payloads whatever the number of variables', async () => {
    const sizes = async (variables: number) => {
      const { stages, rec } = fakeStages({ variables });
      await runPipeline(stages, { config: {} }, hooks());
      return [...Object.values(rec.inputs).flat(), ...rec.outputs].map(
        (p) => JSON.stringify(p ?? null).length,
      );
    };
    const few = await sizes(3);
    const many = await sizes(5000);
    expect(many.length).toBe(few.length);
    // counts grow by a few digits, never by a list
    expect(Math.max(...many.map((size, i) => size - few[i]))).toBeLessThan(16);
  });
});

describe('secondsLeft', () => {
  it('estimates the trials left at the pace so far, within the time budget', () => {
    expect(secondsLeft(0, 10, 5, 600)).toBeNull();
    expect(secondsLeft(2, 10, 10, 600)).toBe(40);
    expect(secondsLeft(2, 10, 10, 30)).toBe(20);
    expect(secondsLeft(10, 10, 50, 600)).toBe(0);
    expect(secondsLeft(2, 10, 700, 600)).toBe(0);
  });
});
