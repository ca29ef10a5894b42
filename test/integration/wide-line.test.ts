/**
 * A line with thousands of tags: 5,000 variables × 300 rows at one minute analyses with the
 * default settings (DuckDB's memory limit sized from the machine, features stored long), and a
 * DuckDB memory limit too small for the data stops with exit 2 and says what to set.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = path.join(__dirname, '..', '..', 'bin', 'line-rca.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'line-rca-wide-'));
const VARIABLES = 5000;
const ROWS = 300;

function lineRca(args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        LINE_RCA_ARTIFACTS: path.join(dir, 'artifacts'),
        LINE_RCA_DUCKDB_MEMORY: '',
        MONGODB_URI: '',
        MLFLOW_TRACKING_URI: '',
        LINE_RCA_TRACKING_DIR: path.join(dir, 'tracking'),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(() => {
  // v0000 drives the target; the others are noise (a deterministic hash).
  const lines = [
    `time,${Array.from({ length: VARIABLES }, (_, j) => `v${String(j).padStart(4, '0')}`).join(',')},defect`,
  ];
  for (let i = 0; i < ROWS; i++) {
    const values = Array.from({ length: VARIABLES }, (_, j) =>
      j === 0 ? 200 + 10 * Math.sin(i / 9) : ((i * 7919 + j * 104729) % 10007) / 10007,
    );
    const time = new Date(Date.parse('2026-10-01T00:00:00Z') + i * 60_000).toISOString();
    lines.push(`${time},${values.map((v) => v.toFixed(4)).join(',')},${values[0] > 208 ? 1 : 0}`);
  }
  writeFileSync(path.join(dir, 'wide.csv'), `${lines.join('\n')}\n`);
  const config = {
    name: 'wide line',
    line: 'wide',
    source: { kind: 'file', path: 'wide.csv' },
    target: 'defect == 1',
    models: ['logistic'],
    search: { trials: 2, parallelism: 1 },
  };
  writeFileSync(path.join(dir, 'wide.json'), JSON.stringify(config));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('5,000 variables × 300 rows analyse with the defaults', async () => {
  const { status, stdout, stderr } = await lineRca([
    'analyze',
    '--config',
    path.join(dir, 'wide.json'),
    '--json',
  ]);
  expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
  const results = JSON.parse(stdout) as {
    data: Record<string, number>;
    distribution: { variable: string }[];
  };
  expect(results.data).toMatchObject({ rows: 30, variables: VARIABLES, features: VARIABLES * 5 });
  expect(results.distribution).toHaveLength(VARIABLES);
  expect(results.distribution[0].variable).toBe('v0000');
}, 600_000);

test('a memory limit too small says to raise LINE_RCA_DUCKDB_MEMORY', async () => {
  const { status, stdout, stderr } = await lineRca(
    ['distribution', '--data', path.join(dir, 'wide.csv'), '--target', 'defect == 1', '--json'],
    { LINE_RCA_DUCKDB_MEMORY: '2MB' },
  );
  expect({ status, stdout }).toEqual({ status: 2, stdout: '' });
  expect(stderr).toMatch(
    /LINE_RCA_DUCKDB_MEMORY: DuckDB needed more memory than its limit \(2MB.*set LINE_RCA_DUCKDB_MEMORY higher/,
  );
  const bad = await lineRca(
    ['distribution', '--data', path.join(dir, 'wide.csv'), '--target', 'defect == 1'],
    {
      LINE_RCA_DUCKDB_MEMORY: 'lots',
    },
  );
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/LINE_RCA_DUCKDB_MEMORY: DuckDB refused its settings.*use a size such as 4GB/);
}, 600_000);
