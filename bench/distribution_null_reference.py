"""NumPy reference for bench/distribution-null.ts: the statistics of the time-aware null (the
histogram intersection with the entry's edges, the exact two-sample KS statistic with ties as
scipy.stats.ks_2samp) for the same circular shifts of the labels as line-rca evaluated, vectorized
over blocks of shifts: the positive rows of a shift are gathered as one matrix, their bins counted
with one bincount, their ranks sorted along the rows. Reads the columns, labels, edges and shifts
the TypeScript side wrote (not timed), times the null only, and prints one JSON object on its last
line: {"seconds": [...], "observed": [[score, ks], ...], "reached": [[n_score, n_ks], ...]}.

usage: python3 bench/distribution_null_reference.py DIR [REPEATS]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

BLOCK = 64


def statistics(idx, bins, upper, low, totals, k, m, rows):
    """Score and KS for each row of `idx` (shifts × positive rows)."""
    shifts, positives = idx.shape
    b = bins[idx]
    offsets = (np.arange(shifts) * (k + 1))[:, None]
    counts = np.bincount((b + offsets).ravel(), minlength=shifts * (k + 1)).reshape(shifts, k + 1)
    negatives = rows - positives
    score = np.maximum(0.0, 1.0 - np.minimum(counts / positives, (totals - counts) / negatives).sum(axis=1))
    r = np.sort(upper[idx], axis=1)  # missing values (0) first
    valid = r > 0
    n1 = valid.sum(axis=1)
    n0 = m - n1
    zeros = (positives - n1)[:, None]
    t = np.arange(positives)[None, :]
    after = t + 1 - zeros
    before = t - zeros
    with np.errstate(divide="ignore", invalid="ignore"):
        inv1 = 1.0 / n1[:, None]
        inv0 = 1.0 / n0[:, None]
        plus = after * inv1 - (r - after) * inv0
        last = np.ones_like(valid)
        last[:, :-1] = r[:, :-1] != r[:, 1:]
        minus_after = (r - after) * inv0 - after * inv1
        minus_before = (low[r] - before) * inv0 - before * inv1
        best = np.maximum(
            np.where(valid, plus, -np.inf).max(axis=1),
            np.maximum(
                np.where(valid & last, minus_after, -np.inf).max(axis=1),
                np.where(valid, minus_before, -np.inf).max(axis=1),
            ),
        )
    ks = np.where((n1 > 0) & (n0 > 0), np.maximum(best, 0.0), 0.0)
    return score, ks


def null_of(x, y, edges, shifts):
    rows = len(x)
    k = len(edges) - 1
    present = ~np.isnan(x)
    bins = np.full(rows, k, dtype=np.int64)
    bins[present] = np.searchsorted(edges[1:k], x[present], side="right")
    values = x[present]
    ordered = np.sort(values)
    m = len(ordered)
    upper = np.zeros(rows, dtype=np.int64)
    upper[present] = np.searchsorted(ordered, values, side="right")
    low = np.zeros(m + 1, dtype=np.int64)
    low[upper[present]] = np.searchsorted(ordered, values, side="left")
    totals = np.bincount(bins, minlength=k + 1)
    positive = np.flatnonzero(y)
    observed = statistics(positive[None, :], bins, upper, low, totals, k, m, rows)
    observed = (float(observed[0][0]), float(observed[1][0]))
    reached = [0, 0]
    for start in range(0, len(shifts), BLOCK):
        s = shifts[start : start + BLOCK]
        idx = (positive[None, :] - s[:, None]) % rows
        score, ks = statistics(idx, bins, upper, low, totals, k, m, rows)
        reached[0] += int((score >= observed[0] - 1e-10 * max(1.0, abs(observed[0]))).sum())
        reached[1] += int((ks >= observed[1] - 1e-10 * max(1.0, abs(observed[1]))).sum())
    return observed, reached


def main() -> None:
    folder = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    meta = json.loads((folder / "meta.json").read_text())
    rows = meta["rows"]
    variables = meta["variables"]
    X = np.fromfile(folder / "X.f64", dtype="<f8").reshape(len(variables), rows)
    y = np.fromfile(folder / "y.u8", dtype=np.uint8)
    schedule = np.fromfile(folder / "shifts.i32", dtype="<i4").astype(np.int64)
    seconds = []
    observed = []
    reached = []
    for r in range(repeats):
        t0 = time.perf_counter()
        observed = []
        reached = []
        for j, v in enumerate(variables):
            o, c = null_of(X[j], y, np.asarray(v["edges"]), schedule[: v["shifts"]])
            observed.append(o)
            reached.append(c)
        seconds.append(time.perf_counter() - t0)
        print(f"reference repetition {r + 1}: {seconds[-1]:.2f} s", file=sys.stderr)
    print(json.dumps({"seconds": seconds, "observed": observed, "reached": reached}))


if __name__ == "__main__":
    main()
