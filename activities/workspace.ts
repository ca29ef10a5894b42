/** Files of one analysis: its folder, JSON artifacts by URI, and the URIs of its datasets. */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { datasetPath } from '../connectors/datasets';

export function fileUri(file: string): string {
  return pathToFileURL(path.resolve(file)).href;
}

/** Writes atomically (temp file, then rename), so a stopped run never leaves half a file. */
export function writeArtifact(workDir: string, name: string, content: string | Uint8Array): string {
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, name);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
  return fileUri(file);
}

export function readJsonArtifact<T>(uri: string): T {
  return JSON.parse(readFileSync(datasetPath(uri), 'utf8')) as T;
}

/** JSON without NaN or ±Infinity (they become null), as the results contract needs. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}

export interface AnalysisFolder {
  readonly analysisId: string;
  readonly path: string;
  readonly bytes: number;
  /** Newest modification of anything inside (ms since the epoch). */
  readonly lastModified: number;
}

/** The analyses' folders under an artifact root (`<root>/analyses/<id>`), with their size and age. */
export function analysisFolders(root: string): AnalysisFolder[] {
  const analyses = path.join(root, 'analyses');
  if (!existsSync(analyses)) return [];
  return readdirSync(analyses, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const folder = path.join(analyses, e.name);
      let bytes = 0;
      let lastModified = statSync(folder).mtimeMs;
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          const stat = statSync(file);
          lastModified = Math.max(lastModified, stat.mtimeMs);
          if (entry.isDirectory()) walk(file);
          else bytes += stat.size;
        }
      };
      walk(folder);
      return { analysisId: e.name, path: folder, bytes, lastModified };
    });
}

/**
 * Removes the analyses' folders not modified for `olderThanMs` (a running analysis writes into
 * its folder, so it is never old); returns what was (or, with `dryRun`, would be) removed.
 */
export function pruneAnalyses(options: {
  readonly root: string;
  readonly olderThanMs: number;
  readonly now: number;
  readonly dryRun?: boolean;
}): AnalysisFolder[] {
  const old = analysisFolders(options.root).filter((f) => options.now - f.lastModified > options.olderThanMs);
  if (!options.dryRun) for (const f of old) rmSync(f.path, { recursive: true, force: true });
  return old;
}
