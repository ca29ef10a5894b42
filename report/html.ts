/**
 * The HTML pages: the report, one self-contained file (no network, no external script) that a
 * process engineer can open from an e-mail, and the list of analyses `serve` shows. The data is
 * embedded as JSON with `<` escaped, the scripts are the bundles `npm run build` makes from
 * `report/client/` (charts on Apache ECharts), and every text from the data is written as text,
 * so names like `<script>` stay text.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportData } from './data';

/** The bundle `name` (`report`, `index`) built by report/build.js into dist/report/client/. */
function bundle(name: string): string {
  // From dist/report/ the bundles sit beside this file; from the sources (tests) under dist/.
  const candidates = [
    path.join(__dirname, 'client', `${name}.js`),
    path.join(__dirname, '..', 'dist', 'report', 'client', `${name}.js`),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`the report's script ${candidates[1]} does not exist: run \`npm run build\` first`);
  }
  return readFileSync(found, 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that can sit inside a <script> element whatever the strings it holds. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script's text inside <script>: only `</script` could end it early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.meta, .hint { color: #666; } table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; } td.name, th.name { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .chart { width: 520px; height: 260px; }
.chart.wide { width: 1060px; height: 200px; } .chart.tall { height: 360px; }
.zoom { margin: 8px 0; } .zoom button { margin-left: 6px; }
.status { margin: 6px 0; padding: 4px 8px; background: #f4f6fa; border-left: 3px solid #4e79a7; }
.status.error { border-left-color: #e15759; background: #fbefef; }
ul.changes li.new { color: #b02a2a; } ul.changes li.gone { color: #2a6a2a; }
`;

/** The document's head; no favicon request (the page stays self-contained). */
function head(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>`;
}

export interface RenderOptions {
  /** Served by `line-rca serve`: zooms ask the API (`./zoom` beside the page) instead of the page's rows. */
  readonly served?: boolean;
}

export function renderReport(data: ReportData, options: RenderOptions = {}): string {
  const r = data.results;
  const title = `${r.name} — line ${r.line}`;
  return `${head(title)}
<body data-mode="${options.served ? 'served' : 'standalone'}">
<h1>${escapeHtml(r.name)}</h1>
<p class="meta">Line ${escapeHtml(r.line)} · target <code>${escapeHtml(data.target)}</code> · analysed ${escapeHtml(r.finishedAt)} · analysis ${escapeHtml(r.id)}</p>
<main id="report"></main>
<script type="application/json" id="report-data">${embeddedJson(data)}</script>
<script>${inlineScript(bundle('report'))}</script>
</body>
</html>
`;
}

/** `serve`'s home page: lines, their analyses newest first, links to the reports. */
export function renderIndexPage(): string {
  return `${head('line-rca analyses')}
<body>
<h1>line-rca analyses</h1>
<p class="meta">Each line's analyses, newest first, with what changed since the run before.</p>
<main id="index"></main>
<script>${inlineScript(bundle('index'))}</script>
</body>
</html>
`;
}
