/**
 * Arrays packed into one SharedArrayBuffer for the compute threads: the same values and types,
 * views of one buffer (a message carrying thousands of buffers cost seconds a trial), and arrays
 * already in shared memory (in a few buffers) left where they are (no copy of a large matrix).
 */
import { shareArrays, shareBinnedDataset, shareMatrix } from '../../compute/shared';

describe('shareArrays', () => {
  test('packs many arrays of mixed types into one buffer, values and types kept', () => {
    const arrays = Array.from({ length: 300 }, (_, j) =>
      j % 3 === 0
        ? Float64Array.from({ length: 7 + (j % 5) }, (_, i) => i * j + 0.5)
        : j % 3 === 1
          ? Uint8Array.from({ length: 3 + (j % 4) }, (_, i) => (i + j) & 255)
          : Uint16Array.from({ length: 5 }, (_, i) => i * 1000 + j),
    );
    const packed = shareArrays(arrays);
    expect(packed).toHaveLength(arrays.length);
    const buffer = packed[0].buffer;
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    packed.forEach((p, j) => {
      expect(p.buffer).toBe(buffer);
      expect(p.constructor).toBe(arrays[j].constructor);
      expect(Array.from(p)).toEqual(Array.from(arrays[j]));
    });
  });

  test('a few arrays already shared stay where they are; many are packed', () => {
    const few = Array.from({ length: 3 }, () => new Float64Array(new SharedArrayBuffer(80)).fill(2));
    expect(shareArrays(few).every((a, j) => a === few[j])).toBe(true);
    const many = Array.from({ length: 100 }, () => new Float64Array(new SharedArrayBuffer(16)).fill(3));
    const packed = shareArrays(many);
    expect(new Set(packed.map((a) => a.buffer)).size).toBe(1);
    expect(shareArrays(packed).every((a, j) => a === packed[j])).toBe(true);
  });

  test('arrays made beside a matrix read shared are packed alone; the matrix is not copied', () => {
    const block = new Float64Array(new SharedArrayBuffer(100 * 5 * 8));
    const read = Array.from({ length: 100 }, (_, j) => block.subarray(5 * j, 5 * j + 5).fill(j));
    const oneHot = Array.from({ length: 3 }, (_, j) =>
      Float64Array.from({ length: 5 }, (_, i) => +(i === j)),
    );
    const shared = shareArrays([...read, ...oneHot]);
    expect(shared.slice(0, 100).every((a, j) => a === read[j])).toBe(true);
    const made = shared.slice(100);
    expect(new Set(made.map((a) => a.buffer)).size).toBe(1);
    expect(made[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(made[0].buffer).not.toBe(block.buffer);
    expect(made.map((a) => Array.from(a))).toEqual(oneHot.map((a) => Array.from(a)));
  });

  test('a matrix and a binned dataset keep their figures', () => {
    const columns = Array.from({ length: 100 }, (_, j) => Float64Array.from({ length: 4 }, (_, i) => i - j));
    const m = shareMatrix({ names: columns.map((_, j) => `f${j}`), rows: 4, columns });
    expect(m.columns.map((c) => Array.from(c))).toEqual(columns.map((c) => Array.from(c)));
    const b = shareBinnedDataset({
      featureNames: ['a', 'b'],
      rows: 3,
      upperBounds: [Float64Array.of(1, Infinity), Float64Array.of(0.5, 2, Infinity)],
      numBins: Int32Array.of(3, 4),
      missingBin: Int32Array.of(2, 3),
      bins: [Uint8Array.of(0, 1, 2), Uint16Array.of(3, 1, 0)],
    });
    expect(b.bins.map((x) => Array.from(x))).toEqual([
      [0, 1, 2],
      [3, 1, 0],
    ]);
    expect(b.bins[1]).toBeInstanceOf(Uint16Array);
    expect(Array.from(b.upperBounds[1])).toEqual([0.5, 2, Infinity]);
  });
});
