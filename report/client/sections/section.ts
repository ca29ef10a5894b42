/**
 * A section of the report: a heading and a body its `render` fills, given the shared state. The
 * report is the list in `sections/index.ts`; a new section is one file and one line there.
 */
import { el } from '../format';
import type { Recompute } from '../recompute';
import type { ReportState } from '../state';

export interface SectionContext {
  readonly state: ReportState;
  readonly recompute: Recompute;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Fills `body`; subscribes to the state topics it draws. Omitted from the page when false. */
  render(body: HTMLElement, context: SectionContext): boolean | undefined;
}

export function renderSections(
  root: HTMLElement,
  sections: readonly Section[],
  context: SectionContext,
): void {
  for (const section of sections) {
    const box = el('section', { id: section.id });
    const body = el('div');
    box.append(el('h2', {}, section.title), body);
    // In the page before drawing: a chart takes its size from its place.
    root.append(box);
    if (section.render(body, context) === false) box.remove();
  }
}
