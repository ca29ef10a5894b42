/**
 * "What to do": operating windows, risk rules and the recommended way of running the line, from
 * one table of observations labelled bad or good, found on the training part and measured again
 * on the validation period. The table is read as given: align it on each variable's dead time
 * first (`alignTable`), and pass the lags so the results can say "40 minutes before".
 */
import type { Labels, ObservationTable } from '../frame';
import { ruleColumns, ruleFigures, ruleMask } from './columns';
import { circularShiftNull, type LabelNull, maxTPValues } from './null';
import { type OperatingWindowOptions, operatingWindow } from './operating-window';
import { isIndicator, roleOf } from './roles';
import { type SubgroupSearchOptions, searchSubgroups } from './subgroups';
import type { Condition, OperatingWindow, Recommendation, RoleLists, RuleEntry } from './types';

export interface WhatToDoInput {
  readonly table: ObservationTable;
  readonly labels: Labels;
  /** Training rows and validation rows (row indices, time order); validation may be empty. */
  readonly train: ArrayLike<number>;
  readonly validation: ArrayLike<number>;
  /** Candidate variables, strongest first (e.g. the distribution ranking). */
  readonly variables: readonly string[];
  readonly roles?: RoleLists;
  /** Dead time of each variable, in minutes, when the table was aligned on it. */
  readonly lagMinutes?: ReadonlyMap<string, number>;
}

export interface WhatToDoOptions {
  readonly windows?: OperatingWindowOptions;
  /** Windows for at most this many variables, the first numeric ones given (default 10). */
  readonly maxWindows?: number;
  readonly rules?: SubgroupSearchOptions;
  /** Rules name at most this many variables, the first ones given (default 12). */
  readonly maxRuleVariables?: number;
  /** Null draws for the rules' q-values (default 99; 0 for none). */
  readonly nullDraws?: number;
  readonly labelNull?: LabelNull;
  readonly seed?: number;
}

export interface WhatToDo {
  readonly operatingWindows: OperatingWindow[];
  readonly rules: RuleEntry[];
  readonly recommendation: Recommendation | null;
  /** How the rules' q-values were obtained. */
  readonly ruleEvidence: { readonly method: string; readonly draws: number };
}

/** Operating windows for at most this many variables, rules over at most this many (defaults). */
const MAX_WINDOWS = 10;
const MAX_RULE_VARIABLES = 12;

/**
 * The variables `whatToDo` looks at among `ranked` (strongest first), in that order: the first
 * `maxRuleVariables`, and the first `maxWindows` numeric ones. A caller need read no others.
 */
export function whatToDoVariables(
  ranked: readonly { readonly variable: string; readonly numeric: boolean }[],
  options: Pick<WhatToDoOptions, 'maxWindows' | 'maxRuleVariables'> = {},
): string[] {
  const rules = options.maxRuleVariables ?? MAX_RULE_VARIABLES;
  let windows = options.maxWindows ?? MAX_WINDOWS;
  return ranked
    .filter((r, k) => {
      const windowed = r.numeric && windows > 0;
      if (windowed) windows--;
      return k < rules || windowed;
    })
    .map((r) => r.variable);
}

function numericNames(table: ObservationTable, names: readonly string[]): string[] {
  const numeric = new Set(table.variables.filter((v) => v.data.kind === 'numeric').map((v) => v.name));
  return names.filter((n) => numeric.has(n));
}

function localLabels(labels: Labels, rows: ArrayLike<number>): Uint8Array {
  const y = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) y[k] = labels[rows[k]];
  return y;
}

function windowsOf(input: WhatToDoInput, options: WhatToDoOptions): OperatingWindow[] {
  const names = numericNames(input.table, input.variables).slice(0, options.maxWindows ?? MAX_WINDOWS);
  const out: OperatingWindow[] = [];
  for (const name of names) {
    const variable = input.table.variables.find((v) => v.name === name);
    if (variable?.data.kind !== 'numeric') continue;
    const found = operatingWindow(
      name,
      variable.data.values,
      input.labels,
      input.train,
      input.validation,
      options.windows,
    );
    if (!found) continue;
    const role = roleOf(input.roles, name);
    const lag = input.lagMinutes?.get(name) ?? 0;
    out.push({
      ...found,
      ...(role ? { role } : {}),
      indicator: isIndicator(role),
      ...(lag > 0 ? { lagMinutes: lag } : {}),
    });
  }
  return out;
}

/** Good observations kept and bad rates inside and outside, for the recommendation. */
function recommendationFigures(
  input: WhatToDoInput,
  conditions: readonly Condition[],
  rows: ArrayLike<number>,
) {
  const inside = ruleMask(input.table, conditions, rows);
  let badIn = 0;
  let goodIn = 0;
  let badOut = 0;
  let goodOut = 0;
  for (let k = 0; k < rows.length; k++) {
    const y = input.labels[rows[k]];
    if (inside[k]) {
      if (y) badIn++;
      else goodIn++;
    } else if (y) badOut++;
    else goodOut++;
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    badRate: ratio(badIn, badIn + goodIn),
    badRateOutside: ratio(badOut, badOut + goodOut),
    support: rows.length > 0 ? (badIn + goodIn) / rows.length : 0,
    goodKept: ratio(goodIn, goodIn + goodOut),
    rows: badIn + goodIn,
    positives: badIn,
  };
}

