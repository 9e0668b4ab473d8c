"""The notebook API: :func:`run`, :func:`sweep`, :func:`headroom` and their result objects.

Each call hands its inputs to the Rust library (``gridstrain._native``), which runs with
the GIL released; the tables come back through the Arrow C stream interface (the
PyCapsule ``__arrow_c_stream__`` protocol) as polars DataFrames, built once per table on
first use. polars is imported only then, so ``python -m gridstrain`` (the command, and the
Parquet reader child) starts quickly.
"""

from __future__ import annotations

import operator
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from gridstrain import _native
from gridstrain._native import GridstrainError

if TYPE_CHECKING:
    import polars as pl

#: A scenario: a shipped name (``"default"``), a path to a ``.toml`` file, or a dict.
ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
#: Years: ``(first, last)`` inclusive, one year (``2030``), or text (``"2024..2035"``);
#: numpy integers are taken as well.
YearsLike = Union[tuple[int, int], int, str]
#: A region set: a name (``"us-48"``), a path to a ``.toml`` file, catalogue region ids
#: (``"SOCO,TVA"``) or a list of them (``["SOCO", "TVA"]``).
RegionsLike = Union[str, "os.PathLike[str]", list[str], tuple[str, ...]]

#: The region set studied when none is named (as ``gridstrain run``).
DEFAULT_REGIONS = "us-48"
#: The most samples a sweep takes (as ``gridstrain sweep --samples``).
_MAX_SAMPLES = 10_000_000

#: Keys of a scenario that are paths, resolved beside the scenario file.
_PATH_KEYS = (("facility", "pue_profile"), ("training", "profile"), ("inference", "profile"))


def _frame(table: Any) -> pl.DataFrame:
    """A polars DataFrame of an Arrow C stream (no copy)."""
    import polars as pl

    return pl.DataFrame(table)


def _years(value: YearsLike | None, name: str) -> tuple[int, int] | None:
    """``(first, last)`` of a years argument, or ``None``."""
    if value is None:
        return None
    allowed = f"{name}: expected (first, last) such as (2024, 2035), one year such as 2030, or text such as '2024..2035'"
    if isinstance(value, bool):
        raise GridstrainError(f"{allowed}; found {value!r}")
    whole = _whole(value)
    if whole is not None:
        return _years((whole, whole), name)
    if isinstance(value, str):
        head, sep, tail = value.strip().partition("..")
        try:
            pair = (int(head), int(tail)) if sep else (int(head), int(head))
        except ValueError:
            raise GridstrainError(f"{allowed}; found {value!r}") from None
        return _years(pair, name)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        first, last = _whole(value[0]), _whole(value[1])
        if first is not None and last is not None:
            if first > last:
                raise GridstrainError(f"{name}: found ({first}, {last}), expected first ≤ last")
            if not (_YEAR_MIN <= first and last <= _YEAR_MAX):
                raise GridstrainError(
                    f"{name}: found ({first}, {last}), expected years from {_YEAR_MIN} to {_YEAR_MAX}"
                )
            return (first, last)
    raise GridstrainError(f"{allowed}; found {value!r}")


# Years a call may name at all (the study's own checks say which of them it holds).
_YEAR_MIN, _YEAR_MAX = 1900, 2200


def _whole(value: object) -> int | None:
    """A whole number as ``int`` — Python's or numpy's (``np.int64`` from a frame) — or
    ``None`` (``bool`` is not one)."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def _regions_text(regions: RegionsLike) -> str:
    """A region set argument as the command takes it: a name, a path, or catalogue ids
    (a list of ids is joined with commas)."""
    if isinstance(regions, (list, tuple)) and regions and all(isinstance(r, str) for r in regions):
        return ",".join(regions)
    if isinstance(regions, (str, os.PathLike)):
        return os.fspath(regions)
    raise GridstrainError(
        f"regions: found {regions!r}, expected a region set name, a path to a .toml file, catalogue region ids ('SOCO,TVA') or a list of them"
    )


def _absolute_paths(table: dict[str, Any], folder: Path) -> None:
    """Make the scenario's relative path values absolute, relative to ``folder``."""
    for section, key in _PATH_KEYS:
        inner = table.get(section)
        if isinstance(inner, dict) and isinstance(inner.get(key), (str, os.PathLike)):
            path = Path(inner[key])
            inner[key] = str(path if path.is_absolute() else (folder / path).resolve())


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged onto ``base`` key by key (tables recursively; ``None`` removes)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, Mapping):
            out[key] = _merge({}, value)
        else:
            out[key] = value
    return out


