import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../analysis/config';
import { DEMO_CAUSES } from '../../analysis/demo/bakery';
import type { ResultsDocument } from '../../analysis/results';
import { main } from '../../cli/main';
import { AnalysisCancelled, runEmbedded } from '../../pipeline/embedded';
import { capture } from '../support/capture';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('line-rca demo (embedded pipeline)', () => {
  let results: ResultsDocument;
  const out = path.join(tmp, 'demo');

  beforeAll(async () => {
    const { io, out: stdout } = capture();
    const status = await main(['demo', '--out', out, '--days', '30', '--trials', '8', '--json'], io);
    expect(status).toBe(0);
    results = JSON.parse(stdout.join('')) as ResultsDocument;
  }, 600_000);

  it('writes the results contract, the model and the report', () => {
    for (const f of ['results.json', 'report.html', 'model.json'])
      expect(existsSync(path.join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'))).toEqual(results);
    expect(results.data.rows).toBeGreaterThan(1500);
    expect(results.data.positives).toBeGreaterThan(20);
    expect(results.model?.trials).toHaveLength(8);
    expect(results.model?.baseline?.kind).toBe('logistic');
    expect(results.model?.validation.rows).toBeGreaterThan(0);
    // Every variable is in both rankings; none of the target's columns is.
    expect(results.distribution.map((d) => d.variable)).not.toContain('burnt_rate');
    expect(results.importance.map((d) => d.variable)).not.toContain('burnt_rate');
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<script type="application/json" id="report-data">');
  });

  it('finds the injected cause of burnt products', () => {
    const burnt = DEMO_CAUSES.find((c) => c.name === 'burnt')!;
    const distributionTop = results.distribution.slice(0, 3).map((d) => d.variable);
    for (const cause of burnt.causes) expect(distributionTop).toContain(cause);
    const shapTop = results.importance.slice(0, 3).map((d) => d.variable);
    for (const cause of burnt.causes) expect(shapTop).toContain(cause);
    const zone2 = results.distribution.find((d) => d.variable === 'oven_zone2_temp');
    expect(zone2?.kind === 'numeric' && zone2.direction).toBe('above');
    const conveyor = results.distribution.find((d) => d.variable === 'conveyor_speed');
    expect(conveyor?.kind === 'numeric' && conveyor.direction).toBe('below');
    expect(results.model!.validation.auc).toBeGreaterThan(0.8);
  });

  it('gives both causes a strong verdict, with the evidence behind it', () => {
    const burnt = DEMO_CAUSES.find((c) => c.name === 'burnt')!;
    const strong = results.causes!.filter((c) => c.verdict === 'strong').map((c) => c.variable);
    for (const cause of burnt.causes) expect(strong).toContain(cause);
    // the iid test calls nearly every variable significant; the time-aware one a handful
    const significant = results.distribution.filter((d) => d.kind !== 'identifier' && (d.qValue ?? 1) < 0.05);
    expect(significant.length).toBeLessThanOrEqual(8);
    expect(results.evidence!.method).toContain('circular shifts of the labels');
    expect(results.evidence!.summary).toMatch(/^2 variables explain .* with strong evidence/);
    expect(results.data.episodes).toBeGreaterThan(5);
    for (const cause of burnt.causes) {
      const stability = results.importance.find((e) => e.variable === cause)!.stability!;
      expect(stability.folds).toBe(5);
      expect(stability.aboveShadowShare).toBeGreaterThan(0.5);
    }
  });
});

describe('line-rca analyze on AI4I 2020 (no time column: rows in file order)', () => {
  it('ranks torque, rotational speed and tool wear in the top 4 of SHAP importance, AUC >= 0.9', async () => {
    const { io, out, err } = capture();
    const config = path.join(__dirname, '..', 'fixtures', 'pipeline', 'ai4i.json');
    const status = await main(['analyze', '--config', config, '--json'], io);
    expect({ status, err: status === 0 ? '' : err.join('') }).toEqual({ status: 0, err: '' });
    const results = JSON.parse(out.join('')) as ResultsDocument;
    const top4 = results.importance.slice(0, 4).map((e) => e.variable);
    for (const v of ['Torque [Nm]', 'Rotational speed [rpm]', 'Tool wear [min]']) expect(top4).toContain(v);
    expect(results.model!.validation.auc).toBeGreaterThanOrEqual(0.9);
    expect(results.data).toEqual({
      rows: 10000,
      positives: 339,
      variables: 6,
      features: expect.any(Number),
      episodes: expect.any(Number),
    });
    // The features of the text variable Type are summed back to it.
    expect(results.importance.map((e) => e.variable)).toContain('Type');
  }, 300_000);
});

describe('line-rca analyze: bad input', () => {
  it('reports every configuration problem with its path and exits 2', async () => {
    const file = path.join(tmp, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'x',
        line: 'l',
        source: { kind: 'file', path: 'nowhere.csv' },
        target: 'a = 1',
        search: { trials: 0 },
      }),
    );
    const { io, err, out } = capture();
    expect(await main(['analyze', '--config', file, '--json'], io)).toBe(2);
    const text = err.join('');
    expect(text).toContain('search.trials: must be a positive integer');
    expect(text).toContain('target: use == to compare');
    expect(out.join('')).toBe('');
  });

  it('names a target column that does not exist, with a suggestion', async () => {
    const dir = path.join(tmp, 'typo');
    const csv = path.join(tmp, 'line.csv');
    const rows = ['time,temp,defect'];
    for (let i = 0; i < 200; i++)
      rows.push(`2026-10-01T00:${String(i % 60).padStart(2, '0')}:00Z,${i},${i % 7 === 0 ? 1 : 0}`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const file = path.join(tmp, 'typo.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'x',
        line: 'l',
        source: { kind: 'file', path: 'line.csv', timeColumn: 'time' },
        target: 'defects == 1',
        aggregation: 'none',
      }),
    );
    const { io, err } = capture();
    expect(await main(['analyze', '--config', file, '--out', dir], io)).toBe(2);
    expect(err.join('')).toMatch(/defects.*does not exist; did you mean "defect"/);
    expect(existsSync(path.join(dir, 'results.json'))).toBe(false);
  });
});

