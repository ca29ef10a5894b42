/**
 * How stable the model's ranking of the variables is, and whether it beats noise that looks
 * like the data. The chosen configuration is refitted on K contiguous time folds of the training
 * part (blocked: each fit leaves one fold out, trains on a thinned sample of the others, and is
 * explained on it), with shadow variables
 * added, as Boruta does (Kursa and Rudnicki, J. Stat. Softw. 2010): a copy of every variable's
 * features shifted circularly in time by a large random offset, so it keeps its distribution and
 * its autocorrelation but loses its tie to the labels. A variable that the model ranks above the
 * strongest shadow in most folds is used for more than the slow drift every variable has.
 *
 * Pure: the fit and the explanation are a callback (the learner registry and SHAP live
 * elsewhere), which may run on worker threads; the folds are independent and run concurrently.
 */
import { InvalidInputError } from '../errors';
import { group } from '../explain/variables';
import type { FeatureMatrix } from '../frame';
import type { BinnedDataset } from '../learners/gbdt/binning';
import { createRng } from '../random';

export interface StabilityFold {
  /** Fold number, 0..K−1, in time order. */
  readonly fold: number;
  /** Training rows outside the fold (row indices of `features`), in time order. */
  readonly train: Uint32Array;
  /** The fold's rows, to explain. */
  readonly explain: Uint32Array;
  /** The features followed by their shadows (`shadow` names), every row of the input. */
  readonly features: FeatureMatrix;
}

/**
 * Fits the chosen configuration on `fold.train` and returns each feature's importance (mean
 * |SHAP| on `fold.explain`), in the order of `fold.features.names`; null when the fold cannot be
 * fitted (its training rows hold a single population), and it is left out.
 */
export type FitAndExplain = (
  fold: StabilityFold,
) => Promise<ArrayLike<number> | null> | ArrayLike<number> | null;

export interface StabilityOptions {
  /** Folds (default 5, at least 5). */
  readonly folds?: number;
  /** Fixes the shadows' offsets (default 0). */
  readonly seed?: number;
  /** A variable counts as top when ranked within this many (default 5). */
  readonly top?: number;
  /** The source variable of a feature (default: the feature is its own variable). */
  readonly variableOf?: (feature: string) => string;
  /**
   * Each fold trains on every `thin`-th row of the other folds (default 2(K − 1), so half a
   * fold's worth of rows spread over the whole period but the fold, and more on long lines so
   * that a fold trains on at most `STABILITY_FOLD_ROWS`). With the shadows doubling the
   * features, the K fits then fit as many values (rows × features) as the final fit, which
   * keeps the stage within the evaluate stage's cost (issue 17); at K − 1 they fitted twice
   * the final fit's, and a six-tree model's folds cost 1.6 times its evaluate stage.
   * Neighbouring windows are near duplicates, so thinning them loses little.
   */
  readonly thin?: number;
  /** Rows of a fold explained at most (default 150, evenly spread): the mean |SHAP| settles fast. */
  readonly explainRows?: number;
  /**
   * Allocates the shadow columns, all in one (default a plain Float64Array): a runner passes
   * shared memory, so the shadows reach its threads without a copy of the whole (400 MB at
   * 1M rows × 50).
   */
  readonly allocate?: (length: number) => Float64Array;
}

/** `importance[i].stability` in the results. */
export interface VariableStability {
  /** Folds fitted (those whose training rows hold both populations). */
  readonly folds: number;
  /** Share of folds in which the variable ranks in the top `top` (by its summed importance). */
  readonly topShare: number;
  /** Share of folds in which its importance is above the strongest shadow's. */
  readonly aboveShadowShare: number;
  /** Coefficient of variation of its importance over the folds (0 when never used). */
  readonly spread: number;
}

/** The prefix of shadow feature names. */
export const SHADOW_PREFIX = 'shadow~';

/** A column the shadows shift: raw values, or their bin codes. */
type ShiftedColumn = Float64Array | Uint8Array | Uint16Array;

/**
 * Where every shadow value comes from: variable v's shadow at the training row in time order i
 * is the variable at training row (i + offsets[v]) mod n. With `rows` (dataset rows, ascending),
 * the shadowed columns hold only those rows, in that order.
 */
export interface ShadowShifts {
  readonly trainRows: Uint32Array;
  readonly offsets: Int32Array;
  readonly variableIndex: Int32Array;
  readonly rows?: Uint32Array;
}

