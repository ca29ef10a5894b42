/**
 * MLflow tracking around the stages: a parent run opened once the data figures are known, a
 * nested run per trial logged beside the search (never in its way: a slow MLflow must not hold
 * trials back), and the run closed with the outcome after every trial log has settled. The
 * tracking stages journal what MLflow could not take, so they never fail an analysis.
 */
import type { TrialRequest } from '../analysis/search/parallel';
import type { AnalysisRun, StageOutput, Stages } from './stages';

export type TrackingStatus = StageOutput<'trackFinish'>;
export type TrackingOutcome = Parameters<Stages['trackFinish']>[0]['outcome'];
type TrackedChanges = Parameters<Stages['trackFinish']>[0]['changes'];

export interface Tracking {
  /** Logs one told trial (the request it was asked with, the report it was told with). */
  readonly trial: (
    request: TrialRequest,
    told: {
      readonly number: number;
      readonly state: 'complete' | 'pruned' | 'failed';
      readonly value: number | null;
      readonly intermediate: readonly { readonly step: number; readonly value: number }[];
    },
  ) => void;
  /**
   * Closes the parent run (tagged with the changes since the last run, if any); resolves to what
   * is still pending once the trial logs are done.
   */
  readonly finish: (outcome: TrackingOutcome, changes?: TrackedChanges) => Promise<TrackingStatus>;
}

export async function startTracking(
  stages: Stages,
  run: AnalysisRun,
  aggregated: StageOutput<'aggregate'>,
): Promise<Tracking> {
  const { config } = run;
  const track = { analysisId: run.analysisId, config: { line: config.line, tracking: config.tracking } };
  await stages.trackStart({
    ...track,
    summary: {
      id: run.analysisId,
      name: config.name,
      line: config.line,
      startedAt: run.startedAt,
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
        variables: aggregated.variables,
        features: aggregated.features,
      },
    },
  });
  const trialLogs: Promise<unknown>[] = [];
  return {
    trial: (request, told) => {
      const logged = stages.trackTrial({
        ...track,
        trial: {
          number: told.number,
          learner: request.learner,
          params: request.params,
          intermediate: told.intermediate,
          value: told.value,
          state: told.state,
          metric: 'binary_logloss',
        },
      });
      logged.catch(() => undefined);
      trialLogs.push(logged);
    },
    finish: async (outcome, changes) => {
      await Promise.allSettled(trialLogs);
      return stages.trackFinish({ ...track, outcome, ...(changes ? { changes } : {}) });
    },
  };
}
