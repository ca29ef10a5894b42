import {
  analyzeDistribution,
  benjaminiHochberg,
  chiSquareContingency,
  jensenShannon,
  kolmogornSf,
  type NumericDistribution,
  smirnovSf,
} from '../../analysis/distribution';
import type { ObservationTable } from '../../analysis/frame';
import fixture from '../fixtures/distribution/distribution.json';

/** |a − b| within `rel` of |b| (or `abs` when b is near 0). */
function expectClose(actual: number | null, expected: number, rel = 1e-9, abs = 1e-12): void {
  expect(actual).not.toBeNull();
  const tol = Math.max(abs, rel * Math.abs(expected));
  if (!(Math.abs((actual as number) - expected) <= tol)) {
    throw new Error(
      `expected ${expected}, got ${actual} (diff ${Math.abs((actual as number) - expected)}, tol ${tol})`,
    );
  }
}

function twoPopulations(
  positive: number[],
  negative: number[],
): { table: ObservationTable; labels: Uint8Array } {
  const values = Float64Array.from([...positive, ...negative]);
  const labels = new Uint8Array(values.length);
  labels.fill(1, 0, positive.length);
  return {
    table: { rows: values.length, variables: [{ name: 'x', data: { kind: 'numeric', values } }] },
    labels,
  };
}

describe('numeric measures agree with SciPy', () => {
  test.each(fixture.ks.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { table, labels } = twoPopulations(c.positive, c.negative);
    const [entry] = analyzeDistribution(table, labels) as NumericDistribution[];
    expectClose(entry.ks, c.ks, 1e-12);
    expectClose(entry.ksPValue, c.ksPValue, 1e-9, 1e-15);
    expectClose(entry.wassersteinRaw, c.wasserstein, 1e-9);
  });

  test.each(fixture.kolmogorov.map((c) => [c.n, c.x, c.sf]))('kstwo.sf n=%d x=%d', (n, x, sf) => {
    expectClose(kolmogornSf(n, x), sf, 1e-9, 1e-15);
  });

  test.each(fixture.smirnov.map((c) => [c.n, c.x, c.sf]))('smirnov n=%d x=%d', (n, x, sf) => {
    expectClose(smirnovSf(n, x), sf, 1e-9, 1e-15);
  });

  test('Jensen–Shannon distance, base 2', () => {
    for (const c of fixture.js) expectClose(jensenShannon(c.p, c.q), c.js, 1e-9);
  });
});

describe('separating value equals scikit-learn DecisionTreeClassifier(max_depth=1)', () => {
  test.each(fixture.stumps.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const values = Float64Array.from(c.x, (x) => (x === null ? Number.NaN : x));
    const table: ObservationTable = {
      rows: values.length,
      variables: [{ name: 'x', data: { kind: 'numeric', values } }],
    };
    const [entry] = analyzeDistribution(table, Uint8Array.from(c.y), {}, { categoricalMaxDistinct: 1 });
    expect((entry as NumericDistribution).threshold).toBe(c.threshold);
  });
});

describe('categorical measures agree with SciPy', () => {
  test.each(fixture.chi2.map((c, i) => [i, c] as const))('chi2_contingency table %d', (_i, c) => {
    const result = chiSquareContingency(c.table);
    expect(result.dof).toBe(c.dof);
    expectClose(result.statistic, c.statistic, 1e-12);
    expectClose(result.pValue, c.pValue, 1e-9, 1e-15);
    expectClose(result.cramersV, c.cramersV, 1e-12);
  });

  test('Benjamini–Hochberg as false_discovery_control', () => {
    const q = benjaminiHochberg(fixture.bh.p);
    q.forEach((v, i) => {
      expectClose(v, fixture.bh.q[i], 1e-12);
    });
  });
});
