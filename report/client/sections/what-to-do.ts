/**
 * "What to do", first in the report: the recommended way of running the line, the operating
 * windows and the strongest rules in words (analysis/rules/section.ts), levers apart from
 * indicators, each drawn on its variable's histogram (green: keep, red: where bad observations
 * gather) and over time (the same band on the series, when the report has the variable's series).
 */
import type { DistributionEntry } from '../../../analysis/distribution/types';
import {
  type DrawnBound,
  whatToDoSection as describe,
  type WhatToDoItem,
} from '../../../analysis/rules/section';
import type { DistributionRuleFields } from '../../../analysis/rules/types';
import { histogramOption, mount, seriesOption } from '../charts';
import { el, fmt } from '../format';
import type { Section } from './section';

const KEEP = 'rgba(89,161,79,0.18)';
const AVOID = 'rgba(225,87,89,0.18)';

type Option = ReturnType<typeof histogramOption>;

/** The band of a bound on an axis: open ends reach the axis' ends. */
function band(bound: DrawnBound, axis: 'xAxis' | 'yAxis', color: string) {
  const from = bound.low === null ? { [axis]: 'min' } : { [axis]: bound.low };
  const to = bound.high === null ? { [axis]: 'max' } : { [axis]: bound.high };
  return { markArea: { silent: true, itemStyle: { color }, data: [[from, to]] } };
}

/** The chart option with the band added to its first series. */
function withBand(option: Option, bound: DrawnBound, axis: 'xAxis' | 'yAxis', color: string): Option {
  const [first, ...rest] = (option as { series: Record<string, unknown>[] }).series;
  return { ...option, series: [{ ...first, ...band(bound, axis, color) }, ...rest] };
}

function boundText(b: DrawnBound): string {
  if (b.categories) return `${b.variable} in ${b.categories.join(', ')}`;
  const range =
    b.low !== null && b.high !== null
      ? `${fmt(b.low, 4)} < ${b.variable} ≤ ${fmt(b.high, 4)}`
      : b.high !== null
        ? `${b.variable} ≤ ${fmt(b.high, 4)}`
        : `${b.variable} > ${fmt(b.low, 4)}`;
  return b.lagMinutes ? `${range}, read ${fmt(b.lagMinutes, 3)} minutes before` : range;
}

export const whatToDoSection: Section = {
  id: 'what-to-do',
  title: 'What to do',
  render(body, { state }) {
    const results = state.data.results;
    if (!results.operatingWindows && !results.rules) return false;
    const entries = results.distribution as readonly (DistributionEntry & DistributionRuleFields)[];
    const lagMinutes = new Map(
      entries.filter((e) => (e.lagMinutes ?? 0) > 0).map((e) => [e.variable, e.lagMinutes as number]),
    );
    const section = describe(
      {
        operatingWindows: results.operatingWindows ?? [],
        rules: results.rules ?? [],
        recommendation: results.recommendation ?? null,
      },
      { lagMinutes },
    );
    if (section.actions.length === 0 && section.indicators.length === 0) {
      body.append(
        el(
          'p',
          {},
          'No operating window or rule with evidence: no setting separates bad from good observations clearly enough to act on.',
        ),
      );
      return true;
    }
    const byName = new Map(entries.map((e) => [e.variable, e]));
    const list = (items: readonly WhatToDoItem[], heading: string, hint: string) => {
      if (items.length === 0) return;
      body.append(el('h3', {}, heading), el('p', { class: 'hint' }, hint));
      const ol = el('ol', { class: 'what-to-do' });
      for (const item of items) ol.append(el('li', { 'data-kind': item.kind }, item.text));
      body.append(ol);
      const box = el('div', { class: 'charts' });
      body.append(box);
      // Drawn: the recommendation, the first windows and rules, each bound once.
      const drawn = new Set<string>();
      const first = (kind: WhatToDoItem['kind'], count: number) =>
        items.filter((item) => item.kind === kind).slice(0, count);
      for (const item of [...first('recommendation', 1), ...first('window', 3), ...first('rule', 2)]) {
        for (const bound of item.bounds) {
          const entry = byName.get(bound.variable);
          const key = JSON.stringify([bound.variable, bound.low, bound.high, item.avoid]);
          if (entry?.kind !== 'numeric' || bound.categories || drawn.has(key)) continue;
          drawn.add(key);
          const color = item.avoid ? AVOID : KEEP;
          const chart = el('div', { class: 'chart bound-histogram', 'data-variable': bound.variable });
          box.append(chart);
          mount(chart, withBand(histogramOption(entry, boundText(bound)), bound, 'xAxis', color));
          const series = state.data.series;
          if (series?.variables.some((v) => v.name === bound.variable)) {
            const over = el('div', { class: 'chart bound-series', 'data-variable': bound.variable });
            box.append(over);
            const option = seriesOption(bound.variable, series, { from: null, to: null }, state.time);
            mount(over, withBand(option, bound, 'yAxis', color));
          }
        }
      }
    };
    list(
      section.actions,
      'Levers',
      'Settings, materials and variables without a role: what an operator can change. Green: the range to keep; red: where bad observations gather (rules with q ≤ 0.05).',
    );
    list(
      section.indicators,
      'Indicators',
      'Measurements and ambient conditions (variables.roles): they move with the problem, nobody sets them; read them as symptoms.',
    );
    return true;
  },
};
