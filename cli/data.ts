/**
 * `line-rca data put FILE`: stores a CSV or Parquet file in the artifact storage
 * (LINE_RCA_ARTIFACTS) and prints its URI as the last line, for a configuration's
 * `source: { kind: "artifact", uri }` — a source no worker needs a shared folder for.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../analysis/errors';
import { artifactStorage, fileSha256 } from '../connectors/artifact-storage';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const dataSpec = {
  name: 'data',
  usage: ['data put FILE [--json]'],
  description:
    'Stores a CSV or Parquet file in the artifact storage (LINE_RCA_ARTIFACTS: a folder, or\n' +
    'mongodb://host:port/<database> for GridFS) and prints its URI as the last line; a configuration\n' +
    'reads it with source: { kind: "artifact", uri: "<URI>" }. The same content is stored once.',
  actions: [{ name: 'put', description: 'store FILE and print its URI' }],
  options: {
    json: { type: 'boolean', description: '{uri, bytes, sha256} as JSON on stdout', default: false },
  },
  positionals: true,
} as const satisfies CommandSpec;

export async function dataCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(dataSpec, argv, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2 || positionals[0] !== 'put') {
    throw new InvalidInputError({ where: 'data', message: `usage: line-rca ${dataSpec.usage.join(' | ')}` });
  }
  const file = path.resolve(positionals[1]);
  const found = await stat(file).catch(() => null);
  if (!found?.isFile()) {
    throw new InvalidInputError({
      where: positionals[1],
      message: found ? 'is not a file' : 'does not exist',
    });
  }
  if (!/\.(csv|tsv|txt|parquet|pq)$/i.test(file)) {
    throw new InvalidInputError({
      where: positionals[1],
      message: 'must be a CSV (.csv, .tsv, .txt) or Parquet (.parquet, .pq) file',
    });
  }
  const storage = artifactStorage();
  const sha256 = await fileSha256(file);
  io.stderr(`data: storing ${file} (${(found.size / 1e6).toFixed(1)} MB) in ${storage.description}\n`);
  const uri = await storage.putFile(`data/${sha256}/${path.basename(file)}`, file);
  io.stdout(values.json ? `${JSON.stringify({ uri, bytes: found.size, sha256 })}\n` : `${uri}\n`);
  return 0;
}
