/**
 * Which variables act together in the model (results `interactions`: pairs by mean |SHAP
 * interaction|), and for the first pairs a dependence plot (Lundberg et al. 2020): the
 * variable's SHAP value against its value (scaled to its range, as in the beeswarm), each point
 * coloured by its partner's value on the same observation.
 */
import { levelColors, mount } from '../charts';
import { el, fmt } from '../format';
import type { Section } from './section';

/** Dependence plots drawn: the first pairs' first variables. */
const PLOTS = 3;

export const interactionsSection: Section = {
  id: 'interactions',
  title: 'Interactions',
  render(body, { state }) {
    const pairs = state.data.results.interactions;
    if (!pairs || pairs.length === 0) return false;
    body.append(
      el(
        'p',
        { class: 'hint' },
        'Pairs of variables whose effects on the model depend on each other: strength is the mean |SHAP interaction| of the pair (log-odds), strongest first.',
      ),
    );
    const table = el('table', { id: 'interactions-table' });
    const head = el('tr');
    for (const h of ['variables', 'strength']) head.append(el('th', {}, h));
    table.append(head);
    for (const p of pairs) {
      const tr = el('tr', { 'data-pair': p.variables.join(' × ') });
      tr.append(el('td', {}, `${p.variables[0]} × ${p.variables[1]}`), el('td', {}, fmt(p.strength, 3)));
      table.append(tr);
    }
    body.append(table);
    const shap = state.data.shap;
    if (!shap) return true;
    const box = el('div', { class: 'charts' });
    body.append(box);
    for (const [a, b] of pairs.slice(0, PLOTS).map((p) => p.variables)) {
      const own = shap.variables.indexOf(a);
      const partner = shap.variables.indexOf(b);
      if (own < 0 || partner < 0) continue;
      const data = shap.points[own].map((p, k) => [
        p.level ?? Number.NaN,
        p.shap,
        shap.points[partner][k]?.level ?? -1,
      ]);
      const chart = el('div', { class: 'chart dependence', 'data-variable': a, 'data-partner': b });
      box.append(chart);
      mount(chart, {
        title: { left: 4, top: 0, textStyle: { fontSize: 13 }, text: `${a}, coloured by ${b}` },
        grid: { left: 64, right: 72, top: 36, bottom: 40 },
        tooltip: {
          trigger: 'item',
          formatter: (p: { value: [number, number, number] }) =>
            `${a} level ${fmt(p.value[0], 2)}<br>SHAP ${fmt(p.value[1], 3)}<br>${b} level ${p.value[2] < 0 ? 'missing' : fmt(p.value[2], 2)}`,
        },
        xAxis: {
          type: 'value',
          min: 0,
          max: 1,
          name: `${a} (scaled to its range)`,
          nameLocation: 'middle',
          nameGap: 26,
        },
        yAxis: { type: 'value', name: 'SHAP (log-odds)', nameLocation: 'middle', nameGap: 44 },
        visualMap: levelColors(`${b} high`),
        series: [{ type: 'scatter', symbolSize: 4, data: data.filter((d) => !Number.isNaN(d[0])) }],
      });
    }
    return true;
  },
};
