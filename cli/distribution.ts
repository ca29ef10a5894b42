/**
 * `line-rca distribution`: the distribution analysis alone on a CSV or Parquet file, each row an
 * observation. With `--json` the document goes to stdout and nothing else does.
 */
import { explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { formatDuration } from '../analysis/aggregate/time';
import { DEFAULT_SEED, distributionSettings } from '../analysis/config';
import type { DistributionEntry } from '../analysis/distribution';
import { suspectedLeakText } from '../analysis/distribution/measures';
import { type InputProblem, InvalidInputError } from '../analysis/errors';
import { planObservations } from '../analysis/evidence/observations';
import { analyzeOverTime, type DistributionEvidence } from '../analysis/evidence/time-aware';
import { readableText } from '../analysis/precision';
import { readSource } from '../connectors/sources';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';
import { StageProfile } from './profile';

export interface DistributionDocument {
  readonly data: {
    readonly file: string;
    /** Rows compared (with --window: the rows of windows where the target has a value). */
    readonly rows: number;
    /** Rows in the positive population. */
    readonly positives: number;
    readonly variables: number;
    /** Runs of positive observations (one negative inside not splitting them). */
    readonly episodes: number;
    /** Rows that shared a timestamp with an earlier one and were merged into it (by mean). */
    readonly duplicateRows: number;
    /** The time column read, or null: rows are observations in file order. */
    readonly timeColumn: string | null;
    /** With --window: the windows (observations) and how many are positive. */
    readonly windows?: number;
    readonly positiveWindows?: number;
  };
  readonly target: string;
  readonly window?: string;
  readonly distribution: DistributionEntry[];
  /** How the time-aware p-values were obtained (observations in time order, else file order). */
  readonly evidence: DistributionEvidence;
}

/** The options of `line-rca distribution`. */
export interface DistributionOptions {
  readonly data: string;
  readonly target: string;
  readonly timeColumn?: string;
  readonly from?: string;
  readonly to?: string;
  readonly variables?: readonly string[];
  /** Rows labelled by their time window, as the pipeline's distribution stage does. */
  readonly window?: string;
  /** Fixes the shifts of the time-aware p-values (the configuration's `search.seed`; default 42). */
  readonly seed?: number;
}

/**
 * Runs the analysis the options describe: the file read by the pipeline's loader, the rows
 * labelled by the pipeline's rules (each row alone, or by its window), the same analysis.
 * Returns the results document and the labels per row (1 positive) with the rows compared.
 */
export async function distributionLabels(
  options: DistributionOptions,
  progress: (text: string) => void = () => {},
  profile?: StageProfile,
) {
  const settings = distributionSettings(options);
  const keep = settings.targetColumns;
  progress(`reading ${options.data}\n`);
  const read = () =>
    readSource(
      { kind: 'file', path: options.data, timeColumn: options.timeColumn, layout: 'wide', rowOrder: true },
      { period: settings.period, include: options.variables ?? [], keep, includeOption: '--variables' },
    );
  const { report, table } = profile ? await profile.measure('read', read) : await read();
  const { labels, mask, groups } = populationLabels(table, settings.target, settings.aggregation);
  let rows = 0;
  let positives = 0;
  for (let i = 0; i < table.rows; i++) {
    rows += mask[i];
    positives += mask[i] & labels[i];
  }
  if (rows === 0) {
    throw new InvalidInputError({
      where: 'target',
      message: `the target's columns (${keep.join(', ')}) have no value on any row`,
    });
  }
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError({
      where: 'target',
      message: `${JSON.stringify(options.target)} is true on ${positives} rows and false on ${rows - positives}: it must split the rows into two populations`,
    });
  }
  const explanatory = explanatoryVariables(table, settings.target, settings.aggregation);
  if (explanatory.length === 0) {
    throw new InvalidInputError({
      where: '--variables',
      message: 'no variable left besides the target columns',
    });
  }
  return { settings, report, table, labels, mask, groups, rows, positives, explanatory };
}

/** Runs the analysis the options describe and returns the results document. */
export async function runDistribution(
  options: DistributionOptions,
  progress: (text: string) => void = () => {},
  profile?: StageProfile,
): Promise<DistributionDocument> {
  const read = await distributionLabels(options, progress, profile);
  const { settings, report, table, labels, mask, groups, rows, positives, explanatory } = read;
  if (report.duplicateRows > 0) {
    progress(
      `${report.duplicateRows} rows shared a timestamp with an earlier one: merged (numbers by their mean)\n`,
    );
  }
  progress(`${rows} rows, ${positives} positive; analysing ${explanatory.length} variables\n`);
  // observations (rows, or windows with --window) in time order, or file order without time
  const analyse = profile?.start('analyse');
  const { observations, name } = planObservations(settings.aggregation, groups, labels, mask);
  const { entries: distribution, evidence } = analyzeOverTime(table, observations, {
    variables: explanatory.map((v) => v.name),
    observationName: name,
    seed: options.seed ?? DEFAULT_SEED,
  });
  analyse?.();
  const windows =
    settings.aggregation.kind === 'windows'
      ? { windows: evidence.observations, positiveWindows: evidence.positiveObservations }
      : undefined;
  return {
    data: {
      file: options.data,
      rows,
      positives,
      variables: explanatory.length,
      duplicateRows: report.duplicateRows,
      timeColumn: report.timeColumn,
      episodes: evidence.episodes,
      ...(windows ?? {}),
    },
    target: options.target,
    ...(settings.aggregation.kind === 'windows'
      ? { window: formatDuration(settings.aggregation.windowMs) }
      : {}),
    distribution,
    evidence,
  };
}

