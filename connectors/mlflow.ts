/**
 * A small client for the MLflow tracking server's REST API (2.0): experiments by name, runs,
 * `log-batch` split within the API's limits, and artifacts through the server's
 * `mlflow-artifacts` endpoint. Configuration comes from MLflow's usual environment variables.
 *
 * Secrets (token, password, credentials in the URI) never appear in an error or a log line:
 * errors are built here from the method, the path and the server's own message, all masked.
 */

import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { InvalidInputError } from '../analysis/errors';

/** Limits of one `runs/log-batch` call (MLflow's MAX_*_PER_BATCH) and of single values. */
export const MLFLOW_LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  /** Param values up to 6000 characters since MLflow 2.8 (mlflow#9709). */
  paramValueLength: 6000,
  /** Tag values: 5000 characters is what every backend store guarantees. */
  tagValueLength: 5000,
  keyLength: 250,
} as const;

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch; fixed when the value is recorded so a replay is a duplicate. */
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Batch {
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
}

export interface Experiment {
  experimentId: string;
  name: string;
  lifecycleStage: string;
  artifactLocation?: string;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName?: string;
  status: RunStatus;
  startTime?: number;
  endTime?: number;
  artifactUri: string;
  lifecycleStage: string;
}

export interface Run {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
}

export interface ArtifactFile {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

export interface MlflowSettings {
  trackingUri: string;
  token?: string;
  username?: string;
  password?: string;
  experimentName?: string;
  /** Retries after the first attempt on connection errors, 429 and 5xx (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry (default 250). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
}

/** Settings from `MLFLOW_TRACKING_URI` and friends; undefined when tracking is off. */
export function mlflowSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowSettings | undefined {
  const trackingUri = env.MLFLOW_TRACKING_URI?.trim();
  if (!trackingUri) return undefined;
  return {
    trackingUri,
    token: env.MLFLOW_TRACKING_TOKEN || undefined,
    username: env.MLFLOW_TRACKING_USERNAME || undefined,
    password: env.MLFLOW_TRACKING_PASSWORD || undefined,
    experimentName: env.MLFLOW_EXPERIMENT_NAME || undefined,
  };
}

/** Why a call failed: `unavailable` may succeed later (connection, 5xx, 429, auth); `rejected` never will. */
export type MlflowFailure = 'unavailable' | 'rejected';

export class MlflowError extends Error {
  readonly failure: MlflowFailure;
  readonly status?: number;
  /** MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`. */
  readonly errorCode?: string;

