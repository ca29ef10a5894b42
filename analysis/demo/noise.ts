/** Random signals shared by the demo generators. */
import type { Rng } from '../random';

const { exp, sqrt } = Math;

/** A smooth random signal: AR(1) with unit stationary variance and `tau` steps of memory. */
export function smoothNoise(rng: Rng, n: number, tau: number): Float64Array {
  const phi = exp(-1 / tau);
  const sd = sqrt(1 - phi * phi);
  const out = new Float64Array(n);
  let x = rng.normal();
  for (let i = 0; i < n; i++) {
    x = phi * x + sd * rng.normal();
    out[i] = x;
  }
  return out;
}
