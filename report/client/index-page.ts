/**
 * `serve`'s home page: the lines, then a line's analyses newest first (20 a page) with what
 * changed since the run before, each linking to its report. A token in the page's address
 * (`?access_token=`) is passed on to the API and the links.
 */
import { el, fmt } from './format';

interface Listing {
  id: string;
  name: string;
  target: string | null;
  status: string;
  finishedAt: string;
  rows: number | null;
  positives: number | null;
  auc: number | null;
  newCauses: string[];
  goneCauses: string[];
}

const token = new URLSearchParams(window.location.search).get('access_token');
const withToken = (path: string) =>
  token ? `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}` : path;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message ?? response.statusText);
  return body as T;
}

const main = document.getElementById('index') as HTMLElement;

async function showLine(line: string, box: HTMLElement, offset = 0): Promise<void> {
  const page = await api<{ total: number; analyses: Listing[] }>(
    `api/lines/${encodeURIComponent(line)}/analyses?limit=20&offset=${offset}`,
  );
  if (offset === 0) box.replaceChildren();
  let table = box.querySelector('table');
  if (!table) {
    table = el('table', { class: 'analyses', 'data-line': line });
    const head = el('tr');
    for (const h of [
      'finished',
      'analysis',
      'target',
      'status',
      'observations',
      'positive',
      'AUC',
      'changes since the run before',
    ]) {
      head.append(
        el('th', h === 'analysis' || h === 'changes since the run before' ? { class: 'name' } : {}, h),
      );
    }
    table.append(head);
    box.append(table);
  }
  for (const a of page.analyses) {
    const tr = el('tr', { 'data-id': a.id });
    const link = el(
      'a',
      { href: withToken(`api/analyses/${encodeURIComponent(a.id)}/report`) },
      a.name || a.id,
    );
    const name = el('td', { class: 'name' });
    name.append(link);
    const changes = [
      ...a.newCauses.map((v) => `new cause ${v}`),
      ...a.goneCauses.map((v) => `no longer ${v}`),
    ].join('; ');
    tr.append(
      el('td', {}, a.finishedAt.slice(0, 16).replace('T', ' ')),
      name,
      el('td', {}, a.target ?? ''),
      el('td', {}, a.status),
      el('td', {}, a.rows === null ? '—' : String(a.rows)),
      el('td', {}, a.positives === null ? '—' : String(a.positives)),
      el('td', {}, fmt(a.auc, 3)),
      el('td', { class: 'name' }, changes),
    );
    table.append(tr);
  }
  box.querySelector('button.more')?.remove();
  const shown = offset + page.analyses.length;
  if (shown < page.total) {
    const more = el('button', { class: 'more' }, `More (${page.total - shown} older)`);
    more.addEventListener('click', () => void showLine(line, box, shown));
    box.append(more);
  }
}

async function start(): Promise<void> {
  const { lines } = await api<{ lines: { line: string; analyses: number; latestFinishedAt: string }[] }>(
    'api/lines',
  );
  if (lines.length === 0) {
    main.append(el('p', {}, 'No analyses yet.'));
    return;
  }
  const choose = el('select', { id: 'line' });
  for (const l of lines) choose.append(el('option', { value: l.line }, `${l.line} (${l.analyses} analyses)`));
  const box = el('div', { id: 'analyses' });
  choose.addEventListener('change', () => void showLine(choose.value, box));
  const label = el('label', {}, 'Line ');
  label.append(choose);
  main.append(label, box);
  await showLine(lines[0].line, box);
}

start().then(
  () => document.body.setAttribute('data-ready', 'true'),
  (error: Error) => {
    main.append(el('p', { class: 'status error' }, `Cannot list the analyses: ${error.message}`));
    document.body.setAttribute('data-ready', 'true');
  },
);