  constructor(message: string, failure: MlflowFailure, status?: number, errorCode?: string) {
    super(message);
    this.name = 'MlflowError';
    this.failure = failure;
    this.status = status;
    this.errorCode = errorCode;
  }
}

export function isMlflowError(error: unknown): error is MlflowError {
  return error instanceof Error && error.name === 'MlflowError';
}

/** Replaces every secret in `text` (and credentials written into URIs) with `***`. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi, (_m, scheme, user, pass) =>
    pass ? `${scheme}${user}:***@` : `${scheme}${user}@`,
  );
  for (const secret of secrets) {
    // Very short secrets would mask ordinary words; they are masked inside URIs above anyway.
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * Splits a batch so that each part respects the `log-batch` limits. Order within each kind is
 * kept (MLflow applies entries of one kind in request order).
 */
export function chunkBatch(batch: Batch, limits = MLFLOW_LIMITS): Batch[] {
  const chunks: Batch[] = [];
  let m = 0;
  let p = 0;
  let t = 0;
  while (m < batch.metrics.length || p < batch.params.length || t < batch.tags.length) {
    const params = batch.params.slice(p, p + limits.paramsPerBatch);
    const tags = batch.tags.slice(t, t + limits.tagsPerBatch);
    const room = Math.min(limits.metricsPerBatch, limits.entitiesPerBatch - params.length - tags.length);
    const metrics = batch.metrics.slice(m, m + Math.max(0, room));
    chunks.push({ metrics, params, tags });
    m += metrics.length;
    p += params.length;
    t += tags.length;
  }
  return chunks;
}

/** MLflow keys allow alphanumerics, `_ - . / :` and spaces; anything else becomes `_`. */
export function sanitizeKey(key: string): string {
  const clean = key.replace(/[^\w\-./: ]/g, '_').slice(0, MLFLOW_LIMITS.keyLength);
  return clean.length > 0 ? clean : '_';
}

/**
 * MLflow refuses a batch that repeats a param key. Exact repeats are dropped; two different
 * values whose keys became equal once sanitized (`a[b]`, `a_b_`) keep both, the later as `key~2`.
 */
export function uniqueParams(params: readonly KeyValue[]): KeyValue[] {
  const seen = new Map<string, string>();
  const out: KeyValue[] = [];
  for (const p of params) {
    let key = p.key;
    for (let n = 2; seen.has(key) && seen.get(key) !== p.value; n++) {
      key = `${p.key.slice(0, MLFLOW_LIMITS.keyLength - 4)}~${n}`;
    }
    if (seen.has(key)) continue;
    seen.set(key, p.value);
    out.push({ key, value: p.value });
  }
  return out;
}

/** A value cut to `limit` characters, marked as cut so nobody mistakes it for the whole. */
export function truncateValue(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const mark = '…[truncated]';
  return value.slice(0, limit - mark.length) + mark;
}

/** Where an artifact URI `mlflow-artifacts:/1/abc/artifacts` lives on the server: `1/abc/artifacts`. */
export function servedArtifactPath(artifactUri: string): string {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!match) {
    throw new MlflowError(
      `run artifact URI ${JSON.stringify(artifactUri)} is not served by the tracking server ` +
        '(start it with artifact serving, e.g. --artifacts-destination)',
      'rejected',
    );
  }
  return match[1].replace(/\/+$/, '');
}

function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

/** JSON has no NaN or infinities; MLflow's protobuf JSON parser takes them as strings. */
function metricValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

interface RawKeyValue {
  key: string;
  value: string;
}
interface RawRun {
  info: {
    run_id: string;
    experiment_id: string;
    run_name?: string;
    status: RunStatus;
    start_time?: string | number;
    end_time?: string | number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data?: {
    params?: RawKeyValue[];
    tags?: RawKeyValue[];
    metrics?: { key: string; value: number | string }[];
  };
}

function toRun(raw: RawRun): Run {
  const byKey = (list: RawKeyValue[] | undefined) =>
    Object.fromEntries((list ?? []).map((e) => [e.key, e.value]));
  return {
    info: {
      runId: raw.info.run_id,
      experimentId: raw.info.experiment_id,
      runName: raw.info.run_name,
      status: raw.info.status,
      startTime: toNumber(raw.info.start_time),
      endTime: toNumber(raw.info.end_time),
      artifactUri: raw.info.artifact_uri,
      lifecycleStage: raw.info.lifecycle_stage,
    },
    params: byKey(raw.data?.params),
    tags: byKey(raw.data?.tags),
    metrics: Object.fromEntries((raw.data?.metrics ?? []).map((m) => [m.key, Number(m.value)])),
  };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MlflowClient {
  readonly settings: Readonly<MlflowSettings>;
  private readonly http: AxiosInstance;
  private readonly secrets: (string | undefined)[];

  constructor(settings: MlflowSettings) {
    this.settings = { ...settings };
    let url: URL;
    try {
      url = new URL(settings.trackingUri);
    } catch {
      // The text itself is not echoed: it may hold credentials.
      throw new InvalidInputError({
        where: 'MLFLOW_TRACKING_URI',
        message: 'is not a URL; set it to the tracking server, e.g. http://127.0.0.1:5000',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidInputError({
        where: 'MLFLOW_TRACKING_URI',
        message: `must be the http(s) URL of a tracking server (line-rca logs through the REST API), not ${url.protocol}`,
      });
    }
    // Credentials written into the URI are used as Basic auth, never sent as part of the URL.
    const uriUser = decodeURIComponent(url.username);
    const uriPassword = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    const headers: Record<string, string> = {};
    const username = settings.username ?? (uriUser || undefined);
    const password = settings.password ?? (uriPassword || undefined);
    if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
    else if (username !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    }
    this.secrets = [settings.token, password, headers.Authorization?.split(' ')[1]];
    this.http = axios.create({
      baseURL: url.toString().replace(/\/+$/, ''),
      headers,
      timeout: settings.timeoutMs ?? 30_000,
      maxBodyLength: Number.POSITIVE_INFINITY,
      maxContentLength: Number.POSITIVE_INFINITY,
      // Every status is handled below, so axios never builds errors that carry the headers.
      validateStatus: () => true,
    });
  }

  /** The tracking URI with any credentials masked, for messages. */
  get displayUri(): string {
    return this.mask(this.settings.trackingUri);
  }

  private mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /**
   * One HTTP call with retries on connection errors, 429 and 5xx; never on other 4xx. A call
   * that is not idempotent (`retry: false`) is tried once: a timeout or a 5xx may come after the
   * server did the work, so its caller looks before trying again.
   */
  async request<T>(
    config: AxiosRequestConfig & { url: string },
    options: { retry?: boolean } = {},
  ): Promise<T> {
    const retries = options.retry === false ? 0 : (this.settings.retries ?? 3);
    const backoff = this.settings.backoffMs ?? 250;
    const what = `${(config.method ?? 'get').toUpperCase()} ${config.url}`;
    let last: MlflowError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      let response: AxiosResponse;
      try {
        response = await this.http.request(config);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ERR';
        const message = (error as Error).message ?? String(error);
        last = new MlflowError(
          this.mask(`MLflow at ${this.settings.trackingUri} cannot be reached (${what}): ${code} ${message}`),
          'unavailable',
        );
        if (!CONNECTION_CODES.has(code)) throw last;
        continue;
      }
      const status = response.status;
      if (status >= 200 && status < 300) return response.data as T;
      const body = response.data as { error_code?: string; message?: string } | string | undefined;
      const errorCode = typeof body === 'object' && body ? body.error_code : undefined;
      const detail =
        typeof body === 'object' && body
          ? (body.message ?? JSON.stringify(body))
          : String(body ?? '').slice(0, 300);
      const transient = status >= 500 || status === 429;
      // 401/403 are a configuration problem that can be fixed before the next flush: not final.
      const failure: MlflowFailure =
        transient || status === 401 || status === 403 ? 'unavailable' : 'rejected';
      last = new MlflowError(
        this.mask(`MLflow ${what} failed with HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${detail}`),
        failure,
        status,
        errorCode,
      );
      if (!transient) throw last;
    }
    throw last!;
  }

  private post<T>(path: string, data: unknown, options?: { retry?: boolean }): Promise<T> {
    return this.request<T>({ method: 'post', url: `/api/2.0/mlflow/${path}`, data }, options);
  }

  private get<T>(path: string, params: Record<string, string | number>): Promise<T> {
    return this.request<T>({ method: 'get', url: `/api/2.0/mlflow/${path}`, params });
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const data = await this.get<{ experiment: Record<string, string> }>('experiments/get-by-name', {
        experiment_name: name,
      });
      const e = data.experiment;
      return {
        experimentId: e.experiment_id,
        name: e.name,
        lifecycleStage: e.lifecycle_stage,
        artifactLocation: e.artifact_location,
      };
    } catch (error) {
      if (isMlflowError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The id of the experiment named `name`, created (or restored from deletion) if needed. */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) {
      if (found.lifecycleStage === 'deleted') {
        await this.post('experiments/restore', { experiment_id: found.experimentId });
      }
      return found.experimentId;
    }
    try {
      const created = await this.post<{ experiment_id: string }>('experiments/create', { name });
      return created.experiment_id;
    } catch (error) {
      // Another process created it between our lookup and our create.
      if (isMlflowError(error) && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getExperimentByName(name);
        if (again) return again.experimentId;
      }
      throw error;
    }
  }

  /** Marks an experiment deleted (MLflow keeps it restorable). */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.post('experiments/delete', { experiment_id: experimentId });
  }

  /**
   * Creates a run, trying once: MLflow cannot be given the run's id, so a retry after a lost
   * reply would make a second run. Callers that must create at most once tag the run with a key
   * and look it up before trying again (tracking/replay.ts).
   */
  async createRun(input: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: KeyValue[];
  }): Promise<RunInfo> {
    const data = await this.post<{ run: RawRun }>(
      'runs/create',
      {
        experiment_id: input.experimentId,
        run_name: input.runName,
        start_time: input.startTime ?? Date.now(),
        tags: (input.tags ?? []).map(cleanTag),
      },
      { retry: false },
    );
    return toRun(data.run).info;
  }

  /** Marks a run deleted (MLflow keeps it restorable; searches of active runs no longer list it). */
  async deleteRun(runId: string): Promise<void> {
    await this.post('runs/delete', { run_id: runId });
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }) {
    await this.post('runs/update', {
      run_id: runId,
      status: update.status,
      end_time: update.endTime,
      run_name: update.runName,
    });
  }

