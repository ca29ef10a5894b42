/** The report page: reads the embedded data, draws the sections, marks the page ready. */
import type { ReportData } from '../data';
import { recomputeFor } from './recompute';
import { SECTIONS } from './sections';
import { renderSections } from './sections/section';
import { combined, createState } from './state';

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as ReportData;
const state = createState(data);
for (const c of combined(state).slice(0, 3)) state.selected.add(c.variable);
const recompute = recomputeFor(data);
document.body.dataset.recompute = recompute.kind;
renderSections(document.getElementById('report') as HTMLElement, SECTIONS, { state, recompute });
document.body.setAttribute('data-ready', 'true');
