import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configJsonSchema, parseConfig } from '../../analysis/config';
import { InvalidInputError } from '../../analysis/errors';

const minimal = {
  name: 'line 3 burnt biscuits',
  line: 'line-3',
  source: { kind: 'file', path: 'line3.parquet', timeColumn: 'timestamp' },
  target: 'defect_rate > 0.05',
};

function problemsOf(document: unknown): string[] {
  try {
    parseConfig(document);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems.map((p) => `${p.where}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig(minimal);
    expect(c.aggregation).toEqual({
      window: '10m',
      functions: ['mean', 'std', 'min', 'max', 'last'],
      lag: '0m',
    });
    expect(c.validation).toEqual({ fraction: 0.2, gap: '0m' });
    expect(c.models).toEqual(['gbdt', 'logistic']);
    expect(c.search).toEqual({ trials: 40, seed: 42, timeoutSeconds: 600, parallelism: 2 });
    expect(c.variables).toEqual({ include: [], exclude: [] });
  });

  it('accepts the contract example and aggregation "none"', () => {
    const c = parseConfig({
      ...minimal,
      period: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
      variables: { include: [], exclude: ['defect_rate'] },
      aggregation: { window: '10m', functions: ['mean', 'std', 'min', 'max', 'last', 'p90'], lag: '0m' },
      validation: { fraction: 0.2, gap: '0m' },
      models: ['gbdt', 'logistic'],
      search: { trials: 40, seed: 42, timeoutSeconds: 600 },
    });
    expect(c.aggregation).not.toBe('none');
    expect(
      parseConfig({ ...minimal, source: { kind: 'file', path: 'a.csv' }, aggregation: 'none' }).aggregation,
    ).toBe('none');
    expect(parseConfig({ ...minimal, source: { kind: 'mongo' } }).source).toEqual({
      kind: 'mongo',
      collection: 'measurements',
    });
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      ...minimal,
      target: 'defect_rate = 0.05',
      search: { trials: 0, seed: 1.5 },
      validation: { fraction: 1.2 },
      models: ['gbdt', 'xgboost'],
      aggregation: { window: '10 minutes', functions: ['median'] },
      colour: 'red',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'search.trials: must be a positive integer',
        'search.seed: must be an integer',
        'validation.fraction: must be a number between 0 and 1 (exclusive)',
        'models[1]: must be one of gbdt, logistic',
        'aggregation.window: must be a duration such as "10m", "30s", "2h" or "1d"',
        expect.stringMatching(/^aggregation\.functions\[0\]: must be one of mean/),
        '(top level): unknown field "colour"',
        expect.stringMatching(/^target: use == to compare/),
      ]),
    );
    expect(problemsOf({ ...minimal, name: undefined })).toEqual(['name: is required']);
    expect(
      problemsOf({ ...minimal, period: { from: '2026-11-01T00:00:00Z', to: '2026-10-01T00:00:00Z' } }),
    ).toEqual(['period: from must be before to']);
  });
});

describe('configJsonSchema', () => {
  it('matches the committed schema/analysis-config.schema.json', () => {
    const file = path.join(__dirname, '..', '..', 'schema', 'analysis-config.schema.json');
    const generated = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
    const schema = configJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'line', 'source', 'target']));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['aggregation', 'validation', 'models', 'search', 'variables', 'period']),
    );
  });
});
