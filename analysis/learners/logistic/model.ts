/**
 * Binary logistic regression, the linear baseline next to the gradient-boosted trees.
 *
 * Same model as scikit-learn's `SimpleImputer(strategy="median")` → `StandardScaler()` →
 * `LogisticRegression(C=…)`: medians, means and scales are learned on the training rows, and
 * the fitted coefficients minimise
 *
 *     C · Σ_i s_i · logloss(y_i, b + w·z_i)  +  ½‖w‖²   (penalty "l2")
 *                                            +   ‖w‖₁   (penalty "l1")
 *
 * with `z` the standardized features, `s_i` the class weights (1, or n / (2·n_class) for
 * `class_weight: "balanced"`) and the intercept `b` not penalised.
 *
 * Solver (`solver.ts`): L-BFGS for L2 and OWL-QN (L-BFGS restricted to an orthant, Andrew & Gao 2007) for L1,
 * on the objective divided by `C·Σ s_i` (sklearn's lbfgs scaling, so `tol` means the same:
 * the largest component of the (pseudo-)gradient at which the fit stops).
 *
 * Preprocessing is kept apart from fitting (`standardize`) so a hyper-parameter search can
 * standardize once and fit many `C`s on the same `StandardizedFeatures`.
 */
import { InvalidInputError, unknownName } from '../../errors';
import type { FeatureMatrix } from '../../frame';
import { minimize, ScaledLoss, sigmoid } from './solver';

// Module-level aliases for the hot loops: a global lookup per element is slow inside sandboxed
// contexts (jest's vm, some worker set-ups), a module constant is not.
const isMissing = Number.isNaN;

export interface LogisticParams {
  /** `"l2"` (ridge, default) or `"l1"` (lasso, sparse coefficients). */
  readonly penalty: 'l2' | 'l1';
  /** Inverse regularisation strength, as scikit-learn's `C`; > 0. Larger is less regularised. */
  readonly C: number;
  /** `"balanced"` weighs each class by n / (2 · rows of that class), as scikit-learn. */
  readonly class_weight: 'balanced' | null;
  /** Stop when every (pseudo-)gradient component of the scaled objective is at most this. */
  readonly tol: number;
  /** Most solver iterations (each is one direction and one line search). */
  readonly max_iter: number;
}

export const LOGISTIC_DEFAULTS: LogisticParams = {
  penalty: 'l2',
  C: 1,
  class_weight: null,
  tol: 1e-6,
  max_iter: 1000,
};

/** How the solver ended: read `converged` before trusting the coefficients fully. */
export interface LogisticFitReport {
  readonly converged: boolean;
  readonly iterations: number;
  /** Largest (pseudo-)gradient component of the scaled objective at the end. */
  readonly gradientMax: number;
  /** The objective in scikit-learn's units: C · Σ s_i · logloss + penalty. */
  readonly objective: number;
  /** A sentence for logs and reports. */
  readonly message: string;
}

export interface LogisticModel {
  readonly kind: 'logistic';
  readonly featureNames: readonly string[];
  /** Value that replaces a missing (NaN) feature, learned on the training rows. */
  readonly medians: Float64Array;
  /** Mean and scale of each imputed feature: `z = (x − mean) / scale`. */
  readonly means: Float64Array;
  readonly scales: Float64Array;
  /** Coefficients of the standardized features (`z`). */
  readonly coefficients: Float64Array;
  /** Intercept on the standardized scale. */
  readonly intercept: number;
  readonly params: LogisticParams;
  readonly fit: LogisticFitReport;
}

/** Imputed, standardized training features, reusable across fits with different parameters. */
export interface StandardizedFeatures {
  readonly featureNames: readonly string[];
  readonly rows: number;
  readonly medians: Float64Array;
  readonly means: Float64Array;
  readonly scales: Float64Array;
  /** Column-major: `z[j * rows + i]` is standardized feature `j` of row `i`. */
  readonly z: Float64Array;
}

/**
 * Puts the k-th smallest value of `a` at `a[k]`, smaller-or-equal values before it and
 * greater-or-equal after (Wirth's selection): O(n) on average, where a sort is O(n log n).
 */
function selectKth(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[k];
    let i = left;
    let j = right;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) left = i;
    if (k < i) right = j;
  }
  return a[k];
}

/** Median of the non-missing values (mean of the two middle ones for an even count); 0 if none. */
function medianIgnoringNaN(column: Float64Array): number {
  let count = 0;
  for (let i = 0; i < column.length; i++) if (!isMissing(column[i])) count++;
  if (count === 0) return 0;
  const values = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < column.length; i++) if (!isMissing(column[i])) values[k++] = column[i];
  const mid = count >> 1;
  const upper = selectKth(values, mid);
  if (count % 2 === 1) return upper;
  // Everything before `mid` is <= upper: the lower middle value is their maximum.
  let lower = values[0];
  for (let i = 1; i < mid; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}

