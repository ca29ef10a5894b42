/**
 * Standard test functions for checking a sampler (the tests and `bench/search` use them; the
 * Python reference defines the same ones). Each has its box and its known minimum.
 */
import type { Rng } from '../random';

export interface TestFunction {
  readonly name: string;
  readonly low: readonly number[];
  readonly high: readonly number[];
  readonly optimum: number;
  /** The noise-free value. */
  readonly f: (x: readonly number[]) => number;
  /** Standard deviation of Gaussian noise added to observations (0: deterministic). */
  readonly noise: number;
}

/** Branin on [-5, 10] × [0, 15]; minimum 0.397887 at three points. */
export const branin: TestFunction = {
  name: 'branin',
  low: [-5, 0],
  high: [10, 15],
  optimum: 0.39788735772973816,
  noise: 0,
  f: ([x1, x2]) => {
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

/** Hartmann-6 on [0, 1]^6; minimum −3.32237. */
export const hartmann6: TestFunction = {
  name: 'hartmann6',
  low: [0, 0, 0, 0, 0, 0],
  high: [1, 1, 1, 1, 1, 1],
  optimum: -3.322368011415515,
  noise: 0,
  f: (x) => {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i][j] * (x[j] - H6_P[i][j] * 1e-4) ** 2;
      sum += H6_ALPHA[i] * Math.exp(-inner);
    }
    return -sum;
  },
};

/** Sphere in 4 dimensions on [-5, 5]^4 observed with N(0, 0.5²) noise; minimum 0. */
export const noisySphere: TestFunction = {
  name: 'noisy_sphere',
  low: [-5, -5, -5, -5],
  high: [5, 5, 5, 5],
  optimum: 0,
  noise: 0.5,
  f: (x) => x.reduce((s, v) => s + v * v, 0),
};

export const testFunctions: readonly TestFunction[] = [branin, hartmann6, noisySphere];

/** An observation: the value plus noise drawn from `rng` (the search's own rng stays untouched). */
export function observe(fn: TestFunction, x: readonly number[], noiseRng: Rng): number {
  return fn.noise > 0 ? fn.f(x) + fn.noise * noiseRng.normal() : fn.f(x);
}
