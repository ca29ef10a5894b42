/**
 * Private instances of the services for fault tests: a test that stops, restarts or proxies a
 * service starts its own on a free port, from the binaries `infra/services` installs
 * (`LINE_RCA_TOOLS_DIR`, else `LINE_RCA_DATA_DIR/tools`, else `<repo>/.data/tools`), so the
 * shared services other tests (and other people) use are never touched.
 *
 * Each service runs in a process group of its own (MLflow forks workers), stopped as a group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';

const repo = path.resolve(__dirname, '..', '..', '..');

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LINE_RCA_TOOLS_DIR || path.join(env.LINE_RCA_DATA_DIR || path.join(repo, '.data'), 'tools');
}

export const TOOLS = {
  ferretdb: () => path.join(toolsDir(), 'ferretdb-v1.24.2', 'ferretdb'),
  temporal: () => path.join(toolsDir(), 'temporal-venv', 'bin', 'temporal'),
  mlflow: () => path.join(toolsDir(), 'mlflow-venv', 'bin', 'mlflow'),
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const running = new Set<ServiceProcess>();
// A test run that ends abruptly must not leave private servers behind.
process.once('exit', () => {
  for (const service of running) service.killNow();
});

/** A service process in its own process group, its output appended to `log`. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly log: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!existsSync(this.command)) {
      throw new Error(
        `${this.name}: ${this.command} is missing; run infra/services up once (or set LINE_RCA_TOOLS_DIR)`,
      );
    }
    mkdirSync(path.dirname(this.log), { recursive: true });
    const fd = openSync(this.log, 'a');
    const child = spawn(this.command, [...this.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: this.env,
    });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    running.add(this);
  }

  /** Stops the whole group: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.signal('SIGTERM');
    const killed = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!killed) {
      this.signal('SIGKILL');
      await this.exited;
    }
    // Children outside our view (MLflow's workers) go with the group.
    this.signal('SIGKILL');
    running.delete(this);
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}

export interface PrivateFerret {
  readonly port: number;
  uri(database: string, credentials?: { user: string; password: string }): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** FerretDB on SQLite in `dir`; with `auth`, only that user may connect (FerretDB's new authentication). */
export async function privateFerret(
  dir: string,
  auth?: { user: string; password: string; database: string },
): Promise<PrivateFerret> {
  const port = await freePort();
  mkdirSync(path.join(dir, 'sqlite'), { recursive: true });
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${path.join(dir, 'sqlite')}/`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    `--state-dir=${dir}`,
    '--telemetry=disable',
    '--log-level=warn',
    ...(auth
      ? [
          '--test-enable-new-auth',
          `--setup-username=${auth.user}`,
          `--setup-password=${auth.password}`,
          `--setup-database=${auth.database}`,
        ]
      : []),
  ];
  let process_: ServiceProcess | undefined;
  const uri = (database: string, credentials?: { user: string; password: string }) =>
    `mongodb://${credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : ''}127.0.0.1:${port}/${database}`;
  const ferret: PrivateFerret = {
    port,
    uri,
    async start() {
      process_ = new ServiceProcess('ferretdb', TOOLS.ferretdb(), args, path.join(dir, 'ferretdb.log'));
      process_.start();
      await waitFor(
        `FerretDB on port ${port}`,
        async () => {
          const client = new MongoClient(uri('admin'), { serverSelectionTimeoutMS: 1000 });
          try {
            return (await client.db('admin').command({ ping: 1 })).ok === 1;
          } finally {
            await client.close();
          }
        },
        60_000,
      );
    },
    async stop() {
      await process_?.stop();
    },
  };
  await ferret.start();
  return ferret;
}

export interface PrivateTemporal {
  readonly address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A Temporal dev server (no UI) keeping its state in `dir/temporal.sqlite`, so it survives a restart. */
export async function privateTemporal(dir: string): Promise<PrivateTemporal> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const address = `127.0.0.1:${port}`;
  let process_: ServiceProcess | undefined;
  const temporal: PrivateTemporal = {
    address,
    async start() {
      process_ = new ServiceProcess(
        'temporal',
        TOOLS.temporal(),
        [
          'server',
          'start-dev',
          '--headless',
          '--db-filename',
          path.join(dir, 'temporal.sqlite'),
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--log-level',
          'warn',
        ],
        path.join(dir, 'temporal.log'),
      );
      process_.start();
      await waitFor(
        `Temporal at ${address}`,
        async () => {
          const connection = await Connection.connect({ address, connectTimeout: '2s' });
          try {
            await connection.workflowService.describeNamespace({ namespace: 'default' });
            return true;
          } finally {
            await connection.close();
          }
        },
        120_000,
      );
    },
    async stop() {
      await process_?.stop();
    },
  };
  await temporal.start();
  return temporal;
}

export interface PrivateMlflow {
  readonly uri: string;
  stop(): Promise<void>;
}

/** An MLflow tracking server on SQLite in `dir`, serving artifacts, one worker. */
export async function privateMlflow(dir: string): Promise<PrivateMlflow> {
  const port = await freePort();
  mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  const uri = `http://127.0.0.1:${port}`;
  const service = new ServiceProcess(
    'mlflow',
    TOOLS.mlflow(),
    [
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--backend-store-uri',
      `sqlite:///${path.join(dir, 'mlflow.db')}`,
      '--artifacts-destination',
      path.join(dir, 'artifacts'),
      '--serve-artifacts',
      '--workers',
      '1',
    ],
    path.join(dir, 'mlflow.log'),
    { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
  );
  service.start();
  await waitFor(
    `MLflow at ${uri}`,
    async () =>
      (await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text())) === 'OK',
    180_000,
  );
  return { uri, stop: () => service.stop() };
}
