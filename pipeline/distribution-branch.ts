/**
 * The distribution branch of the DAG, beside the model branch: distribution (each variable
 * aligned on its dead time, compared within strata) → rules (operating windows, rules, the
 * recommendation, on the ranking and the dead times the distribution found). A cancellation
 * during the rules keeps the distribution; any other error goes up.
 */
import type { DistributionOutput, RulesOutput } from '../activities/types';
import type { AnalysisRun, PipelineHooks, Stages } from './stages';

export interface DistributionOutcome {
  readonly distributed: DistributionOutput;
  /** Null when the analysis was cancelled before the rules stage finished. */
  readonly ruled: RulesOutput | null;
}

export async function distributionBranch(
  stages: Stages,
  run: AnalysisRun,
  observationsUri: string,
  hooks: PipelineHooks,
): Promise<DistributionOutcome> {
  const { config, settings } = run;
  const input = { analysisId: run.analysisId, workDir: run.workDir, config, settings, observationsUri };
  const distributed = await stages.distribution(input);
  try {
    const ruled = await stages.rules({ ...input, entriesUri: distributed.entriesUri });
    return { distributed, ruled };
  } catch (error) {
    if (!hooks.isCancellation(error)) throw error;
    return { distributed, ruled: null };
  }
}
