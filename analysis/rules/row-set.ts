/**
 * Sets of observations as bit sets (bit i of word i >> 5 is row i), so that a conjunction of
 * conditions is a word-wise AND and its size a population count: the beam search intersects
 * thousands of candidate subgroups with a few cheap passes over n/32 words.
 */
export type RowSet = Uint32Array;

export function emptyRowSet(rows: number): RowSet {
  return new Uint32Array((rows + 31) >>> 5);
}

/** The set of rows `i` in [0, rows) for which `member(i)` holds. */
export function rowSetOf(rows: number, member: (i: number) => boolean): RowSet {
  const set = emptyRowSet(rows);
  for (let i = 0; i < rows; i++) if (member(i)) set[i >>> 5] |= 1 << (i & 31);
  return set;
}

export function hasRow(set: RowSet, i: number): boolean {
  return ((set[i >>> 5] >>> (i & 31)) & 1) === 1;
}

export function addRow(set: RowSet, i: number): void {
  set[i >>> 5] |= 1 << (i & 31);
}

/*
 * Bit tricks in plain integer arithmetic: Math.clz32 and Math.imul are not inlined where code
 * runs in a vm context (jest's test environment), where they made the search 60 times slower.
 */

/** Set bits of a 32-bit word. */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  v += v >>> 8;
  v += v >>> 16;
  return v & 0x3f;
}

/** 2^k mod 37 is distinct for k in 0..31: the index of a word's lowest set bit from its value. */
const LOWEST_BIT = new Int8Array(37);
for (let k = 0; k < 32; k++) LOWEST_BIT[2 ** k % 37] = k;

/** Index (0..31) of the lowest set bit of a non-zero word. */
export function lowestBit(word: number): number {
  return LOWEST_BIT[((word & -word) >>> 0) % 37];
}

export function countRows(set: RowSet): number {
  let n = 0;
  for (let k = 0; k < set.length; k++) n += popcount(set[k]);
  return n;
}

/** |a ∩ b| */
export function countBoth(a: RowSet, b: RowSet): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) n += popcount(a[k] & b[k]);
  return n;
}

/** |a ∩ b ∩ c| */
export function countAll(a: RowSet, b: RowSet, c: RowSet): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) n += popcount(a[k] & b[k] & c[k]);
  return n;
}

/** a ∩ b, as a new set. */
export function intersect(a: RowSet, b: RowSet): RowSet {
  const out = new Uint32Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] & b[k];
  return out;
}

/** |a ∩ b| / |a ∪ b| (1 for two empty sets). */
export function jaccard(a: RowSet, b: RowSet): number {
  let both = 0;
  let either = 0;
  for (let k = 0; k < a.length; k++) {
    both += popcount(a[k] & b[k]);
    either += popcount(a[k] | b[k]);
  }
  return either === 0 ? 1 : both / either;
}

export function sameRows(a: RowSet, b: RowSet): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
