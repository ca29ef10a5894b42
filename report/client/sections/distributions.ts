/** Each ticked variable's two populations (a histogram, or shares per category) on the period drawn. */
import { categoricalOption, dispose, histogramOption, mount } from '../charts';
import { el } from '../format';
import type { Section } from './section';

export const distributionsSection: Section = {
  id: 'distributions',
  title: 'Distributions',
  render(body, { state }) {
    body.append(
      el(
        'p',
        { class: 'hint' },
        'Blue: negative (good) observations, red: positive (bad) ones; each bar spans its bin, its height the share of the population per unit of the variable; dashed: the separating value. Hover for the figures.',
      ),
    );
    const box = el('div', { id: 'histograms', class: 'charts' });
    body.append(box);
    const draw = () => {
      for (const old of box.querySelectorAll<HTMLElement>('.chart')) dispose(old);
      box.replaceChildren();
      const byName = new Map(state.distribution.map((d) => [d.variable, d]));
      const period = state.zoomed
        ? `${state.time.label(state.zoomed.from)} – ${state.time.label(state.zoomed.to)}`
        : 'whole analysis';
      for (const name of state.selected) {
        const entry = byName.get(name);
        if (!entry || entry.kind === 'identifier') continue;
        const chart = el('div', {
          class: `chart histogram ${entry.kind}`,
          'data-variable': name,
          'data-period': state.zoomed ? 'zoomed' : 'whole',
        });
        box.append(chart);
        mount(
          chart,
          entry.kind === 'numeric' ? histogramOption(entry, period) : categoricalOption(entry, period),
        );
      }
      if (!box.childElementCount)
        box.append(el('p', {}, 'Tick variables in the rankings to draw them here.'));
    };
    state.on('distribution', draw);
    state.on('selection', draw);
    draw();
  },
};
