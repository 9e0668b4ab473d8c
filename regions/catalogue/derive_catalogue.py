#!/usr/bin/env python3
"""Derive the national catalogue's hourly load files from the Ruggles et al. cleaned EIA-930 data.

Usage:
    python3 regions/catalogue/derive_catalogue.py <mirror-git-dir> [--out <repo root>]

<mirror-git-dir> is a git directory (work tree not needed) of GitHub
truggles/EIA_Cleaned_Hourly_Electricity_Demand_Data (snapshot used: b80145df5f92, 2025-02-20).
Files are read with `git show HEAD:<path>`. Needs Python 3.10+, polars, pyarrow.

Writes (relative to --out, default: the repository that holds this script):
  regions/load/<EIA code>.parquet         lower-48 BAs with cleaned 2016-2024 data, not among the 22
                                          shipped files (which are never touched)
  regions/load/zones/<ISO>-<ZONE>.parquet the 73 ISO zones (2019-2024; ERCOT zones 2020-2024)
  regions/load/zones/flagged_hours.csv    region,timestamp_utc,flag for every hour of the files above
                                          whose value is not the region's own reported value
  regions/catalogue/catalogue.csv         one row per region (+ the 22 shipped BAs)
  regions/catalogue/checks.toml           facts a test should assert (numbers computed here)
  regions/catalogue/derive_report.md      numbers quoted in regions/load/SOURCES.md (seams, defects)

Conventions (the same as the shipped regions/load/*.parquet):
  * timestamp_utc: UTC, hour-beginning, Arrow timestamp[ms, tz=UTC]. The source's `date_time` is
    EIA-930's hour-ending UTC; every timestamp is moved back one hour.
  * demand_mw: float64, integer-valued MW (= MWh in the hour), EIA-930 reported demand (D).
  * Parquet: one row group, zstd, written by polars (same schema and compression as PJM.parquet).
  * BAs span 2016-01-01T00Z .. 2024-12-31T22Z (78,911 rows); zones 2019-01-01T00Z .. 2024-12-31T22Z
    (52,607 rows); ERCOT zones 2020-01-01T00Z .. 2024-12-31T22Z (43,847 rows).

Assembly (details and the numbers in regions/load/SOURCES.md, "National catalogue"):
  BAs:   hour-beginning < 2020-01-01T00Z from data/release_2020_Oct/balancing_authorities (cleaned),
         the rest from data/release_2025_Jan_include_subregions/subregions_and_balancing_authorities.
  Zones: 2019 from data/release_2020_Oct_include_subregions/subregions_and_balancing_authorities,
         2020+ from the 2025_Jan release (both cleaned by the source).
  Repairs (this compilation, not the source), each hour flagged in flagged_hours.csv:
    Z1 SCALED_TO_BA_TOTAL: at an hour where some zones of an ISO (not ISNE) are source-imputed and
       the cleaned zones' sum s differs from B/k by more than 2 %, the imputed zones are scaled by one
       factor so that the zones sum to B/k. B = the ISO's shipped hourly record (regions/load/<ISO>.parquet:
       the source's cleaned BA value before 2020, the BA's raw total screened by rule 3 of SOURCES.md from
       2020); k = centred 14-day rolling median of r/s over hours where every zone is OKAY (r = the BA's raw
       EIA total). Skipped when the factor is outside [0.5, 2]. ISNE is excluded because its r/s swings
       0.92-1.09 with the hour.
    Z2 PJM_PL_OVERSTATED: around 2019-01-21 PJM-PL was reported far too high and the source marked it
       OKAY. The run of hours around 2019-01-21T12Z in which k*s exceeds r by more than 1 % of r is
       found in the data (2019-01-20T20Z..2019-01-22T13Z, 42 h); there PJM-PL := B/k - other zones.
    B1 PSEI_2020_FROM_2020_RELEASE: PSEI 2020-01-01T00Z..2020-09-30T22Z from the 2020_Oct
       sub-region release (reported values then available; the 2025 release had none for 2020 and
       imputed zeros in Jan-Feb). B2 PSEI_2020_IMPUTED_RESCALED: the rest of 2020 (imputed in the
       2025 release) scaled by the ratio of the two releases over the overlap 2020-03..2020-09.
    B3 ZERO_REPLACED_FROM_2020_RELEASE: hours <= 0 MW in the 2025 release (JEA and LGEE, 2020-01-01T00Z..05Z:
       the source's first hours were imputed as 0) take the 2020_Oct release's cleaned value.
  Excluded: AEC (PowerSouth; no reported demand after 2021-09-01, zeros in the cleaned file),
            NSB (stopped reporting 2020-01-08). Level shifts (WACM, LDWP, PSCO) are left as reported
            and documented (see derive_report.md).
"""
import argparse
import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timezone