/** ±Infinity is refused (a missing value is NaN), in the rows `rows` (numbered among them) or all. */
function checkFeatureValues(where: string, x: FeatureMatrix, rows?: ArrayLike<number>): void {
  for (let j = 0; j < x.columns.length; j++) {
    const column = x.columns[j];
    if (column.length !== x.rows) {
      throw new InvalidInputError({
        where: `${where}: feature ${JSON.stringify(x.names[j])}`,
        message: `has ${column.length} values but the matrix has ${x.rows} rows`,
      });
    }
    const n = rows ? rows.length : column.length;
    for (let i = 0; i < n; i++) {
      const v = column[rows ? rows[i] : i];
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        throw new InvalidInputError({
          where: `${where}: feature ${JSON.stringify(x.names[j])}, row ${i}`,
          message: `value is ${v}; use NaN for a missing value`,
        });
      }
    }
  }
}

/**
 * Learns medians, means and scales on `x` (sklearn's SimpleImputer(median) + StandardScaler:
 * population standard deviation, scale 1 for a constant feature; a feature with no value at
 * all is imputed with 0) and returns the standardized training matrix.
 */
export function standardize(x: FeatureMatrix, rows?: ArrayLike<number>): StandardizedFeatures {
  const n = rows ? rows.length : x.rows;
  if (n === 0) throw new InvalidInputError({ where: 'logistic', message: 'no rows to train on' });
  checkFeatureValues('logistic', x, rows);
  const f = x.columns.length;
  const medians = new Float64Array(f);
  const means = new Float64Array(f);
  const scales = new Float64Array(f);
  const z = new Float64Array(n * f);
  // `rows` gathered a column at a time: standardizing `selectRows(x, rows)` without its copy.
  const gathered = rows ? new Float64Array(n) : undefined;
  for (let j = 0; j < f; j++) {
    let column = x.columns[j];
    if (rows && gathered) {
      for (let k = 0; k < n; k++) gathered[k] = column[rows[k]];
      column = gathered;
    }
    const median = medianIgnoringNaN(column);
    const out = z.subarray(j * n, (j + 1) * n);
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = isMissing(column[i]) ? median : column[i];
      out[i] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let mean = sum / n;
    let scale: number;
    if (min === max) {
      // Exactly constant: centre on the value itself so z is exactly 0 (its coefficient stays 0).
      mean = min;
      scale = 1;
    } else {
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const d = out[i] - mean;
        ss += d * d;
      }
      scale = Math.sqrt(ss / n);
      if (!(scale > 0)) scale = 1;
    }
    for (let i = 0; i < n; i++) out[i] = (out[i] - mean) / scale;
    medians[j] = median;
    means[j] = mean;
    scales[j] = scale;
  }
  return { featureNames: [...x.names], rows: n, medians, means, scales, z };
}

function resolveParams(params: Partial<LogisticParams> | undefined): LogisticParams {
  const p: LogisticParams = { ...LOGISTIC_DEFAULTS, ...(params ?? {}) };
  const known = Object.keys(LOGISTIC_DEFAULTS);
  for (const key of Object.keys(params ?? {})) {
    if (!known.includes(key)) {
      throw new InvalidInputError({
        where: `logistic.${key}`,
        message: unknownName('parameter', key, known),
      });
    }
  }
  if (p.penalty !== 'l2' && p.penalty !== 'l1') {
    throw new InvalidInputError({ where: 'logistic.penalty', message: `is ${p.penalty}; use "l2" or "l1"` });
  }
  if (!(Number.isFinite(p.C) && p.C > 0)) {
    throw new InvalidInputError({ where: 'logistic.C', message: `is ${p.C}; C must be a finite number > 0` });
  }
  if (p.class_weight !== null && p.class_weight !== 'balanced') {
    throw new InvalidInputError({
      where: 'logistic.class_weight',
      message: `is ${JSON.stringify(p.class_weight)}; use "balanced" or null`,
    });
  }
  if (!(Number.isFinite(p.tol) && p.tol > 0)) {
    throw new InvalidInputError({ where: 'logistic.tol', message: `is ${p.tol}; tol must be > 0` });
  }
  if (!(Number.isInteger(p.max_iter) && p.max_iter >= 1)) {
    throw new InvalidInputError({
      where: 'logistic.max_iter',
      message: `is ${p.max_iter}; max_iter must be an integer >= 1`,
    });
  }
  return p;
}

