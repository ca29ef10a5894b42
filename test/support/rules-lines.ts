/**
 * The "what to do" analysis run on a generated line the way the pipeline runs it, from pure
 * functions: labels as the distribution stage makes them (ten-minute windows for minutes, one
 * row a batch), dead times and alignment (minutes), the distribution ranking on aligned values,
 * the comparison within recipes, windows and rules on the first 80 % of the rows, the last 20 %
 * for validation; and a GBDT with SHAP interactions for the interaction mechanism. Then each
 * mechanism's acceptance criterion (issue 18, "Done when"), as a pass/fail with the figures.
 */
import { populationLabels } from '../../analysis/aggregate/labels';
import { analysisSettings, parseConfig } from '../../analysis/config';
import type { MechanismLine } from '../../analysis/demo/mechanism-lines';
import { analyzeDistribution, type DistributionEntry } from '../../analysis/distribution';
import { rankInteractions } from '../../analysis/explain/interactions';
import { treeShapInteractions } from '../../analysis/explain/tree-shap';
import { featureMatrix, type ObservationTable } from '../../analysis/frame';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import {
  alignTable,
  compareWithinStrata,
  type DeadTime,
  findDeadTimes,
  type StratifiedComparison,
  type WhatToDo,
  whatToDo,
} from '../../analysis/rules';

export interface LineAnalysis {
  readonly labels: Uint8Array;
  readonly before: readonly DistributionEntry[];
  readonly after: readonly DistributionEntry[];
  readonly deadTimes: readonly DeadTime[];
  readonly strata: readonly StratifiedComparison[];
  readonly result: WhatToDo;
  readonly interactions?: ReturnType<typeof rankInteractions>;
  readonly aligned: ObservationTable;
}

export function labelsOf(line: MechanismLine): Uint8Array {
  const config = parseConfig({
    name: 'rules line',
    line: 'rules',
    source: { kind: 'file', path: 'line.parquet' },
    target: line.truth.target,
    aggregation: line.truth.shape === 'minutes' ? { window: '10m' } : 'none',
  });
  const settings = analysisSettings(config);
  return populationLabels(line.table, settings.target, settings.aggregation).labels;
}

export function explanatory(line: MechanismLine): string[] {
  return line.table.variables
    .map((v) => v.name)
    .filter((n) => n !== line.truth.quality && n !== line.truth.batchColumn);
}

/** Window means (minutes) or the rows themselves (batches), for the interaction model. */
function modelData(line: MechanismLine, labels: Uint8Array) {
  const numeric = line.table.variables.filter(
    (v) => v.data.kind === 'numeric' && v.name !== line.truth.quality,
  );
  const columns = numeric.map((v) => (v.data as { values: Float64Array }).values);
  if (line.truth.shape !== 'minutes')
    return {
      matrix: featureMatrix(
        numeric.map((v) => v.name),
        columns,
      ),
      y: labels,
    };
  const windows = Math.floor(line.table.rows / 10);
  const means = columns.map((c) => {
    const out = new Float64Array(windows);
    for (let w = 0; w < windows; w++) {
      let sum = 0;
      let count = 0;
      for (let i = w * 10; i < w * 10 + 10; i++)
        if (!Number.isNaN(c[i])) {
          sum += c[i];
          count++;
        }
      out[w] = count > 0 ? sum / count : Number.NaN;
    }
    return out;
  });
  const y = new Uint8Array(windows);
  for (let w = 0; w < windows; w++) y[w] = labels[w * 10];
  return {
    matrix: featureMatrix(
      numeric.map((v) => `${v.name}__mean`),
      means,
    ),
    y,
  };
}