import polars as pl

REL20_BA = "data/release_2020_Oct/balancing_authorities"
REL20_SUB = "data/release_2020_Oct_include_subregions/subregions_and_balancing_authorities"
REL20_RAW = "data/release_2020_Oct_include_subregions/original_eia_files"
REL25 = "data/release_2025_Jan_include_subregions/subregions_and_balancing_authorities"
REL25_RAW = "data/release_2025_Jan_include_subregions/original_eia_files"
ISOS = ["CISO", "ERCO", "ISNE", "MISO", "NYIS", "PJM", "SWPP"]
SHIPPED = ["AZPS", "BPAT", "CISO", "CPLE", "DUK", "ERCO", "FPC", "FPL", "ISNE", "MISO", "NYIS",
           "PACE", "PACW", "PGE", "PJM", "PSCO", "SC", "SCEG", "SOCO", "SRP", "SWPP", "TVA"]
EXCLUDED = {
    "AEC": "PowerSouth Energy Cooperative: no reported demand after 2021-09-01T04Z (presumably inside SOCO's "
           "record from then; the source's cleaned file has 0 MW or imputed values for the 29,226 later hours); "
           "not a full 2016-2024 BA",
    "NSB": "Utilities Commission of New Smyrna Beach: stopped reporting 2020-01-08; not in the 2025 release",
}
NON_LOWER48 = set()  # every BA in the source is in the lower 48 (no Alaska/Hawaii BAs in EIA-930)
H1 = pl.duration(hours=1)
T_BA0 = datetime(2016, 1, 1, tzinfo=timezone.utc)
T_Z0 = datetime(2019, 1, 1, tzinfo=timezone.utc)
T_E0 = datetime(2020, 1, 1, tzinfo=timezone.utc)
T_END = datetime(2024, 12, 31, 22, tzinfo=timezone.utc)
TOL_FRAC = 0.02
PL_CENTRE = datetime(2019, 1, 21, 12, tzinfo=timezone.utc)
PL_FOUND = []

MIRROR = None
ROOT = None
REPORT = []


def say(*a):
    line = " ".join(str(x) for x in a)
    REPORT.append(line)
    print(line, file=sys.stderr)


def git_ls(folder):
    out = subprocess.run(["git", "-C", MIRROR, "ls-tree", "HEAD", folder + "/", "--name-only"],
                         capture_output=True, text=True, check=True).stdout.split()
    return sorted(os.path.basename(p)[:-4] for p in out if p.endswith(".csv"))


def read(folder, name):
    """Source CSV -> columns t (hour-beginning UTC, ms), and raw/category/cleaned or demand."""
    data = subprocess.run(["git", "-C", MIRROR, "show", f"HEAD:{folder}/{name}.csv"],
                          capture_output=True, check=True).stdout
    d = pl.read_csv(io.BytesIO(data), infer_schema_length=0)
    ren = {"raw demand (MW)": "raw", "cleaned demand (MW)": "cleaned", "demand (MW)": "demand"}
    d = d.rename({k: v for k, v in ren.items() if k in d.columns})
    cols = [(pl.col("date_time").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="ms", time_zone="UTC") - H1).alias("t")]
    for c in ("raw", "cleaned", "demand"):
        if c in d.columns:
            cols.append(pl.col(c).cast(pl.Float64, strict=False))
    if "category" in d.columns:
        cols.append(pl.col("category"))
    return d.select(cols)


