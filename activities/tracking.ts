/**
 * MLflow tracking as stages, for the workflow: each call opens the analysis' tracker, whose
 * journal on disk remembers the runs already created, applies one step and settles. The
 * embedded runner calls the same functions, so both runners log the same runs.
 */
import type { Changes } from '../analysis/changes';
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
  input: TrackInput & { readonly outcome: AnalysisOutcome; readonly changes?: Changes | null },
): Promise<TrackingStatus> {
  const { artifacts } = input.outcome;
  const outcome: AnalysisOutcome = {
    ...input.outcome,
    ...(artifacts
      ? { artifacts: Object.fromEntries(Object.entries(artifacts).map(([n, f]) => [n, datasetPath(f)])) }
      : {}),
    ...(input.changes ? { tags: { ...input.outcome.tags, ...changesTags(input.changes) } } : {}),
  };
  return trackerFor(input).finishAnalysis(outcome);
}

/** The changes since the last run as run tags, so MLflow's run list can be searched by them. */
export function changesTags(changes: Changes): Record<string, string> {
  const list = (names: readonly string[]) => names.join(', ').slice(0, 5000);
  return {
    'line_rca.changes.previous_id': changes.previousId,
    'line_rca.changes.new_causes': list(changes.newCauses),
    'line_rca.changes.gone_causes': list(changes.goneCauses),
    'line_rca.changes.causes': list(changes.causes),
    'line_rca.changes.auc_change': changes.aucChange === null ? '' : String(changes.aucChange),
    'line_rca.changes.bad_rate_moved': String(changes.badRate.moved),
  };
}
