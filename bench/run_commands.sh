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

# 22 regions × Σ hours of 2024..2035 × 9 weather years; headroom reads 22 × 78,911 hours.
run_hours=$(( 22 * 9 * (8784 * 3 + 8760 * 9) ))
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
    mean=$(python3 -c "print($total / $runs)"); sd=nan
  fi
  python3 -c "print(f'{\"$name\":<28} {float($mean):8.3f} s ± {float($sd):.3f}   {$hours/float($mean)/1e6:8.1f} M region-hours/s')"
}

echo "gridstrain $("$bin" --version | cut -d' ' -f2) on $(nproc) cores, $runs runs each"
time_command "run (default, no hourly)" "$run_hours" "$bin run --quiet --force --out $out/run"
time_command "run --threads 1" "$run_hours" "$bin run --quiet --force --threads 1 --out $out/run1"
time_command "headroom (22 BAs, 4 limits)" "$headroom_hours" "$bin headroom --limits 0.25,0.5,1,5"
time_command "run --hourly" "$run_hours" "$bin run --quiet --force --hourly --out $out/hourly"
# The report alone (rendered from the run folder's files; the run above includes it).
"$bin" run --quiet --force --out "$out/report-run" >/dev/null
time_command "report (re-render)" 0 "$bin report --quiet $out/report-run"