describe('progress within stages', () => {
  it('extract, aggregate and distribution tell how far they have gone', async () => {
    const steps: string[] = [];
    const config = parseConfig({
      name: 'steps',
      line: 'l',
      source: { kind: 'file', path: path.join(tmp, 'demo', 'bakery-line.parquet'), timeColumn: 'time' },
      target: 'burnt_rate > 0.05',
      models: ['logistic'],
      search: { trials: 2 },
    });
    const outcome = await runEmbedded({
      config,
      baseDir: tmp,
      outDir: path.join(tmp, 'steps'),
      progress: {
        stage: () => undefined,
        step: (done, total, unit) => steps.push(`${done}/${total} ${unit}`),
        info: () => undefined,
        trial: () => undefined,
      },
    });
    const variables = outcome.results.distribution.length;
    expect(steps.filter((s) => s.endsWith('(read, written)'))).toEqual([
      '1/2 phases (read, written)',
      '2/2 phases (read, written)',
    ]);
    expect(steps.filter((s) => s.endsWith('(read, aggregated, written)'))).toEqual(
      [1, 2, 3].map((k) => `${k}/3 phases (read, aggregated, written)`),
    );
    expect(steps.filter((s) => s.endsWith(' variables'))).toEqual(
      Array.from({ length: variables }, (_, i) => `${i + 1}/${variables} variables`),
    );
  }, 300_000);
});

describe('cancellation', () => {
  it('stops between trials and writes no results', async () => {
    const out = path.join(tmp, 'cancelled');
    const controller = new AbortController();
    const config = parseConfig({
      name: 'cancel',
      line: 'l',
      source: { kind: 'file', path: path.join(tmp, 'demo', 'bakery-line.parquet'), timeColumn: 'time' },
      target: 'burnt_rate > 0.05',
      search: { trials: 50 },
    });
    const run = runEmbedded({
      config,
      baseDir: tmp,
      outDir: out,
      signal: controller.signal,
      progress: {
        stage: () => undefined,
        step: () => undefined,
        info: () => undefined,
        trial: (search) => {
          if (search.done >= 2) controller.abort();
        },
      },
    });
    await expect(run).rejects.toBeInstanceOf(AnalysisCancelled);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
  }, 300_000);
});
