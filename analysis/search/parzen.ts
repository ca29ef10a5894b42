/**
 * The Parzen estimator of TPE (Bergstra et al. 2011; the bandwidth rules of Optuna's
 * TPESampler, discussed in Watanabe 2023): one kernel per observed trial plus one prior kernel
 * spanning the whole range, weighted so that old trials count less once there are many.
 */
import type { ParamDistribution } from './distributions';
import { kernelBounds } from './distributions';
import { CategoricalKernels, type KernelSet, MixtureOfProducts, TruncatedNormalKernels } from './kernels';

// Math's members as module constants: a global lookup in a hot loop is slow in sandboxes
// such as jest's vm context.
const { log, max, min } = Math;

export interface ParzenOptions {
  /** Weight of the prior kernel relative to one observation (Optuna: 1). */
  readonly priorWeight: number;
  /** Floor the bandwidths at range / min(100, 1 + kernels) (Optuna: true). */
  readonly considerMagicClip: boolean;
  /** Let the range ends count as neighbours of the extreme observations (Optuna: false). */
  readonly considerEndpoints: boolean;
}

export const defaultParzenOptions: ParzenOptions = {
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
};

/**
 * Weights of n observations in trial order (oldest first): flat for the newest 25, a linear
 * ramp from 1/n up to 1 for the older ones, so the estimator follows where the search moved.
 */
export function observationWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (n < 25) return w;
  const ramp = n - 25;
  for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  return w;
}

/**
 * Builds the estimator over a group of parameters from `observations[d][i]` (parameter d of
 * observation i, internal values) with per-observation `weights`.
 */
export function parzenEstimator(
  space: readonly ParamDistribution[],
  observations: readonly (readonly number[])[],
  weights: ArrayLike<number>,
  options: ParzenOptions = defaultParzenOptions,
): MixtureOfProducts {
  const n = weights.length;
  const componentWeights = new Float64Array(n + 1);
  if (n === 0) {
    componentWeights[0] = 1;
  } else {
    let total = options.priorWeight;
    for (let i = 0; i < n; i++) total += weights[i];
    for (let i = 0; i < n; i++) componentWeights[i] = weights[i] / total;
    componentWeights[n] = options.priorWeight / total;
  }
  const kernels: KernelSet[] = space.map((d, j) =>
    d.kind === 'categorical'
      ? categoricalKernels(observations[j] ?? [], d.choices.length, n, options)
      : numericKernels(observations[j] ?? [], d, n, options),
  );
  // With no observation only the prior component exists.
  return new MixtureOfProducts(n === 0 ? componentWeights.subarray(0, 1) : componentWeights, kernels);
}

/** Each observed choice gets its mass plus an even share of the prior; the last row is the prior. */
function categoricalKernels(
  observed: readonly number[],
  nChoices: number,
  n: number,
  options: ParzenOptions,
) {
  if (n === 0) return new CategoricalKernels(new Float64Array(nChoices).fill(1 / nChoices), nChoices);
  const nKernels = n + 1;
  const p = new Float64Array(nKernels * nChoices).fill(options.priorWeight / nKernels);
  for (let i = 0; i < n; i++) p[i * nChoices + observed[i]] += 1;
  for (let k = 0; k < nKernels; k++) {
    let sum = 0;
    for (let c = 0; c < nChoices; c++) sum += p[k * nChoices + c];
    if (sum > 0) for (let c = 0; c < nChoices; c++) p[k * nChoices + c] /= sum;
  }
  return new CategoricalKernels(p, nChoices);
}

/**
 * Kernel centres at the observations; each bandwidth is the larger gap to its sorted neighbours
 * (the range ends count as neighbours), clipped to [range / min(100, 1 + kernels), range]; the
 * prior kernel sits at the centre with the whole range as bandwidth.
 */
function numericKernels(
  observed: readonly number[],
  d: ParamDistribution & { kind: 'float' | 'int' },
  n: number,
  options: ParzenOptions,
) {
  const { low, high } = kernelBounds(d);
  const range = high - low;
  const mus = new Float64Array(n + 1);
  const sigmas = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) mus[i] = d.log ? log(observed[i]) : observed[i];
  if (n > 0) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => mus[a] - mus[b] || a - b);
    // Sorted centres with the range ends as outer neighbours.
    const sorted = new Float64Array(n + 2);
    sorted[0] = low;
    for (let r = 0; r < n; r++) sorted[r + 1] = mus[order[r]];
    sorted[n + 1] = high;
    const s = new Float64Array(n);
    for (let r = 0; r < n; r++) s[r] = max(sorted[r + 1] - sorted[r], sorted[r + 2] - sorted[r + 1]);
    if (!options.considerEndpoints && n >= 2) {
      s[0] = sorted[2] - sorted[1];
      s[n - 1] = sorted[n] - sorted[n - 1];
    }
    const minSigma = options.considerMagicClip ? range / min(100, 1 + (n + 1)) : 1e-12;
    for (let r = 0; r < n; r++) sigmas[order[r]] = min(max(s[r], minSigma), range);
  }
  mus[n] = 0.5 * (low + high);
  sigmas[n] = range;
  return new TruncatedNormalKernels(mus, sigmas, d);
}
