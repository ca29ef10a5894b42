"""The reference for `npm run bench -- artifacts`: pymongo's GridFSBucket uploads the same file
and downloads it again (its default 255 KiB chunks, bucket `reference`), timing each; the peak resident memory
above the idle process comes from getrusage (the peak of the process so far, so upload is
measured before download). Prints one JSON line last."""
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
    # pymongo's default chunks (255 KiB): with 1 MiB ones FerretDB's first cursor batch (101 chunks)
    # is larger than its 48 MB message limit.
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
            bucket.download_to_stream(ids[r], out)
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
