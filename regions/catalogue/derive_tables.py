"""Second half of derive_catalogue.py: catalogue.csv, checks.toml and derive_report.md.

Hand-curated inputs (not derived from the load data) are read from region_facts.csv in this folder:
names, time zones, population, existing data-centre MW and coordinates, each with its source and
confidence. For the 22 shipped BAs the name, time zone, population and data-centre figures are copied
from regions/us-22.toml (region_facts.csv only adds their coordinates).
"""
import csv
import glob
import os
import tomllib
from datetime import datetime, timezone

import polars as pl

US48_2023_TWH_EIA930 = 4078.4  # EIA-930 US48 demand, 2023 (raw US48 file of the source: 4,078.42 TWh)
ISO_ZONE_COUNTS = {"CISO": 4, "ERCO": 8, "ISNE": 8, "MISO": 6, "NYIS": 11, "PJM": 19, "SWPP": 17}

# EPRI, Powering Intelligence (May 2024): 2023 data-centre share of state electricity use, %, as listed
# in docs/research/sources-datacentre-load-and-operator-forecasts.md §2 [E1]; states EPRI does not list (AR, DE, DC, MS, VT, WV) are 0.
EPRI_PCT = dict(AL=1.7, AZ=7.4, CA=3.7, CO=2.7, CT=1.0, FL=0.6, GA=4.3, ID=0.6, IL=5.5, IN=0.2, IA=11.4, KS=0.0,
                KY=2.2, LA=0.1, MA=2.1, MD=0.2, ME=0.2, MI=0.5, MN=1.2, MO=1.2, MT=3.6, NE=11.7, NH=0.2, NJ=5.4,
                NM=1.5, NV=8.7, NY=2.8, NC=1.9, ND=4.4, OH=1.6, OK=1.8, OR=11.4, PA=3.2, RI=0.2, SC=2.5, SD=0.5,
                TN=1.3, TX=4.6, UT=7.7, VA=25.6, WA=5.7, WI=0.2, WY=11.3, AR=0.0, DE=0.0, DC=0.0, MS=0.0, VT=0.0, WV=0.0)
# Census Vintage 2024 (NST-EST2024) resident population, 1 July 2024 (NY and SC agree with docs/methodology.md).
STATE_POP = dict(ME=1_405_012, NH=1_409_032, VT=648_493, CT=3_675_069, RI=1_112_308, MA=7_136_171, NY=19_867_248)
US_POP = 340_110_988  # regions/us-22.toml scope_population (Census V2024)
NAT_PEOPLE_PER_TWH = US_POP / US48_2023_TWH_EIA930
SHIPPED_DC = {}
FLAGGED_ROWS = [0]
DC_NOTE = {
    "ERCO": "no published split of ERCOT's data-centre load by weather zone was found; the hubs are Dallas-Fort Worth (NCEN), "
            "San Antonio and Austin (SCEN) and Houston (COAS); Far West growth is oil, gas and crypto mining",
    "NYIS": "no published split by NYISO zone was found; splitting NYISO's figure by energy share is not used (it erases hubs)",
    "CISO": "no published split by CAISO sub-region was found; the Silicon Valley (Santa Clara) hub is in PGAE",
    "SWPP": "EPRI lists no Kansas data-centre load (KS 0.0 %)",
    "BA": "no EPRI state share applies (federal power marketer / no retail load of its own) or hub evidence only",
}

COLUMNS = ["id", "name", "kind", "parent", "time_zone", "load_file", "first_full_year", "last_full_year",
           "energy_2023_twh", "mean_mw_2019", "mean_mw_2024", "population", "population_source",
           "population_confidence", "existing_datacenter_mw", "existing_datacenter_source",
           "existing_datacenter_confidence", "lat", "lon", "coord_source"]


def yearly(d):
    return (d.group_by(pl.col("t").dt.year().alias("y"))
            .agg(pl.col("v").sum().alias("e"), pl.col("v").mean().alias("m"), pl.len().alias("n")).sort("y"))


