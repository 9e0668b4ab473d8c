#!/usr/bin/env bash
# Link every shipped input (regions/, scenarios/, profiles/ as tracked by git; their data
# files and provenance notes, not the Python scripts that derived them) into
# python/gridstrain/data/ as a relative symbolic link to the file, so the wheel carries
# them as package data (maturin follows links to files, not to folders). Run after adding
# or removing a shipped file; python/tests checks the links are complete.
set -euo pipefail
cd "$(dirname "$0")/.."
data=python/gridstrain/data
find "$data" -type l -delete 2>/dev/null || true
shipped() { git ls-files regions scenarios profiles | grep -E '\.(toml|parquet|csv|md)$'; }
shipped | while read -r file; do
  mkdir -p "$data/$(dirname "$file")"
  ln -s "$(realpath --relative-to="$data/$(dirname "$file")" "$file")" "$data/$file"
done
find "$data" -type d -empty -delete
echo "linked $(shipped | wc -l) files into $data"
