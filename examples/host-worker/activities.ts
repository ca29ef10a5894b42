/**
 * The host's own activity: what the platform does with an analysis once it is done (here, a
 * shift-handover note from the results document). It knows line-rca only by its public types.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AnalysisOutcome, ResultsDocument } from 'line-rca';

export interface HandoverNote {
  readonly line: string;
  readonly analysisId: string;
  readonly status: AnalysisOutcome['status'];
  /** The variable the distribution analysis ranks first, with its separating value. */
  readonly firstSuspect: string | null;
  readonly validationAuc: number | null;
  readonly text: string;
}

export async function writeHandoverNote(outcome: AnalysisOutcome): Promise<HandoverNote> {
  const results = JSON.parse(await readFile(fileURLToPath(outcome.resultsUri), 'utf8')) as ResultsDocument;
  const first = results.distribution.find((entry) => entry.kind !== 'identifier');
  const where =
    first?.kind === 'numeric' && first.threshold !== null ? ` (${first.direction} ${first.threshold})` : '';
  const auc = results.model?.validation.auc ?? null;
  return {
    line: results.line,
    analysisId: outcome.analysisId,
    status: outcome.status,
    firstSuspect: first?.variable ?? null,
    validationAuc: auc,
    text: `${results.line}: ${first ? `check ${first.variable}${where}` : 'no suspect'}; model AUC ${auc ?? 'n/a'}`,
  };
}
