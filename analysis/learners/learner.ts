/**
 * A learner, as the rest of line-rca sees it: one record (`LearnerDefinition`) with its search
 * space and everything done with its models — training on some rows while watching others,
 * the parameters of the final refit, margins, SHAP values, the features it uses, its JSON form
 * and its ONNX export. `registry.ts` lists the records; no other code names a learner.
 */
import type { ShapInteractions, ShapValues } from '../explain/tree-shap';
import type { FeatureMatrix, Labels } from '../frame';
import type { BinnedDataset } from './gbdt/binning';
import type { LearnerParams, LearnerSpace } from './search-space';

export type { LearnerParams } from './search-space';

/** The data every fit of an analysis shares. */
export interface LearningData {
  readonly features: FeatureMatrix;
  readonly labels: Labels;
  /** The binned features, for learners that train on them; binned on demand when absent. */
  readonly binned?: BinnedDataset;
}

export interface FitRequest {
  /** The learner's parameters (LightGBM names for gbdt, `C` / `penalty` for logistic). */
  readonly params: LearnerParams;
  /** Rows to train on (indices into the data). */
  readonly train: ArrayLike<number>;
  /** Rows watched while training (early stopping, `onLoss`); none for a final refit. */
  readonly validation?: ArrayLike<number>;
  /**
   * Called with the validation binary log loss every `reportEvery` rounds (once for a learner
   * without rounds); returning false stops training (a pruned trial).
   */
  readonly onLoss?: (step: number, loss: number) => boolean | undefined;
  readonly reportEvery?: number;
}

export interface FitResult<M> {
  readonly model: M;
  /** Rounds kept (learners that boost). */
  readonly bestIteration?: number;
  /** Whether `onLoss` stopped training. */
  readonly stopped: boolean;
}

/** What every learned model has: its kind (the registry key) and the features it reads. */
export interface ModelBase {
  readonly kind: string;
  readonly featureNames: readonly string[];
}

export interface LearnerDefinition<M extends ModelBase> extends LearnerSpace {
  fit(data: LearningData, request: FitRequest): FitResult<M>;
  /** The parameters of the final refit on the whole training part, from a trial's. */
  finalParams(params: LearnerParams, bestIteration: number | undefined): LearnerParams;
  /** The parameters the results show for a trained model. */
  shownParams(model: M, params: LearnerParams): Record<string, number | string | boolean>;
  /** Margins (log-odds) of every row of `features` (columns matched by name). */
  margin(model: M, features: FeatureMatrix): Float64Array;
  /** SHAP values in margin space of the rows listed (all when omitted); rows are independent. */
  shap(model: M, features: FeatureMatrix, rows?: ArrayLike<number>): ShapValues;
  /**
   * SHAP interaction values of the rows listed, when the learner has them (trees; a linear
   * model in log-odds has none).
   */
  shapInteractions?(model: M, features: FeatureMatrix, rows: ArrayLike<number>): ShapInteractions;
  /** Features the model's prediction depends on (a split on them, a non-zero coefficient). */
  usedFeatures(model: M): ReadonlySet<string>;
  /** The `format` field of its JSON form. */
  readonly format: string;
  toJson(model: M): unknown;
  fromJson(json: unknown): M;
  /** Serialized ONNX ModelProto (see analysis/onnx for the contract). */
  toOnnx(model: M): Uint8Array;
}

/** Parameters as the results show them: every one that is set. */
export function setParams(params: LearnerParams): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null) out[k] = v;
  return out;
}
