/**
 * SHAP interactions told per production variable: which pairs of variables act together, and
 * the data of a dependence plot (Lundberg et al. 2020: a variable's SHAP value against its
 * value, coloured by the variable it interacts with most).
 *
 * A pair's strength is the mean over the explained rows of |Σ (Φ_ij + Φ_ji)| over the pair's
 * features i of one variable and j of the other: the part of each row's margin that comes from
 * the two acting together (each Φ_ij is half of it), in log-odds like `meanAbsShap`.
 */
import { InvalidInputError } from '../errors';
import type { FeatureMatrix } from '../frame';
import type { InteractionEntry } from '../results';
import type { ShapInteractions, ShapValues } from './tree-shap';
import { variableOf as defaultVariableOf, group } from './variables';

export type { InteractionEntry };

/**
 * Every pair of variables with a non-zero interaction, strongest first (ties by name). Features
 * are grouped into variables by `variableOf` (default: the name before the last `__`).
 */
export function rankInteractions(
  interactions: ShapInteractions,
  options: { variableOf?: (feature: string) => string } = {},
): InteractionEntry[] {
  const F = interactions.features.length;
  const n = interactions.rows;
  if (interactions.values.length !== n * F * F) {
    throw new InvalidInputError({
      where: 'shap interactions',
      message: `${interactions.values.length} values for ${n} rows × ${F}² features`,
    });
  }
  const { variables, ofFeature } = group(interactions.features, options.variableOf ?? defaultVariableOf);
  const V = variables.length;
  const perRow = new Float64Array(V * V);
  const total = new Float64Array(V * V);
  for (let r = 0; r < n; r++) {
    perRow.fill(0);
    const block = r * F * F;
    for (let i = 0; i < F; i++) {
      const a = ofFeature[i];
      for (let j = 0; j < F; j++) {
        const b = ofFeature[j];
        if (a === b) continue;
        // Φ_ij lands on the (min, max) cell from both orders, so the cell holds Φ_ij + Φ_ji.
        perRow[a < b ? a * V + b : b * V + a] += interactions.values[block + i * F + j];
      }
    }
    for (let a = 0; a < V; a++)
      for (let b = a + 1; b < V; b++) {
        const x = perRow[a * V + b];
        total[a * V + b] += x < 0 ? -x : x;
      }
  }
  const out: InteractionEntry[] = [];
  for (let a = 0; a < V; a++)
    for (let b = a + 1; b < V; b++) {
      const strength = n > 0 ? total[a * V + b] / n : 0;
      if (strength > 0) {
        const pair: [string, string] =
          variables[a] < variables[b] ? [variables[a], variables[b]] : [variables[b], variables[a]];
        out.push({ variables: pair, strength });
      }
    }
  return out.sort(
    (x, y) =>
      y.strength - x.strength ||
      (x.variables[0] < y.variables[0] ? -1 : x.variables[0] > y.variables[0] ? 1 : 0) ||
      (x.variables[1] < y.variables[1] ? -1 : x.variables[1] > y.variables[1] ? 1 : 0),
  );
}

/** The variable `variable` interacts with most, from a ranking (`null` when none). */
export function strongestPartner(ranking: readonly InteractionEntry[], variable: string): string | null {
  for (const e of ranking) {
    if (e.variables[0] === variable) return e.variables[1];
    if (e.variables[1] === variable) return e.variables[0];
  }
  return null;
}

/** The points of a dependence plot: one per explained row. */
export interface DependencePlot {
  readonly variable: string;
  /** The variable's feature on the x axis: its feature with the highest mean |SHAP|. */
  readonly feature: string;
  /** The partner colouring the points, and its feature (its highest mean |SHAP| one). */
  readonly partner: string | null;
  readonly partnerFeature: string | null;
  /** Feature value, the variable's SHAP value (sum over its features) and the partner's value. */
  readonly x: number[];
  readonly shap: number[];
  readonly color: number[] | null;
}

/**
 * Dependence-plot data of `variable` from SHAP values of `rows` of `matrix` (row k of `shap`
 * explains matrix row `rows[k]`, or row k when `rows` is omitted), coloured by `partner`.
 * Missing feature values stay NaN (the report draws them apart).
 */
export function dependencePlot(
  shap: Pick<ShapValues, 'rows' | 'features' | 'values'>,
  matrix: FeatureMatrix,
  variable: string,
  partner: string | null,
  options: { rows?: ArrayLike<number>; variableOf?: (feature: string) => string } = {},
): DependencePlot {
  const of = options.variableOf ?? defaultVariableOf;
  const F = shap.features.length;
  const n = shap.rows;
  if (shap.values.length !== n * F) {
    throw new InvalidInputError({
      where: 'shap values',
      message: `${shap.values.length} values for ${n} rows × ${F} features`,
    });
  }
  if (options.rows && options.rows.length !== n) {
    throw new InvalidInputError({
      where: 'rows',
      message: `${options.rows.length} rows for ${n} rows of SHAP values`,
    });
  }
  const meanAbs = new Float64Array(F);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < F; j++) {
      const x = shap.values[r * F + j];
      meanAbs[j] += x < 0 ? -x : x;
    }
  const topFeature = (name: string): number => {
    let best = -1;
    for (let j = 0; j < F; j++)
      if (of(shap.features[j]) === name && (best < 0 || meanAbs[j] > meanAbs[best])) best = j;
    return best;
  };
  const own = topFeature(variable);
  if (own < 0) {
    throw new InvalidInputError({
      where: 'variable',
      message: `${JSON.stringify(variable)} has no feature in the model`,
    });
  }
  const other = partner === null ? -1 : topFeature(partner);
  const column = (name: string) => {
    const j = matrix.names.indexOf(name);
    if (j < 0)
      throw new InvalidInputError({ where: 'matrix', message: `no feature ${JSON.stringify(name)}` });
    return matrix.columns[j];
  };
  const xs = column(shap.features[own]);
  const cs = other < 0 ? null : column(shap.features[other]);
  const x: number[] = [];
  const values: number[] = [];
  const color: number[] | null = cs ? [] : null;
  for (let r = 0; r < n; r++) {
    const row = options.rows ? options.rows[r] : r;
    let sum = 0;
    for (let j = 0; j < F; j++) if (of(shap.features[j]) === variable) sum += shap.values[r * F + j];
    x.push(xs[row]);
    values.push(sum);
    if (color && cs) color.push(cs[row]);
  }
  return {
    variable,
    feature: shap.features[own],
    partner: other < 0 ? null : partner,
    partnerFeature: other < 0 ? null : shap.features[other],
    x,
    shap: values,
    color,
  };
}
