"""Python reference for bench/distribution.ts: the same per-variable work with pandas, NumPy,
SciPy and scikit-learn. Reads the raw columns the TypeScript side wrote (not timed), then times
the analysis only. Prints one JSON object on its last line:
{"seconds": [...], "cpu_seconds": [...], "top": [...]}.

usage: python3 bench/distribution_reference.py DIR [REPEATS]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon
from sklearn.tree import DecisionTreeClassifier


def analyse(df: pd.DataFrame, y: np.ndarray) -> list:
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    results = []
    for name in df.columns:
        col = df[name]
        present = col.notna().to_numpy()
        x = col.to_numpy()[present]
        yy = y[present]
        pos = x[yy == 1]
        neg = x[yy == 0]
        # binning: FD width on the 1-99 % range, tails clipped into the end bins, missing bin
        lo, q25, q75, hi = np.quantile(x, [0.01, 0.25, 0.75, 0.99])
        width = 2 * (q75 - q25) / len(x) ** (1 / 3)
        k = int(min(max(np.ceil((hi - lo) / width), 5), 50)) if width > 0 else 20
        edges = np.linspace(lo, hi, k + 1)
        hp = np.histogram(np.clip(pos, lo, hi), edges)[0] / n_pos
        hn = np.histogram(np.clip(neg, lo, hi), edges)[0] / n_neg
        hp = np.append(hp, (n_pos - len(pos)) / n_pos)
        hn = np.append(hn, (n_neg - len(neg)) / n_neg)
        intersection = 1 - np.minimum(hp, hn).sum()
        js = jensenshannon(hp, hn, base=2)
        ks = stats.ks_2samp(pos, neg)
        w = stats.wasserstein_distance(pos, neg) / ((q75 - q25) / 1.349)
        tree = DecisionTreeClassifier(max_depth=1).fit(x.reshape(-1, 1), yy)
        results.append((name, intersection, ks.pvalue, w, js, tree.tree_.threshold[0]))
    q = stats.false_discovery_control([r[2] for r in results], method="bh")
    return sorted(zip(results, q), key=lambda t: -t[0][1])


def main() -> None:
    folder = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    meta = json.loads((folder / "meta.json").read_text())
    rows, variables = meta["rows"], meta["variables"]
    X = np.fromfile(folder / "X.f64", dtype="<f8").reshape(variables, rows)
    y = np.fromfile(folder / "y.u8", dtype=np.uint8).astype(np.int64)
    df = pd.DataFrame({f"v{j}": X[j] for j in range(variables)}, copy=False)
    seconds = []
    cpu_seconds = []
    ranked = []
    for r in range(repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        ranked = analyse(df, y)
        seconds.append(time.perf_counter() - t0)
        cpu_seconds.append(time.process_time() - c0)
        print(f"reference repetition {r + 1}: {seconds[-1]:.2f} s, {cpu_seconds[-1]:.2f} s CPU", file=sys.stderr)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "top": [t[0][0] for t in ranked[:5]]}))


if __name__ == "__main__":
    main()
