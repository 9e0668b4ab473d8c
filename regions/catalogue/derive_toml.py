#!/usr/bin/env python3
"""Write regions/catalogue.toml (the national catalogue gridstrain reads) and the named
region sets (regions/us-48.toml, us-48-zones.toml, <iso>-zones.toml) from catalogue.csv.

The 22 balancing authorities of us-22 keep their hand-written tables (capacity, emission
rates, prices with their sources): they are copied from the current catalogue.toml (or,
the first time, from us-22.toml). Every other row is written from catalogue.csv; the
other BAs' emission rates and prices (with their sources) come from ba_rates.csv, only
its non-empty cells; a zone takes its ISO's price and emission rates (zones have none of
their own in eGRID or EIA).
Run from the repository root: python3 regions/catalogue/derive_toml.py
"""
import csv
import re
import tomllib
from pathlib import Path

ROOT = Path("regions")
ISO_SETS = {"PJM": "pjm", "ERCO": "ercot", "NYIS": "nyiso", "CISO": "caiso", "MISO": "miso",
            "ISNE": "isone", "SWPP": "spp"}
LOWER48_OUTSIDE = 740_133 + 1_446_146  # Alaska + Hawaii, 1 July 2024 (Census NST-EST2024)
# ba_rates.csv columns, in the order the keys are written (as in the hand-kept tables),
# with how each is written: a number, a year or a quoted string.
RATE_KEYS = [("co2_lb_per_mwh", "number"), ("co2_basis", "text"), ("co2_year", "year"),
             ("co2_marginal_lb_per_mwh", "number"), ("co2_source", "text"),
             ("price_usd_per_mwh", "number"), ("price_source", "text")]


def blocks(path):
    """The [[region]] tables of a TOML file as text, by id."""
    text = path.read_text()
    parts = re.split(r"(?m)^(?=\[\[region\]\])", text)
    out = {}
    for part in parts[1:]:
        m = re.search(r'(?m)^id = "([^"]+)"', part)
        out[m.group(1)] = part.rstrip() + "\n"
    return out


def q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rate_lines(path, rows, hand):
    """The TOML lines of ba_rates.csv by BA id: only its non-empty cells, checked."""
    bas = {r["id"] for r in rows if r["kind"] == "ba" and not r["parent"]}
    out = {}
    for r in csv.DictReader(open(path)):
        rid = r["id"]
        if rid not in bas:
            raise SystemExit(f"{path}: {rid} is not a catalogue BA")
        if rid in hand:
            raise SystemExit(f"{path}: {rid} is a us-22 BA, whose figures are hand-kept in catalogue.toml")
        if rid in out:
            raise SystemExit(f"{path}: {rid} appears twice")
        lines = []
        for key, kind in RATE_KEYS:
            value = r[key].strip()
            if not value:
                continue
            if kind == "number":
                if not float(value) >= 0:
                    raise SystemExit(f"{path}: {rid} {key} = {value} is not a non-negative number")
                lines.append(f"{key} = {value}")
            elif kind == "year":
                lines.append(f"{key} = {int(value)}")
            else:
                lines.append(f"{key} = {q(value)}")
        keys = {line.split(" = ")[0] for line in lines}
        for rate, needs in (("co2_lb_per_mwh", ("co2_basis", "co2_year", "co2_source")),
                            ("price_usd_per_mwh", ("price_source",))):
            if rate in keys and not all(k in keys for k in needs):
                raise SystemExit(f"{path}: {rid} has {rate} without {', '.join(needs)}")
        out[rid] = lines
    return out


def pipeline_lines(path, rows):
    """`datacenter_pipeline_mw` and its source for the siting regions that build_pipeline.csv
    lists (issue 19); {} when the file does not exist yet."""
    if not path.exists():
        return {}
    ids = {r["id"] for r in rows}
    out = {}
    for r in csv.DictReader(open(path)):
        rid = r["id"].strip()
        if rid not in ids:
            raise SystemExit(f"{path}: {rid} is not a catalogue region")
        if rid in out:
            raise SystemExit(f"{path}: {rid} appears twice")
        mw = float(r["pipeline_mw"])
        if not mw >= 0:
            raise SystemExit(f"{path}: {rid} pipeline_mw = {mw} is not a non-negative number")
        source = f"{r['source'].strip()} [{r['basis'].strip()}; {r['confidence'].strip()}]"
        out[rid] = [f"datacenter_pipeline_mw = {mw:g}", f"datacenter_pipeline_source = {q(source)}"]
    return out


