/**
 * The report's charts on Apache ECharts (only the parts used are bundled), drawn as SVG so they
 * stay crisp when printed or zoomed. Each function returns a chart option; `mount` draws it in a
 * container and keeps the instance for redraws.
 */

import type { CustomSeriesRenderItemAPI } from 'echarts';
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  BrushComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { CategoricalDistribution, NumericDistribution } from '../../analysis/distribution/types';
import type { ImportanceEntry } from '../../analysis/results';
import type { ReportSeries, ReportShapSample } from '../data';
import { fmt, percent, type TimeFormat } from './format';

echarts.use([
  BarChart,
  CustomChart,
  LineChart,
  ScatterChart,
  BrushComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export type Chart = echarts.ECharts;
type Option = echarts.EChartsCoreOption;

export const COLORS = {
  negative: '#4e79a7',
  positive: '#e15759',
  threshold: '#222',
  shade: 'rgba(225,87,89,0.15)',
};
const NAMES = { negative: 'negative (good) observations', positive: 'positive (bad) observations' };
const TITLE = { left: 4, top: 0, textStyle: { fontSize: 13 } };
const short = (name: string) => (name.length > 32 ? `${name.slice(0, 31)}…` : name);

/** Draws `option` in `container` (replacing a chart already there). */
export function mount(container: HTMLElement, option: Option): Chart {
  const existing = echarts.getInstanceByDom(container);
  if (existing) existing.dispose();
  const chart = echarts.init(container, undefined, { renderer: 'svg' });
  // Drawn at once: a report is read (and printed, and screenshotted), not watched.
  chart.setOption({ animation: false, ...option });
  return chart;
}

export function dispose(container: HTMLElement): void {
  echarts.getInstanceByDom(container)?.dispose();
}

/**
 * Both populations' histograms on the variable's axis: each bin spans its edges, its height the
 * share of the population in it divided by the bin's width (a density), so unequal bins are drawn
 * to scale; the tooltip gives the bin and both shares.
 */
export function histogramOption(entry: NumericDistribution, period: string): Option {
  const { edges, negative, positive } = entry.histogram;
  const bins = edges.slice(0, -1).map((lo, i) => {
    const hi = edges[i + 1];
    const width = hi - lo || 1;
    return { lo, hi, width, negative: negative[i], positive: positive[i] };
  });
  const rects = (population: 'negative' | 'positive') =>
    bins.map((b) => [b.lo, b.hi, b[population] / b.width, b[population]]);
  const series = (population: 'negative' | 'positive') => ({
    type: 'custom',
    name: NAMES[population],
    data: rects(population),
    encode: { x: [0, 1], y: 2, tooltip: [3] },
    itemStyle: { color: COLORS[population], opacity: 0.5 },
    renderItem: (_params: unknown, api: CustomSeriesRenderItemAPI) => {
      const start = api.coord([api.value(0), api.value(2)]);
      const end = api.coord([api.value(1), 0]);
      return {
        type: 'rect',
        shape: {
          x: start[0],
          y: start[1],
          width: Math.max(0.5, end[0] - start[0]),
          height: end[1] - start[1],
        },
        style: api.style(),
      };
    },
  });
  const threshold =
    entry.threshold !== null && entry.direction !== null
      ? {
          markLine: {
            symbol: 'none',
            silent: true,
            lineStyle: { color: COLORS.threshold, type: 'dashed' },
            label: { formatter: `${entry.direction === 'above' ? '>' : '≤'} ${fmt(entry.threshold, 4)}` },
            data: [{ xAxis: entry.threshold }],
          },
        }
      : {};
  const negativeSeries = series('negative');
  return {
    title: { ...TITLE, text: short(entry.variable), subtext: period },
    legend: { bottom: 0, data: [NAMES.negative, NAMES.positive], textStyle: { fontSize: 11 } },
    grid: { left: 64, right: 16, top: 48, bottom: 64 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (items: { dataIndex: number }[]) => {
        const b = bins[items[0]?.dataIndex ?? 0];
        if (!b) return '';
        return `${fmt(b.lo, 4)} – ${fmt(b.hi, 4)}<br>${NAMES.negative}: ${percent(b.negative)}<br>${NAMES.positive}: ${percent(b.positive)}`;
      },
    },
    xAxis: {
      type: 'value',
      min: edges[0],
      max: edges[edges.length - 1],
      name: short(entry.variable),
      nameLocation: 'middle',
      nameGap: 24,
      scale: true,
      // The ends are the data's own (not round): shown as short as the ticks.
      axisLabel: { formatter: (v: number) => fmt(v, 4), hideOverlap: true },
    },
    yAxis: { type: 'value', name: 'share per unit', nameLocation: 'middle', nameGap: 40 },
    series: [{ ...negativeSeries, ...threshold }, series('positive')],
  };
}

/** Both populations' shares per category, side by side; the group with the higher bad rate marked. */
export function categoricalOption(entry: CategoricalDistribution, period: string): Option {
  const categories = entry.frequencies.map((f) => f.category);
  const marked = new Set(entry.categories);
  return {
    title: { ...TITLE, text: short(entry.variable), subtext: period },
    legend: { bottom: 0, data: [NAMES.negative, NAMES.positive], textStyle: { fontSize: 11 } },
    grid: { left: 72, right: 16, top: 48, bottom: 64 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
    xAxis: {
      type: 'category',
      data: categories,
      axisLabel: { formatter: (c: string) => (marked.has(c) ? `▲ ${short(c)}` : short(c)) },
    },
    yAxis: {
      type: 'value',
      name: 'share of observations',
      nameLocation: 'middle',
      nameGap: 48,
      axisLabel: { formatter: (v: number) => percent(v, 2) },
    },
    series: (['negative', 'positive'] as const).map((p) => ({
      type: 'bar',
      name: NAMES[p],
      itemStyle: { color: COLORS[p] },
      data: entry.frequencies.map((f) => f[p]),
    })),
  };
}

/** Mean |SHAP| per variable, strongest on top. */
export function shapBarOption(importance: readonly ImportanceEntry[]): Option {
  const top = importance
    .filter((d) => !d.unused)
    .slice(0, 15)
    .reverse();
  return {
    title: { ...TITLE, text: "Model: each variable's mean |SHAP|" },
    grid: { left: 190, right: 48, top: 36, bottom: 40 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt(v, 4) },
    xAxis: { type: 'value', name: 'mean |SHAP| (log-odds)', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: top.map((d) => d.variable), axisLabel: { formatter: short } },
    series: [
      {
        type: 'bar',
        name: 'mean |SHAP|',
        itemStyle: { color: COLORS.positive },
        label: { show: true, position: 'right', formatter: (p: { value: number }) => fmt(p.value, 3) },
        data: top.map((d) => d.meanAbsShap),
      },
    ],
  };
}

/** Points coloured by a value level in 0..1 (their third dimension): low blue, high red, missing grey. */
export function levelColors(high: string) {
  return {
    type: 'continuous',
    dimension: 2,
    min: 0,
    max: 1,
    right: 0,
    top: 'middle',
    text: [high, 'low'],
    itemHeight: 100,
    inRange: { color: ['#2c7bb6', '#d7191c'] },
    outOfRange: { color: '#aaa' },
  };
}

/** Per-row SHAP values of the top variables, coloured by the variable's value (low blue, high red). */
export function beeswarmOption(shap: ReportShapSample): Option {
  const names = [...shap.variables].reverse();
  const points: [number, number, number | null][] = [];
  shap.variables.forEach((_, v) => {
    const y = shap.variables.length - 1 - v;
    shap.points[v].forEach((p, k) => {
      const jitter = (((k * 2654435761) % 1000) / 1000 - 0.5) * 0.6;
      points.push([p.shap, y + jitter, p.level]);
    });
  });
  return {
    title: { ...TITLE, text: 'Model: per-observation SHAP values' },
    grid: { left: 190, right: 72, top: 36, bottom: 40 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: [number, number, number | null] }) =>
        `${names[Math.round(p.value[1])]}<br>SHAP ${fmt(p.value[0], 3)}<br>value level ${p.value[2] === null ? 'missing' : fmt(p.value[2], 2)}`,
    },
    xAxis: { type: 'value', name: 'SHAP value (log-odds)', nameLocation: 'middle', nameGap: 26 },
    yAxis: {
      type: 'value',
      min: -0.5,
      max: names.length - 0.5,
      interval: 1,
      axisLabel: { formatter: (v: number) => short(names[Math.round(v)] ?? '') },
      splitLine: { show: false },
    },
    visualMap: levelColors('high'),
    series: [
      { type: 'scatter', symbolSize: 4, data: points.map((p) => (p[2] === null ? [p[0], p[1], -1] : p)) },
    ],
  };
}

/**
 * A variable over time with the positive periods shaded; dragging across it (the brush) selects
 * a period to zoom on.
 */
export function seriesOption(
  name: string,
  series: ReportSeries,
  view: { from: number | null; to: number | null },
  time: TimeFormat,
): Option {
  const index = series.variables.findIndex((v) => v.name === name);
  const values = series.variables[index].values;
  const from = view.from ?? series.time[0];
  const to = view.to ?? series.time[series.time.length - 1];
  const data: [number, number | null][] = [];
  for (let i = 0; i < series.time.length; i++) {
    const t = series.time[i];
    if (t >= from && t <= to) data.push([t, values[i]]);
  }
  const shaded = series.positive
    .filter(([a, b]) => b >= from && a <= to)
    .map(([a, b]) => [{ xAxis: Math.max(a, from) }, { xAxis: Math.min(b, to) }]);
  return {
    title: { ...TITLE, text: short(name) },
    grid: { left: 64, right: 24, top: 28, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      formatter: (items: { value: [number, number | null] }[]) =>
        items[0] ? `${time.label(items[0].value[0])}<br>${name}: ${fmt(items[0].value[1], 5)}` : '',
    },
    brush: {
      xAxisIndex: 0,
      brushType: 'lineX',
      brushMode: 'single',
      throttleType: 'debounce',
      transformable: false,
    },
    xAxis: {
      type: time.rowOrder ? 'value' : 'time',
      min: from,
      max: to,
      axisLabel: time.rowOrder ? { formatter: (v: number) => time.label(v) } : { hideOverlap: true },
    },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        type: 'line',
        name,
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { width: 1, color: COLORS.negative },
        data,
        markArea: { silent: true, itemStyle: { color: COLORS.shade }, data: shaded },
      },
    ],
  };
}
