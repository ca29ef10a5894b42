/**
 * Analysis ids. An analysis id names the analysis' folder under the artifact root, its results
 * document in MongoDB and its runs in MLflow, so two analyses must never share one, and none may
 * step out of its folder. Workflow ids (anything a user types in the Temporal UI) are encoded:
 *
 * - letters, digits, `_`, `-` and `.` stay as they are (`analysis-line-3-20261101-020000-3fa9c1`
 *   is its own analysis id), except a leading dot;
 * - every other byte of the UTF-8 text, and a leading dot, becomes `~` and two hex digits:
 *   `x a` → `x~20a`, `x/a` → `x~2Fa`, `..` → `~2E.`, `analysis-c1-2026-11-01T02:00:00Z` →
 *   `analysis-c1-2026-11-01T02~3A00~3A00Z`;
 * - an encoding longer than 200 characters keeps its first 120 and ends in `~~` and a hash of the
 *   whole workflow id (`~~` never occurs in an encoding).
 *
 * The encoding is one-to-one and `workflowIdOf` reverses it; two long ids share an analysis id
 * only if their SHA-256 hashes share 80 bits. An id is one path segment, never `.` or `..`.
 * Folders of ids that differ only in case are distinct on a case-sensitive file system (Linux);
 * keep the artifact root on one.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../analysis/errors';

const MAX_LENGTH = 200;
const KEPT_BEFORE_HASH = 120;
const ENCODED = /^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})(?:[A-Za-z0-9_.-]|~[0-9A-F]{2})*$/;
const HASHED = /^(?:(?:[A-Za-z0-9_-]|~[0-9A-F]{2})(?:[A-Za-z0-9_.-]|~[0-9A-F]{2})*)?~~[0-9a-f]{20}$/;

function encode(workflowId: string): string {
  let out = '';
  const bytes = Buffer.from(workflowId, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const kept =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x5f ||
      b === 0x2d ||
      (b === 0x2e && i > 0);
    out += kept ? String.fromCharCode(b) : `~${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function analysisIdOf(workflowId: string): string {
  const encoded = encode(workflowId);
  if (encoded.length > 0 && encoded.length <= MAX_LENGTH) return encoded;
  // Cut before an escape, never inside one.
  let cut = Math.min(KEPT_BEFORE_HASH, encoded.length);
  const lastEscape = encoded.lastIndexOf('~', cut - 1);
  if (lastEscape >= 0 && lastEscape > cut - 3) cut = lastEscape;
  const hash = createHash('sha256').update(workflowId, 'utf8').digest('hex').slice(0, 20);
  return `${encoded.slice(0, cut)}~~${hash}`;
}

/** The workflow id an analysis id was made from; undefined for a hashed (long) or foreign id. */
export function workflowIdOf(analysisId: string): string | undefined {
  if (!ENCODED.test(analysisId) || analysisId.length > MAX_LENGTH) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < analysisId.length; i++) {
    if (analysisId[i] === '~') {
      bytes.push(Number.parseInt(analysisId.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(analysisId.charCodeAt(i));
  }
  const text = Buffer.from(bytes).toString('utf8');
  // Only texts whose encoding this is (invalid UTF-8 would decode to something else).
  return encode(text) === analysisId ? text : undefined;
}

/** True for what `analysisIdOf` returns: one safe path segment, never `.` or `..`. */
export function isAnalysisId(id: string): boolean {
  return (ENCODED.test(id) && id.length <= MAX_LENGTH) || (HASHED.test(id) && id.length <= MAX_LENGTH);
}

/** Refuses an id that `analysisIdOf` could not have made (a folder name outside its parent). */
export function checkAnalysisId(id: string): string {
  if (!isAnalysisId(id)) {
    throw new InvalidInputError({
      where: 'analysisId',
      message: `${JSON.stringify(id.slice(0, 200))} is not an analysis id (see activities/analysis-id.ts)`,
    });
  }
  return id;
}