def span(t0, t1):
    return pl.DataFrame({"t": pl.datetime_range(t0, t1, "1h", time_unit="ms", time_zone="UTC", eager=True)})


def write_load(df, path):
    out = df.select(pl.col("t").alias("timestamp_utc"), pl.col("v").round(0).cast(pl.Float64).alias("demand_mw"))
    assert out["demand_mw"].null_count() == 0, path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    out.write_parquet(path, compression="zstd", compression_level=19, statistics=True)


# --------------------------------------------------------------------------- BAs
def build_ba(code):
    a = read(REL20_BA, code).filter(pl.col("t") < T_E0)
    b = read(REL25, code).filter(pl.col("t") >= T_E0)
    d = pl.concat([a.select("t", "raw", "category", "cleaned"), b.select("t", "raw", "category", "cleaned")])
    d = span(T_BA0, T_END).join(d, on="t", how="left")
    d = d.with_columns(pl.col("cleaned").alias("v"),
                       pl.when(pl.col("category") != "OKAY").then(pl.col("category")).otherwise(None).alias("flag"))
    # seam / overlap of the two releases (2020-01-01 .. 2020-07-01, where both exist)
    full_a = read(REL20_BA, code)
    ov = full_a.filter(pl.col("t") >= T_E0).join(b.select("t", pl.col("cleaned").alias("n")), on="t")
    okov = ov.filter((pl.col("n") > 0) & (pl.col("cleaned") > 0))
    BA_SEAMS.append((code, ov.height, okov["n"].sum() / okov["cleaned"].sum() if okov.height else float("nan"),
                     (ov["n"] == ov["cleaned"]).mean() if ov.height else float("nan")))
    if code == "PSEI":
        d = repair_psei(d)
    # B3: hours <= 0 in the 2025 release (JEA, LGEE: 2020-01-01T00Z..05Z) take the 2020 release's value
    d = d.join(full_a.select("t", pl.col("cleaned").alias("c20")), on="t", how="left")
    z = (pl.col("v") <= 0) & (pl.col("c20") > 0)
    nz = d.filter(z).height
    if nz:
        say(f"{code}: {nz} hours <= 0 MW replaced from the 2020 release ({d.filter(z)['t'].min()} .. {d.filter(z)['t'].max()}), "
            f"{d.filter(z)['c20'].sum()/1e3:+.1f} GWh")
        EFFECTS.append((code, "0 MW hours at the start of the 2025 release (B3)", nz, d.filter(z)["c20"].sum()))
    d = d.with_columns(pl.when(z).then(pl.col("c20")).otherwise(pl.col("v")).alias("v"),
                       pl.when(z).then(pl.lit("ZERO_REPLACED_FROM_2020_RELEASE")).otherwise(pl.col("flag")).alias("flag")).drop("c20")
    assert d.filter(pl.col("v") <= 0).height == 0, code
    assert d["v"].null_count() == 0 and d.height == 78911, code
    return d


