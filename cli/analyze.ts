/**
 * `line-rca analyze --config FILE [--out DIR] [--json]` and `line-rca demo [--out DIR]`: the
 * whole analysis in-process. With `--json` the results document is the only thing on stdout.
 * Ctrl-C stops between steps; nothing is written to `--out` unless the analysis finished.
 */

import path from 'node:path';
import { toJson, writeArtifact } from '../activities/workspace';
import { parseConfig } from '../analysis/config';
import { DEMO_CAUSES } from '../analysis/demo/bakery';
import { suspectedLeakText } from '../analysis/distribution/measures';
import { InvalidInputError, unknownName } from '../analysis/errors';
import { readableText } from '../analysis/precision';
import type { ResultsDocument } from '../analysis/results';
import { whatToDoSection } from '../analysis/rules/section';
import { writeDemoLine } from '../connectors/demo-line';
import { AnalysisCancelled, type EmbeddedRunResult, runEmbedded } from '../pipeline/embedded';
import { readConfigFile } from './config';
import type { CommandIO } from './io';
import { type CommandSpec, parseCommand } from './options';
import { prepareOutDir } from './out-dir';
import { profiledStages, StageProfile } from './profile';
import { stderrProgress } from './progress';
import { positiveInteger } from './worker';

function summaryText(run: EmbeddedRunResult): string {
  const r = run.results;
  const lines = [`${r.name} (line ${r.line}): ${r.data.rows} observations, ${r.data.positives} positive`];
  const ranked = r.distribution.filter((d) => d.kind !== 'identifier').slice(0, 5);
  lines.push('', 'distribution (highest score first):');
  for (const d of ranked) {
    const where =
      d.kind === 'numeric' && d.threshold !== null
        ? `${d.direction} ${readableText(d.threshold)}`
        : d.kind === 'categorical'
          ? d.categories.join(', ')
          : '';
    const lag = d.lagMinutes ? `  ${readableText(d.lagMinutes)} min before` : '';
    const mix = d.confounded ? '  confounded (product mix)' : '';
    lines.push(
      `  ${d.variable.padEnd(28)} score ${d.score.toFixed(3)}  q ${(d.qValue ?? Number.NaN).toExponential(1)}  ${where}${lag}${mix}`,
    );
  }
  for (const d of r.distribution)
    if (d.kind !== 'identifier' && d.suspectedLeak) lines.push(`  ${suspectedLeakText(d.variable)}`);
  if (r.model) {
    const figure = (x: number | null) => (x === null ? 'none' : x.toFixed(3));
    const v = r.model.validation;
    lines.push(
      '',
      `model: ${r.model.kind}, validation AUC ${figure(v.auc)}, average precision ${figure(v.prAuc)}` +
        (r.model.baseline
          ? ` (${r.model.baseline.kind} baseline AUC ${figure(r.model.baseline.validation.auc)})`
          : ''),
      ...(v.reason ? [`  ${v.reason}`] : []),
      ...(r.model.selection ? [`  explained: ${r.model.selection.reason}`] : []),
      'SHAP importance (mean |SHAP|, per variable):',
    );
    for (const e of r.importance.filter((i) => !i.unused).slice(0, 5))
      lines.push(`  ${e.variable.padEnd(28)} ${e.meanAbsShap.toFixed(4)}`);
  }
  if (r.evidence) {
    lines.push('', r.evidence.summary);
    const strong = (r.causes ?? []).filter((c) => c.verdict !== 'none').slice(0, 5);
    for (const c of strong) lines.push(`  ${c.variable.padEnd(28)} ${c.verdict.padEnd(9)} ${c.evidence}`);
  }
  lines.push(...whatToDoLines(r));
  const files = Object.values(run.files);
  if (files.length) lines.push('', `written: ${files.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The report's "What to do" in a few lines: levers first, then indicators. */
function whatToDoLines(r: ResultsDocument): string[] {
  if (!r.operatingWindows && !r.rules) return [];
  const lagMinutes = new Map(
    r.distribution.flatMap((d) => (d.lagMinutes ? [[d.variable, d.lagMinutes]] : [])),
  );
  const section = whatToDoSection(
    {
      operatingWindows: r.operatingWindows ?? [],
      rules: r.rules ?? [],
      recommendation: r.recommendation ?? null,
    },
    { lagMinutes },
  );
  const lines = ['', 'what to do:'];
  if (section.actions.length === 0 && section.indicators.length === 0)
    lines.push('  no operating window or rule with evidence');
  const first = (kind: string, count: number) =>
    section.actions.filter((item) => item.kind === kind).slice(0, count);
  for (const item of [...first('recommendation', 1), ...first('window', 3), ...first('rule', 3)])
    lines.push(`  ${item.text}`);
  for (const item of section.indicators.slice(0, 3)) lines.push(`  indicator: ${item.text}`);
  return lines;
}

async function runAndPrint(
  io: CommandIO,
  options: Parameters<typeof runEmbedded>[0],
  json: boolean,
  command: string,
  profiling: boolean,
): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    io.stderr(`\nline-rca ${command}: stopping (Ctrl-C again to force)\n`);
    controller.abort();
    process.off('SIGINT', onSignal);
  };
  process.on('SIGINT', onSignal);
  const progress = stderrProgress(io.stderr, { isTerminal: process.stderr.isTTY === true });
  const profile = profiling ? new StageProfile() : undefined;
  try {
    const run = await runEmbedded({
      ...options,
      signal: controller.signal,
      progress,
      ...(profile ? { instrument: <S extends object>(stages: S) => profiledStages(stages, profile) } : {}),
    });
    progress.close();
    if (profile) io.stderr(profile.report());
    if (json) io.stdout(`${toJson(run.results, 2)}\n`);
    else io.stderr(summaryText(run));
    return 0;
  } catch (error) {
    if (error instanceof AnalysisCancelled) {
      io.stderr(`line-rca ${command}: cancelled; no results written\n`);
      return 130;
    }
    throw error;
  } finally {
    progress.close();
    process.off('SIGINT', onSignal);
    await profile?.close();
  }
}

const PROFILE_OPTION = {
  type: 'boolean',
  description: "print each stage's time and the peak resident memory while it ran on stderr at the end",
  default: false,
} as const;

const JSON_OPTION = {
  type: 'boolean',
  description: 'print the results document on stdout (and nothing else there); progress stays on stderr',
  default: false,
} as const;

export const analyzeSpec = {
  name: 'analyze',
  usage: ['analyze --config FILE [--out DIR] [--json] [--profile]'],
  description:
    "Runs the whole analysis in-process on the configuration's source: distribution analysis, model\n" +
    'search, evaluation, SHAP explanation, results and report. Working data goes to LINE_RCA_ARTIFACTS\n' +
    '(default .data/artifacts/analyses/<id>); a failed run leaves none.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'the configuration, JSON or YAML (required)' },
    out: {
      type: 'string',
      value: 'DIR',
      description:
        'write results.json, report.html, model.json and model.onnx here once the analysis is done',
    },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
} as const satisfies CommandSpec;

export async function analyzeCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(analyzeSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.config)
    throw new InvalidInputError({ where: '--config', message: 'is required: --config FILE' });
  const file = path.resolve(values.config);
  const config = parseConfig(await readConfigFile(file));
  return runAndPrint(
    io,
    {
      config,
      baseDir: path.dirname(file),
      outDir: values.out === undefined ? undefined : prepareOutDir(values.out),
    },
    values.json === true,
    'analyze',
    values.profile === true,
  );
}

export const demoSpec = {
  name: 'demo',
  usage: [
    'demo [--out DIR] [--cause burnt|cracks|energy] [--trials N] [--days N] [--seed N] [--json] [--profile]',
  ],
  description:
    'Generates the bundled bakery line (one row a minute, causes injected on purpose) and analyses it\n' +
    'in-process. DIR receives bakery-line.parquet, demo-config.json (the configuration used, for\n' +
    '`line-rca analyze --config`), results.json, report.html, model.json and model.onnx.',
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      description: 'the folder for the data and the results',
      default: 'demo-out',
    },
    cause: {
      type: 'string',
      value: 'NAME',
      description: 'which injected cause to analyse: burnt, cracks or energy',
      default: 'burnt',
    },
    trials: { type: 'string', value: 'N', description: 'search trials', default: '30' },
    days: { type: 'string', value: 'N', description: 'days of data to generate', default: '30' },
    seed: { type: 'string', value: 'N', description: 'seed of the generated line', default: '7' },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
} as const satisfies CommandSpec;

export async function demoCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommand(demoSpec, argv, io);
  if (!parsed) return 0;
  const { values } = parsed;
  const cause = DEMO_CAUSES.find((c) => c.name === values.cause);
  if (!cause) {
    throw new InvalidInputError({
      where: '--cause',
      message: unknownName(
        'cause',
        String(values.cause),
        DEMO_CAUSES.map((c) => c.name),
      ),
    });
  }
  const days = positiveInteger(values.days, '--days', 30);
  const seed = positiveInteger(values.seed, '--seed', 7);
  const trials = positiveInteger(values.trials, '--trials', 30);
  const out = prepareOutDir(String(values.out));
  const data = path.join(out, 'bakery-line.parquet');
  io.stderr(`demo: generating the bakery line (${days} days, one row a minute) in ${data}\n`);
  await writeDemoLine(data, { seed, days });
  // The other causes' outcome columns are results, not process variables: left out.
  const outcomes = DEMO_CAUSES.filter((c) => c !== cause).flatMap((c) => c.target.split(/\s+/).slice(0, 1));
  const document = {
    name: `bakery demo: ${cause.name}`,
    line: 'bakery-demo',
    source: { kind: 'file', path: 'bakery-line.parquet', timeColumn: 'time' },
    target: cause.target,
    variables: { exclude: outcomes },
    aggregation: { window: '10m', functions: ['mean', 'std', 'min', 'max', 'last'], lag: '0m' },
    validation: { fraction: 0.2, gap: '0m' },
    models: ['gbdt', 'logistic'],
    search: {
      trials,
      seed: 42,
      timeoutSeconds: 150,
      parallelism: 2,
    },
  };
  writeArtifact(out, 'demo-config.json', `${JSON.stringify(document, null, 2)}\n`);
  io.stderr(`demo: cause "${cause.name}": ${cause.description}\n`);
  return runAndPrint(
    io,
    { config: parseConfig(document), baseDir: out, outDir: out },
    values.json === true,
    'demo',
    values.profile === true,
  );
}
