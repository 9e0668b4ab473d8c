#!/usr/bin/env bash
# Time whole gridstrain commands on the shipped data and report region-hours per second.
# Uses hyperfine (apt-get install hyperfine) when present, else a plain timing loop.
# Usage: bench/run_commands.sh [runs]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridstrain-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/gridstrain"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Regions × Σ hours of 2024..2035 × weather years: us-48 (the default) 52 BAs × 9 years
# (2016–2024), us-48-zones 118 regions × 5 (2020–2024), us-22 22 × 9; headroom reads
# 22 × 78,911 hours. Every run also sites the nation (118 regions) once.
year_hours=$(( 8784 * 3 + 8760 * 9 ))
run_hours=$(( 52 * 9 * year_hours ))
zones_hours=$(( 118 * 5 * year_hours ))
us22_hours=$(( 22 * 9 * year_hours ))
headroom_hours=$(( 22 * 78911 ))

time_command() { # name, hours, command...
  local name=$1 hours=$2; shift 2
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$runs" --export-json "$out/$name.json" "$*" >/dev/null
    mean=$(python3 -c "import json;print(json.load(open('$out/$name.json'))['results'][0]['mean'])")
    sd=$(python3 -c "import json;print(json.load(open('$out/$name.json'))['results'][0]['stddev'] or 0)")
  else
    local total=0
    for _ in $(seq "$runs"); do
      s=$(date +%s.%N); eval "$*" >/dev/null; e=$(date +%s.%N)
      total=$(python3 -c "print($total + $e - $s)")
    done
    mean=$(python3 -c "print($total / $runs)"); sd=-1
  fi
  python3 -c "print(f'{\"$name\":<28} {float($mean):8.3f} s ± {float($sd):.3f}   {$hours/float($mean)/1e6:8.1f} M region-hours/s')"
}

echo "gridstrain $("$bin" --version | cut -d' ' -f2) on $(nproc) cores, $runs runs each"
time_command "run (default us-48)" "$run_hours" "$bin run --quiet --force --out $out/run"
time_command "run --threads 1" "$run_hours" "$bin run --quiet --force --threads 1 --out $out/run1"
time_command "run us-48-zones" "$zones_hours" "$bin run --quiet --force --regions us-48-zones --out $out/zones"
time_command "run us-22" "$us22_hours" "$bin run --quiet --force --regions us-22 --out $out/us22"
for set in us-48 us-48-zones us-22; do
  rss=$( { /usr/bin/time -f %M "$bin" run --quiet --force --regions "$set" --out "$out/rss" >/dev/null; } 2>&1 | tail -1)
  python3 -c "print(f'{\"peak RSS $set\":<28} {$rss/1024:8.1f} MB')"
done
time_command "headroom (22 BAs, 4 limits)" "$headroom_hours" "$bin headroom --limits 0.25,0.5,1,5"
time_command "run --hourly" "$run_hours" "$bin run --quiet --force --hourly --out $out/hourly"
# The report alone (rendered from the run folder's files; the run above includes it).
"$bin" run --quiet --force --out "$out/report-run" >/dev/null
time_command "report (re-render)" 0 "$bin report --quiet $out/report-run"
