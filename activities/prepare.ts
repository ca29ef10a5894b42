/**
 * The first stage of every run: the configuration (inline, or stored in MongoDB by id) checked
 * and completed with its defaults, an analysis id and the folder for its artifacts.
 */
import path from 'node:path';
import {
  type AnalysisConfig,
  type AnalysisSettings,
  analysisSettings,
  parseConfig,
} from '../analysis/config';
import { InvalidInputError } from '../analysis/errors';
import { artifactRoot } from '../connectors/datasets';
import { MongoStore, newId } from '../connectors/mongo';

export interface PrepareInput {
  /** A configuration document (JSON); or `configId` to read it from MongoDB. */
  readonly config?: unknown;
  readonly configId?: string;
  /** Folder a relative `source.path` is relative to; default the working directory. */
  readonly baseDir?: string;
  /** Reuse an id (a retried or resumed run); default a new one. */
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

export function analysisWorkDir(analysisId: string): string {
  return path.join(artifactRoot(), 'analyses', analysisId);
}

export async function prepare(input: PrepareInput): Promise<PrepareOutput> {
  let document = input.config;
  if (input.configId !== undefined) {
    const store = await MongoStore.fromEnv();
    try {
      const stored = await store.getConfig(input.configId);
      if (!stored) {
        throw new InvalidInputError({
          where: 'configId',
          message: `no configuration ${JSON.stringify(input.configId)} in MongoDB (line-rca config list shows them)`,
        });
      }
      document = stored.document;
    } finally {
      await store.close();
    }
  }
  if (document === undefined) {
    throw new InvalidInputError({
      where: 'input',
      message: 'give a configuration ("config") or its id ("configId")',
    });
  }
  const config = parseConfig(document);
  const analysisId = input.analysisId ?? newId();
  return {
    analysisId,
    workDir: analysisWorkDir(analysisId),
    config,
    settings: analysisSettings(config),
    baseDir: path.resolve(input.baseDir ?? process.cwd()),
    ...(input.configId !== undefined ? { configId: input.configId } : {}),
  };
}
