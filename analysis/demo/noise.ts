/** Random signals shared by the demo generators. */
import type { Rng } from '../random';

const { exp, sqrt } = Math;

/** A smooth random signal: AR(1) with unit stationary variance and `tau` steps of memory. */
export function smoothNoise(rng: Rng, n: number, tau: number): Float64Array {
  return ar1(rng, n, exp(-1 / tau));
}

/** AR(1) with coefficient `phi` and unit stationary variance, started from its stationary law. */
export function ar1(rng: Rng, n: number, phi: number): Float64Array {
  const sd = sqrt(1 - phi * phi);
  const out = new Float64Array(n);
  let x = rng.normal();
  for (let i = 0; i < n; i++) {
    x = phi * x + sd * rng.normal();
    out[i] = x;
  }
  return out;
}
