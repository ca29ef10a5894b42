// The night shift's path through `line-rca serve` (the real command, in its own process) in a
// real Chromium: list a line's analyses, open one, brush a period across a time series → the
// ranking is recomputed by the server and matches `line-rca distribution --from --to` on the same
// rows; tick a variable → its histogram appears. Screenshots go to test-artifacts/.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runDistribution } from '../../cli/distribution';
import { launchChromium } from './setup/browser';
import { type ServedAnalysis, servedAnalysis } from './setup/served-analysis';

const artifacts = path.join(__dirname, '..', '..', 'test-artifacts');
const bin = path.join(__dirname, '..', '..', 'bin', 'line-rca.js');
const TOKEN = 'browser-token';

let served: ServedAnalysis;
let server: ChildProcess;
let base: string;
let browser: Browser;

/** Starts `line-rca serve --port 0` and resolves with the address it prints. */
function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(text);
      if (found) resolve({ child, address: found[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening:\n${text}`)));
  });
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  served = await servedAnalysis({ line: 'line 7 (rejects)' });
  const started = await serve({ ...process.env, ...served.env, LINE_RCA_API_TOKEN: TOKEN });
  server = started.child;
  base = started.address;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    await new Promise((resolve) => {
      server.once('exit', resolve);
      server.kill('SIGTERM');
    });
  }
  if (served) rmSync(served.tmp, { recursive: true, force: true });
});

/** The ranking table's distribution columns in distribution rank order. */
async function rankingOf(page: Page) {
  const rows = await page.$$eval('#rankings-table tr[data-variable]', (trs) =>
    trs.map((tr) => ({
      variable: tr.getAttribute('data-variable') as string,
      rank: Number(tr.getAttribute('data-distribution-rank')),
      score: Number(tr.getAttribute('data-score')),
    })),
  );
  return rows.sort((a, b) => a.rank - b.rank).map(({ variable, score }) => ({ variable, score }));
}

describe('line-rca serve in a real browser', () => {
  it('lists the analyses, opens one, recomputes on a brushed period, draws a ticked variable', async () => {
    const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));

    // The list of a line's analyses.
    await page.goto(`${base}/?access_token=${TOKEN}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#line')).toContain('line 7 (rejects) (1 analyses)');
    const row = page.locator(`table.analyses tr[data-id="${served.results.id}"]`);
    expect(await row.textContent()).toContain(served.truth.target);
    await page.screenshot({ path: path.join(artifacts, 'serve-index.png'), fullPage: true });

    // Open it: the report, served, zooms through the API.
    await row.locator('a').click();
    await page.waitForURL(/\/api\/analyses\/.+\/report/);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getAttribute('body', 'data-recompute')).toBe('api');
    const whole = await rankingOf(page);
    expect(whole).toEqual(
      served.results.distribution
        .filter((d) => d.kind !== 'identifier')
        .map((d) => ({ variable: d.variable, score: d.score })),
    );

    // Brush across the first time series, from a third to two thirds of its width.
    const chart = page.locator('.chart.series').first();
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    const y = box.y + box.height / 2;
    // the plot area starts 64 px in and ends 24 px before the right edge (charts.ts, seriesOption)
    const left = box.x + 64 + (box.width - 88) / 3;
    const right = box.x + 64 + (2 * (box.width - 88)) / 3;
    await page.mouse.move(left, y);
    await page.mouse.down();
    await page.mouse.move((left + right) / 2, y, { steps: 5 });
    await page.mouse.move(right, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('#zoom-status[data-state="zoomed"]', { timeout: 20_000 });
    const from = (await page.getAttribute('#zoom-status', 'data-from'))!;
    const to = (await page.getAttribute('#zoom-status', 'data-to'))!;
    const span = Date.parse(to) - Date.parse(from);
    expect(span).toBeGreaterThan(1.5 * 86_400_000); // about a third of the week
    expect(span).toBeLessThan(3 * 86_400_000);
    expect(Number(await chart.getAttribute('data-from'))).toBe(Date.parse(from));

    // The page's new ranking is `line-rca distribution --from --to` on the same file.
    const cli = await runDistribution({
      data: served.file,
      target: served.truth.target,
      timeColumn: 'time',
      from,
      to,
      variables: served.results.distribution.map((d) => d.variable),
    });
    const zoomed = await rankingOf(page);
    expect(zoomed).toEqual(
      cli.distribution
        .filter((d) => d.kind !== 'identifier')
        .map((d) => ({ variable: d.variable, score: d.score })),
    );
    expect(zoomed).not.toEqual(whole);
    expect(await page.textContent('#zoom-status')).toContain(
      `${cli.data.rows} observations, ${cli.data.positives} positive`,
    );
    await page.screenshot({ path: path.join(artifacts, 'serve-zoomed.png'), fullPage: true });

    // Tick a variable that is not drawn yet: its histogram (of the zoomed period) appears.
    const shown = new Set(
      await page.$$eval('.chart.histogram', (els) => els.map((e) => e.getAttribute('data-variable'))),
    );
    const next = zoomed.find((v) => !shown.has(v.variable))!.variable;
    await page.locator(`input[type=checkbox][data-variable="${next}"]`).check();
    const histogram = page.locator(`.chart.histogram[data-variable="${next}"]`);
    await histogram.waitFor();
    expect(await histogram.getAttribute('data-period')).toBe('zoomed');
    expect(await histogram.locator('svg').count()).toBe(1);
    await histogram.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'serve-ticked.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
