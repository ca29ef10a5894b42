/** `bin-dataset`: a features matrix binned for the boosted trees, off the caller's thread. */
import type { FeatureMatrix } from '../../analysis/frame';
import { type BinnedDataset, binDataset } from '../../analysis/learners/gbdt/binning';
import type { TaskResult } from '../task';

export function binDatasetTask(input: {
  readonly features: FeatureMatrix;
  /** Dataset parameters (`max_bin`, …); LightGBM's defaults when absent. */
  readonly params?: Readonly<Record<string, unknown>>;
}): TaskResult<BinnedDataset> {
  const binned = binDataset(input.features, input.params ? { params: input.params } : {});
  const transfer = [binned.numBins, binned.missingBin, ...binned.upperBounds, ...binned.bins]
    .map((a) => a.buffer)
    .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  return { value: binned, transfer: [...new Set(transfer)] };
}
