/** The model's explanation: mean |SHAP| per variable and the per-observation SHAP values. */
import { beeswarmOption, mount, shapBarOption } from '../charts';
import { el } from '../format';
import type { Section } from './section';

export const modelSection: Section = {
  id: 'model',
  title: 'Model explanation',
  render(body, { state }) {
    const importance = state.data.results.importance;
    if (!state.data.results.model || importance.length === 0) return false;
    const box = el('div', { class: 'charts' });
    const bar = el('div', { id: 'shap-bar', class: 'chart tall' });
    box.append(bar);
    body.append(box);
    mount(bar, shapBarOption(importance));
    const shap = state.data.shap;
    if (shap && shap.variables.length > 0) {
      const swarm = el('div', {
        id: 'beeswarm',
        class: 'chart tall',
        'data-points': String(shap.points.flat().length),
      });
      box.append(swarm);
      mount(swarm, beeswarmOption(shap));
    }
  },
};
