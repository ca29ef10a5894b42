/**
 * The report stage: the self-contained HTML page of an analysis. `reportData` gathers what the
 * page shows beyond the results document (series over time, a SHAP sample, and — when the data
 * is small enough — the raw rows with their labels, so a standalone page can recompute the
 * distribution on a zoomed period). `line-rca serve` renders the same data for its pages.
 */
import { readFileSync } from 'node:fs';
import { explanatoryNames, explanatoryVariables } from '../analysis/aggregate/aggregate';
import { populationLabels } from '../analysis/aggregate/labels';
import { analysisSettings, parseConfig } from '../analysis/config';
import { combinedRanking } from '../analysis/ranking';
import type { ResultsDocument } from '../analysis/results';
import {
  datasetPath,
  LABEL,
  observationShape,
  readFeatureDataset,
  readObservationDataset,
  TIME,
} from '../connectors/datasets';
import {
  downsampleSeries,
  encodeRecompute,
  positiveRanges,
  type RecomputeData,
  type ReportData,
  type ReportSeries,
  type ReportShapSample,
  STANDALONE_MAX_VALUES,
} from '../report/data';
import { renderReport } from '../report/html';
import type { ReportInput, ReportOutput } from './types';
import { readJsonArtifact, writeArtifact } from './workspace';

/** Variables drawn over time: the top of the combined ranking, and the first operating windows'. */
function seriesVariables(results: ResultsDocument, count: number): string[] {
  const top = combinedRanking(results.distribution, results.importance)
    .slice(0, count)
    .map((r) => r.variable);
  const windows = (results.operatingWindows ?? []).slice(0, 3).map((w) => w.variable);
  return [...new Set([...top, ...windows])];
}

export interface ReportSources {
  readonly observationsUri: string;
  readonly featuresUri: string;
  readonly shapSampleUri?: string;
  readonly variables?: readonly string[];
}

/**
 * The observations of every compared variable with the analysis's own labels, for the page to
 * recompute a zoom by itself; undefined when they exceed `STANDALONE_MAX_VALUES` values or the
 * results do not carry their configuration.
 */
async function recomputeData(
  results: ResultsDocument,
  observationsUri: string,
): Promise<RecomputeData | undefined> {
  if (results.config === undefined) return undefined;
  const config = parseConfig(results.config);
  const { target, aggregation } = analysisSettings(config);
  // Sized from the names before reading: a table too large to embed is never read.
  const shape = await observationShape(observationsUri);
  const names = shape.variables.map((v) => v.name);
  const compared = explanatoryNames(names, target, aggregation, config.variables.exclude);
  if (shape.rows * compared.length > STANDALONE_MAX_VALUES) return undefined;
  const table = await readObservationDataset(observationsUri);
  const variables = explanatoryVariables(table, target, aggregation, config.variables.exclude);
  const { labels, mask } = populationLabels(table, target, aggregation);
  return encodeRecompute({ rows: table.rows, variables, time: table.time }, labels, mask);
}

/** What the page shows besides the results; `standalone: false` leaves out the rows (a served page asks the API). */
export async function reportData(
  results: ResultsDocument,
  sources: ReportSources,
  options: { readonly standalone?: boolean } = {},
): Promise<ReportData> {
  const variables = sources.variables ?? seriesVariables(results, 6);
  const table = await readObservationDataset(sources.observationsUri, { columns: variables });
  let series: ReportSeries | undefined;
  if (table.time && table.rows > 0) {
    // The windows and their labels only: the whole matrix (400 MB at 1M rows × 50) is not shown.
    const features = await readFeatureDataset(sources.featuresUri, { columns: [TIME, LABEL] });
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
  const shap = sources.shapSampleUri ? readJsonArtifact<ReportShapSample>(sources.shapSampleUri) : undefined;
  const recompute =
    options.standalone === false ? undefined : await recomputeData(results, sources.observationsUri);
  return {
    results,
    target: String(results.target ?? ''),
    ...(series ? { series } : {}),
    ...(shap ? { shap } : {}),
    ...(recompute ? { recompute } : {}),
  };
}

export async function report(input: ReportInput): Promise<ReportOutput> {
  const results = JSON.parse(readFileSync(datasetPath(input.resultsUri), 'utf8')) as ResultsDocument;
  const data = await reportData(results, input);
  return { reportUri: writeArtifact(input.workDir, 'report.html', renderReport(data)) };
}