/** Each variable's offset, drawn in [n/4, 3n/4) over the `n` training rows from `seed`. */
function shadowShifts(
  variableIndex: Int32Array,
  variables: number,
  trainRows: Uint32Array,
  seed: number,
  rows?: Uint32Array,
): ShadowShifts {
  const rng = createRng(seed);
  const n = trainRows.length;
  const offsets = Int32Array.from(
    { length: variables },
    () => Math.floor(n / 4) + rng.int(Math.max(1, n >> 1)),
  );
  return { trainRows, offsets, variableIndex, ...(rows ? { rows } : {}) };
}

/**
 * `columns` (one per feature, every dataset row) followed by their shadows, as `shifts` says;
 * `missing` where a shadow row lies outside the training part (never fitted or explained).
 * `allocate` makes feature j's column (its own, copied when `shifts.rows` selects rows, or its
 * shadow) of the given length.
 */
function shiftColumns<C extends ShiftedColumn>(
  columns: readonly ShiftedColumn[],
  shifts: ShadowShifts,
  missing: (feature: number) => number,
  allocate: (feature: number, shadow: boolean, length: number) => C,
): C[] {
  const { trainRows, offsets, variableIndex, rows } = shifts;
  const n = trainRows.length;
  const size = columns.length > 0 ? columns[0].length : 0;
  const position = rows ? new Int32Array(size).fill(-1) : undefined;
  if (position) for (let i = 0; i < n; i++) position[trainRows[i]] = i;
  const own: C[] = rows
    ? columns.map((column, j) => {
        const out = allocate(j, false, rows.length);
        for (let k = 0; k < rows.length; k++) out[k] = column[rows[k]];
        return out;
      })
    : [];
  const shadows = columns.map((column, j): C => {
    const out = allocate(j, true, rows ? rows.length : size);
    out.fill(missing(j));
    const offset = offsets[variableIndex[j]];
    if (!rows || !position) {
      for (let i = 0; i < n; i++) out[trainRows[i]] = column[trainRows[(i + offset) % n]];
      return out;
    }
    for (let k = 0; k < rows.length; k++) {
      const i = position[rows[k]];
      if (i >= 0) out[k] = column[trainRows[(i + offset) % n]];
    }
    return out;
  });
  return [...own, ...shadows];
}

const shadowNames = (names: readonly string[]) => [
  ...names,
  ...names.map((name) => `${SHADOW_PREFIX}${name}`),
];

/**
 * The features of `matrix` followed by one shadow per variable: every feature of the variable
 * shifted by the same offset, drawn in [n/4, 3n/4) over the training rows in time order (rows
 * outside the training part are NaN; they are never fitted or explained). With `rows` (dataset
 * rows, ascending), only those rows, in that order: the same values, without the others.
 */
export function withShadows(
  matrix: FeatureMatrix,
  variableIndex: Int32Array,
  variables: number,
  trainRows: Uint32Array,
  seed: number,
  allocate: (length: number) => Float64Array = (length) => new Float64Array(length),
  rows?: Uint32Array,
): FeatureMatrix {
  return shadowedMatrix(matrix, shadowShifts(variableIndex, variables, trainRows, seed, rows), allocate);
}

function shadowedMatrix(
  matrix: FeatureMatrix,
  shifts: ShadowShifts,
  allocate: (length: number) => Float64Array,
): FeatureMatrix {
  // One allocation for every column made: posted to a thread, a buffer costs the message about
  // 15 µs whatever its size, and one a column took a tenth of a six-tree line's stage.
  const length = shifts.rows ? shifts.rows.length : matrix.rows;
  const block = allocate((shifts.rows ? 2 : 1) * matrix.columns.length * length);
  let made = 0;
  const shifted = shiftColumns(
    matrix.columns,
    shifts,
    () => Number.NaN,
    () => block.subarray(made * length, ++made * length),
  );
  // without `rows` the features themselves are not copied
  return {
    names: shadowNames(matrix.names),
    columns: shifts.rows ? shifted : [...matrix.columns, ...shifted],
    rows: shifts.rows ? shifts.rows.length : matrix.rows,
  };
}

/**
 * The bins of the plan's features from `binned`, the bins of its unshadowed features (the
 * search's, which the final fit trains on): a shadow takes its feature's bin bounds and the
 * shifted bin codes, so the folds split variables and shadows on the grid the final model
 * splits on, without binning anything again. Shadows get a NaN bin for the rows outside the
 * training part, as binning their NaN would give them.
 */
