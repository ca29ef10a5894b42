"""Python reference for bench/zoom.ts: a service holding the rows in a pandas DataFrame answers a
zoom by running bench/distribution_reference.py's per-variable analysis on the period's rows.
Reads the raw columns the TypeScript side wrote (not timed). Prints one JSON object on its last
line: {"seconds": [...], "top": [...]}.

usage: python3 bench/zoom_reference.py DIR START END [REPEATS]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from distribution_reference import analyse  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1])
    start, end = int(sys.argv[2]), int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    meta = json.loads((folder / "meta.json").read_text())
    rows, variables = meta["rows"], meta["variables"]
    X = np.fromfile(folder / "X.f64", dtype="<f8").reshape(variables, rows)
    y = np.fromfile(folder / "y.u8", dtype=np.uint8).astype(np.int64)
    df = pd.DataFrame({f"v{j}": X[j] for j in range(variables)}, copy=False)
    seconds = []
    ranked = []
    for r in range(repeats):
        t0 = time.perf_counter()
        ranked = analyse(df.iloc[start:end], y[start:end])
        seconds.append(time.perf_counter() - t0)
        print(f"reference zoom {r + 1}: {seconds[-1]:.2f} s", file=sys.stderr)
    print(json.dumps({"seconds": seconds, "top": [t[0][0] for t in ranked[:5]]}))


if __name__ == "__main__":
    main()
