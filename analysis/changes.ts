/**
 * What changed since the last run (`results.changes`): an analysis compared with the previous
 * complete one of the same line and target — causes that appeared or vanished, rank moves,
 * separating values and operating windows that shifted, the validation AUC's change, and whether
 * the bad rate itself moved. Pure: the caller finds the previous results.
 */

import type { DistributionEntry } from './distribution/types';
import { combinedRanking } from './ranking';

/** The parts of a results document the comparison reads. */
export interface ComparedResults {
  readonly id: string;
  readonly finishedAt: string;
  readonly data: { readonly rows: number; readonly positives: number };
  readonly distribution: readonly DistributionEntry[];
  readonly importance: readonly { readonly variable: string; readonly meanAbsShap: number }[];
  readonly model?: { readonly validation: { readonly auc: number | null } } | null;
  /** Verdicts per variable (the evidence stage's, when it ran). */
  readonly causes?: readonly { readonly variable: string; readonly verdict: string }[];
  readonly operatingWindows?: readonly {
    readonly variable: string;
    readonly low: number | null;
    readonly high: number | null;
  }[];
}

export interface RankMove {
  readonly variable: string;
  /** Combined rank in the previous run and in this one (null: not ranked there). */
  readonly from: number | null;
  readonly to: number | null;
}

export interface ThresholdShift {
  readonly variable: string;
  readonly from: number;
  readonly to: number;
  readonly directionFrom: 'above' | 'below';
  readonly directionTo: 'above' | 'below';
}

export interface WindowShift {
  readonly variable: string;
  readonly from: { readonly low: number | null; readonly high: number | null };
  readonly to: { readonly low: number | null; readonly high: number | null };
}

export interface Changes {
  readonly previousId: string;
  readonly previousFinishedAt: string;
  /** How causes were told apart (see `causesOf`). */
  readonly causeRule: string;
  readonly causes: readonly string[];
  readonly previousCauses: readonly string[];
  /** Causes now that were not causes in the previous run, strongest first. */
  readonly newCauses: readonly string[];
  /** Causes of the previous run that are not causes now. */
  readonly goneCauses: readonly string[];
  /** Variables in either run's top RANK_MOVES_TOP whose combined rank changed, biggest move first. */
  readonly rankMoves: readonly RankMove[];
  /** Causes of both runs whose separating value moved. */
  readonly thresholdShifts: readonly ThresholdShift[];
  /** Operating windows (when both runs have them) that moved. */
  readonly windowShifts: readonly WindowShift[];
  /** Validation AUC now minus before; null when either run has no model. */
  readonly aucChange: number | null;
  readonly badRate: { readonly from: number; readonly to: number; readonly moved: boolean };
}

/** How many of the combined ranking's top can be causes, the q-value and the share of the leader's strength they need. */
export const CAUSE_TOP = 3;
export const CAUSE_Q = 0.05;
export const CAUSE_SHARE = 1 / 3;
export const RANK_MOVES_TOP = 10;

/**
 * The variables an analysis names as causes, strongest first. With verdicts (`results.causes`),
 * those not judged "none". Until then: among the top CAUSE_TOP of the combined ranking, those
 * with a distribution q-value below CAUSE_Q that stand out in both analyses — a distribution
 * score and (with a model) a mean |SHAP| of at least CAUSE_SHARE of the strongest variable's.
 * (On autocorrelated process data nearly every q-value is tiny, so q alone names noise; the
 * strength test keeps the variables that dominate.) The one place that decides what a cause is.
 */
export function causesOf(results: ComparedResults): { rule: string; causes: string[] } {
  if (results.causes && results.causes.length > 0) {
    return {
      // Both analyses must agree: a change of causes raises an alert, and one analysis alone
      // (`possible`) flags an unrelated variable now and then on autocorrelated lines.
      rule: 'verdict strong',
      causes: results.causes.filter((c) => c.verdict === 'strong').map((c) => c.variable),
    };
  }
  const ranked = results.distribution.filter((d) => d.kind !== 'identifier');
  const entries = new Map(ranked.map((d) => [d.variable, d]));
  const shap = new Map(results.importance.map((d) => [d.variable, d.meanAbsShap ?? 0]));
  const topScore = Math.max(0, ...ranked.map((d) => d.score));
  const topShap = Math.max(0, ...shap.values());
  const withModel = results.importance.length > 0;
  const causes = combinedRanking(results.distribution, results.importance)
    .slice(0, CAUSE_TOP)
    .filter((r) => {
      const entry = entries.get(r.variable);
      if (!entry || entry.qValue === null || !(entry.qValue < CAUSE_Q)) return false;
      if (entry.score < CAUSE_SHARE * topScore) return false;
      return !withModel || (shap.get(r.variable) ?? 0) >= CAUSE_SHARE * topShap;
    })
    .map((r) => r.variable);
  const share = `${Math.round(CAUSE_SHARE * 100)} %`;
  return {
    rule:
      `top ${CAUSE_TOP} of the combined ranking with q < ${CAUSE_Q} and a distribution score` +
      `${withModel ? ' and a mean |SHAP|' : ''} of at least ${share} of the strongest variable's`,
    causes,
  };
}

