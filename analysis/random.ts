/**
 * A small seeded pseudo-random generator (Mulberry32-seeded xoshiro128**), passed explicitly to
 * every function that needs randomness so that one seed fixes every random choice.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Internal state, to serialize and resume. */
  state(): number[];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a generator from a seed, or resumes one from a saved `state()`. */
export function createRng(seedOrState: number | readonly number[]): Rng {
  let s: Uint32Array;
  if (typeof seedOrState === 'number') {
    const mix = splitmix32(seedOrState);
    s = new Uint32Array([mix(), mix(), mix(), mix()]);
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  } else {
    if (seedOrState.length !== 4) throw new Error('rng state must hold 4 integers');
    s = Uint32Array.from(seedOrState);
  }
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const next = (): number => {
    // 53 bits from two draws, as numpy does, so values never collide at float32 resolution.
    const a = nextU32() >>> 5;
    const b = nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    normal: () => {
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    state: () => Array.from(s),
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
