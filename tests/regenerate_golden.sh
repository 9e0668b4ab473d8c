#!/usr/bin/env bash
# Rewrite tests/golden/small/ from the current program. Review and explain the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)/small
cargo run --release --quiet -- run --quiet \
  --scenario tests/fixtures/small/scenarios/small.toml \
  --regions tests/fixtures/small/regions/pnw.toml \
  --weather-years 2023..2024 --out "$out"
mkdir -p tests/golden/small
for f in metrics.csv ranges.csv regions.csv regionset_metrics.csv summary.csv siting.csv power_by_year.csv reality_check.csv; do
  cp "$out/$f" tests/golden/small/
done
git diff --stat -- tests/golden/small || true
