/** Values for people (analysis/precision.ts): float32 and float64 noise gone, real digits kept. */
import { dataDecimals, readableText, readableValue } from '../../analysis/precision';

describe('readableValue', () => {
  it("reads AI4I's float32 threshold as the data writes it", () => {
    // the threshold issue 15 quotes, and the float32 midpoint it comes from
    expect(readableValue(301.65000915527344)).toBe(301.65);
    expect(readableValue((Math.fround(301.6) + Math.fround(301.7)) / 2)).toBe(301.65);
    expect(readableValue(Math.fround(0.1))).toBe(0.1);
    expect(readableValue(Math.fround(-1234.567))).toBe(-1234.567);
  });

  it('drops float64 arithmetic noise', () => {
    expect(readableValue((0.1 + 0.2) / 2)).toBe(0.15);
    expect(readableValue(0.1 + 0.2)).toBe(0.3);
  });

  it('keeps exact values, large integers and small numbers whole', () => {
    for (const v of [231.5, 12345678, 16777217, 0, -0.5, 1e-9, 2.5e-7, 42]) expect(readableValue(v)).toBe(v);
    expect(readableValue(0.123456789)).toBeCloseTo(0.123456789, 8);
  });

  it('rounds to given decimals', () => {
    expect(readableValue(301.65000915527344, 2)).toBe(301.65);
    expect(readableValue(4.06933, 1)).toBe(4.1);
    expect(readableValue(7, 3)).toBe(7);
  });

  it('leaves non-finite values as they are', () => {
    expect(readableValue(Number.NaN)).toBeNaN();
    expect(readableValue(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(readableText(301.65000915527344)).toBe('301.65');
  });
});

describe('dataDecimals', () => {
  it('counts the decimals the data is written with, float32 noise forgiven', () => {
    expect(dataDecimals(Float32Array.from([298.1, 301.6, 310.2]))).toBe(1);
    expect(dataDecimals([1, 2, 3])).toBe(0);
    expect(dataDecimals([1.25, 2.5, Number.NaN])).toBe(2);
    expect(dataDecimals([Math.PI], 4)).toBe(4);
    expect(dataDecimals([])).toBe(0);
  });
});
