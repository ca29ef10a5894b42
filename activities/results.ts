/**
 * The last stages: compose (the results document, to `results.json` in the work folder, what the
 * report and MLflow read), persist (the document with its MLflow status, to `results.json` and
 * to MongoDB when `MONGODB_URI` is set), report (the self-contained HTML page), and discard (a
 * failed analysis' working data).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DistributionEntry, ImportanceEntry, ResultsDocument, TrialSummary } from '../analysis/results';
import { ArtifactStore, joinLargeArrays } from '../connectors/artifacts';
import { artifactRoot, datasetPath, readObservationDataset } from '../connectors/datasets';
import { MongoStore } from '../connectors/mongo';
import { downsampleSeries, positiveRanges, type ReportSeries, type ReportShapSample } from '../report/data';
import { renderReport } from '../report/html';
import { featureDataset } from './data';
import type {
  ComposeInput,
  ComposeOutput,
  DiscardInput,
  PersistInput,
  PersistOutput,
  ReportInput,
  ReportOutput,
} from './types';
import { readJsonArtifact, toJson, writeArtifact } from './workspace';

export function resultsDocument(
  input: ComposeInput,
  distribution: readonly DistributionEntry[],
  importance: readonly ImportanceEntry[],
): ResultsDocument {
  const { config, aggregate, evaluate, explain } = input;
  const trials: TrialSummary[] = [...input.trials];
  const artifacts: Record<string, string> = {
    observations: input.extract.observationsUri,
    features: aggregate.featuresUri,
  };
  if (evaluate) artifacts.model = evaluate.modelUri;
  if (evaluate?.onnxUri) artifacts.onnx = evaluate.onnxUri;
  if (explain) {
    artifacts.contributions = explain.contributionsUri;
    artifacts.shapSample = explain.shapSampleUri;
  }
  return {
    id: input.analysisId,
    name: config.name,
    line: config.line,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    status: input.status,
    target: config.target,
    data: {
      rows: aggregate.rows,
      positives: aggregate.positives,
      variables: aggregate.variables,
      features: aggregate.features,
    },
    distribution,
    model: evaluate ? { ...evaluate.model, baseline: evaluate.baseline, trials } : null,
    importance,
    artifacts,
  };
}

export async function compose(input: ComposeInput): Promise<ComposeOutput> {
  const distribution = input.distribution
    ? readJsonArtifact<DistributionEntry[]>(input.distribution.entriesUri)
    : [];
  const importance = input.explain ? readJsonArtifact<ImportanceEntry[]>(input.explain.importanceUri) : [];
  const document = resultsDocument(input, distribution, importance);
  return { resultsUri: writeArtifact(input.workDir, 'results.json', `${toJson(document, 2)}\n`) };
}

export async function persist(input: PersistInput): Promise<PersistOutput> {
  const composed = readJsonArtifact<ResultsDocument>(input.resultsUri);
  const document: ResultsDocument = input.tracking ? { ...composed, tracking: input.tracking } : composed;
  const resultsUri = input.tracking
    ? writeArtifact(input.workDir, 'results.json', `${toJson(document, 2)}\n`)
    : input.resultsUri;
  const storedIn: ('file' | 'mongodb')[] = ['file'];
  if (process.env.MONGODB_URI?.trim()) {
    const store = await MongoStore.fromEnv();
    try {
      // Per-variable lists too large for one MongoDB document (thousands of variables) stay
      // in the work folder; the stored document names them in `artifacts`.
      await store.saveResults(document, { artifacts: new ArtifactStore(storedArraysDir(input.workDir)) });
      storedIn.push('mongodb');
    } finally {
      await store.close();
    }
  }
  return { resultId: document.id, resultsUri, storedIn };
}

/** Where persist puts the arrays that leave the stored document (read back by `storedResults`). */
function storedArraysDir(workDir: string): string {
  return path.join(workDir, 'stored');
}

/** A results document as stored in MongoDB, with the arrays that were kept aside read back. */
export async function storedResults(stored: ResultsDocument, workDir: string): Promise<ResultsDocument> {
  const store = new ArtifactStore(storedArraysDir(workDir));
  // Only what persist moved: other artifacts (model.json, …) are files in their own right.
  const moved = Object.entries(stored.artifacts ?? {})
    .filter(([, uri]) => uri.startsWith(`${store.uri}/`))
    .map(([key]) => key);
  return joinLargeArrays(stored, store, moved);
}

/**
 * Removes a failed analysis' folder (its datasets can be hundreds of MB). Only folders of the
 * artifact root's `analyses/` are removed, whatever the input says.
 */
export async function discard(input: DiscardInput): Promise<void> {
  const analyses = path.join(artifactRoot(), 'analyses');
  const folder = path.resolve(input.workDir);
  if (path.dirname(folder) !== analyses) return;
  rmSync(folder, { recursive: true, force: true });
}

/** Variables drawn over time: the top of the combined ranking that the raw data has. */
function seriesVariables(results: ResultsDocument, count: number): string[] {
  const ranks = new Map<string, number>();
  const ranked = results.distribution.filter((d) => d.kind !== 'identifier');
  ranked.forEach((d, i) => {
    ranks.set(d.variable, i);
  });
  results.importance.forEach((d, i) => {
    ranks.set(d.variable, (ranks.get(d.variable) ?? ranked.length) + i);
  });
  return [...ranks.entries()]
    .sort((a, b) => a[1] - b[1])
    .slice(0, count)
    .map(([v]) => v);
}

export async function report(input: ReportInput): Promise<ReportOutput> {
  const results = JSON.parse(readFileSync(datasetPath(input.resultsUri), 'utf8')) as ResultsDocument;
  const variables = input.variables ?? seriesVariables(results, 6);
  const table = await readObservationDataset(input.observationsUri, { columns: variables });
  let series: ReportSeries | undefined;
  if (table.time && table.rows > 0) {
    const features = await featureDataset(input.featuresUri);
    const times = features.times;
    // A window lasts until the next one starts (or one typical step for the last).
    const step = times.length > 1 ? (times[times.length - 1] - times[0]) / (times.length - 1) : 60_000;
    series = downsampleSeries(
      {
        time: Array.from(table.time),
        variables: table.variables
          .filter((v) => v.data.kind === 'numeric')
          .map((v) => ({
            name: v.name,
            values: Array.from(v.data.values as Float64Array, (x) => (Number.isNaN(x) ? null : x)),
          })),
        positive: positiveRanges(times, features.labels, step),
      },
      4000,
    );
  }
  const shap = input.shapSampleUri ? readJsonArtifact<ReportShapSample>(input.shapSampleUri) : undefined;
  const html = renderReport({ results, target: String(results.target ?? ''), series, shap });
  return { reportUri: writeArtifact(input.workDir, 'report.html', html) };
}
