import { analyzePrepared, prepareDistribution } from '../../analysis/distribution';
import { InvalidInputError } from '../../analysis/errors';
import type { ObservationTable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';
import { DistributionEngine } from '../../compute/distribution-engine';

// The engine runs the compiled build's threads (dist/compute/distribution-worker.js): CI builds first.
function table(
  rows: number,
  seed: number,
): { whole: ObservationTable; labels: Uint8Array; other: Uint8Array } {
  const rng = createRng(seed);
  const labels = Uint8Array.from({ length: rows }, () => (rng.next() < 0.2 ? 1 : 0));
  const other = Uint8Array.from({ length: rows }, (_, i) => (i % 7 === 0 || rng.next() < 0.05 ? 1 : 0));
  const numeric = (name: string, f: (i: number) => number) => ({
    name,
    data: { kind: 'numeric' as const, values: Float64Array.from({ length: rows }, (_, i) => f(i)) },
  });
  const variables = [
    numeric('shifted', (i) => rng.normal() + (labels[i] ? 0.8 : 0)),
    numeric('ties', (i) => Math.round(rng.normal() * 3 + (labels[i] ? 1 : 0))),
    numeric('missing', (i) => (rng.next() < 0.08 ? Number.NaN : rng.normal() * 5 - labels[i] * 2)),
    numeric('few', () => Math.floor(rng.next() * 4)),
    numeric('counter', (i) => i),
    {
      name: 'lot',
      data: {
        kind: 'text' as const,
        values: Array.from({ length: rows }, (_, i) =>
          i % 11 === 0 ? null : labels[i] && rng.next() < 0.5 ? 'L7' : `L${i % 5}`,
        ),
      },
    },
    numeric('noise', () => rng.normal()),
  ];
  return { whole: { rows, variables }, labels, other };
}

describe('DistributionEngine (variables spread over threads)', () => {
  const { whole, labels, other } = table(4000, 5);
  const prepared = prepareDistribution(whole);
  let engine: DistributionEngine;
  beforeAll(async () => {
    engine = await DistributionEngine.load(whole, { threads: 2 });
  });
  afterAll(() => engine.close());

  it('gives what analyzePrepared gives, for ranges, masks, variable subsets and two targets', async () => {
    const mask = Uint8Array.from({ length: whole.rows }, (_, i) => ((i * 7919) % 13 < 6 ? 1 : 0));
    const selections = [
      {},
      { rows: { start: 500, end: 3100 } },
      { rows: mask },
      { rows: { start: 100, end: 2000 }, variables: ['noise', 'lot', 'shifted'] },
    ];
    for (const y of [labels, other, labels]) {
      for (const selection of selections) {
        expect(await engine.analyze(y, selection)).toEqual(analyzePrepared(prepared, y, selection));
      }
    }
  });

  it('refuses what analyzePrepared refuses, with the same problems', async () => {
    await expect(engine.analyze(labels, { variables: ['shifed'] })).rejects.toThrow(/shifted/);
    await expect(engine.analyze(labels, { variables: ['shifed'] })).rejects.toBeInstanceOf(InvalidInputError);
    const none = new Uint8Array(whole.rows);
    await expect(engine.analyze(none, {})).rejects.toThrow(/both populations need rows/);
    await expect(engine.analyze(labels, { rows: { start: 10, end: 99999 } })).rejects.toThrow(/outside/);
    // still answering afterwards
    expect(await engine.analyze(labels, { rows: { start: 0, end: 1000 } })).toEqual(
      analyzePrepared(prepared, labels, { rows: { start: 0, end: 1000 } }),
    );
  });

  it('works without threads too', async () => {
    const alone = await DistributionEngine.load(whole, { threads: 0 });
    try {
      expect(await alone.analyze(other, { rows: { start: 5, end: 3995 } })).toEqual(
        analyzePrepared(prepared, other, { rows: { start: 5, end: 3995 } }),
      );
    } finally {
      await alone.close();
    }
  });
});
