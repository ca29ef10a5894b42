// The report's in-browser code: plain ES2020, no library, inlined into report.html.
// Every text from the data goes through textContent or SVG text nodes, never innerHTML, so a
// variable named `<script>` stays text.
(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const results = data.results;
  const COLORS = { neg: '#4e79a7', pos: '#e15759', threshold: '#222', shade: 'rgba(225,87,89,0.15)' };

  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const svgEl = (tag, attrs = {}, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const fmt = (x, digits = 3) => {
    if (x === null || x === undefined || Number.isNaN(x)) return '—';
    if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(1);
    return Number(x.toPrecision(digits)).toString();
  };
  // Long names are shortened on chart axes; the full name shows on hover.
  const label = (svg, x, y, name) => {
    const text = svgEl(
      'text',
      { x, y, 'text-anchor': 'end', 'font-size': 11 },
      name.length > 30 ? `${name.slice(0, 29)}…` : name,
    );
    text.append(svgEl('title', {}, name));
    svg.append(text);
  };
  // A source without time has its rows at 1970-01-01 + i minutes (connectors/sources.ts,
  // `rowOrder`): such a report speaks of rows, not dates.
  const ROW_MS = 60_000;
  const rowOrder = Boolean(data.series && data.series.time.length > 0 && data.series.time[0] === 0);
  const rowOf = (ms) => Math.round(ms / ROW_MS) + 1;
  const fmtTime = (ms) =>
    rowOrder ? `row ${rowOf(ms)}` : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  /** The zoom inputs' text for a time, and back (NaN when it does not parse). */
  const toInput = (ms) => (rowOrder ? String(rowOf(ms)) : new Date(ms).toISOString().slice(0, 16));
  const fromInput = (text) => (rowOrder ? (Number(text) - 1) * ROW_MS : Date.parse(`${text}Z`));

  // ---- rankings -------------------------------------------------------------------------
  const ranked = (results.distribution || []).filter((d) => d.kind !== 'identifier');
  const distRank = new Map(ranked.map((d, i) => [d.variable, i + 1]));
  const shapRank = new Map((results.importance || []).map((d, i) => [d.variable, i + 1]));
  const allVariables = [...new Set([...distRank.keys(), ...shapRank.keys()])];
  const worst = allVariables.length + 1;
  const combined = allVariables
    .map((v) => {
      const ranks = [distRank.get(v), shapRank.get(v)].filter((r) => r !== undefined);
      const both =
        (distRank.get(v) ?? worst) +
        (shapRank.get(v) ?? (shapRank.size ? worst : (distRank.get(v) ?? worst)));
      return { variable: v, score: both / 2, ranks };
    })
    .sort((a, b) => a.score - b.score || a.variable.localeCompare(b.variable));
  const combinedRank = new Map(combined.map((c, i) => [c.variable, i + 1]));
  const distByName = new Map(ranked.map((d) => [d.variable, d]));
  const impByName = new Map((results.importance || []).map((d) => [d.variable, d]));

  const selected = new Set(combined.slice(0, 3).map((c) => c.variable));
  const view = { from: null, to: null };

  // ---- summary --------------------------------------------------------------------------
  function summary() {
    const box = document.getElementById('summary');
    box.replaceChildren();
    const d = results.data || {};
    box.append(
      el(
        'p',
        {},
        `${d.rows ?? '?'} observations, ${d.positives ?? '?'} of them positive (${data.target}); ` +
          `${d.variables ?? '?'} variables compared.`,
      ),
    );
    const list = el('ol');
    for (const c of combined.slice(0, 3)) {
      const dist = distByName.get(c.variable);
      const imp = impByName.get(c.variable);
      const li = el('li');
      li.append(el('strong', {}, c.variable), document.createTextNode(': '));
      const parts = [];
      if (dist && dist.kind === 'numeric' && dist.threshold !== null && dist.threshold !== undefined) {
        const side = dist.direction === 'above' ? 'above' : 'below';
        const inside = side === 'above' ? dist.positiveRateAbove : dist.positiveRateBelow;
        const outside = side === 'above' ? dist.positiveRateBelow : dist.positiveRateAbove;
        parts.push(
          `bad observations are more frequent ${side} ${fmt(dist.threshold, 4)} ` +
            `(${fmt(100 * inside, 2)} % bad ${side}, ${fmt(100 * outside, 2)} % otherwise)`,
        );
      } else if (dist && dist.kind === 'categorical' && dist.categories) {
        parts.push(`bad observations are more frequent with ${dist.categories.join(', ')}`);
      }
      if (dist) {
        const sure =
          dist.qValue < 0.001
            ? 'very unlikely to be chance'
            : dist.qValue < 0.05
              ? 'unlikely to be chance'
              : 'could be chance';
        parts.push(`distributions differ by ${fmt(dist.score, 2)} (q = ${fmt(dist.qValue, 2)}: ${sure})`);
      }
      if (imp) parts.push(`rank ${shapRank.get(c.variable)} in the model's explanation`);
      li.append(document.createTextNode(`${parts.join('; ')}.`));
      list.append(li);
    }
    box.append(el('p', {}, 'The variables that best explain the positives, both analyses combined:'), list);
    if (results.model?.validation) {
      const auc = results.model.validation.auc;
      const word = auc >= 0.9 ? 'well' : auc >= 0.75 ? 'fairly well' : auc >= 0.6 ? 'weakly' : 'hardly';
      box.append(
        el(
          'p',
          {},
          `The best model (${results.model.kind}) tells positives from negatives ${word} on the most recent ` +
            `${results.model.validation.rows} observations it never saw: ROC AUC ${fmt(auc, 3)}, ` +
            `average precision ${fmt(results.model.validation.prAuc, 3)}` +
            (results.model.baseline
              ? ` (logistic baseline: AUC ${fmt(results.model.baseline.validation.auc, 3)}).`
              : '.'),
        ),
      );
    }
  }

  // ---- rankings table -----------------------------------------------------------------------
  function rankingTable() {
    const table = document.getElementById('rankings');
    table.replaceChildren();
    const head = el('tr');
    for (const h of [
      'show',
      'combined',
      'variable',
      'distribution rank',
      'score',
      'q-value',
      'separating value',
      'SHAP rank',
      'mean |SHAP|',
    ]) {
      head.append(el('th', {}, h));
    }
    table.append(head);
    for (const c of combined) {
      const dist = distByName.get(c.variable);
      const imp = impByName.get(c.variable);
      const tr = el('tr');
      const box = el('input', { type: 'checkbox', 'data-variable': c.variable });
      box.checked = selected.has(c.variable);
      box.addEventListener('change', () => {
        if (box.checked) selected.add(c.variable);
        else selected.delete(c.variable);
        drawCharts();
      });
      const cell = el('td');
      cell.append(box);
      let separating = '—';
      if (dist && dist.kind === 'numeric' && dist.threshold !== null && dist.threshold !== undefined) {
        separating = `${dist.direction === 'above' ? '>' : '≤'} ${fmt(dist.threshold, 4)}`;
      } else if (dist && dist.kind === 'categorical' && dist.categories)
        separating = dist.categories.join(', ');
      tr.append(
        cell,
        el('td', {}, String(combinedRank.get(c.variable))),
        el('td', { class: 'name' }, c.variable),
        el('td', {}, dist ? String(distRank.get(c.variable)) : '—'),
        el('td', {}, dist ? fmt(dist.score, 3) : '—'),
        el('td', {}, dist ? fmt(dist.qValue, 2) : '—'),
        el('td', {}, separating),
        el('td', {}, imp ? String(shapRank.get(c.variable)) : '—'),
        el('td', {}, imp ? fmt(imp.meanAbsShap, 3) : '—'),
      );
      table.append(tr);
    }
  }

  // ---- charts -----------------------------------------------------------------------------
  function axisText(svg, x, y, text, anchor = 'middle') {
    svg.append(svgEl('text', { x, y, 'text-anchor': anchor, 'font-size': 11, fill: '#333' }, text));
  }

  function histogram(entry) {
    const W = 360;
    const H = 180;
    const m = { l: 40, r: 10, t: 24, b: 30 };
    const svg = svgEl('svg', {
      width: W,
      height: H,
      class: 'chart histogram',
      'data-variable': entry.variable,
    });
    svg.append(svgEl('text', { x: m.l, y: 14, 'font-size': 12, 'font-weight': 'bold' }, entry.variable));
    const h = entry.histogram;
    if (!h?.edges || h.edges.length < 2) {
      axisText(svg, W / 2, H / 2, entry.note || 'no histogram');
      return svg;
    }
    const lo = h.edges[0];
    const hi = h.edges[h.edges.length - 1];
    const top = Math.max(...h.negative, ...h.positive, 1e-12);
    const sx = (v) => m.l + ((v - lo) / (hi - lo || 1)) * (W - m.l - m.r);
    const sy = (v) => H - m.b - (v / top) * (H - m.t - m.b);
    for (const [series, color] of [
      [h.negative, COLORS.neg],
      [h.positive, COLORS.pos],
    ]) {
      for (let i = 0; i < series.length && i + 1 < h.edges.length; i++) {
        const x0 = sx(h.edges[i]);
        const x1 = sx(h.edges[i + 1]);
        svg.append(
          svgEl('rect', {
            x: x0,
            y: sy(series[i]),
            width: Math.max(0.5, x1 - x0 - 0.5),
            height: H - m.b - sy(series[i]),
            fill: color,
            'fill-opacity': 0.45,
          }),
        );
      }
    }
    if (
      entry.threshold !== null &&
      entry.threshold !== undefined &&
      entry.threshold >= lo &&
      entry.threshold <= hi
    ) {
      const x = sx(entry.threshold);
      svg.append(
        svgEl('line', {
          x1: x,
          x2: x,
          y1: m.t,
          y2: H - m.b,
          stroke: COLORS.threshold,
          'stroke-dasharray': '4 3',
          class: 'threshold',
        }),
      );
      axisText(svg, x, m.t - 2, `${entry.direction === 'above' ? '>' : '≤'} ${fmt(entry.threshold, 4)}`);
    }
    axisText(svg, m.l, H - 12, fmt(lo, 4), 'start');
    axisText(svg, W - m.r, H - 12, fmt(hi, 4), 'end');
    return svg;
  }

  function shapBar() {
    const imp = (results.importance || []).slice(0, 15);
    const W = 520;
    const row = 18;
    const H = 30 + imp.length * row;
    const svg = svgEl('svg', { width: W, height: H, class: 'chart shap-bar' });
    const top = Math.max(...imp.map((d) => d.meanAbsShap), 1e-12);
    imp.forEach((d, i) => {
      const y = 10 + i * row;
      label(svg, 190, y + 12, d.variable);
      svg.append(
        svgEl('rect', {
          x: 196,
          y,
          width: ((W - 260) * d.meanAbsShap) / top,
          height: row - 4,
          fill: COLORS.pos,
        }),
      );
      svg.append(
        svgEl(
          'text',
          { x: 200 + ((W - 260) * d.meanAbsShap) / top, y: y + 12, 'font-size': 10 },
          fmt(d.meanAbsShap, 3),
        ),
      );
    });
    axisText(svg, 196, H - 4, 'mean |SHAP| (log-odds), per variable', 'start');
    return svg;
  }

  function beeswarm() {
    const s = data.shap;
    const W = 520;
    if (!s?.variables.length) return el('p', {}, 'No per-row SHAP values in this report.');
    const row = 26;
    const H = 40 + s.variables.length * row;
    const svg = svgEl('svg', { width: W, height: H, class: 'chart beeswarm' });
    let lo = 0;
    let hi = 0;
    for (const pts of s.points)
      for (const p of pts) {
        lo = Math.min(lo, p.shap);
        hi = Math.max(hi, p.shap);
      }
    const sx = (v) => 196 + ((v - lo) / (hi - lo || 1)) * (W - 216);
    svg.append(svgEl('line', { x1: sx(0), x2: sx(0), y1: 4, y2: H - 24, stroke: '#999' }));
    s.variables.forEach((name, i) => {
      const y = 16 + i * row;
      label(svg, 190, y + 4, name);
      s.points[i].forEach((p, k) => {
        const jitter = (((k * 2654435761) % 1000) / 1000 - 0.5) * (row - 8);
        const level = p.level === null ? null : Math.max(0, Math.min(1, p.level));
        const fill =
          level === null
            ? '#aaa'
            : `rgb(${Math.round(40 + 200 * level)},60,${Math.round(240 - 200 * level)})`;
        svg.append(svgEl('circle', { cx: sx(p.shap), cy: y + jitter, r: 2, fill, 'fill-opacity': 0.7 }));
      });
    });
    axisText(svg, sx(0), H - 8, 'SHAP value (log-odds) — colour: low (blue) to high (red) value');
    return svg;
  }

  function timeSeries(name) {
    const s = data.series;
    const idx = s.variables.findIndex((v) => v.name === name);
    if (idx < 0) return null;
    const values = s.variables[idx].values;
    const W = 900;
    const H = 160;
    const m = { l: 50, r: 10, t: 20, b: 24 };
    const from = view.from ?? s.time[0];
    const to = view.to ?? s.time[s.time.length - 1];
    const svg = svgEl('svg', {
      width: W,
      height: H,
      class: 'chart series',
      'data-variable': name,
      'data-from': from,
      'data-to': to,
    });
    svg.append(svgEl('text', { x: m.l, y: 13, 'font-size': 12, 'font-weight': 'bold' }, name));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < s.time.length; i++) {
      const v = values[i];
      if (s.time[i] < from || s.time[i] > to || v === null) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (!Number.isFinite(lo)) {
      axisText(svg, W / 2, H / 2, 'no values in this period');
      return svg;
    }
    if (hi === lo) hi = lo + 1;
    const sx = (t) => m.l + ((t - from) / (to - from || 1)) * (W - m.l - m.r);
    const sy = (v) => H - m.b - ((v - lo) / (hi - lo)) * (H - m.t - m.b);
    for (const [a, b] of s.positive) {
      if (b < from || a > to) continue;
      const x0 = sx(Math.max(a, from));
      const x1 = sx(Math.min(b, to));
      svg.append(
        svgEl('rect', {
          x: x0,
          y: m.t,
          width: Math.max(1, x1 - x0),
          height: H - m.t - m.b,
          fill: COLORS.shade,
          class: 'positive',
        }),
      );
    }
    let d = '';
    let pen = false;
    for (let i = 0; i < s.time.length; i++) {
      const v = values[i];
      if (s.time[i] < from || s.time[i] > to || v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(s.time[i]).toFixed(1)},${sy(v).toFixed(1)}`;
      pen = true;
    }
    svg.append(svgEl('path', { d, fill: 'none', stroke: COLORS.neg, 'stroke-width': 1 }));
    axisText(svg, m.l - 4, m.t + 8, fmt(hi, 4), 'end');
    axisText(svg, m.l - 4, H - m.b, fmt(lo, 4), 'end');
    axisText(svg, m.l, H - 6, fmtTime(from), 'start');
    axisText(svg, W - m.r, H - 6, fmtTime(to), 'end');
    // Drag across a chart to zoom on that period.
    let start = null;
    const rect = svgEl('rect', { x: 0, y: m.t, width: 0, height: H - m.t - m.b, fill: 'rgba(0,0,0,0.1)' });
    svg.append(rect);
    const timeAt = (evt) => {
      const box = svg.getBoundingClientRect();
      return from + ((evt.clientX - box.left - m.l) / (W - m.l - m.r)) * (to - from);
    };
    svg.addEventListener('mousedown', (evt) => {
      start = timeAt(evt);
    });
    svg.addEventListener('mousemove', (evt) => {
      if (start === null) return;
      const t = timeAt(evt);
      rect.setAttribute('x', String(sx(Math.min(start, t))));
      rect.setAttribute('width', String(Math.abs(sx(t) - sx(start))));
    });
    svg.addEventListener('mouseup', (evt) => {
      if (start === null) return;
      const t = timeAt(evt);
      const [a, b] = [Math.min(start, t), Math.max(start, t)];
      start = null;
      if (b - a > (to - from) / 200) setView(a, b);
    });
    return svg;
  }

  function setView(from, to) {
    view.from = from;
    view.to = to;
    const f = document.getElementById('zoom-from');
    const t = document.getElementById('zoom-to');
    if (f) f.value = from === null ? '' : toInput(from);
    if (t) t.value = to === null ? '' : toInput(to);
    drawSeries();
  }

  function drawSeries() {
    const box = document.getElementById('series');
    if (!box) return;
    box.replaceChildren();
    for (const name of [...selected]) {
      const chart = timeSeries(name);
      if (chart) box.append(chart);
    }
    if (!box.childElementCount)
      box.append(el('p', {}, 'None of the chosen variables has a series in this report.'));
  }

  function drawCharts() {
    const hist = document.getElementById('histograms');
    hist.replaceChildren();
    for (const name of [...selected]) {
      const entry = distByName.get(name);
      if (entry && entry.kind === 'numeric') hist.append(histogram(entry));
    }
    if (data.series) drawSeries();
  }

  function zoomControls() {
    const box = document.getElementById('zoom');
    if (!box || !data.series) return;
    const type = rowOrder ? { type: 'number', min: 1, step: 1 } : { type: 'datetime-local' };
    const f = el('input', { ...type, id: 'zoom-from' });
    const t = el('input', { ...type, id: 'zoom-to' });
    const apply = el('button', { id: 'zoom-apply' }, 'Zoom');
    const reset = el('button', { id: 'zoom-reset' }, 'Whole period');
    apply.addEventListener('click', () => {
      const a = fromInput(f.value);
      const b = fromInput(t.value);
      if (Number.isFinite(a) && Number.isFinite(b) && a < b) setView(a, b);
    });
    reset.addEventListener('click', () => setView(null, null));
    box.append(
      el('label', {}, rowOrder ? 'from row ' : 'from '),
      f,
      el('label', {}, ' to '),
      t,
      apply,
      reset,
      el('span', { class: 'hint' }, ' (or drag across a chart)'),
    );
  }

  summary();
  rankingTable();
  document.getElementById('shap-bar').append(shapBar());
  document.getElementById('beeswarm').append(beeswarm());
  zoomControls();
  drawCharts();
  document.body.setAttribute('data-ready', 'true');
})();
