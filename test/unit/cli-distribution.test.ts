import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  CategoricalDistribution,
  DistributionEntry,
  NumericDistribution,
} from '../../analysis/distribution';
import type { DistributionDocument } from '../../cli/distribution';
import { main } from '../../cli/main';

const AI4I = path.resolve(__dirname, '../../datasets/ai4i2020.csv');
/** The process variables, the product type and the two identifiers: the failure flags are outcomes. */
const VARIABLES = [
  'UDI',
  'Product ID',
  'Type',
  'Air temperature [K]',
  'Process temperature [K]',
  'Rotational speed [rpm]',
  'Torque [Nm]',
  'Tool wear [min]',
].join(',');

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

async function analyse(target: string): Promise<DistributionEntry[]> {
  const { status, stdout, stderr } = await run([
    'distribution',
    '--data',
    AI4I,
    '--target',
    target,
    '--variables',
    VARIABLES,
    '--json',
  ]);
  expect(stderr).not.toMatch(/error/);
  expect(status).toBe(0);
  const doc = JSON.parse(stdout) as DistributionDocument;
  expect(doc.data.rows).toBe(10000);
  return doc.distribution;
}

const ranked = (entries: DistributionEntry[]) =>
  entries.filter((e) => e.kind !== 'identifier').map((e) => e.variable);
const numeric = (entries: DistributionEntry[], name: string) =>
  entries.find((e) => e.variable === name) as NumericDistribution;

describe('line-rca distribution on AI4I 2020 (known mechanisms)', () => {
  test('HDF: rotational speed in the top 3, below a threshold between 1350 and 1400', async () => {
    const entries = await analyse('HDF == 1');
    expect(ranked(entries).slice(0, 3)).toContain('Rotational speed [rpm]');
    const speed = numeric(entries, 'Rotational speed [rpm]');
    expect(speed.threshold).toBeGreaterThanOrEqual(1350);
    expect(speed.threshold).toBeLessThanOrEqual(1400);
    expect(speed.direction).toBe('below');
    expect(speed.positiveRateBelow).toBeGreaterThan(speed.positiveRateAbove as number);
    // significant with the time-aware test too (rows in file order, shifted against it)
    expect(speed.qValue).toBeLessThan(0.05);
    expect(speed.pValueIid).toBe(speed.ksPValue);
  });

  test('OSF: tool wear and torque in the top 3', async () => {
    const entries = await analyse('OSF == 1');
    const top = ranked(entries).slice(0, 3);
    expect(top).toContain('Tool wear [min]');
    expect(top).toContain('Torque [Nm]');
    expect(numeric(entries, 'Tool wear [min]').qValue).toBeLessThan(0.05);
    expect(numeric(entries, 'Torque [Nm]').qValue).toBeLessThan(0.05);
  });

  test('TWF: tool wear first, above a threshold ≥ 180', async () => {
    const entries = await analyse('TWF == 1');
    expect(ranked(entries)[0]).toBe('Tool wear [min]');
    const wear = numeric(entries, 'Tool wear [min]');
    expect(wear.threshold).toBeGreaterThanOrEqual(180);
    expect(wear.direction).toBe('above');
    expect(wear.qValue).toBeLessThan(0.05);
  });

  test('RNF (random): no variable significant after Benjamini–Hochberg', async () => {
    const entries = await analyse('RNF == 1');
    for (const e of entries) if (e.qValue !== null) expect(e.qValue).toBeGreaterThanOrEqual(0.05);
    for (const e of entries) if (e.kind !== 'identifier') expect(e.pValue).toBeGreaterThan(0);
  });

  test('an outcome of the target is flagged suspectedLeak: Machine failure when the target is TWF', async () => {
    const { status, stdout } = await run(['distribution', '--data', AI4I, '--target', 'TWF == 1', '--json']);
    expect(status).toBe(0);
    const entries = (JSON.parse(stdout) as DistributionDocument).distribution;
    const flagged = entries.filter((e) => e.kind !== 'identifier' && e.suspectedLeak).map((e) => e.variable);
    // Every TWF row is a machine failure, and 3 % of the others are: an outcome, not a cause.
    expect(flagged).toEqual(['Machine failure']);
    // and the person reading the table is told so
    const table = (await run(['distribution', '--data', AI4I, '--target', 'TWF == 1'])).stdout;
    expect(table).toContain(
      'Machine failure nearly determines the target: it looks like an outcome of the target, not a cause',
    );
    // The causes are not: tool wear separates TWF well, but a fifth of the other rows are as worn.
    for (const target of ['HDF == 1', 'OSF == 1', 'PWF == 1']) {
      const doc = JSON.parse(
        (await run(['distribution', '--data', AI4I, '--target', target, '--variables', VARIABLES, '--json']))
          .stdout,
      ) as DistributionDocument;
      expect([target, doc.distribution.filter((e) => e.kind !== 'identifier' && e.suspectedLeak)]).toEqual([
        target,
        [],
      ]);
    }
  });

  test('UDI and Product ID are identifiers, listed last and not ranked', async () => {
    const entries = await analyse('HDF == 1');
    expect(entries.slice(-2).map((e) => [e.variable, e.kind])).toEqual([
      ['UDI', 'identifier'],
      ['Product ID', 'identifier'],
    ]);
    const type = entries.find((e) => e.variable === 'Type') as CategoricalDistribution;
    expect(type.kind).toBe('categorical');
  });

  test('every variable but the target, highest score first, with histograms', async () => {
    const { stdout, status } = await run(['distribution', '--data', AI4I, '--target', 'HDF == 1', '--json']);
    expect(status).toBe(0);
    const doc = JSON.parse(stdout) as DistributionDocument;
    expect(doc.distribution.map((e) => e.variable)).not.toContain('HDF');
    expect(doc.distribution).toHaveLength(13);
    const scores = doc.distribution.filter((e) => e.kind !== 'identifier').map((e) => e.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const torque = numeric(doc.distribution, 'Torque [Nm]');
    expect(torque.histogram.edges.length).toBe(torque.histogram.positive.length + 1);
    const total = torque.histogram.negative.reduce((s, v) => s + v, 0) + torque.missingRateNegative;
    expect(total).toBeCloseTo(1, 12);
  });

  test('bad input exits 2 and says what: target on no row, unknown columns, unreadable file', async () => {
    const none = await run(['distribution', '--data', AI4I, '--target', 'TWF == 7']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/true on 0 rows and false on 10000/);
    const all = await run(['distribution', '--data', AI4I, '--target', 'UDI > 0']);
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/true on 10000 rows and false on 0/);
    const typo = await run(['distribution', '--data', AI4I, '--target', 'Torqe > 50']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/"Torqe" does not exist; did you mean "Torque \[Nm\]"/);
    const variable = await run([
      'distribution',
      '--data',
      AI4I,
      '--target',
      'TWF == 1',
      '--variables',
      'Tool wear',
    ]);
    expect(variable.status).toBe(2);
    expect(variable.stderr).toMatch(/"Tool wear" does not exist; did you mean "Tool wear \[min\]"/);
  });
});

