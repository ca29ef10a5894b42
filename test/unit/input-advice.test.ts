// Input refused before any work, with advice that works (issue 19, items 7 and 8): file sources
// confined to LINE_RCA_DATA_ROOTS, and the three messages that pointed to a fix that could not work.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extract } from '../../activities/data';
import { prepare } from '../../activities/prepare';
import { parseConfig } from '../../analysis/config';
import { InvalidInputError, isInvalidInput } from '../../analysis/errors';
import { confineToDataRoots } from '../../connectors/data-roots';

const tmp = mkdtempSync(path.join(tmpdir(), 'line-rca-advice-'));
const inside = path.join(tmp, 'data');
const outside = path.join(tmp, 'elsewhere');
const ENV = ['LINE_RCA_DATA_ROOTS', 'MONGODB_URI', 'LINE_RCA_ARTIFACTS'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

const rows = ['time,SECRET_COLUMN,defect', '2026-01-01T00:00:00Z,1,0', '2026-01-01T00:01:00Z,2,1'].join('\n');

beforeAll(() => {
  mkdirSync(inside, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(inside, 'line.csv'), rows);
  writeFileSync(path.join(outside, 'private.csv'), rows);
  symlinkSync(path.join(outside, 'private.csv'), path.join(inside, 'link.csv'));
  delete process.env.MONGODB_URI;
  process.env.LINE_RCA_ARTIFACTS = path.join(tmp, 'artifacts');
});
afterAll(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(tmp, { recursive: true, force: true });
});

function config(source: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'advice',
    line: 'advice',
    source: { kind: 'file', path: source, timeColumn: 'time' },
    target: 'defect > 0',
    variables: { include: ['SECRET_COLUMNN'] },
    aggregation: 'none',
    ...extra,
  };
}

async function problems(work: () => Promise<unknown>): Promise<string[]> {
  try {
    await work();
  } catch (error) {
    if (isInvalidInput(error)) return error.problems.map((p) => `${p.where}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('LINE_RCA_DATA_ROOTS', () => {
  it('refuses a source outside the roots before reading it, and the message quotes nothing of it', async () => {
    process.env.LINE_RCA_DATA_ROOTS = inside;
    for (const source of [
      path.join(outside, 'private.csv'),
      '../elsewhere/private.csv',
      'link.csv', // a link inside that points outside
      '/etc/passwd.csv',
    ]) {
      const found = await problems(() => prepare({ config: config(source), baseDir: inside }));
      expect(found).toEqual([
        `source.path: ${JSON.stringify(source)} is outside the folders this worker may read (LINE_RCA_DATA_ROOTS); put the file in one of them, or use a MongoDB source`,
      ]);
      expect(found.join('')).not.toContain('SECRET');
    }
  });

  it('reads sources inside a root (several roots, a relative path), and any path when unset', async () => {
    process.env.LINE_RCA_DATA_ROOTS = [path.join(tmp, 'nowhere'), inside].join(path.delimiter);
    const prepared = await prepare({ config: config('line.csv', { variables: {} }), baseDir: inside });
    const extracted = await extract({ ...prepared, baseDir: prepared.baseDir });
    expect(extracted.rows).toBe(2);
    delete process.env.LINE_RCA_DATA_ROOTS;
    await expect(
      prepare({ config: config(path.join(outside, 'private.csv')), baseDir: inside }),
    ).resolves.toMatchObject({ baseDir: inside });
  });

  it('treats a missing file under a root as inside (the reader says it is missing)', () => {
    expect(() =>
      confineToDataRoots(path.join(inside, 'new', 'x.csv'), 'x.csv', { LINE_RCA_DATA_ROOTS: inside }),
    ).not.toThrow();
    expect(() =>
      confineToDataRoots(path.join(inside, '..', 'x.csv'), 'x.csv', { LINE_RCA_DATA_ROOTS: inside }),
    ).toThrow(InvalidInputError);
  });
});

describe('messages that point to a fix that works', () => {
  it('an unknown extension: the advice (rename to .csv) reads the file', async () => {
    const file = path.join(inside, 'line.dat');
    writeFileSync(file, rows);
    const prepared = await prepare({ config: config('line.dat', { variables: {} }), baseDir: inside });
    const found = await problems(() => extract(prepared));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/name the file \.csv .* or \.parquet/);
    expect(found[0]).not.toMatch(/or set source\.format/);
    renameSync(file, path.join(inside, 'line-renamed.csv'));
    const fixed = await prepare({ config: config('line-renamed.csv', { variables: {} }), baseDir: inside });
    expect((await extract(fixed)).rows).toBe(2);
  });

  it('aggregation.window: 10 is reported at aggregation.window, and "10m" is accepted', () => {
    const base = config('line.csv');
    let found: string[] = [];
    try {
      parseConfig({ ...base, aggregation: { window: 10 } });
    } catch (error) {
      found = (error as InvalidInputError).problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(found).toEqual(['aggregation.window: must be a duration such as "10m", "30s", "2h" or "1d"']);
    expect(parseConfig({ ...base, aggregation: { window: '10m' } }).aggregation).toMatchObject({
      window: '10m',
    });
    // A value of the wrong kind altogether still gets the union's own message.
    expect(() => parseConfig({ ...base, aggregation: 5 })).toThrow(
      /^aggregation: must be "none" or an object/,
    );
  });

  it('configId: 123 is reported at configId', async () => {
    const found = await problems(() => prepare({ configId: 123 as unknown as string }));
    expect(found).toEqual([
      'configId: must be the text id printed by line-rca config put (line-rca config list shows them), got 123',
    ]);
  });
});
