#!/usr/bin/env python3
"""Derive the hour-of-week factors of profiles/inference-chat.toml (MODELLED shape).

The factors are the hourly power draw of an LLM chat-inference fleet as a fraction of
its rated facility power, by hour of the week in local time (Monday 00:00-01:00 first):

    draw_frac(t) = IDLE + (LOADED - IDLE) x utilisation(t)

with IDLE = 0.20 and LOADED = 0.80 of rated (docs/research/sources-firm-capacity-inference-power-crossover.md, section 2)
and utilisation(t) the request-rate shape (0..1, weekday peak 1) built below.
No published hourly MW profile of an inference fleet was found
(../shared/reference/numbers.md section 8, item 2), so the shape is modelled.

Request-rate shape, as documented in the header of the previous file
(git show 5480977:profiles/inference-chat.toml) and in docs/methodology.md:

  1. Weekday request rate x(clock time): BurstGPT ChatGPT-conversation hourly medians
     (Wang et al., KDD 2025; numbers.md section 5.1, read off the published figure, F):
     7.5 at 02:00 and at 07:00 (the "~7.5 at 02-07h" plateau), 160 at 10:30 ("10-11h"),
     65 at 12:00 ("12h"), 188 at 15:30 ("185-190 at 15-16h"), then linear from 15:30
     back down to 7.5 at 02:00 the next day. Linear between the points, evaluated at
     each hour's middle (hh:30).
  2. Compression, because a fleet serves many users and time zones at once:
     r = 0.4 + 0.6 x x / max(x), i.e. zero requests map to 0.4 of the peak (the 2-2.5x
     peak:trough of the Azure LLM conversation trace, DynamoLLM, HPCA 2025). The
     7.5-request night plateau therefore sits at 0.4 + 0.6 x 7.5/188 = 0.4239.
  3. Weekends (Saturday, Sunday): 0.5 x the weekday rate (BurstGPT 50-60 %, Azure
     conversation 40-55 %).

Check against the previous file. The previous file held f = 0.2 + 0.8 x r (normalised
to peak 1) rounded to 4 decimals; the research note backed r out as r = (f - 0.2)/0.8.
The construction above reproduces it: rebuilding f from r and rounding to 4 decimals
gives all 168 previous factors exactly, and r agrees with (f - 0.2)/0.8 to within
0.5e-4/0.8 = 6.25e-5 at every hour (the rounding of the previous file; a plain
4-decimal comparison of r differs in the last digit at 13 hours only because of that
rounding). The one value not stated in the old header is the peak: it says "185-190";
188 is the value the previous file was built with. Its midpoint 187.5 does not
reproduce the file (95 of 168 factors differ, by up to 0.0011), so 188 is used, and
the script fails if the check does not pass. The previous factors are embedded below
(OLD_WEEKDAY, OLD_WEEKEND; in that file Monday-Friday rows were identical, and so were
Saturday-Sunday).

Usage:
    python3 profiles/derive_inference_chat.py            # print the factor block and stats
    python3 profiles/derive_inference_chat.py --check profiles/inference-chat.toml
                                                         # also compare with the file
The printed `hour_of_week_factors = [ ... ]` block is the one in the TOML file,
character for character. Statistics are printed after it as `#` lines and are computed
from the 4-decimal values as written.

Standard library only.
"""

import sys

IDLE_FRAC = 0.20    # idle draw / rated: LBNL 2024 via Uptime Institute 2025 ("around 20 % of nameplate")
LOADED_FRAC = 0.80  # fully-loaded draw / rated: POLCA-implied 0.77, Meta 0.80, DGX typical <= 0.83
TROUGH_OF_PEAK = 0.4  # compression: zero requests -> 0.4 of the peak (Azure conversation 2-2.5x)
WEEKEND_OF_WEEKDAY = 0.5  # BurstGPT 50-60 %, Azure conversation 40-55 %

# BurstGPT weekday hourly medians (clock hour, requests), one day; the curve wraps to the
# next day's 02:00 point after 15:30.
BURSTGPT_POINTS = [(2.0, 7.5), (7.0, 7.5), (10.5, 160.0), (12.0, 65.0), (15.5, 188.0)]

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# The previous file's factors (commit 5480977), for the reproduction check.
OLD_WEEKDAY = [
    0.6050, 0.5611, 0.5391, 0.5391, 0.5391, 0.5391, 0.5391, 0.5948, 0.7060, 0.8173, 0.9285, 0.7668,
    0.7308, 0.8205, 0.9103, 1.0000, 0.9561, 0.9122, 0.8683, 0.8244, 0.7805, 0.7367, 0.6928, 0.6489,
]
OLD_WEEKEND = [
    0.4025, 0.3805, 0.3696, 0.3696, 0.3696, 0.3696, 0.3696, 0.3974, 0.4530, 0.5086, 0.5643, 0.4834,
    0.4654, 0.5103, 0.5551, 0.6000, 0.5781, 0.5561, 0.5342, 0.5122, 0.4903, 0.4683, 0.4464, 0.4244,
]