describe('line-rca distribution on small files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'line-rca-dist-'));

  test('junk text and infinities in a numeric column are missing and counted', async () => {
    const lines = ['time,temp,state,bad'];
    for (let i = 0; i < 40; i++) {
      const temp =
        i === 3
          ? 'n/a'
          : i === 5
            ? 'inf'
            : i === 7
              ? '-Infinity'
              : String(100 + (i % 10) + (i >= 30 ? 20 : 0));
      lines.push(
        `2026-10-01T00:${String(i).padStart(2, '0')}:00Z,${temp},${i % 2 ? 'on' : 'off'},${i >= 30 ? 1 : 0}`,
      );
    }
    const file = path.join(dir, 'junk.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { status, stdout } = await run([
      'distribution',
      '--data',
      file,
      '--target',
      'bad == 1',
      '--time-column',
      'time',
      '--json',
    ]);
    expect(status).toBe(0);
    const doc = JSON.parse(stdout) as DistributionDocument;
    const temp = numeric(doc.distribution, 'temp');
    expect(temp.kind).toBe('numeric');
    expect(temp.invalidCount).toBe(3);
    expect(temp.missingRateNegative).toBeCloseTo(3 / 30, 12);
    expect(temp.threshold).toBe(114.5);
    expect(temp.direction).toBe('above');
  });

  test('--from/--to keep a period; a readable table without --json', async () => {
    const lines = ['time,x,bad'];
    for (let i = 0; i < 48; i++)
      lines.push(
        `2026-10-0${1 + Math.floor(i / 24)}T${String(i % 24).padStart(2, '0')}:00:00Z,${i % 7},${i % 5 === 0 ? 1 : 0}`,
      );
    const file = path.join(dir, 'period.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['distribution', '--data', file, '--target', 'bad == 1', '--time-column', 'time'];
    const period = await run([
      ...args,
      '--from',
      '2026-10-01T06:00:00Z',
      '--to',
      '2026-10-01T12:00:00Z',
      '--json',
    ]);
    expect(period.status).toBe(0);
    expect((JSON.parse(period.stdout) as DistributionDocument).data.rows).toBe(6);
    const text = await run(args);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^48 rows, 10 where bad == 1; 1 variables\nq-values from circular shifts/);
    expect(text.stdout).toMatch(/1 +x +/);
  });

  test('an unreadable file and missing options exit 2', async () => {
    const file = path.join(dir, 'broken.parquet');
    writeFileSync(file, 'not parquet');
    const broken = await run(['distribution', '--data', file, '--target', 'x > 1']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.parquet: not a Parquet file/);
    const missing = await run(['distribution', '--target', 'x > 1']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--data: required/);
    expect((await run(['distribution', '--nope'])).status).toBe(2);
    expect((await run(['frobnicate'])).status).toBe(2);
  });
});