/** Checks the labels and returns the per-row class weights. */
function rowWeights(labels: ArrayLike<number>, rows: number, classWeight: 'balanced' | null): Float64Array {
  if (labels.length !== rows) {
    throw new InvalidInputError({
      where: 'logistic: labels',
      message: `${labels.length} labels for ${rows} feature rows; they must have the same length`,
    });
  }
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) {
      throw new InvalidInputError({
        where: `logistic: labels, row ${i}`,
        message: `label is ${y}; it must be 0 or 1`,
      });
    }
    positives += y;
  }
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError({
      where: 'logistic: labels',
      message: `only one class present (${positives === 0 ? 'no positive' : 'no negative'} rows); need both to train`,
    });
  }
  const w = new Float64Array(rows);
  const wPos = classWeight === 'balanced' ? rows / (2 * positives) : 1;
  const wNeg = classWeight === 'balanced' ? rows / (2 * (rows - positives)) : 1;
  for (let i = 0; i < rows; i++) w[i] = labels[i] === 1 ? wPos : wNeg;
  return w;
}

/** Fits on features already standardized by `standardize` (reuse them across a search). */
export function fitLogisticStandardized(
  data: StandardizedFeatures,
  labels: ArrayLike<number>,
  params?: Partial<LogisticParams>,
): LogisticModel {
  const p = resolveParams(params);
  const weights = rowWeights(labels, data.rows, p.class_weight);
  let totalWeight = 0;
  for (let i = 0; i < weights.length; i++) totalWeight += weights[i];
  const f = data.featureNames.length;
  const scaledPenalty = 1 / (p.C * totalWeight);
  const loss = new ScaledLoss(data, labels, weights, totalWeight, p.penalty === 'l2' ? scaledPenalty : 0);
  const result = minimize(loss, f + 1, p.penalty === 'l1' ? scaledPenalty : 0, p.tol, p.max_iter);
  const converged = result.gradientMax <= p.tol;
  const objective = result.scaledObjective * p.C * totalWeight;
  const solver = p.penalty === 'l2' ? 'L-BFGS' : 'OWL-QN';
  const message = converged
    ? `${solver} converged in ${result.iterations} iterations (largest gradient component ${result.gradientMax.toExponential(2)} <= tol ${p.tol})`
    : `${solver} did not converge ${result.stalled ? `(stalled at iteration ${result.iterations}: the objective stopped decreasing in floating point)` : `in max_iter=${p.max_iter} iterations`}: largest gradient component ${result.gradientMax.toExponential(2)} > tol ${p.tol}; raise max_iter, loosen tol or lower C`;
  return {
    kind: 'logistic',
    featureNames: [...data.featureNames],
    medians: Float64Array.from(data.medians),
    means: Float64Array.from(data.means),
    scales: Float64Array.from(data.scales),
    coefficients: Float64Array.from(result.theta.subarray(1)),
    intercept: result.theta[0],
    params: p,
    fit: { converged, iterations: result.iterations, gradientMax: result.gradientMax, objective, message },
  };
}

/** Imputes, standardizes and fits (on `rows` of `x` when given, `labels` theirs); bad input throws. */
export function fitLogistic(
  x: FeatureMatrix,
  labels: ArrayLike<number>,
  params?: Partial<LogisticParams>,
  rows?: ArrayLike<number>,
): LogisticModel {
  resolveParams(params);
  const n = rows ? rows.length : x.rows;
  if (n === 0) throw new InvalidInputError({ where: 'logistic', message: 'no rows to train on' });
  if (labels.length !== n) {
    throw new InvalidInputError({
      where: 'logistic: labels',
      message: `${labels.length} labels for ${n} feature rows; they must have the same length`,
    });
  }
  return fitLogisticStandardized(standardize(x, rows), labels, params);
}

/** Column of `x` for each model feature, matched by name. */
function matchColumns(model: LogisticModel, x: FeatureMatrix): Float64Array[] {
  const byName = new Map<string, number>();
  x.names.forEach((name, j) => {
    byName.set(name, j);
  });
  return model.featureNames.map((name) => {
    const j = byName.get(name);
    if (j === undefined) {
      throw new InvalidInputError({
        where: 'logistic: features',
        message: `${unknownName('feature', name, x.names)} in the rows to score; the model needs it`,
      });
    }
    return x.columns[j];
  });
}

