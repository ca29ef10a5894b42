/**
 * The search as both runners drive it: the study asks up to `parallelism` trials at once
 * (constant liar keeps them apart), each trial is evaluated elsewhere — a worker thread, a
 * Temporal activity on another machine — and told, in the order they were asked, until the trial
 * budget or the time budget ends. So the search is deterministic given the seed (and `now`, for
 * the time budget): a workflow replays it, and both runners make the same suggestions whatever
 * the speed of their workers.
 *
 * Pruning across machines: a trial cannot ask the study mid-way, so it is sent the median
 * pruner's curve at ask time — the median intermediate value, per step, of the finished trials
 * of its learner (from the fifth on, as Optuna's MedianPruner) — and stops itself below it.
 */
import { budgetStatus } from './budget';
import { defaultTrialParams, type LearnerChoice, type LearnerKind, learnerSpace } from './spaces';
import { Study, type StudyState } from './study';
import type { TrialRecord } from './trial';

export interface SearchPlan {
  readonly models: readonly LearnerKind[];
  readonly trials: number;
  readonly timeoutSeconds: number;
  readonly parallelism: number;
  readonly seed: number;
}

export interface TrialRequest {
  readonly number: number;
  readonly learner: LearnerKind;
  readonly params: Readonly<Record<string, string | number | boolean | null>>;
  readonly pruneBelow: readonly { readonly step: number; readonly value: number }[];
}

export interface TrialReport {
  readonly number: number;
  readonly state: 'complete' | 'pruned' | 'failed';
  readonly value: number | null;
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  readonly bestIteration?: number;
  readonly error?: string;
}

export interface SearchHooks {
  /** Milliseconds; the workflow's deterministic clock under Temporal. */
  readonly now: () => number;
  /**
   * Runs one trial. A parameter set that cannot train is a report with state `failed`; a thrown
   * error (bad data, a cancelled analysis) ends the search with that error.
   */
  readonly evaluate: (request: TrialRequest) => Promise<TrialReport>;
  /** Called after each tell, with the trial's report and the study. */
  readonly onTold?: (report: TrialReport, study: Study) => void | Promise<void>;
  /** Checked before each ask: true stops asking (running trials are still awaited). */
  readonly stopped?: () => boolean;
}

export interface SearchOutcome {
  readonly study: Study;
  readonly reason: 'trials' | 'time' | 'stopped';
  /** Best iteration of every gbdt trial that reported one, by trial number. */
  readonly bestIterations: Readonly<Record<number, number>>;
}

/** Pruner warm-up: the curve is sent once this many trials of the learner have finished. */
export const PRUNER_STARTUP_TRIALS = 5;

export function newSearchStudy(plan: SearchPlan): Study {
  const study = new Study({
    direction: 'maximize',
    seed: plan.seed,
    sampler: { kind: 'tpe', constantLiar: true },
    pruner: { kind: 'median' },
  });
  // Each learner's usual defaults first: a sound model and a baseline even with few trials.
  for (const kind of plan.models) study.enqueue(defaultTrialParams(kind));
  return study;
}

/** The median intermediate value per step over finished trials of one learner. */
export function medianCurve(
  trials: readonly Readonly<TrialRecord>[],
  learner: LearnerKind,
): { step: number; value: number }[] {
  const finished = trials.filter(
    (t) => (t.state === 'complete' || t.state === 'pruned') && t.params.learner === learner,
  );
  if (finished.length < PRUNER_STARTUP_TRIALS) return [];
  const byStep = new Map<number, number[]>();
  for (const t of finished) {
    for (const iv of t.intermediate) {
      if (iv.value === null) continue;
      const list = byStep.get(iv.step) ?? [];
      list.push(iv.value);
      byStep.set(iv.step, list);
    }
  }
  return [...byStep.entries()]
    .filter(([, values]) => values.length >= PRUNER_STARTUP_TRIALS)
    .sort((a, b) => a[0] - b[0])
    .map(([step, values]) => {
      const s = values.sort((a, b) => a - b);
      const m = s.length >> 1;
      return { step, value: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 };
    });
}

function flatParams(choice: LearnerChoice): Record<string, string | number | boolean | null> {
  return { ...choice.params };
}

export async function runSearch(
  plan: SearchPlan,
  hooks: SearchHooks,
  resume?: StudyState,
): Promise<SearchOutcome> {
  const study = resume ? Study.fromJSON(resume) : newSearchStudy(plan);
  const space = learnerSpace(plan.models);
  const startedAt = hooks.now();
  const running = new Map<number, Promise<TrialReport>>();
  const bestIterations: Record<number, number> = {};
  let started = study.trials.length;
  let reason: SearchOutcome['reason'] = 'trials';

  const launch = (): boolean => {
    if (hooks.stopped?.()) {
      reason = 'stopped';
      return false;
    }
    const status = budgetStatus(
      { trials: plan.trials, timeoutSeconds: plan.timeoutSeconds },
      started,
      startedAt,
      hooks.now(),
    );
    if (status.exhausted) {
      reason = status.reason;
      return false;
    }
    const { number, params } = study.askWith(space);
    started++;
    const request: TrialRequest = {
      number,
      learner: params.kind,
      params: flatParams(params),
      pruneBelow: medianCurve(study.trials, params.kind),
    };
    // A failure the evaluator throws (bad data, not a bad parameter set) ends the search; the
    // others' later rejections are marked handled so they cannot crash the process.
    const evaluation = hooks.evaluate(request);
    evaluation.catch(() => undefined);
    running.set(number, evaluation);
    return true;
  };

  for (;;) {
    while (running.size < Math.max(1, plan.parallelism) && launch()) {
      // launched one more
    }
    if (running.size === 0) break;
    // The oldest first, whichever finishes first (see the module comment).
    const oldest = Math.min(...running.keys());
    const report = await running.get(oldest)!;
    running.delete(oldest);
    for (const iv of report.intermediate) study.report(report.number, iv.step, iv.value);
    if (report.state === 'complete' && report.value !== null) {
      study.tell(report.number, { state: 'complete', value: report.value });
    } else if (report.state === 'pruned') {
      study.tell(report.number, {
        state: 'pruned',
        ...(report.value !== null ? { value: report.value } : {}),
      });
    } else {
      study.tell(report.number, { state: 'failed', error: report.error ?? 'failed' });
    }
    if (report.bestIteration !== undefined) bestIterations[report.number] = report.bestIteration;
    await hooks.onTold?.(report, study);
  }
  return { study, reason, bestIterations };
}
