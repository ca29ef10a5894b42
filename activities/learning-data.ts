/**
 * The learning data every model stage derives from a features dataset — the matrix, labels and
 * times in shared memory, the outer (validation) split and the search's validation inside the
 * training part, the binned features — read once and kept by the runner that owns the store
 * (the embedded runner per run, a Temporal worker for its lifetime), so trials on its threads
 * neither re-read nor re-bin it.
 */
import type { BinnedDataset } from '../analysis/learners/gbdt/binning';
import type { LearningData } from '../analysis/learners/learner';
import { type SearchValidation, searchValidation, type TimeSplit, timeOrderedSplit } from '../analysis/split';
import type { ComputePool } from '../compute/pool';
import { shareArray, shareBinnedDataset, shareMatrix } from '../compute/shared';
import { type FeatureDataset, readFeatureDataset } from '../connectors/datasets';
import type { SplitSpec } from './types';

export interface SplitLearningData extends LearningData {
  readonly times: Float64Array;
  /** Training part and validation set. */
  readonly outer: TimeSplit;
  /** How the search scores trials inside the training part (indices into the dataset rows). */
  readonly search: SearchValidation;
}

/** Keeps the few most recent entries: a worker serves one or two analyses at a time. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>, capacity: number) {
  let entry = cache.get(key);
  if (!entry) {
    entry = load();
    cache.set(key, entry);
    // A failed read is not kept, so a retry reads again.
    entry.catch(() => cache.delete(key));
    while (cache.size > capacity) cache.delete(cache.keys().next().value as string);
  }
  return entry;
}

export class LearningDataStore {
  private readonly datasets = new Map<string, Promise<FeatureDataset>>();
  private readonly splits = new Map<string, Promise<SplitLearningData>>();
  private readonly bins = new Map<string, Promise<BinnedDataset>>();

  /** `compute` bins the features; `capacity` datasets are kept (the most recent). */
  constructor(
    private readonly compute: ComputePool,
    private readonly capacity = 3,
  ) {}

  /** A features dataset as read for the learners, its matrix and labels in shared memory. */
  dataset(featuresUri: string): Promise<FeatureDataset> {
    return remember(
      this.datasets,
      featuresUri,
      async () => {
        const read = await readFeatureDataset(featuresUri, { shared: true });
        return { ...read, matrix: shareMatrix(read.matrix), labels: shareArray(read.labels) };
      },
      this.capacity,
    );
  }

  /** The dataset as learning data with its outer split and the search's validation. */
  learningData(featuresUri: string, split: SplitSpec): Promise<SplitLearningData> {
    const key = `${featuresUri}#${split.fraction}/${split.gapMs}/${split.windowMs}`;
    return remember(
      this.splits,
      key,
      async () => {
        const dataset = await this.dataset(featuresUri);
        const { times, labels } = dataset;
        const options = { fraction: split.fraction, gapMs: split.gapMs, windowMs: split.windowMs };
        const outer = timeOrderedSplit(dataset.matrix.rows, options, times);
        const search = searchValidation(outer.train, labels, options, times);
        return {
          features: dataset.matrix,
          labels,
          times,
          outer: {
            train: shareArray(outer.train),
            validation: shareArray(outer.validation),
            gap: outer.gap,
          },
          search: {
            ...search,
            folds: search.folds.map((f) => ({
              train: shareArray(f.train),
              validation: shareArray(f.validation),
            })),
          },
        };
      },
      this.capacity,
    );
  }

  /** The features binned for the boosted trees: once, on a thread, then shared. */
  binned(featuresUri: string): Promise<BinnedDataset> {
    return remember(
      this.bins,
      featuresUri,
      async () => {
        const { matrix } = await this.dataset(featuresUri);
        return shareBinnedDataset(await this.compute.run('bin-dataset', { features: matrix }));
      },
      this.capacity,
    );
  }
}
