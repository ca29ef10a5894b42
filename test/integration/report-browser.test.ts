import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { ResultsDocument } from '../../analysis/results';
import { downsampleSeries, positiveRanges, type ReportData } from '../../report/data';
import { renderReport } from '../../report/html';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

describe('report.html in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart without console errors, keeps names as text, and zooms', async () => {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'report.html');
    writeFileSync(file, renderReport(reportData()));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.textContent('#rankings')).toContain('<script>window.__pwned = true</script>');
    expect(await page.title()).toBe('burnt <b>biscuits</b> — line line-3');

    // Top three of the combined ranking are shown: histograms with their separating value.
    expect(await page.locator('svg.histogram').count()).toBe(3);
    expect(await page.locator('svg.histogram line.threshold').count()).toBe(3);
    expect(await page.locator('svg.shap-bar rect').count()).toBe(2);
    expect(await page.locator('svg.beeswarm circle').count()).toBe(400);
    expect(await page.locator('svg.series').count()).toBe(2);
    expect(
      await page.locator('svg.series[data-variable="oven_zone2_temp"] rect.positive').count(),
    ).toBeGreaterThan(3);
    const summary = await page.textContent('#summary');
    expect(summary).toMatch(/oven_zone2_temp: bad observations are more frequent above 228/);
    expect(summary).toMatch(/AUC 0\.93/);

    // Zoom on one day: the view narrows and fewer positive periods remain.
    const before = await page.locator('svg.series[data-variable="oven_zone2_temp"] rect.positive').count();
    await page.fill('#zoom-from', '2026-10-02T00:00');
    await page.fill('#zoom-to', '2026-10-03T00:00');
    await page.click('#zoom-apply');
    const chart = page.locator('svg.series[data-variable="oven_zone2_temp"]');
    expect(Number(await chart.getAttribute('data-from'))).toBe(Date.UTC(2026, 9, 2));
    expect(Number(await chart.getAttribute('data-to'))).toBe(Date.UTC(2026, 9, 3));
    const after = await chart.locator('rect.positive').count();
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);

    // Choosing a variable: unticking one removes its charts.
    await page.locator('input[data-variable="humidity"]').uncheck();
    expect(await page.locator('svg.histogram').count()).toBe(2);
    await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('speaks of rows, not 1970 dates, when the source has no time', async () => {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'report-rows.html');
    writeFileSync(file, renderReport(reportData(0)));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    const chart = page.locator('svg.series[data-variable="oven_zone2_temp"]');
    const axis = await chart.textContent();
    expect(axis).toContain('row 1');
    expect(axis).toContain(`row ${24 * 7 * 60}`);
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