const fmt = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined
    ? ''
    : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
      ? x.toExponential(1)
      : x.toFixed(digits);

/** The ranked table a person reads. */
export function formatDistribution(doc: DistributionDocument): string {
  const header = ['#', 'variable', 'kind', 'score', 'q-value', 'separates at', 'positive rate (in / out)'];
  const rows = doc.distribution.map((e, i) => {
    if (e.kind === 'identifier') return [String(i + 1), e.variable, e.kind, '', '', e.note, ''];
    if (e.kind === 'numeric') {
      const at = e.threshold === null ? '' : `${e.direction} ${readableText(e.threshold)}`;
      const [inside, outside] =
        e.direction === 'above'
          ? [e.positiveRateAbove, e.positiveRateBelow]
          : [e.positiveRateBelow, e.positiveRateAbove];
      return [
        String(i + 1),
        e.variable,
        e.kind,
        fmt(e.score),
        fmt(e.qValue),
        at || (e.note ?? ''),
        at ? `${fmt(inside)} / ${fmt(outside)}` : '',
      ];
    }
    const at = e.categories.length > 0 ? `in {${e.categories.join(', ')}}` : (e.note ?? '');
    return [
      String(i + 1),
      e.variable,
      e.kind,
      fmt(e.score),
      fmt(e.qValue),
      at,
      e.categories.length > 0 ? `${fmt(e.positiveRateIn)} / ${fmt(e.positiveRateOut)}` : '',
    ];
  });
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) =>
    r
      .map((c, j) => c.padEnd(widths[j]))
      .join('  ')
      .trimEnd();
  return [
    `${doc.data.rows} rows, ${doc.data.positives} where ${doc.target}; ${doc.data.variables} variables`,
    `q-values from ${doc.evidence.method}; ${doc.data.episodes} bad episodes`,
    line(header),
    ...rows.map(line),
    ...doc.distribution
      .filter((e) => e.kind !== 'identifier' && e.suspectedLeak)
      .map((e) => suspectedLeakText(e.variable)),
    '',
  ].join('\n');
}

function seedOf(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n)) {
    throw new InvalidInputError({
      where: '--seed',
      message: `must be an integer, got ${JSON.stringify(text)}`,
    });
  }
  return n;
}

export const distributionSpec = {
  name: 'distribution',
  usage: [
    'distribution --data FILE --target EXPR [--time-column NAME] [--window DURATION] [--from ISO] [--to ISO] [--variables a,b,c] [--seed N] [--json] [--profile]',
  ],
  description:
    'The distribution analysis alone on a CSV or Parquet file, each row an observation: every variable\n' +
    'ranked by how differently it is distributed where the target is true, with its separating value.',
  options: {
    data: { type: 'string', value: 'FILE', description: 'the CSV or Parquet file (required)' },
    target: {
      type: 'string',
      value: 'EXPR',
      description: `which rows are "bad", e.g. 'defect_rate > 0.05' or '"Torque [Nm]" > 60 and Type == 'L'' (required)`,
    },
    'time-column': {
      type: 'string',
      value: 'NAME',
      description:
        'the time column (default: found by name, time, timestamp, t, …, or type; none: rows in file order)',
    },
    window: {
      type: 'string',
      value: 'DURATION',
      description: "label each row by its time window (e.g. 10m), positive when any of the window's rows is",
    },
    from: { type: 'string', value: 'ISO', description: 'only rows at or after this time' },
    to: { type: 'string', value: 'ISO', description: 'only rows before this time' },
    variables: {
      type: 'string',
      value: 'a,b,c',
      description: 'only these variables (default: every column but the time and the target)',
    },
    seed: {
      type: 'string',
      value: 'N',
      description: `fixes the shifts of the time-aware p-values, as an analysis' search.seed (default ${DEFAULT_SEED})`,
    },
    json: { type: 'boolean', description: 'the results document as JSON on stdout', default: false },
    profile: {
      type: 'boolean',
      description: "print each stage's time and the peak resident memory while it ran on stderr at the end",
      default: false,
    },
  },
} as const satisfies CommandSpec;

export async function distributionCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(distributionSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  const problems: InputProblem[] = [];
  if (!values.data)
    problems.push({ where: '--data', message: 'required: the CSV or Parquet file to analyse' });
  if (!values.target)
    problems.push({ where: '--target', message: 'required: an expression such as "defect_rate > 0.05"' });
  if (problems.length > 0) throw new InvalidInputError(problems);
  const variables = values.variables
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const profile = values.profile ? new StageProfile() : undefined;
  const doc = await runDistribution(
    {
      data: values.data as string,
      target: values.target as string,
      timeColumn: values['time-column'],
      from: values.from,
      to: values.to,
      variables,
      window: values.window,
      ...(values.seed !== undefined ? { seed: seedOf(values.seed) } : {}),
    },
    (text) => io.stderr(text),
    profile,
  ).finally(() => profile?.close());
  io.stdout(values.json ? `${JSON.stringify(doc)}\n` : formatDistribution(doc));
  if (profile) io.stderr(profile.report());
  return 0;
}
