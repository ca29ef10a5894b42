/**
 * The tree learner's kernels in WebAssembly with 128-bit SIMD (sources in `wasm/gbdt/`, built by
 * `npm run build` into `wasm-binary.ts`): histograms of (gradient, hessian) pairs added with one
 * f64x2 operation per row and feature, a branch-free partition that moves row numbers only,
 * and split finding. Everything they touch lives in one WebAssembly memory per dataset: the
 * one-byte bins stored row-major in groups of eight and every bin column (for the partition),
 * then for each training the row index, each row's (gradient, hessian) pair by row number, the
 * histogram slots and a few tables.
 */
import type { GbdtParams } from '../params';
import { type LeafSplits, recordSplit, splitShift } from './best-split';
import type { BinnedDataset } from './binning';
import type { TreeKernels } from './tree-kernels';
import { wasmBase64 } from './wasm-binary';

/** The contract of `wasm/gbdt/index.ts` these calls follow (its exported `ABI`). */
const ABI = 3;
const PAGE = 65536;
/** The module's own scratch bytes at the start of memory; buffers begin after them. */
const RESERVED = 1024;

interface KernelExports {
  readonly ABI: WebAssembly.Global;
  histogramRows(
    plan: number,
    groups: number,
    lanes: number,
    data: number,
    stride: number,
    index: number,
    start: number,
    count: number,
    pairs: number,
  ): void;
  histogramColumn16(
    base: number,
    column: number,
    index: number,
    start: number,
    count: number,
    pairs: number,
  ): void;
  subtractHistogram(a: number, b: number, entries: number): void;
  partitionRows(
    index: number,
    scratch: number,
    start: number,
    count: number,
    column: number,
    twoByte: number,
    thresholdBin: number,
    missingBin: number,
    missingLeft: number,
  ): number;
  findBestSplit(
    slot: number,
    features: number,
    count: number,
    binOffset: number,
    numBins: number,
    missingBin: number,
    minData: number,
    minHess: number,
    sumG: number,
    sumH: number,
    rows: number,
    countPerHess: number,
    l1: number,
    l2: number,
    out: number,
  ): void;
}

export interface WasmKernelStatus {
  readonly available: boolean;
  /** Why not, when not available. */
  readonly reason?: string;
}

let compiled: { module: WebAssembly.Module } | { reason: string } | undefined;

/** The kernels module, compiled once per thread (a few kilobytes: compiling it is quick). */
function kernelModule(): { module: WebAssembly.Module } | { reason: string } {
  if (compiled) return compiled;
  compiled = compile();
  return compiled;
}

