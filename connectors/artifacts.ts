/**
 * The artifact store: a folder addressed by a `file:` URI (`LINE_RCA_ARTIFACTS_URI`, default
 * `.data/artifacts` under the working directory). Results keep references to what is stored
 * here, so a results document stays far below MongoDB's 16 MB limit however many rows an
 * analysis has.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class ArtifactStore {
  /** Absolute folder of the store. */
  readonly root: string;

  constructor(rootUriOrPath: string) {
    this.root = rootUriOrPath.startsWith('file:') ? fileURLToPath(rootUriOrPath) : resolve(rootUriOrPath);
  }

  get uri(): string {
    return pathToFileURL(this.root).href;
  }

  /** Writes `content` under `name` (slash-separated, made safe) and returns its URI. */
  async put(name: string, content: string | Buffer): Promise<string> {
    const path = join(this.root, ...safeSegments(name));
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, content);
    await rename(partial, path);
    return pathToFileURL(path).href;
  }

  async get(uri: string): Promise<Buffer> {
    return readFile(this.pathOf(uri));
  }

  /** The local path of a URI of this store; refuses URIs outside it. */
  pathOf(uri: string): string {
    if (!uri.startsWith('file:')) throw new Error(`not a file: URI of the artifact store: ${uri}`);
    const path = fileURLToPath(uri);
    const rel = relative(this.root, path);
    if (rel.startsWith('..') || rel.startsWith(sep) || rel === '') {
      throw new Error(`${uri} is outside the artifact store ${this.uri}`);
    }
    return path;
  }
}

export function artifactStoreFromEnv(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  return new ArtifactStore(env.LINE_RCA_ARTIFACTS_URI || join(process.cwd(), '.data', 'artifacts'));
}

function safeSegments(name: string): string[] {
  const segments = name
    .split('/')
    .map((s) => s.replace(/[^\w.-]/g, '_'))
    .filter((s) => s.length > 0 && s !== '.' && s !== '..');
  if (segments.length === 0) throw new Error(`artifact name ${JSON.stringify(name)} is empty`);
  return segments;
}

/** Arrays whose JSON is larger than this leave the document (default 256 KiB). */
export const DEFAULT_MAX_INLINE_ARRAY_BYTES = 256 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Moves every array whose JSON exceeds `maxInlineBytes` out of `doc` into the store, as
 * `<prefix>/<path>.json`, and records its URI in `doc.artifacts[path]` (path: dotted object
 * keys, e.g. `explanation.rows`). Arrays inside arrays are left where they are (their parent
 * moves as a whole). Returns a new document; `doc` is not changed.
 */
export async function splitLargeArrays<T extends object>(
  doc: T,
  store: ArtifactStore,
  options: { prefix: string; maxInlineBytes?: number },
): Promise<T> {
  const limit = options.maxInlineBytes ?? DEFAULT_MAX_INLINE_ARRAY_BYTES;
  const moved: Record<string, string> = {};
  const walk = async (value: Json, path: string[]): Promise<Json | undefined> => {
    if (Array.isArray(value)) {
      const text = JSON.stringify(value);
      if (path.length > 0 && Buffer.byteLength(text) > limit) {
        const key = path.join('.');
        moved[key] = await store.put(`${options.prefix}/${key}.json`, text);
        return undefined;
      }
      return value;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) {
        // `artifacts` holds references, never moved itself.
        if (path.length === 0 && k === 'artifacts') {
          out[k] = v;
          continue;
        }
        const next = await walk(v, [...path, k]);
        if (next !== undefined) out[k] = next;
      }
      return out;
    }
    return value;
  };
  const out = (await walk(doc as unknown as Json, [])) as Record<string, Json>;
  if (Object.keys(moved).length === 0) return doc;
  const previous = (out.artifacts ?? {}) as Record<string, Json>;
  out.artifacts = { ...previous, ...moved };
  return out as unknown as T;
}

/** The inverse of `splitLargeArrays`: reads the moved arrays back into their places. */
export async function joinLargeArrays<T extends object>(
  doc: T,
  store: ArtifactStore,
  movedPaths?: readonly string[],
): Promise<T> {
  const record = doc as unknown as { artifacts?: Record<string, string> };
  const artifacts = record.artifacts ?? {};
  const out = structuredClone(doc) as unknown as Record<string, unknown>;
  const restAfter: Record<string, string> = {};
  for (const [path, uri] of Object.entries(artifacts)) {
    const isMovedArray = movedPaths ? movedPaths.includes(path) : uri.endsWith(`/${path}.json`);
    if (!isMovedArray || !uri.startsWith('file:')) {
      restAfter[path] = uri;
      continue;
    }
    const value = JSON.parse((await store.get(uri)).toString('utf8'));
    const keys = path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) {
      if (node[k] === null || typeof node[k] !== 'object') node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  if (Object.keys(restAfter).length > 0) out.artifacts = restAfter;
  else delete out.artifacts;
  return out as unknown as T;
}
