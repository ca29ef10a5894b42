/**
 * The data stages: extract (source → observations dataset) and aggregate (observations →
 * features dataset with labels, and the split's counts).
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTarget } from '../analysis/aggregate/target';
import type { AnalysisConfig, AnalysisSettings } from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import { artifactStorage } from '../connectors/artifact-storage';
import { isInside } from '../connectors/data-roots';
import { newDatasetUri } from '../connectors/datasets';
import { aggregateDataset, extractSource, type SourceSpec } from '../connectors/sources';
import type { LearningDataStore } from './learning-data';
import type { StageContext } from './progress';
import { checkStrata, namedColumns } from './rules';
import type { AggregateInput, AggregateOutput, ExtractInput, ExtractOutput, SplitSpec } from './types';

export function sourceSpec(config: AnalysisConfig, baseDir: string): SourceSpec {
  const source = config.source;
  if (source.kind === 'mongo') return { kind: 'mongo', collection: source.collection, line: config.line };
  return {
    kind: 'file',
    path: source.kind === 'file' ? path.resolve(baseDir, source.path) : artifactSourcePath(source.uri),
    timeColumn: source.timeColumn,
    layout: source.format ?? 'auto',
    rowOrder: config.aggregation === 'none',
  };
}

/**
 * The local file of an artifact source: a `file:` URI (a folder storage's, or the cached copy a
 * remote storage's URI was replaced with before the stage, activities/artifact-transport.ts).
 */
function artifactSourcePath(uri: string): string {
  if (!uri.startsWith('file:')) {
    throw new InvalidInputError({
      where: 'source.uri',
      message: `${uri} is not an artifact of the storage LINE_RCA_ARTIFACTS names (a gridfs:// URI needs LINE_RCA_ARTIFACTS=mongodb://…)`,
    });
  }
  const file = fileURLToPath(uri);
  // Only files of the storage (or of the cache its copies are in): an artifact URI is no way
  // around LINE_RCA_DATA_ROOTS to any other file of the worker.
  const real = existsSync(file)
    ? realpathSync(file)
    : path.join(realOrSelf(path.dirname(file)), path.basename(file));
  if (!isInside(real, realOrSelf(artifactStorage().localRoot))) {
    throw new InvalidInputError({
      where: 'source.uri',
      message: `${uri} is not in the artifact storage (LINE_RCA_ARTIFACTS); store the file with line-rca data put`,
    });
  }
  if (!existsSync(file)) {
    throw new InvalidInputError({
      where: 'source.uri',
      message: `no such artifact: ${uri} (line-rca data put FILE stores one)`,
    });
  }
  return file;
}

function realOrSelf(folder: string): string {
  return existsSync(folder) ? realpathSync(folder) : folder;
}

export async function extract(input: ExtractInput, context: StageContext = {}): Promise<ExtractOutput> {
  const { config, settings } = input;
  const observationsUri = newDatasetUri('observations', input.workDir);
  const report = await extractSource(
    sourceSpec(config, input.baseDir),
    {
      period: settings.period,
      include: config.variables.include,
      exclude: config.variables.exclude,
      keep: settings.targetColumns,
      named: namedColumns(settings),
    },
    observationsUri,
    context.step,
  );
  await checkStrata(observationsUri, settings);
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

export async function aggregate(
  input: AggregateInput,
  store: LearningDataStore,
  context: StageContext = {},
): Promise<AggregateOutput> {
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
    context.step,
  );
  if (report.positives === 0 || report.positives === report.rows) {
    throw new InvalidInputError({
      where: 'target',
      message: `${formatTarget(settings.target)} is true on ${report.positives} of ${report.rows} observations; it must split them into two populations`,
    });
  }
  const split = splitSpec(settings);
  const data = await store.learningData(featuresUri, split);
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
