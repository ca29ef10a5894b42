"""pandas reference for bench/aggregate.ts: read the long Parquet source, pivot to wide (mean of
duplicates), write the wide table as Parquet and read it back (the product's extract and
aggregate stages exchange it as a file), resample to 10-minute windows (origin epoch) with the same functions, label windows
where any row has v00 > 0.95, drop the target column from the features. Vectorized throughout
(the slope from windowed sums, not a per-window polyfit), so the reference is pandas at its best.

and write the features as Parquet (zstd, as the product's datasets).

usage: aggregate_reference.py SOURCE REPEATS FUNCTIONS OUT_DIR
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd


def aggregate(source, functions, out_dir):
    long = pd.read_parquet(source)
    wide = long.pivot_table(index="time", columns="variable", values="value", aggfunc="mean", dropna=False)
    wide = wide.sort_index()
    observations = os.path.join(out_dir, "observations.parquet")
    wide.to_parquet(observations, compression="zstd")
    wide = pd.read_parquet(observations)
    label = (wide["v00"] > 0.95).resample("10min", origin="epoch").max()
    x = wide.drop(columns=["v00"])
    r = x.resample("10min", origin="epoch")
    parts = {}
    for f in functions:
        if f == "mean":
            parts[f] = r.mean()
        elif f == "std":
            parts[f] = r.std()
        elif f == "min":
            parts[f] = r.min()
        elif f == "max":
            parts[f] = r.max()
        elif f == "first":
            parts[f] = r.first()
        elif f == "last":
            parts[f] = r.last()
        elif f == "count":
            parts[f] = r.count().astype(float)
        elif f == "slope":
            t = pd.Series((x.index - x.index[0]).total_seconds() / 60.0, index=x.index)
            tv = x.notna().mul(t, axis=0).where(x.notna())
            n = x.notna().resample("10min", origin="epoch").sum()
            st = tv.resample("10min", origin="epoch").sum()
            stt = (tv * tv).resample("10min", origin="epoch").sum()
            sy = r.sum()
            sty = (tv * x).resample("10min", origin="epoch").sum()
            den = n * stt - st * st
            parts[f] = ((n * sty - st * sy) / den).where((n >= 2) & (den.abs() > 1e-12))
        elif f.startswith("p"):
            parts[f] = r.quantile(float(f[1:]) / 100)
    table = pd.concat({f: p for f, p in parts.items()}, axis=1)
    table.columns = [f"{v}__{f}" for f, v in table.columns]
    table["__label"] = label.astype(float)
    rows = wide.index.to_series().resample("10min", origin="epoch").size()
    table = table[rows > 0]
    table.to_parquet(os.path.join(out_dir, "features.parquet"), compression="zstd")
    return table


def main():
    source, repeats, functions, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4]
    seconds = []
    table = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        table = aggregate(source, functions, out_dir)
        seconds.append(time.perf_counter() - t0)
    features = table.drop(columns=["__label"]).to_numpy()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "checksum": float(np.nansum(features)),
                "positives": int(table["__label"].sum()),
                "windows": int(len(table)),
            }
        )
    )


if __name__ == "__main__":
    main()
