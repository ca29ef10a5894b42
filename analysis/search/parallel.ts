/**
 * The search as both runners drive it: up to `parallelism` trials run at once, a few more are
 * asked ahead (constant liar keeps them all apart), each trial is evaluated elsewhere — a worker
 * thread, a Temporal activity on another machine — and told, in the order they were asked, until
 * the trial budget or the time budget ends. So the search is deterministic given the seed (and `now`, for
 * the time budget): a workflow replays it, and both runners make the same suggestions whatever
 * the speed of their workers.
 *
 * Pruning across machines: a trial cannot ask the study mid-way, so it is sent the median
 * pruner's curve at ask time — the median intermediate value (a validation loss), per step, of
 * the finished trials of its learner (from the fifth on, as Optuna's MedianPruner) — and stops
 * itself above it.
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
  /** The median pruner's curve (median intermediate value by step): the trial stops above it. */
  readonly pruneAbove: readonly { readonly step: number; readonly value: number }[];
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

/**
 * Trials asked ahead, beyond those running: when the oldest running trial is slow, the next
 * ones are ready for the slots that free up (trials are told in ask order, so without them a
 * fast worker would wait for the slowest). A trial k is asked right after trial
 * k − parallelism − lookahead is told, whatever the timing, so the search stays deterministic.
 */
export function searchLookahead(parallelism: number): number {
  return parallelism > 1 ? parallelism : 0;
}

export async function runSearch(
  plan: SearchPlan,
  hooks: SearchHooks,
  resume?: StudyState,
): Promise<SearchOutcome> {
  const study = resume ? Study.fromJSON(resume) : newSearchStudy(plan);
  const space = learnerSpace(plan.models);
  const startedAt = hooks.now();
  const parallelism = Math.max(1, plan.parallelism);
  const window = parallelism + searchLookahead(parallelism);
  const untold: number[] = []; // asked and not told yet, in ask order
  const ready: TrialRequest[] = []; // asked, waiting for a free slot
  const running = new Map<number, Promise<number>>();
  const finished = new Map<number, TrialReport>();
  const bestIterations: Record<number, number> = {};
  let started = study.trials.length;
  let reason: SearchOutcome['reason'] = 'trials';
  let exhausted = false;

  const ask = (): boolean => {
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
    untold.push(number);
    ready.push({
      number,
      learner: params.kind,
      params: flatParams(params),
      pruneAbove: medianCurve(study.trials, params.kind),
    });
    return true;
  };
  const askMore = () => {
    while (!exhausted && untold.length < window) if (!ask()) exhausted = true;
  };
  /** No trial starts once the time is up or the search stopped: those asked ahead are taken back. */
  const mayStart = (): boolean => {
    const time = { trials: Number.MAX_SAFE_INTEGER, timeoutSeconds: plan.timeoutSeconds };
    if (hooks.stopped?.()) reason = 'stopped';
    else if (budgetStatus(time, 0, startedAt, hooks.now()).exhausted) reason = 'time';
    else return true;
    exhausted = true;
    for (const request of ready.splice(0).reverse()) {
      study.withdraw(request.number);
      untold.splice(untold.indexOf(request.number), 1);
    }
    return false;
  };
  const startReady = () => {
    while (running.size < parallelism && ready.length > 0 && mayStart()) {
      const request = ready.shift()!;
      // A failure the evaluator throws (bad data, not a bad parameter set) ends the search; the
      // others' later rejections are marked handled so they cannot crash the process.
      const evaluation = hooks.evaluate(request).then((report) => {
        finished.set(request.number, report);
        return request.number;
      });
      evaluation.catch(() => undefined);
      running.set(request.number, evaluation);
    }
  };
  const tell = (report: TrialReport) => {
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
  };

  askMore();
  for (;;) {
    startReady();
    if (running.size === 0) break;
    running.delete(await Promise.race(running.values()));
    // Told in ask order (see the module comment), each tell followed by the asks it allows.
    while (untold.length > 0 && finished.has(untold[0])) {
      const report = finished.get(untold[0])!;
      finished.delete(untold.shift()!);
      tell(report);
      await hooks.onTold?.(report, study);
      askMore();
    }
  }
  return { study, reason, bestIterations };
}
