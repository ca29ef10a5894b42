/**
 * Recording the outcome, complete or cancelled with what the analysis has: the results document
 * composed once and compared with the line's previous analysis (results.json, what the report
 * and MLflow read), the report (complete analyses only), the MLflow run closed with the changes
 * as tags, the document persisted once with its tracking status, then the alert if one is due.
 */
import type { DistributionOutput, RulesOutput } from '../activities/types';
import type { ModelOutcome } from './model-branch';
import type { AnalysisRun, PipelineHooks, PipelineResult, StageOutput, Stages } from './stages';
import type { Tracking } from './tracking';

/** What the analysis made, complete or cancelled part-way: what the outcome is recorded from. */
export interface Analysed {
  readonly extracted: StageOutput<'extract'>;
  readonly aggregated: StageOutput<'aggregate'>;
  readonly tracking: Tracking;
  /** Null when the analysis was cancelled before the distribution stage finished. */
  readonly distributed: DistributionOutput | null;
  /** Null when there was no rules stage's output (cancelled before it finished). */
  readonly ruled?: RulesOutput | null;
  readonly model: ModelOutcome;
}

export async function recordOutcome(
  stages: Stages,
  run: AnalysisRun,
  analysed: Analysed,
  hooks: PipelineHooks,
): Promise<PipelineResult> {
  const say = hooks.stage ?? (() => undefined);
  const { extracted, aggregated, distributed, model } = analysed;
  const { evaluated, explained } = model;
  const status = model.cancelled || !distributed ? 'cancelled' : 'complete';
  const ref = { analysisId: run.analysisId, workDir: run.workDir };

  say('persist');
  const finishedAt = new Date(hooks.now()).toISOString();
  const { resultsUri, changes, tags } = await stages.compose({
    ...ref,
    config: run.config,
    startedAt: run.startedAt,
    finishedAt,
    status,
    extract: extracted,
    aggregate: aggregated,
    distribution: distributed,
    trials: model.trials,
    evaluate: evaluated,
    explain: explained,
    stability: model.stabilized ?? null,
    rules: analysed.ruled ?? null,
  });
  let reportUri: string | null = null;
  if (status === 'complete') {
    say('report');
    const reported = await stages.report({
      ...ref,
      resultsUri,
      observationsUri: extracted.observationsUri,
      featuresUri: aggregated.featuresUri,
      shapSampleUri: explained?.shapSampleUri,
    });
    reportUri = reported.reportUri;
  }

  const artifacts: Record<string, string> = { 'results.json': resultsUri };
  if (reportUri) artifacts['report.html'] = reportUri;
  if (evaluated) artifacts['model.json'] = evaluated.modelUri;
  if (evaluated?.onnxUri) artifacts['model.onnx'] = evaluated.onnxUri;
  const tracking = await analysed.tracking.finish(
    {
      metrics: evaluated ? definedMetrics(evaluated.model.validation) : {},
      artifacts,
      status,
      ...(tags ? { tags: { ...tags } } : {}),
    },
    changes,
  );
  const tracked = tracking.experimentId !== undefined || tracking.pending.length > 0;
  const persisted = await stages.persist({ ...ref, resultsUri, ...(tracked ? { tracking } : {}) });
  if (status === 'complete' && run.config.alerts) {
    // An alert that cannot be sent is logged by the stage; the analysis is done regardless.
    await stages.alert({ ...ref, config: run.config, finishedAt, changes, reportUri }).catch(() => undefined);
  }
  return {
    ...ref,
    status,
    resultId: persisted.resultId,
    resultsUri: persisted.resultsUri,
    reportUri,
    modelUri: evaluated?.modelUri ?? null,
    onnxUri: evaluated?.onnxUri ?? null,
    storedIn: persisted.storedIn,
    pendingRuns: tracking.pending,
  };
}

/** The validation figures MLflow takes (numbers only: an AUC the period cannot give is left out). */
function definedMetrics(validation: {
  readonly auc: number | null;
  readonly prAuc: number | null;
  readonly logloss: number;
}): Record<string, number> {
  const figures = {
    validation_auc: validation.auc,
    validation_pr_auc: validation.prAuc,
    validation_logloss: validation.logloss,
  };
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(figures))
    if (value !== null && Number.isFinite(value)) metrics[name] = value;
  return metrics;
}
