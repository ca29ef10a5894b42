/**
 * MLflow tracking as stages, for the workflow: each call opens the analysis' tracker, whose
 * journal on disk remembers the runs already created, applies one step and settles. The
 * embedded runner calls the same functions, so both runners log the same runs.
 */
import type { AnalysisConfig } from '../analysis/config';
import { datasetPath } from '../connectors/datasets';
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

/**
 * The plan hands the artifacts on as `file://` URIs (what the stages return); the tracker copies
 * local files, and `copyFile` would read a URI string as a relative path and log nothing.
 */
export async function trackFinish(
  input: TrackInput & { readonly outcome: AnalysisOutcome },
): Promise<TrackingStatus> {
  const { artifacts } = input.outcome;
  const outcome: AnalysisOutcome = artifacts
    ? {
        ...input.outcome,
        artifacts: Object.fromEntries(Object.entries(artifacts).map(([n, f]) => [n, datasetPath(f)])),
      }
    : input.outcome;
  return trackerFor(input).finishAnalysis(outcome);
}
