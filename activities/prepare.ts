/**
 * The first stage of every run: the configuration (inline, or stored in MongoDB by id) checked
 * and completed with its defaults, an analysis id and the folder for its artifacts. Whatever
 * would fail later for good fails here, before any work: MongoDB (when `MONGODB_URI` is set) is
 * reached with its credentials and write rights, and a file source must be inside
 * `LINE_RCA_DATA_ROOTS` (when set).
 */
import path from 'node:path';
import {
  type AnalysisConfig,
  type AnalysisSettings,
  analysisSettings,
  parseConfig,
} from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import { confineToDataRoots } from '../connectors/data-roots';
import { artifactRoot } from '../connectors/datasets';
import { MongoStore, mongoUriFromEnv, newId } from '../connectors/mongo';
import { analysisIdOf, checkAnalysisId } from './analysis-id';
import { sourceSpec } from './data';

export interface PrepareInput {
  /** A configuration document (JSON); or `configId` to read it from MongoDB. */
  readonly config?: unknown;
  readonly configId?: string;
  /** Folder a relative `source.path` is relative to; default the working directory. */
  readonly baseDir?: string;
  /**
   * The analysis' name (a workflow id): the same name, the same analysis id, so a retried or
   * resumed run finds its own results (activities/analysis-id.ts); default a new id.
   */
  readonly analysisId?: string;
}

export interface PrepareOutput {
  readonly analysisId: string;
  readonly workDir: string;
  readonly config: AnalysisConfig;
  /** The configuration's values parsed once, typed (target expression, durations in ms). */
  readonly settings: AnalysisSettings;
  readonly baseDir: string;
  readonly configId?: string;
}

/** The analysis' own folder under the artifact root (never the root itself). */
export function analysisWorkDir(analysisId: string): string {
  return path.join(artifactRoot(), 'analyses', checkAnalysisId(analysisId));
}

function checkConfigId(configId: unknown): string {
  if (typeof configId !== 'string' || configId.length === 0 || configId.length > 200) {
    throw new InvalidInputError({
      where: 'configId',
      message: `must be the text id printed by line-rca config put (line-rca config list shows them), got ${JSON.stringify(configId)}`,
    });
  }
  return configId;
}

export async function prepare(input: PrepareInput): Promise<PrepareOutput> {
  const configId = input.configId === undefined ? undefined : checkConfigId(input.configId);
  // Connecting creates the indexes: the credentials and the right to write are proven here.
  const store = (mongoUriFromEnv() ?? configId) !== undefined ? await MongoStore.fromEnv() : undefined;
  let document = input.config;
  try {
    if (configId !== undefined) {
      const stored = await store!.getConfig(configId);
      if (!stored) {
        throw new InvalidInputError({
          where: 'configId',
          message: `no configuration ${JSON.stringify(configId)} in MongoDB (line-rca config list shows them)`,
        });
      }
      document = stored.document;
    }
  } finally {
    await store?.close();
  }
  if (document === undefined) {
    throw new InvalidInputError({
      where: 'input',
      message: 'give a configuration ("config") or its id ("configId")',
    });
  }
  const config = parseConfig(document);
  const baseDir = path.resolve(input.baseDir ?? process.cwd());
  const source = sourceSpec(config, baseDir);
  if (source.kind === 'file' && config.source.kind === 'file')
    confineToDataRoots(source.path, config.source.path);
  const analysisId = input.analysisId === undefined ? newId() : analysisIdOf(input.analysisId);
  return {
    analysisId,
    workDir: analysisWorkDir(analysisId),
    config,
    settings: analysisSettings(config),
    baseDir,
    ...(configId !== undefined ? { configId } : {}),
  };
}
