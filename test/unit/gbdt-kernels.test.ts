/**
 * The WebAssembly tree kernels against their oracle, the JavaScript kernels: the same trees bit
 * for bit on every training case (NaN, constant and all-NaN columns, one- and two-byte bins,
 * feature fraction, bagging, row subsets, early stopping) and on the AI4I 2020 data, the WebAssembly path really taken when
 * it is available, the built module current with its sources, and the kernel switch checked.
 */
import { InvalidInputError } from '../../analysis/errors';
import { featureMatrix } from '../../analysis/frame';
import { fitFinal } from '../../analysis/learners/final';
import { binDataset } from '../../analysis/learners/gbdt/binning';
import { kernelInUse, resolveKernelChoice } from '../../analysis/learners/gbdt/kernel-choice';
import { type GbdtModel, gbdtModelToJson } from '../../analysis/learners/gbdt/model';
import { syntheticClassification } from '../../analysis/learners/gbdt/synthetic';
import { trainGbdt } from '../../analysis/learners/gbdt/train';
import { wasmSourceHash } from '../../analysis/learners/gbdt/wasm-binary';
import { WasmKernels, wasmKernelStatus } from '../../analysis/learners/gbdt/wasm-kernels';
import { ComputePool } from '../../compute/pool';
import { shareArray, shareMatrix } from '../../compute/shared';
import ai4i from '../fixtures/gbdt/ai4i.json';
import { rowsOf } from '../fixtures/gbdt/split';
import { caseData, modelDigest, type TreeCase, trainCase, treeCases } from '../fixtures/gbdt/tree-cases';

// The fingerprint rule lives with the build script (CommonJS, shared with it).
const { sourceHash } = require('../../wasm/source-hash.cjs') as { sourceHash: () => string };

const environment = 'LINE_RCA_GBDT_KERNEL';

/** More shapes than the golden cases: fewer than eight features, mixed widths, deep bagging. */
const extraCases: readonly TreeCase[] = [
  {
    name: 'seven features (one short group)',
    rows: 2500,
    features: 5,
    seed: 12,
    params: { num_iterations: 8, num_leaves: 7 },
  },
  {
    name: 'mixed one- and two-byte bins, heavy sampling',
    rows: 5000,
    features: 23,
    seed: 13,
    params: {
      num_iterations: 10,
      max_bin: 400,
      feature_fraction: 0.5,
      bagging_fraction: 0.3,
      bagging_freq: 2,
      lambda_l1: 0.5,
      min_data_in_leaf: 3,
    },
  },
  {
    name: 'many leaves on few rows',
    rows: 1500,
    features: 40,
    seed: 14,
    params: { num_iterations: 6, num_leaves: 128, min_data_in_leaf: 2, min_sum_hessian_in_leaf: 0 },
  },
];

