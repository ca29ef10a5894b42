"""Python reference for bench/rules.ts: pysubgroup's beam search with WRAcc on the same data.
Reads a CSV (variables, then `target` 0/1; not timed), then times the selectors and the search.
Prints one JSON object on its last line: {"seconds": [...], "best_wracc": ..., "best": "...", "rules": N}.

usage: python3 bench/rules-reference.py FILE.csv [REPEATS]
pysubgroup 0.9.0 pins numpy<2 but runs on numpy 2: pip install --no-deps pysubgroup==0.9.0
(and statsmodels, matplotlib, which it imports; see bench/requirements.txt).
"""
import json
import sys
import time
import warnings

import pandas as pd
import pysubgroup as ps

warnings.simplefilter("ignore")


def search(frame: pd.DataFrame):
    target = ps.BinaryTarget("target", True)
    selectors = ps.create_selectors(frame, nbins=10, intervals_only=False, ignore=["target"])
    task = ps.SubgroupDiscoveryTask(frame, target, selectors, result_set_size=10, depth=3, qf=ps.WRAccQF())
    return ps.BeamSearch(beam_width=20).execute(task)


def main() -> None:
    frame = pd.read_csv(sys.argv[1])
    frame["target"] = frame["target"].astype(bool)
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    seconds = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = search(frame)
        seconds.append(time.perf_counter() - start)
    quality, description, _ = result.results[0]
    print(json.dumps({"seconds": seconds, "best_wracc": float(quality), "best": str(description), "rules": len(result.results)}))


if __name__ == "__main__":
    main()
