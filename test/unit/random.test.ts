import { createRng } from '../../analysis/random';

describe('createRng', () => {
  it('is reproducible by seed and resumable from its state', () => {
    const a = createRng(42);
    const b = createRng(42);
    const first = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(first);
    const resumed = createRng(a.state());
    expect(resumed.next()).toBe(a.next());
    expect(createRng(43).next()).not.toBe(createRng(42).next());
  });

  it('draws uniform values with the right mean and range', () => {
    const rng = createRng(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(n / 10 / 10);
  });
});