describe('GBDT kernels: WebAssembly against the JavaScript oracle', () => {
  it('WebAssembly with SIMD is available in this runtime', () => {
    expect(wasmKernelStatus()).toEqual({ available: true });
  });

  it('the built module is current with wasm/gbdt (else: npm run build)', () => {
    expect(wasmSourceHash).toBe(sourceHash());
  });

  it.each([...treeCases, ...extraCases].map((c) => [c.name, c] as const))('same trees: %s', (_, c) => {
    const js = trainCase(c, { kernel: 'js' });
    const wasm = trainCase(c, { kernel: 'wasm' });
    expect(wasm.trees.length).toBeGreaterThan(0);
    expect(modelDigest(wasm)).toBe(modelDigest(js));
  });

  it.each(Object.keys(ai4i.params))('same trees: AI4I 2020, %s parameters', (name) => {
    const params = (ai4i.params as Record<string, Record<string, number | string>>)[name];
    const features = featureMatrix(
      ai4i.names,
      ai4i.columns.map((c) => Float64Array.from(c)),
    );
    const labels = Uint8Array.from(ai4i.labels);
    const data = binDataset(rowsOf(features, 0, ai4i.split), { params });
    const validation = {
      features: rowsOf(features, ai4i.split, features.rows),
      labels: labels.subarray(ai4i.split),
    };
    const train = (kernel: 'js' | 'wasm') =>
      trainGbdt(data, labels.subarray(0, ai4i.split), { params, validation, kernel });
    expect(modelDigest(train('wasm'))).toBe(modelDigest(train('js')));
  });

  it('auto takes the WebAssembly path when it is available', () => {
    const c = treeCases[0];
    const build = jest.spyOn(WasmKernels.prototype, 'build');
    try {
      const previous = process.env[environment];
      delete process.env[environment];
      try {
        expect(kernelInUse()).toBe('wasm');
        trainCase(c, { params: { ...c.params, num_iterations: 2 } });
      } finally {
        if (previous !== undefined) process.env[environment] = previous;
      }
      expect(build).toHaveBeenCalled();
    } finally {
      build.mockRestore();
    }
  });

  it('js never touches the WebAssembly kernels', () => {
    const build = jest.spyOn(WasmKernels.prototype, 'build');
    try {
      trainCase(treeCases[0], { kernel: 'js' });
      expect(build).not.toHaveBeenCalled();
    } finally {
      build.mockRestore();
    }
  });

  it('two trainings on one dataset, one started from the other, keep apart', () => {
    // The second training runs inside the first one's callback: it must not reuse its buffers.
    const c = treeCases[2];
    const { features, labels } = caseData(c);
    const data = binDataset(features, { params: c.params });
    const alone = trainGbdt(data, labels, { params: c.params, kernel: 'js' });
    let inner: string | undefined;
    const outer = trainGbdt(data, labels, {
      params: c.params,
      kernel: 'wasm',
      onIteration: (report) => {
        if (report.iteration === 3)
          inner = modelDigest(trainGbdt(data, labels, { params: c.params, kernel: 'wasm' }));
        return true;
      },
    });
    expect(modelDigest(outer)).toBe(modelDigest(alone));
    expect(inner).toBe(modelDigest(alone));
  });

  it('reads the switch from LINE_RCA_GBDT_KERNEL, the option first, and rejects other values', () => {
    const previous = process.env[environment];
    try {
      process.env[environment] = 'js';
      expect(resolveKernelChoice()).toBe('js');
      expect(resolveKernelChoice('wasm')).toBe('wasm');
      delete process.env[environment];
      expect(resolveKernelChoice()).toBe('auto');
      process.env[environment] = 'fast';
      expect(() => resolveKernelChoice()).toThrow(InvalidInputError);
      expect(() => resolveKernelChoice()).toThrow(
        /LINE_RCA_GBDT_KERNEL: "fast" is not a GBDT kernel; use one of js, wasm, auto/,
      );
    } finally {
      if (previous === undefined) delete process.env[environment];
      else process.env[environment] = previous;
    }
  });
});

describe('GBDT kernels in compute worker threads', () => {
  let pool: ComputePool;
  const previous = process.env[environment];

  beforeAll(() => {
    pool = new ComputePool({ size: 1 });
  });
  afterAll(async () => {
    await pool.close();
    if (previous === undefined) delete process.env[environment];
    else process.env[environment] = previous;
  });

  it('a worker trains with WebAssembly the trees the main thread trains with JavaScript', async () => {
    const { features, labels } = syntheticClassification(4000, 12, 31);
    const data = { features: shareMatrix(features), labels: shareArray(labels) };
    const rows = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);
    const split = { train: rows(0, 3200), validation: rows(3200, 4000) };
    const fit = {
      kind: 'gbdt',
      params: { num_iterations: 12, feature_fraction: 0.7, bagging_fraction: 0.8, bagging_freq: 1, seed: 3 },
    };
    // The thread starts with the first task and takes the environment of that moment: forced to
    // WebAssembly, so a thread that cannot load the module fails instead of falling back.
    process.env[environment] = 'wasm';
    const remote = pool.run('fit-final', { data, split, fit });
    process.env[environment] = 'js';
    const local = fitFinal(data, split, fit);
    expect(gbdtModelToJson((await remote).model as GbdtModel)).toEqual(
      gbdtModelToJson(local.model as GbdtModel),
    );
  });
});
