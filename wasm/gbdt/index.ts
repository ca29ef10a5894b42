/**
 * Entry of the GBDT kernels module (built by `npm run build` into
 * `analysis/learners/gbdt/wasm-module.ts`). `ABI` changes whenever an export's signature or
 * meaning does, so the JavaScript side never calls a module built for another contract.
 */
export const ABI: i32 = 3;
export { histogramColumn16, histogramRows, subtractHistogram } from './histogram';
export { partitionRows } from './partition';
export { findBestSplit } from './split';