# Cost of new entry (overnight $/kW of a simple-cycle gas CT) by ISO; every other region
# takes the national figure. docs/methodology.md, "Firm capacity needed".
CONE = {
    "PJM": ("1417", "Brattle / Sargent & Lundy 2025 CONE study for PJM, Table ES-1: CT (H-class) 1,339-1,495 $/kW, nominal $ for June 2028 online; midpoint"),
}
CONE_NATIONAL = ("1158", "EIA AEO2026 Electricity Market Module assumptions, Table 3 (Apr 2026): industrial-frame CT (419 MW) total overnight cost, 2025 $")
# Lines the planning-reserve data replace in a hand-kept table.
PLANNING_PREFIXES = ("firm_capacity_mw", "reserve_margin_frac", "capacity_source",
                     "anticipated_reserve_margin_frac", "nerc_assessment_area",
                     "reserve_margin_source", "cone_usd_per_kw", "cone_source",
                     "# Firm capacity (ISO seasonal", "# reserve margin of the same basis",
                     "# the flexibility threshold stays the seasonal")


def planning_lines(rows):
    """Each region's NERC assessment area, its anticipated and reference reserve margins
    (NERC 2025 LTRA) and its cost of new entry; a zone takes its ISO's."""
    areas = {r["area"]: r for r in csv.DictReader(open(ROOT / "catalogue/nerc_ltra_2025.csv"))}
    of_ba = {}
    for r in csv.DictReader(open(ROOT / "catalogue/nerc_areas.csv")):
        if r["area"] not in areas:
            raise SystemExit(f"nerc_areas.csv: {r['id']}: unknown area {r['area']}")
        of_ba[r["id"]] = r
    out = {}
    for r in rows:
        ba = r["parent"] or r["id"]
        if ba not in of_ba:
            raise SystemExit(f"nerc_areas.csv: no area for {ba}")
        a = areas[of_ba[ba]["area"]]
        source = (f"NERC 2025 LTRA (Jan 2026), assessment area {a['area']} ({of_ba[ba]['basis']}): "
                  f"anticipated reserve margin {float(a['anticipated_reserve_margin_frac']) * 100:.1f} % and "
                  f"reference margin level {float(a['reference_margin_frac']) * 100:.2f} %, {a['season']}, p. {a['page']}"
                  + (f"; {a['note']}" if a["note"] else ""))
        cone = CONE.get(ba, CONE_NATIONAL)
        out[r["id"]] = [
            "# Planning reserve (docs/methodology.md, \"Firm capacity needed\"): resources =",
            "# baseline peak x (1 + anticipated margin), kept as the baseline grows.",
            f"nerc_assessment_area = {q(a['area'])}",
            f"anticipated_reserve_margin_frac = {a['anticipated_reserve_margin_frac']}",
            f"reserve_margin_frac = {a['reference_margin_frac']}",
            f"reserve_margin_source = {q(source)}",
            f"cone_usd_per_kw = {cone[0]}",
            f"cone_source = {q(cone[1])}",
        ]
    return out