class _Scenario:
    """A scenario argument as a file the library reads (a dict is written to a temporary
    file for the call; messages then name it ``scenario dict``)."""

    def __init__(self, scenario: ScenarioLike) -> None:
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self.label: str | None = None
        if isinstance(scenario, Mapping):
            self.path = self._from_dict(scenario)
        elif isinstance(scenario, (str, os.PathLike)):
            self.path = _native.resolve("scenario", os.fspath(scenario))
        else:
            raise GridstrainError(
                f"scenario: found a {type(scenario).__name__}, expected a shipped name, a path to a .toml file or a dict"
            )

    def _from_dict(self, scenario: Mapping[str, Any]) -> str:
        over = {k: v for k, v in scenario.items() if k != "base"}
        base_name = scenario.get("base", "default")
        over_copy: dict[str, Any] = _merge({}, over)
        _absolute_paths(over_copy, Path.cwd())
        if base_name is None:
            merged = over_copy
            self.label = "scenario dict"
        else:
            base_path = Path(_native.resolve("scenario", os.fspath(base_name)))
            with open(base_path, "rb") as f:
                base = tomllib.load(f)
            _absolute_paths(base, base_path.parent)
            merged = _merge(base, over_copy)
            # A changed scenario is not the shipped one: its rows and folders say so.
            if "name" not in over:
                merged["name"] = f"{base.get('name', 'scenario')}-modified"
            self.label = f"scenario dict (on {base_name})"
        text = _native.toml_text(merged)
        self._temp = tempfile.TemporaryDirectory(prefix="gridstrain-scenario-")
        name = str(merged.get("name") or "scenario")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:60] or "scenario"
        path = Path(self._temp.name) / f"{safe}.toml"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def __enter__(self) -> _Scenario:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._temp is not None:
            self._temp.cleanup()

    def message(self, error: GridstrainError) -> GridstrainError:
        """``error`` with the temporary file's path replaced by what the user gave."""
        if self.label is None:
            return error
        return GridstrainError(str(error).replace(self.path, self.label))


# The command's words for its options, as this API's arguments (a message from the
# library names what to change; here that is an argument, not a flag).
_ARGUMENT_WORDS = (
    ("choose another with --out, or replace it with --force", "choose another out_dir, or replace it with force=True"),
    ("--weather-years", "weather_years"),
    ("--years", "years"),
    ("--limits", "limits_pct"),
)


def _as_arguments(error: GridstrainError) -> GridstrainError:
    """``error`` with the command's option names as this API's argument names."""
    text = str(error)
    for flag, argument in _ARGUMENT_WORDS:
        text = text.replace(flag, argument)
    return error if text == str(error) else GridstrainError(text)


def _native_call(function: Any, *args: Any) -> Any:
    """``function(*args)`` (a call into the library), its errors in this API's words."""
    try:
        return function(*args)
    except GridstrainError as e:
        raise _as_arguments(e) from None


def _describe(name: str, **kwargs: Any) -> str:
    """The call as text, for ``run.toml``'s command line."""
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if v is not None)
    return f"gridstrain.{name}({args})"


