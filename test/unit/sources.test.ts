/**
 * Sources: the same data from wide CSV, wide Parquet and long CSV gives identical observation
 * tables; bad input is refused with the file, column and row; duplicates, unsorted rows and
 * mixed time zones are repaired and reported.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTarget } from '../../analysis/aggregate/target';
import { parsePeriod } from '../../analysis/aggregate/time';
import { generateBakeryLine } from '../../analysis/demo/bakery';
import { isInvalidInput } from '../../analysis/errors';
import type { ObservationTable } from '../../analysis/frame';
import {
  datasetPath,
  newDatasetUri,
  readFeatureDataset,
  readObservationDataset,
  writeObservationDataset,
} from '../../connectors/datasets';
import { aggregateDataset, extractSource, type LoadOptions, type SourceSpec } from '../../connectors/sources';

const fixtures = path.join(__dirname, '..', 'fixtures', 'aggregate');
const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-sources-'));

async function observations(spec: SourceSpec, options: LoadOptions = {}) {
  const uri = newDatasetUri('raw', tmp);
  const report = await extractSource(spec, options, uri);
  return { report, table: await readObservationDataset(uri), uri };
}

function csv(name: string, text: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

async function problem(spec: SourceSpec, options: LoadOptions = {}): Promise<string> {
  try {
    await observations(spec, options);
  } catch (error) {
    expect(isInvalidInput(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidInputError');
}

function byName(table: ObservationTable) {
  return Object.fromEntries(table.variables.map((v) => [v.name, v.data]));
}

describe('one dataset, three files', () => {
  test('wide CSV, wide Parquet and long CSV give identical observation tables', async () => {
    const a = await observations({ kind: 'file', path: path.join(fixtures, 'line.csv') });
    const b = await observations({ kind: 'file', path: path.join(fixtures, 'line.parquet') });
    const c = await observations({ kind: 'file', path: path.join(fixtures, 'line_long.csv') });
    expect(a.report.layout).toBe('wide');
    expect(c.report.layout).toBe('long');
    expect(a.table.rows).toBe(1405);
    for (const other of [b.table, c.table]) {
      expect(other.rows).toBe(a.table.rows);
      expect(Array.from(other.time!)).toEqual(Array.from(a.table.time!));
      expect(byName(other)).toEqual(byName(a.table));
    }
    expect(byName(a.table).lot.kind).toBe('text');
    expect(byName(a.table).temp.kind).toBe('numeric');
  });

  test('period filter (from inclusive, to exclusive) and include / exclude lists', async () => {
    const { table, report } = await observations(
      { kind: 'file', path: path.join(fixtures, 'line.parquet') },
      {
        period: parsePeriod('2026-10-01T02:00:00+02:00', '2026-10-01T01:00:00Z', { from: 'from', to: 'to' }),
        include: ['temp', 'lot'],
        exclude: ['lot'],
      },
    );
    expect(table.variables.map((v) => v.name)).toEqual(['temp']);
    expect(table.time![0]).toBeGreaterThanOrEqual(Date.parse('2026-10-01T00:00:00Z'));
    expect(table.time![table.rows - 1]).toBeLessThan(Date.parse('2026-10-01T01:00:00Z'));
    expect(table.rows).toBe(60);
    expect(report.from.startsWith('2026-10-01T00:00')).toBe(true);
  });
});

test('reading a dataset back: period (offsets allowed) and columns', async () => {
  const { uri } = await observations({ kind: 'file', path: path.join(fixtures, 'line.csv') });
  const table = await readObservationDataset(uri, {
    from: '2026-10-01T01:00:00+01:00',
    to: '2026-10-01T01:00:00Z',
    columns: ['temp'],
  });
  expect(table.rows).toBe(60);
  expect(new Date(table.time![0]).toISOString()).toBe('2026-10-01T00:00:03.000Z');
  expect(table.variables.map((v) => v.name)).toEqual(['temp']);
});

describe('bad input names file, column and row', () => {
  test('missing time column', async () => {
    const file = csv('notime.csv', 'when_x,temp\n1,2\n');
    expect(await problem({ kind: 'file', path: file })).toMatch(
      /notime\.csv.*no time column.*"when_x", "temp".*timeColumn/,
    );
    expect(await problem({ kind: 'file', path: file, timeColumn: 'tme' })).toMatch(
      /column "tme".*does not exist/,
    );
  });

  test('unparsable timestamps: the rows are named', async () => {
    const file = csv(
      'badtime.csv',
      'time,temp\n2026-10-01T00:00:00Z,1\nyesterday,2\n2026-10-01T00:02:00Z,3\n,4\n',
    );
    const message = await problem({ kind: 'file', path: file });
    expect(message).toMatch(/badtime\.csv: column "time", row 3 \("yesterday"\), row 5 \(empty\)/);
    expect(message).toMatch(/2 row\(s\)/);
  });

  test('duplicated timestamps are merged (mean) and counted; unsorted rows sorted; time zones normalized', async () => {
    const file = csv(
      'messy.csv',
      [
        'time,temp,state',
        '2026-10-01T02:02:00+02:00,3,on',
        '2026-10-01T00:00:00Z,1,on',
        '2026-10-01 00:01:00,2,off',
        '2026-10-01T00:01:00Z,4,off',
        '2026-10-01T00:03:00Z,junk,on',
      ].join('\n'),
    );
    const { table, report } = await observations({ kind: 'file', path: file });
    expect(report.duplicateRows).toBe(1);
    expect(report.unsortedRows).toBe(1);
    expect(report.timeZones).toEqual(['+02:00', 'Z', 'none']);
    expect(Array.from(table.time!)).toEqual(
      [0, 1, 2, 3].map((m) => Date.parse('2026-10-01T00:00:00Z') + m * 60_000),
    );
    const temp = table.variables.find((v) => v.name === 'temp')!;
    expect(temp.data.kind).toBe('numeric');
    expect(Array.from(temp.data.values as Float64Array)).toEqual([1, 3, 3, Number.NaN]);
    expect(temp.invalidCount).toBe(1);
    expect(table.variables.find((v) => v.name === 'state')!.data.values).toEqual(['on', 'off', 'on', 'on']);
  });

  test('long source: duplicated measurements are merged and counted', async () => {
    const lines = readFileSync(path.join(fixtures, 'line_long.csv'), 'utf8').trimEnd().split('\n');
    const file = csv('dup_long.csv', [...lines, ...lines.slice(200, 212)].join('\n'));
    const once = await observations({ kind: 'file', path: path.join(fixtures, 'line_long.csv') });
    const twice = await observations({ kind: 'file', path: file });
    expect(once.report.duplicateRows).toBe(0);
    expect(twice.report.duplicateRows).toBe(12);
    expect(byName(twice.table)).toEqual(byName(once.table));
  });

  test('wide and long sources merge duplicated timestamps by the same rule (mean of present numbers, smallest text)', async () => {
    const at = (m: number) => `2026-10-01T00:0${m}:00Z`;
    const measurements: [number, string, string][] = [
      [0, '1', 'on'],
      [1, '2', 'on'],
      [1, '', 'off'],
      [1, '6', 'on'],
      [2, '5', 'zz'],
    ];
    const wide = csv(
      'dup-wide.csv',
      ['time,temp,state', ...measurements.map(([m, t, st]) => `${at(m)},${t},${st}`)].join('\n'),
    );
    const long = csv(
      'dup-long.csv',
      [
        'time,variable,value',
        ...measurements.flatMap(([m, t, st]) => [
          ...(t === '' ? [] : [`${at(m)},temp,${t}`]),
          `${at(m)},state,${st}`,
        ]),
      ].join('\n'),
    );
    const fromWide = await observations({ kind: 'file', path: wide });
    const fromLong = await observations({ kind: 'file', path: long });
    expect(fromWide.report.layout).toBe('wide');
    expect(fromLong.report.layout).toBe('long');
    for (const { table } of [fromWide, fromLong]) {
      expect(Array.from(table.time!)).toEqual([0, 1, 2].map((m) => Date.parse(at(m))));
      expect(Array.from(table.variables.find((v) => v.name === 'temp')!.data.values as Float64Array)).toEqual(
        [1, 4, 5],
      );
      expect(table.variables.find((v) => v.name === 'state')!.data.values).toEqual(['on', 'off', 'zz']);
    }
  });

  test('empty period says what the data spans', async () => {
    const message = await problem(
      { kind: 'file', path: path.join(fixtures, 'line.csv') },
      { period: { fromMs: Date.parse('2027-01-01T00:00:00Z') } },
    );
    expect(message).toMatch(
      /line\.csv: period: no rows between 2027-01-01T00:00:00\.000Z and the end; the data spans 2026-10-01T00:00:03\.000Z/,
    );
  });

  test('a variable that does not exist, with a suggestion', async () => {
    const message = await problem(
      { kind: 'file', path: path.join(fixtures, 'line_long.csv') },
      { include: ['tmp'] },
    );
    expect(message).toMatch(
      /variables\.include.*line_long\.csv.*variable "tmp" does not exist; did you mean "temp"/,
    );
    const missingFile = await problem({ kind: 'file', path: path.join(tmp, 'nope.csv') });
    expect(missingFile).toMatch(/nope\.csv: file does not exist/);
  });
});

describe('datasets by URI', () => {
  test('demo rows round-trip through Parquet; aggregation reads back as features + labels + times', async () => {
    const demo = generateBakeryLine({ seed: 3, days: 1 });
    const uri = newDatasetUri('demo', tmp);
    expect(uri.startsWith('file:///')).toBe(true);
    await writeObservationDataset(demo, uri);
    const back = await readObservationDataset(uri);
    expect(back.rows).toBe(demo.rows);
    expect(Array.from(back.time!)).toEqual(Array.from(demo.time!));
    expect(byName(back)).toEqual(byName(demo));

    const rawUri = newDatasetUri('raw', tmp);
    await extractSource({ kind: 'file', path: datasetPath(uri) }, { keep: ['burnt_rate'] }, rawUri);
    const featuresUri = newDatasetUri('features', tmp);
    const report = await aggregateDataset(
      rawUri,
      {
        target: parseTarget('burnt_rate > 0.05'),
        aggregation: { kind: 'windows', windowMs: 3_600_000, lagWindows: 0, functions: ['mean', 'max'] },
        exclude: ['crack_rate'],
      },
      featuresUri,
    );
    const features = await readFeatureDataset(featuresUri);
    expect(features.matrix.rows).toBe(report.rows);
    expect(features.labels.length).toBe(report.rows);
    expect(features.times[1] - features.times[0]).toBe(3_600_000);
    expect(features.matrix.names).toContain('oven_zone2_temp__max');
    expect(features.matrix.names).toContain(
      'flour_lot__mode=L1'.replace(
        'L1',
        demo.variables.find((v) => v.name === 'flour_lot')!.data.values[0] as string,
      ),
    );
    expect(features.matrix.names.some((n) => n.startsWith('burnt_rate') || n.startsWith('crack_rate'))).toBe(
      false,
    );
    // Label = any minute of the hour positive, recomputed from the raw rows.
    const burnt = demo.variables.find((v) => v.name === 'burnt_rate')!.data.values as Float64Array;
    for (let w = 0; w < report.rows; w++) {
      let any = 0;
      for (let i = w * 60; i < (w + 1) * 60; i++) if (burnt[i] > 0.05) any = 1;
      expect(features.labels[w]).toBe(any);
    }
    const max = features.matrix.columns[features.matrix.names.indexOf('oven_zone2_temp__max')];
    const zone2 = demo.variables.find((v) => v.name === 'oven_zone2_temp')!.data.values as Float64Array;
    expect(max[5]).toBe(Math.max(...zone2.subarray(300, 360)));
  });
});
