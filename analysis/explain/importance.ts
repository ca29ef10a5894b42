/**
 * SHAP told per production variable rather than per engineered feature. Window features are
 * named `variable__function` (`oven_zone2_temp__max`); the variable is the part before the last
 * `__`, and a name without `__` is its own variable.
 *
 * - `variableImportance`: per row, the |φ| of a variable's features are summed; averaged over
 *   rows. So a variable's figure is the sum of its features' mean |φ| (its breakdown adds up),
 *   and features of one variable pushing opposite ways do not hide each other.
 * - `variableContributions`: per row, the signed sum of φ per variable for the top variables
 *   (plus the rest), kept with each row's time, so a period can be read: expected value +
 *   Σ contributions = the row's margin.
 */
import { InvalidInputError } from '../errors';
import type { ImportanceEntry } from '../results';
import { thinRows } from '../split';
import type { ShapValues } from './tree-shap';
import { group } from './variables';

/**
 * Observations whose SHAP values are computed at most. Beyond, every k-th (time order kept):
 * a mean |SHAP| over 100,000 evenly spread observations is that of all of them to a few parts
 * in a thousand, and the values of a million rows cost minutes on a boosted model (issue 21).
 */
export const EXPLAIN_ROWS_MAX = 100_000;

/** The observations explained (row indices), or null for all `rows` of them. */
export function explainedRows(rows: number, max = EXPLAIN_ROWS_MAX): Uint32Array | null {
  if (rows <= max) return null;
  return thinRows(
    Uint32Array.from({ length: rows }, (_, i) => i),
    max,
  );
}

function checkShape(shap: Pick<ShapValues, 'rows' | 'features' | 'values'>): void {
  if (shap.values.length !== shap.rows * shap.features.length) {
    throw new InvalidInputError({
      where: 'shap values',
      message: `${shap.values.length} values for ${shap.rows} rows × ${shap.features.length} features`,
    });
  }
}

const byImportance =
  <T extends { meanAbsShap: number }>(key: (t: T) => string) =>
  (a: T, b: T) =>
    b.meanAbsShap - a.meanAbsShap || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The `importance` of the results document: every variable, highest mean |SHAP| first. With
 * `used` (the features the model's prediction depends on), variables none of whose features
 * is used are not ranked: they follow, by name, as `unused` (their SHAP values are exactly 0,
 * which says nothing of their order).
 */
export function variableImportance(
  shap: Pick<ShapValues, 'rows' | 'features' | 'values'>,
  options: { variableOf?: (feature: string) => string; used?: ReadonlySet<string> } = {},
): ImportanceEntry[] {
  checkShape(shap);
  const F = shap.features.length;
  const n = shap.rows;
  const featureMean = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) featureMean[j] += Math.abs(shap.values[i * F + j]);
  }
  for (let j = 0; j < F; j++) featureMean[j] = n > 0 ? featureMean[j] / n : 0;
  const { variables, ofFeature } = group(shap.features, options.variableOf);
  const entries = variables.map((variable) => ({
    variable,
    meanAbsShap: 0,
    features: [] as { feature: string; meanAbsShap: number }[],
    used: options.used === undefined,
  }));
  for (let j = 0; j < F; j++) {
    const e = entries[ofFeature[j]];
    e.meanAbsShap += featureMean[j];
    e.features.push({ feature: shap.features[j], meanAbsShap: featureMean[j] });
    if (options.used?.has(shap.features[j])) e.used = true;
  }
  const ranked: ImportanceEntry[] = entries
    .filter((e) => e.used)
    .map(({ variable, meanAbsShap, features }) => ({
      variable,
      meanAbsShap,
      features: features.sort(byImportance((f) => f.feature)),
    }))
    .sort(byImportance((e) => e.variable));
  const unused: ImportanceEntry[] = entries
    .filter((e) => !e.used)
    .map((e) => e.variable)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((variable) => ({ variable, meanAbsShap: 0, unused: true }));
  return [...ranked, ...unused];
}

/** The ranked variables of an importance list (those the model uses). */
export function rankedVariables(importance: readonly ImportanceEntry[]): string[] {
  return importance.filter((e) => !e.unused).map((e) => e.variable);
}

export interface VariableContributions {
  /** Each row's time (epoch ms), as given. */
  readonly time: Float64Array;
  /** The variables kept, most important first. */
  readonly variables: readonly string[];
  /** Row-major [rows × variables.length]: signed Σ φ of the variable's features on that row. */
  readonly values: Float64Array;
  /** Per row, Σ φ of every other variable, so expectedValue + Σ values + rest = margin. */
  readonly rest: Float64Array;
  readonly expectedValue: number;
}

/**
 * Per-row signed contributions of the `top` most important variables (by `variableImportance`,
 * or the order given in `variables`), with each row's time.
 */