def repair_psei(d):
    s = read(REL20_SUB, "PSEI").filter((pl.col("t") >= T_E0))
    new = d.filter(pl.col("t").dt.year() == 2020).select("t", pl.col("v").alias("new"), pl.col("category").alias("cat25"))
    ov = s.join(new, on="t").filter(pl.col("t") >= datetime(2020, 3, 1, tzinfo=timezone.utc))
    ratio = ov["cleaned"].sum() / ov["new"].sum()
    zeros = d.filter((pl.col("t").dt.year() == 2020) & (pl.col("v") <= 0)).height
    imp25 = d.filter((pl.col("t").dt.year() == 2020) & (pl.col("category") != "OKAY")).height
    say(f"PSEI: 2025 release 2020: {imp25} of 8784 hours imputed, {zeros} of them 0 MW; 2025-release 2020 mean "
        f"{new['new'].mean():.0f} MW. 2020_Oct release covers to {s['t'].max()} (mean 2020-01..09 {s['cleaned'].mean():.0f} MW). "
        f"Overlap 2020-03..09: 2020_Oct/2025 ratio = {ratio:.4f}")
    before = d.filter(pl.col("t").dt.year() == 2020)["v"].sum()
    d = d.join(s.select("t", pl.col("cleaned").alias("c20"), pl.col("category").alias("cat20")), on="t", how="left")
    in20 = pl.col("c20").is_not_null() & (pl.col("t").dt.year() == 2020)
    rest = (pl.col("t").dt.year() == 2020) & pl.col("c20").is_null() & (pl.col("category") != "OKAY")
    d = d.with_columns(
        pl.when(in20).then(pl.col("c20")).when(rest).then((pl.col("v") * ratio).round(0)).otherwise(pl.col("v")).alias("v"),
        pl.when(in20 & (pl.col("cat20") != "OKAY")).then(pl.lit("PSEI_2020_FROM_2020_RELEASE_IMPUTED"))
        .when(in20).then(pl.lit("PSEI_2020_FROM_2020_RELEASE"))
        .when(rest).then(pl.lit("PSEI_2020_IMPUTED_RESCALED")).otherwise(pl.col("flag")).alias("flag"),
    ).drop("c20", "cat20")
    after = d.filter(pl.col("t").dt.year() == 2020)["v"].sum()
    nrep = d.filter(pl.col("flag").str.starts_with("PSEI_2020")).height
    say(f"PSEI: {nrep} hours of 2020 replaced; 2020 energy {before/1e6:.3f} -> {after/1e6:.3f} TWh ({(after-before)/1e6:+.3f} TWh)")
    EFFECTS.append(("PSEI", "zeros / imputed 2020", nrep, after - before))
    return d


# --------------------------------------------------------------------------- zones
def rolling_k(r, s, all_ok):
    ratio = pl.when(all_ok & (r > 0) & (s > 0)).then(r / s).otherwise(None)
    return ratio