export function shadowedBins(binned: BinnedDataset, plan: StabilityPlan): BinnedDataset {
  const F = plan.variableIndex.length;
  const names = plan.features.names;
  if (binned.featureNames.length !== F || binned.featureNames.some((name, j) => name !== names[j]))
    throw new RangeError("shadowedBins: the bins are of other features than the plan's");
  // a shadow's NaN bin comes after its value bins: past 256 bins, its codes take two bytes
  const shadowBins = (j: number) => binned.upperBounds[j].length + 1;
  const bins = shiftColumns<Uint8Array | Uint16Array>(
    binned.bins,
    plan.shifts,
    (j) => binned.upperBounds[j].length,
    (j, shadow, length) =>
      (shadow ? shadowBins(j) <= 256 : binned.bins[j] instanceof Uint8Array)
        ? new Uint8Array(length)
        : new Uint16Array(length),
  );
  return {
    featureNames: names,
    rows: plan.features.rows,
    upperBounds: [...binned.upperBounds, ...binned.upperBounds],
    numBins: Int32Array.from([...binned.numBins, ...binned.upperBounds.map((_, j) => shadowBins(j))]),
    missingBin: Int32Array.from([...binned.missingBin, ...binned.upperBounds.map((b) => b.length)]),
    bins: plan.shifts.rows ? bins : [...binned.bins, ...bins],
  };
}

/**
 * Above this many rows the plan keeps only the rows its folds use (about an eighth of the
 * training part and the explained rows): at 1M rows × 50 the shadowed matrix of every row and
 * its bins held 1 GB beside the explain stage's (issue 21). Below, every row, as before.
 */
export const STABILITY_COMPACT_ROWS = 100_000;

/**
 * Rows a fold trains on at most. The K folds fit twice the features (the shadows); thinned by
 * 2(K − 1) they fit the final fit's rows × features. Past 500,000 training rows the cap thins
 * them further: five folds then fit 5 × 2 × 50,000 rows of the variables' features, what a final
 * fit on 500,000 rows costs, and on a million minutes a fold still sees one row every 16 minutes
 * (at 1M rows × 50, thinned by K − 1 only, the folds took 13.7 s against the evaluate stage's
 * 10.5 s).
 */
export const STABILITY_FOLD_ROWS = 50_000;

/** The contiguous blocks of `rows` (time order) into `k` folds of nearly equal size. */
export function timeFolds(rows: Uint32Array, k: number): Uint32Array[] {
  return Array.from({ length: k }, (_, f) =>
    rows.slice(Math.floor((f * rows.length) / k), Math.floor(((f + 1) * rows.length) / k)),
  );
}

/** What the folds of a stability run share: the shadowed features, the folds, the variables. */
export interface StabilityPlan {
  /**
   * The features and their shadows: every row of the input, or above `STABILITY_COMPACT_ROWS`
   * only the rows the folds use (the folds' row indices then count those).
   */
  readonly features: FeatureMatrix;
  /** The input's rows `features` holds, when only some (their labels go with them). */
  readonly rows?: Uint32Array;
  readonly folds: readonly { readonly train: Uint32Array; readonly explain: Uint32Array }[];
  /** The source variables, and the variable of each (unshadowed) feature. */
  readonly variables: readonly string[];
  readonly variableIndex: Int32Array;
  /** How the shadows were made (`shadowedBins` makes their bins alike). */
  readonly shifts: ShadowShifts;
  readonly top: number;
  /** Training rows in all (the final fit's), before the folds. */
  readonly trainRows: number;
}

/**
 * The shadowed features and the K blocked folds of `trainRows` (row indices in time order):
 * deterministic by `options.seed`, so a worker thread that rebuilds it gets the same plan.
 */
export function stabilityPlan(
  features: FeatureMatrix,
  trainRows: Uint32Array,
  options: StabilityOptions = {},
): StabilityPlan {
  const k = options.folds ?? 5;
  if (!Number.isInteger(k) || k < 5) {
    throw new InvalidInputError({
      where: 'stability.folds',
      message: `must be a whole number ≥ 5, got ${k}`,
    });
  }
  if (trainRows.length < 2 * k) {
    throw new InvalidInputError({
      where: 'stability',
      message: `${trainRows.length} training observations are too few for ${k} folds`,
    });
  }
  const { variables, ofFeature: variableIndex } = group(
    features.names,
    options.variableOf ?? ((feature) => feature),
  );
  const blocks = timeFolds(trainRows, k);
  const otherRows = (trainRows.length * (k - 1)) / k;
  const thin = Math.max(
    1,
    Math.floor(options.thin ?? Math.max(2 * (k - 1), Math.ceil(otherRows / STABILITY_FOLD_ROWS))),
  );
  const folds = blocks.map((explain, fold) => {
    const train: number[] = [];
    blocks.forEach((block, other) => {
      if (other === fold) return;
      // the same phase in every fold, so a fold's rows do not depend on which one is left out
      for (let i = 0; i < block.length; i++)
        if ((block[i] + (options.seed ?? 0)) % thin === 0) train.push(block[i]);
    });
    const step = Math.max(1, Math.ceil(explain.length / (options.explainRows ?? 150)));
    return { train: Uint32Array.from(train), explain: explain.filter((_, i) => i % step === 0) };
  });
  const used = features.rows > STABILITY_COMPACT_ROWS ? usedRows(features.rows, folds) : undefined;
  const shifts = shadowShifts(variableIndex, variables.length, trainRows, options.seed ?? 0, used?.rows);
  return {
    features: shadowedMatrix(features, shifts, options.allocate ?? ((length) => new Float64Array(length))),
    shifts,
    ...(used ? { rows: used.rows } : {}),
    folds: used
      ? folds.map((f) => ({
          train: f.train.map((r) => used.position[r]),
          explain: f.explain.map((r) => used.position[r]),
        }))
      : folds,
    variables,
    variableIndex,
    top: options.top ?? 5,
    trainRows: trainRows.length,
  };
}

