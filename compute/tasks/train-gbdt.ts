/**
 * `train-gbdt`: trains a GBDT off the main thread, reporting every round's validation score as a
 * progress message and stopping when the caller says so (a pruner's verdict).
 */
import type { BinnedDataset } from '../../analysis/learners/gbdt/binning';
import type { GbdtModel } from '../../analysis/learners/gbdt/model';
import { type IterationReport, trainGbdt, type ValidationSet } from '../../analysis/learners/gbdt/train';
import type { TaskContext, TaskResult } from '../task';

export interface TrainGbdtInput {
  readonly data: BinnedDataset;
  readonly labels: ArrayLike<number>;
  readonly rows?: ArrayLike<number>;
  readonly validation?: ValidationSet;
  readonly params?: Readonly<Record<string, unknown>>;
}

export function trainGbdtTask(
  input: TrainGbdtInput,
  context: TaskContext<IterationReport>,
): TaskResult<GbdtModel> {
  const model = trainGbdt(input.data, input.labels, {
    params: input.params,
    rows: input.rows,
    validation: input.validation,
    onIteration: (report) => {
      context.progress(report);
      return !context.stopRequested();
    },
  });
  // The trees' arrays are fresh: move them to the caller instead of copying.
  const transfer = model.trees.flatMap((t) => [
    t.splitFeature.buffer,
    t.threshold.buffer,
    t.defaultLeft.buffer,
    t.leftChild.buffer,
    t.rightChild.buffer,
    t.splitGain.buffer,
    t.leafValue.buffer,
    t.leafCount.buffer,
    t.internalCount.buffer,
    t.internalValue.buffer,
  ]);
  return { value: model, transfer: transfer as ArrayBuffer[] };
}