/** Log-odds of each row. Features are matched by name; NaN is imputed with the training median. */
export function logisticMargin(model: LogisticModel, x: FeatureMatrix): Float64Array {
  checkFeatureValues('logistic', x);
  const columns = matchColumns(model, x);
  const margin = new Float64Array(x.rows).fill(model.intercept);
  for (let j = 0; j < columns.length; j++) {
    const w = model.coefficients[j];
    if (w === 0) continue;
    const column = columns[j];
    const median = model.medians[j];
    const mean = model.means[j];
    const scale = model.scales[j];
    for (let i = 0; i < x.rows; i++) {
      const v = isMissing(column[i]) ? median : column[i];
      margin[i] += w * ((v - mean) / scale);
    }
  }
  return margin;
}

/** Probability of the positive class for each row. */
export function logisticProbability(model: LogisticModel, x: FeatureMatrix): Float64Array {
  const margin = logisticMargin(model, x);
  for (let i = 0; i < margin.length; i++) margin[i] = sigmoid(margin[i]);
  return margin;
}

/**
 * Coefficients in the features' own units (after median imputation): margin =
 * intercept + Σ coefficients[j] · x_j. What an engineer reads: "per kelvin", "per rpm".
 */
export function originalUnitCoefficients(model: LogisticModel): {
  coefficients: Float64Array;
  intercept: number;
} {
  const f = model.coefficients.length;
  const coefficients = new Float64Array(f);
  let intercept = model.intercept;
  for (let j = 0; j < f; j++) {
    coefficients[j] = model.coefficients[j] / model.scales[j];
    intercept -= coefficients[j] * model.means[j];
  }
  return { coefficients, intercept };
}

/** Versioned JSON form of a model. Numbers keep full precision (JSON round-trips float64). */
export interface LogisticJson {
  readonly format: 'line-rca/logistic';
  readonly version: 1;
  readonly featureNames: string[];
  readonly medians: number[];
  readonly means: number[];
  readonly scales: number[];
  readonly coefficients: number[];
  readonly intercept: number;
  readonly params: LogisticParams;
  readonly fit: LogisticFitReport;
}

export function logisticToJson(model: LogisticModel): LogisticJson {
  return {
    format: 'line-rca/logistic',
    version: 1,
    featureNames: [...model.featureNames],
    medians: Array.from(model.medians),
    means: Array.from(model.means),
    scales: Array.from(model.scales),
    coefficients: Array.from(model.coefficients),
    intercept: model.intercept,
    params: { ...model.params },
    fit: { ...model.fit },
  };
}

function numberArray(json: Record<string, unknown>, key: string, length: number): Float64Array {
  const v = json[key];
  if (
    !Array.isArray(v) ||
    v.length !== length ||
    !v.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw new InvalidInputError({
      where: `logistic model: ${key}`,
      message: `must be an array of ${length} finite numbers`,
    });
  }
  return Float64Array.from(v as number[]);
}

/** Reads a model written by `logisticToJson` (a parsed object, or the JSON text). */
export function logisticFromJson(input: unknown): LogisticModel {
  const json = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
  if (typeof json !== 'object' || json === null) {
    throw new InvalidInputError({ where: 'logistic model', message: 'is not a JSON object' });
  }
  const o = json as Record<string, unknown>;
  if (o.format !== 'line-rca/logistic') {
    throw new InvalidInputError({
      where: 'logistic model: format',
      message: `is ${JSON.stringify(o.format)}; expected "line-rca/logistic"`,
    });
  }
  if (o.version !== 1) {
    throw new InvalidInputError({
      where: 'logistic model: version',
      message: `is ${JSON.stringify(o.version)}; this reader knows version 1`,
    });
  }
  const names = o.featureNames;
  if (!Array.isArray(names) || !names.every((x) => typeof x === 'string')) {
    throw new InvalidInputError({
      where: 'logistic model: featureNames',
      message: 'must be an array of strings',
    });
  }
  const f = names.length;
  if (typeof o.intercept !== 'number' || !Number.isFinite(o.intercept)) {
    throw new InvalidInputError({ where: 'logistic model: intercept', message: 'must be a finite number' });
  }
  const fit = o.fit as Partial<LogisticFitReport> | undefined;
  if (typeof fit !== 'object' || fit === null || typeof fit.converged !== 'boolean') {
    throw new InvalidInputError({ where: 'logistic model: fit', message: 'must be the fit report object' });
  }
  return {
    kind: 'logistic',
    featureNames: [...(names as string[])],
    medians: numberArray(o, 'medians', f),
    means: numberArray(o, 'means', f),
    scales: numberArray(o, 'scales', f),
    coefficients: numberArray(o, 'coefficients', f),
    intercept: o.intercept,
    params: resolveParams(o.params as Partial<LogisticParams>),
    fit: { ...(fit as LogisticFitReport) },
  };
}