def requests_at(clock_h):
    """BurstGPT weekday request rate at a clock time (hours, 0 <= clock_h < 24)."""
    # Close the cycle: the last point (15:30) joins the first point of the next day.
    first_t, first_v = BURSTGPT_POINTS[0]
    pts = [(t - 24.0, v) for t, v in BURSTGPT_POINTS[-1:]] + BURSTGPT_POINTS + [(first_t + 24.0, first_v)]
    for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
        if t0 <= clock_h <= t1:
            return v0 + (v1 - v0) * (clock_h - t0) / (t1 - t0)
    raise ValueError(f"clock time {clock_h} outside the cycle")


def utilisation_week():
    """Request-rate shape, 168 values (0..1, weekday peak 1), Monday 00:00 local first."""
    raw = [requests_at(h + 0.5) for h in range(24)]
    peak = max(raw)
    weekday = [TROUGH_OF_PEAK + (1.0 - TROUGH_OF_PEAK) * x / peak for x in raw]
    weekend = [WEEKEND_OF_WEEKDAY * r for r in weekday]
    return weekday * 5 + weekend * 2


def check_previous_file(util):
    """The rebuilt request shape must reproduce the previous file's factors."""
    old = OLD_WEEKDAY * 5 + OLD_WEEKEND * 2
    rebuilt = [0.2 + 0.8 * r for r in util]
    top = max(rebuilt)
    rebuilt = [f / top for f in rebuilt]
    mismatched = [i for i, (a, b) in enumerate(zip(rebuilt, old)) if f"{a:.4f}" != f"{b:.4f}"]
    backed_out = [(f - 0.2) / 0.8 for f in old]
    max_dr = max(abs(a - b) for a, b in zip(util, backed_out))
    if mismatched or max_dr > 0.5e-4 / 0.8 + 1e-12:
        sys.exit(
            f"request shape does not reproduce the previous file: {len(mismatched)} factors differ, "
            f"max |r - (f - 0.2)/0.8| = {max_dr:.2e}"
        )
    return max_dr, sum(backed_out) / len(backed_out)


def factor_block(draw):
    lines = ["hour_of_week_factors = ["]
    for d, day in enumerate(DAYS):
        lines.append(f"  # {day} 00:00-23:00 local")
        lines.append("  " + " ".join(f"{v:.4f}," for v in draw[24 * d: 24 * d + 24]))
    lines.append("]")
    return "\n".join(lines)


def block_in_file(path):
    text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
    start = text.index("hour_of_week_factors = [")
    end = text.index("\n]", start) + 2
    return text[start:end]


def main(argv):
    util = utilisation_week()
    max_dr, old_mean_r = check_previous_file(util)
    draw_exact = [IDLE_FRAC + (LOADED_FRAC - IDLE_FRAC) * r for r in util]
    draw = [round(v, 4) for v in draw_exact]
    block = factor_block(draw)
    print(block)

    mean = sum(draw) / len(draw)
    peak = max(draw)
    weekday = draw[: 5 * 24]
    weekend = draw[5 * 24:]
    print(f"# check: request shape reproduces the previous file (168/168 factors to 4 decimals; "
          f"max |r - (f - 0.2)/0.8| = {max_dr:.1e}; mean r = {sum(util) / len(util):.4f}, "
          f"backed out {old_mean_r:.4f})")
    print(f"# idle {IDLE_FRAC:.2f} / loaded {LOADED_FRAC:.2f} of rated facility power")
    print(f"# mean draw fraction (-> scenario inference power_frac): {mean:.4f}")
    print(f"# peak draw fraction: {peak:.4f} (weekday {weekday.index(peak) % 24:02d}:00-{weekday.index(peak) % 24 + 1:02d}:00 local)")
    print(f"# peak / mean: {peak / mean:.4f}  (x power_frac {mean:.4f} = {peak / mean * mean:.4f} of rated <= 1)")
    print(f"# weekday min / peak: {min(weekday) / peak:.4f}  (weekday swing peak/min {peak / min(weekday):.4f}x)")
    print(f"# weekday peak / weekend min: {peak / min(weekend):.4f}x")
    print(f"# weekday mean / weekend mean: {sum(weekday) / len(weekday):.4f} / {sum(weekend) / len(weekend):.4f}")
    print(f"# idle_floor_frac = {IDLE_FRAC / LOADED_FRAC:.4f} (idle / loaded); lowest factor / peak = "
          f"{min(draw) / peak:.4f}, so the floor cuts nothing")

    if len(argv) == 2 and argv[0] == "--check":
        if block_in_file(argv[1]) != block:
            sys.exit(f"{argv[1]}: factor block differs from the derivation")
        print(f"# {argv[1]}: factor block identical")
    elif argv:
        sys.exit("usage: derive_inference_chat.py [--check PATH]")


if __name__ == "__main__":
    main(sys.argv[1:])