def run(root, mirror, series, zframes, seams, effects, report, flagged, read, raw_dir, excluded):
    here = os.path.join(root, "regions", "catalogue")
    # The 22 hand-kept BA tables: in us-22.toml before the catalogue existed, in
    # catalogue.toml (the ids us-22.toml names) since.
    us22 = tomllib.load(open(os.path.join(root, "regions", "us-22.toml"), "rb"))
    if "region" in us22:
        shipped = {r["id"]: r for r in us22["region"]}
    else:
        catalogue = tomllib.load(open(os.path.join(root, "regions", "catalogue.toml"), "rb"))
        shipped = {r["id"]: r for r in catalogue["region"] if r["id"] in us22["regions"]}
    SHIPPED_DC.update({k: v["existing_datacenter_mw"] for k, v in shipped.items()})
    for code in shipped:
        d = pl.read_parquet(os.path.join(root, "regions", "load", f"{code}.parquet"))
        series[code] = d.select(pl.col("timestamp_utc").alias("t"), pl.col("demand_mw").alias("v"))
    facts = {}
    with open(os.path.join(here, "region_facts.csv"), newline="") as fh:
        for row in csv.DictReader(fh):
            facts[row["id"]] = row
    rows = []
    stats = {}
    for rid, d in series.items():
        y = yearly(d)
        full = [int(r["y"]) for r in y.iter_rows(named=True) if r["n"] >= (8784 if r["y"] % 4 == 0 else 8760) - 1]
        ym = {int(r["y"]): r for r in y.iter_rows(named=True)}
        stats[rid] = ym
        kind = "zone" if "-" in rid else "ba"
        parent = rid.split("-")[0] if kind == "zone" else ""
        f = facts.get(rid, {})
        if rid in shipped:
            s = shipped[rid]
            name, tz = s["name"], s["time_zone"]
            pop, pops, popc = s["population"], s["population_source"], "as us-22.toml"
            dc, dcs, dcc = s["existing_datacenter_mw"], s["existing_datacenter_source"], s["existing_datacenter_confidence"]
            load_file = f"load/{rid}.parquet"
        else:
            name, tz = f.get("name", ""), f.get("time_zone", "")
            e23 = ym[2023]["e"] / 1e6
            dc, dcs, dcc = dc_rule(rid, kind, parent, f.get("dc_rule", ""), e23, ym, series)
            pop, pops, popc = f.get("population", ""), f.get("population_source", ""), ""
            if f.get("pop_rule") == "fixed":
                popc = "medium (recalled figure)" if "recalled" in pops else "sourced"
            load_file = f"load/zones/{rid}.parquet" if kind == "zone" else f"load/{rid}.parquet"
        if pop in ("", None):
            pop, pops, popc = "", "estimate needed", ""
        if dc in ("", None):
            dc, dcc = "", ""
            dcs = dcs if str(dcs).startswith("estimate needed") else "estimate needed"
        rows.append({
            "id": rid, "name": name, "kind": kind, "parent": parent, "time_zone": tz, "load_file": load_file,
            "first_full_year": min(full), "last_full_year": max(full),
            "energy_2023_twh": round(ym[2023]["e"] / 1e6, 3),
            "mean_mw_2019": round(ym[2019]["m"]) if 2019 in ym else "",
            "mean_mw_2024": round(ym[2024]["m"]),
            "population": pop, "population_source": pops, "population_confidence": popc,
            "existing_datacenter_mw": dc, "existing_datacenter_source": dcs, "existing_datacenter_confidence": dcc,
            "lat": f.get("lat", ""), "lon": f.get("lon", ""), "coord_source": f.get("coord_source", ""),
        })
    apply_population(rows, facts)
    order = {"ba": 0, "zone": 1}
    rows.sort(key=lambda r: (order[r["kind"]], r["id"] not in shipped, r["parent"], r["id"]))
    with open(os.path.join(here, "catalogue.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)

    # ------------------------------------------------------------------ report numbers
    lines = ["# derive_catalogue.py report (generated; numbers quoted in regions/load/SOURCES.md)", ""]
    bas = [r for r in rows if r["kind"] == "ba"]
    e_all = sum(r["energy_2023_twh"] for r in bas)
    e_22 = sum(r["energy_2023_twh"] for r in bas if r["id"] in shipped)
    lines += [f"- BAs in the catalogue: {len(bas)} ({len([r for r in bas if r['id'] in shipped])} shipped before + "
              f"{len([r for r in bas if r['id'] not in shipped])} new); zones: {len(rows) - len(bas)}.",
              f"- Energy 2023 (UTC year, hour-beginning), all catalogue BAs: {e_all:,.1f} TWh = "
              f"{100 * e_all / US48_2023_TWH_EIA930:.2f} % of EIA-930 US48 ({US48_2023_TWH_EIA930:,.1f} TWh).",
              f"- Energy 2023, the 22 shipped BAs: {e_22:,.1f} TWh = {100 * e_22 / US48_2023_TWH_EIA930:.2f} % of US48.",
              f"- Excluded BAs: " + "; ".join(f"{k}: {v}" for k, v in excluded.items()), ""]
    # zones vs BA
    lines += ["## Zones against their ISO's shipped BA file (2020-2024 hourly ratio BA / sum of zones)", "",
              "| ISO | zones | 2019 median (p5-p95) | 2020-24 median (p5-p95) | energy 2023: BA / zones |", "| --- | --- | --- | --- | --- |"]
    zsum_checks = {}
    for iso, n in ISO_ZONE_COUNTS.items():
        zs = [k for k in series if k.startswith(iso + "-")]
        tot = pl.concat([series[z] for z in zs]).group_by("t").agg(pl.col("v").sum().alias("zs"))
        j = series[iso].join(tot, on="t").with_columns((pl.col("v") / pl.col("zs")).alias("q"))
        def q(df):
            if df.height == 0:
                return "–"
            return f"{df['q'].median():.4f} ({df['q'].quantile(0.05):.4f}-{df['q'].quantile(0.95):.4f})"
        a = j.filter(pl.col("t").dt.year() == 2019)
        b = j.filter(pl.col("t").dt.year() >= 2020)
        e23 = j.filter(pl.col("t").dt.year() == 2023)
        zsum_checks[iso] = (b["q"].quantile(0.05), b["q"].median(), b["q"].quantile(0.95), len(zs),
                            (a["q"].quantile(0.05), a["q"].median(), a["q"].quantile(0.95)) if a.height else None)
        lines.append(f"| {iso} | {len(zs)} | {q(a)} | {q(b)} | {e23['v'].sum() / e23['zs'].sum():.4f} |")
    lines.append("")
    # seams
    lines += ["## Seam 2019 | 2020: the two source releases over their overlap (2020-01-01 .. 2020-09-30)", "",
              "`ratio` = energy of the 2025 release / energy of the 2020 release over the overlap; `same` = share of "
              "hours with identical cleaned values; last week of 2019 (2020 release) vs first week of 2020 (2025 release) "
              "mean MW; the seam hour 2019-12-31T23Z (2020 release) -> 2020-01-01T00Z (2025 release).", "",
              "| zone | overlap h | ratio | same | mean MW 2019-12-25..31 | mean MW 2020-01-01..07 | seam hour MW |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    ba_seams = [x[1:] for x in seams if x[0] == "BA"]
    seams = [x for x in seams if x[0] != "BA"]
    for z, n, ratio, same, l19, f20, at in seams:
        mark = " **" if abs(ratio - 1) > 0.01 else ""
        lines.append(f"| {z}{mark} | {n} | {ratio:.4f} | {100 * same:.1f} % | {l19:,.0f} | {f20:,.0f} | {at[0]:,.0f} -> {at[1]:,.0f} |")
    lines.append("")
    lines += ["## New BAs: the 2020_Oct and 2025_Jan releases over their overlap (2020-01-01 .. 2020-07-01)", "",
              "| BA | overlap h | energy ratio 2025/2020 (hours > 0 in both) | identical hours |", "| --- | --- | --- | --- |"]
    for code, n, ratio, same in ba_seams:
        mark = " **" if abs(ratio - 1) > 0.01 else ""
        lines.append(f"| {code}{mark} | {n} | {ratio:.4f} | {100 * same:.1f} % |")
    lines.append("")
    # defects
    lines += ["## Repairs (MWh changed = sum over hours of new - old)", "", "| region | repair | hours | MWh changed |", "| --- | --- | --- | --- |"]
    for reg, what, h, mwh in effects:
        lines.append(f"| {reg} | {what} | {h} | {mwh:+,.0f} |")
    lines.append("")
    # annual energies of the defect regions
    def ann(rid):
        ym = stats[rid]
        return " / ".join(f"{ym[y]['e'] / 1e6:.2f}" for y in sorted(ym))
    lines += ["## Annual energy (TWh, UTC years in the file) of the regions named in the defects", ""]
    for rid in ["CISO-PGAE", "CISO-SCE", "PJM-PL", "MISO-0001", "MISO-8910", "PSEI", "WACM", "LDWP", "PSCO"]:
        lines.append(f"- {rid}: {ann(rid)} (from {min(stats[rid])})")
    lines.append("")
    # level shifts
    lines += ["## Level shifts (as reported, not changed): mean MW, same months a year apart", "",
              "| BA | Sep 2021-Jul 2022 | Sep 2022-Jul 2023 | change | 2021 | 2023 | 2024 | mean 2023-24 / mean 2019-21 |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    shifts = {}
    for rid in ["WACM", "LDWP", "PSCO", "PSEI"]:
        d = series[rid]
        a = d.filter(pl.col("t").is_between(datetime(2021, 9, 1, tzinfo=timezone.utc), datetime(2022, 7, 31, 23, tzinfo=timezone.utc)))["v"].mean()
        b = d.filter(pl.col("t").is_between(datetime(2022, 9, 1, tzinfo=timezone.utc), datetime(2023, 7, 31, 23, tzinfo=timezone.utc)))["v"].mean()
        shifts[rid] = (a, b)
        ym = stats[rid]
        late = (ym[2023]["e"] + ym[2024]["e"]) / (ym[2023]["n"] + ym[2024]["n"])
        early = sum(ym[y]["e"] for y in (2019, 2020, 2021)) / sum(ym[y]["n"] for y in (2019, 2020, 2021))
        shifts[rid] = (a, b, late / early)
        lines.append(f"| {rid} | {a:,.0f} | {b:,.0f} | {100 * (b / a - 1):+.1f} % | {ym[2021]['m']:,.0f} | {ym[2023]['m']:,.0f} | {ym[2024]['m']:,.0f} | {late / early:.3f} |")
    lines.append("")
    pw = {}
    for lbl, (t0, t1) in {"a": (datetime(2021, 9, 1), datetime(2022, 7, 31, 23)), "b": (datetime(2022, 9, 1), datetime(2023, 7, 31, 23))}.items():
        t0, t1 = t0.replace(tzinfo=timezone.utc), t1.replace(tzinfo=timezone.utc)
        pw[lbl] = sum(series[r].filter(pl.col("t").is_between(t0, t1))["v"].mean() for r in ["PSCO", "WACM"])
    lines.append(f"PSCO + WACM: {pw['a']:,.0f} -> {pw['b']:,.0f} MW ({100 * (pw['b'] / pw['a'] - 1):+.1f} %).")
    lines.append("")
    # population and data-centre sums by parent
    lines += ["## Population and existing data-centre MW: zones summed by ISO vs the ISO's row (us-22.toml)", "",
              "| ISO | zones with population | sum of zone population | ISO population | zones with DC MW | sum of zone DC MW | ISO DC MW |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    by = {r["id"]: r for r in rows}
    for iso in ISO_ZONE_COUNTS:
        zs = [r for r in rows if r["parent"] == iso]
        zp = [r["population"] for r in zs if r["population"] not in ("", None)]
        zd = [float(r["existing_datacenter_mw"]) for r in zs if r["existing_datacenter_mw"] not in ("", None)]
        lines.append(f"| {iso} | {len(zp)}/{len(zs)} | {sum(zp):,.0f} | {by[iso]['population']:,} | {len(zd)}/{len(zs)} | {sum(zd):,.0f} | {by[iso]['existing_datacenter_mw']:,} |")
    newb = [r for r in rows if r["kind"] == "ba" and r["id"] not in shipped]
    lines.append("")
    lines.append(f"New BAs: population {sum(r['population'] for r in newb if r['population'] not in ('', None)):,.0f} "
                 f"({len([r for r in newb if r['population'] not in ('', None)])}/{len(newb)} rows), data-centre MW "
                 f"{sum(float(r['existing_datacenter_mw']) for r in newb if r['existing_datacenter_mw'] not in ('', None)):,.0f} "
                 f"({len([r for r in newb if r['existing_datacenter_mw'] not in ('', None)])}/{len(newb)} rows).")
    lines.append("")
    # flagged
    fl = pl.DataFrame({"region": [f[0] for f in flagged], "flag": [f[2] for f in flagged]})
    lines += ["## flagged_hours.csv: rows per flag", ""]
    for r in fl.group_by("flag").len().sort("len", descending=True).iter_rows():
        lines.append(f"- {r[0]}: {r[1]}")
    lines += ["", "## Log", "", "```"] + [l for l in report if not l.startswith("  PJM-PL")] + ["```", ""]
    open(os.path.join(here, "derive_report.md"), "w").write("\n".join(lines))

    # ------------------------------------------------------------------ checks.toml
    FLAGGED_ROWS[:] = [len(flagged)]
    write_checks(here, root, series, stats, zframes, zsum_checks, shifts, e_all, e_22, rows, shipped, excluded)


def write_checks(here, root, series, stats, zframes, zsum_checks, shifts, e_all, e_22, rows, shipped, excluded):
    def dt(s):
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    def mx(rid, a, b):
        return series[rid].filter(pl.col("t").is_between(dt(a), dt(b)))["v"].max()
    def val(rid, t):
        return series[rid].filter(pl.col("t") == dt(t))["v"][0]
    out = ["# Facts a test should assert about the catalogue (generated by derive_catalogue.py).",
           "# Times are UTC hour-beginning; MW are the files' demand_mw; TWh are sums of hourly MW / 1e6.",
           "# Each [[check]] has a kind; the numbers were measured on the generated files. Kinds:",
           "#   count / catalogue / flagged: row or region counts; span / schema / min / absent: file shape and values;",
           "#   energy_sum / energy: sum of hourly MW over a UTC year / 1e6 (TWh); max: max MW over [from, to];",
           "#   zone_sum_vs_ba / ba_over_zones: the ISO's shipped file vs the sum of its zone files (same hour);",
           "#   level_shift: mean MW over `after` / mean over `before`; growth: mean MW 2024 - mean MW 2019;",
           "#   catalogue_value / catalogue_sum: values in catalogue.csv.", ""]
    def add(**kw):
        out.append("[[check]]")
        for k, v in kw.items():
            if isinstance(v, bool):
                out.append(f"{k} = {'true' if v else 'false'}")
            elif isinstance(v, str):
                out.append(f'{k} = "{v}"')
            elif isinstance(v, list):
                out.append(f"{k} = [" + ", ".join(f'"{x}"' if isinstance(x, str) else repr(x) for x in v) + "]")
            else:
                out.append(f"{k} = {v!r}")
        out.append("")
    nba = len([r for r in rows if r["kind"] == "ba"])
    add(kind="count", what="catalogue BAs (kind = ba)", min=50, value=nba)
    add(kind="count", what="catalogue zones (kind = zone)", value=len(rows) - nba)
    for iso, (p5, med, p95, n, q19) in zsum_checks.items():
        add(kind="count", what=f"zones of {iso}", parent=iso, value=n)
    add(kind="energy_sum", what="energy 2023 of all catalogue BAs vs EIA-930 US48 2023", year=2023,
        regions="kind = ba", reference_twh=4078.4, value_twh=round(e_all, 1), max_rel_diff=0.01)
    add(kind="energy_sum", what="energy 2023 of the 22 shipped BAs", year=2023, regions="us-22", value_twh=round(e_22, 1),
        tolerance_twh=0.1)
    add(kind="span", what="new BA files", files="load/<id>.parquet, kind = ba, not in us-22", first="2016-01-01T00:00:00Z",
        last="2024-12-31T22:00:00Z", rows=78911, no_nulls=True, no_gaps=True)
    add(kind="span", what="zone files except ERCOT", files="load/zones/<id>.parquet, parent != ERCO", first="2019-01-01T00:00:00Z",
        last="2024-12-31T22:00:00Z", rows=52607, no_nulls=True, no_gaps=True)
    add(kind="span", what="ERCOT zone files", files="load/zones/ERCO-*.parquet", first="2020-01-01T00:00:00Z",
        last="2024-12-31T22:00:00Z", rows=43847, no_nulls=True, no_gaps=True)
    add(kind="min", what="every catalogue file has demand > 0 in every hour", files="all", gt=0.0)
    add(kind="schema", what="same Parquet schema as load/PJM.parquet", columns=["timestamp_utc", "demand_mw"],
        types=["timestamp[ms, tz=UTC]", "float64"], compression="zstd")
    add(kind="absent", what="excluded BAs have no load file", ids=sorted(excluded))
    # PJM-PL
    pl_max = mx("PJM-PL", "2019-01-20T00:00:00Z", "2019-01-23T23:00:00Z")
    add(kind="max", what="PJM-PL after the repair of the 2019-01-20..22 overstatement", region="PJM-PL",
        from_="2019-01-20T00:00:00Z", to="2019-01-23T23:00:00Z", max_mw=float(pl_max), note="was 11,564 MW (source, marked OKAY)")
    pjm = zframes["PJM"].filter(pl.col("t").is_between(dt("2019-01-20T20:00:00Z"), dt("2019-01-22T13:00:00Z")))
    q = pjm["B"] / pjm["s_fixed"]
    add(kind="ba_over_zones", what="PJM shipped file / sum of PJM's zone files in the repaired PJM-PL block (the source's zones gave 0.970-0.989)",
        parent="PJM", from_="2019-01-20T20:00:00Z", to="2019-01-22T13:00:00Z", min=round(float(q.min()), 4), max=round(float(q.max()), 4),
        band=[1.0, 1.02])
    # MISO peak
    t = "2024-08-26T21:00:00Z"
    zs = sum(val(z, t) for z in series if z.startswith("MISO-"))
    add(kind="zone_sum_vs_ba", what="MISO zones' sum at MISO's 2024 peak hour vs MISO's shipped (raw) total", parent="MISO",
        at=t, ba_mw=float(val("MISO", t)), zones_mw=float(zs), max_rel_diff=0.02, note="source zones summed to 112,564 MW (-7.4 %)")
    day = [f"2024-08-26T{h:02d}:00:00Z" for h in range(10, 24)]
    worst = max(abs(sum(val(z, h) for z in series if z.startswith("MISO-")) / val("MISO", h) - 1) for h in day)
    add(kind="zone_sum_vs_ba", what="MISO zones' sum vs MISO's shipped total, every hour 2024-08-26T10Z..23Z", parent="MISO",
        from_=day[0], to=day[-1], max_rel_diff=0.02, measured=round(worst, 5))
    # CISO-PGAE 2019
    ym = stats["CISO-PGAE"]
    mean2024 = sum(ym[y]["e"] for y in range(2020, 2025)) / 5 / 1e6
    add(kind="energy", what="CISO-PGAE 2019 energy after scaling its imputed hours to CISO's shipped record", region="CISO-PGAE", year=2019,
        value_twh=round(ym[2019]["e"] / 1e6, 3), max_twh=round(ym[2019]["e"] / 1e6 + 0.05, 3), mean_2020_2024_twh=round(mean2024, 3))
    # PSEI
    add(kind="min", what="PSEI has no zero hours in 2020", region="PSEI", year=2020, gt=0.0,
        measured=float(series["PSEI"].filter(pl.col("t").dt.year() == 2020)["v"].min()))
    add(kind="energy", what="PSEI 2020 energy (Jan-Sep from the 2020 release)", region="PSEI", year=2020,
        value_twh=round(stats["PSEI"][2020]["e"] / 1e6, 3), tolerance_twh=0.01)
    for rid, (a, b, lr) in shifts.items():
        if rid == "PSEI":
            continue
        add(kind="level_shift", what=f"{rid} reported level Sep 2022-Jul 2023 vs Sep 2021-Jul 2022 (kept as reported, documented)",
            region=rid, before=["2021-09-01T00:00:00Z", "2022-07-31T23:00:00Z"], after=["2022-09-01T00:00:00Z", "2023-07-31T23:00:00Z"],
            ratio=round(b / a, 4), ratio_2023_24_over_2019_21=round(lr, 4), tolerance=0.005)
    for iso, (p5, med, p95, n, q19) in zsum_checks.items():
        add(kind="ba_over_zones", what=f"{iso} shipped BA file / sum of its zones, hourly 2020-2024", parent=iso, years=[2020, 2024],
            median=round(med, 4), p5=round(p5, 4), p95=round(p95, 4), tolerance=0.001)
        if q19:
            add(kind="ba_over_zones", what=f"{iso} shipped BA file / sum of its zones, hourly 2019", parent=iso, years=[2019, 2019],
                median=round(q19[1], 4), p5=round(q19[0], 4), p95=round(q19[2], 4), tolerance=0.001)
    # CISO 2019 block: zones vs CISO's shipped file
    blk = [z for z in series if z.startswith("CISO-")]
    tot = pl.concat([series[z] for z in blk]).group_by("t").agg(pl.col("v").sum().alias("zs"))
    j = series["CISO"].join(tot, on="t").filter(pl.col("t").is_between(dt("2019-02-05T00:00:00Z"), dt("2019-03-31T23:00:00Z")))
    dev = ((j["zs"] - j["v"]).abs() / j["v"]).quantile(0.99)
    add(kind="zone_sum_vs_ba", what="CISO zones' sum vs CISO's shipped file during CISO-PGAE's 2019 imputed block (99th percentile of the hourly relative difference)",
        parent="CISO", from_="2019-02-05T00:00:00Z", to="2019-03-31T23:00:00Z", quantile=0.99, max_rel_diff=0.03, measured=round(float(dev), 4))
    for rid in ("JEA", "LGEE"):
        add(kind="min", what=f"{rid}: the first 6 hours of 2020 (0 MW in the 2025 release) are filled", region=rid,
            from_="2020-01-01T00:00:00Z", to="2020-01-01T05:00:00Z", gt=0.0,
            measured=float(series[rid].filter(pl.col("t").is_between(dt("2020-01-01T00:00:00Z"), dt("2020-01-01T05:00:00Z")))["v"].min()))
    by = {r["id"]: r for r in rows}
    g = {k: stats[k][2024]["m"] - stats[k][2019]["m"] for k in series if k.startswith("PJM-")}
    add(kind="growth", what="PJM-DOM mean load 2019 -> 2024 (the hub evidence)", region="PJM-DOM", mw=round(g["PJM-DOM"]),
        others_min_mw=round(min(v for k, v in g.items() if k != "PJM-DOM")), others_max_mw=round(max(v for k, v in g.items() if k != "PJM-DOM")), tolerance_mw=1)
    add(kind="catalogue_value", what="PJM-DOM existing data-centre MW (Virginia's EPRI share, all in the zone)", region="PJM-DOM",
        column="existing_datacenter_mw", value=float(by["PJM-DOM"]["existing_datacenter_mw"]))
    for iso in ("CISO", "ERCO", "MISO"):
        zs = sum(float(r["existing_datacenter_mw"]) for r in rows if r["parent"] == iso and r["existing_datacenter_mw"] not in ("", None))
        add(kind="catalogue_sum", what=f"{iso} zones' existing data-centre MW sum to the ISO's us-22 figure", parent=iso,
            column="existing_datacenter_mw", value=float(by[iso]["existing_datacenter_mw"]), tolerance=15.0, measured=zs)
    add(kind="catalogue", what="catalogue.csv rows", rows=len(rows), bas=nba, zones=len(rows) - nba)
    add(kind="flagged", what="load/zones/flagged_hours.csv", columns=["region", "timestamp_utc", "flag"], rows=FLAGGED_ROWS[0])
    add(kind="catalogue", what="every row has time_zone, population and existing_datacenter_mw with a source or 'estimate needed'",
        columns=["time_zone", "population_source", "existing_datacenter_source"])
    open(os.path.join(here, "checks.toml"), "w").write("\n".join(out).replace("from_ =", "from ="))


def dc_rule(rid, kind, parent, rule, e23, ym, series):
    """existing_datacenter_mw (2023 annual average) from the rule in region_facts.csv."""
    if rule.startswith("pct:"):
        parts = [(k, float(v)) for k, v in (x.split("=") for x in rule[4:].split(","))]
        frac = sum(w * EPRI_PCT[st] / 100 for st, w in parts)
        twh = frac * e23
        terms = " + ".join(f"{st} {EPRI_PCT[st]} %" + ("" if w == 1 else f" x {w:g}") for st, w in parts if w > 0)
        zero = [st for st, w in parts if w == 0]
        single = len(parts) == 1 and parts[0][1] == 1
        note = ""
        if "VA" in zero:
            note = "; its Virginia part is left out: Virginia's data centres are in PJM-DOM"
        if single and kind == "zone" and parts[0][0] in ("PA", "NJ", "OH", "MA"):
            conf = "estimated"
            note += f"; the state's share is spread evenly over its zones (intra-state hubs not resolved)"
        else:
            conf = "derived" if single else "estimated"
        src = (f"({terms}) x the region's 2023 EIA-930 energy {e23:.2f} TWh = {twh:.2f} TWh/yr; EPRI Powering Intelligence (2024), "
               f"2023 data-centre share of state electricity (docs/research/sources-datacentre-load-and-operator-forecasts.md §2 rule applied to this region"
               f"{'' if single else ', state weights assumed'}){note}")
        return int(round(twh * 1e6 / 8760, -1)), src, conf
    if rule.startswith("share:"):
        sh = float(rule.split(":")[1])
        twh = sh * e23
        dom = {k: series[k] for k in series if k.startswith("PJM-")}
        def growth(k):
            d = dom[k]
            return d.filter(pl.col("t").dt.year() == 2024)["v"].mean() - d.filter(pl.col("t").dt.year() == 2019)["v"].mean()
        g_dom = growth(rid)
        others = [growth(k) for k in dom if k != rid]
        src = (f"Dominion: data centres were {sh * 100:.0f} % of Virginia Power's 2023 electricity sales (Dominion annual report, via Bisnow May 2024; "
               f"docs/research/sources-datacentre-load-and-operator-forecasts.md [O4]) x the zone's 2023 EIA-930 energy {e23:.2f} TWh = {twh:.2f} TWh/yr. "
               f"Measured: the zone's mean load grew {g_dom:+,.0f} MW 2019->2024 while every other PJM zone moved between "
               f"{min(others):+,.0f} and {max(others):+,.0f} MW (regions/load/zones)")
        return int(round(twh * 1e6 / 8760, -1)), src, "derived"
    if rule.startswith("twh:"):
        _, v, note = rule.split(":", 2)
        twh = float(v)
        src = (f"{note} = {twh:.2f} TWh/yr: the state parts of the shipped {parent} figure (EPRI 2023 state shares; "
               f"docs/research/sources-datacentre-load-and-operator-forecasts.md §1) assigned to the zone that holds the state's load; within-state weights assumed")
        return int(round(twh * 1e6 / 8760, -1)), src, "estimated"
    if rule.startswith("hub:"):
        _, par, w, note = rule.split(":", 3)
        mw = SHIPPED_DC[par] * float(w)
        return int(round(mw, -1)), f"{note}; weight {float(w):.4f} x {SHIPPED_DC[par]:,} MW = {mw:,.0f} MW (a hub proxy: colocation inventory, not hyperscale self-builds)", "estimated"
    if rule.startswith("growth:"):
        _, y0, y1, note = rule.split(":", 3)
        g = ym[int(y1)]["m"] - ym[int(y0)]["m"]
        return int(round(g, -1)), (f"measured: the BA's mean load grew {g:+,.0f} MW from {y0} to {y1} (EIA-930, this file); {note}. "
                                   f"Taken as today's data-centre load: a lower bound if data centres were already there in {y0}"), "estimated"
    if rule.startswith("mw:"):
        _, v, note = rule.split(":", 2)
        if note.startswith("[derived] "):
            return int(v), note[len("[derived] "):], "derived"
        return int(v), note, "estimated"
    note = DC_NOTE.get(parent if kind == "zone" else "BA", "")
    return "", f"estimate needed ({note})" if note else "estimate needed", ""


def apply_population(rows, facts):
    by = {r["id"]: r for r in rows}
    def net(r):
        dc = r["existing_datacenter_mw"]
        return r["energy_2023_twh"] - (float(dc) * 8760 / 1e6 if dc not in ("", None) else 0.0)
    pools = {
        "PJM": (by["PJM"]["population"], "PJM's population in regions/us-22.toml (65 million)"),
        "MISO": (by["MISO"]["population"], "MISO's population in regions/us-22.toml (45 million)"),
        "SWPP": (by["SWPP"]["population"], "SPP's population in regions/us-22.toml (18 million)"),
        "CISO": (by["CISO"]["population"], "CAISO's population in regions/us-22.toml (32 million)"),
        "MA": (STATE_POP["MA"], "Massachusetts, Census V2024 (7,136,171)"),
        "NYUP": (STATE_POP["NY"] - int(facts["NYIS-ZONJ"]["population"]) - int(facts["NYIS-ZONK"]["population"]),
                 "New York State (Census V2024, 19,867,248) less zones J and K"),
    }
    members = {}
    for rid, f in facts.items():
        rule = f.get("pop_rule", "")
        if rule.startswith("pool:"):
            members.setdefault(rule[5:], []).append(rid)
    for name, ids in members.items():
        tot, desc = pools[name]
        s = sum(net(by[i]) for i in ids)
        for i in ids:
            r = by[i]
            r["population"] = int(round(tot * net(r) / s, -3))
            r["population_source"] = (f"estimate: {desc} split over {len(ids)} zones by 2023 energy net of existing data-centre energy "
                                      f"({net(r):.2f} of {s:.2f} TWh); energy is a weak proxy for people (industry, irrigation)")
            r["population_confidence"] = "low"
    for rid, f in facts.items():
        rule = f.get("pop_rule", "")
        r = by.get(rid)
        if r is None:
            continue
        if rule.startswith("state:"):
            st = rule[6:]
            r["population"] = STATE_POP[st]
            r["population_source"] = f"the zone is the state: {st} resident population 1 July 2024, Census Vintage 2024 (NST-EST2024)"
            r["population_confidence"] = "sourced"
        elif rule == "national":
            r["population"] = int(round(NAT_PEOPLE_PER_TWH * net(r), -3))
            r["population_source"] = (f"estimate: US population {US_POP:,} / EIA-930 US48 2023 demand {US48_2023_TWH_EIA930:,.1f} TWh "
                                      f"= {NAT_PEOPLE_PER_TWH:,.0f} people per TWh x the BA's 2023 energy net of data-centre energy "
                                      f"{net(r):.2f} TWh; a placeholder until utility customer counts (EIA-861) are read")
            r["population_confidence"] = "low"
        elif rule == "ercot_counties":
            import ercot_zone_population as ez  # same folder
            out, raw, scale, top = ez.zone_population()
            z = rid.split("-")[1]
            r["population"] = out[z]
            r["population_source"] = (
                f"estimate: Census Vintage 2019 county populations (1 July 2019) of the Texas counties in ERCOT's weather zone "
                f"(county lists from ERCOT's weather-zone map as tabulated in WiDSTexas2021/datathon-code; main counties: "
                f"{', '.join(top[z])}), {raw[z]:,.0f} people, a county across a zone border split evenly or given to the zone of "
                f"its main city, the parts outside ERCOT (Entergy, SWEPCO, SPS, El Paso Electric) left out; the 8 zones "
                f"({sum(raw.values()):,.0f}) scaled by {scale:.4f} to ERCOT's 27,000,000 (regions/us-22.toml); "
                f"regions/catalogue/ercot_zone_population.py")
            r["population_confidence"] = "medium" if out[z] > 2_000_000 else "low"
        elif rule == "fixed" and r["population"] not in ("", None):
            r["population"] = int(float(r["population"]))
        if r["population"] in ("", None):
            why = (" (an energy split is not used here: the Far West and West zones' load is mostly oil, gas and crypto mining; "
                   "ERCOT's weather zones are county sets, so Census county populations mapped to zones would do)") if r["parent"] == "ERCO" else ""
            r["population"], r["population_source"], r["population_confidence"] = "", "estimate needed" + why, ""
