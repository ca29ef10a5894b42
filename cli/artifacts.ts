/**
 * `line-rca artifacts prune --older-than 30d [--dir DIR] [--dry-run] [--json]`: removes the
 * working data of old analyses (datasets, models, reports under `<root>/analyses/<id>`).
 * Results stored in MongoDB keep their figures; their artifact links then point at nothing.
 */
import { pruneAnalyses } from '../activities/workspace';
import { parseDuration } from '../analysis/aggregate/time';
import { InvalidInputError } from '../analysis/errors';
import { artifactRoot } from '../connectors/datasets';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const artifactsSpec = {
  name: 'artifacts',
  usage: ['artifacts prune --older-than AGE [--dir DIR] [--dry-run] [--json]'],
  description:
    "Each analysis keeps its working data (the source's rows and the features as Parquet, the model,\n" +
    'the report, per-variable JSON) in <root>/analyses/<id>, root = LINE_RCA_ARTIFACTS or\n' +
    '.data/artifacts under the working directory. A failed analysis leaves none; prune removes\n' +
    'the folders of analyses not touched for AGE.',
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
      description: 'the artifact root (default LINE_RCA_ARTIFACTS, else .data/artifacts)',
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
  const root = artifactRoot(values.dir);
  const removed = pruneAnalyses({ root, olderThanMs, now: Date.now(), dryRun: values['dry-run'] === true });
  const bytes = removed.reduce((sum, f) => sum + f.bytes, 0);
  if (values.json) {
    io.stdout(
      `${JSON.stringify(removed.map((f) => ({ ...f, lastModified: new Date(f.lastModified).toISOString() })))}\n`,
    );
  } else {
    for (const f of removed)
      io.stdout(`${f.path}\t${megabytes(f.bytes)}\t${new Date(f.lastModified).toISOString()}\n`);
  }
  const verb = values['dry-run'] ? 'would remove' : 'removed';
  io.stderr(`artifacts: ${verb} ${removed.length} analysis folder(s), ${megabytes(bytes)}, from ${root}\n`);
  return 0;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