  async getRun(runId: string): Promise<Run> {
    const data = await this.get<{ run: RawRun }>('runs/get', { run_id: runId });
    return toRun(data.run);
  }

  /** Logs metrics, params and tags in as many `log-batch` calls as the limits require. */
  async logBatch(runId: string, batch: Batch): Promise<void> {
    const clean: Batch = {
      metrics: batch.metrics.map((m) => ({ ...m, key: sanitizeKey(m.key) })),
      params: uniqueParams(
        batch.params.map((p) => ({
          key: sanitizeKey(p.key),
          value: truncateValue(p.value, MLFLOW_LIMITS.paramValueLength),
        })),
      ),
      tags: batch.tags.map(cleanTag),
    };
    for (const chunk of chunkBatch(clean)) {
      await this.post('runs/log-batch', {
        run_id: runId,
        metrics: chunk.metrics.map((m) => ({ ...m, value: metricValue(m.value) })),
        params: chunk.params,
        tags: chunk.tags,
      });
    }
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.post('runs/set-tag', { run_id: runId, ...cleanTag({ key, value }) });
  }

  /** Runs of the experiments matching an MLflow filter string, all pages (active runs unless `view` says). */
  async searchRuns(
    experimentIds: string[],
    filter: string,
    view: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' = 'ACTIVE_ONLY',
  ): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const data = await this.post<{ runs?: RawRun[]; next_page_token?: string }>('runs/search', {
        experiment_ids: experimentIds,
        filter,
        run_view_type: view,
        max_results: 1000,
        page_token: pageToken,
      });
      for (const raw of data.runs ?? []) runs.push(toRun(raw));
      pageToken = data.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }

