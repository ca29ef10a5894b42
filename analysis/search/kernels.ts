/**
 * The small distributions TPE is built from. A `KernelSet` is one parameter's kernels, one per
 * mixture component; a `MixtureOfProducts` weights components, each the product of its kernels
 * over the parameters. Everything answers two questions: `sample(rng)` and `logPdf(x)`.
 * Values are the samplers' internal numbers (see distributions.ts).
 */
import type { Rng } from '../random';
import { kernelBounds, type NumericDistribution, roundToGrid } from './distributions';
import { logGaussMass, logNormalPdf, truncatedNormalQuantile } from './gaussian';

// Math's members as module constants: a global lookup in a hot loop is slow in sandboxes
// such as jest's vm context.
const { exp, log, max, min } = Math;
const NEGATIVE_INFINITY = -1 / 0;

export interface KernelSet {
  /** Number of kernels (mixture components). */
  readonly size: number;
  /** A value drawn from kernel `k`. */
  sample(k: number, rng: Rng): number;
  /** Adds log p_k(x) of every kernel k to `out[k]`. */
  addLogPdf(x: number, out: Float64Array): void;
}

/**
 * Normal kernels truncated to the parameter's range (in logs for a log scale). On a grid (ints,
 * stepped floats) a value's probability is the kernel's mass over its grid cell, so the kernels
 * give a proper discrete distribution and candidates snap to grid points.
 */
export class TruncatedNormalKernels implements KernelSet {
  readonly size: number;
  private readonly low: number;
  private readonly high: number;
  /** log σ_k + log of the kernel's mass inside the range: the normalizer. */
  private readonly logNorm: Float64Array;
  private readonly logMass: Float64Array;
  private readonly cellLogMass = new Map<number, Float64Array>();

  constructor(
    readonly mus: Float64Array,
    readonly sigmas: Float64Array,
    readonly distribution: NumericDistribution,
  ) {
    this.size = mus.length;
    const { low, high } = kernelBounds(distribution);
    this.low = low;
    this.high = high;
    this.logMass = new Float64Array(this.size);
    this.logNorm = new Float64Array(this.size);
    for (let k = 0; k < this.size; k++) {
      const m = logGaussMass((low - mus[k]) / sigmas[k], (high - mus[k]) / sigmas[k]);
      this.logMass[k] = m;
      this.logNorm[k] = m + log(sigmas[k]);
    }
  }

  sample(k: number, rng: Rng): number {
    const mu = this.mus[k];
    const sigma = this.sigmas[k];
    const z = truncatedNormalQuantile(rng.next(), (this.low - mu) / sigma, (this.high - mu) / sigma);
    let x = mu + sigma * z;
    if (this.distribution.log) x = exp(x);
    return this.distribution.step === null
      ? min(max(x, this.distribution.low), this.distribution.high)
      : roundToGrid(this.distribution, x);
  }

  addLogPdf(x: number, out: Float64Array): void {
    const d = this.distribution;
    const { mus, sigmas } = this;
    if (d.step === null) {
      const y = d.log ? log(x) : x;
      for (let k = 0; k < this.size; k++) out[k] += logNormalPdf((y - mus[k]) / sigmas[k]) - this.logNorm[k];
      return;
    }
    // Grid values repeat among candidates: compute each value's cell masses once.
    let cell = this.cellLogMass.get(x);
    if (cell === undefined) {
      const half = d.step / 2;
      const left = d.log ? log(x - half) : x - half;
      const right = d.log ? log(x + half) : x + half;
      cell = new Float64Array(this.size);
      for (let k = 0; k < this.size; k++) {
        cell[k] = logGaussMass((left - mus[k]) / sigmas[k], (right - mus[k]) / sigmas[k]) - this.logMass[k];
      }
      this.cellLogMass.set(x, cell);
    }
    for (let k = 0; k < this.size; k++) out[k] += cell[k];
  }
}

/** Categorical kernels: row k of `probabilities` (size × nChoices, rows summing to 1). */
export class CategoricalKernels implements KernelSet {
  readonly size: number;
  private readonly logProbabilities: Float64Array;

  constructor(
    readonly probabilities: Float64Array,
    readonly nChoices: number,
  ) {
    this.size = probabilities.length / nChoices;
    this.logProbabilities = probabilities.map(log);
  }

  sample(k: number, rng: Rng): number {
    const u = rng.next();
    let cumulative = 0;
    const row = k * this.nChoices;
    for (let c = 0; c < this.nChoices - 1; c++) {
      cumulative += this.probabilities[row + c];
      if (u < cumulative) return c;
    }
    return this.nChoices - 1;
  }

  addLogPdf(x: number, out: Float64Array): void {
    for (let k = 0; k < this.size; k++) out[k] += this.logProbabilities[k * this.nChoices + x];
  }
}

/** Σ_k w_k Π_d p_{k,d}(x_d): the Parzen estimator over a group of parameters. */
export class MixtureOfProducts {
  private readonly logWeights: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    /** Component weights, summing to 1. */
    readonly weights: Float64Array,
    /** One kernel set per parameter, each with `weights.length` kernels. */
    readonly dimensions: readonly KernelSet[],
  ) {
    this.logWeights = weights.map(log);
    this.scratch = new Float64Array(weights.length);
  }

  /** One point: a component drawn by weight, then each parameter from that component's kernel. */
  sample(rng: Rng): number[] {
    const u = rng.next();
    let k = 0;
    let cumulative = this.weights[0];
    while (u >= cumulative && k < this.weights.length - 1) cumulative += this.weights[++k];
    return this.dimensions.map((d) => d.sample(k, rng));
  }

  logPdf(point: readonly number[]): number {
    const acc = this.scratch;
    acc.set(this.logWeights);
    for (let d = 0; d < this.dimensions.length; d++) this.dimensions[d].addLogPdf(point[d], acc);
    let top = NEGATIVE_INFINITY;
    for (let k = 0; k < acc.length; k++) if (acc[k] > top) top = acc[k];
    if (top === NEGATIVE_INFINITY) return top;
    let sum = 0;
    for (let k = 0; k < acc.length; k++) sum += exp(acc[k] - top);
    return top + log(sum);
  }
}
