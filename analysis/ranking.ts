/**
 * Both analyses in one ranking: each variable's distribution rank (identifiers left out) and
 * SHAP importance rank, averaged; a rank a variable lacks counts as one past the last. Without a
 * model, the distribution ranking alone. The report, the series it draws and the causes compared
 * between runs all read this one ranking.
 */
import type { DistributionEntry } from './distribution/types';

export interface CombinedRank {
  readonly variable: string;
  /** 1-based rank in the distribution analysis; null when not ranked there. */
  readonly distributionRank: number | null;
  /** 1-based rank by mean |SHAP|; null when the model has no such variable. */
  readonly importanceRank: number | null;
  /** The mean of both ranks: lower is stronger. */
  readonly score: number;
}

export function combinedRanking(
  distribution: readonly DistributionEntry[],
  importance: readonly { readonly variable: string; readonly unused?: boolean }[] = [],
): CombinedRank[] {
  const dist = new Map(
    distribution.filter((d) => d.kind !== 'identifier').map((d, i) => [d.variable, i + 1] as const),
  );
  // Variables the model never uses have no importance rank.
  const shap = new Map(importance.filter((d) => !d.unused).map((d, i) => [d.variable, i + 1] as const));
  const all = [...new Set([...dist.keys(), ...shap.keys()])];
  const worst = all.length + 1;
  return all
    .map((variable) => {
      const d = dist.get(variable) ?? null;
      const s = shap.get(variable) ?? null;
      const score = shap.size > 0 ? ((d ?? worst) + (s ?? worst)) / 2 : (d ?? worst);
      return { variable, distributionRank: d, importanceRank: s, score };
    })
    .sort((a, b) => a.score - b.score || (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : 0));
}
