import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { analyzeDistribution } from '../../analysis/distribution';
import type { ObservationTable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';
import type { ResultsDocument } from '../../analysis/results';
import { downsampleSeries, encodeRecompute, positiveRanges, type ReportData } from '../../report/data';
import { renderReport } from '../../report/html';
import { launchChromium } from './setup/browser';

const artifacts = path.join(__dirname, '..', '..', 'test-artifacts');

/** `origin` 0: a source without time, whose rows sit at 1970-01-01 + i minutes. */
function reportData(origin = Date.UTC(2026, 9, 1)): ReportData {
  const evil = '<script>window.__pwned = true</script>';
  const hours = 24 * 7;
  const time = Array.from({ length: hours * 60 }, (_, i) => origin + i * 60_000);
  const oven = time.map((_, i) => 220 + 10 * Math.sin(i / 300) + (i % 997 === 0 ? null! : 0));
  const positive = oven.map((v) => (v > 228 ? 1 : 0));
  const histogram = {
    edges: [200, 210, 220, 230, 240],
    negative: [0.2, 0.5, 0.3, 0],
    positive: [0, 0.1, 0.3, 0.6],
  };
  const entry = (variable: string, score: number, threshold: number) => ({
    variable,
    kind: 'numeric' as const,
    score,
    intersection: score,
    ks: score,
    ksPValue: 1e-20,
    ksMethod: 'asymp' as const,
    wasserstein: 1,
    wassersteinRaw: 2,
    wassersteinScale: 2,
    js: 0.4,
    psi: 1.2,
    smd: 1.5,
    shareAbove: 0.3,
    shareBelow: 0.7,
    missingRateNegative: 0,
    missingRatePositive: 0,
    qValue: 1e-18,
    threshold,
    direction: 'above' as const,
    positiveRateAbove: 0.4,
    positiveRateBelow: 0.02,
    histogram,
  });
  const results: ResultsDocument = {
    id: 'a1',
    name: 'burnt <b>biscuits</b>',
    line: 'line-3',
    startedAt: '2026-11-01T00:00:00Z',
    finishedAt: '2026-11-01T00:03:00Z',
    data: {
      rows: time.length,
      positives: positive.reduce<number>((a, b) => a + b, 0),
      variables: 3,
      features: 15,
    },
    distribution: [entry('oven_zone2_temp', 0.7, 228), entry(evil, 0.3, 215), entry('humidity', 0.1, 225)],
    model: {
      kind: 'gbdt',
      params: {},
      validation: { auc: 0.93, prAuc: 0.7, logloss: 0.2, rows: 2000, positives: 100 },
      baseline: {
        kind: 'logistic',
        params: {},
        validation: { auc: 0.8, prAuc: 0.5, logloss: 0.3, rows: 2000, positives: 100 },
      },
      trials: [],
    },
    importance: [
      {
        variable: 'oven_zone2_temp',
        meanAbsShap: 1.1,
        features: [{ feature: 'oven_zone2_temp__max', meanAbsShap: 0.8 }],
      },
      { variable: evil, meanAbsShap: 0.4, features: [] },
    ],
    changes: {
      previousId: 'a0',
      previousFinishedAt: '2026-10-31T00:03:00Z',
      causeRule: 'test',
      causes: ['oven_zone2_temp'],
      previousCauses: ['humidity'],
      newCauses: ['oven_zone2_temp'],
      goneCauses: ['humidity'],
      rankMoves: [{ variable: 'oven_zone2_temp', from: 3, to: 1 }],
      thresholdShifts: [],
      windowShifts: [],
      aucChange: 0.02,
      badRate: { from: 0.1, to: 0.2, moved: true },
    },
  };
  const series = downsampleSeries(
    {
      time,
      variables: [
        { name: 'oven_zone2_temp', values: oven },
        { name: evil, values: time.map((_, i) => Math.cos(i / 50)) },
      ],
      positive: positiveRanges(time, positive, 60_000),
    },
    3000,
  );
  return {
    results,
    target: 'burnt_rate > 0.05',
    series,
    shap: {
      variables: ['oven_zone2_temp', evil],
      points: [
        Array.from({ length: 200 }, (_, k) => ({ shap: Math.sin(k) * 2, level: (Math.sin(k) + 1) / 2 })),
        Array.from({ length: 200 }, (_, k) => ({ shap: Math.cos(k) * 0.5, level: k % 7 === 0 ? null : 0.3 })),
      ],
    },
  };
}

/** A small analysis of minute rows: one variable tied to the target, the rest noise. */
function smallAnalysis(): {
  table: ObservationTable & { time: Float64Array };
  labels: Uint8Array;
  results: ResultsDocument;
} {
  const rng = createRng(4);
  const rows = 2000;
  const time = Float64Array.from({ length: rows }, (_, i) => Date.UTC(2026, 9, 1) + i * 60_000);
  const labels = Uint8Array.from({ length: rows }, () => (rng.next() < 0.1 ? 1 : 0));
  const variables = [
    {
      name: 'cause',
      data: { kind: 'numeric' as const, values: Float64Array.from(labels, (y) => rng.normal() + 1.5 * y) },
    },
    ...Array.from({ length: 5 }, (_, j) => ({
      name: `noise_${j}`,
      data: { kind: 'numeric' as const, values: Float64Array.from(labels, () => rng.normal()) },
    })),
    {
      name: 'lot',
      data: {
        kind: 'text' as const,
        values: Array.from(labels, (y) => (y && rng.next() < 0.5 ? 'L7' : `L${rng.int(4)}`)),
      },
    },
  ];
  const table = { rows, variables, time };
  const results: ResultsDocument = {
    id: 'small',
    name: 'small line',
    line: 'small',
    startedAt: '2026-10-03T00:00:00Z',
    finishedAt: '2026-10-03T00:01:00Z',
    data: {
      rows,
      positives: labels.reduce<number>((a, b) => a + b, 0),
      variables: variables.length,
      features: 0,
    },
    distribution: analyzeDistribution(table, labels),
    model: null,
    importance: [],
  };
  return { table, labels, results };
}

/** The ranking table's distribution columns, in distribution rank order. */
async function rankingOf(page: Page): Promise<{ variable: string; score: number; q: number | null }[]> {
  const rows = await page.$$eval('#rankings-table tr[data-variable]', (trs) =>
    trs.map((tr) => ({
      variable: tr.getAttribute('data-variable') as string,
      rank: Number(tr.getAttribute('data-distribution-rank')),
      score: Number(tr.getAttribute('data-score')),
      q: tr.getAttribute('data-q') === 'null' ? null : Number(tr.getAttribute('data-q')),
    })),
  );
  return rows.sort((a, b) => a.rank - b.rank).map(({ variable, score, q }) => ({ variable, score, q }));
}

async function open(browser: Browser, file: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return page;
}

describe('report.html in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart without console errors, keeps names as text, and zooms the series', async () => {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'report.html');
    writeFileSync(file, renderReport(reportData()));
    const errors: string[] = [];
    const page = await open(browser, file, errors);
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.textContent('#rankings-table')).toContain('<script>window.__pwned = true</script>');
    expect(await page.title()).toBe('burnt <b>biscuits</b> — line line-3');
    // Sections in order, what changed first.
    expect(await page.$$eval('main > section', (s) => s.map((x) => x.id))).toEqual([
      'changes',
      'summary',
      'rankings',
      'distributions',
      'model',
      'time',
    ]);
    expect(await page.textContent('#changes')).toContain('New cause: oven_zone2_temp');

    // The top three of the combined ranking are ticked: their histograms with the separating value.
    const histograms = page.locator('.chart.histogram');
    expect(await histograms.count()).toBe(3);
    expect(await page.locator('.chart.histogram svg').count()).toBe(3);
    expect(await page.textContent('.chart.histogram[data-variable="oven_zone2_temp"]')).toContain('> 228');
    // Axes with ticks: the histogram's variable axis has its edges' values.
    expect(await page.textContent('.chart.histogram[data-variable="oven_zone2_temp"]')).toMatch(
      /210[\s\S]*230/,
    );
    expect(await page.textContent('#shap-bar')).toContain('mean |SHAP| (log-odds)');
    expect(await page.getAttribute('#beeswarm', 'data-points')).toBe('400');
    const series = page.locator('.chart.series[data-variable="oven_zone2_temp"]');
    expect(await page.locator('.chart.series').count()).toBe(2);
    const summary = await page.textContent('#summary');
    expect(summary).toMatch(/oven_zone2_temp: bad observations are more frequent above 228/);
    expect(summary).toMatch(/AUC 0\.93/);

    // Zoom on one day with the fields: the series narrow; without rows the ranking stays and says why.
    await page.fill('#zoom-from', '2026-10-02T00:00');
    await page.fill('#zoom-to', '2026-10-03T00:00');
    await page.click('#zoom-apply');
    expect(Number(await series.getAttribute('data-from'))).toBe(Date.UTC(2026, 9, 2));
    expect(Number(await series.getAttribute('data-to'))).toBe(Date.UTC(2026, 9, 3));
    expect(await page.getAttribute('#zoom-status', 'data-state')).toBe('refused');
    expect(await page.textContent('#zoom-status')).toContain('line-rca serve');

    // Unticking a variable removes its charts.
    await page.locator('input[data-variable="humidity"]').uncheck();
    expect(await histograms.count()).toBe(2);
    await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('puts "What to do" first: levers and indicators in words, each bound on a histogram and a series', async () => {
    const data = reportData();
    const evil = '<script>window.__pwned = true</script>';
    const figures = { badRateInside: 0.01, badRateOutside: 0.4, goodKept: 0.9, rows: 8000 };
    const results: ResultsDocument = {
      ...data.results,
      distribution: data.results.distribution.map((e) =>
        e.variable === 'oven_zone2_temp' ? { ...e, lagMinutes: 40 } : e,
      ),
      operatingWindows: [
        {
          variable: 'oven_zone2_temp',
          low: 212,
          high: 228,
          ...figures,
          validation: figures,
          indicator: false,
        },
        { variable: 'humidity', low: null, high: 225, ...figures, validation: null, indicator: true },
      ],
      rules: [
        {
          conditions: [
            { variable: 'oven_zone2_temp', op: '>', value: 228 },
            { variable: evil, op: '<=', value: 215 },
          ],
          badRate: 0.6,
          baseRate: 0.1,
          support: 0.1,
          coverage: 0.6,
          lift: 6,
          rows: 1000,
          positives: 600,
          wracc: 0.05,
          qValue: 0.01,
          validation: null,
          indicator: false,
        },
      ],
      interactions: [{ variables: ['oven_zone2_temp', evil], strength: 0.3 }],
      recommendation: {
        conditions: [{ variable: 'oven_zone2_temp', op: '<=', value: 228 }],
        badRate: 0.01,
        baseRate: 0.1,
        badRateOutside: 0.4,
        support: 0.8,
        goodKept: 0.9,
        rows: 8000,
        positives: 80,
        validation: null,
      },
    };
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'report-what-to-do.html');
    writeFileSync(file, renderReport({ ...data, results }));
    const errors: string[] = [];
    const page = await open(browser, file, errors);
    expect((await page.$$eval('main > section', (s) => s.map((x) => x.id)))[0]).toBe('what-to-do');
    const items = await page.$$eval('#what-to-do li', (lis) =>
      lis.map((li) => ({ kind: li.getAttribute('data-kind'), text: li.textContent ?? '' })),
    );
    expect(items.map((i) => i.kind)).toEqual(['recommendation', 'window', 'rule', 'window']);
    expect(items[0].text).toContain('Run with oven_zone2_temp (40 minutes before) ≤ 228');
    expect(items[1].text).toContain('Keep oven_zone2_temp (40 minutes before) between 212 and 228');
    expect(items[2].text).toContain(`${evil} ≤ 215`);
    expect(items[3].text).toContain('Bad observations are rarer with humidity at or below 225');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    // Each distinct numeric bound with its histogram, and its series where the report has one:
    // the recommendation's, the window's, the rule's two, and humidity's (no series).
    expect(await page.locator('#what-to-do .chart.bound-histogram svg').count()).toBe(5);
    expect(await page.locator('#what-to-do .chart.bound-series svg').count()).toBe(4);
    // The pairs, and a dependence plot of the first pair's first variable coloured by the other.
    expect(
      await page.$$eval('#interactions-table tr[data-pair]', (trs) =>
        trs.map((t) => t.getAttribute('data-pair')),
      ),
    ).toEqual([`oven_zone2_temp × ${evil}`]);
    expect(await page.locator('#interactions .chart.dependence[data-partner] svg').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('recomputes the ranking in the page on a zoomed period, as the analysis does', async () => {
    const { table, labels, results } = smallAnalysis();
    const data: ReportData = {
      results,
      target: 'defect == 1',
      series: { time: Array.from(table.time), variables: [], positive: [] },
      recompute: encodeRecompute(table, labels, new Uint8Array(table.rows).fill(1)),
    };
    const file = path.join(artifacts, 'report-recompute.html');
    writeFileSync(file, renderReport(data));
    const errors: string[] = [];
    const page = await open(browser, file, errors);
    expect(await page.getAttribute('body', 'data-recompute')).toBe('page');
    const from = table.time[300];
    const to = table.time[1700];
    await page.fill('#zoom-from', new Date(from).toISOString().slice(0, 16));
    await page.fill('#zoom-to', new Date(to).toISOString().slice(0, 16));
    await page.click('#zoom-apply');
    await page.waitForSelector('#zoom-status[data-state="zoomed"]');
    const shown = await rankingOf(page);
    const expected = analyzeDistribution(table, labels, { rows: { start: 300, end: 1700 } });
    expect(shown).toEqual(expected.map((e) => ({ variable: e.variable, score: e.score, q: e.qValue })));
    expect(await page.textContent('#zoom-status')).toContain('1400 observations');
    // Ticking a variable draws its (zoomed) histogram.
    await page.locator('input[data-variable="noise_3"]').check();
    expect(await page.getAttribute('.chart.histogram[data-variable="noise_3"]', 'data-period')).toBe(
      'zoomed',
    );
    await page.click('#zoom-reset');
    await page.waitForSelector('#zoom-status[data-state="whole"]', { state: 'attached' });
    expect(await rankingOf(page)).toEqual(
      results.distribution.map((e) => ({ variable: e.variable, score: e.score, q: e.qValue })),
    );
    expect(errors).toEqual([]);
  });

  it('speaks of rows, not 1970 dates, when the source has no time', async () => {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'report-rows.html');
    writeFileSync(file, renderReport(reportData(0)));
    const errors: string[] = [];
    const page = await open(browser, file, errors);
    const chart = page.locator('.chart.series[data-variable="oven_zone2_temp"]');
    const axis = await chart.textContent();
    expect(axis).toContain('row 1');
    expect(axis).not.toContain('1970');
    expect(await page.getAttribute('#zoom-from', 'type')).toBe('number');
    await page.fill('#zoom-from', '101');
    await page.fill('#zoom-to', '200');
    await page.click('#zoom-apply');
    expect(Number(await chart.getAttribute('data-from'))).toBe(100 * 60_000);
    expect(Number(await chart.getAttribute('data-to'))).toBe(199 * 60_000);
    expect(await chart.textContent()).toContain('row 101');
    expect(errors).toEqual([]);
  });
});