function compile(): { module: WebAssembly.Module } | { reason: string } {
  if (typeof WebAssembly !== 'object') return { reason: 'this runtime has no WebAssembly' };
  const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  if (!WebAssembly.validate(bytes)) {
    return { reason: 'this runtime does not support WebAssembly 128-bit SIMD (or the module is damaged)' };
  }
  try {
    const module = new WebAssembly.Module(bytes);
    const probe = instantiate(module, new WebAssembly.Memory({ initial: 1 }));
    const abi = probe.ABI.value as number;
    if (abi !== ABI) {
      return {
        reason: `the built module follows contract ${abi}, this code expects ${ABI}: run npm run build`,
      };
    }
    return { module };
  } catch (error) {
    return { reason: `the module does not load: ${(error as Error).message}` };
  }
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/** Whether the WebAssembly kernels can run here, and why not. */
export function wasmKernelStatus(): WasmKernelStatus {
  const m = kernelModule();
  return 'module' in m ? { available: true } : { available: false, reason: m.reason };
}

/** A dataset's bins inside a WebAssembly memory, shared by the trainings on it in this thread. */
interface DatasetArena {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  /** Address of the row-major groups, `stride` bytes a row. */
  readonly data: number;
  readonly stride: number;
  /** Per feature: its group of eight one-byte features (-1 for a two-byte feature) and lane. */
  readonly group: Int32Array;
  readonly lane: Int32Array;
  /** The feature at lane u of group g at [8g + u]; -1 past the last one-byte feature. */
  readonly laneFeature: Int32Array;
  /** Per feature: address of its bin column (one or two bytes a row). */
  readonly column: Uint32Array;
  readonly twoByte: Uint8Array;
  /** First byte after the dataset: where a training's buffers start. */
  readonly end: number;
  busy: boolean;
}

const arenas = new WeakMap<readonly (Uint8Array | Uint16Array)[], DatasetArena>();

/** The kernels on `data` for a training with `p`; throws when WebAssembly cannot run them. */
export function createWasmKernels(data: BinnedDataset, p: GbdtParams): WasmKernels {
  const m = kernelModule();
  if (!('module' in m)) throw new Error(`WebAssembly GBDT kernels unavailable: ${m.reason}`);
  let arena = arenas.get(data.bins);
  if (!arena || arena.busy) {
    // Busy: a training on this dataset is still running (started from a callback of another).
    arena = datasetArena(m.module, data);
    if (!arenas.has(data.bins)) arenas.set(data.bins, arena);
  }
  return new WasmKernels(arena, data, p);
}

function align(address: number, to = 64): number {
  return Math.ceil(address / to) * to;
}

/** Grows `memory` to hold `bytes` bytes. */
function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

function datasetArena(module: WebAssembly.Module, data: BinnedDataset): DatasetArena {
  const f = data.bins.length;
  const n = data.rows;
  const group = new Int32Array(f).fill(-1);
  const lane = new Int32Array(f);
  const twoByte = new Uint8Array(f);
  let oneByte = 0;
  for (let j = 0; j < f; j++) {
    if (data.bins[j] instanceof Uint8Array) {
      group[j] = oneByte >> 3;
      lane[j] = oneByte & 7;
      oneByte++;
    } else twoByte[j] = 1;
  }
  // Rows longer than half a cache line take whole lines: a row read from memory is then one line,
  // not two (a 56-byte row starting anywhere but 0 or 8 in a line straddles two).
  const groups = Math.ceil(oneByte / 8);
  const stride = groups > 4 ? 64 * Math.ceil(groups / 8) : 8 * groups;
  const laneFeature = new Int32Array(stride).fill(-1);
  for (let j = 0; j < f; j++) if (group[j] >= 0) laneFeature[8 * group[j] + lane[j]] = j;
  const column = new Uint32Array(f);
  let at = align(RESERVED);
  const rowsAt = at;
  at = align(at + n * stride);
  for (let j = 0; j < f; j++) {
    column[j] = at;
    at = align(at + n * (twoByte[j] ? 2 : 1));
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil(at / PAGE) });
  const exports = instantiate(module, memory);
  const buffer = memory.buffer;
  // Eight one-byte columns into one 8-byte group of each row, written as two 32-bit words.
  const words = new Uint32Array(buffer, rowsAt, (n * stride) / 4);
  const wordsPerRow = stride / 4;
  const byteColumns: Uint8Array[] = [];
  for (let j = 0; j < f; j++) if (!twoByte[j]) byteColumns.push(data.bins[j] as Uint8Array);
  const zero = new Uint8Array(n);
  for (let g = 0; g < stride / 8; g++) {
    const c = (u: number) => byteColumns[8 * g + u] ?? zero;
    const [c0, c1, c2, c3, c4, c5, c6, c7] = [c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7)];
    for (let r = 0, w = 2 * g; r < n; r++, w += wordsPerRow) {
      words[w] = (c0[r] | (c1[r] << 8) | (c2[r] << 16) | (c3[r] << 24)) >>> 0;
      words[w + 1] = (c4[r] | (c5[r] << 8) | (c6[r] << 16) | (c7[r] << 24)) >>> 0;
    }
  }
  for (let j = 0; j < f; j++) {
    if (twoByte[j]) new Uint16Array(buffer, column[j], n).set(data.bins[j]);
    else new Uint8Array(buffer, column[j], n).set(data.bins[j]);
  }
  return {
    memory,
    exports,
    data: rowsAt,
    stride,
    group,
    lane,
    laneFeature,
    column,
    twoByte,
    end: at,
    busy: false,
  };
}

