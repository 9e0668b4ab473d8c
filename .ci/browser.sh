#!/usr/bin/env bash
# The report in a real browser: run the shipped default study, open its report.html in
# headless Chromium (Debian's package, installed when missing — never a browser
# download) and check it through the DevTools protocol (.ci/browser_check.py, on Debian's
# python3-websocket, installed the same way): no console
# error, no network request, every chart labelled; screenshots of the first screen, the
# full page and a phone-width screen, and each report printed to A4 (at most 15 pages),
# go to outputs/report-check/screenshots/ — for the run's, a sweep's and a batch's report.
# Fails, never skips, when Chromium cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridstrain-target}"
bin="$CARGO_TARGET_DIR/release/gridstrain"
[ -x "$bin" ] || cargo build --release --locked --quiet --bin gridstrain
# Chromium and the DevTools client (Debian's python3-websocket, for Debian's python3).
python=/usr/bin/python3
need=()
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || need+=(chromium)
"$python" -c "import websocket" 2>/dev/null || need+=(python3-websocket)
if [ "${#need[@]}" -gt 0 ]; then
  echo "browser: installing ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" \
      >/tmp/gridstrain-chromium-apt.log 2>&1; then
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" \
      >/tmp/gridstrain-chromium-apt.log 2>&1 || {
      echo "browser: cannot install ${need[*]} (see /tmp/gridstrain-chromium-apt.log)" >&2
      exit 1
    }
  fi
fi
out=outputs/report-check
rm -rf "$out"
"$bin" run --quiet --out "$out/run"
"$python" .ci/browser_check.py "$out/run/report.html" "$out/screenshots" run 15
"$bin" sweep --quiet --samples 200 --out "$out/sweep"
"$python" .ci/browser_check.py "$out/sweep/report.html" "$out/screenshots" sweep 15
"$bin" batch --quiet --years 2030 --scenarios low default high --regions us-48 --out "$out/batch"
"$python" .ci/browser_check.py "$out/batch/report.html" "$out/screenshots" batch 15
