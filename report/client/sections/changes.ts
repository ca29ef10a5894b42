/** "What changed since the last run": first in the report, for the night shift. */
import type { Changes } from '../../../analysis/changes';
import { el, fmt, percent } from '../format';
import type { Section } from './section';

function item(list: HTMLElement, text: string, cls = ''): void {
  list.append(el('li', cls ? { class: cls } : {}, text));
}

export const changesSection: Section = {
  id: 'changes',
  title: 'What changed since the last run',
  render(body, { state }) {
    const changes = state.data.results.changes as Changes | null | undefined;
    if (changes === undefined) return false;
    if (changes === null) {
      body.append(
        el('p', {}, 'The first complete analysis of this line and target: nothing to compare with yet.'),
      );
      return;
    }
    body.append(
      el(
        'p',
        { class: 'meta' },
        `Compared with analysis ${changes.previousId} (finished ${changes.previousFinishedAt}); causes: ${changes.causeRule}.`,
      ),
    );
    const list = el('ul', { class: 'changes' });
    for (const v of changes.newCauses) item(list, `New cause: ${v}`, 'new');
    for (const v of changes.goneCauses) item(list, `No longer a cause: ${v}`, 'gone');
    if (changes.newCauses.length === 0 && changes.goneCauses.length === 0) {
      item(list, `Same causes as before: ${changes.causes.join(', ') || 'none'}.`);
    }
    for (const s of changes.thresholdShifts) {
      const side = (d: string) => (d === 'above' ? '>' : '≤');
      item(
        list,
        `${s.variable}: separates at ${side(s.directionTo)} ${fmt(s.to, 4)}, was ${side(s.directionFrom)} ${fmt(s.from, 4)}`,
      );
    }
    for (const w of changes.windowShifts) {
      const range = (r: { low: number | null; high: number | null }) =>
        `${fmt(r.low, 4)} – ${fmt(r.high, 4)}`;
      item(list, `${w.variable}: operating window ${range(w.to)}, was ${range(w.from)}`);
    }
    if (changes.aucChange !== null) {
      item(
        list,
        `Model validation AUC ${changes.aucChange >= 0 ? 'up' : 'down'} by ${fmt(Math.abs(changes.aucChange), 2)}`,
      );
    }
    const rate = changes.badRate;
    item(
      list,
      `Bad rate ${percent(rate.to)}, was ${percent(rate.from)}: ${rate.moved ? 'it moved' : 'about the same'}`,
    );
    body.append(list);
    if (changes.rankMoves.length > 0) {
      const moves = changes.rankMoves
        .slice(0, 8)
        .map((m) => `${m.variable} ${m.from ?? '–'} → ${m.to ?? '–'}`)
        .join(', ');
      body.append(el('p', { class: 'meta' }, `Rank moves (combined ranking): ${moves}.`));
    }
  },
};
