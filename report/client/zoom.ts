/**
 * Zooming on a period: the series redraw on it at once, then the distribution is recomputed on
 * its rows (through the API or in the page, see recompute.ts) and the rankings and histograms
 * redraw with the new entries. A newer zoom wins over one still running.
 */
import { ZoomRefused } from './recompute';
import type { SectionContext } from './sections/section';

let latest = 0;

export async function zoomTo(context: SectionContext, from: number | null, to: number | null): Promise<void> {
  const { state, recompute } = context;
  const ticket = ++latest;
  state.view = { from, to };
  state.emit('view');
  if (from === null || to === null) {
    state.distribution = state.data.results.distribution;
    state.zoomed = null;
    state.status = { kind: 'whole', text: '' };
    state.emit('distribution');
    state.emit('status');
    return;
  }
  const period = `${state.time.label(from)} – ${state.time.label(to)}`;
  if (recompute.kind === 'none') {
    state.status = {
      kind: 'refused',
      text: `Showing ${period}; the ranking is the whole analysis's (this page does not carry the rows to recompute it: open it from line-rca serve).`,
    };
    state.emit('status');
    return;
  }
  state.status = { kind: 'working', text: `Recomputing the distribution on ${period}…` };
  state.emit('status');
  try {
    const outcome = await recompute.zoom(from, to);
    if (ticket !== latest) return;
    state.distribution = outcome.distribution;
    state.zoomed = { from, to, rows: outcome.rows, positives: outcome.positives };
    state.status = {
      kind: 'zoomed',
      text: `Distribution recomputed on ${period}: ${outcome.rows} observations, ${outcome.positives} positive (${recompute.kind === 'api' ? 'by the server' : 'in this page'}).`,
    };
    state.emit('distribution');
  } catch (error) {
    if (ticket !== latest) return;
    const reason = error instanceof ZoomRefused ? error.message : String(error);
    state.status = { kind: 'refused', text: `Cannot recompute on ${period}: ${reason}` };
  }
  state.emit('status');
}
