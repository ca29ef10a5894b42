/** Files of one analysis: its folder, JSON artifacts by URI, and the URIs of its datasets. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
