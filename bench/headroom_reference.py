"""Reference implementation of the Norris et al. (2025) headroom in pandas + numpy +
scipy (root finding), to compare speed and results with `gridstrain headroom`.
Not part of the tests. Usage: python3 bench/headroom_reference.py [regions/load]
It reads the shipped Parquet files, so it needs pandas and pyarrow (and scipy)."""
import glob
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import brentq

WINDOWS = {"CISO": ([6, 7, 8, 9], [11, 12, 1, 2]), "FPL": ([6, 7, 8], [11, 12, 1, 2, 3]), "AZPS": ([6, 7, 8], [11, 12, 1, 2])}
LIMITS = [0.0025, 0.005, 0.01, 0.05]


def headroom(df, summer_months, winter_months):
    month = df.timestamp_utc.dt.month
    summer = df.demand_mw[month.isin(summer_months)].max()
    winter = df.demand_mw[month.isin(winter_months)].max()
    threshold = np.where(month.between(4, 10), summer, winter)
    margin = threshold - df.demand_mw.to_numpy()
    years = df.timestamp_utc.dt.year.to_numpy()
    groups = [margin[years == y] for y in np.unique(years)]

    def rate(load):
        return np.mean([np.clip(load - m, 0, load).sum() / (load * 8760) for m in groups])

    return [brentq(lambda l: rate(l) - a, 1e-3, 1e7, xtol=1e-3) for a in LIMITS]


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "regions/load"
    start = time.perf_counter()
    totals = np.zeros(len(LIMITS))
    for path in sorted(glob.glob(os.path.join(folder, "*.parquet"))):
        ba = os.path.basename(path)[:-8]
        df = pd.read_parquet(path)
        summer, winter = WINDOWS.get(ba, ([6, 7, 8], [12, 1, 2]))
        values = headroom(df, summer, winter)
        totals += values
        print(ba, " ".join(f"{v:9.0f}" for v in values))
    print("total", " ".join(f"{v:9.0f}" for v in totals))
    print(f"wall {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