export function variableContributions(
  shap: ShapValues,
  time: ArrayLike<number>,
  options: { top?: number; variables?: readonly string[]; variableOf?: (feature: string) => string } = {},
): VariableContributions {
  checkShape(shap);
  if (time.length !== shap.rows) {
    throw new InvalidInputError({ where: 'time', message: `${time.length} times for ${shap.rows} rows` });
  }
  const { variables: all, ofFeature } = group(shap.features, options.variableOf);
  let kept: string[];
  if (options.variables !== undefined) {
    kept = [...options.variables];
    const known = new Set(all);
    for (const v of kept) {
      if (!known.has(v))
        throw new InvalidInputError({
          where: 'variables',
          message: `no feature of variable ${JSON.stringify(v)}`,
        });
    }
  } else {
    const top = options.top ?? 10;
    if (!Number.isInteger(top) || top < 0) {
      throw new InvalidInputError({ where: 'top', message: `must be a whole number ≥ 0, got ${top}` });
    }
    kept = rankedVariables(variableImportance(shap, { variableOf: options.variableOf })).slice(0, top);
  }
  const column = new Int32Array(all.length).fill(-1);
  kept.forEach((v, k) => {
    column[all.indexOf(v)] = k;
  });
  const F = shap.features.length;
  const K = kept.length;
  const n = shap.rows;
  const values = new Float64Array(n * K);
  const rest = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) {
      const k = column[ofFeature[j]];
      const phi = shap.values[i * F + j];
      if (k >= 0) values[i * K + k] += phi;
      else rest[i] += phi;
    }
  }
  return { time: Float64Array.from(time), variables: kept, values, rest, expectedValue: shap.expectedValue };
}

export interface PeriodContribution {
  readonly variable: string;
  /** Mean signed contribution over the period's rows: > 0 pushed towards the positive class. */
  readonly meanShap: number;
  readonly meanAbsShap: number;
}

/**
 * What pushed the predictions in [fromMs, toMs): each kept variable's mean signed and absolute
 * contribution over the rows of that period, largest |mean| first. Empty when no row falls in it.
 */
export function periodContributions(
  contributions: VariableContributions,
  fromMs: number,
  toMs: number,
): { rows: number; variables: PeriodContribution[] } {
  const K = contributions.variables.length;
  const sum = new Float64Array(K);
  const sumAbs = new Float64Array(K);
  let rows = 0;
  contributions.time.forEach((t, i) => {
    if (!(t >= fromMs && t < toMs)) return;
    rows++;
    for (let k = 0; k < K; k++) {
      const v = contributions.values[i * K + k];
      sum[k] += v;
      sumAbs[k] += Math.abs(v);
    }
  });
  if (rows === 0) return { rows, variables: [] };
  const variables = contributions.variables.map((variable, k) => ({
    variable,
    meanShap: sum[k] / rows,
    meanAbsShap: sumAbs[k] / rows,
  }));
  variables.sort((a, b) => Math.abs(b.meanShap) - Math.abs(a.meanShap) || (a.variable < b.variable ? -1 : 1));
  return { rows, variables };
}

/** Per variable, one point per sampled row: its signed SHAP and its value scaled to 0..1. */
export interface BeeswarmSample {
  readonly variables: readonly string[];
  readonly points: readonly (readonly { readonly shap: number; readonly level: number | null }[])[];
}

/**
 * The beeswarm plot's data: for each of `variables`, every `rows / maxRows`-th row's summed SHAP
 * over the variable's features, and the value of its first (most important) feature scaled to
 * the feature's range (null when missing or constant).
 */
export function beeswarmSample(
  shap: Pick<ShapValues, 'rows' | 'features' | 'values'>,
  features: { readonly names: readonly string[]; readonly columns: readonly Float64Array[] },
  importance: readonly ImportanceEntry[],
  variables: readonly string[],
  maxRows: number,
): BeeswarmSample {
  const step = Math.max(1, Math.floor(shap.rows / maxRows));
  const sampleRows: number[] = [];
  for (let i = 0; i < shap.rows; i += step) sampleRows.push(i);
  const F = shap.features.length;
  const points = variables.map((variable) => {
    const entry = importance.find((e) => e.variable === variable);
    const own = entry && !entry.unused ? entry.features : [];
    const featureIndex = own.map((f) => shap.features.indexOf(f.feature));
    const lead = own.length > 0 ? features.names.indexOf(own[0].feature) : -1;
    const column = lead >= 0 ? features.columns[lead] : undefined;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of column ?? []) {
      if (Number.isNaN(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return sampleRows.map((r) => {
      let value = 0;
      for (const j of featureIndex) value += shap.values[r * F + j];
      const x = column ? column[r] : Number.NaN;
      const level = Number.isNaN(x) || !(hi > lo) ? null : (x - lo) / (hi - lo);
      return { shap: value, level };
    });
  });
  return { variables, points };
}
