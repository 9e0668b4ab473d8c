"""gridstrain from Python: AI data-centre load → hourly grid strain on real US grid regions.

Three calls run the Rust library in this process, the GIL released while it computes,
and return result objects whose tables are polars DataFrames (``.to_pandas()`` for
pandas)::

    import gridstrain
    r = gridstrain.run(years=(2030, 2030))
    r.metrics                       # one row per region × year × weather year
    r.write("outputs/my-run")       # the run folder `gridstrain run --out` writes

* :func:`run` — a scenario over a region set (``gridstrain run``);
* :func:`sweep` — Monte Carlo percentile bands (``gridstrain sweep``);
* :func:`headroom` — curtailment-enabled headroom (``gridstrain headroom``).

Scenarios are given as a shipped name (``"default"``, ``"high"``, …), a path to a
``.toml`` file, or a ``dict`` merged onto a shipped scenario (see :func:`run`). Bad input
raises :class:`GridstrainError` with the message the command prints (file, line or key,
what was found, what is allowed).

The shipped regions, scenarios, profiles and load files are inside the package
(``gridstrain.DATA_DIR``), so names resolve from any folder; a ``GRIDSTRAIN_HOME`` set
before import takes precedence. Tables cross from Rust through the Arrow C stream
interface (no copy through files).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gridstrain import _native
from gridstrain._api import (
    HeadroomResult,
    RunResult,
    SweepResult,
    headroom,
    run,
    sweep,
)
from gridstrain._native import GridstrainError

__all__ = [
    "DATA_DIR",
    "GridstrainError",
    "HeadroomResult",
    "RunResult",
    "SweepResult",
    "__version__",
    "headroom",
    "run",
    "sweep",
]

__version__: str = _native.VERSION

#: The shipped inputs inside the package: ``regions/``, ``scenarios/``, ``profiles/``.
DATA_DIR: Path = Path(__file__).resolve().parent / "data"

if (DATA_DIR / "regions").is_dir():
    # Shipped names (`default`, `us-48`, `PJM-DOM`) resolve to the package's copy.
    os.environ.setdefault("GRIDSTRAIN_HOME", str(DATA_DIR))

if sys.executable:
    # Untrusted Parquet (load files) is decoded in a child process, as the command does:
    # here the running executable is Python, so the child is `python -m gridstrain`
    # (`-P`: not from a `gridstrain` folder in the current directory).
    _native.set_reader(
        sys.executable,
        ["-P", "-m", "gridstrain"],
    )
