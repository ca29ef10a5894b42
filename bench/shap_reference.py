"""Reference for `npm run bench -- shap`: trains a LightGBM binary model (500 trees of 31
leaves) on generated data (10,000 rows x 100 features, some NaN), saves the model text and the
rows for our TreeSHAP, and times LightGBM's own exact TreeSHAP, `predict(pred_contrib=True)`.

shap's TreeExplainer on a LightGBM model with the default path-dependent perturbation calls this
same `pred_contrib`, so it is the faster of the two by construction (one less layer); it is also
timed (once) for the record. Prints one JSON object on its last line.

usage: python3 bench/shap_reference.py OUT_DIR [--repeats N] [--rows N] [--features N] [--trees N]
"""

import argparse
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--features", type=int, default=100)
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--shap", action="store_true", help="also time shap.TreeExplainer once")
    ap.add_argument("--one-thread", action="store_true", help="also time pred_contrib on one thread")
    args = ap.parse_args()

    rng = np.random.default_rng(2026)
    n, p = args.rows, args.features
    X = rng.normal(size=(n, p))
    w = rng.normal(size=p) * (rng.random(p) < 0.3)
    logit = X @ w * 0.3 + np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 3] ** 2
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X[rng.random(X.shape) < 0.05] = np.nan
    params = {
        "objective": "binary", "num_leaves": 31, "learning_rate": 0.05, "min_data_in_leaf": 20,
        "seed": 1, "verbose": -1, "deterministic": True,
        # One thread: OpenMP on a shared, busy machine slows training by an order of magnitude.
        "num_threads": 1,
    }
    t0 = time.perf_counter()
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=args.trees)
    print(f"trained {booster.num_trees()} trees in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    booster.save_model(os.path.join(args.out, "model.txt"))
    X.astype("<f8").tofile(os.path.join(args.out, "x.f64"))

    seconds = []
    cpu_seconds = []
    contrib = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()  # every thread of the process: steadier on a shared machine
        contrib = booster.predict(X, pred_contrib=True)
        cpu_seconds.append(time.process_time() - c0)
        seconds.append(time.perf_counter() - t0)
    contrib.astype("<f8").tofile(os.path.join(args.out, "contrib.f64"))
    print(f"pred_contrib: {[round(s, 3) for s in seconds]} s", file=sys.stderr)

    result = {
        "reference": "lightgbm predict(pred_contrib=True)",
        "reference_s": float(np.median(seconds)),
        "reference_cpu_s": float(np.median(cpu_seconds)),
        "threads": os.cpu_count(),
        "rows": n,
        "features": p,
        "trees": booster.num_trees(),
    }
    if args.one_thread:
        seconds_1 = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            booster.predict(X, pred_contrib=True, num_threads=1)
            seconds_1.append(time.perf_counter() - t0)
        print(f"pred_contrib, 1 thread: {[round(s, 3) for s in seconds_1]} s", file=sys.stderr)
        result["reference_1thread_s"] = float(np.median(seconds_1))
    if args.shap:
        import shap

        t0 = time.perf_counter()
        shap.TreeExplainer(booster).shap_values(X)
        result["shap_tree_explainer_s"] = time.perf_counter() - t0
    print(json.dumps(result))


if __name__ == "__main__":
    main()
