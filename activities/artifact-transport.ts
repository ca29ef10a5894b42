/**
 * The stages on a remote artifact storage (GridFS): each stage still reads and writes local
 * files, in a work folder of this worker's cache, and this wrapper carries them across:
 *
 * - before a stage, every artifact URI in its input is streamed into the cache (unless the cache
 *   has that content already) and replaced by the cached file's `file:` URI; the analysis' work
 *   folder (`gridfs://artifacts/analyses/<id>/` in the workflow) becomes the local one;
 * - after it, every file the stage wrote in the work folder is streamed to the storage and its
 *   URI replaces the local one in the output; the results document is rewritten the same way, so
 *   its `artifacts` name stored artifacts, not one worker's files.
 *
 * So the workflow's history only ever holds storage URIs, and any worker can run any stage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactStorage } from '../connectors/artifact-storage';

type Stage = (input: never, context?: never) => Promise<unknown>;

/** The same stages, their artifacts carried to and from `storage`. */
export function throughStorage<S extends object>(stages: S, storage: ArtifactStorage): S {
  const out: Record<string, Stage> = {};
  for (const [name, stage] of Object.entries(stages) as [string, Stage][]) {
    out[name] = async (input: never, context?: never) => {
      const fetched = new Map<string, string>();
      const localInput = await mapStrings(input, async (text) => {
        const folder = storage.folderAnalysis(text);
        if (folder) return storage.workFolder(folder);
        if (!storage.owns(text)) return text;
        const local = pathToFileURL(await storage.localPath(text)).href;
        fetched.set(local, text);
        return local;
      });
      const output = await stage(localInput as never, context);
      if (name === 'discard') {
        const id = analysisIdOf(input);
        if (id) await storage.removeAnalysis(id);
      }
      return mapStrings(output, async (text) => {
        const known = fetched.get(text);
        if (known) return known;
        const analysis = workFolderOf(storage, text);
        if (analysis) return storage.folderUri(analysis);
        if (!text.startsWith('file:')) return text;
        const file = fileURLToPath(text);
        const owner = ownerOf(storage, file);
        if (!owner) return text;
        if (path.basename(file) === 'results.json') await rewriteUris(file, fetched);
        return storage.putFile(`analyses/${owner.analysisId}/${owner.relative}`, file, owner);
      });
    };
  }
  return out as S;
}

/** The analysis whose local work folder `text` is, if it is one. */
function workFolderOf(storage: ArtifactStorage, text: string): string | null {
  if (!path.isAbsolute(text)) return null;
  const id = path.basename(text);
  return id && storage.workFolder(id) === path.resolve(text) ? id : null;
}

/** The analysis and relative name of a file inside a local work folder. */
function ownerOf(storage: ArtifactStorage, file: string): { analysisId: string; relative: string } | null {
  const analyses = path.dirname(storage.workFolder('x'));
  const relative = path.relative(analyses, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const [analysisId, ...rest] = relative.split(path.sep);
  return rest.length > 0 ? { analysisId, relative: rest.join('/') } : null;
}

function analysisIdOf(input: unknown): string | null {
  const id = (input as { analysisId?: unknown } | null)?.analysisId;
  return typeof id === 'string' ? id : null;
}

/** The cached files' URIs in a results document become the storage's again. */
async function rewriteUris(file: string, fetched: ReadonlyMap<string, string>): Promise<void> {
  let text = await readFile(file, 'utf8');
  for (const [local, stored] of fetched) text = text.split(local).join(stored);
  await writeFile(file, text);
}

async function mapStrings(value: unknown, map: (text: string) => Promise<string>): Promise<unknown> {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await mapStrings(v, map));
    return out;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await mapStrings(v, map);
    return out;
  }
  return value;
}
