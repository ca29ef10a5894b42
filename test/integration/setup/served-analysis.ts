// An analysis stored as `analyze` and the workers store it (MongoDB + artifact folder), for the
// tests of `line-rca serve`: a random line with one injected cause, minute rows taken as they
// are (`aggregation: "none"`), so a zoom must equal `line-rca distribution --from --to`.
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../analysis/config';
import { generateRandomLine, type RandomLineTruth } from '../../../analysis/demo/random-line';
import type { ResultsDocument } from '../../../analysis/results';
import { writeTableParquet } from '../../../connectors/demo-line';
import { runEmbedded } from '../../../pipeline/embedded';
import { serviceAddresses, uniqueName } from './services';

export interface ServedAnalysis {
  readonly tmp: string;
  readonly file: string;
  readonly results: ResultsDocument;
  readonly truth: RandomLineTruth;
  /** The environment `serve` needs to find it. */
  readonly env: { MONGODB_URI: string; LINE_RCA_ARTIFACTS: string };
}

export function databaseUri(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Sets MONGODB_URI (a fresh database) and LINE_RCA_ARTIFACTS (a fresh folder) in this process,
 * runs the analysis embedded, and returns where it is.
 */
export async function servedAnalysis(
  options: { days?: number; seed?: number; line?: string } = {},
): Promise<ServedAnalysis> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-serve-'));
  const env = {
    MONGODB_URI: databaseUri(serviceAddresses().mongodb, uniqueName('rca_serve').replace(/-/g, '_')),
    LINE_RCA_ARTIFACTS: path.join(tmp, 'artifacts'),
  };
  mkdirSync(env.LINE_RCA_ARTIFACTS, { recursive: true });
  Object.assign(process.env, env, { MLFLOW_TRACKING_URI: '' });
  const { table, truth } = generateRandomLine({
    seed: options.seed ?? 11,
    kind: 'threshold',
    shape: 'minutes',
    days: options.days ?? 7,
  });
  const file = path.join(tmp, 'line.parquet');
  await writeTableParquet(table, file);
  const config = parseConfig({
    name: 'served line',
    line: options.line ?? 'line-7',
    source: { kind: 'file', path: file, timeColumn: 'time' },
    target: truth.target,
    aggregation: 'none',
    models: ['logistic'],
    search: { trials: 2, seed: 1 },
  });
  const { results } = await runEmbedded({ config, baseDir: tmp });
  return { tmp, file, results, truth, env };
}