/**
 * The bad rate moved when it changed by at least a quarter of its previous value and by at least
 * one percentage point: a practical change, not a test (positives come in episodes, so a test on
 * observations would call every wobble significant).
 */
export function badRateMoved(from: number, to: number): boolean {
  return Math.abs(to - from) >= Math.max(0.01, 0.25 * from);
}

export function compareResults(current: ComparedResults, previous: ComparedResults): Changes {
  const now = causesOf(current);
  const before = causesOf(previous);
  const newCauses = now.causes.filter((v) => !before.causes.includes(v));
  const goneCauses = before.causes.filter((v) => !now.causes.includes(v));

  const rankNow = new Map(
    combinedRanking(current.distribution, current.importance).map((r, i) => [r.variable, i + 1]),
  );
  const rankBefore = new Map(
    combinedRanking(previous.distribution, previous.importance).map((r, i) => [r.variable, i + 1]),
  );
  const watched = [...rankNow, ...rankBefore].filter(([, rank]) => rank <= RANK_MOVES_TOP).map(([v]) => v);
  const rankMoves = [...new Set(watched)]
    .map((variable) => ({
      variable,
      from: rankBefore.get(variable) ?? null,
      to: rankNow.get(variable) ?? null,
    }))
    .filter((m) => m.from !== m.to)
    .sort((a, b) => moveSize(b) - moveSize(a) || (a.to ?? Infinity) - (b.to ?? Infinity));

  const thresholdShifts: ThresholdShift[] = [];
  const entryNow = new Map(current.distribution.map((d) => [d.variable, d]));
  const entryBefore = new Map(previous.distribution.map((d) => [d.variable, d]));
  for (const variable of now.causes.filter((v) => before.causes.includes(v))) {
    const a = entryBefore.get(variable);
    const b = entryNow.get(variable);
    if (a?.kind !== 'numeric' || b?.kind !== 'numeric') continue;
    if (a.threshold === null || b.threshold === null || a.direction === null || b.direction === null)
      continue;
    if (a.threshold === b.threshold && a.direction === b.direction) continue;
    thresholdShifts.push({
      variable,
      from: a.threshold,
      to: b.threshold,
      directionFrom: a.direction,
      directionTo: b.direction,
    });
  }

  const windowsBefore = new Map((previous.operatingWindows ?? []).map((w) => [w.variable, w]));
  const windowShifts: WindowShift[] = (current.operatingWindows ?? []).flatMap((w) => {
    const p = windowsBefore.get(w.variable);
    if (!p || (p.low === w.low && p.high === w.high)) return [];
    return [{ variable: w.variable, from: { low: p.low, high: p.high }, to: { low: w.low, high: w.high } }];
  });

  const aucNow = current.model?.validation.auc;
  const aucBefore = previous.model?.validation.auc;
  const rate = (r: ComparedResults) => (r.data.rows > 0 ? r.data.positives / r.data.rows : 0);
  const from = rate(previous);
  const to = rate(current);
  return {
    previousId: previous.id,
    previousFinishedAt: previous.finishedAt,
    causeRule: now.rule,
    causes: now.causes,
    previousCauses: before.causes,
    newCauses,
    goneCauses,
    rankMoves,
    thresholdShifts,
    windowShifts,
    aucChange: typeof aucNow === 'number' && typeof aucBefore === 'number' ? aucNow - aucBefore : null,
    badRate: { from, to, moved: badRateMoved(from, to) },
  };
}

function moveSize(m: RankMove): number {
  return m.from === null || m.to === null ? Number.POSITIVE_INFINITY : Math.abs(m.to - m.from);
}

/** The alert conditions that hold for these changes, in the order the configuration lists them. */
export function alertEvents<E extends string>(
  changes: Changes,
  alerts: { readonly on: readonly E[]; readonly aucDrop: number },
): E[] {
  const holds: Record<string, boolean> = {
    'new-cause': changes.newCauses.length > 0,
    'gone-cause': changes.goneCauses.length > 0,
    'auc-drop': changes.aucChange !== null && changes.aucChange <= -alerts.aucDrop,
    'bad-rate': changes.badRate.moved && changes.badRate.to > changes.badRate.from,
  };
  return alerts.on.filter((event) => holds[event]);
}