export class WasmKernels implements TreeKernels {
  readonly kind = 'wasm';
  readonly index: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafRows: Int32Array;
  sumGrad = 0;
  sumHess = 0;
  private readonly exports: KernelExports;
  /** (gradient, hessian) of row r at [2r], [2r + 1]. */
  private readonly pairs: Float64Array;
  private readonly hist: Float64Array;
  private readonly planWords: Uint32Array;
  private readonly featureList: Int32Array;
  private readonly best: { readonly sums: Float64Array; readonly ints: Int32Array };
  private readonly at: {
    readonly index: number;
    readonly scratch: number;
    readonly pairs: number;
    readonly hist: number;
    readonly plan: number;
    readonly features: number;
    readonly binOffset: number;
    readonly numBins: number;
    readonly missingBin: number;
    readonly best: number;
  };
  /** Entries of one slot: every feature's bins. */
  private readonly size: number;
  private readonly binOffset: Int32Array;
  private readonly numBins: Int32Array;
  private readonly missingBin: Int32Array;
  /** Scratch per histogram: sampled features per group. */
  private readonly sampledIn: Int32Array;
  /** The sampled features last copied to `featureList`. */
  private listed: Int32Array | null = null;

  constructor(
    private readonly arena: DatasetArena,
    data: BinnedDataset,
    private readonly p: GbdtParams,
  ) {
    this.exports = arena.exports;
    const maxLeaves = p.num_leaves;
    const f = data.numBins.length;
    const n = data.rows;
    const binOffset = new Int32Array(f);
    let total = 0;
    for (let j = 0; j < f; j++) {
      binOffset[j] = total;
      total += data.numBins[j];
    }
    this.binOffset = binOffset;
    this.numBins = data.numBins;
    this.missingBin = data.missingBin;
    this.size = total;
    const groups = Math.max(1, arena.stride / 8);
    let at = arena.end;
    const take = (bytes: number) => {
      const here = at;
      at = align(at + bytes);
      return here;
    };
    this.at = {
      index: take(4 * n),
      scratch: take(4 * n),
      pairs: take(16 * n),
      hist: take(maxLeaves * this.size * 16),
      plan: take(36 * groups + 8 * f),
      features: take(4 * f),
      binOffset: take(4 * f),
      numBins: take(4 * f),
      missingBin: take(4 * f),
      best: take(40),
    };
    reserve(arena.memory, at);
    arena.busy = true;
    const buffer = arena.memory.buffer;
    this.index = new Uint32Array(buffer, this.at.index, n);
    this.pairs = new Float64Array(buffer, this.at.pairs, 2 * n);
    this.hist = new Float64Array(buffer, this.at.hist, 2 * this.size * maxLeaves);
    this.planWords = new Uint32Array(buffer, this.at.plan, 9 * groups + 2 * f);
    this.featureList = new Int32Array(buffer, this.at.features, f);
    new Int32Array(buffer, this.at.binOffset, f).set(binOffset);
    new Int32Array(buffer, this.at.numBins, f).set(data.numBins);
    new Int32Array(buffer, this.at.missingBin, f).set(data.missingBin);
    this.best = {
      sums: new Float64Array(buffer, this.at.best, 3),
      ints: new Int32Array(buffer, this.at.best + 24, 4),
    };
    this.sampledIn = new Int32Array(groups);
    this.leafStart = new Int32Array(maxLeaves);
    this.leafRows = new Int32Array(maxLeaves);
  }

  reset(bag: Uint32Array, grad: Float64Array, hess: Float64Array): void {
    this.index.set(bag);
    const pairs = this.pairs;
    let g = 0;
    let h = 0;
    for (let k = 0; k < bag.length; k++) {
      const r = bag[k];
      pairs[2 * r] = grad[r];
      pairs[2 * r + 1] = hess[r];
      g += grad[r];
      h += hess[r];
    }
    this.sumGrad = g;
    this.sumHess = h;
    this.leafStart[0] = 0;
    this.leafRows[0] = bag.length;
  }

