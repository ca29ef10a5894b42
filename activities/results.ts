/**
 * The last stages: compose (the results document, compared with the previous analysis of the
 * line and target, to `results.json` in the work folder, what the report and MLflow read),
 * persist (the document with its MLflow status, to `results.json` and to MongoDB when
 * `MONGODB_URI` is set), and discard (a failed analysis' working data). The report stage is in
 * report.ts.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { type Changes, compareResults } from '../analysis/changes';
import type { AnalysisConfig } from '../analysis/config';
import type { VariableStability } from '../analysis/evidence/stability';
import { causeVerdicts, evidenceSummary } from '../analysis/evidence/verdicts';
import type {
  DistributionEntry,
  EvidenceSection,
  ImportanceEntry,
  ResultsDocument,
  TrialSummary,
} from '../analysis/results';
import { ArtifactStore, joinLargeArrays } from '../connectors/artifacts';
import { artifactRoot } from '../connectors/datasets';
import { MongoStore, mongoUriFromEnv } from '../connectors/mongo';
import { analysisWorkDir } from './prepare';
import { whatToDoResults } from './rules';
import type { ComposeInput, ComposeOutput, DiscardInput, PersistInput, PersistOutput } from './types';
import { readJsonArtifact, toJson, writeArtifact } from './workspace';

/** The webhook's address may hold its secret: results are read more widely than configurations. */
function withoutAlerts(config: AnalysisConfig): Omit<AnalysisConfig, 'alerts'> {
  const { alerts: _alerts, ...rest } = config;
  return rest;
}

const DAY_MS = 86_400_000;

/** The importance with each variable's stability, the verdicts and the evidence section. */
function evidenceOf(
  input: ComposeInput,
  distribution: readonly DistributionEntry[],
  plainImportance: readonly ImportanceEntry[],
  stabilityOf: Readonly<Record<string, VariableStability>>,
): { importance: ImportanceEntry[]; causes: ResultsDocument['causes']; evidence?: EvidenceSection } {
  const { explain, stability, config, extract } = input;
  const importance = plainImportance.map((entry) => {
    const s = stabilityOf[entry.variable];
    return s ? { ...entry, stability: s } : entry;
  });
  const causes = causeVerdicts(distribution, explain ? importance : null);
  const distributed = input.distribution?.evidence;
  if (!distributed) return { importance, causes };
  const span = Date.parse(extract.to) - Date.parse(extract.from);
  const summary = evidenceSummary(causes, {
    problem: `the observations where ${config.target}`,
    episodes: distributed.episodes,
    days: config.aggregation !== 'none' && Number.isFinite(span) ? span / DAY_MS : null,
    observations: distributed.observations,
  });
  return {
    importance,
    causes,
    evidence: {
      ...distributed,
      stability: stability
        ? {
            folds: stability.folds,
            seed: config.search.seed,
            ...(stability.note ? { note: stability.note } : {}),
          }
        : null,
      summary,
    },
  };
}

/** MLflow run tags from the results: the evidence method, the episodes, the verdicts. */
export function evidenceTags(document: ResultsDocument): Record<string, string> {
  if (!document.evidence || !document.causes) return {};
  const named = (verdict: string) =>
    document
      .causes!.filter((c) => c.verdict === verdict)
      .map((c) => c.variable)
      .join(', ');
  // MLflow keeps tag values up to 5,000 characters in its oldest supported versions
  const cut = (text: string) => (text.length > 5000 ? `${text.slice(0, 4999)}…` : text);
  return {
    'line_rca.evidence.method': cut(document.evidence.method),
    'line_rca.episodes': String(document.evidence.episodes),
    'line_rca.causes.strong': cut(named('strong')),
    'line_rca.causes.possible': cut(named('possible')),
    'line_rca.evidence.summary': cut(document.evidence.summary),
  };
}

export function resultsDocument(
  input: ComposeInput,
  distribution: readonly DistributionEntry[],
  plainImportance: readonly ImportanceEntry[],
  stability: Readonly<Record<string, VariableStability>> = {},
): ResultsDocument {
  const { config, aggregate, evaluate, explain } = input;
  const { importance, causes, evidence } = evidenceOf(input, distribution, plainImportance, stability);
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
    config: withoutAlerts(config),
    data: {
      rows: aggregate.rows,
      positives: aggregate.positives,
      variables: aggregate.variables,
      features: aggregate.features,
      ...(evidence ? { episodes: evidence.episodes } : {}),
    },
    distribution,
    model: evaluate
      ? {
          ...evaluate.model,
          baseline: evaluate.baseline,
          selection: evaluate.selection,
          searchValidation: evaluate.searchValidation,
          trials,
        }
      : null,
    importance,
    causes,
    ...(evidence ? { evidence } : {}),
    artifacts,
  };
}

export async function compose(input: ComposeInput): Promise<ComposeOutput> {
  const distribution = input.distribution
    ? readJsonArtifact<DistributionEntry[]>(input.distribution.entriesUri)
    : [];
  const importance = input.explain ? readJsonArtifact<ImportanceEntry[]>(input.explain.importanceUri) : [];
  const stability = input.stability
    ? readJsonArtifact<Record<string, VariableStability>>(input.stability.stabilityUri)
    : {};
  const plain = { ...resultsDocument(input, distribution, importance, stability), ...whatToDoResults(input) };
  const changes = await changesSince(plain);
  const document = changes === undefined ? plain : { ...plain, changes };
  const tags = evidenceTags(document);
  return {
    resultsUri: writeArtifact(input.workDir, 'results.json', `${toJson(document, 2)}\n`),
    ...(changes !== undefined ? { changes } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
}

/**
 * What changed since the previous complete analysis of the same line and target, found in
 * MongoDB; null when there is none; undefined when analyses are not stored (no `MONGODB_URI`)
 * or this one is not complete.
 */
export async function changesSince(document: ResultsDocument): Promise<Changes | null | undefined> {
  const uri = mongoUriFromEnv();
  if (!uri || document.status !== 'complete' || typeof document.target !== 'string') return undefined;
  const store = await MongoStore.connect(uri);
  try {
    const previous = await store.previousResults({
      line: document.line,
      target: document.target,
      before: document.finishedAt,
      excludeId: document.id,
    });
    if (!previous) return null;
    // Per-variable lists too large for the stored document wait in that analysis's folder.
    return compareResults(document, await storedResults(previous, analysisWorkDir(previous.id)));
  } finally {
    await store.close();
  }
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
