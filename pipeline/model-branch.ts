/**
 * The model branch of the DAG: search (every trial a stage call) → evaluate → explain, with the
 * stability folds beside it. A cancellation ends it with what it has (the trials so far, the
 * models already made); any other error goes up.
 */
import type { TrialOutput } from '../activities/types';
import type { TrialSummary } from '../analysis/results';
import { searchChoice } from '../analysis/search/outcome';
import { runSearch, type TrialRequest } from '../analysis/search/parallel';
import type { AnalysisRun, PipelineHooks, StageOutput, Stages } from './stages';
import type { Tracking } from './tracking';

export interface ModelOutcome {
  readonly cancelled: boolean;
  readonly trials: readonly TrialSummary[];
  readonly evaluated: StageOutput<'evaluate'> | null;
  readonly explained: StageOutput<'explain'> | null;
  /** The ranking's stability over time folds (analysis/evidence/stability.ts). */
  readonly stabilized?: StageOutput<'stability'> | null;
}

export async function modelBranch(
  stages: Stages,
  run: AnalysisRun,
  aggregated: StageOutput<'aggregate'>,
  hooks: PipelineHooks,
  logTrial: Tracking['trial'],
): Promise<ModelOutcome> {
  const say = hooks.stage ?? (() => undefined);
  const checkpoint = hooks.checkpoint ?? (() => undefined);
  const ref = { analysisId: run.analysisId, workDir: run.workDir };
  const data = { featuresUri: aggregated.featuresUri, split: aggregated.split };
  let outcome: ModelOutcome = { cancelled: false, trials: [], evaluated: null, explained: null };
  try {
    const choice = await search(stages, run, data, hooks, logTrial);
    outcome = { ...outcome, trials: choice.trials };
    checkpoint();
    if (!choice.best) return outcome;
    say(
      'evaluate',
      `${choice.best.learner}, trial ${choice.bestNumber}: inner validation AUC ${choice.bestValue}`,
    );
    const evaluated = await stages.evaluate({
      ...ref,
      ...data,
      best: choice.best,
      ...(choice.baseline ? { baseline: choice.baseline } : {}),
    });
    outcome = { ...outcome, evaluated };
    checkpoint();
    const auc = evaluated.model.validation.auc;
    say(
      'explain + stability',
      `${evaluated.model.kind}: validation AUC ${auc === null ? 'none' : auc.toFixed(4)}`,
    );
    // The stability folds refit the configuration explained beside the explanation.
    const explainedConfiguration =
      evaluated.selection.searchBest && choice.baseline ? choice.baseline : choice.best;
    const stability = stages.stability({
      ...ref,
      ...data,
      explained: explainedConfiguration,
      seed: run.config.search.seed,
    });
    stability.catch(() => undefined);
    let explained: StageOutput<'explain'>;
    try {
      explained = await stages.explain({
        ...ref,
        featuresUri: data.featuresUri,
        modelUri: evaluated.modelUri,
      });
    } catch (error) {
      await stability.catch(() => undefined);
      throw error;
    }
    outcome = { ...outcome, explained };
    return { ...outcome, stabilized: await stability };
  } catch (error) {
    if (!hooks.isCancellation(error)) throw error;
    return { ...outcome, cancelled: true };
  }
}

/** The search: trials asked by the pure TPE loop, each run by the `searchTrial` stage. */
async function search(
  stages: Stages,
  run: AnalysisRun,
  data: { readonly featuresUri: string; readonly split: StageOutput<'aggregate'>['split'] },
  hooks: PipelineHooks,
  logTrial: Tracking['trial'],
) {
  const { config } = run;
  const { search: budget } = config;
  const checkpoint = hooks.checkpoint ?? (() => undefined);
  const requests = new Map<number, TrialRequest>();
  const reports = new Map<number, TrialOutput>();
  const started = hooks.now();
  const searched = await runSearch(
    {
      models: config.models,
      trials: budget.trials,
      timeoutSeconds: budget.timeoutSeconds,
      parallelism: budget.parallelism,
      seed: budget.seed,
    },
    {
      now: hooks.now,
      evaluate: async (request) => {
        requests.set(request.number, request);
        checkpoint();
        const output = await stages.searchTrial({ ...data, ...request });
        reports.set(request.number, output);
        return output;
      },
      onTold: (told, study) => {
        const request = requests.get(told.number)!;
        const done = study.trials.filter((t) => t.state !== 'running').length;
        const best = study.bestTrial;
        hooks.trial?.({
          done,
          total: budget.trials,
          best: best?.value !== undefined ? { value: best.value, number: best.number } : null,
          trial: { number: told.number, learner: request.learner, state: told.state, value: told.value },
          secondsLeft: secondsLeft(
            done,
            budget.trials,
            (hooks.now() - started) / 1000,
            budget.timeoutSeconds,
          ),
        });
        logTrial(request, told);
      },
    },
  );
  const choice = searchChoice(searched.study, config.models, requests, reports);
  const best = searched.study.bestTrial;
  return {
    ...choice,
    bestNumber: best?.number ?? null,
    bestValue: best?.value !== undefined ? best.value.toFixed(4) : '—',
  };
}

/**
 * The search's time left: the trials still to run at the pace so far (parallel trials included,
 * as it is wall time), never past the time budget.
 */
export function secondsLeft(done: number, total: number, elapsed: number, budget: number): number | null {
  if (done <= 0 || elapsed <= 0) return null;
  const atPace = ((total - done) * elapsed) / done;
  return Math.max(0, Math.min(atPace, budget - elapsed));
}
