/**
 * The stability folds' bins (issue 17): the search's bins coarsened to a fold's rows
 * (`coarserBins`) and the shadows' bins made from their variables' (`shadowedBins`), checked
 * against the raw values: every code must be the bin `binOf` gives the row's raw value under the
 * dataset's bounds, so a tree trained on the codes splits the raw values as it says.
 */
import { shadowedBins, stabilityPlan } from '../../analysis/evidence/stability';
import { featureMatrix } from '../../analysis/frame';
import { type BinnedDataset, binDataset, binOf, coarserBins } from '../../analysis/learners/gbdt/binning';
import { createRng } from '../../analysis/random';

/** A column with NaN here and there, one with few distinct values, one of plain noise. */
function matrix(rows: number) {
  const rng = createRng(5);
  const wavy = Float64Array.from({ length: rows }, (_, i) =>
    i % 97 === 0 ? Number.NaN : Math.sin(i / 30) + rng.next(),
  );
  const steps = Float64Array.from({ length: rows }, (_, i) => Math.floor(i / 400) % 7);
  const noise = Float64Array.from({ length: rows }, () => rng.next() * 1000);
  return featureMatrix(['wavy', 'steps', 'noise'], [wavy, steps, noise]);
}

function expectCodesMatchValues(
  binned: BinnedDataset,
  columns: readonly Float64Array[],
  rows?: ArrayLike<number>,
) {
  binned.bins.forEach((codes, j) => {
    const bounds = binned.upperBounds[j];
    expect(bounds[bounds.length - 1]).toBe(Number.POSITIVE_INFINITY);
    expect(binned.numBins[j]).toBe(bounds.length + (binned.missingBin[j] >= 0 ? 1 : 0));
    const wrong: number[] = [];
    for (let k = 0; k < codes.length; k++) {
      const v = columns[j][rows ? rows[k] : k];
      if (codes[k] !== binOf(bounds, v, binned.missingBin[j])) wrong.push(k);
    }
    expect({ feature: binned.featureNames[j], wrong: wrong.slice(0, 5) }).toEqual({
      feature: binned.featureNames[j],
      wrong: [],
    });
  });
}

test('coarserBins keeps at most max_bin bins on a subset of the bounds, each code its value’s bin', () => {
  const m = matrix(5000);
  const fine = binDataset(m);
  for (const maxBin of [15, 40, 255]) {
    const coarse = coarserBins(fine, maxBin);
    expectCodesMatchValues(coarse, m.columns);
    coarse.upperBounds.forEach((bounds, j) => {
      expect(coarse.numBins[j]).toBeLessThanOrEqual(maxBin);
      const original = new Set(fine.upperBounds[j]);
      for (const b of bounds) expect(original.has(b)).toBe(true);
      // a feature that fits keeps its arrays
      if (fine.numBins[j] <= maxBin) expect(coarse.bins[j]).toBe(fine.bins[j]);
    });
  }
  // the noise column had 255 bins: at 40, groups of 7 make 37
  expect(fine.numBins[2]).toBe(255);
  expect(coarserBins(fine, 40).numBins[2]).toBe(37);
  // the NaN bin stays last and counts against max_bin
  expect(fine.missingBin[0]).toBeGreaterThan(0);
  expect(coarserBins(fine, 15).numBins[0]).toBeLessThanOrEqual(15);
  expect(coarserBins(fine, 15).missingBin[0]).toBe(coarserBins(fine, 15).numBins[0] - 1);
});

test.each([
  ['every row', 3000],
  ['compact (above STABILITY_COMPACT_ROWS)', 130_000],
])(
  'shadowedBins gives each shadow its variable’s bounds and the codes of its shifted values: %s',
  (_, rows) => {
    const m = matrix(rows);
    const train = Uint32Array.from({ length: Math.floor(rows * 0.8) }, (_, i) => i);
    const plan = stabilityPlan(m, train, { seed: 4 });
    const binned = coarserBins(binDataset(m), 40);
    const shadowed = shadowedBins(binned, plan);
    expect(shadowed.featureNames).toEqual(plan.features.names);
    expect(shadowed.rows).toBe(plan.features.rows);
    // Against the shadowed matrix's raw values: the plan's rows, shadows NaN outside training.
    expectCodesMatchValues(shadowed, plan.features.columns);
    for (let j = 0; j < 3; j++) expect(shadowed.upperBounds[3 + j]).toBe(binned.upperBounds[j]);
    if (!plan.rows) {
      // the variables' own codes are not copied; shadows have a NaN bin for the validation rows
      for (let j = 0; j < 3; j++) expect(shadowed.bins[j]).toBe(binned.bins[j]);
      expect(shadowed.bins[5][rows - 1]).toBe(shadowed.missingBin[5]);
    }
  },
);

test('shadowedBins refuses bins of other features', () => {
  const m = matrix(500);
  const plan = stabilityPlan(
    m,
    Uint32Array.from({ length: 400 }, (_, i) => i),
    { seed: 1 },
  );
  const other = binDataset(featureMatrix(['a', 'b', 'c'], m.columns));
  expect(() => shadowedBins(other, plan)).toThrow('other features');
});
