/**
 * The analysis DAG, written once for both runners:
 *
 *   prepare → extract → aggregate ──┬──> distribution ─────────────────────────┐
 *                                   └──> search (trials) → evaluate → explain ──┴──> persist → report
 *
 * It only calls the stage functions it is given and the pure search loop, so it is
 * deterministic: the Temporal workflow runs it with proxied activities and its own clock, the
 * embedded runner with the activity functions themselves. Nothing here does I/O.
 */
import type * as activities from '../activities';
import type { PrepareInput } from '../activities/prepare';
import type { TrialOutput } from '../activities/types';
import { searchChoice } from '../analysis/search/outcome';
import { runSearch, type TrialRequest } from '../analysis/search/parallel';

type Stage<K extends keyof typeof activities> = (
  input: Parameters<(typeof activities)[K]>[0],
) => Promise<Awaited<ReturnType<(typeof activities)[K]>>>;

/** The stages, as functions (embedded) or activity proxies (Temporal). */
export type Stages = { readonly [K in keyof typeof activities]: Stage<K> };

export interface PipelineHooks {
  /** Milliseconds: `Date.now` in-process; the workflow's deterministic clock under Temporal. */
  readonly now: () => number;
  readonly stage?: (name: string, detail?: string) => void;
  readonly trial?: (done: number, total: number, best: number | null, detail: string) => void;
  /** Throws when the run was cancelled (embedded: Ctrl-C); Temporal cancels through its awaits. */
  readonly checkpoint?: () => void;
  readonly isCancellation: (error: unknown) => boolean;
  /** Runs the recording of the outcome so that a cancellation cannot interrupt it. */
  readonly nonCancellable: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface PipelineResult {
  readonly analysisId: string;
  readonly workDir: string;
  readonly status: 'complete' | 'cancelled';
  readonly resultId: string;
  readonly resultsUri: string;
  readonly reportUri: string | null;
  readonly modelUri: string | null;
  readonly onnxUri: string | null;
  readonly storedIn: readonly string[];
  readonly pendingRuns: readonly string[];
}

export async function runPipeline(
  stages: Stages,
  input: PrepareInput,
  hooks: PipelineHooks,
): Promise<PipelineResult> {
  const say = hooks.stage ?? (() => undefined);
  const checkpoint = hooks.checkpoint ?? (() => undefined);
  const startedAt = new Date(hooks.now()).toISOString();

  say('prepare');
  const prepared = await stages.prepare(input);
  const { config } = prepared;
  const ref = { analysisId: prepared.analysisId, workDir: prepared.workDir };
  const track = { analysisId: ref.analysisId, config: { line: config.line, tracking: config.tracking } };

  say('extract', config.source.kind === 'file' ? config.source.path : `mongodb ${config.source.collection}`);
  const extracted = await stages.extract({ ...ref, config, baseDir: prepared.baseDir });
  checkpoint();
  say('aggregate', `${extracted.rows} rows, ${extracted.variables.length} variables`);
  const aggregated = await stages.aggregate({ ...ref, config, observationsUri: extracted.observationsUri });
  checkpoint();
  let tracking = await stages.trackStart({
    ...track,
    summary: {
      id: ref.analysisId,
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
    },
  });

  say(
    'distribution + search',
    `${aggregated.rows} observations (${aggregated.positives} positive), ${aggregated.features} features`,
  );
  const distributionRun = stages.distribution({ ...ref, config, observationsUri: extracted.observationsUri });
  distributionRun.catch(() => undefined);

  const requests = new Map<number, TrialRequest>();
  const reports = new Map<number, TrialOutput>();
  const trialLogs: Promise<Awaited<ReturnType<Stages['trackTrial']>>>[] = [];
  let cancelled = false;
  let evaluated: Awaited<ReturnType<Stages['evaluate']>> | null = null;
  let explained: Awaited<ReturnType<Stages['explain']>> | null = null;
  let choice: ReturnType<typeof searchChoice> | null = null;
  try {
    const { search } = config;
    const searched = await runSearch(
      {
        models: config.models,
        trials: search.trials,
        timeoutSeconds: search.timeoutSeconds,
        parallelism: search.parallelism,
        seed: search.seed,
      },
      {
        now: hooks.now,
        evaluate: async (request) => {
          requests.set(request.number, request);
          checkpoint();
          const output = await stages.searchTrial({
            featuresUri: aggregated.featuresUri,
            split: aggregated.split,
            ...request,
          });
          reports.set(request.number, output);
          return output;
        },
        onTold: async (told, study) => {
          const request = requests.get(told.number)!;
          hooks.trial?.(
            study.trials.filter((t) => t.state !== 'running').length,
            search.trials,
            study.bestTrial?.value ?? null,
            `#${told.number} ${request.learner} ${told.state}${told.value !== null ? ` ${told.value.toFixed(4)}` : ''}`,
          );
          // Logged alongside the search, not in its way: a slow MLflow must not hold trials back.
          const logged = stages.trackTrial({
            ...track,
            trial: {
              number: told.number,
              learner: request.learner,
              params: request.params,
              intermediate: told.intermediate,
              value: told.value,
              state: told.state,
              metric: 'auc',
            },
          });
          logged.catch(() => undefined);
          trialLogs.push(logged);
        },
      },
    );
    checkpoint();
    choice = searchChoice(searched.study, config.models, requests, reports);
    if (choice.best) {
      say(
        'evaluate',
        `${choice.best.learner}, inner validation AUC ${searched.study.bestTrial?.value?.toFixed(4)}`,
      );
      evaluated = await stages.evaluate({
        ...ref,
        featuresUri: aggregated.featuresUri,
        split: aggregated.split,
        best: choice.best,
        ...(choice.baseline ? { baseline: { params: choice.baseline } } : {}),
      });
      checkpoint();
      say('explain', `${evaluated.model.kind}: validation AUC ${evaluated.model.validation.auc.toFixed(4)}`);
      explained = await stages.explain({
        ...ref,
        featuresUri: aggregated.featuresUri,
        modelUri: evaluated.modelUri,
      });
    }
  } catch (error) {
    if (!hooks.isCancellation(error)) {
      // Never leave the distribution stage running behind a failed analysis.
      await distributionRun.catch(() => undefined);
      throw error;
    }
    cancelled = true;
  }

  // The outcome is recorded whatever happened above: complete, or cancelled with what it has.
  return hooks.nonCancellable(async () => {
    let distributed: Awaited<ReturnType<Stages['distribution']>>;
    try {
      distributed = await distributionRun;
    } catch (error) {
      if (!cancelled) throw error;
      distributed = { entries: [] };
    }
    say('persist');
    const persistInput = {
      ...ref,
      config,
      startedAt,
      finishedAt: new Date(hooks.now()).toISOString(),
      status: cancelled ? ('cancelled' as const) : ('complete' as const),
      extract: extracted,
      aggregate: aggregated,
      distribution: distributed,
      trials: choice?.trials ?? [],
      evaluate: evaluated,
      explain: explained,
    };
    let persisted = await stages.persist(persistInput);
    let reportUri: string | null = null;
    if (!cancelled) {
      say('report');
      const reported = await stages.report({
        ...ref,
        resultsUri: persisted.resultsUri,
        observationsUri: extracted.observationsUri,
        featuresUri: aggregated.featuresUri,
        shapSampleUri: explained?.shapSampleUri,
      });
      reportUri = reported.reportUri;
    }
    const artifacts: Record<string, string> = { 'results.json': persisted.resultsUri };
    if (reportUri) artifacts['report.html'] = reportUri;
    if (evaluated) artifacts['model.json'] = evaluated.modelUri;
    if (evaluated?.onnxUri) artifacts['model.onnx'] = evaluated.onnxUri;
    for (const logged of trialLogs) tracking = await logged.catch(() => tracking);
    tracking = await stages.trackFinish({
      ...track,
      outcome: {
        metrics: evaluated
          ? {
              validation_auc: evaluated.model.validation.auc,
              validation_pr_auc: evaluated.model.validation.prAuc,
              validation_logloss: evaluated.model.validation.logloss,
            }
          : {},
        artifacts,
        status: cancelled ? 'cancelled' : 'complete',
      },
    });
    if (tracking.experimentId !== undefined || tracking.pending.length > 0) {
      persisted = await stages.persist({ ...persistInput, tracking });
    }
    return {
      analysisId: ref.analysisId,
      workDir: ref.workDir,
      status: cancelled ? 'cancelled' : 'complete',
      resultId: persisted.resultId,
      resultsUri: persisted.resultsUri,
      reportUri,
      modelUri: evaluated?.modelUri ?? null,
      onnxUri: evaluated?.onnxUri ?? null,
      storedIn: persisted.storedIn,
      pendingRuns: tracking.pending,
    };
  });
}
