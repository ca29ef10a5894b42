/**
 * The command line around the analysis (issue 15: items 4, 16, 18, 19, 20): help for every
 * command, the README's command list, `--out` checked before any work, the variable count the
 * progress line gives, readable thresholds, failed runs leaving no working data, and
 * `artifacts prune`. Runs the embedded pipeline on a tiny line, no service needed.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsDocument } from '../../analysis/results';
import { commands, main } from '../../cli/main';
import { capture } from '../support/capture';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-cli-'));
const artifacts = path.join(tmp, 'artifacts');
const saved = { ...process.env };

beforeAll(() => {
  process.env.LINE_RCA_ARTIFACTS = artifacts;
  process.env.MONGODB_URI = '';
  process.env.MLFLOW_TRACKING_URI = '';
  // A tiny line: `speed` causes the defects, `noise` does not, `defect` is the target's column.
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows = ['time,speed,noise,lot,defect'];
  for (let i = 0; i < 240; i++) {
    const speed = Math.fround(4 + rand() * 2);
    const defect = speed > 5.3 ? 1 : 0;
    rows.push(
      `${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()},${speed},${(rand() * 10).toFixed(1)},L${i % 3},${defect}`,
    );
  }
  writeFileSync(path.join(tmp, 'line.csv'), `${rows.join('\n')}\n`);
});

afterAll(() => {
  process.env = saved;
});

function configFile(name: string, target = 'defect == 1'): string {
  const file = path.join(tmp, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      line: 'cli-line',
      source: { kind: 'file', path: 'line.csv', timeColumn: 'time' },
      target,
      aggregation: 'none',
      models: ['logistic'],
      search: { trials: 2, seed: 1, parallelism: 1 },
    }),
  );
  return file;
}

const analysisFolders = () =>
  existsSync(path.join(artifacts, 'analyses')) ? readdirSync(path.join(artifacts, 'analyses')) : [];

describe('line-rca <command> --help', () => {
  it.each(Object.keys(commands))('%s --help describes every option and exits 0', async (name) => {
    const { io, out, err } = capture();
    expect(await main([name, '--help'], io)).toBe(0);
    const text = out.join('');
    expect(err.join('')).toBe('');
    const { spec } = commands[name];
    for (const usage of spec.usage) expect(text).toContain(`line-rca ${usage}`);
    for (const [option, o] of Object.entries(spec.options)) {
      expect(o.description.length).toBeGreaterThan(10);
      expect(text).toMatch(
        new RegExp(`\\n  --${option}\\b.*${o.description.slice(0, 20).replace(/[()[\]|.*+?]/g, '\\$&')}`),
      );
    }
    for (const action of spec.actions ?? []) expect(text).toContain(action.name);
    // the same help as `line-rca help <command>`, and after an action
    const again = capture();
    expect(await main(['help', name], again.io)).toBe(0);
    expect(again.out.join('')).toBe(text);
    if (spec.actions?.length) {
      const after = capture();
      expect(await main([name, spec.actions[0].name, '--help'], after.io)).toBe(0);
      expect(after.out.join('')).toBe(text);
    }
  });

  it('lists every usage line in the README', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /## Command line\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const listed = block.replace(/\s+/g, ' ');
    const missing = Object.values(commands)
      .flatMap((c) => c.spec.usage)
      .filter((u) => !listed.includes(`line-rca ${u}`));
    expect(missing).toEqual([]);
  });

  it('points to the help on a bad option', async () => {
    const { io, err } = capture();
    expect(await main(['analyze', '--nope'], io)).toBe(2);
    expect(err.join('')).toMatch(/Unknown option '--nope'[\s\S]*--config FILE/);
  });
});

describe('--out', () => {
  it('naming an existing file: exit 2 before the analysis runs', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const before = analysisFolders().length;
    const { io, err } = capture();
    expect(await main(['analyze', '--config', configFile('out-file'), '--out', file], io)).toBe(2);
    expect(err.join('')).toMatch(/--out: ".*a-file" is a file/);
    expect(err.join('')).not.toMatch(/prepare|extract/);
    expect(analysisFolders().length).toBe(before);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('under a file, or where no folder can be made (/proc): exit 2 at once', async () => {
    for (const out of [path.join(tmp, 'a-file', 'sub'), '/proc/nope', '/proc/nope/deeper']) {
      const { io, err } = capture();
      expect(await main(['analyze', '--config', configFile('out-proc'), '--out', out], io)).toBe(2);
      expect(err.join('')).toMatch(/--out: .*cannot be made/);
    }
    const demo = capture();
    expect(await main(['demo', '--out', '/proc/nope', '--days', '1'], demo.io)).toBe(2);
    expect(demo.err.join('')).not.toMatch(/generating/);
  }, 10_000);
});

describe('an analysis on the command line', () => {
  let results: ResultsDocument;
  let stderr: string;

  beforeAll(async () => {
    const out = path.join(tmp, 'new', 'folder');
    const { io, out: stdout, err } = capture();
    const status = await main(['analyze', '--config', configFile('ok'), '--out', out, '--json'], io);
    stderr = err.join('');
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    results = JSON.parse(stdout.join('')) as ResultsDocument;
    expect(readdirSync(out).sort()).toEqual(['model.json', 'model.onnx', 'report.html', 'results.json']);
  }, 60_000);

  it('counts the variables as the results do: the target column is not one', () => {
    expect(results.data.variables).toBe(3);
    expect(stderr).toMatch(/distribution \+ search: 240 observations \(\d+ positive\), 3 variables/);
    expect(stderr).not.toMatch(/4 variables/);
  });

  it('names trials by their number in results.json, with the count done', () => {
    const numbers = results.model!.trials.map((t) => t.number);
    expect(numbers).toEqual([0, 1]);
    expect(stderr).toMatch(
      /search: 1 of 2 trials done, best AUC [\d.]+ \(trial 0\); trial 0 logistic complete/,
    );
    expect(stderr).toMatch(/search: 2 of 2 trials done, .*; trial 1 logistic/);
  });

  it('keeps the exact threshold in JSON and prints it as the data writes it', async () => {
    const speed = results.distribution.find((d) => d.variable === 'speed');
    expect(speed?.kind).toBe('numeric');
    const threshold = (speed as { threshold: number }).threshold;
    const { io, err } = capture();
    expect(await main(['analyze', '--config', configFile('text')], io)).toBe(0);
    const printed = /speed\s+score [\d.]+\s+q \S+\s+above (\S+)/.exec(err.join(''))?.[1];
    expect(printed).toBeDefined();
    expect(Number(printed)).toBeCloseTo(threshold, 5);
    expect(printed!.length).toBeLessThanOrEqual(9);
  }, 60_000);

  it('leaves no working data behind a failed run', async () => {
    const before = analysisFolders();
    const { io, err } = capture();
    expect(await main(['analyze', '--config', configFile('fails', 'defect == 7')], io)).toBe(2);
    expect(err.join('')).toMatch(/is true on 0 of 240/);
    expect(analysisFolders()).toEqual(before);
  }, 60_000);
});

describe('line-rca artifacts prune', () => {
  const root = path.join(tmp, 'prune-root');
  const folder = (id: string, ageDays: number) => {
    const dir = path.join(root, 'analyses', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'observations.parquet'), Buffer.alloc(2000));
    const t = (Date.now() - ageDays * 86_400_000) / 1000;
    utimesSync(path.join(dir, 'observations.parquet'), t, t);
    utimesSync(dir, t, t);
  };

  beforeAll(() => {
    folder('old-1', 40);
    folder('old-2', 31);
    folder('recent', 2);
  });

  it('lists without removing on --dry-run, then removes folders older than the age', async () => {
    const dry = capture();
    expect(
      await main(['artifacts', 'prune', '--older-than', '30d', '--dir', root, '--dry-run', '--json'], dry.io),
    ).toBe(0);
    expect(
      (JSON.parse(dry.out.join('')) as { analysisId: string }[]).map((f) => f.analysisId).sort(),
    ).toEqual(['old-1', 'old-2']);
    expect(readdirSync(path.join(root, 'analyses')).sort()).toEqual(['old-1', 'old-2', 'recent']);

    const run = capture();
    expect(await main(['artifacts', 'prune', '--older-than', '30d', '--dir', root], run.io)).toBe(0);
    expect(run.err.join('')).toMatch(/removed 2 analysis folder\(s\), 0\.0 MB/);
    expect(readdirSync(path.join(root, 'analyses'))).toEqual(['recent']);
  });

  it.each([
    [['artifacts', 'prune'], /--older-than: is required/],
    [['artifacts', 'prune', '--older-than', 'soon'], /--older-than: cannot read "soon" as a duration/],
    [['artifacts', 'clean', '--older-than', '30d'], /usage: line-rca artifacts prune/],
  ])('%j: exit 2', async (argv, message) => {
    const { io, err } = capture();
    expect(await main(argv, io)).toBe(2);
    expect(err.join('')).toMatch(message);
  });
});
