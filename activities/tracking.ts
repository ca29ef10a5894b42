/**
 * MLflow tracking as stages, for the workflow: each call opens the analysis' tracker, whose
 * journal on disk remembers the runs already created, applies one step and settles. The
 * embedded runner keeps one tracker for the whole run instead; both log the same runs.
 */
import type { AnalysisConfig } from '../analysis/config';
import {
  type AnalysisOutcome,
  type AnalysisSummary,
  createTracker,
  type TrackingStatus,
  type TrialLog,
} from '../connectors/tracking';

export interface TrackInput {
  readonly analysisId: string;
  readonly config: Pick<AnalysisConfig, 'line' | 'tracking'>;
}

function trackerFor(input: TrackInput) {
  return createTracker({
    analysisId: input.analysisId,
    line: input.config.line,
    experiment: input.config.tracking?.experiment,
  });
}

export async function trackStart(
  input: TrackInput & { readonly summary: AnalysisSummary },
): Promise<TrackingStatus> {
  const tracker = trackerFor(input);
  await tracker.startAnalysis(input.summary);
  await tracker.settle();
  return tracker.status();
}

export async function trackTrial(input: TrackInput & { readonly trial: TrialLog }): Promise<TrackingStatus> {
  const tracker = trackerFor(input);
  await tracker.logTrial(input.trial);
  await tracker.settle();
  return tracker.status();
}

export async function trackFinish(
  input: TrackInput & { readonly outcome: AnalysisOutcome },
): Promise<TrackingStatus> {
  return trackerFor(input).finishAnalysis(input.outcome);
}

/** The parent run's parameters and figures, the same in both runners. */
export function analysisSummary(
  analysisId: string,
  config: AnalysisConfig,
  startedAt: string,
  figures: { rows: number; positives: number; variables: number; features: number },
): AnalysisSummary {
  return {
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
    metrics: figures,
  };
}
