/**
 * The bad-input catalogue: every input a new user or a real line can throw at `analyze` and
 * `distribution`, through the real command (`bin/line-rca.js` in a child process, so exit
 * statuses, native aborts and hangs are real). Each case ends with exit 0 and a right answer
 * (the planted cause ranked first, results on stdout) or exit 2 with what and where on stderr;
 * never 1 with a stack trace, never a signal, never a hang, never exit 0 without results.
 * The cases run side by side (jest's `maxConcurrency`, 5), each in its own process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { literal, withDuck } from '../../connectors/duckdb';

const bin = path.join(__dirname, '..', '..', 'bin', 'line-rca.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'line-rca-bad-input-'));
const env = {
  ...process.env,
  LINE_RCA_ARTIFACTS: path.join(dir, 'artifacts'),
  MONGODB_URI: '',
  MLFLOW_TRACKING_URI: '',
  LINE_RCA_TRACKING_DIR: path.join(dir, 'tracking'),
};
/** Longer than any case takes on a loaded machine; reaching it is a hang. */
const HANG_MS = 120_000;

interface Outcome {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly hung: boolean;
}

function lineRca(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, hung });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The base line: 12 hours at one minute. `oven` runs a 60-minute cycle and `defect` is 1 when it
// is above 208.5, so `oven` is the cause both analyses must put first; `speed` and `noise` are
// noise, `lot` a text column.

const ROWS = 720;

function noise(i: number, salt: number): number {
  // A small deterministic hash in [-0.5, 0.5).
  let h = (i * 2654435761 + salt * 40503) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 2246822519) >>> 0;
  h ^= h >>> 13;
  return (h % 10000) / 10000 - 0.5;
}

interface Row {
  time: string;
  oven: number;
  speed: number;
  noise: number;
  lot: string;
  defect: number;
}

function baseRows(rows = ROWS): Row[] {
  const start = Date.parse('2026-10-01T00:00:00Z');
  return Array.from({ length: rows }, (_, i) => {
    const oven = 200 + 10 * Math.sin((2 * Math.PI * i) / 60) + noise(i, 1);
    return {
      time: new Date(start + i * 60_000).toISOString(),
      oven: Number(oven.toFixed(3)),
      speed: Number((4 + 0.2 * Math.sin(i / 15) + 0.1 * noise(i, 2)).toFixed(3)),
      noise: Number(noise(i, 3).toFixed(4)),
      lot: `L${Math.floor(i / 40) % 3}`,
      defect: oven > 208.5 ? 1 : 0,
    };
  });
}

const COLUMNS = ['time', 'oven', 'speed', 'noise', 'lot', 'defect'] as const;

function csvText(rows: readonly Row[], options: { sep?: string; decimal?: string } = {}): string {
  const sep = options.sep ?? ',';
  const cell = (v: string | number) => {
    const s = typeof v === 'number' && options.decimal ? String(v).replace('.', options.decimal) : String(v);
    return s.includes(sep) ? `"${s}"` : s;
  };
  return `${COLUMNS.join(sep)}\n${rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(sep)).join('\n')}\n`;
}

function file(name: string, content: string | Buffer): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

/** A CSV from the base rows with some lines replaced (index 0 is the header). */
function editedCsv(name: string, edit: (lines: string[]) => void): string {
  const lines = csvText(baseRows()).split('\n');
  edit(lines);
  return file(name, lines.join('\n'));
}

let goodFile: string | undefined;
// Written once: the cases run side by side and must not rewrite a file another one reads.
const good = () => {
  goodFile ??= file('good.csv', csvText(baseRows()));
  return goodFile;
};

