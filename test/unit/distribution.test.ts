import {
  analyzeDistribution,
  analyzePrepared,
  benjaminiHochberg,
  chiSquareContingency,
  jensenShannon,
  kolmogornSf,
  type NumericDistribution,
  prepareDistribution,
  smirnovSf,
} from '../../analysis/distribution';
import { radixSortFloat64 } from '../../analysis/distribution/sort';
import type { ObservationTable } from '../../analysis/frame';
import { createRng } from '../../analysis/random';
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

describe('zoom: a prepared table analysed on a row range or mask', () => {
  const c = fixture.ks[1];
  const { table, labels } = twoPopulations(c.positive, c.negative);
  // interleave the populations so a range holds both
  const order = Array.from({ length: table.rows }, (_, i) => i).sort(
    (a, b) => ((a * 7919) % 1009) - ((b * 7919) % 1009) || a - b,
  );
  const values = Float64Array.from(
    order,
    (i) => (table.variables[0].data as { values: Float64Array }).values[i],
  );
  const y = Uint8Array.from(order, (i) => labels[i]);
  values[5] = Number.NaN;
  const text = order.map((i) => (i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : null));
  const whole: ObservationTable = {
    rows: values.length,
    variables: [
      { name: 'x', data: { kind: 'numeric', values } },
      { name: 'lot', data: { kind: 'text', values: text } },
    ],
  };
  const prepared = prepareDistribution(whole);

  test('every row through the prepared table equals the one-off analysis', () => {
    expect(analyzePrepared(prepared, y)).toEqual(analyzeDistribution(whole, y));
    expect(analyzePrepared(prepared, y, { rows: new Uint8Array(whole.rows).fill(1) })).toEqual(
      analyzeDistribution(whole, y),
    );
  });

  test('a range equals the analysis of those rows alone', () => {
    const start = 200;
    const end = 1100;
    const sliced: ObservationTable = {
      rows: end - start,
      variables: [
        { name: 'x', data: { kind: 'numeric', values: values.slice(start, end) } },
        { name: 'lot', data: { kind: 'text', values: text.slice(start, end) } },
      ],
    };
    const expected = analyzeDistribution(sliced, y.slice(start, end));
    expect(analyzePrepared(prepared, y, { rows: { start, end } })).toEqual(expected);
    const mask = new Uint8Array(whole.rows);
    mask.fill(1, start, end);
    expect(analyzePrepared(prepared, y, { rows: mask })).toEqual(expected);
    expect(analyzePrepared(prepared, y, { rows: { start, end }, variables: ['lot'] })).toEqual(
      expected
        .filter((e) => e.variable === 'lot')
        .map((e) => ({ ...e, qValue: e.qValue === null ? null : expect.any(Number) })),
    );
  });

  test('unknown variables and one-population selections are invalid input', () => {
    expect(() => analyzePrepared(prepared, y, { variables: ['xx'] })).toThrow(
      /variable "xx" does not exist; did you mean "x"/,
    );
    const negativesOnly = Uint8Array.from(y, (v) => 1 - v);
    expect(() => analyzePrepared(prepared, y, { rows: negativesOnly })).toThrow(/true on 0 and false on/);
  });
});

describe('radix sort of doubles', () => {
  test('orders like the engine sort: negatives, -0 and +0, subnormals, ties, large and small', () => {
    const rng = createRng(5);
    const n = 5000;
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      a[i] =
        r < 0.1
          ? Math.round((rng.next() - 0.5) * 20)
          : r < 0.12
            ? -0
            : r < 0.14
              ? 5e-324 * (rng.next() < 0.5 ? -1 : 1)
              : r < 0.16
                ? (rng.next() - 0.5) * 1e300
                : (rng.next() - 0.5) * 1e3;
    }
    const expected = a.slice().sort();
    radixSortFloat64(a);
    expect(Array.from(a)).toEqual(Array.from(expected));
  });
});