  build(slot: number, sampled: Int32Array, leaf: number): void {
    const { group, lane, laneFeature, column } = this.arena;
    const { binOffset, numBins } = this;
    const slotAt = this.at.hist + slot * this.size * 16;
    const hist = this.hist;
    const slotBase = 2 * slot * this.size;
    const sampledIn = this.sampledIn.fill(0);
    for (let q = 0; q < sampled.length; q++) {
      const f = sampled[q];
      hist.fill(0, slotBase + 2 * binOffset[f], slotBase + 2 * (binOffset[f] + numBins[f]));
      if (group[f] >= 0) sampledIn[group[f]]++;
    }
    // Groups whose eight features are all sampled take the unrolled pass; the other sampled
    // one-byte features are planned one by one after them.
    const plan = this.planWords;
    let groups = 0;
    for (let g = 0; g < sampledIn.length; g++) {
      if (sampledIn[g] < 8) continue;
      const p = 9 * groups++;
      plan[p] = 8 * g;
      for (let u = 0; u < 8; u++) plan[p + 1 + u] = slotAt + 16 * binOffset[laneFeature[8 * g + u]];
    }
    let lanes = 0;
    for (let q = 0; q < sampled.length; q++) {
      const f = sampled[q];
      const g = group[f];
      if (g < 0 || sampledIn[g] === 8) continue;
      const p = 9 * groups + 2 * lanes++;
      plan[p] = 8 * g + lane[f];
      plan[p + 1] = slotAt + 16 * binOffset[f];
    }
    const start = this.leafStart[leaf];
    const count = this.leafRows[leaf];
    const { index, pairs } = this.at;
    const arena = this.arena;
    this.exports.histogramRows(
      this.at.plan,
      groups,
      lanes,
      arena.data,
      arena.stride,
      index,
      start,
      count,
      pairs,
    );
    for (let q = 0; q < sampled.length; q++) {
      const f = sampled[q];
      if (group[f] >= 0) continue;
      this.exports.histogramColumn16(slotAt + 16 * binOffset[f], column[f], index, start, count, pairs);
    }
  }

  subtract(slot: number, smaller: number, _sampled: Int32Array): void {
    // The whole slot: features not sampled hold stale sums that are never read.
    const bytes = this.size * 16;
    this.exports.subtractHistogram(this.at.hist + slot * bytes, this.at.hist + smaller * bytes, this.size);
  }

  findBestSplit(
    slot: number,
    sampled: Int32Array,
    leaf: number,
    sumG: number,
    sumH: number,
    out: LeafSplits,
  ): void {
    if (this.listed !== sampled) {
      this.featureList.set(sampled);
      this.listed = sampled;
    }
    const p = this.p;
    const rows = this.leafRows[leaf];
    const at = this.at;
    this.exports.findBestSplit(
      at.hist + slot * this.size * 16,
      at.features,
      sampled.length,
      at.binOffset,
      at.numBins,
      at.missingBin,
      Math.max(1, p.min_data_in_leaf),
      p.min_sum_hessian_in_leaf,
      sumG,
      sumH,
      rows,
      // Histograms hold no counts: a side's row count is estimated from its hessian sum.
      rows / sumH,
      p.lambda_l1,
      p.lambda_l2,
      at.best,
    );
    const { sums, ints } = this.best;
    const gain = sums[0] - splitShift(sumG, sumH, p);
    recordSplit(out, leaf, gain, ints[0], ints[1], ints[2], sums[1], sums[2], ints[3]);
  }

  split(leaf: number, right: number, feature: number, thresholdBin: number, missingLeft: boolean): number {
    const start = this.leafStart[leaf];
    const count = this.leafRows[leaf];
    const leftRows = this.exports.partitionRows(
      this.at.index,
      this.at.scratch,
      start,
      count,
      this.arena.column[feature],
      this.arena.twoByte[feature],
      thresholdBin,
      this.missingBin[feature],
      missingLeft ? 1 : 0,
    );
    this.leafStart[right] = start + leftRows;
    this.leafRows[right] = count - leftRows;
    this.leafRows[leaf] = leftRows;
    return leftRows;
  }

  release(): void {
    this.arena.busy = false;
  }
}
