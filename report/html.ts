/**
 * The HTML report: one self-contained file (no network, no external script) that a process
 * engineer can open from an e-mail. The data is embedded as JSON with `<` escaped, and the
 * client script writes every text with textContent, so names like `<script>` stay text.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportData } from './data';

function clientScript(): string {
  // From the sources (tests) the script sits beside this file; from dist/ it is in the sources.
  const candidates = [
    path.join(__dirname, 'client.js'),
    path.join(__dirname, '..', '..', 'report', 'client.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`report client script not found (looked in ${candidates.join(', ')})`);
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

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.meta { color: #666; } table { border-collapse: collapse; font-size: 13px; } th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; }
td.name, th:nth-child(3) { text-align: left; } .charts { display: flex; flex-wrap: wrap; gap: 12px; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
#zoom { margin: 8px 0; } #zoom button { margin-left: 6px; } .hint { color: #777; } svg.series { cursor: crosshair; }
`;

export function renderReport(data: ReportData): string {
  const r = data.results;
  const title = `${r.name} — line ${r.line}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(r.name)}</h1>
<p class="meta">Line ${escapeHtml(r.line)} · target <code>${escapeHtml(data.target)}</code> · analysed ${escapeHtml(r.finishedAt)} · analysis ${escapeHtml(r.id)}</p>
<h2>Summary</h2>
<div id="summary"></div>
<h2>Rankings</h2>
<p>Left: how different each variable's distribution is between positive and negative observations. Right: how much it drives the model (SHAP). Tick variables to show them below.</p>
<table id="rankings"></table>
<h2>Distributions</h2>
<p class="legend"><span style="background:#4e79a7"></span>negative observations<span style="background:#e15759"></span>positive observations; dashed line: the separating value.</p>
<div id="histograms" class="charts"></div>
<h2>Model explanation</h2>
<div class="charts"><div id="shap-bar"></div><div id="beeswarm"></div></div>
<h2>Over time</h2>
<p>Shaded: periods where the target was positive.</p>
<div id="zoom"></div>
<div id="series"></div>
<script type="application/json" id="report-data">${embeddedJson(data)}</script>
<script>${clientScript()}</script>
</body>
</html>
`;
}
