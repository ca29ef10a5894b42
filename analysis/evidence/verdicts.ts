/**
 * One verdict per variable from the two analyses: the distribution test (time-aware q-value)
 * and the model (ranked above the shadows in most folds). `strong` when both say so, `possible`
 * when one does, `none` otherwise; and the summary sentence the report opens with.
 */
import type { DistributionEntry } from '../distribution/types';
import type { VariableStability } from './stability';

export type Verdict = 'strong' | 'possible' | 'none';

/** `results.causes`: every variable, strongest first. */
export interface CauseVerdict {
  readonly variable: string;
  readonly verdict: Verdict;
  /** Rank in the distribution ranking (1 = highest score, identifiers left out), null if absent. */
  readonly distributionRank: number | null;
  /** Rank in the model's importance (1 = highest mean |SHAP|), null without a model or unused by it. */
  readonly importanceRank: number | null;
  /** Time-aware q-value of the distribution test. */
  readonly qValue: number | null;
  /** Share of the stability folds in which the model ranked it above the strongest shadow. */
  readonly aboveShadowShare: number | null;
  /** The evidence behind the verdict, in words. */
  readonly evidence: string;
}

export interface VerdictOptions {
  /** q-value under which the distribution test counts (default 0.05). */
  readonly alpha?: number;
  /** Share of folds above the shadows beyond which the model counts (default 0.5: most folds). */
  readonly shadowShare?: number;
}

interface RankedImportance {
  readonly variable: string;
  /** A variable the explained model never uses: no rank (its stability still counts). */
  readonly unused?: boolean;
  readonly stability?: VariableStability;
}

const ORDER: Record<Verdict, number> = { strong: 0, possible: 1, none: 2 };

const fmtQ = (q: number) => (q < 1e-3 ? q.toExponential(1) : q.toPrecision(2));

/**
 * The verdicts for every variable of `distribution` and `importance` (in that order of
 * appearance), strongest first: by verdict, then by the sum of the two ranks (a missing rank
 * counts as one past the last), then by name.
 */
export function causeVerdicts(
  distribution: readonly DistributionEntry[],
  importance: readonly RankedImportance[] | null,
  options: VerdictOptions = {},
): CauseVerdict[] {
  const alpha = options.alpha ?? 0.05;
  const shadowShare = options.shadowShare ?? 0.5;
  const ranked = distribution.filter((e) => e.kind !== 'identifier');
  const distributionRank = new Map(ranked.map((e, i) => [e.variable, i + 1]));
  const entryOf = new Map(distribution.map((e) => [e.variable, e]));
  const importanceRank = new Map(
    (importance ?? []).filter((e) => !e.unused).map((e, i) => [e.variable, i + 1]),
  );
  const stabilityOf = new Map((importance ?? []).map((e) => [e.variable, e.stability]));
  const names = [
    ...new Set([...distribution.map((e) => e.variable), ...(importance ?? []).map((e) => e.variable)]),
  ];
  const verdicts = names.map((variable): CauseVerdict => {
    const entry = entryOf.get(variable);
    const q = entry && entry.kind !== 'identifier' ? (entry.qValue ?? null) : null;
    const stability = stabilityOf.get(variable);
    const share = stability ? stability.aboveShadowShare : null;
    const byDistribution = q !== null && q < alpha;
    const byModel = share !== null && share > shadowShare;
    const verdict: Verdict =
      byDistribution && byModel ? 'strong' : byDistribution || byModel ? 'possible' : 'none';
    const words: string[] = [];
    if (entry?.kind === 'identifier') words.push('an identifier, not compared');
    else if (q !== null)
      words.push(
        byDistribution
          ? `the populations differ beyond what drift produces (q = ${fmtQ(q)})`
          : `the populations differ no more than drift produces by chance (q = ${fmtQ(q)})`,
      );
    if (stability) {
      const folds = Math.round(stability.aboveShadowShare * stability.folds);
      words.push(`the model ranks it above time-shifted noise in ${folds} of ${stability.folds} folds`);
    } else if (importance !== null && importanceRank.has(variable)) words.push('no stability folds');
    return {
      variable,
      verdict,
      distributionRank: distributionRank.get(variable) ?? null,
      importanceRank: importanceRank.get(variable) ?? null,
      qValue: q,
      aboveShadowShare: share,
      evidence: words.join('; '),
    };
  });
  const past = names.length + 1;
  return verdicts.sort(
    (a, b) =>
      ORDER[a.verdict] - ORDER[b.verdict] ||
      (a.distributionRank ?? past) +
        (a.importanceRank ?? past) -
        (b.distributionRank ?? past) -
        (b.importanceRank ?? past) ||
      (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : 0),
  );
}

/** Below this many bad episodes, the summary warns that coincidences will look like causes. */
export const FEW_EPISODES = 5;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function listed(names: readonly string[], max = 4): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * The report's summary: how many variables explain `problem` with strong or possible evidence,
 * how many differ no more than drift does, and how much evidence there was (bad episodes over
 * the period), with a warning when the episodes are too few to tell a cause from a coincidence.
 */
export function evidenceSummary(
  causes: readonly CauseVerdict[],
  context: {
    readonly problem: string;
    readonly episodes: number;
    readonly days?: number | null;
    readonly observations?: number;
  },
): string {
  const strong = causes.filter((c) => c.verdict === 'strong').map((c) => c.variable);
  const possible = causes.filter((c) => c.verdict === 'possible').map((c) => c.variable);
  const others = causes.length - strong.length - possible.length;
  const parts: string[] = [];
  if (strong.length > 0)
    parts.push(
      `${plural(strong.length, 'variable explains', 'variables explain')} ${context.problem} with strong evidence (${listed(strong)})`,
    );
  else parts.push(`no variable explains ${context.problem} with strong evidence`);
  if (possible.length > 0)
    parts.push(
      `${plural(possible.length, 'has', 'have')} possible evidence, from one analysis only (${listed(possible)})`,
    );
  if (others > 0)
    parts.push(
      `${plural(others, 'other differs', 'others differ')} between the two populations no more than slow drift produces by chance`,
    );
  const span =
    context.days !== undefined && context.days !== null
      ? `over ${Number(context.days.toPrecision(2))} days`
      : context.observations !== undefined
        ? `over ${context.observations} observations`
        : '';
  let text = `${parts.join('; ')}. Based on ${plural(context.episodes, 'bad episode', 'bad episodes')}${span ? ` ${span}` : ''}.`;
  if (context.episodes < FEW_EPISODES)
    text += ` With fewer than ${FEW_EPISODES} episodes, any variable that happened to move at those times will look like a cause.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
