/**
 * `line-rca serve [--port 8080] [--host 127.0.0.1]`: the HTTP API for the platform (server/).
 * Analyses come from MongoDB (`MONGODB_URI`), their data from the artifact folder the workers
 * wrote (`LINE_RCA_ARTIFACTS`), new runs go to Temporal (`TEMPORAL_ADDRESS`); with
 * `LINE_RCA_API_TOKEN` set every `/api/` path needs it as a bearer token. SIGINT / SIGTERM stop
 * it after the requests under way.
 */
import { InvalidInputError } from '../analysis/errors';
import { mongoUriFromEnv } from '../connectors/mongo';
import { temporalSettings } from '../connectors/temporal';
import { buildServer, zoomSourceFrom } from '../server/app';
import { MongoCatalog } from '../server/catalog';
import { TemporalRuns } from '../server/runs';
import { ZoomEngines } from '../server/zoom';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export const serveSpec = {
  name: 'serve',
  usage: ['serve [--port 8080] [--host 127.0.0.1]'],
  description:
    'The HTTP API for the platform (OpenAPI at /openapi.json): analyses from MongoDB (MONGODB_URI),\n' +
    'their data from LINE_RCA_ARTIFACTS, new runs on Temporal (TEMPORAL_ADDRESS); every /api/ path\n' +
    'needs LINE_RCA_API_TOKEN as a bearer token when it is set. SIGTERM or Ctrl-C stop it.',
  options: {
    port: { type: 'string', value: 'N', description: 'port to listen on (0: any free one)', default: '8080' },
    host: {
      type: 'string',
      value: 'HOST',
      description: 'address to listen on (0.0.0.0 in a container)',
      default: '127.0.0.1',
    },
  },
} as const satisfies CommandSpec;

function port(text: string | undefined): number {
  const n = Number(text ?? 8080);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidInputError({
      where: '--port',
      message: `must be a port number 0-65535, got ${JSON.stringify(text)}`,
    });
  }
  return n;
}

function megabytes(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidInputError({
      where: 'LINE_RCA_ZOOM_MEMORY_MB',
      message: `must be a positive number, got ${JSON.stringify(text)}`,
    });
  }
  return n * 1024 * 1024;
}

export async function serveCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(serveSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  const listenPort = port(values.port);
  const host = values.host ?? '127.0.0.1';
  const memoryBytes = megabytes(process.env.LINE_RCA_ZOOM_MEMORY_MB);
  const mongoUri = mongoUriFromEnv();
  if (!mongoUri) {
    throw new InvalidInputError({
      where: 'MONGODB_URI',
      message: 'is not set: serve lists the analyses stored there (e.g. mongodb://127.0.0.1:27017/line_rca)',
    });
  }
  const catalog = await MongoCatalog.connect(mongoUri);
  const zoom = new ZoomEngines(zoomSourceFrom(catalog), memoryBytes ? { memoryBytes } : {});
  const runs = new TemporalRuns(temporalSettings(), mongoUri);
  const token = process.env.LINE_RCA_API_TOKEN?.trim() || undefined;
  const app = await buildServer({ catalog, zoom, runs, token });
  app.log.level = 'error';
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr('line-rca serve: stopping\n');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  try {
    const address = await app.listen({ port: listenPort, host });
    io.stderr(
      `line-rca serve: listening on ${address} (OpenAPI at ${address}/openapi.json${token ? '; bearer token required on /api/' : ''})\n`,
    );
    await stopped;
  } finally {
    await app.close();
    await Promise.all([zoom.close(), runs.close(), catalog.close()]);
  }
  io.stderr('line-rca serve: stopped\n');
  return 0;
}
