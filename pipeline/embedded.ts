/**
 * The in-process runner: the pipeline on one machine, files in, files out, no service needed.
 * It runs the same plan as the Temporal workflow with the stage functions themselves. Results
 * reach `outDir` only at the end, each file renamed into place, so a stopped run leaves no
 * half-written results there.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../activities';
import type { Progress } from '../activities/progress';
import type { AnalysisConfig } from '../analysis/config';
import type { ResultsDocument } from '../analysis/results';
import { ComputePool } from '../compute/pool';
import { artifactPath } from '../connectors/artifact-storage';
import { runPipeline } from './plan';
import { withStageSteps } from './stages';
import { withStorageRetry } from './storage-retry';

export interface EmbeddedRunOptions {
  readonly config: AnalysisConfig;
  /** Folder a relative `source.path` is relative to. */
  readonly baseDir: string;
  /** Where `results.json`, `report.html` and the model files go (optional). */
  readonly outDir?: string;
  readonly analysisId?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Wraps the stages before the run (`--profile` measures each call). */
  readonly instrument?: <S extends object>(stages: S) => S;
}

export interface EmbeddedRunResult {
  readonly results: ResultsDocument;
  readonly workDir: string;
  /** Files written to `outDir`, by name. */
  readonly files: Readonly<Record<string, string>>;
}

export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AnalysisCancelled';
  }
}

/**
 * Trials, final models and SHAP run on worker threads (side by side, and Ctrl-C stays
 * responsive); the pool and the learning data live for this run only.
 */
export async function runEmbedded(options: EmbeddedRunOptions): Promise<EmbeddedRunResult> {
  const parallelism = options.config.search.parallelism;
  const compute = new ComputePool({ size: Math.max(1, Math.min(parallelism, os.availableParallelism())) });
  try {
    const stages = createActivities({ compute });
    return await runAndPublish(options, options.instrument ? options.instrument(stages) : stages);
  } finally {
    await compute.close();
  }
}

async function runAndPublish(
  options: EmbeddedRunOptions,
  stages: ReturnType<typeof createActivities>,
): Promise<EmbeddedRunResult> {
  const { signal, progress } = options;
  const outcome = await runPipeline(
    withStorageRetry(
      progress ? withStageSteps(stages, (done, total, unit) => progress.step(done, total, unit)) : stages,
      { signal, waiting: (message) => progress?.info(message) },
    ),
    { config: options.config, baseDir: options.baseDir, analysisId: options.analysisId },
    {
      now: () => Date.now(),
      stage: progress ? (name, detail) => progress.stage(name, detail) : undefined,
      trial: progress ? (search) => progress.trial(search) : undefined,
      checkpoint: () => {
        if (signal?.aborted) throw new AnalysisCancelled();
      },
      isCancellation: (error) => error instanceof AnalysisCancelled,
      nonCancellable: (work) => work(),
    },
  );
  if (outcome.status === 'cancelled') throw new AnalysisCancelled();

  const files: Record<string, string> = {};
  if (options.outDir) {
    const outDir = options.outDir;
    mkdirSync(outDir, { recursive: true });
    const publish = async (name: string, uri: string | null) => {
      if (!uri) return;
      const from = await artifactPath(uri);
      if (!existsSync(from)) return;
      const to = path.join(outDir, name);
      copyFileSync(from, `${to}.tmp`);
      renameSync(`${to}.tmp`, to);
      files[name] = to;
    };
    await publish('model.json', outcome.modelUri);
    await publish('model.onnx', outcome.onnxUri);
    await publish('report.html', outcome.reportUri);
    // results.json last: its presence says the analysis finished.
    await publish('results.json', outcome.resultsUri);
  }
  const results = JSON.parse(readFileSync(await artifactPath(outcome.resultsUri), 'utf8')) as ResultsDocument;
  return { results, workDir: outcome.workDir, files };
}
