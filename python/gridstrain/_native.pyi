"""Type stubs of ``gridstrain._native``, the Rust extension module (PyO3) behind the API.

Not for direct use: :mod:`gridstrain` wraps it (``gridstrain.run``, ``sweep``,
``headroom``).
"""

from collections.abc import Sequence
from typing import Any

VERSION: str

class GridstrainError(ValueError):
    """Bad input or a failed run: the message the command prints after ``error: ``."""

class ArrowTable:
    """A table handed over through the Arrow C stream interface (no copy)."""

    @property
    def shape(self) -> tuple[int, int]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class Run:
    """A study run in memory."""

    @staticmethod
    def table_names() -> list[str]: ...
    def table(self, name: str) -> ArrowTable: ...
    def notes(self) -> list[str]: ...
    def study(self) -> dict[str, Any]: ...
    def write(self, out: str, force: bool, command: str) -> str: ...

class Sweep:
    """A sweep in memory."""

    def table(self, name: str) -> ArrowTable: ...
    def notes(self) -> list[str]: ...
    def write(self, out: str, force: bool, command: str) -> str: ...

class Headroom:
    """A headroom analysis."""

    def table(self) -> ArrowTable: ...
    def write(self, out: str, force: bool) -> str: ...

def set_reader(program: str, leading_args: Sequence[str]) -> None:
    """Name the command untrusted Parquet is decoded in (set once per process)."""

def main(argv: Sequence[str]) -> int:
    """The ``gridstrain`` command with ``argv``; its exit code (0, 1 or 2)."""

def resolve(kind: str, value: str) -> str:
    """A shipped name or path (``kind``: ``"scenario"`` or ``"regions"``) as a path."""

def toml_text(value: dict[str, Any]) -> str:
    """A scenario dict as TOML text."""

def run(
    scenario: str,
    regions: str,
    years: tuple[int, int] | None = None,
    weather_years: tuple[int, int] | None = None,
) -> Run:
    """Run a study in memory (the GIL released)."""

def sweep(
    scenario: str,
    regions: str,
    years: tuple[int, int] | None = None,
    weather_years: tuple[int, int] | None = None,
    samples: int = 1000,
    seed: int | None = None,
    all_weather_years: bool = False,
) -> Sweep:
    """A Monte Carlo sweep in memory (the GIL released)."""

def headroom(
    regions: str,
    load: str | None = None,
    limits_pct: Sequence[float] = ...,
    profile: str | None = None,
    time_zone: str = "UTC",
    weather_years: tuple[int, int] | None = None,
) -> Headroom:
    """Curtailment-enabled headroom (the GIL released)."""