export function analyzeLine(
  line: MechanismLine,
  options: { nullDraws?: number; interactions?: boolean } = {},
): LineAnalysis {
  const { table, truth } = line;
  const labels = labelsOf(line);
  const variables = explanatory(line);
  const minutes = truth.shape === 'minutes';
  const deadTimes = minutes ? findDeadTimes(table, labels, variables) : [];
  const lags = new Map(deadTimes.map((d) => [d.variable, d.lagMinutes]));
  const aligned = minutes ? alignTable(table, lags) : table;
  const before = analyzeDistribution(table, labels, { variables });
  const after = minutes ? analyzeDistribution(aligned, labels, { variables }) : before;
  const strata = truth.recipeColumn ? compareWithinStrata(aligned, labels, after, [truth.recipeColumn]) : [];
  const ranked = after.filter((e) => e.kind !== 'identifier').map((e) => e.variable);
  const cut = Math.floor(table.rows * 0.8);
  const all = Uint32Array.from({ length: table.rows }, (_, i) => i);
  const result = whatToDo(
    {
      table: aligned,
      labels,
      train: all.subarray(0, cut),
      validation: all.subarray(cut),
      variables: ranked,
      roles: truth.roles,
      lagMinutes: lags,
    },
    { nullDraws: options.nullDraws ?? 19 },
  );
  let interactions: ReturnType<typeof rankInteractions> | undefined;
  if (options.interactions) {
    const { matrix, y } = modelData(line, labels);
    const model = trainGbdt(binDataset(matrix), y, {
      params: { num_iterations: 100, learning_rate: 0.1, num_leaves: 15, min_data_in_leaf: 20, seed: 1 },
    });
    const sample = Math.min(300, matrix.rows);
    const rows = Array.from({ length: sample }, (_, k) => Math.floor((k * matrix.rows) / sample));
    interactions = rankInteractions(treeShapInteractions(model, matrix, rows));
  }
  return {
    labels,
    before,
    after,
    deadTimes,
    strata,
    result,
    aligned,
    ...(interactions ? { interactions } : {}),
  };
}

function sd(table: ObservationTable, name: string): number {
  const v = table.variables.find((x) => x.name === name);
  if (v?.data.kind !== 'numeric') throw new Error(`${name} is not numeric`);
  let sum = 0;
  let count = 0;
  for (const x of v.data.values)
    if (!Number.isNaN(x)) {
      sum += x;
      count++;
    }
  const mean = sum / count;
  let ss = 0;
  for (const x of v.data.values) if (!Number.isNaN(x)) ss += (x - mean) ** 2;
  return Math.sqrt(ss / (count - 1));
}

export interface Verdict {
  readonly pass: boolean;
  /** Lines where the criterion does not apply (a dead time already in the top 3 without alignment). */
  readonly applies: boolean;
  readonly detail: string;
}

const rank = (entries: readonly DistributionEntry[], name: string) =>
  entries.filter((e) => e.kind !== 'identifier').findIndex((e) => e.variable === name) + 1;

