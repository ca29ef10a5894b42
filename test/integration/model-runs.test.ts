/**
 * Issue 15, items 1 and 2: analyses whose validation periods hold no bad observation complete,
 * and the command ends with its own status on every run — never a silent 0 without results,
 * never a native abort. The loops run the built command (`bin/line-rca.js`, as users do) in
 * processes of their own; `MODEL_RUNS=10` (demo) and `MODEL_HDF_RUNS=50` give the full counts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsDocument } from '../../analysis/results';
import { main } from '../../cli/main';
import { capture } from '../support/capture';

const root = path.resolve(__dirname, '..', '..');
const hdfConfig = path.join(root, 'test', 'fixtures', 'pipeline', 'ai4i-hdf.json');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-model-runs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const demoRuns = Number(process.env.MODEL_RUNS ?? 2);
const hdfRuns = Number(process.env.MODEL_HDF_RUNS ?? 4);

function lineRca(args: string[]) {
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'line-rca.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, LINE_RCA_ARTIFACTS: path.join(tmp, 'artifacts') },
    timeout: 600_000,
  });
  return { status: run.status, signal: run.signal, stderr: run.stderr, stdout: run.stdout };
}

describe('AI4I 2020, target HDF == 1: no failure in the validation period (rows 8001-10000)', () => {
  let results: ResultsDocument;

  beforeAll(async () => {
    const { io, out, err } = capture();
    const status = await main(['analyze', '--config', hdfConfig, '--json'], io);
    expect({ status, err: status === 0 ? '' : err.join('') }).toEqual({ status: 0, err: '' });
    results = JSON.parse(out.join('')) as ResultsDocument;
  }, 300_000);

  it('completes, and says the validation period holds no positive instead of an AUC', () => {
    expect(results.data).toMatchObject({ rows: 10000, positives: 115 });
    const model = results.model!;
    expect(model.validation).toMatchObject({ auc: null, rows: 2000, positives: 0 });
    expect(model.validation.reason).toMatch(/validation period holds no bad observation/);
    expect(model.searchValidation).toMatchObject({ method: 'blocked folds' });
    expect(model.searchValidation!.reason).toMatch(
      /last 0.2 of the training part .* holds no bad observation/,
    );
    expect(model.selection!.reason).toMatch(/search's best trial/);
  });

  it('puts rotational speed or a temperature first in both rankings', () => {
    const causes = ['Rotational speed [rpm]', 'Air temperature [K]', 'Process temperature [K]'];
    expect(causes).toContain(results.distribution[0].variable);
    expect(causes).toContain(results.importance[0].variable);
  });
});

describe('the command ends with its own status, run after run', () => {
  const expectDone = (run: ReturnType<typeof lineRca>, out?: string) => {
    expect({
      status: run.status,
      signal: run.signal,
      native: /Napi|terminate called/.test(run.stderr),
    }).toEqual({
      status: 0,
      signal: null,
      native: false,
    });
    if (out) expect(existsSync(path.join(out, 'results.json'))).toBe(true);
  };

  for (const cause of ['cracks', 'energy']) {
    it(`line-rca demo --cause ${cause}, ${demoRuns} runs`, () => {
      for (let k = 0; k < demoRuns; k++) {
        const out = path.join(tmp, `${cause}-${k}`);
        expectDone(lineRca(['demo', '--cause', cause, '--trials', '6', '--out', out]), out);
        const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsDocument;
        expect(results.model?.trials).toHaveLength(6);
      }
    }, 1_200_000);
  }

  it(`AI4I HDF == 1, ${hdfRuns} runs`, () => {
    for (let k = 0; k < hdfRuns; k++) {
      const run = lineRca(['analyze', '--config', hdfConfig, '--json']);
      expectDone(run);
      expect((JSON.parse(run.stdout) as ResultsDocument).model?.validation.positives).toBe(0);
    }
  }, 1_200_000);
});
