/**
 * The data stages: extract (source → observations dataset) and aggregate (observations →
 * features dataset with labels), plus the split and the learning data every model stage
 * derives from a features dataset, cached per process so trials do not re-read or re-bin it.
 */
import path from 'node:path';
import { formatTarget } from '../analysis/aggregate/target';
import type { AnalysisConfig, AnalysisSettings } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import type { LearningData } from '../analysis/learners/fit';
import { type TimeSplit, timeOrderedSplit } from '../analysis/split';
import { type FeatureDataset, newDatasetUri, readFeatureDataset } from '../connectors/datasets';
import { aggregateDataset, extractSource, type SourceSpec } from '../connectors/sources';
import type { AggregateInput, AggregateOutput, ExtractInput, ExtractOutput, SplitSpec } from './types';

export function sourceSpec(config: AnalysisConfig, baseDir: string): SourceSpec {
  const source = config.source;
  if (source.kind === 'file') {
    return {
      kind: 'file',
      path: path.resolve(baseDir, source.path),
      timeColumn: source.timeColumn,
      layout: source.format ?? 'auto',
      rowOrder: config.aggregation === 'none',
    };
  }
  return { kind: 'mongo', collection: source.collection, line: config.line };
}

export async function extract(input: ExtractInput): Promise<ExtractOutput> {
  const { config, settings } = input;
  const observationsUri = newDatasetUri('observations', input.workDir);
  const report = await extractSource(
    sourceSpec(config, input.baseDir),
    {
      period: settings.period,
      include: config.variables.include,
      exclude: config.variables.exclude,
      keep: settings.targetColumns,
    },
    observationsUri,
  );
  return {
    observationsUri,
    rows: report.rows,
    from: report.from,
    to: report.to,
    variables: report.variables.length,
    duplicateRows: report.duplicateRows,
    unsortedRows: report.unsortedRows,
  };
}

export function splitSpec(settings: AnalysisSettings): SplitSpec {
  const { aggregation, validation } = settings;
  return {
    fraction: validation.fraction,
    gapMs: validation.gapMs,
    windowMs: aggregation.kind === 'windows' ? aggregation.windowMs : 0,
  };
}

export async function aggregate(input: AggregateInput): Promise<AggregateOutput> {
  const { config, settings } = input;
  const featuresUri = newDatasetUri('features', input.workDir);
  const report = await aggregateDataset(
    input.observationsUri,
    {
      target: settings.target,
      aggregation: settings.aggregation,
      exclude: config.variables.exclude,
      describe: { target: config.target, aggregation: config.aggregation },
    },
    featuresUri,
  );
  if (report.positives === 0 || report.positives === report.rows) {
    throw new InvalidInputError({
      where: 'target',
      message: `${formatTarget(settings.target)} is true on ${report.positives} of ${report.rows} observations; it must split them into two populations`,
    });
  }
  const split = splitSpec(settings);
  const data = await learningData(featuresUri, split);
  let validationPositives = 0;
  for (const i of data.outer.validation) validationPositives += data.labels[i];
  return {
    featuresUri,
    rows: report.rows,
    positives: report.positives,
    features: data.features.names.length,
    variables: report.variables.length,
    split,
    trainRows: data.outer.train.length,
    validationRows: data.outer.validation.length,
    validationPositives,
  };
}

export interface SplitLearningData extends LearningData {
  readonly times: Float64Array;
  /** Training part and validation set. */
  readonly outer: TimeSplit;
  /** The search's split of the training part (indices into the dataset rows). */
  readonly inner: { readonly train: Uint32Array; readonly validation: Uint32Array };
}

const datasets = new Map<string, Promise<FeatureDataset>>();
const splits = new Map<string, Promise<SplitLearningData>>();

/** Keeps the few most recent entries: a worker serves one or two analyses at a time. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let entry = cache.get(key);
  if (!entry) {
    entry = load();
    cache.set(key, entry);
    // A failed read is not kept, so a retry reads again.
    entry.catch(() => cache.delete(key));
    while (cache.size > 3) cache.delete(cache.keys().next().value as string);
  }
  return entry;
}

/** A features dataset as read for the learners (cached per process). */
export function featureDataset(featuresUri: string): Promise<FeatureDataset> {
  return remember(datasets, featuresUri, () => readFeatureDataset(featuresUri));
}

function splitOf(rows: number, split: SplitSpec, times: Float64Array): TimeSplit {
  return timeOrderedSplit(
    rows,
    { fraction: split.fraction, gapMs: split.gapMs, windowMs: split.windowMs },
    times,
  );
}

/** The features dataset as learning data with its outer and inner time-ordered splits (cached). */
export function learningData(featuresUri: string, split: SplitSpec): Promise<SplitLearningData> {
  const key = `${featuresUri}#${split.fraction}/${split.gapMs}/${split.windowMs}`;
  return remember(splits, key, async () => {
    const dataset = await featureDataset(featuresUri);
    const times = dataset.times;
    const outer = splitOf(dataset.matrix.rows, split, times);
    const trainTimes = Float64Array.from(outer.train, (i) => times[i]);
    const innerLocal = splitOf(outer.train.length, split, trainTimes);
    const inner = {
      train: Uint32Array.from(innerLocal.train, (k) => outer.train[k]),
      validation: Uint32Array.from(innerLocal.validation, (k) => outer.train[k]),
    };
    return { features: dataset.matrix, labels: dataset.labels, times, outer, inner };
  });
}
