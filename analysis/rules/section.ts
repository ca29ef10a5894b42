/**
 * The report's "What to do" section as data: each operating window, the strongest rules and the
 * recommended way of running the line, in plain words and with the bounds to draw on the
 * histograms and the time series. Levers (settings, materials, variables without a role) and
 * indicators (measurements, ambient conditions) are kept apart: an indicator moves with the
 * problem and nobody can set it.
 */
import type { Condition, OperatingWindow, Recommendation, RuleEntry } from './types';

/** What to draw for one variable: the interval to keep or to avoid, or categories. */
export interface DrawnBound {
  readonly variable: string;
  readonly low: number | null;
  readonly high: number | null;
  readonly categories?: readonly string[];
  /** Read the variable this many minutes before the target. */
  readonly lagMinutes?: number;
}

export interface WhatToDoItem {
  readonly kind: 'recommendation' | 'window' | 'rule';
  /** One sentence, e.g. "Keep oven_zone2_temp at or below 235.8: …". */
  readonly text: string;
  readonly variables: readonly string[];
  readonly bounds: readonly DrawnBound[];
  /** For a rule: the ranges where bad observations gather (avoid); otherwise the ranges to keep. */
  readonly avoid: boolean;
}

export interface WhatToDoSection {
  readonly actions: readonly WhatToDoItem[];
  readonly indicators: readonly WhatToDoItem[];
}

const number = (x: number) => Number(x.toPrecision(4)).toString();
const percent = (x: number | null) => (x === null ? 'n/a' : `${Number((100 * x).toPrecision(2))} %`);

function named(variable: string, lags: ReadonlyMap<string, number>): string {
  const lag = lags.get(variable) ?? 0;
  return lag > 0 ? `${variable} (${number(lag)} minutes before)` : variable;
}

function conditionText(c: Condition, lags: ReadonlyMap<string, number>): string {
  if (c.op === 'in') return `${named(c.variable, lags)} is ${c.value.join(' or ')}`;
  return `${named(c.variable, lags)} ${c.op === '<=' ? '≤' : '>'} ${number(c.value)}`;
}

/** The conditions as bounds per variable (two conditions on one variable make an interval). */
export function boundsOf(
  conditions: readonly Condition[],
  lags: ReadonlyMap<string, number> = new Map(),
): DrawnBound[] {
  const out = new Map<string, { low: number | null; high: number | null; categories?: readonly string[] }>();
  for (const c of conditions) {
    const b = out.get(c.variable) ?? { low: null, high: null };
    if (c.op === 'in') b.categories = c.value;
    else if (c.op === '<=') b.high = b.high === null ? c.value : Math.min(b.high, c.value);
    else b.low = b.low === null ? c.value : Math.max(b.low, c.value);
    out.set(c.variable, b);
  }
  return [...out].map(([variable, b]) => {
    const lag = lags.get(variable) ?? 0;
    return { variable, ...b, ...(lag > 0 ? { lagMinutes: lag } : {}) };
  });
}

function windowText(w: OperatingWindow, lags: ReadonlyMap<string, number>): string {
  const name = named(w.variable, lags);
  const range =
    w.low !== null && w.high !== null
      ? `between ${number(w.low)} and ${number(w.high)}`
      : w.high !== null
        ? `at or below ${number(w.high)}`
        : `above ${number(w.low as number)}`;
  const verb = w.indicator ? 'Bad observations are rarer with' : 'Keep';
  const validation = w.validation
    ? ` (validation period: ${percent(w.validation.badRateInside)} and ${percent(w.validation.badRateOutside)})`
    : '';
  return `${verb} ${name} ${range}: ${percent(w.badRateInside)} bad inside, ${percent(w.badRateOutside)} outside${validation}; keeps ${percent(w.goodKept)} of good production.`;
}

function ruleText(r: RuleEntry, lags: ReadonlyMap<string, number>): string {
  const when = r.conditions.map((c) => conditionText(c, lags)).join(' and ');
  const lift = r.lift === null ? '' : `, ${number(r.lift)} times the usual ${percent(r.baseRate)}`;
  return `When ${when}: ${percent(r.badRate)} bad${lift}; ${percent(r.coverage)} of the bad observations, ${percent(r.support)} of all.`;
}

function recommendationText(r: Recommendation, lags: ReadonlyMap<string, number>): string {
  const run = r.conditions.map((c) => conditionText(c, lags)).join(' and ');
  return `Run with ${run}: ${percent(r.badRate)} bad instead of ${percent(r.baseRate)} overall (${percent(r.badRateOutside)} otherwise), keeping ${percent(r.goodKept)} of good production.`;
}

/**
 * The section from the results' `operatingWindows`, `rules` (q ≤ `maxQ` only, at most
 * `maxRules`) and `recommendation`; `lagMinutes` per variable from the distribution entries.
 */
export function whatToDoSection(
  results: {
    readonly operatingWindows: readonly OperatingWindow[];
    readonly rules: readonly RuleEntry[];
    readonly recommendation: Recommendation | null;
  },
  options: { lagMinutes?: ReadonlyMap<string, number>; maxRules?: number; maxQ?: number } = {},
): WhatToDoSection {
  const lags = options.lagMinutes ?? new Map<string, number>();
  const actions: WhatToDoItem[] = [];
  const indicators: WhatToDoItem[] = [];
  if (results.recommendation) {
    const r = results.recommendation;
    actions.push({
      kind: 'recommendation',
      text: recommendationText(r, lags),
      variables: [...new Set(r.conditions.map((c) => c.variable))],
      bounds: boundsOf(r.conditions, lags),
      avoid: false,
    });
  }
  for (const w of results.operatingWindows) {
    (w.indicator ? indicators : actions).push({
      kind: 'window',
      text: windowText(w, lags),
      variables: [w.variable],
      bounds: [
        {
          variable: w.variable,
          low: w.low,
          high: w.high,
          ...(w.lagMinutes ? { lagMinutes: w.lagMinutes } : {}),
        },
      ],
      avoid: false,
    });
  }
  const maxQ = options.maxQ ?? 0.05;
  const rules = results.rules
    .filter((r) => r.qValue !== null && r.qValue <= maxQ)
    .slice(0, options.maxRules ?? 3);
  for (const r of rules) {
    (r.indicator ? indicators : actions).push({
      kind: 'rule',
      text: ruleText(r, lags),
      variables: [...new Set(r.conditions.map((c) => c.variable))],
      bounds: boundsOf(r.conditions, lags),
      avoid: true,
    });
  }
  return { actions, indicators };
}