def main():
    rows = list(csv.DictReader(open(ROOT / "catalogue/catalogue.csv")))
    cat_path = ROOT / "catalogue.toml"
    hand = blocks(cat_path) if cat_path.exists() else {}
    us22_path = ROOT / "us-22.toml"
    us22 = tomllib.loads(us22_path.read_text())
    us22_ids = us22.get("regions") or [r["id"] for r in us22["region"]]
    if not hand:
        hand = blocks(us22_path)
    hand = {k: v for k, v in hand.items() if k in us22_ids}
    parents = {r["id"]: tomllib.loads(hand[r["id"]])["region"][0] for r in rows
               if r["id"] in hand}
    rates = rate_lines(ROOT / "catalogue/ba_rates.csv", rows, hand)
    pipeline = pipeline_lines(ROOT / "catalogue/build_pipeline.csv", rows)
    planning = planning_lines(rows)
    out = [HEADER.format(outside=LOWER48_OUTSIDE)]
    for r in rows:
        rid = r["id"]
        if rid in hand:
            block = hand[rid]
            if "parent" not in block and r["parent"]:
                raise SystemExit(f"{rid}: a hand-written zone table needs parent")
            # The pipeline lines are written, not hand-kept: drop old ones, add the file's.
            kept = [line for line in block.rstrip("\n").split("\n")
                    if not line.startswith("datacenter_pipeline_")
                    and not line.startswith(PLANNING_PREFIXES)
                    and not line.startswith("# Planning reserve (docs")
                    and not line.startswith("# baseline peak x (1 + anticipated")]
            out.append("\n".join(kept + planning[rid] + pipeline.get(rid, [])) + "\n")
            continue
        lines = ["[[region]]", f"id = {q(rid)}", f"name = {q(r['name'])}"]
        if r["parent"]:
            lines.append(f"parent = {q(r['parent'])}")
        lines += [
            f"time_zone = {q(r['time_zone'])}",
            f"population = {int(float(r['population']))}",
            f"population_source = {q(r['population_source'] + ' [' + r['population_confidence'] + ']')}",
            "baseline_growth_per_year_frac = 0.01",
            f"load_file = {q(r['load_file'])}",
            f"existing_datacenter_mw = {float(r['existing_datacenter_mw']):g}",
        ]
        if r["existing_datacenter_confidence"] in ("published", "derived", "estimated"):
            lines.append(f"existing_datacenter_confidence = {q(r['existing_datacenter_confidence'])}")
        lines.append(f"existing_datacenter_source = {q(r['existing_datacenter_source'])}")
        lines += rates.get(rid, [])
        parent = parents.get(r["parent"]) if r["parent"] else None
        if parent:
            for key in ("co2_lb_per_mwh", "co2_marginal_lb_per_mwh"):
                if key in parent:
                    lines.append(f"{key} = {parent[key]}")
            for key in ("co2_basis", "co2_year"):
                if key in parent:
                    lines.append(f"{key} = {q(parent[key]) if isinstance(parent[key], str) else parent[key]}")
            if "co2_source" in parent:
                lines.append(f"co2_source = {q('the ISO ' + r['parent'] + ' rate (eGRID has no zone rates): ' + parent['co2_source'])}")
            if "price_usd_per_mwh" in parent:
                lines.append(f"price_usd_per_mwh = {parent['price_usd_per_mwh']}")
                lines.append(f"price_source = {q('the ISO ' + r['parent'] + ' figure: ' + parent.get('price_source', ''))}")
        lines += planning[rid] + pipeline.get(rid, [])
        out.append("\n".join(lines) + "\n")
    cat_path.write_text("\n".join(out))

    def write_set(name, title, description, ids):
        body = (f"# {title}. Generated by regions/catalogue/derive_toml.py from the catalogue;\n"
                f"# every region's figures are in catalogue.toml.\n"
                f"id = {q(name)}\nname = {q(title)}\ndescription = {q(description)}\n"
                f"scope = \"US\"\nregions = [\n")
        body += "".join(f"  {q(i)},\n" for i in ids) + "]\n"
        (ROOT / f"{name}.toml").write_text(body)

    bas = [r["id"] for r in rows if r["kind"] == "ba"]
    finest = [r["id"] for r in rows
              if r["kind"] == "zone" or (r["kind"] == "ba" and r["id"] not in ISO_SETS)]
    write_set("us-48", "Lower-48 balancing authorities",
              "Every lower-48 balancing authority of the catalogue (EIA-930, cleaned 2016-2024); an ISO is its own BA record.", bas)
    write_set("us-48-zones", "Lower-48 grid at the finest level",
              "The ISOs' zones (EIA-930 subregions) where they exist, balancing authorities elsewhere.", finest)
    for iso, short in ISO_SETS.items():
        zones = [r["id"] for r in rows if r["parent"] == iso]
        name = next(r["name"] for r in rows if r["id"] == iso)
        write_set(f"{short}-zones", f"{name}: its zones",
                  f"The {len(zones)} EIA-930 subregions of {iso}.", zones)


HEADER = """# The national catalogue: every lower-48 balancing authority whose cleaned EIA-930 data
# cover 2016-2024, and the 73 zones inside the ISOs (2019-2024; ERCOT's 2020-2024).
# Data: regions/load/SOURCES.md; figures: regions/catalogue/catalogue.csv, from which
# regions/catalogue/derive_toml.py writes the tables (the 22 us-22 BAs are hand-kept).
# The scenario's national AI load is sited once over this catalogue at its finest level
# (zones inside the ISOs, BAs elsewhere); a region set only chooses what to report.
id = "us-48-catalogue"
name = "Lower-48 catalogue of balancing authorities and ISO zones"
scope = "US"
scope_population = 340_110_988
scope_population_source = "US resident population 1 July 2024, Census Bureau Vintage 2024 (NST-EST2024)"
# People outside the lower 48 (Alaska 740,133 + Hawaii 1,446,146, 1 July 2024, NST-EST2024):
# the one part of the scope the catalogue cannot hold; their inference share is unallocated.
outside_population = {outside}
outside_population_source = "Alaska 740,133 + Hawaii 1,446,146: Census Bureau Vintage 2024 (NST-EST2024)"
operator_forecasts = "forecasts/operators.csv"

# New inference is sited half by people served and half by today's data-centre load
# (docs/methodology.md, 'Inference siting').
[inference_siting]
population_frac = 0.5
existing_datacenter_frac = 0.5
rationale = "Data centres cluster in hubs (Northern Virginia, Texas, Georgia, Arizona, Ohio, Oregon) and a hub a few states away is near enough for most inference latency; half by hubs, half by population (a modelling choice; docs/methodology.md, 'Inference siting')."
"""

if __name__ == "__main__":
    main()
