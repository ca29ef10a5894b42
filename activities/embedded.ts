/**
 * The in-process runner: the analysis DAG on one machine, files in, files out, calling the same
 * stage functions in the same order as the Temporal workflow. Distribution runs alongside the
 * search. Results reach `outDir` only at the end, each file renamed into place, so a stopped run
 * leaves no half-written results.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisConfig } from '../analysis/config';
import type { ResultsDocument, TrialSummary } from '../analysis/results';
import { runSearch, type TrialRequest } from '../analysis/search/parallel';
import { artifactRoot, datasetPath } from '../connectors/datasets';
import { newId } from '../connectors/mongo';
import { createTracker, type Tracker } from '../connectors/tracking';
import { aggregate, extract } from './data';
import { distribution } from './distribution';
import { evaluate, explain, searchTrial } from './model';
import { type Progress, silentProgress } from './progress';
import { persist, report } from './results';
import type { AggregateOutput, EvaluateOutput, ExplainOutput, PersistInput, TrialOutput } from './types';

export interface EmbeddedRunOptions {
  readonly config: AnalysisConfig;
  /** Folder a relative `source.path` is relative to. */
  readonly baseDir: string;
  /** Where `results.json`, `report.html` and the model files go (optional). */
  readonly outDir?: string;
  readonly analysisId?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface EmbeddedRunResult {
  readonly results: ResultsDocument;
  readonly workDir: string;
  /** Files written to `outDir`, by name. */
  readonly files: Readonly<Record<string, string>>;
}

export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AnalysisCancelled';
  }
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AnalysisCancelled();
}

/** Trial parameters as the results show them (the search's helper choices left out). */
export function shownParams(params: TrialRequest['params']): TrialSummary['params'] {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null) out[k] = v;
  return out;
}

export async function runEmbedded(options: EmbeddedRunOptions): Promise<EmbeddedRunResult> {
  const { config, signal } = options;
  const progress = options.progress ?? silentProgress;
  const analysisId = options.analysisId ?? newId();
  const workDir = path.join(artifactRoot(), 'analyses', analysisId);
  const ref = { analysisId, workDir };
  const startedAt = new Date().toISOString();
  const tracker: Tracker = createTracker({
    analysisId,
    line: config.line,
    experiment: config.tracking?.experiment,
    warn: (m) => progress.info(`tracking: ${m}`),
  });

  progress.stage(
    'extract',
    config.source.kind === 'file' ? config.source.path : `mongodb ${config.source.collection}`,
  );
  const extracted = await extract({ ...ref, config, baseDir: options.baseDir });
  checkSignal(signal);
  progress.stage('aggregate', `${extracted.rows} rows, ${extracted.variables.length} variables`);
  const aggregated = await aggregate({ ...ref, config, observationsUri: extracted.observationsUri });
  checkSignal(signal);
  await tracker.startAnalysis({
    id: analysisId,
    name: config.name,
    line: config.line,
    startedAt,
    params: {
      target: config.target,
      source: config.source.kind,
      aggregation: config.aggregation,
      validation: config.validation,
      models: config.models.join(','),
      search: config.search,
    },
    metrics: {
      rows: aggregated.rows,
      positives: aggregated.positives,
      variables: aggregated.variables.length,
      features: aggregated.features,
    },
  });

  progress.stage(
    'distribution + search',
    `${aggregated.rows} observations (${aggregated.positives} positive), ${aggregated.features} features`,
  );
  const distributionRun = distribution({ ...ref, config, observationsUri: extracted.observationsUri });
  distributionRun.catch(() => undefined);

  let model: Awaited<ReturnType<typeof searchAndModel>>;
  try {
    model = await searchAndModel(options, ref, aggregated, tracker, progress);
  } catch (error) {
    // Never leave the distribution stage running behind a failed or cancelled analysis.
    await distributionRun.catch(() => undefined);
    throw error;
  }
  const { trials, evaluated, explained } = model;
  const distributed = await distributionRun;
  checkSignal(signal);

  progress.stage('persist');
  const persistInput: PersistInput = {
    ...ref,
    config,
    startedAt,
    finishedAt: new Date().toISOString(),
    status: 'complete',
    extract: extracted,
    aggregate: aggregated,
    distribution: distributed,
    trials,
    evaluate: evaluated,
    explain: explained,
  };
  let persisted = await persist(persistInput);
  progress.stage('report');
  const reported = await report({
    ...ref,
    resultsUri: persisted.resultsUri,
    observationsUri: extracted.observationsUri,
    featuresUri: aggregated.featuresUri,
    shapSampleUri: explained?.shapSampleUri,
  });
  if (tracker.enabled) {
    const artifacts: Record<string, string> = {
      'results.json': datasetPath(persisted.resultsUri),
      'report.html': datasetPath(reported.reportUri),
    };
    if (evaluated) artifacts['model.json'] = datasetPath(evaluated.modelUri);
    if (evaluated?.onnxUri) artifacts['model.onnx'] = datasetPath(evaluated.onnxUri);
    const status = await tracker.finishAnalysis({
      metrics: evaluated
        ? {
            validation_auc: evaluated.model.validation.auc,
            validation_pr_auc: evaluated.model.validation.prAuc,
            validation_logloss: evaluated.model.validation.logloss,
          }
        : {},
      artifacts,
      status: 'complete',
    });
    persisted = await persist({ ...persistInput, tracking: status });
  }

  const files: Record<string, string> = {};
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    const publish = (name: string, uri: string | null | undefined) => {
      if (!uri) return;
      const from = datasetPath(uri);
      if (!existsSync(from)) return;
      const to = path.join(options.outDir!, name);
      copyFileSync(from, `${to}.tmp`);
      renameSync(`${to}.tmp`, to);
      files[name] = to;
    };
    publish('model.json', evaluated?.modelUri);
    publish('model.onnx', evaluated?.onnxUri);
    publish('report.html', reported.reportUri);
    // results.json last: its presence says the analysis finished.
    publish('results.json', persisted.resultsUri);
  }
  const results = JSON.parse(readFileSync(datasetPath(persisted.resultsUri), 'utf8')) as ResultsDocument;
  return { results, workDir, files };
}

