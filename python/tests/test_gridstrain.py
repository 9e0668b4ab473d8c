"""Tests of the Python package: the API's tables against the command's files for the
default study (one target year, to stay fast), errors as exceptions, and the installed
``gridstrain`` command (help, exit codes, a closed pipe, any working folder).

Run from an environment the package is installed in (``.ci/python.sh`` builds the wheel
into a fresh virtual environment): ``pytest python/tests``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import gridstrain

YEARS = (2030, 2030)


def command() -> str:
    """The `gridstrain` command of this environment (beside its Python)."""
    path = Path(sys.executable).parent / "gridstrain"
    assert path.exists(), f"{path} is not installed"
    return str(path)


def env_without_home() -> dict[str, str]:
    """The environment, without GRIDSTRAIN_HOME (the command must find its own data)."""
    env = dict(os.environ)
    env.pop("GRIDSTRAIN_HOME", None)
    return env


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default study for 2030, run by the command into a folder."""
    out = tmp_path_factory.mktemp("cli") / "run"
    done = subprocess.run(
        [command(), "run", "--years", "2030..2030", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=env_without_home(),
        cwd=tmp_path_factory.mktemp("elsewhere"),
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def api_run() -> gridstrain.RunResult:
    """The same study through the API."""
    return gridstrain.run(years=YEARS)


@pytest.mark.parametrize("table", ["metrics", "regionset_metrics"])
def test_tables_equal_the_commands_parquet(
    cli_run: Path, api_run: gridstrain.RunResult, table: str
) -> None:
    expected = pl.read_parquet(cli_run / f"{table}.parquet")
    got = getattr(api_run, table)
    assert got.shape == expected.shape
    assert got.height > 0
    assert_frame_equal(got, expected, check_exact=True)


def test_report_data_equals_the_commands_parquet(
    cli_run: Path, api_run: gridstrain.RunResult
) -> None:
    assert_frame_equal(
        api_run.report_data, pl.read_parquet(cli_run / "report_data.parquet"), check_exact=True
    )


@pytest.mark.parametrize(
    "table", ["summary", "siting", "power_by_year", "reality_check", "ranges"]
)
def test_csv_tables_match_the_commands_csv(
    cli_run: Path, api_run: gridstrain.RunResult, table: str
) -> None:
    """CSV rounds numbers for a spreadsheet (7 significant digits, 4 for fractions): same
    columns and rows, numbers to 1e-3 relative (the bytes are compared in
    ``test_write_gives_the_commands_folder``)."""
    expected = pl.read_csv(cli_run / f"{table}.csv", infer_schema_length=None)
    got = getattr(api_run, table)
    assert got.columns == expected.columns
    assert got.height == expected.height
    for name in got.columns:
        if got[name].dtype.is_float() and expected[name].dtype.is_numeric():
            a, b = got[name].to_list(), expected[name].cast(pl.Float64).to_list()
            for x, y in zip(a, b):
                assert (x is None) == (y is None), name
                if x is not None:
                    assert abs(x - y) <= 1e-3 * max(abs(x), abs(y)) + 1e-9, (name, x, y)


def test_metrics_hold_every_region_and_weather_year(api_run: gridstrain.RunResult) -> None:
    study = api_run.study
    assert study["years"] == YEARS
    rows = len(study["region_ids"]) * len(study["weather_years"])
    assert api_run.metrics.height == rows


def test_frames_convert_to_pandas(api_run: gridstrain.RunResult) -> None:
    frame = api_run.metrics.to_pandas()
    assert frame.shape == api_run.metrics.shape
    assert list(frame.columns) == api_run.metrics.columns


def test_write_gives_the_commands_folder(
    cli_run: Path, api_run: gridstrain.RunResult, tmp_path: Path
) -> None:
    out = api_run.write(tmp_path / "api")
    assert (out / "report.html").is_file()
    assert (out / "run.toml").is_file()
    for csv in sorted(cli_run.glob("*.csv")):
        assert (out / csv.name).read_bytes() == csv.read_bytes(), csv.name
    assert_frame_equal(
        pl.read_parquet(out / "metrics.parquet"), pl.read_parquet(cli_run / "metrics.parquet")
    )
    with pytest.raises(gridstrain.GridstrainError):
        api_run.write(tmp_path / "api")
    assert api_run.report(tmp_path / "api", force=True).name == "report.html"


def test_a_bad_scenario_dict_names_the_key() -> None:
    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(scenario={"facility": {"pue": 9}}, regions="PJM-DOM", years=YEARS)
    message = str(caught.value)
    assert "pue" in message, message
    assert "9" in message, message
    assert "gridstrain-scenario-" not in message, message


def test_a_bad_scenario_file_names_the_key(tmp_path: Path) -> None:
    text = (gridstrain.DATA_DIR / "scenarios" / "default.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("seed = 1", "seed = 1\nno_such_key = 3", 1))
    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(scenario=bad, regions="PJM-DOM", years=YEARS)
    assert "no_such_key" in str(caught.value)
    assert "bad.toml" in str(caught.value)


def test_an_unknown_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(gridstrain.GridstrainError, match="available: .*default"):
        gridstrain.run(scenario="no-such-scenario")


def test_bad_years_raise() -> None:
    with pytest.raises(gridstrain.GridstrainError, match="years"):
        gridstrain.run(years="soon")
    with pytest.raises(gridstrain.GridstrainError, match="outside the years"):
        gridstrain.run(years=(1990, 1991), regions="PJM-DOM")


def test_a_dict_scenario_runs_and_changes_the_result() -> None:
    base = gridstrain.run(regions="PJM-DOM", years=YEARS)
    warmer = gridstrain.run(
        scenario={"facility": {"pue": 1.5}, "base": "default"}, regions="PJM-DOM", years=YEARS
    )
    assert warmer.metrics.shape == base.metrics.shape
    assert not warmer.metrics.equals(base.metrics)


def test_the_gil_is_released_while_it_runs() -> None:
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    started = time.monotonic()
    gridstrain.run(regions="PJM-DOM", years=YEARS)
    elapsed = time.monotonic() - started
    stop.set()
    counter.join()
    # With the GIL held the counter could not tick at all during the call.
    assert ticks >= min(10, int(elapsed * 100)), (ticks, elapsed)


def test_sweep_gives_bands_and_writes_the_commands_folder(tmp_path: Path) -> None:
    result = gridstrain.sweep(regions="PJM-DOM", years=YEARS, samples=20, seed=7)
    assert result.bands.height > 0
    assert {"metric", "year"} <= set(result.bands.columns)
    again = gridstrain.sweep(regions="PJM-DOM", years=YEARS, samples=20, seed=7)
    assert_frame_equal(result.bands, again.bands)
    out = tmp_path / "sweep"
    done = subprocess.run(
        [command(), "sweep", "--regions", "PJM-DOM", "--years", "2030", "--samples", "20"]
        + ["--seed", "7", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert_frame_equal(result.bands, pl.read_parquet(out / "bands.parquet"))
    written = result.write(tmp_path / "api-sweep")
    assert (written / "bands.csv").read_bytes() == (out / "bands.csv").read_bytes()
    # A dict scenario's sweep is written from the same scenario.
    warm = gridstrain.sweep(
        scenario={"facility": {"pue": 1.2}}, regions="PJM-DOM", years=YEARS, samples=20
    )
    warm_out = warm.write(tmp_path / "warm")
    assert_frame_equal(warm.bands, pl.read_parquet(warm_out / "bands.parquet"))


def test_headroom_equals_the_command(tmp_path: Path) -> None:
    out = tmp_path / "headroom"
    done = subprocess.run(
        [command(), "headroom", "--regions", "us-22", "--limits", "1", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    result = gridstrain.headroom(regions="us-22", limits_pct=[1])
    assert_frame_equal(result.headroom, pl.read_parquet(out / "headroom.parquet"))


# ------------------------------------------------------------------- the installed command


def test_the_command_is_on_the_path_and_helps() -> None:
    done = subprocess.run([command(), "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "Usage: gridstrain" in done.stdout
    version = subprocess.run([command(), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("gridstrain ")


def test_bad_usage_exits_2_and_bad_input_exits_1(tmp_path: Path) -> None:
    usage = subprocess.run([command(), "run", "--years", "soon"], capture_output=True, text=True)
    assert usage.returncode == 2, usage.stderr
    assert "--years" in usage.stderr
    bad = subprocess.run(
        [command(), "run", "--scenario", "no-such-scenario", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: unknown scenario 'no-such-scenario'"), bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_closed_pipe_is_silent() -> None:
    # The reader is gone before the command writes: every write fails with EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run([command(), "regions"], stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == b""
    # As in a shell: `gridstrain regions | head -1`.
    shell = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{command()}' regions | head -1"],
        capture_output=True,
        text=True,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stderr == ""
    assert len(shell.stdout.splitlines()) == 1


def test_the_command_and_api_work_from_any_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [command(), "validate"], capture_output=True, text=True, cwd=tmp_path, env=env_without_home()
    )
    assert done.returncode == 0, done.stderr
    code = "import gridstrain; print(gridstrain.run(regions='PJM-DOM', years=2030).metrics.height)"
    api = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env_without_home()
    )
    assert api.returncode == 0, api.stderr
    assert int(api.stdout) > 0


# ------------------------------------------------------------------------ the package itself

REPO = Path(__file__).resolve().parents[2]


def test_the_package_carries_every_shipped_input() -> None:
    shipped = {
        p.relative_to(REPO).as_posix()
        for folder in ("regions", "scenarios", "profiles")
        for p in (REPO / folder).rglob("*")
        if p.is_file() and p.suffix in (".toml", ".parquet", ".csv", ".md")
    }
    packaged = {
        p.relative_to(gridstrain.DATA_DIR).as_posix()
        for p in gridstrain.DATA_DIR.rglob("*")
        if p.is_file()
    }
    missing = sorted(shipped - packaged)
    assert not missing, f"not in the package (run python/link_data.sh): {missing[:10]}"


def test_the_api_reference_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "python" / "gen_api_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_an_error_pickles_as_gridstrain_error() -> None:
    # multiprocessing and joblib send a worker's exception back pickled.
    import pickle

    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(scenario="no-such-scenario")
    assert type(caught.value).__module__ == "gridstrain"
    again = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(again, gridstrain.GridstrainError)
    assert str(again) == str(caught.value)


def test_regions_as_a_list_and_years_as_numpy_integers() -> None:
    import numpy as np

    as_text = gridstrain.run(regions="SOCO,TVA", years=YEARS)
    as_list = gridstrain.run(regions=["SOCO", "TVA"], years=(np.int64(2030), np.int32(2030)))
    assert_frame_equal(as_text.metrics, as_list.metrics)
    for bad in ([], [1, 2], 3.5):
        with pytest.raises(gridstrain.GridstrainError, match="regions"):
            gridstrain.run(regions=bad, years=YEARS)  # type: ignore[arg-type]
    for years in (10**20, (2030, 10**20)):
        with pytest.raises(gridstrain.GridstrainError, match="years"):
            gridstrain.run(years=years)  # type: ignore[arg-type]
    with pytest.raises(gridstrain.GridstrainError, match="seed"):
        gridstrain.sweep(regions="PJM-DOM", years=YEARS, samples=2, seed=2**64)


def test_a_changed_scenario_is_named_so() -> None:
    changed = gridstrain.run(scenario={"facility": {"pue": 1.3}}, regions="PJM-DOM", years=YEARS)
    assert set(changed.metrics["scenario"]) == {"default-modified"}
    named = gridstrain.run(
        scenario={"facility": {"pue": 1.3}, "name": "warm"}, regions="PJM-DOM", years=YEARS
    )
    assert set(named.metrics["scenario"]) == {"warm"}
    assert "default-modified" in repr(changed)


def test_messages_name_this_apis_arguments(tmp_path: Path) -> None:
    result = gridstrain.run(regions="PJM-DOM", years=YEARS)
    result.write(tmp_path / "once")
    with pytest.raises(gridstrain.GridstrainError) as caught:
        result.write(tmp_path / "once")
    assert "force=True" in str(caught.value) and "--force" not in str(caught.value)
    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(regions="PJM-DOM", years=(2100, 2100))
    assert str(caught.value).startswith("years:"), caught.value


def test_a_dict_key_that_is_not_text_is_named() -> None:
    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(scenario={1: 2}, regions="PJM-DOM", years=YEARS)  # type: ignore[dict-item]
    assert str(caught.value) == "scenario dict: found a key 1, expected text keys"
    with pytest.raises(gridstrain.GridstrainError) as caught:
        gridstrain.run(scenario={"facility": {1: 2}}, regions="PJM-DOM", years=YEARS)  # type: ignore[dict-item]
    assert str(caught.value) == "scenario dict: facility: found a key 1, expected text keys"