/** The acceptance criterion of the line's mechanism. */
export function judge(line: MechanismLine, a: LineAnalysis): Verdict {
  const { truth, table } = line;
  const errorSd = (value: number | null | undefined, truthValue: number, name: string) =>
    value === null || value === undefined
      ? Number.POSITIVE_INFINITY
      : Math.abs(value - truthValue) / sd(table, name);
  const goodRule = (r: WhatToDo['rules'][number]) => r.qValue !== null && r.qValue <= 0.05;
  switch (truth.mechanism) {
    case 'threshold':
    case 'indicator': {
      const t = truth.thresholds[0];
      const w = a.result.operatingWindows.find((x) => x.variable === t.variable);
      const bound = t.direction === 'above' ? w?.high : w?.low;
      const e = errorSd(bound, t.value, t.variable);
      let pass = e <= 0.3;
      let detail = `window ${w?.low ?? '-'}..${w?.high ?? '-'}, truth ${t.direction} ${t.value.toFixed(3)}, error ${e.toFixed(2)} sd`;
      if (truth.mechanism === 'indicator') {
        const rec = a.result.recommendation;
        const onCause = rec?.conditions.some((c) => c.variable === t.variable) ?? false;
        const noIndicator = !rec?.conditions.some((c) => c.variable === truth.indicator);
        const marked = a.result.rules
          .filter((r) => r.conditions.some((c) => c.variable === truth.indicator))
          .every((r) => r.indicator);
        pass = pass && onCause && noIndicator && marked;
        detail += `; recommendation ${JSON.stringify(rec?.conditions.map((c) => c.variable))}, indicator rules marked ${marked}`;
      }
      return { pass, applies: true, detail };
    }
    case 'range': {
      const [lo, hi] = truth.thresholds;
      const w = a.result.operatingWindows.find((x) => x.variable === lo.variable);
      const el = errorSd(w?.low, lo.value, lo.variable);
      const eh = errorSd(w?.high, hi.value, hi.variable);
      return {
        pass: el <= 0.3 && eh <= 0.3,
        applies: true,
        detail: `errors ${el.toFixed(2)}, ${eh.toFixed(2)} sd`,
      };
    }
    case 'interaction': {
      const [ta, tb] = truth.thresholds;
      const found = a.result.rules.find((r) => {
        if (!goodRule(r) || (r.lift ?? 0) < 3) return false;
        const ca = r.conditions.find(
          (c) => c.variable === ta.variable && c.op === (ta.direction === 'above' ? '>' : '<='),
        );
        const cb = r.conditions.find(
          (c) => c.variable === tb.variable && c.op === (tb.direction === 'above' ? '>' : '<='),
        );
        return (
          ca !== undefined &&
          cb !== undefined &&
          errorSd(ca.value as number, ta.value, ta.variable) <= 0.3 &&
          errorSd(cb.value as number, tb.value, tb.variable) <= 0.3
        );
      });
      const top: readonly string[] = a.interactions?.[0]?.variables ?? [];
      const pairFirst =
        a.interactions === undefined || (top.includes(ta.variable) && top.includes(tb.variable));
      return {
        pass: found !== undefined && pairFirst,
        applies: true,
        detail: `rule ${found ? `lift ${found.lift?.toFixed(1)}` : 'missing'}; top pair ${top.join('+') || '(not computed)'}`,
      };
    }
    case 'lot': {
      const found = a.result.rules
        .slice(0, 3)
        .find(
          (r) =>
            goodRule(r) &&
            r.conditions.some((c) => c.op === 'in' && c.value.includes(truth.badLot as string)),
        );
      return {
        pass: found !== undefined,
        applies: true,
        detail: found ? JSON.stringify(found.conditions) : 'no rule names the lot',
      };
    }
    case 'dead-time': {
      const cause = truth.causes[0];
      const d = a.deadTimes.find((x) => x.variable === cause);
      const lagOk = d !== undefined && Math.abs(d.lagMinutes - (truth.lagMinutes as number)) <= 10;
      const before = rank(a.before, cause);
      const after = rank(a.after, cause);
      return {
        pass: lagOk && after === 1,
        applies: before > 3,
        detail: `lag ${d?.lagMinutes} for ${truth.lagMinutes}; rank ${before} -> ${after}`,
      };
    }
    case 'stratified': {
      const cause = truth.causes[0];
      const c = a.strata.find((x) => x.variable === cause);
      const top = c ? [...c.strata].sort((x, y) => y.score - x.score)[0] : undefined;
      const e = errorSd(top?.threshold, truth.thresholds[0].value, cause);
      const pass = top?.stratum === truth.recipe && e <= 0.3 && c?.confounded === false;
      return {
        pass,
        applies: true,
        detail: `top stratum ${top?.stratum} (truth ${truth.recipe}), threshold error ${e.toFixed(2)} sd, confounded ${c?.confounded}`,
      };
    }
    case 'confounded': {
      const name = (truth.confounded as readonly string[])[0];
      const c = a.strata.find((x) => x.variable === name);
      return {
        pass: c?.confounded === true,
        applies: true,
        detail: `${name}: OR ${c?.oddsRatio?.toFixed(2)} vs crude ${c?.crudeOddsRatio?.toFixed(2)}, p ${c?.pValue}`,
      };
    }
    case 'null': {
      const q = a.result.rules[0]?.qValue ?? 1;
      const lagged = a.deadTimes.filter((d) => d.lagMinutes > 0).length;
      return {
        pass: q > 0.05 && lagged === 0,
        applies: true,
        detail: `top rule q ${q}, ${lagged} variables lagged`,
      };
    }
  }
}