async function searchAndModel(
  options: EmbeddedRunOptions,
  ref: { analysisId: string; workDir: string },
  aggregated: AggregateOutput,
  tracker: Tracker,
  progress: Progress,
): Promise<{ trials: TrialSummary[]; evaluated: EvaluateOutput | null; explained: ExplainOutput | null }> {
  const { config, signal } = options;
  const requests = new Map<number, TrialRequest>();
  const outputs = new Map<number, TrialOutput>();
  const { search } = config;
  const searched = await runSearch(
    {
      models: config.models,
      trials: search.trials,
      timeoutSeconds: search.timeoutSeconds,
      parallelism: 1,
      seed: search.seed,
    },
    {
      now: () => Date.now(),
      stopped: () => signal?.aborted === true,
      evaluate: async (request) => {
        requests.set(request.number, request);
        // Let Ctrl-C and the distribution stage's I/O in between trials.
        await new Promise((resolve) => setImmediate(resolve));
        checkSignal(signal);
        const output = await searchTrial({
          featuresUri: aggregated.featuresUri,
          split: aggregated.split,
          ...request,
        });
        outputs.set(request.number, output);
        return output;
      },
      onTold: async (told, study) => {
        const best = study.bestTrial;
        const request = requests.get(told.number)!;
        progress.trial(
          study.trials.filter((t) => t.state !== 'running').length,
          search.trials,
          best?.value ?? null,
          `#${told.number} ${request.learner} ${told.state}${told.value !== null ? ` ${told.value.toFixed(4)}` : ''}`,
        );
        await tracker.logTrial({
          number: told.number,
          learner: request.learner,
          params: request.params,
          intermediate: told.intermediate,
          value: told.value,
          state: told.state,
          metric: 'auc',
        });
      },
    },
  );
  checkSignal(signal);
  const trials: TrialSummary[] = searched.study.trials.map((t) => {
    const request = requests.get(t.number);
    return {
      number: t.number,
      kind: request?.learner ?? (t.params.learner as 'gbdt' | 'logistic'),
      params: request ? shownParams(request.params) : {},
      value: t.value ?? null,
      state: t.state,
      ...(outputs.get(t.number)?.error ? { error: outputs.get(t.number)!.error } : {}),
    };
  });

  let evaluated: EvaluateOutput | null = null;
  let explained: ExplainOutput | null = null;
  const best = searched.study.bestTrial;
  if (best) {
    progress.stage(
      'evaluate',
      `best trial #${best.number} (${requests.get(best.number)!.learner}, AUC ${best.value?.toFixed(4)})`,
    );
    const bestRequest = requests.get(best.number)!;
    const logistic = searched.study.trials
      .filter((t) => t.state === 'complete' && requests.get(t.number)?.learner === 'logistic')
      .sort((a, b) => (b.value as number) - (a.value as number))[0];
    const baselineParams = logistic
      ? requests.get(logistic.number)!.params
      : config.models.includes('logistic')
        ? { C: 1, penalty: 'l2' }
        : undefined;
    evaluated = await evaluate({
      ...ref,
      featuresUri: aggregated.featuresUri,
      split: aggregated.split,
      best: {
        learner: bestRequest.learner,
        params: bestRequest.params,
        bestIteration: searched.bestIterations[best.number],
      },
      ...(baselineParams ? { baseline: { params: baselineParams } } : {}),
    });
    checkSignal(signal);
    progress.stage(
      'explain',
      `${evaluated.model.kind}: validation AUC ${evaluated.model.validation.auc.toFixed(4)}`,
    );
    explained = await explain({ ...ref, featuresUri: aggregated.featuresUri, modelUri: evaluated.modelUri });
  }
  return { trials, evaluated, explained };
}
