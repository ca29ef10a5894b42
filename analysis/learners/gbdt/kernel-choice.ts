/**
 * Which tree kernels a training uses, one rule for every caller: the training option `kernel`,
 * else the environment variable `LINE_RCA_GBDT_KERNEL`, else `auto`.
 *
 * - `js`: the JavaScript kernels.
 * - `wasm`: the WebAssembly kernels; an error when they cannot run here (no WebAssembly SIMD, a
 *   module built for another contract, a dataset too large for a 4 GiB WebAssembly memory).
 * - `auto`: WebAssembly when it can run, JavaScript otherwise (`wasmKernelStatus` says why).
 *
 * Both kernels grow the same trees bit for bit, so the choice changes speed, never a result.
 */
import { InvalidInputError } from '../../errors';
import type { GbdtParams } from '../params';
import type { BinnedDataset } from './binning';
import { JsKernels } from './js-kernels';
import { type KernelChoice, kernelChoices, type TreeKernels } from './tree-kernels';
import { createWasmKernels, wasmKernelStatus } from './wasm-kernels';

export const kernelEnvironmentVariable = 'LINE_RCA_GBDT_KERNEL';

/** The choice in force: `option` if given, else the environment variable, else `auto`. */
export function resolveKernelChoice(option?: KernelChoice): KernelChoice {
  if (option !== undefined) return checkChoice(option, 'kernel');
  // Read through globalThis: in a browser there is no `process`, and the default holds.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[kernelEnvironmentVariable];
  return value === undefined || value === '' ? 'auto' : checkChoice(value, kernelEnvironmentVariable);
}

function checkChoice(value: string, where: string): KernelChoice {
  if (!(kernelChoices as readonly string[]).includes(value)) {
    throw new InvalidInputError({
      where,
      message: `${JSON.stringify(value)} is not a GBDT kernel; use one of ${kernelChoices.join(', ')}`,
    });
  }
  return value as KernelChoice;
}

/** The kernels `choice` (resolved by `resolveKernelChoice`) gives for `data`. */
export function createTreeKernels(data: BinnedDataset, p: GbdtParams, choice: KernelChoice): TreeKernels {
  if (choice === 'js') return new JsKernels(data, p);
  if (choice === 'auto' && !wasmKernelStatus().available) return new JsKernels(data, p);
  try {
    return createWasmKernels(data, p);
  } catch (error) {
    // A WebAssembly memory this large cannot be had (over 4 GiB, or the machine refuses it).
    if (choice === 'auto' && error instanceof RangeError) return new JsKernels(data, p);
    throw error;
  }
}

/**
 * The kernels a training with `option` runs here (for reports and benchmarks); `auto` falls back
 * to JavaScript for a dataset too large for WebAssembly, which this does not foresee.
 */
export function kernelInUse(option?: KernelChoice): 'js' | 'wasm' {
  const choice = resolveKernelChoice(option);
  if (choice === 'auto') return wasmKernelStatus().available ? 'wasm' : 'js';
  return choice;
}