/**
 * The complementary rule on the variables one can act on: the best subgroup with fewer bad
 * observations, quality support × (overall bad rate − bad rate inside), so it trades a low bad
 * rate against keeping most of the production.
 */
function recommend(
  input: WhatToDoInput,
  options: WhatToDoOptions,
  names: readonly string[],
): Recommendation | null {
  const actionable = names.filter((n) => !isIndicator(roleOf(input.roles, n)));
  if (actionable.length === 0) return null;
  const columns = ruleColumns(input.table, input.train, actionable);
  const y = localLabels(input.labels, input.train);
  const [chosen] = searchSubgroups(columns, y, { ...options.rules, seek: 'good', maxRules: 1 });
  if (!chosen) return null;
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  const train = recommendationFigures(input, chosen.conditions, input.train);
  const validation =
    input.validation.length > 0 ? recommendationFigures(input, chosen.conditions, input.validation) : null;
  return {
    conditions: chosen.conditions,
    ...train,
    baseRate: positives / y.length,
    validation: validation && {
      badRate: validation.badRate,
      badRateOutside: validation.badRateOutside,
      support: validation.support,
      goodKept: validation.goodKept,
    },
  };
}

/**
 * The best rule quality the whole search finds on draws `from` .. `from + count − 1` of the null
 * (the same draws however they are split, so parts can run side by side).
 */
export function nullBestQualities(
  input: WhatToDoInput,
  options: WhatToDoOptions,
  from: number,
  count: number,
): number[] {
  const names = input.variables.slice(0, options.maxRuleVariables ?? MAX_RULE_VARIABLES);
  const columns = ruleColumns(input.table, input.train, names);
  const y = localLabels(input.labels, input.train);
  const labelNull = options.labelNull ?? circularShiftNull;
  return labelNull
    .draw(y, from + count, options.seed ?? 1)
    .slice(from)
    .map(
      (shifted) =>
        searchSubgroups(columns, shifted as Uint8Array, { ...options.rules, seek: 'bad', maxRules: 1 })[0]
          ?.quality ?? 0,
    );
}

/** The rules' q-values from the best quality of each null draw (max-T, `maxTPValues`). */
export function withRuleQValues(found: WhatToDo, bestPerDraw: readonly number[], method: string): WhatToDo {
  const qValues = maxTPValues(
    found.rules.map((r) => r.wracc),
    bestPerDraw,
  );
  return {
    ...found,
    rules: found.rules.map((r, k) => ({ ...r, qValue: qValues[k] })),
    ruleEvidence: { method, draws: bestPerDraw.length },
  };
}

/**
 * Windows, rules and the recommendation; the rules' q-values from `nullDraws` draws of the null
 * (0: none, `qValue` null, for a caller that draws them apart with `nullBestQualities`).
 */
export function whatToDo(input: WhatToDoInput, options: WhatToDoOptions = {}): WhatToDo {
  const operatingWindows = windowsOf(input, options);
  const names = input.variables.slice(0, options.maxRuleVariables ?? MAX_RULE_VARIABLES);
  const columns = ruleColumns(input.table, input.train, names);
  const y = localLabels(input.labels, input.train);
  const found = searchSubgroups(columns, y, { ...options.rules, seek: 'bad' });
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  const baseRate = y.length > 0 ? positives / y.length : 0;
  const rules: RuleEntry[] = found.map((s) => ({
    conditions: s.conditions,
    badRate: s.positives / s.size,
    baseRate,
    support: s.size / y.length,
    coverage: positives > 0 ? s.positives / positives : null,
    lift: baseRate > 0 ? s.positives / s.size / baseRate : null,
    rows: s.size,
    positives: s.positives,
    wracc: s.quality,
    qValue: null,
    validation:
      input.validation.length > 0
        ? ruleFigures(input.table, s.conditions, input.labels, input.validation)
        : null,
    indicator: s.conditions.some((c) => isIndicator(roleOf(input.roles, c.variable))),
  }));
  const labelNull = options.labelNull ?? circularShiftNull;
  const result: WhatToDo = {
    operatingWindows,
    rules,
    recommendation: recommend(input, options, names),
    ruleEvidence: { method: labelNull.method, draws: 0 },
  };
  const draws = found.length === 0 ? 0 : (options.nullDraws ?? 99);
  if (draws === 0) return result;
  return withRuleQValues(result, nullBestQualities(input, options, 0, draws), labelNull.method);
}
