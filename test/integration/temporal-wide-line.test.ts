// A line with thousands of variables (tags) and a few hundred rows, analysed on Temporal by a
// real worker process: per-variable lists pass between stages as artifacts, so no payload of
// the workflow's history grows with the number of variables (Temporal refuses payloads over
// 2 MB; distribution entries inline reached it at about 600 variables). MongoDB keeps the
// document with its large arrays in the analysis folder, and `run --wait` reads them back.
// WIDE_LINE_VARIABLES sets the number of variables (default 1,500; the 5,000 by hand).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { ResultsDocument } from '../../analysis/results';
import { main } from '../../cli/main';
import { capture } from '../support/capture';
import { serviceAddresses, uniqueName } from './setup/services';
import { startWorker, stopWorker } from './setup/worker-process';

const VARIABLES = Number(process.env.WIDE_LINE_VARIABLES ?? 1500);
const ROWS = 300;
const CAUSE = 'tag_0007';
const { temporal: address, mongodb } = serviceAddresses();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-wide-'));

function databaseUri(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

const env = {
  ...process.env,
  TEMPORAL_ADDRESS: address,
  MONGODB_URI: databaseUri(mongodb, uniqueName('rca_wide').replace(/-/g, '_')),
  LINE_RCA_ARTIFACTS: path.join(tmp, 'artifacts'),
  MLFLOW_TRACKING_URI: '',
  // DuckDB's default 1 GB is too small for thousands of columns until the limit follows the machine.
  LINE_RCA_DUCKDB_MEMORY: process.env.LINE_RCA_DUCKDB_MEMORY ?? '3GB',
};

/** A wide CSV: `time`, `defect`, tag_0000 … with values in 0..10; defect when tag_0007 > 7. */
function writeWideLine(file: string): void {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const names = Array.from({ length: VARIABLES }, (_, j) => `tag_${String(j).padStart(4, '0')}`);
  const lines = [['time', 'defect', ...names].join(',')];
  for (let i = 0; i < ROWS; i++) {
    const values = names.map(() => (rand() * 10).toFixed(2));
    const defect = Number(values[7]) > 7 ? 1 : 0;
    lines.push([new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), defect, ...values].join(','));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** The largest payload anywhere in a workflow's history, in bytes. */
function largestPayload(history: temporal.api.history.v1.IHistory): { bytes: number; event: string } {
  let largest = { bytes: 0, event: '' };
  const visit = (value: unknown, event: string) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, event);
      return;
    }
    const record = value as Record<string, unknown>;
    if (record.data instanceof Uint8Array && record.metadata !== undefined) {
      if (record.data.byteLength > largest.bytes) largest = { bytes: record.data.byteLength, event };
      return;
    }
    for (const v of Object.values(record)) visit(v, event);
  };
  for (const e of history.events ?? []) visit(e, String(e.eventType));
  return largest;
}

let worker: ChildProcess | undefined;
let connection: Connection;

beforeAll(async () => {
  writeWideLine(path.join(tmp, 'wide.csv'));
  connection = await Connection.connect({ address });
}, 120_000);

afterAll(async () => {
  if (worker) await stopWorker(worker, 'SIGKILL');
  await connection?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe(`a line with ${VARIABLES} variables on Temporal`, () => {
  it('analyses with every payload far under the limit and every variable in the results', async () => {
    const taskQueue = uniqueName('rca-wide');
    worker = await startWorker(env, taskQueue, 1);
    const file = path.join(tmp, 'wide.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'wide line',
        line: 'wide-line',
        source: { kind: 'file', path: 'wide.csv', timeColumn: 'time' },
        target: 'defect == 1',
        aggregation: 'none',
        search: { trials: 2, seed: 1, parallelism: 1 },
      }),
    );
    const saved = process.env.MONGODB_URI;
    process.env.MONGODB_URI = env.MONGODB_URI;
    const { io, out, err } = capture();
    let status: number;
    try {
      status = await main(['run', '--config', file, '--wait', '--json', '--task-queue', taskQueue], io);
    } finally {
      process.env.MONGODB_URI = saved;
    }
    expect({ status, err: status === 0 ? '' : err.join('') }).toEqual({ status: 0, err: '' });

    // read back from MongoDB, the large arrays joined from the analysis folder
    const results = JSON.parse(out.join('')) as ResultsDocument;
    expect(results.data.variables).toBe(VARIABLES);
    expect(results.distribution).toHaveLength(VARIABLES);
    expect(results.distribution[0].variable).toBe(CAUSE);
    expect(results.importance[0].variable).toBe(CAUSE);

    const workflowId = /started (\S+)/.exec(err.join(''))?.[1];
    expect(workflowId).toBeDefined();
    const history = await new Client({ connection }).workflow.getHandle(workflowId!).fetchHistory();
    const largest = largestPayload(history);
    process.stderr.write(
      `${VARIABLES} variables: largest payload in the workflow history ${largest.bytes} bytes (${largest.event})\n`,
    );
    expect(largest.bytes).toBeLessThan(64 * 1024);
  }, 900_000);
});
