"""The reference for `npm run bench -- artifacts`: pymongo's GridFSBucket uploads the same file
(its default 255 KiB chunks, bucket `reference`), and the file is downloaded again by reading
its chunks in order a few at a time (batch_size 4), as ours does: pymongo's own download stream
asks for whole cursor batches, which FerretDB sends larger than the 48 MB message limit it
announces (pymongo then refuses them). Times each; the peak resident memory above the idle
process comes from getrusage (the peak of the process so far, so upload is measured before
download). Prints one JSON line last."""
import json
import resource
import sys
import time

from gridfs import GridFSBucket
from pymongo import MongoClient


def rss_now_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    uri, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = MongoClient(uri)
    db = client.get_default_database()
    bucket = GridFSBucket(db, bucket_name='reference')
    with open(path, 'rb') as f:
        bucket.upload_from_stream('warm', f.read(1024 * 1024))
    idle = rss_now_mb()
    uploads, downloads, ids = [], [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        with open(path, 'rb') as f:
            ids.append(bucket.upload_from_stream(f'features-{r}', f))
        uploads.append(time.perf_counter() - t0)
    upload_peak = peak_mb() - idle
    for r in range(repeats):
        t0 = time.perf_counter()
        with open(f'{path}.reference', 'wb') as out:
            chunks = db['reference.chunks'].find({'files_id': ids[r]}, sort=[('n', 1)], batch_size=4)
            for n, chunk in enumerate(chunks):
                assert chunk['n'] == n
                out.write(chunk['data'])
        downloads.append(time.perf_counter() - t0)
    download_peak = peak_mb() - idle
    print(json.dumps({
        'upload_s': uploads,
        'download_s': downloads,
        'upload_peak_above_idle_mb': upload_peak,
        'download_peak_above_idle_mb': download_peak,
    }))


if __name__ == '__main__':
    main()
