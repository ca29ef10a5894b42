/**
 * Both rankings side by side with the combined rank; tick a variable to draw it below. On a
 * zoomed period the distribution columns are the period's (the model's stay the analysis's).
 */
import { suspectedLeakText } from '../../../analysis/distribution/measures';
import { el, fmt } from '../format';
import { combined, ranked } from '../state';
import type { Section } from './section';

const HEADERS = [
  'show',
  'combined',
  'variable',
  'distribution rank',
  'score',
  'q-value',
  'separating value',
  'SHAP rank',
  'mean |SHAP|',
  'evidence',
];

export const rankingsSection: Section = {
  id: 'rankings',
  title: 'Rankings',
  render(body, { state }) {
    body.append(
      el(
        'p',
        {},
        "Left: how different each variable's distribution is between positive and negative observations. Right: how much it drives the model (SHAP). Tick variables to show them below.",
      ),
    );
    for (const d of state.data.results.distribution) {
      if (d.kind !== 'identifier' && d.suspectedLeak) {
        body.append(
          el('p', { class: 'status error', 'data-leak': d.variable }, suspectedLeakText(d.variable)),
        );
      }
    }
    const status = el('p', { id: 'zoom-status', class: 'status', 'data-state': 'whole' });
    const table = el('table', { id: 'rankings-table' });
    body.append(status, table);

    const drawStatus = () => {
      status.dataset.state = state.status.kind;
      status.textContent = state.status.text;
      status.hidden = state.status.kind === 'whole';
      status.className = `status${state.status.kind === 'refused' ? ' error' : ''}`;
      if (state.zoomed) {
        status.dataset.from = new Date(state.zoomed.from).toISOString();
        status.dataset.to = new Date(state.zoomed.to).toISOString();
      } else {
        delete status.dataset.from;
        delete status.dataset.to;
      }
    };

    const draw = () => {
      table.replaceChildren();
      table.dataset.zoomed = state.zoomed ? 'true' : 'false';
      const head = el('tr');
      HEADERS.forEach((h, i) => {
        head.append(
          el(
            'th',
            i === 2 ? { class: 'name' } : {},
            i === 3 && state.zoomed ? 'distribution rank (period)' : h,
          ),
        );
      });
      table.append(head);
      const dist = ranked(state.distribution);
      const byName = new Map(dist.list.map((d) => [d.variable, d]));
      const importance = new Map(state.data.results.importance.map((d) => [d.variable, d]));
      const verdicts = new Map((state.data.results.causes ?? []).map((c) => [c.variable, c]));
      combined(state).forEach((c, i) => {
        const d = byName.get(c.variable);
        const imp = importance.get(c.variable);
        const tr = el('tr', { 'data-variable': c.variable });
        if (d) {
          tr.dataset.score = String(d.score);
          tr.dataset.q = String(d.qValue);
          tr.dataset.distributionRank = String(dist.rank.get(c.variable));
        }
        const box = el('input', { type: 'checkbox', 'data-variable': c.variable });
        box.checked = state.selected.has(c.variable);
        box.addEventListener('change', () => {
          if (box.checked) state.selected.add(c.variable);
          else state.selected.delete(c.variable);
          state.emit('selection');
        });
        const cell = el('td');
        cell.append(box);
        let separating = '—';
        if (d?.kind === 'numeric' && d.threshold !== null) {
          separating = `${d.direction === 'above' ? '>' : '≤'} ${fmt(d.threshold, 4)}`;
        } else if (d?.kind === 'categorical' && d.categories.length > 0) separating = d.categories.join(', ');
        tr.append(
          cell,
          el('td', {}, String(i + 1)),
          el('td', { class: 'name' }, c.variable),
          el('td', {}, d ? String(dist.rank.get(c.variable)) : '—'),
          el('td', {}, d ? fmt(d.score, 3) : '—'),
          el('td', {}, d ? fmt(d.qValue, 2) : '—'),
          el('td', {}, separating),
          el('td', {}, c.importanceRank !== null ? String(c.importanceRank) : '—'),
          el('td', {}, imp ? fmt(imp.meanAbsShap, 3) : '—'),
          el(
            'td',
            { title: verdicts.get(c.variable)?.evidence ?? '' },
            verdicts.get(c.variable)?.verdict ?? '—',
          ),
        );
        table.append(tr);
      });
    };
    state.on('distribution', draw);
    state.on('status', drawStatus);
    draw();
    drawStatus();
  },
};
