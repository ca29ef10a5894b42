/**
 * The ticked variables over time with the positive periods shaded. Drag across a chart (or type
 * a period) to zoom: the charts redraw on it and the distribution is recomputed on its rows.
 */
import { type Chart, mount, seriesOption } from '../charts';
import { el } from '../format';
import { zoomTo } from '../zoom';
import type { Section, SectionContext } from './section';

function controls(box: HTMLElement, context: SectionContext): void {
  const { time } = context.state;
  const type: Record<string, string> = time.rowOrder
    ? { type: 'number', min: '1', step: '1' }
    : { type: 'datetime-local' };
  const from = el('input', { ...type, id: 'zoom-from' });
  const to = el('input', { ...type, id: 'zoom-to' });
  const apply = el('button', { id: 'zoom-apply' }, 'Zoom');
  const reset = el('button', { id: 'zoom-reset' }, 'Whole period');
  apply.addEventListener('click', () => {
    const a = time.fromInput(from.value);
    const b = time.fromInput(to.value);
    if (Number.isFinite(a) && Number.isFinite(b) && a < b) void zoomTo(context, a, b);
  });
  reset.addEventListener('click', () => void zoomTo(context, null, null));
  context.state.on('view', () => {
    const { view } = context.state;
    from.value = view.from === null ? '' : time.toInput(view.from);
    to.value = view.to === null ? '' : time.toInput(view.to);
  });
  box.append(
    el('label', {}, time.rowOrder ? 'from row ' : 'from (UTC) '),
    from,
    el('label', {}, ' to '),
    to,
    apply,
    reset,
    el('span', { class: 'hint' }, ' or drag across a chart'),
  );
}

export const timeSection: Section = {
  id: 'time',
  title: 'Over time',
  render(body, context) {
    const { state } = context;
    const series = state.data.series;
    if (!series) return false;
    body.append(el('p', { class: 'hint' }, 'Shaded: periods where the target was positive.'));
    const zoom = el('div', { class: 'zoom' });
    controls(zoom, context);
    const box = el('div', { id: 'series' });
    body.append(zoom, box);
    const charts: Chart[] = [];
    const draw = () => {
      for (const chart of charts.splice(0)) chart.dispose();
      box.replaceChildren();
      const from = state.view.from ?? series.time[0];
      const to = state.view.to ?? series.time[series.time.length - 1];
      for (const name of state.selected) {
        if (!series.variables.some((v) => v.name === name)) continue;
        const container = el('div', {
          class: 'chart wide series',
          'data-variable': name,
          'data-from': String(from),
          'data-to': String(to),
        });
        box.append(container);
        const chart = mount(container, seriesOption(name, series, state.view, state.time));
        // The brush is on from the start: a drag selects a period.
        chart.dispatchAction({
          type: 'takeGlobalCursor',
          key: 'brush',
          brushOption: { brushType: 'lineX', brushMode: 'single' },
        });
        chart.on('brushEnd', (event: unknown) => {
          const range = (event as { areas?: { coordRange?: [number, number] }[] }).areas?.[0]?.coordRange;
          if (!range) return;
          const [a, b] = [Math.min(range[0], range[1]), Math.max(range[0], range[1])];
          if (b - a > (to - from) / 500) void zoomTo(context, a, b);
        });
        charts.push(chart);
      }
      if (!box.childElementCount)
        box.append(el('p', {}, 'None of the ticked variables has a series in this report.'));
    };
    state.on('view', draw);
    state.on('selection', draw);
    draw();
  },
};
