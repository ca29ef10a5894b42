"""LightGBM reference for bench/gbdt.ts: same data (written by the TS side), same parameters,
one thread, time-ordered 80/20 split; times Dataset construction + training, reports validation AUC.

usage: python gbdt_reference.py DATA_DIR PARAMS_JSON REPEATS
prints, last, one JSON line: {"seconds": [...], "cpu_seconds": [...], "auc": ...}
"""
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np
from sklearn.metrics import roc_auc_score


def load(data_dir):
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    n, k = meta["rows"], meta["features"]
    x = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(k, n).T
    y = np.fromfile(os.path.join(data_dir, "y.u8"), dtype=np.uint8).astype(np.float64)
    return x, y


def lgb_params(params):
    out = {
        "objective": "binary",
        "num_threads": 1,
        "verbose": -1,
        "deterministic": True,
    }
    out.update(params)
    return out


def main():
    data_dir, params_json, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    params = json.loads(params_json)
    x, y = load(data_dir)
    cut = int(len(y) * 0.8)
    x_train, y_train = np.ascontiguousarray(x[:cut]), y[:cut]
    x_valid, y_valid = x[cut:], y[cut:]
    p = lgb_params(params)
    rounds = p.pop("num_iterations")
    seconds = []
    cpu_seconds = []
    booster = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        ds = lgb.Dataset(x_train, y_train, params={"max_bin": p.get("max_bin", 255), "verbose": -1})
        booster = lgb.train(p, ds, num_boost_round=rounds)
        seconds.append(time.perf_counter() - t0)
        cpu_seconds.append(time.process_time() - c0)
        print(f"reference: {seconds[-1]:.3f} s", file=sys.stderr)
    auc = roc_auc_score(y_valid, booster.predict(x_valid, raw_score=True))
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "auc": auc, "trees": booster.num_trees()}))


if __name__ == "__main__":
    main()