def build_iso(iso, zones):
    """Returns {zone: DataFrame(t, v, flag)} and the per-hour frame used for checks."""
    parts = []
    for z in zones:
        new = read(REL25, z).filter(pl.col("t") >= T_E0)
        frames = [new]
        if iso != "ERCO":
            old = read(REL20_SUB, z).filter((pl.col("t") >= T_Z0) & (pl.col("t") < T_E0))
            frames = [old.select(new.columns), new]
            seam_check(z, read(REL20_SUB, z), new)
        d = pl.concat(frames).with_columns(pl.lit(z).alias("zone"))
        parts.append(d.select("t", "zone", "raw", "category", "cleaned"))
    long = pl.concat(parts)
    t0 = T_E0 if iso == "ERCO" else T_Z0
    r20 = read(REL20_RAW, iso).filter((pl.col("t") >= t0) & (pl.col("t") < T_E0)).select("t", pl.col("demand").alias("r"))
    r25 = read(REL25_RAW, iso).filter(pl.col("t") >= T_E0).select("t", pl.col("demand").alias("r"))
    r = pl.concat([r20, r25])
    # B: the ISO's shipped hourly record (regions/load/<ISO>.parquet): the source's cleaned BA values
    # before 2020, rule 3 of SOURCES.md from 2020; the target the zones are reconciled to.
    shipped = pl.read_parquet(os.path.join(ROOT, "regions", "load", f"{iso}.parquet")).select(
        pl.col("timestamp_utc").alias("t"), pl.col("demand_mw").alias("B"))
    r = r.join(shipped, on="t", how="left")
    wide = long.pivot(on="zone", index="t", values="cleaned").sort("t")
    cats = long.pivot(on="zone", index="t", values="category").sort("t")
    grid = span(t0, T_END)
    wide = grid.join(wide, on="t", how="left")
    cats = grid.join(cats, on="t", how="left")
    assert wide.select(pl.sum_horizontal([pl.col(z).is_null() for z in zones])).to_series().sum() == 0, iso
    frame = wide.join(r, on="t", how="left")
    okall = pl.all_horizontal([pl.col(z) == "OKAY" for z in zones])
    frame = frame.with_columns(cats.select(okall.alias("okall"))["okall"],
                               pl.sum_horizontal(zones).alias("s"))
    frame = frame.with_columns(pl.when(pl.col("okall") & (pl.col("r") > 0)).then(pl.col("r") / pl.col("s")).otherwise(None).alias("ratio"))
    frame = frame.with_columns(pl.col("ratio").rolling_median(window_size=337, center=True, min_samples=24).alias("k"))
    frame = frame.with_columns(pl.col("k").interpolate().forward_fill().backward_fill())
    vals = {z: frame[z].to_list() for z in zones}
    flags = {z: [None if c == "OKAY" else c for c in cats[z].to_list()] for z in zones}
    catl = {z: cats[z].to_list() for z in zones}
    tl = frame["t"].to_list()
    rl = frame["B"].to_list()  # reconcile to the shipped BA record
    kl = frame["k"].to_list()
    n = len(tl)
    # Z2: PJM-PL block. The block is found in the data: the maximal run of hours around
    # 2019-01-21T12Z in which the cleaned zones exceed the BA's record (k*s - B) by more than 1 %
    # of B; in it PJM-PL (the zone that jumps) is set to B/k minus the other zones.
    if iso == "PJM":
        changed = 0.0
        hrs = 0
        mx_before = 0
        def excess(i):
            s = sum(vals[z][i] for z in zones)
            return (kl[i] * s - rl[i]) / rl[i] if rl[i] else 0.0
        c = tl.index(PL_CENTRE)
        lo = c
        while lo > 0 and excess(lo - 1) > 0.01:
            lo -= 1
        hi = c
        while hi < n - 1 and excess(hi + 1) > 0.01:
            hi += 1
        PL_FOUND[:] = [tl[lo], tl[hi]]
        for i in range(lo, hi + 1):
            others = sum(vals[z][i] for z in zones if z != "PJM-PL")
            new = round(rl[i] / kl[i] - others)
            mx_before = max(mx_before, vals["PJM-PL"][i])
            changed += new - vals["PJM-PL"][i]
            say(f"  PJM-PL {tl[i]:%Y-%m-%dT%H}Z: {vals['PJM-PL'][i]:.0f} -> {new} (B={rl[i]:.0f}, k={kl[i]:.4f}, s={others+vals['PJM-PL'][i]:.0f}, excess {100*excess(i):.1f} %)")
            vals["PJM-PL"][i] = float(new)
            flags["PJM-PL"][i] = "PJM_PL_OVERSTATED"
            catl["PJM-PL"][i] = "OKAY"  # settled here; Z1 leaves it alone
            hrs += 1
        say(f"PJM-PL block {tl[lo]:%Y-%m-%dT%H}Z..{tl[hi]:%Y-%m-%dT%H}Z: {hrs} hours replaced, max before {mx_before:.0f} MW, {changed/1e3:+.1f} GWh")
        EFFECTS.append(("PJM-PL", "overstatement 2019-01-20/22 (Z2)", hrs, changed))
    # Z1: imputed zones scaled to the BA total
    if iso != "ISNE":
        per_zone = {z: [0, 0.0] for z in zones}
        skipped = 0
        for i in range(n):
            imp = [z for z in zones if catl[z][i] != "OKAY"]
            if not imp or rl[i] is None or rl[i] <= 0:
                continue
            s = sum(vals[z][i] for z in zones)
            target = rl[i] / kl[i]
            if abs(target - s) <= TOL_FRAC * target:
                continue
            okay = sum(vals[z][i] for z in zones if z not in imp)
            isum = sum(vals[z][i] for z in imp)
            if isum <= 0:
                skipped += 1
                continue
            f = (target - okay) / isum
            if not (0.5 <= f <= 2.0):
                skipped += 1
                continue
            for z in imp:
                new = float(round(vals[z][i] * f))
                per_zone[z][0] += 1
                per_zone[z][1] += new - vals[z][i]
                vals[z][i] = new
                flags[z][i] = (flags[z][i] or "") + "+SCALED_TO_BA_TOTAL"
        for z in zones:
            if per_zone[z][0]:
                say(f"Z1 {z}: {per_zone[z][0]} imputed hours scaled to the BA total, {per_zone[z][1]/1e3:+.1f} GWh")
                EFFECTS.append((z, "imputed hours scaled to BA total (Z1)", per_zone[z][0], per_zone[z][1]))
        say(f"Z1 {iso}: {skipped} candidate hours skipped (factor outside 0.5-2 or no imputed load to scale)")
    out = {}
    for z in zones:
        out[z] = pl.DataFrame({"t": tl, "v": vals[z], "flag": flags[z]}, schema={"t": pl.Datetime("ms", "UTC"), "v": pl.Float64, "flag": pl.Utf8})
    frame = frame.select("t", "r", "B", "k", "s").with_columns(pl.sum_horizontal([out[z]["v"] for z in zones]).alias("s_fixed"))
    return out, frame