  async metricHistory(runId: string, key: string): Promise<Metric[]> {
    const data = await this.get<{
      metrics?: { key: string; value: number; timestamp: string; step: string }[];
    }>('metrics/get-history', { run_id: runId, metric_key: key, max_results: 25000 });
    return (data.metrics ?? []).map((m) => ({
      key: m.key,
      value: Number(m.value),
      timestamp: Number(m.timestamp),
      step: Number(m.step ?? 0),
    }));
  }

  /** Uploads bytes as artifact `name` (may contain `/`) of a run whose artifacts the server serves. */
  async uploadArtifact(artifactUri: string, name: string, content: Buffer): Promise<void> {
    const path = `${servedArtifactPath(artifactUri)}/${name}`;
    await this.request({
      method: 'put',
      url: `/api/2.0/mlflow-artifacts/artifacts/${encodePath(path)}`,
      data: content,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  async listArtifacts(artifactUri: string, subPath = ''): Promise<ArtifactFile[]> {
    const path = [servedArtifactPath(artifactUri), subPath].filter(Boolean).join('/');
    const data = await this.request<{ files?: { path: string; is_dir: boolean; file_size?: string }[] }>({
      method: 'get',
      url: '/api/2.0/mlflow-artifacts/artifacts',
      params: { path },
    });
    return (data.files ?? []).map((f) => ({
      path: f.path,
      isDir: f.is_dir,
      fileSize: toNumber(f.file_size),
    }));
  }

  async downloadArtifact(artifactUri: string, name: string): Promise<Buffer> {
    const path = `${servedArtifactPath(artifactUri)}/${name}`;
    const data = await this.request<ArrayBuffer>({
      method: 'get',
      url: `/api/2.0/mlflow-artifacts/artifacts/${encodePath(path)}`,
      responseType: 'arraybuffer',
    });
    return Buffer.from(data);
  }
}

function cleanTag(tag: KeyValue): KeyValue {
  return { key: sanitizeKey(tag.key), value: truncateValue(tag.value, MLFLOW_LIMITS.tagValueLength) };
}
