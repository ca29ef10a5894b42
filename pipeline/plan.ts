/**
 * The analysis DAG, written once for both runners (ARCHITECTURE.md, Stages):
 *
 *   prepare → extract → aggregate ──┬──> distribution → rules ──────────────────────────────┐
 *                                   └──> search (trials) → evaluate → explain ∥ stability ──┴──> record the outcome
 *
 * It only calls the stage functions it is given and the pure search loop, so it is
 * deterministic: the Temporal workflow runs it with proxied activities and its own clock, the
 * embedded runner with the activity functions themselves. Nothing here does I/O. The model
 * branch is in model-branch.ts, the distribution branch in distribution-branch.ts, the
 * recording of the outcome in outcome.ts, MLflow tracking
 * (which wraps the stages from aggregate to the end) in tracking.ts.
 */
import type { PrepareInput } from '../activities/prepare';
import { distributionBranch } from './distribution-branch';
import { type ModelOutcome, modelBranch } from './model-branch';
import { type Analysed, recordOutcome } from './outcome';
import type { AnalysisRun, PipelineHooks, PipelineResult, Stages } from './stages';
import { startTracking } from './tracking';

export type { PipelineHooks, PipelineResult, Stages } from './stages';

export async function runPipeline(
  stages: Stages,
  input: PrepareInput,
  hooks: PipelineHooks,
): Promise<PipelineResult> {
  const startedAt = new Date(hooks.now()).toISOString();
  hooks.stage?.('prepare');
  const prepared = await stages.prepare(input);
  const run: AnalysisRun = {
    analysisId: prepared.analysisId,
    workDir: prepared.workDir,
    config: prepared.config,
    settings: prepared.settings,
    startedAt,
  };
  let analysed: Analysed;
  try {
    analysed = await analyse(stages, run, prepared.baseDir, hooks);
  } catch (error) {
    // A failed (or early-cancelled) analysis leaves no data behind: nothing refers to it.
    await hooks.nonCancellable(() => stages.discard({ analysisId: run.analysisId, workDir: run.workDir }));
    throw error;
  }
  return hooks.nonCancellable(() => recordOutcome(stages, run, analysed, hooks));
}

/** The DAG from extract to the end of both branches. */
async function analyse(
  stages: Stages,
  run: AnalysisRun,
  baseDir: string,
  hooks: PipelineHooks,
): Promise<Analysed> {
  const say = hooks.stage ?? (() => undefined);
  const checkpoint = hooks.checkpoint ?? (() => undefined);
  const { config, settings } = run;
  const ref = { analysisId: run.analysisId, workDir: run.workDir };

  say(
    'extract',
    config.source.kind === 'mongo'
      ? `mongodb ${config.source.collection}`
      : config.source.kind === 'file'
        ? config.source.path
        : config.source.uri,
  );
  const extracted = await stages.extract({ ...ref, config, settings, baseDir });
  checkpoint();
  say('aggregate', `${extracted.rows} rows`);
  const aggregated = await stages.aggregate({
    ...ref,
    config,
    settings,
    observationsUri: extracted.observationsUri,
  });
  checkpoint();
  const tracking = await startTracking(stages, run, aggregated);

  say(
    'distribution + search',
    `${aggregated.rows} observations (${aggregated.positives} positive), ${aggregated.variables} variables, ${aggregated.features} features`,
  );
  const distribution = distributionBranch(stages, run, extracted.observationsUri, hooks);
  let branchDone = false;
  distribution.then(
    () => {
      branchDone = true;
    },
    () => undefined,
  );
  let model: ModelOutcome;
  try {
    model = await modelBranch(stages, run, aggregated, hooks, tracking.trial);
  } catch (error) {
    // Never leave the distribution stage running behind a failed analysis.
    await distribution.catch(() => undefined);
    throw error;
  }
  // The rules may still run once the model is explained: say so rather than "explain".
  if (!branchDone && !model.cancelled) say('rules');
  const branch = await settled(distribution, model.cancelled, hooks);
  const distributed = branch?.distributed ?? null;
  return { extracted, aggregated, tracking, distributed, ruled: branch?.ruled ?? null, model };
}

/**
 * The distribution stage's output once the model branch is over: null when the analysis was
 * cancelled before it finished (the outcome is then recorded without it).
 */
async function settled<T>(
  distribution: Promise<T>,
  cancelled: boolean,
  hooks: PipelineHooks,
): Promise<T | null> {
  try {
    return await distribution;
  } catch (error) {
    if (cancelled || hooks.isCancellation(error)) return null;
    throw error;
  }
}