async function parquet(name: string, rows: readonly Row[]): Promise<string> {
  const csv = file(`${name}.source.csv`, csvText(rows));
  const out = path.join(dir, name);
  await withDuck(async (db) => {
    await db.run(
      `COPY (SELECT CAST(time AS TIMESTAMP) AS time, * EXCLUDE (time) FROM read_csv(${literal(csv)})) TO ${literal(out)} (FORMAT parquet)`,
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The cases. `data` makes the file (both commands read it); `analyze` is the configuration (the
// base one with this merged in) and `distribution` the extra options; `expect` is, per command,
// 0 (a right answer) or a pattern stderr must match with exit 2. A command left out of `expect`
// does not apply to the case.

type Expectation = 0 | RegExp;

interface Case {
  readonly name: string;
  readonly data: () => string | Promise<string>;
  readonly analyze?: Record<string, unknown>;
  readonly distribution?: readonly string[];
  /** More arguments to `analyze` (after `--config FILE --json`). */
  readonly analyzeArgs?: readonly string[];
  /** Checks after the command (nothing written where it must not be). */
  readonly afterwards?: () => void;
  readonly target?: string;
  readonly expect: { readonly analyze?: Expectation; readonly distribution?: Expectation };
  /** For exit 0: the variable ranked first (default `oven`), and more checks on the entries. */
  readonly first?: string;
  readonly check?: (entries: readonly Record<string, unknown>[]) => void;
  /** Variables the command runs with besides the file's (e.g. another artifact storage). */
  readonly env?: Record<string, string>;
}

const entry = (entries: readonly Record<string, unknown>[], name: string) => {
  const found = entries.find((e) => e.variable === name);
  if (!found) throw new Error(`no entry for ${name} in ${entries.map((e) => e.variable).join(', ')}`);
  return found;
};

const CASES: Case[] = [
  // Files that cannot be read.
  {
    name: 'a file that does not exist',
    data: () => path.join(dir, 'nope.csv'),
    expect: { analyze: /nope\.csv.*does not exist/, distribution: /nope\.csv.*does not exist/ },
  },
  {
    name: 'an empty file',
    data: () => file('empty.csv', ''),
    expect: { analyze: /empty\.csv.*empty/, distribution: /empty\.csv.*empty/ },
  },
  {
    name: 'a header and no rows',
    data: () => file('header.csv', `${COLUMNS.join(',')}\n`),
    expect: { analyze: /header\.csv.*no rows/, distribution: /header\.csv.*no rows/ },
  },
  {
    name: 'a folder instead of a file',
    data: () => {
      const d = path.join(dir, 'folder.csv');
      mkdirSync(d, { recursive: true });
      return d;
    },
    expect: { analyze: /folder\.csv.*folder/, distribution: /folder\.csv.*folder/ },
  },
  {
    name: 'an unknown extension',
    data: () => file('line.xlsx', 'PK\u0003\u0004 not really'),
    expect: { analyze: /line\.xlsx.*\.csv.* or \.parquet/, distribution: /line\.xlsx.*\.csv.* or \.parquet/ },
  },
  {
    name: 'a ragged CSV (a row with an extra field)',
    data: () => editedCsv('ragged.csv', (l) => (l[101] = `${l[101]},7`)),
    expect: {
      analyze: /ragged\.csv.*line 102.*7 fields.*6/,
      distribution: /ragged\.csv.*line 102.*7 fields.*6/,
    },
  },
  {
    name: 'a ragged CSV (a row with a missing field)',
    data: () => editedCsv('short.csv', (l) => (l[51] = l[51].split(',').slice(0, 4).join(','))),
    expect: { analyze: /short\.csv.*line 52.*4 fields.*6/, distribution: /short\.csv.*line 52.*4 fields.*6/ },
  },
  {
    name: 'an unclosed quote',
    data: () => editedCsv('quote.csv', (l) => (l[200] = l[200].replace(',L', ',"L'))),
    expect: { analyze: /quote\.csv.*line 201.*quote/, distribution: /quote\.csv.*line 201.*quote/ },
  },
  {
    name: 'binary garbage named .csv',
    data: () => file('garbage.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
    expect: { analyze: /garbage\.csv/, distribution: /garbage\.csv/ },
  },
  {
    name: 'text named .parquet',
    data: () => file('text.parquet', csvText(baseRows())),
    expect: {
      analyze: /text\.parquet.*not a Parquet file/,
      distribution: /text\.parquet.*not a Parquet file/,
    },
  },
  {
    name: 'a truncated Parquet file',
    data: async () => {
      const whole = readFileSync(await parquet('whole.parquet', baseRows()));
      return file('truncated.parquet', whole.subarray(0, Math.floor(whole.length * 0.6)));
    },
    expect: {
      analyze: /truncated\.parquet.*(corrupt|truncated)/,
      distribution: /truncated\.parquet.*(corrupt|truncated)/,
    },
  },
  {
    name: 'a corrupt Parquet file (bytes overwritten inside)',
    data: async () => {
      const whole = Buffer.from(readFileSync(await parquet('whole2.parquet', baseRows())));
      for (let i = 200; i < whole.length - 400; i += 3) whole[i] = 0xff;
      return file('corrupt.parquet', whole);
    },
    expect: { analyze: /corrupt\.parquet.*corrupt/, distribution: /corrupt\.parquet.*corrupt/ },
  },
  // Times.
  {
    name: 'some unreadable timestamps',
    data: () =>
      editedCsv('dates.csv', (l) => {
        l[5] = l[5].replace(/^[^,]+/, 'yesterday');
        l[9] = l[9].replace(/^[^,]+/, '2026-13-45T00:00:00Z');
      }),
    expect: {
      analyze: /dates\.csv.*"time".*row 6 \("yesterday"\).*2 row/,
      distribution: /dates\.csv.*"time".*row 6 \("yesterday"\).*2 row/,
    },
  },
  {
    name: 'every timestamp unreadable',
    data: () =>
      editedCsv('alldates.csv', (l) => {
        for (let i = 1; i < l.length - 1; i++) l[i] = l[i].replace(/^[^,]+/, `t${i}`);
      }),
    expect: { analyze: /alldates\.csv.*"time".*720 row/, distribution: /alldates\.csv.*"time".*720 row/ },
  },
  {
    name: 'times with offsets and without, unsorted, duplicated',
    data: () =>
      editedCsv('zones.csv', (l) => {
        l[10] = l[10].replace(/^([^,]+)Z/, '$1');
        l[11] = l[11].replace(/^2026-10-01T00:10:00.000Z/, '2026-10-01T02:10:00.000+02:00');
        [l[20], l[21]] = [l[21], l[20]];
        l.splice(30, 0, l[30]);
      }),
    expect: { analyze: 0, distribution: 0 },
  },
  {
    name: 'no time column at all (rows in file order)',
    data: () =>
      file(
        'notime.csv',
        csvText(baseRows())
          .split('\n')
          .map((line) => line.split(',').slice(1).join(','))
          .join('\n'),
      ),
    analyze: { aggregation: 'none' },
    expect: { analyze: 0, distribution: 0 },
  },
  // Numbers.
  {
    name: 'comma decimals and ; separators',
    data: () => file('semicolon.csv', csvText(baseRows(), { sep: ';', decimal: ',' })),
    expect: { analyze: 0, distribution: 0 },
    check: (entries) => expect(entry(entries, 'speed').kind).toBe('numeric'),
  },
  {
    name: 'comma decimals in quoted fields, comma separators',
    data: () => file('quoted-comma.csv', csvText(baseRows(), { decimal: ',' })),
    expect: { analyze: 0, distribution: 0 },
    check: (entries) => expect(entry(entries, 'speed').kind).toBe('numeric'),
  },
  {
    name: '; separators with dot decimals',
    data: () => file('semicolon-dot.csv', csvText(baseRows(), { sep: ';' })),
    expect: { analyze: 0, distribution: 0 },
  },
  {
    name: 'extreme numbers (±1e308) in a column',
    data: () =>
      file('extreme.csv', csvText(baseRows().map((r, i) => ({ ...r, speed: i % 2 ? 1e308 : -1e308 })))),
    expect: { analyze: 0, distribution: 0 },
    check: (entries) => expect(entry(entries, 'speed').kind).toBe('numeric'),
  },
  {
    name: 'junk text, inf and NaN in a numeric column',
    data: () =>
      editedCsv('junk.csv', (l) => {
        l[3] = l[3].replace(/,([^,]+),([^,]+),/, ',$1,n/a,');
        l[4] = l[4].replace(/,([^,]+),([^,]+),/, ',$1,inf,');
        l[6] = l[6].replace(/,([^,]+),([^,]+),/, ',$1,NaN,');
      }),
    expect: { analyze: 0, distribution: 0 },
    check: (entries) => expect(entry(entries, 'speed').kind).toBe('numeric'),
  },
  {
    name: 'a constant numeric column and an all-missing one',
    data: () =>
      file(
        'constant.csv',
        csvText(baseRows())
          .split('\n')
          .map((line, i) => (line === '' ? line : `${line},${i === 0 ? 'flat,empty' : '5,'}`))
          .join('\n'),
      ),
    expect: { analyze: 0, distribution: 0 },
    check: (entries) => {
      expect(entry(entries, 'flat').kind).toBe('numeric');
      expect(entry(entries, 'flat').note).toMatch(/constant/);
      expect(entry(entries, 'empty').note).toMatch(/missing on every row/);
    },
  },
  {
    name: 'two rows',
    data: () => {
      const rows = baseRows(16);
      return file('two.csv', csvText([rows[5], rows[15]]));
    },
    expect: { analyze: /target.*two populations|too few/, distribution: 0 },
    check: (entries) => expect(entry(entries, 'speed').kind).toBe('numeric'),
  },
  {
    name: 'a BOM and CRLF line ends',
    data: () => file('bom.csv', `\uFEFF${csvText(baseRows()).replace(/\n/g, '\r\n')}`),
    expect: { analyze: 0, distribution: 0 },
  },
  // Names.
  {
    name: 'duplicate column names',
    data: () => editedCsv('dupes.csv', (l) => (l[0] = 'time,oven,speed,oven,lot,defect')),
    expect: {
      analyze: /dupes\.csv.*duplicate column name "oven" \(columns 2 and 4\)/,
      distribution: /dupes\.csv.*duplicate column name "oven" \(columns 2 and 4\)/,
    },
  },
  {
    name: 'odd names: spaces, brackets, quotes, $ and dots',
    data: () => editedCsv('names.csv', (l) => (l[0] = 'time,Oven [°C],a.b,$where,"say ""hi""",defect')),
    target: 'defect == 1',
    expect: { analyze: 0, distribution: 0 },
    first: 'Oven [°C]',
    check: (entries) => expect(entries.map((e) => e.variable)).toContain('say "hi"'),
  },
  {
    name: 'a target on a quoted odd name',
    data: () => editedCsv('names2.csv', (l) => (l[0] = 'time,oven,speed,noise,lot,Defect [%]')),
    target: '"Defect [%]" == 1',
    expect: { analyze: 0, distribution: 0 },
  },
  // Targets.
  {
    name: 'a target column that does not exist',
    data: good,
    target: 'defekt == 1',
    expect: {
      analyze: /target.*"defekt" does not exist; did you mean "defect"/,
      distribution: /target.*"defekt" does not exist; did you mean "defect"/,
    },
  },
  {
    name: 'a target that is not an expression',
    data: good,
    target: 'defect = 1',
    expect: { analyze: /target.*use ==/, distribution: /target.*use ==/ },
  },
  {
    name: 'a target true on no row',
    data: good,
    target: 'defect > 5',
    expect: { analyze: /target.*true on 0/, distribution: /target.*true on 0/ },
  },
  {
    name: 'a target true on every row',
    data: good,
    target: 'oven > 0',
    expect: { analyze: /target.*true on 72 of 72|two populations/, distribution: /target.*true on 720 rows/ },
  },
  {
    name: 'a number compared with a text column',
    data: good,
    target: 'lot > 5',
    expect: { analyze: /target.*"lot" is text/, distribution: /target.*"lot" is text/ },
  },
  {
    name: 'a text compared with a numeric column',
    data: good,
    target: "oven == 'hot'",
    expect: { analyze: /target.*"oven" is numeric/, distribution: /target.*"oven" is numeric/ },
  },
  {
    name: 'a target column missing on every row',
    data: () =>
      file(
        'blank-target.csv',
        csvText(baseRows())
          .split('\n')
          .map((line, i) => (line === '' || i === 0 ? line : line.replace(/,[01]$/, ',')))
          .join('\n'),
      ),
    expect: { analyze: /target.*(no value|missing)/, distribution: /target.*(no value|missing)/ },
  },
  {
    name: "the target's own column in variables.exclude",
    data: good,
    analyze: { variables: { exclude: ['defect', 'noise'] } },
    distribution: [],
    expect: { analyze: 0 },
    check: (entries) => expect(entries.map((e) => e.variable)).not.toContain('noise'),
  },
  {
    name: 'a variable that does not exist',
    data: good,
    analyze: { variables: { include: ['ovem'] } },
    distribution: ['--variables', 'ovem,speed'],
    expect: {
      analyze: /variables\.include.*"ovem" does not exist; did you mean "oven"/,
      distribution: /--variables.*"ovem" does not exist; did you mean "oven"/,
    },
  },
  {
    name: 'a time column that does not exist',
    data: good,
    analyze: { source: { timeColumn: 'tijd' } },
    distribution: ['--time-column', 'tijd'],
    expect: { analyze: /"tijd" does not exist/, distribution: /"tijd" does not exist/ },
  },
  // Periods.
  {
    name: 'a period whose start is after its end',
    data: good,
    analyze: { period: { from: '2026-10-01T10:00:00Z', to: '2026-10-01T02:00:00Z' } },
    distribution: ['--from', '2026-10-01T10:00:00Z', '--to', '2026-10-01T02:00:00Z'],
    expect: { analyze: /period.*before/, distribution: /--from.*before/ },
  },
  {
    name: 'a period with no rows',
    data: good,
    analyze: { period: { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z' } },
    distribution: ['--from', '2027-01-01T00:00:00Z', '--to', '2027-02-01T00:00:00Z'],
    expect: {
      analyze: /no rows between .* the data spans 2026-10-01T00:00/,
      distribution: /no rows between .* the data spans 2026-10-01T00:00/,
    },
  },
  {
    name: 'a period that is not a date',
    data: good,
    analyze: { period: { from: 'last tuesday' } },
    distribution: ['--from', 'last tuesday'],
    expect: { analyze: /period\.from.*ISO 8601/, distribution: /--from.*ISO 8601/ },
  },
  {
    name: 'a period on a file without time',
    data: () =>
      file(
        'notime2.csv',
        csvText(baseRows())
          .split('\n')
          .map((l) => l.split(',').slice(1).join(','))
          .join('\n'),
      ),
    distribution: ['--from', '2026-10-01T02:00:00Z'],
    expect: { distribution: /--from.*time column/ },
  },
  // Configuration errors (analyze only) and options (distribution only).
  {
    name: 'a configuration that is not JSON or YAML',
    data: good,
    analyze: { __raw: '{ "name": "x", ' },
    expect: { analyze: /config.*(JSON|YAML)/ },
  },
  {
    name: 'a configuration missing its required fields',
    data: good,
    analyze: { __raw: '{}' },
    expect: { analyze: /name: is required[\s\S]*target: is required/ },
  },
  {
    name: 'a configuration with unknown fields and wrong types',
    data: good,
    analyze: { colour: 'red', search: { trials: 0 }, validation: { fraction: 1.5 } },
    expect: {
      analyze:
        /^(?=[\s\S]*unknown field "colour")(?=[\s\S]*search\.trials: must be)(?=[\s\S]*validation\.fraction: must be)/,
    },
  },
  {
    name: 'a window that is not a duration',
    data: good,
    analyze: { aggregation: { window: '10 minutes' } },
    expect: { analyze: /aggregation\.window.*duration/ },
  },
  {
    name: 'a lag that is not a whole number of windows',
    data: good,
    analyze: { aggregation: { window: '10m', lag: '15m' } },
    expect: { analyze: /aggregation\.lag.*multiple of the window/ },
  },
  {
    name: 'an unknown aggregation function',
    data: good,
    analyze: { aggregation: { window: '10m', functions: ['mean', 'avg'] } },
    expect: { analyze: /aggregation\.functions/ },
  },
  {
    name: 'a batch column that does not exist',
    data: good,
    analyze: { aggregation: { batchColumn: 'batch' } },
    expect: { analyze: /aggregation\.batchColumn.*"batch" does not exist/ },
  },
  // What to do (#18): roles, strata and dead times.
  {
    name: 'roles naming an unknown column',
    data: good,
    analyze: { variables: { roles: { setting: ['speed', 'ovem'], measurement: ['noise'] } } },
    expect: { analyze: /variables\.roles\.setting\[1\].*column "ovem" does not exist; did you mean "oven"/ },
  },
  {
    name: 'a variable given two roles',
    data: good,
    analyze: { variables: { roles: { setting: ['speed'], ambient: ['speed'] } } },
    expect: { analyze: /variables\.roles\.ambient\[0\].*already a setting/ },
  },
  {
    name: 'stratify on an unknown column',
    data: good,
    analyze: { variables: { stratify: ['recipe'] } },
    expect: { analyze: /variables\.stratify\[0\].*column "recipe" does not exist/ },
  },
  {
    name: 'stratify on a column with more than 50 distinct values',
    data: good,
    analyze: { variables: { stratify: ['noise'] } },
    expect: { analyze: /variables\.stratify.*more than 50 strata/ },
  },
  {
    name: 'a maxLag that is not a duration',
    data: good,
    analyze: { aggregation: { window: '10m', maxLag: 'two hours' } },
    expect: { analyze: /aggregation\.maxLag.*duration/ },
  },
  {
    name: 'roles, strata and a dead time that are right',
    data: good,
    analyze: {
      variables: {
        roles: { setting: ['speed'], material: ['lot'], measurement: ['noise'] },
        stratify: ['lot'],
      },
      aggregation: { window: '10m', functions: ['mean', 'max', 'min'], maxLag: '30m' },
    },
    expect: { analyze: 0 },
    check: (entries) => {
      const oven = entry(entries, 'oven');
      expect(oven.lagMinutes).toBe(0);
      expect(oven.confounded).toBe(false);
      expect((oven.strata as { stratum: string }[]).map((s) => s.stratum).sort()).toEqual(['L0', 'L1', 'L2']);
    },
  },
  {
    name: '--out naming an existing file',
    data: () => {
      file('out-is-a-file.txt', 'keep me');
      return good();
    },
    analyzeArgs: ['--out', path.join(dir, 'out-is-a-file.txt')],
    expect: { analyze: /--out: ".*out-is-a-file\.txt" is a file/ },
    afterwards: () => expect(readFileSync(path.join(dir, 'out-is-a-file.txt'), 'utf8')).toBe('keep me'),
  },
  {
    name: '--out where no folder can be made (/proc)',
    data: good,
    analyzeArgs: ['--out', '/proc/line-rca-nope/results'],
    expect: { analyze: /--out: "\/proc\/line-rca-nope\/results" cannot be made/ },
  },
  {
    name: 'a missing --config file',
    data: good,
    analyze: { __file: path.join(dir, 'nope.yaml') },
    expect: { analyze: /nope\.yaml/ },
  },
  {
    name: 'missing --data and --target',
    data: good,
    distribution: ['__none'],
    expect: { distribution: /--data: required[\s\S]*--target: required/ },
  },
  {
    name: 'an unknown option',
    data: good,
    distribution: ['--colour', 'red'],
    expect: { distribution: /--colour/ },
  },
  // Sources in the artifact storage (line-rca data put): an unknown URI is named, nothing runs.
  {
    name: 'an unknown artifact URI (a folder storage)',
    data: good,
    analyze: {
      source: {
        kind: 'artifact',
        uri: `file://${path.join(dir, 'artifacts', 'data', '0'.repeat(64), 'nope.csv')}`,
      },
    },
    expect: { analyze: /source\.uri: no such artifact: file:\/\/.*nope\.csv/ },
  },
  {
    name: 'a GridFS artifact URI while LINE_RCA_ARTIFACTS is a folder',
    data: good,
    analyze: {
      source: {
        kind: 'artifact',
        uri: `gridfs://artifacts/data/${'0'.repeat(64)}/nope.csv#sha256=${'0'.repeat(64)}`,
      },
    },
    expect: { analyze: /source\.uri: gridfs:\/\/artifacts\/data\/0+\/nope\.csv.*LINE_RCA_ARTIFACTS=mongodb/ },
  },
  {
    name: 'an unknown artifact URI (GridFS)',
    data: good,
    env: {
      LINE_RCA_ARTIFACTS: mongoDatabase(`bad_input_${process.pid}`),
      LINE_RCA_CACHE: path.join(dir, 'cache'),
    },
    analyze: {
      source: {
        kind: 'artifact',
        uri: `gridfs://artifacts/data/${'0'.repeat(64)}/nope.csv#sha256=${'0'.repeat(64)}`,
      },
    },
    expect: {
      analyze:
        /gridfs:\/\/artifacts\/data\/0+\/nope\.csv.*no such artifact: gridfs:\/\/artifacts\/data\/0+\/nope\.csv/,
    },
  },
  {
    name: 'an artifact URI outside the artifact storage',
    data: good,
    analyze: { source: { kind: 'artifact', uri: 'file:///etc/hostname' } },
    expect: { analyze: /source\.uri: file:\/\/\/etc\/hostname is not in the artifact storage/ },
  },
  {
    name: 'an artifact URI that is not one',
    data: good,
    analyze: { source: { kind: 'artifact', uri: 's3://bucket/line.csv' } },
    expect: { analyze: /source\.uri: s3:\/\/bucket\/line\.csv is not an artifact/ },
  },
];

/** A database of the MongoDB the tests use (MONGODB_URI, FerretDB locally). */
function mongoDatabase(name: string): string {
  const url = new URL(process.env.MONGODB_URI || 'mongodb://127.0.0.1:27017');
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------

function configFile(name: string, data: string, target: string, extra: Record<string, unknown>): string {
  if (typeof extra.__file === 'string') return extra.__file;
  const f = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  if (typeof extra.__raw === 'string') {
    writeFileSync(f, extra.__raw);
    return f;
  }
  const { source, ...rest } = extra as { source?: Record<string, unknown> };
  const config = {
    name: 'bad input',
    line: 'test-line',
    source: source?.kind === 'artifact' ? source : { kind: 'file', path: data, ...(source ?? {}) },
    target,
    aggregation: { window: '10m', functions: ['mean', 'max', 'min'] },
    models: ['logistic'],
    search: { trials: 2, seed: 1, parallelism: 1, timeoutSeconds: 60 },
    ...rest,
  };
  writeFileSync(f, JSON.stringify(config));
  return f;
}

function checkNeverBroken(outcome: Outcome): void {
  expect({ hung: outcome.hung, signal: outcome.signal }).toEqual({ hung: false, signal: null });
  expect(outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // a stack trace
  expect(outcome.stderr).not.toMatch(/terminate called|Napi::Error|Segmentation/);
  expect([0, 2]).toContain(outcome.status);
}

function checkExpected(
  outcome: Outcome,
  expected: Expectation,
  entries: () => readonly Record<string, unknown>[],
  c: Case,
): void {
  if (expected === 0) {
    expect({ status: outcome.status, stderr: outcome.status === 0 ? '' : outcome.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const ranked = entries().filter((e) => e.kind !== 'identifier');
    expect(ranked.length).toBeGreaterThan(0);
    if (c.check) c.check(entries());
    if (c.name !== 'two rows') expect(ranked[0].variable).toBe(c.first ?? 'oven');
    return;
  }
  expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({
    status: 2,
    stderr: expect.stringMatching(expected),
  });
  expect(outcome.stdout).toBe('');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(CASES)('$name', (c) => {
  const target = c.target ?? 'defect == 1';

  if (c.expect.distribution !== undefined) {
    test(
      'line-rca distribution',
      async () => {
        const data = await c.data();
        const extra = c.distribution ?? [];
        const args =
          extra[0] === '__none'
            ? ['distribution']
            : ['distribution', '--data', data, '--target', target, ...extra, '--json'];
        const outcome = await lineRca(args);
        checkNeverBroken(outcome);
        checkExpected(
          outcome,
          c.expect.distribution!,
          () => (JSON.parse(outcome.stdout) as { distribution: Record<string, unknown>[] }).distribution,
          c,
        );
      },
      HANG_MS + 10_000,
    );
  }

  if (c.expect.analyze !== undefined) {
    test(
      'line-rca analyze',
      async () => {
        const data = await c.data();
        const config = configFile(c.name, data, target, c.analyze ?? {});
        const outcome = await lineRca(
          ['analyze', '--config', config, '--json', ...(c.analyzeArgs ?? [])],
          c.env,
        );
        checkNeverBroken(outcome);
        c.afterwards?.();
        checkExpected(
          outcome,
          c.expect.analyze!,
          () => (JSON.parse(outcome.stdout) as { distribution: Record<string, unknown>[] }).distribution,
          c,
        );
      },
      HANG_MS + 10_000,
    );
  }
});

describe('line-rca data put', () => {
  test.each([
    [['data', 'put', path.join(dir, 'missing.csv')], /missing\.csv: does not exist/],
    [['data', 'put', dir], /: is not a file/],
    [['data', 'put'], /usage: line-rca data put FILE/],
  ])('%j: exit 2 naming it', async (args, message) => {
    const outcome = await lineRca(args);
    checkNeverBroken(outcome);
    expect({ status: outcome.status, stdout: outcome.stdout }).toEqual({ status: 2, stdout: '' });
    expect(outcome.stderr).toMatch(message);
  });

  test(
    'prints the URI as its last line, and analyze reads the stored file',
    async () => {
      const put = await lineRca(['data', 'put', good()]);
      expect(put.status).toBe(0);
      const uri = put.stdout.trim().split('\n').at(-1) ?? '';
      expect(uri).toMatch(/^file:\/\/.*\/data\/[0-9a-f]{64}\/good\.csv$/);
      const config = configFile('stored good', good(), 'defect == 1', { source: { kind: 'artifact', uri } });
      const outcome = await lineRca(['analyze', '--config', config, '--json']);
      checkNeverBroken(outcome);
      expect(outcome.status).toBe(0);
      const results = JSON.parse(outcome.stdout) as { distribution: { variable: string; kind: string }[] };
      expect(results.distribution.filter((e) => e.kind !== 'identifier')[0].variable).toBe('oven');
    },
    HANG_MS,
  );
});
