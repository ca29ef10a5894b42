/**
 * `line-rca distribution`: the distribution analysis alone on a CSV or Parquet file, each row an
 * observation. With `--json` the document goes to stdout and nothing else does.
 */
import type { DistributionEntry } from '../analysis/distribution';
import { type InputProblem, InvalidInputError } from '../analysis/errors';
import { observationsOf } from '../analysis/evidence/observations';
import { analyzeOverTime, type DistributionEvidence } from '../analysis/evidence/time-aware';
import { readableText } from '../analysis/precision';
import { evaluateTarget, parseTarget, targetColumns } from '../analysis/target';
import { readTable, unknownColumn } from '../connectors/table';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';

export interface DistributionDocument {
  readonly data: {
    readonly file: string;
    readonly rows: number;
    readonly positives: number;
    readonly variables: number;
    /** Runs of positive rows (one negative row inside not splitting them). */
    readonly episodes: number;
  };
  readonly target: string;
  readonly distribution: DistributionEntry[];
  /** How the time-aware p-values were obtained (rows in time order, else file order). */
  readonly evidence: DistributionEvidence;
}

/** Runs the analysis the options describe and returns the results document. */
export async function runDistribution(
  options: {
    data: string;
    target: string;
    timeColumn?: string;
    from?: string;
    to?: string;
    variables?: readonly string[];
  },
  progress: (text: string) => void = () => {},
): Promise<DistributionDocument> {
  const target = parseTarget(options.target);
  const targetCols = targetColumns(target);
  const columns = options.variables ? [...new Set([...options.variables, ...targetCols])] : undefined;
  progress(`reading ${options.data}\n`);
  const table = await readTable(options.data, {
    timeColumn: options.timeColumn,
    from: options.from,
    to: options.to,
    columns,
  });
  if (table.rows === 0) {
    throw new InvalidInputError({ where: options.data, message: 'no rows (in the selected period)' });
  }
  const names = table.variables.map((v) => v.name);
  const missing = targetCols.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new InvalidInputError(missing.map((c) => ({ where: 'target', message: unknownColumn(c, names) })));
  }
  const labels = evaluateTarget(target, table);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  if (positives === 0 || positives === table.rows) {
    throw new InvalidInputError({
      where: 'target',
      message: `${JSON.stringify(options.target)} is true on ${positives} rows and false on ${table.rows - positives}: it must split the rows into two populations`,
    });
  }
  const explanatory = table.variables.filter((v) => !targetCols.includes(v.name));
  if (explanatory.length === 0) {
    throw new InvalidInputError({
      where: '--variables',
      message: 'no variable left besides the target columns',
    });
  }
  progress(`${table.rows} rows, ${positives} positive; analysing ${explanatory.length} variables\n`);
  // rows are observations, in time order (the reader sorts by the time column) or file order
  const { entries: distribution, evidence } = analyzeOverTime(
    { ...table, variables: explanatory },
    observationsOf(labels),
    { observationName: 'rows' },
  );
  return {
    data: {
      file: options.data,
      rows: table.rows,
      positives,
      variables: explanatory.length,
      episodes: evidence.episodes,
    },
    target: options.target,
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
    '',
  ].join('\n');
}

export const distributionSpec = {
  name: 'distribution',
  usage: [
    'distribution --data FILE --target EXPR [--time-column NAME] [--from ISO] [--to ISO] [--variables a,b,c] [--json]',
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
    'time-column': { type: 'string', value: 'NAME', description: 'the time column, for --from and --to' },
    from: { type: 'string', value: 'ISO', description: 'only rows at or after this time' },
    to: { type: 'string', value: 'ISO', description: 'only rows before this time' },
    variables: {
      type: 'string',
      value: 'a,b,c',
      description: 'only these variables (default: every column but the time and the target)',
    },
    json: { type: 'boolean', description: 'the results document as JSON on stdout', default: false },
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
  const doc = await runDistribution(
    {
      data: values.data as string,
      target: values.target as string,
      timeColumn: values['time-column'],
      from: values.from,
      to: values.to,
      variables,
    },
    (text) => io.stderr(text),
  );
  io.stdout(values.json ? `${JSON.stringify(doc)}\n` : formatDistribution(doc));
  return 0;
}
