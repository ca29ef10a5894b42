/**
 * `npm run bench -- artifacts [MB] [repeats]`: a large artifact (200 MB by default) through the
 * GridFS artifact storage as a worker moves it — `putFile` (hash, upload, into the cache) and,
 * on a machine with an empty cache, `localPath` (download, hash check) — timing each and
 * sampling the process' resident memory every 10 ms: the peak above the idle process is what
 * streaming promises to keep small (issue 22: under 300 MB for 200 MB). The reference is
 * pymongo's GridFSBucket doing the same upload and download (`bench/artifacts_reference.py`;
 * `pip install pymongo`), its peak from getrusage. MONGODB_URI names the server (FerretDB here).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MongoClient } from 'mongodb';
import { ArtifactCache, fileSha256, GridFsStorage } from '../connectors/artifact-storage';
import { median, printSummary, runPythonReference } from './harness';

const megabytes = Number(process.argv[2] ?? 200);
const repeats = Number(process.argv[3] ?? 3);
const MB = 1024 * 1024;

async function writeFileOf(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  // Random bytes a MiB at a time (incompressible, as a Parquet file mostly is).
  for (let written = 0; written < bytes; written += MB) {
    if (!out.write(randomBytes(Math.min(MB, bytes - written))))
      await new Promise<void>((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Runs `work`, sampling RSS every 10 ms; returns its seconds and the peak RSS in bytes. */
async function sampled<T>(work: () => Promise<T>): Promise<{ seconds: number; peak: number; result: T }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const t0 = process.hrtime.bigint();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, peak, result };
  } finally {
    clearInterval(timer);
  }
}

// Collect garbage before measuring the idle process, so an earlier phase's buffers are not
// counted as idle (node:v8 and node:vm expose gc without a command-line flag).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function idleRss(): Promise<number> {
  collectGarbage();
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(process.memoryUsage.rss());
    await new Promise((r) => setTimeout(r, 25));
  }
  return median(samples);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-bench-artifacts-'));
  const database = `bench_artifacts_${process.pid}`;
  const url = new URL(process.env.MONGODB_URI || 'mongodb://127.0.0.1:27017');
  url.pathname = `/${database}`;
  const uri = url.toString();
  try {
    const file = path.join(tmp, 'features.parquet');
    await writeFileOf(file, megabytes * MB);
    const sha256 = await fileSha256(file);
    // Warm up: modules loaded, a connection made, a small artifact both ways.
    const warm = path.join(tmp, 'warm.bin');
    await writeFileOf(warm, MB);
    const warmStorage = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'warm-cache')));
    await new GridFsStorage(uri, new ArtifactCache(path.join(tmp, 'warm-cache-2'))).localPath(
      await warmStorage.putFile('warm/warm.bin', warm),
    );

    const up: { seconds: number; above: number }[] = [];
    const down: { seconds: number; above: number }[] = [];
    for (let r = 0; r < repeats; r++) {
      const storage = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, `cache-up-${r}`)));
      const idle = await idleRss();
      const put = await sampled(() =>
        storage.putFile(`analyses/bench-${r}/features.parquet`, file, { analysisId: `bench-${r}` }),
      );
      up.push({ seconds: put.seconds, above: put.peak - idle });
      const reader = new GridFsStorage(uri, new ArtifactCache(path.join(tmp, `cache-down-${r}`)));
      const idle2 = await idleRss();
      const got = await sampled(() => reader.localPath(put.result));
      down.push({ seconds: got.seconds, above: got.peak - idle2 });
      if ((await fileSha256(got.result)) !== sha256) throw new Error('the downloaded artifact differs');
      rmSync(path.join(tmp, `cache-up-${r}`), { recursive: true, force: true });
      rmSync(path.join(tmp, `cache-down-${r}`), { recursive: true, force: true });
      process.stderr.write(
        `ours ${r + 1}/${repeats}: upload ${put.seconds.toFixed(1)} s (peak ${((put.peak - idle) / MB).toFixed(0)} MB above idle ${(idle / MB).toFixed(0)} MB), download ${got.seconds.toFixed(1)} s (peak ${((got.peak - idle2) / MB).toFixed(0)} MB above idle)\n`,
      );
    }
    const reference = runPythonReference<{
      upload_s: number[];
      download_s: number[];
      upload_peak_above_idle_mb: number;
      download_peak_above_idle_mb: number;
    }>('artifacts_reference.py', [uri, file, String(repeats)]);
    const ours = median(up.map((u) => u.seconds)) + median(down.map((d) => d.seconds));
    const theirs = median(reference.upload_s) + median(reference.download_s);
    printSummary('artifacts', ours, theirs, {
      megabytes,
      upload_s: Number(median(up.map((u) => u.seconds)).toFixed(2)),
      download_s: Number(median(down.map((d) => d.seconds)).toFixed(2)),
      peak_rss_above_idle_mb_upload: Math.round(Math.max(...up.map((u) => u.above)) / MB),
      peak_rss_above_idle_mb_download: Math.round(Math.max(...down.map((d) => d.above)) / MB),
      reference_upload_s: Number(median(reference.upload_s).toFixed(2)),
      reference_download_s: Number(median(reference.download_s).toFixed(2)),
      reference_peak_rss_above_idle_mb_upload: Math.round(reference.upload_peak_above_idle_mb),
      reference_peak_rss_above_idle_mb_download: Math.round(reference.download_peak_above_idle_mb),
    });
  } finally {
    const client = new MongoClient(uri);
    await client
      .connect()
      .then(() => client.db(database).dropDatabase())
      .catch(() => undefined)
      .finally(() => client.close());
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
