/**
 * One aggregation, three paths: the embedded pipeline, the same pipeline on Temporal (a real
 * worker process on the shared dev server) and `line-rca distribution --window` give identical
 * windows, labels and distribution entries on the same file, because they read it with the one
 * loader and label it with the one rule (analysis/aggregate).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { windowStart } from '../../analysis/aggregate/time';
import { parseConfig } from '../../analysis/config';
import type { ResultsDocument } from '../../analysis/results';
import { distributionLabels, runDistribution } from '../../cli/distribution';
import { main } from '../../cli/main';
import { readFeatureDataset } from '../../connectors/datasets';
import { writeDemoLine } from '../../connectors/demo-line';
import { runEmbedded } from '../../pipeline/embedded';
import { capture } from '../support/capture';
import { serviceAddresses, uniqueName } from './setup/services';

const { temporal: address } = serviceAddresses();
const bin = path.join(__dirname, '..', '..', 'bin', 'line-rca.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-same-'));
const artifacts = path.join(tmp, 'artifacts');
const data = path.join(tmp, 'line.parquet');
const OUTCOMES = ['crack_rate', 'energy_kw'];
let worker: ChildProcess | undefined;

const document = {
  name: 'same labels',
  line: 'same-line',
  source: { kind: 'file', path: data, timeColumn: 'time' },
  target: 'burnt_rate > 0.05',
  variables: { exclude: OUTCOMES },
  aggregation: { window: '10m', functions: ['mean', 'max'] },
  models: ['logistic'],
  search: { trials: 2, seed: 3, parallelism: 1, timeoutSeconds: 120 },
};

beforeAll(async () => {
  process.env.LINE_RCA_ARTIFACTS = artifacts;
  await writeDemoLine(data, { days: 2, seed: 5 });
}, 120_000);

afterAll(() => {
  worker?.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function startWorker(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'worker', '--task-queue', taskQueue, '--concurrency', '1'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      LINE_RCA_ARTIFACTS: artifacts,
      MONGODB_URI: '',
      MLFLOW_TRACKING_URI: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${text}`)));
  });
}

async function windowsAndLabels(results: ResultsDocument) {
  const features = await readFeatureDataset(String(results.artifacts?.features));
  return { times: Array.from(features.times), labels: Array.from(features.labels) };
}

test('embedded, Temporal and line-rca distribution: the same windows, labels and entries', async () => {
  const embedded = (await runEmbedded({ config: parseConfig(document), baseDir: tmp })).results;

  const taskQueue = uniqueName('rca-same-labels');
  worker = await startWorker(taskQueue);
  const file = path.join(tmp, 'config.json');
  writeFileSync(file, JSON.stringify(document));
  const { io, out, err } = capture();
  const saved = { mongo: process.env.MONGODB_URI, mlflow: process.env.MLFLOW_TRACKING_URI };
  process.env.MONGODB_URI = '';
  process.env.MLFLOW_TRACKING_URI = '';
  let status: number;
  try {
    process.env.TEMPORAL_ADDRESS = address;
    status = await main(['run', '--config', file, '--wait', '--json', '--task-queue', taskQueue], io);
  } finally {
    process.env.MONGODB_URI = saved.mongo;
    process.env.MLFLOW_TRACKING_URI = saved.mlflow;
  }
  expect({ status, err: status === 0 ? '' : err.join('') }).toEqual({ status: 0, err: '' });
  const viaTemporal = JSON.parse(out.join('')) as ResultsDocument;

  const options = {
    data,
    target: document.target,
    timeColumn: 'time',
    window: '10m',
    seed: 3,
  };
  const rows = await distributionLabels(options);
  // The variables the configuration keeps (its `variables.exclude` as --variables).
  const variables = rows.table.variables.map((v) => v.name).filter((n) => !OUTCOMES.includes(n));
  const cli = await runDistribution({ ...options, variables });

  // Windows and their labels: the features datasets of both runners, and the CLI's rows by window.
  const a = await windowsAndLabels(embedded);
  const b = await windowsAndLabels(viaTemporal);
  expect(b).toEqual(a);
  const byWindow = new Map<number, number>();
  for (let i = 0; i < rows.table.rows; i++) {
    if (!rows.mask[i]) continue;
    const start = windowStart(rows.table.time![i], 600_000);
    expect([start, rows.labels[i]]).toEqual([start, byWindow.get(start) ?? rows.labels[i]]);
    byWindow.set(start, rows.labels[i]);
  }
  expect({ times: [...byWindow.keys()], labels: [...byWindow.values()] }).toEqual(a);
  expect(a.labels.some((y) => y === 1) && a.labels.some((y) => y === 0)).toBe(true);
  expect(cli.data.windows).toBe(a.times.length);

  // The entries: identical, the CLI's without the outcome columns the configuration excludes.
  const pick = (entries: readonly { variable: string }[]) =>
    entries.filter((e) => !OUTCOMES.includes(e.variable));
  expect(viaTemporal.distribution).toEqual(embedded.distribution);
  expect(pick(cli.distribution)).toEqual(embedded.distribution);
  expect(embedded.data.rows).toBe(a.times.length);
}, 600_000);
