#!/usr/bin/env python3
"""Black-box mutation fuzz of how the `gridstrain` binary reads Parquet from outside.

Not coverage-guided (that is `cargo fuzz run parquet_load`, see docs/fuzzing.md): it takes
the seeds (good load files, the corpus seeds, the reproducers), mutates them the ways that
broke polars before (flipped bits, bytes set to 0x00/0xff/0x7f/0x80, a varint made huge,
a slice cut out or repeated, truncation) and runs `gridstrain validate FILE` on each. A
run passes when every input ends with exit 0 or 1 and nothing on standard error says
"panicked", "memory allocation" or "overflow"; any other outcome is kept in OUT_DIR.

    python3 fuzz/blackbox_parquet.py target/release/gridstrain 300 /tmp/bbfuzz

prints the inputs tried, the exits seen and the failures (the command exits 1 if any).
"""
import collections
import glob
import os
import random
import subprocess
import sys
import tempfile
import time


def seeds(root):
    files = sorted(glob.glob(os.path.join(root, "regions/load/*.parquet")))[:8]
    files += sorted(glob.glob(os.path.join(root, "fuzz/corpus-seeds/parquet_load/*")))
    files += sorted(glob.glob(os.path.join(root, "fuzz/reproducers/parquet_load/*.parquet")))
    return [open(f, "rb").read() for f in files if os.path.isfile(f)]


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 8])):
        kind = rng.randrange(6)
        # Most of the metadata sits in the last few kilobytes (the footer); aim there
        # half of the time.
        if rng.random() < 0.5 and len(data) > 16:
            at = rng.randrange(max(0, len(data) - 4096), len(data) - 8)
        else:
            at = rng.randrange(len(data)) if data else 0
        if not data:
            return bytes(data)
        if kind == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[at] = rng.choice([0x00, 0xFF, 0x7F, 0x80, 0x19, 0x29])
        elif kind == 2:
            data[at:at + 1] = bytes([0xFF] * rng.randrange(2, 10) + [0x7F])
        elif kind == 3:
            del data[at:at + rng.randrange(1, 64)]
        elif kind == 4:
            chunk = data[at:at + rng.randrange(1, 64)]
            data[at:at] = chunk * rng.randrange(1, 4)
        else:
            data = data[:at] if rng.random() < 0.3 else data
    return bytes(data)


def main():
    exe, seconds, out_dir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(int(os.environ.get("SEED", "1")))
    pool = seeds(root)
    exits = collections.Counter()
    failures = 0
    child_stopped = 0  # inputs whose reader child aborted (in process, the run would have)
    tried = 0
    end = time.time() + seconds
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "input.parquet")
        while time.time() < end:
            data = mutate(rng.choice(pool), rng)
            with open(path, "wb") as f:
                f.write(data)
            run = subprocess.run([exe, "validate", path], capture_output=True, timeout=120)
            tried += 1
            exits[run.returncode] += 1
            said = run.stderr.decode("utf-8", "replace")
            if "reader process stopped on it" in said:
                child_stopped += 1
            if run.returncode not in (0, 1) or any(
                w in said for w in ("panicked", "memory allocation", "overflow")
            ):
                failures += 1
                with open(os.path.join(out_dir, f"fail_{tried}.parquet"), "wb") as f:
                    f.write(data)
    print(
        f"inputs tried: {tried} in {seconds:.0f} s; exits: {dict(sorted(exits.items()))}; "
        f"reader child stopped by a signal: {child_stopped}; failures: {failures}"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