SEAMS = []
BA_SEAMS = []
EFFECTS = []


def seam_check(z, old, new):
    ov = old.join(new.select("t", pl.col("cleaned").alias("n")), on="t").filter(pl.col("t") < datetime(2020, 10, 1, tzinfo=timezone.utc))
    ratio = ov["n"].sum() / ov["cleaned"].sum()
    same = (ov["n"] == ov["cleaned"]).mean()
    last19 = old.filter((pl.col("t") >= datetime(2019, 12, 25, tzinfo=timezone.utc)) & (pl.col("t") < T_E0))["cleaned"].mean()
    first20 = new.filter(pl.col("t") < datetime(2020, 1, 8, tzinfo=timezone.utc))["cleaned"].mean()
    at = (old.filter(pl.col("t") == datetime(2019, 12, 31, 23, tzinfo=timezone.utc))["cleaned"][0],
          new.filter(pl.col("t") == T_E0)["cleaned"][0])
    SEAMS.append((z, ov.height, ratio, same, last19, first20, at))


# --------------------------------------------------------------------------- main
def main():
    global MIRROR, ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("mirror")
    ap.add_argument("--out", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    a = ap.parse_args()
    MIRROR = a.mirror
    root = a.out
    ROOT = root
    head = subprocess.run(["git", "-C", MIRROR, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    say(f"source commit {head}")
    flagged = []
    energy = {}
    series = {}
    # BAs
    bas = [b for b in git_ls(REL20_BA) if b not in SHIPPED and b not in EXCLUDED and b not in NON_LOWER48]
    say(f"{len(bas)} new BAs: {' '.join(bas)}; excluded: {', '.join(EXCLUDED)}")
    for b in bas:
        d = build_ba(b)
        write_load(d, f"{root}/regions/load/{b}.parquet")
        series[b] = d.select("t", "v")
        for t, f in d.filter(pl.col("flag").is_not_null()).select("t", "flag").iter_rows():
            flagged.append((b, t, f))
    # zones
    zframes = {}
    for iso in ISOS:
        zones = [z for z in git_ls(REL25) if z.startswith(iso + "-")]
        say(f"{iso}: {len(zones)} zones")
        out, frame = build_iso(iso, zones)
        zframes[iso] = frame
        for z, d in out.items():
            write_load(d, f"{root}/regions/load/zones/{z}.parquet")
            series[z] = d.select("t", "v")
            for t, f in d.filter(pl.col("flag").is_not_null()).select("t", "flag").iter_rows():
                flagged.append((z, t, f.lstrip("+")))
    flagged.sort(key=lambda x: (x[0], x[1]))
    with open(f"{root}/regions/load/zones/flagged_hours.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["region", "timestamp_utc", "flag"])
        for reg, t, f in flagged:
            w.writerow([reg, t.strftime("%Y-%m-%dT%H:%M:%SZ"), f])
    say(f"flagged_hours.csv: {len(flagged)} rows")
    import derive_tables  # noqa: E402  (catalogue.csv, checks.toml, report; same folder)
    derive_tables.run(root, MIRROR, series, zframes, SEAMS + [("BA",) + x for x in BA_SEAMS], EFFECTS, REPORT, flagged, read, REL25_RAW, EXCLUDED)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
