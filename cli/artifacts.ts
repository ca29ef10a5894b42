/**
 * `line-rca artifacts prune --older-than 30d [--dir DIR] [--dry-run] [--json]`: removes the
 * working data of old analyses (datasets, models, reports) from the artifact storage — a folder
 * (`<root>/analyses/<id>`) or GridFS, and then this machine's cache too.
 * Results stored in MongoDB keep their figures; their artifact links then point at nothing.
 */
import { parseDuration } from '../analysis/aggregate/time';
import { InvalidInputError } from '../analysis/errors';
import { artifactStorage, GridFsStorage } from '../connectors/artifact-storage';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const artifactsSpec = {
  name: 'artifacts',
  usage: ['artifacts prune --older-than AGE [--dir DIR] [--dry-run] [--json]'],
  description:
    "Each analysis keeps its working data (the source's rows and the features as Parquet, the model,\n" +
    'the report, per-variable JSON) in the artifact storage, LINE_RCA_ARTIFACTS: a folder\n' +
    '(<root>/analyses/<id>; default .data/artifacts under the working directory) or\n' +
    'mongodb://host:port/<database> (GridFS; each machine caches what it used in LINE_RCA_CACHE).\n' +
    'A failed analysis leaves none; prune removes the artifacts of analyses not touched for AGE\n' +
    "(and this machine's cached files not used for AGE).",
  actions: [{ name: 'prune', description: 'remove the folders of analyses older than --older-than' }],
  options: {
    'older-than': {
      type: 'string',
      value: 'AGE',
      description: 'a duration: 30d, 12h, 2w (required)',
    },
    dir: {
      type: 'string',
      value: 'DIR',
      description:
        'the artifact storage: a folder or mongodb://… (default LINE_RCA_ARTIFACTS, else .data/artifacts)',
    },
    'dry-run': { type: 'boolean', description: 'list what would be removed, remove nothing', default: false },
    json: { type: 'boolean', description: 'the removed folders as JSON on stdout', default: false },
  },
  positionals: true,
} as const satisfies CommandSpec;

export async function artifactsCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(artifactsSpec, argv, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'prune') {
    throw new InvalidInputError({
      where: 'artifacts',
      message: `usage: line-rca ${artifactsSpec.usage.join(' | ')}`,
    });
  }
  if (values['older-than'] === undefined) {
    throw new InvalidInputError({ where: '--older-than', message: 'is required, e.g. --older-than 30d' });
  }
  const olderThanMs = parseDuration(values['older-than'], '--older-than');
  const storage = artifactStorage(values.dir);
  const now = Date.now();
  const dryRun = values['dry-run'] === true;
  const removed = await storage.prune({ olderThanMs, now, dryRun });
  const bytes = removed.reduce((sum, f) => sum + f.bytes, 0);
  if (values.json) {
    const rows = removed.map((f) => ({
      analysisId: f.analysisId,
      path: f.location,
      bytes: f.bytes,
      lastModified: new Date(f.lastModified).toISOString(),
    }));
    io.stdout(`${JSON.stringify(rows)}\n`);
  } else {
    for (const f of removed)
      io.stdout(`${f.location}\t${megabytes(f.bytes)}\t${new Date(f.lastModified).toISOString()}\n`);
  }
  const verb = dryRun ? 'would remove' : 'removed';
  io.stderr(
    `artifacts: ${verb} ${removed.length} analysis folder(s), ${megabytes(bytes)}, from ${storage.description}\n`,
  );
  if (storage instanceof GridFsStorage) {
    const cached = await storage.cache.prune(olderThanMs, now, dryRun);
    io.stderr(
      `artifacts: ${verb} ${cached.files} cached file(s), ${megabytes(cached.bytes)}, from ${storage.cache.root}\n`,
    );
  }
  return 0;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
