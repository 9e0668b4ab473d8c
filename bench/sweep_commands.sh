#!/usr/bin/env bash
# Time `gridstrain sweep` on the shipped default study (22 regions × 12 years) against the
# brute-force fused loop (bench/brute_force.rs) run in the same invocation, and report
# seconds, region-hours per second, peak RSS, the ratio to the brute force and the ratio
# to the issue's bound (a fused loop at 2.5e8 region-hours/s, measured on this machine
# class). Usage: bench/sweep_commands.sh [sample counts…]   (default: 100 1000 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridstrain-target}"
cargo build --release --quiet --bin gridstrain --example brute_force
bin="$CARGO_TARGET_DIR/release/gridstrain"
brute="$CARGO_TARGET_DIR/release/examples/brute_force"
counts=("${@:-100 1000 5000}")
counts=(${counts[@]})
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Σ hours of 2024..2035 × 22 regions; × 9 weather years with --all-weather-years.
per_sample=$(( 22 * (8784 * 3 + 8760 * 9) ))
bound_rate=2.5e8

measure() { # prints "seconds peak_rss_mib" of the command
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{seconds:.3f} {rss_mib:.0f}")
PY
}

echo "gridstrain $("$bin" --version | cut -d' ' -f2) on $(nproc) cores"
printf '%-34s %9s %14s %9s %12s %12s\n' command seconds "region-hours/s" "RSS MiB" "÷ brute" "÷ 2.5e8 bound"
for mode in one all; do
  flag=""; weather=1
  if [ "$mode" = all ]; then flag="--all-weather-years"; weather=9; fi
  # The brute force at 1,000 samples, in this invocation.
  read -r b_seconds b_rss < <(measure "$brute" --samples 1000 $flag)
  b_hours=$(( per_sample * weather * 1000 ))
  python3 -c "print(f'{\"brute force 1000 $mode\":<34} {$b_seconds:9.2f} {$b_hours/$b_seconds:14.3e} {$b_rss:9.0f} {1.0:12.2f} {$b_seconds/($b_hours/$bound_rate):12.2f}')"
  for n in "${counts[@]}"; do
    read -r seconds rss < <(measure "$bin" sweep --quiet --force --regions us-22 --weather-years 2016..2024 --samples "$n" $flag --out "$out/s")
    hours=$(( per_sample * weather * n ))
    python3 -c "
b_rate = $b_hours / $b_seconds
print(f'{\"sweep $n $mode\":<34} {$seconds:9.2f} {$hours/$seconds:14.3e} {$rss:9.0f} {$seconds/($hours/b_rate):12.2f} {$seconds/($hours/$bound_rate):12.2f}')"
  done
done