/** The rows any fold trains on or explains, ascending, and each one's place among them. */
function usedRows(
  rows: number,
  folds: readonly { readonly train: Uint32Array; readonly explain: Uint32Array }[],
): { rows: Uint32Array; position: Int32Array } {
  const position = new Int32Array(rows).fill(-1);
  for (const f of folds) {
    for (const r of f.train) position[r] = 0;
    for (const r of f.explain) position[r] = 0;
  }
  let count = 0;
  for (let r = 0; r < rows; r++) if (position[r] === 0) position[r] = count++;
  const kept = new Uint32Array(count);
  for (let r = 0; r < rows; r++) if (position[r] >= 0) kept[position[r]] = r;
  return { rows: kept, position };
}

/**
 * The stability of every variable from each fold's importances (features then shadows; null for
 * a fold left out). Empty when no fold could be fitted.
 */
export function stabilityOf(
  plan: StabilityPlan,
  importances: readonly (ArrayLike<number> | null)[],
): Map<string, VariableStability> {
  const { variables, variableIndex, top } = plan;
  const V = variables.length;
  const F = variableIndex.length;
  const fitted = importances.filter((importance): importance is ArrayLike<number> => importance !== null);
  const k = fitted.length;
  if (k === 0) return new Map();
  const perFold = fitted.map((importance) => {
    if (importance.length !== 2 * F) {
      throw new RangeError(`stabilityOf: ${importance.length} importances for ${2 * F} features`);
    }
    const real = new Float64Array(V);
    const shadow = new Float64Array(V);
    for (let j = 0; j < F; j++) {
      real[variableIndex[j]] += Math.abs(importance[j]);
      shadow[variableIndex[j]] += Math.abs(importance[F + j]);
    }
    const strongestShadow = shadow.reduce((m, x) => Math.max(m, x), 0);
    const order = Array.from({ length: V }, (_, v) => v).sort((a, b) => real[b] - real[a] || a - b);
    const rank = new Int32Array(V);
    order.forEach((v, r) => {
      rank[v] = r;
    });
    return { real, strongestShadow, rank };
  });
  const out = new Map<string, VariableStability>();
  variables.forEach((variable, v) => {
    let inTop = 0;
    let above = 0;
    let sum = 0;
    let squares = 0;
    for (const { real, strongestShadow, rank } of perFold) {
      if (rank[v] < top && real[v] > 0) inTop++;
      if (real[v] > strongestShadow) above++;
      sum += real[v];
      squares += real[v] * real[v];
    }
    const mean = sum / k;
    const variance = k > 1 ? Math.max(0, (squares - k * mean * mean) / (k - 1)) : 0;
    out.set(variable, {
      folds: k,
      topShare: inTop / k,
      aboveShadowShare: above / k,
      spread: mean > 0 ? Math.sqrt(variance) / mean : 0,
    });
  });
  return out;
}

/**
 * The stability of every variable of `features` (its source variables, by `variableOf`), from
 * `fitAndExplain` on K blocked folds of `trainRows` (row indices in time order), run concurrently.
 */
export async function rankingStability(
  features: FeatureMatrix,
  trainRows: Uint32Array,
  fitAndExplain: FitAndExplain,
  options: StabilityOptions = {},
): Promise<Map<string, VariableStability>> {
  const plan = stabilityPlan(features, trainRows, options);
  const importances = await Promise.all(
    plan.folds.map((fold, index) => fitAndExplain({ fold: index, ...fold, features: plan.features })),
  );
  return stabilityOf(plan, importances);
}
