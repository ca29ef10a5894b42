/**
 * Rule search against pysubgroup (Python, `BeamSearch` with `WRAccQF`), same data, same search
 * shape: beam width 20, up to 3 conditions, 10 rules. pysubgroup's numeric selectors are
 * one-sided conditions at 10 equal-frequency cut points per variable (`create_selectors(nbins=10,
 * intervals_only=False)`); ours choose among up to 256 quantile cut points within each subgroup
 * and then filter (sub-rules, near-duplicates) and place the bounds. Both sides time the
 * preparation of the variables (selectors, bins) and the search; reading the data is outside.
 * Quality: the WRAcc of each side's best rule (support × (bad rate inside − overall)) on the
 * same task, subgroups by WRAcc (`placeBounds: false`, what is timed); `wracc_placed_*` is our
 * best rule once its bounds are placed where the bad rate changes, as the analysis reports it
 * (placing trades a little WRAcc for bounds at the change points).
 *
 * Two data sets: AI4I 2020 (10,000 rows, 6 variables, target HDF) and a random line with an
 * interaction of two variables (`analysis/demo/mechanism-lines.ts`, 20,000 batches, 12–20
 * variables and a lot column). The summary's seconds add up both data sets' medians; the
 * qualities are per data set.
 *
 *   npm run bench -- rules [--repeats 5] [--reference-repeats 3] [--seed 2]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateMechanismLine } from '../analysis/demo/mechanism-lines';
import type { ObservationTable } from '../analysis/frame';
import { ruleColumns, searchSubgroups } from '../analysis/rules';
import { arg, median, printSummary, repoRoot, runPythonReference, timeRepeated } from './harness';

interface Problem {
  readonly name: string;
  readonly table: ObservationTable;
  readonly labels: Uint8Array;
  readonly variables: readonly string[];
}

function ai4i(): Problem {
  const csv = readFileSync(path.join(repoRoot, 'datasets', 'ai4i2020.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = csv[0].split(',');
  const cells = csv.slice(1).map((line) => line.split(','));
  const variables = [
    'Type',
    'Air temperature [K]',
    'Process temperature [K]',
    'Rotational speed [rpm]',
    'Torque [Nm]',
    'Tool wear [min]',
  ];
  const table: ObservationTable = {
    rows: cells.length,
    variables: variables.map((name) => {
      const j = header.indexOf(name);
      return name === 'Type'
        ? { name, data: { kind: 'text' as const, values: cells.map((r) => r[j]) } }
        : { name, data: { kind: 'numeric' as const, values: Float64Array.from(cells, (r) => Number(r[j])) } };
    }),
  };
  const hdf = header.indexOf('HDF');
  return { name: 'ai4i-hdf', table, labels: Uint8Array.from(cells, (r) => Number(r[hdf])), variables };
}

function randomLine(seed: number): Problem {
  const { table, truth } = generateMechanismLine({
    seed,
    mechanism: 'interaction',
    shape: 'batches',
    batches: 20_000,
  });
  const quality = table.variables.find((v) => v.name === truth.quality)?.data as { values: Float64Array };
  const variables = table.variables
    .map((v) => v.name)
    .filter((n) => n !== truth.quality && n !== truth.batchColumn);
  return {
    name: 'random-interaction',
    table: { ...table, variables: table.variables.filter((v) => variables.includes(v.name)) },
    labels: Uint8Array.from(quality.values, (x) => (x > 0 ? 1 : 0)),
    variables,
  };
}

/** CSV for pandas: the variables, then `target`; missing numbers empty. */
function writeCsv(file: string, problem: Problem): void {
  const { table, labels } = problem;
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [[...table.variables.map((v) => quote(v.name)), 'target'].join(',')];
  for (let i = 0; i < table.rows; i++) {
    const cells = table.variables.map((v) => {
      if (v.data.kind === 'numeric') {
        const x = v.data.values[i];
        return Number.isNaN(x) ? '' : String(x);
      }
      return quote(v.data.values[i] ?? '');
    });
    cells.push(String(labels[i]));
    lines.push(cells.join(','));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

interface ReferenceResult {
  seconds: number[];
  best_wracc: number;
  best: string;
  rules: number;
}

async function main(): Promise<void> {
  const repeats = Number(arg('repeats', '5'));
  const referenceRepeats = Number(arg('reference-repeats', '3'));
  const problems = [ai4i(), randomLine(Number(arg('seed', '2')))];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rules-bench-'));
  let ours = 0;
  let reference = 0;
  const extra: Record<string, number | string> = {};
  try {
    for (const problem of problems) {
      const rows = Uint32Array.from({ length: problem.table.rows }, (_, i) => i);
      const search = () =>
        searchSubgroups(ruleColumns(problem.table, rows, problem.variables), problem.labels, {
          placeBounds: false,
        });
      search(); // warm-up
      const run = await timeRepeated(repeats, search);
      const best = run.result[0];
      const [placed] = searchSubgroups(ruleColumns(problem.table, rows, problem.variables), problem.labels);
      const file = path.join(dir, `${problem.name}.csv`);
      writeCsv(file, problem);
      const ref = runPythonReference<ReferenceResult>('rules-reference.py', [file, String(referenceRepeats)]);
      const text = best.conditions
        .map((c) => `${c.variable} ${c.op} ${Array.isArray(c.value) ? c.value.join('|') : c.value}`)
        .join(' AND ');
      console.error(
        `${problem.name} (${problem.table.rows} rows, ${problem.variables.length} variables): ours ${run.seconds.map((s) => s.toFixed(3)).join(' ')} s, best WRAcc ${best.quality.toFixed(6)} [${text}]; pysubgroup ${ref.seconds.map((s) => s.toFixed(3)).join(' ')} s, best WRAcc ${ref.best_wracc.toFixed(6)} [${ref.best}]`,
      );
      ours += median(run.seconds);
      reference += median(ref.seconds);
      extra[`wracc_ours_${problem.name}`] = Number(best.quality.toPrecision(6));
      extra[`wracc_reference_${problem.name}`] = Number(ref.best_wracc.toPrecision(6));
      extra[`wracc_placed_${problem.name}`] = Number(placed.quality.toPrecision(6));
      extra[`ratio_${problem.name}`] = Number((median(run.seconds) / median(ref.seconds)).toPrecision(4));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printSummary('rules', ours, reference, extra);
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