class _Tables:
    """Tables of a native result, converted once each."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self._frames: dict[str, pl.DataFrame] = {}

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._frames:
            self._frames[name] = _frame(self._native.table(name))
        return self._frames[name]


class RunResult(_Tables):
    """A study run in memory (:func:`run`): its tables as polars DataFrames, named as the
    files ``gridstrain run`` writes, and :meth:`write` / :meth:`report` for the folder."""

    def __init__(self, native: Any, command: str) -> None:
        super().__init__(native)
        self._command = command

    @property
    def metrics(self) -> pl.DataFrame:
        """Per region × target year × weather year (``metrics.parquet``)."""
        return self._table("metrics")

    @property
    def regionset_metrics(self) -> pl.DataFrame:
        """Per region set × target year × weather year (``regionset_metrics.parquet``)."""
        return self._table("regionset_metrics")

    @property
    def summary(self) -> pl.DataFrame:
        """Mean and spread over the weather years (``summary.csv``)."""
        return self._table("summary")

    @property
    def siting(self) -> pl.DataFrame:
        """Shares and MW per year and region (``siting.csv``)."""
        return self._table("siting")

    @property
    def power_by_year(self) -> pl.DataFrame:
        """Compute → power per year (``power_by_year.csv``)."""
        return self._table("power_by_year")

    @property
    def reality_check(self) -> pl.DataFrame:
        """The run beside the operators' published figures (``reality_check.csv``)."""
        return self._table("reality_check")

    @property
    def bands(self) -> pl.DataFrame:
        """The region set's 5–95th percentile bands from the report's small sweep."""
        return self._table("bands")

    @property
    def ranges(self) -> pl.DataFrame:
        """Key results with their ranges (``ranges.csv``)."""
        return self._table("ranges")

    @property
    def report_data(self) -> pl.DataFrame:
        """The report year's peak weeks and load-duration curves (``report_data.parquet``)."""
        return self._table("report_data")

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name."""
        return {name: self._table(name) for name in _native.Run.table_names()}

    @property
    def notes(self) -> list[str]:
        """What the user should know about the run (the notes the command prints)."""
        return list(self._native.notes())

    @property
    def study(self) -> dict[str, Any]:
        """The study run: scenario, regions, years, weather_years, region_ids."""
        return dict(self._native.study())

    def write(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the run folder ``out_dir`` exactly as ``gridstrain run --out`` does (every
        table as CSV/Parquet, ``run.toml``, ``report.html``); an existing folder only with
        ``force``. Returns the folder."""
        return Path(_native_call(self._native.write, os.fspath(out_dir), force, self._command))

    def report(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the run folder (:meth:`write`) and return its ``report.html``."""
        return self.write(out_dir, force) / "report.html"

    def __repr__(self) -> str:
        s = self.study
        return f"RunResult({s['scenario']} × {s['regions']}, years {s['years'][0]}–{s['years'][1]}, {len(s['weather_years'])} weather years)"


class SweepResult(_Tables):
    """A Monte Carlo sweep in memory (:func:`sweep`): ``bands`` and ``drivers``."""

    def __init__(self, native: Any, command: str) -> None:
        super().__init__(native)
        self._command = command

    def __repr__(self) -> str:
        return f"SweepResult({self._command})"

    @property
    def bands(self) -> pl.DataFrame:
        """Percentile bands per region (then the region set), year and metric (``bands.csv``)."""
        return self._table("bands")

    @property
    def drivers(self) -> pl.DataFrame:
        """Which inputs drive the region set's key outputs (``drivers.csv``)."""
        return self._table("drivers")

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name."""
        return {name: self._table(name) for name in ("bands", "drivers")}

    @property
    def notes(self) -> list[str]:
        """The sweep's notes."""
        return list(self._native.notes())

    def write(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the folder ``gridstrain sweep --out`` writes (bands, drivers, ranges,
        samples, ``run.toml``, the report) from this sweep. Returns the folder."""
        return Path(_native_call(self._native.write, os.fspath(out_dir), force, self._command))

    def report(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Write the sweep's folder (:meth:`write`) and return its ``report.html``."""
        return self.write(out_dir, force) / "report.html"


class HeadroomResult(_Tables):
    """Curtailment-enabled headroom (:func:`headroom`): one row per region and limit."""

    def __repr__(self) -> str:
        return f"HeadroomResult({self.headroom.height} rows: region × limit)"

    @property
    def headroom(self) -> pl.DataFrame:
        """The table ``headroom.parquet`` holds."""
        if "headroom" not in self._frames:
            self._frames["headroom"] = _frame(self._native.table())
        return self._frames["headroom"]

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name."""
        return {"headroom": self.headroom}

    def write(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Write ``headroom.csv`` and ``headroom.parquet`` into ``out_dir``, as
        ``gridstrain headroom --out`` does. Returns the folder."""
        return Path(_native_call(self._native.write, os.fspath(out_dir), force))

    def report(self, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
        """Headroom has no HTML report: writes the tables (:meth:`write`) and returns
        ``headroom.csv``."""
        return self.write(out_dir, force) / "headroom.csv"


def run(
    scenario: ScenarioLike = "default",
    regions: RegionsLike = DEFAULT_REGIONS,
    years: YearsLike | None = None,
    weather_years: YearsLike | None = None,
) -> RunResult:
    """Run a scenario over a region set, in memory (``gridstrain run``).

    Args:
        scenario: a shipped name (``"default"``, ``"high"``, ``"low"``, …), a path to a
            scenario ``.toml``, or a dict. A dict is merged key by key onto the shipped
            scenario named by its ``"base"`` key (``"default"`` when absent; ``None`` for
            a dict that is a whole scenario); a value ``None`` removes a key. A changed
            scenario is named ``<base>-modified`` (its rows and folders say so) unless the
            dict gives ``"name"``. Relative profile paths in the dict are relative to the
            current folder.
        regions: a region set name (``"us-48"``, ``"us-22"``, ``"pjm-zones"``, …),
            catalogue region ids (``"PJM-DOM"``, ``"SOCO,TVA"``, or a list of ids) or a
            path to a ``.toml``.
        years: target years ``(first, last)`` inclusive, one year, or text
            (``"2024..2035"``); default the scenario's.
        weather_years: the weather years of the ensemble; default every full year all
            the regions hold.

    Returns:
        A :class:`RunResult` (tables as polars DataFrames).

    Raises:
        GridstrainError: bad input (the command's message: file, line or key, what was
            found, what is allowed) or a failed run.
    """
    y, w = _years(years, "years"), _years(weather_years, "weather_years")
    regions = _regions_text(regions)
    command = _describe(
        "run",
        scenario=scenario if not isinstance(scenario, Mapping) else dict(scenario),
        regions=regions,
        years=y,
        weather_years=w,
    )
    with _Scenario(scenario) as s:
        try:
            native = _native_call(_native.run, s.path, regions, y, w)
        except GridstrainError as e:
            raise s.message(e) from None
    return RunResult(native, command)


def sweep(
    scenario: ScenarioLike = "default",
    regions: RegionsLike = DEFAULT_REGIONS,
    years: YearsLike | None = None,
    weather_years: YearsLike | None = None,
    samples: int = 1000,
    seed: int | None = None,
    all_weather_years: bool = False,
) -> SweepResult:
    """Monte Carlo over the scenario's ``[uncertainty."…"]`` tables and the weather years
    (``gridstrain sweep``): percentile bands of every metric.

    Args:
        scenario, regions, years, weather_years: as for :func:`run`.
        samples: number of samples (1 to 10,000,000).
        seed: seed of the draws (default: the scenario's ``seed``).
        all_weather_years: run every sample on every weather year instead of one drawn
            weather year per sample.

    Returns:
        A :class:`SweepResult` (``bands``, ``drivers``).

    Raises:
        GridstrainError: bad input or a failed sweep.
    """
    whole_samples = _whole(samples)
    if whole_samples is None or not 1 <= whole_samples <= _MAX_SAMPLES:
        raise GridstrainError(
            f"samples: found {samples!r}, expected a whole number from 1 to {_MAX_SAMPLES:,}"
        )
    samples = whole_samples
    if seed is not None:
        whole_seed = _whole(seed)
        if whole_seed is None or not 0 <= whole_seed < 2**63:
            raise GridstrainError(f"seed: found {seed!r}, expected a whole number from 0 to 2^63 − 1")
        seed = whole_seed
    y, w = _years(years, "years"), _years(weather_years, "weather_years")
    regions = _regions_text(regions)
    command = _describe(
        "sweep",
        scenario=scenario if not isinstance(scenario, Mapping) else dict(scenario),
        regions=regions,
        years=y,
        weather_years=w,
        samples=samples,
        seed=seed,
        all_weather_years=all_weather_years or None,
    )
    with _Scenario(scenario) as s:
        try:
            native = _native_call(
                _native.sweep, s.path, regions, y, w, samples, seed, all_weather_years
            )
        except GridstrainError as e:
            raise s.message(e) from None
    return SweepResult(native, command)


def headroom(
    regions: str | os.PathLike[str] = "us-22",
    load: str | os.PathLike[str] | None = None,
    limits_pct: tuple[float, ...] | list[float] = (0.25, 0.5, 1.0, 5.0),
    profile: str | os.PathLike[str] | None = None,
    time_zone: str = "UTC",
    weather_years: YearsLike | None = None,
) -> HeadroomResult:
    """Curtailment-enabled headroom (Norris et al. 2025) of each region of a set, or of one
    load file (``gridstrain headroom``).

    Args:
        regions: a region set name or path (ignored with ``load``).
        load: a single load file (Parquet or tidy CSV) instead of a region set.
        limits_pct: curtailment limits in percent of the new load's energy.
        profile: a profile ``.toml`` for a shaped new load (default: constant).
        time_zone: IANA time zone of the ``load`` file's region (for ``profile``).
        weather_years: years of history (default: every full year of each region).

    Returns:
        A :class:`HeadroomResult` (``headroom``).

    Raises:
        GridstrainError: bad input.
    """
    limits = [float(x) for x in limits_pct]
    w = _years(weather_years, "weather_years")
    native = _native_call(
        _native.headroom,
        os.fspath(regions),
        None if load is None else os.fspath(load),
        limits,
        None if profile is None else os.fspath(profile),
        time_zone,
        w,
    )
    return HeadroomResult(native)
