#!/usr/bin/env bash
# The Python package: build the wheel with maturin (from PyPI) in a fresh virtual
# environment, install it there with its dependencies (polars, pyarrow, pandas), and run
# python/tests with pytest from another folder — the API's tables against the command's
# files, errors as exceptions, and the wheel's `gridstrain` command (help, exit codes, a
# closed pipe). Needs Python ≥ 3.11 with venv (Debian's python3-venv is installed when
# missing). Under CI=true it fails when the environment cannot be made; otherwise it
# skips with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridstrain-target}"
repo=$(pwd)

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "python: $1" >&2
    exit 1
  fi
  echo "python: skipped: $1" >&2
  exit 0
}

# A Python ≥ 3.11 (tomllib; the wheel is abi3 for 3.11 and later).
python=""
for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 /usr/bin/python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
[ -n "$python" ] || skip_or_fail "no Python 3.11 or later found"

work=$(mktemp -d "${TMPDIR:-/tmp}/gridstrain-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
make_venv() { "$python" -m venv "$work/venv" >/dev/null 2>&1; }
if ! make_venv; then
  # Debian's Python needs python3-venv (ensurepip) for a virtual environment.
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
  echo "python: installing python3-venv"
  { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv ||
    { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; }; } \
    >/tmp/gridstrain-python-venv-apt.log 2>&1 || true
  rm -rf "$work/venv"
  make_venv || skip_or_fail "cannot create a virtual environment with $python (see /tmp/gridstrain-python-venv-apt.log)"
fi
venv="$work/venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install "maturin>=1.7,<2" "pytest>=7"

# The extension crate's lints (the root's clippy covers only the root crate).
PYO3_PYTHON="$venv/bin/python" cargo clippy --release --locked --quiet -p gridstrain-python -- -D warnings

start=$(date +%s)
# The release profile and the persistent target directory of the other steps. PyO3's
# macros ask for more features of shared build-time crates (syn's extra-traits and
# visit-mut, once_cell's default) than the command's build does, so on a fresh machine
# polars is compiled a second time for the extension module (about 10 minutes on 2
# cores); with the persistent target directory later runs take seconds.
"$venv/bin/maturin" build --release --locked --quiet -i "$venv/bin/python" -o "$work/wheels"
echo "python: wheel built in $(($(date +%s) - start)) s: $(basename "$work"/wheels/*.whl)"
"${pip[@]}" install "$work"/wheels/*.whl

# From another folder, so `import gridstrain` is the installed wheel (not python/), and
# the shipped inputs are the wheel's; GRIDSTRAIN_HOME unset for the same reason.
cd "$work"
env -u GRIDSTRAIN_HOME PATH="$venv/bin:$PATH" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/python/tests"
