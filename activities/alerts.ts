/**
 * The alert stage: when the configuration has `alerts` and one of its conditions holds for the
 * changes since the last run, a POST of a short JSON summary with the report's link to the
 * webhook. Retried with backoff, logged, and never failing the analysis: its outcome is returned,
 * not thrown. The request carries `Idempotency-Key: <analysis id>`, so a receiver can drop a
 * repeat (a retried stage).
 */
import { alertEvents, type Changes } from '../analysis/changes';
import type { AlertEvent, AnalysisConfig } from '../analysis/config';

export interface AlertInput {
  readonly analysisId: string;
  readonly config: Pick<AnalysisConfig, 'name' | 'line' | 'target' | 'alerts'>;
  readonly finishedAt: string;
  readonly changes: Changes | null | undefined;
  /** The report file (`file://`); with LINE_RCA_PUBLIC_URL the link points at serve instead. */
  readonly reportUri: string | null;
  /** Attempts in all (default 4) and the first retry's delay (default 1 s, doubling). */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
}

export interface AlertOutput {
  readonly events: readonly AlertEvent[];
  readonly sent: boolean;
  readonly attempts: number;
  readonly error?: string;
}

export interface AlertSummary {
  readonly events: readonly AlertEvent[];
  readonly analysis: { id: string; name: string; line: string; target: string; finishedAt: string };
  readonly newCauses: readonly string[];
  readonly goneCauses: readonly string[];
  readonly aucChange: number | null;
  readonly badRate: Changes['badRate'];
  readonly previousId: string;
  readonly report: string | null;
  readonly results: string | null;
}

const TIMEOUT_MS = 10_000;

function links(
  analysisId: string,
  reportUri: string | null,
): { report: string | null; results: string | null } {
  const base = process.env.LINE_RCA_PUBLIC_URL?.trim().replace(/\/+$/, '');
  if (!base) return { report: reportUri, results: null };
  const id = encodeURIComponent(analysisId);
  return { report: `${base}/api/analyses/${id}/report`, results: `${base}/api/analyses/${id}` };
}

function log(text: string): void {
  process.stderr.write(`line-rca alert: ${text}\n`);
}

export async function alert(input: AlertInput): Promise<AlertOutput> {
  const alerts = input.config.alerts;
  if (!alerts || !input.changes) return { events: [], sent: false, attempts: 0 };
  const events = alertEvents(input.changes, alerts);
  if (events.length === 0) return { events, sent: false, attempts: 0 };
  const summary: AlertSummary = {
    events,
    analysis: {
      id: input.analysisId,
      name: input.config.name,
      line: input.config.line,
      target: input.config.target,
      finishedAt: input.finishedAt,
    },
    newCauses: input.changes.newCauses,
    goneCauses: input.changes.goneCauses,
    aucChange: input.changes.aucChange,
    badRate: input.changes.badRate,
    previousId: input.changes.previousId,
    ...links(input.analysisId, input.reportUri),
  };
  const target = new URL(alerts.webhook);
  const where = `${target.origin}${target.pathname}`;
  const attempts = Math.max(1, input.attempts ?? 4);
  let error = '';
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt;
    try {
      const response = await fetch(alerts.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': input.analysisId },
        body: JSON.stringify(summary),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) {
        log(`${events.join(', ')} for ${input.config.line} sent to ${where} (HTTP ${response.status})`);
        return { events, sent: true, attempts: attempt };
      }
      error = `HTTP ${response.status}`;
      // A client error will not mend by itself: no retry.
      if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
    } catch (e) {
      error = (e as Error).message;
    }
    if (attempt < attempts) {
      log(`${where} failed (${error}), attempt ${attempt} of ${attempts}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, (input.retryDelayMs ?? 1000) * 2 ** (attempt - 1)));
    }
  }
  log(`${events.join(', ')} for ${input.config.line} NOT sent to ${where}: ${error}`);
  return { events, sent: false, attempts: made, error };
}
