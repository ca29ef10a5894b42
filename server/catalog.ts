/**
 * The analyses the API serves: lines, a line's analyses newest first, one results document. The
 * results live in MongoDB (`MONGODB_URI`, collection `analysis_results`), where `analyze`, the
 * workers and the nightly schedules store them.
 */
import { analysisWorkDir } from '../activities/prepare';
import { storedResults } from '../activities/results';
import type { ResultsDocument } from '../analysis/results';
import { MongoStore, MongoUnavailableError } from '../connectors/mongo';
import { UnavailableError } from './errors';

export interface LineSummary {
  readonly line: string;
  readonly analyses: number;
  readonly latestFinishedAt: string;
}

/** An analysis as listed: enough to choose one, not the whole document. */
export interface AnalysisListing {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly target: string | null;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly rows: number | null;
  readonly positives: number | null;
  readonly auc: number | null;
  readonly newCauses: readonly string[];
  readonly goneCauses: readonly string[];
}

export interface AnalysisPage {
  readonly total: number;
  readonly analyses: readonly AnalysisListing[];
}

export interface Catalog {
  lines(): Promise<LineSummary[]>;
  analyses(line: string, page: { offset: number; limit: number }): Promise<AnalysisPage>;
  results(id: string): Promise<ResultsDocument | undefined>;
  close(): Promise<void>;
}

const LISTED = ['name', 'line', 'target', 'status', 'startedAt', 'finishedAt', 'data', 'model', 'changes'];

function listing(doc: Record<string, unknown>): AnalysisListing {
  const data = (doc.data ?? {}) as { rows?: number; positives?: number };
  const model = doc.model as { validation?: { auc?: number } } | null | undefined;
  const changes = doc.changes as { newCauses?: string[]; goneCauses?: string[] } | null | undefined;
  return {
    id: String(doc.id),
    name: String(doc.name ?? ''),
    line: String(doc.line ?? ''),
    target: typeof doc.target === 'string' ? doc.target : null,
    status: typeof doc.status === 'string' ? doc.status : 'complete',
    startedAt: String(doc.startedAt ?? ''),
    finishedAt: String(doc.finishedAt ?? ''),
    rows: typeof data.rows === 'number' ? data.rows : null,
    positives: typeof data.positives === 'number' ? data.positives : null,
    auc: typeof model?.validation?.auc === 'number' ? model.validation.auc : null,
    newCauses: changes?.newCauses ?? [],
    goneCauses: changes?.goneCauses ?? [],
  };
}

/** MongoDB errors become 503s: the request was fine, the store was not there. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MongoUnavailableError) throw new UnavailableError(error.message);
    throw error;
  }
}

export class MongoCatalog implements Catalog {
  private constructor(private readonly store: MongoStore) {}

  static async connect(uri: string): Promise<MongoCatalog> {
    return new MongoCatalog(await guarded(() => MongoStore.connect(uri)));
  }

  lines(): Promise<LineSummary[]> {
    return guarded(() => this.store.listLines());
  }

  async analyses(line: string, page: { offset: number; limit: number }): Promise<AnalysisPage> {
    const found = await guarded(() => this.store.pageResults(line, { ...page, fields: LISTED }));
    return { total: found.total, analyses: found.items.map(listing) };
  }

  async results(id: string): Promise<ResultsDocument | undefined> {
    const stored = await guarded(() => this.store.getResults(id));
    // Per-variable lists too large for the stored document wait in the analysis's folder.
    return stored && storedResults(stored, analysisWorkDir(id));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
