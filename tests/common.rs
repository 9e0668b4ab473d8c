//! Helpers shared by the integration tests: the test builder (a [`Dir`] per test and a
//! [`TestCommand`] per run of the binary, in the style of ripgrep's `tests/util.rs`), the
//! repository root and fixtures, CSV reading and tolerant comparison.
//!
//! A test that needs a folder and the binary reads:
//!
//! ```ignore
//! let dir = Dir::new("my_test");
//! let out = dir.run_shipped("run", &["--years", "2030"]);
//! let stderr = dir.command().args(["report"]).arg(dir.join("nothing")).fails(1);
//! ```
#![allow(dead_code)]
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The repository root (where the shipped inputs are): cargo sets `CARGO_MANIFEST_DIR`
/// when it runs the tests, which stays right even if a build is reused from another
/// checkout.
pub fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// The `gridstrain` binary, run from the repository root, isolated from the user's
/// `GRIDSTRAIN_HOME`. (Tests with a folder use [`Dir::command`].)
pub fn gridstrain() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("gridstrain").expect("binary built");
    command.current_dir(root()).env_remove("GRIDSTRAIN_HOME");
    command
}

/// The `gridstrain` binary as a `std::process::Command` (run from the repository root,
/// without `GRIDSTRAIN_HOME`), for a test that must spawn and kill it or set its standard
/// output, which `assert_cmd`'s command cannot.
pub fn gridstrain_process() -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("gridstrain"));
    command.current_dir(root()).env_remove("GRIDSTRAIN_HOME");
    command
}

/// The small fixture's scenario and region set.
pub fn small_fixture() -> (PathBuf, PathBuf) {
    let dir = root().join("tests/fixtures/small");
    (
        dir.join("scenarios/small.toml"),
        dir.join("regions/pnw.toml"),
    )
}

/// The small fixture's scenario and region-set texts with the paths they name (profiles,
/// load files, operator forecasts) made absolute, so copies written anywhere (a test's
/// folder) still find them. Line numbers are kept.
pub fn small_fixture_texts() -> (String, String) {
    let small = root().join("tests/fixtures/small");
    let read = |rel: &str| {
        std::fs::read_to_string(small.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    let scenario = read("scenarios/small.toml").replace(
        "\"../profiles/",
        &format!("\"{}/", small.join("profiles").display()),
    );
    let regions = read("regions/pnw.toml")
        .replace(
            "\"load/",
            &format!("\"{}/", small.join("regions/load").display()),
        )
        .replace(
            "\"forecasts.csv\"",
            &format!("\"{}\"", small.join("regions/forecasts.csv").display()),
        );
    (scenario, regions)
}

/// A shipped scenario's text with its profile paths made absolute, so a copy written
/// anywhere (a temporary folder) still finds the shipped profiles.
pub fn shipped_scenario_text(name: &str) -> String {
    std::fs::read_to_string(root().join("scenarios").join(format!("{name}.toml")))
        .unwrap_or_else(|e| panic!("scenarios/{name}.toml: {e}"))
        .replace(
            "\"../profiles/",
            &format!("\"{}/profiles/", root().display()),
        )
}

/// A fresh temporary folder for one test, removed (with all in it) when dropped. Paths
/// given to its methods are relative to it; an absolute path is taken as it is (as
/// [`Path::join`] does), so a path the test already holds may be passed too.
pub struct Dir {
    temp: tempfile::TempDir,
}

impl Dir {
    /// A new, empty folder in the system's temporary folder, named after `test` (the
    /// test's name, as a prefix, to tell a leftover folder's test).
    pub fn new(test: &str) -> Dir {
        let temp = tempfile::Builder::new()
            .prefix(&format!("gridstrain-{test}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("a temporary folder for {test}: {e}"));
        Dir { temp }
    }

    /// The folder's absolute path.
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// `rel` inside the folder (nothing is created).
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// Write `text` to the file `rel`, making its parent folders; its path.
    pub fn create(&self, rel: impl AsRef<Path>, text: impl AsRef<str>) -> PathBuf {
        self.create_bytes(rel, text.as_ref().as_bytes())
    }

    /// Write `bytes` to the file `rel`, making its parent folders; its path.
    pub fn create_bytes(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// Make the folder `rel` (and its parents); its path.
    pub fn create_dir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// The text of the file `rel`.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The bytes of the file `rel`.
    pub fn read_bytes(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        let path = self.join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The names of the entries directly in the folder, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .unwrap_or_else(|e| panic!("{}: {e}", self.path().display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Copies of the small fixture's scenario and region set, edited by `edit_scenario`
    /// and `edit_regions` (their texts with absolute paths, [`small_fixture_texts`]),
    /// written to `scenario.toml` and `regions.toml`; their paths.
    pub fn small_fixture_copy(
        &self,
        edit_scenario: impl FnOnce(String) -> String,
        edit_regions: impl FnOnce(String) -> String,
    ) -> (PathBuf, PathBuf) {
        let (scenario, regions) = small_fixture_texts();
        (
            self.create("scenario.toml", edit_scenario(scenario)),
            self.create("regions.toml", edit_regions(regions)),
        )
    }

    /// The binary, run from the repository root, for this test (not yet run).
    pub fn command(&self) -> TestCommand {
        TestCommand {
            command: gridstrain(),
        }
    }

    /// `gridstrain run` of the small fixture over its weather years into `out`, `extra`
    /// arguments appended (not yet run).
    pub fn run_small(&self, out: impl AsRef<Path>, extra: &[&str]) -> TestCommand {
        let mut command = self.command();
        command
            .arg("run")
            .small_study()
            .out(self.join(out))
            .args(extra);
        command
    }

    /// `gridstrain sweep --quiet` of the small fixture over its weather years into `out`,
    /// `extra` arguments appended (not yet run).
    pub fn sweep_small(&self, out: impl AsRef<Path>, extra: &[&str]) -> TestCommand {
        let mut command = self.command();
        command
            .args(["sweep", "--quiet"])
            .small_study()
            .out(self.join(out))
            .args(extra);
        command
    }

    /// `gridstrain run --quiet ARGS… --out OUT` (shipped inputs unless `args` name
    /// others), which must succeed; the output folder's path.
    pub fn run_shipped(&self, out: impl AsRef<Path>, args: &[&str]) -> PathBuf {
        let out = self.join(out);
        self.command()
            .args(["run", "--quiet"])
            .args(args)
            .out(&out)
            .succeeds();
        out
    }
}

/// One run of the `gridstrain` binary (from the repository root, without
/// `GRIDSTRAIN_HOME`): arguments are added with chainable methods, and one finishing
/// method runs it and checks how it ended.
#[derive(Debug)]
pub struct TestCommand {
    command: assert_cmd::Command,
}

impl TestCommand {
    /// Add one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.command.arg(arg);
        self
    }

    /// Add arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Add `--out PATH`.
    pub fn out(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.arg("--out").arg(path.as_ref())
    }

    /// Add `--scenario SCENARIO --regions REGIONS --weather-years 2023..2024`: a study of
    /// these files over the weather years the small fixture's load holds.
    pub fn study(&mut self, scenario: impl AsRef<Path>, regions: impl AsRef<Path>) -> &mut Self {
        self.arg("--scenario")
            .arg(scenario.as_ref())
            .arg("--regions")
            .arg(regions.as_ref())
            .args(["--weather-years", "2023..2024"])
    }

    /// [`Self::study`] of the small fixture's own scenario and region set.
    pub fn small_study(&mut self) -> &mut Self {
        let (scenario, regions) = small_fixture();
        self.study(scenario, regions)
    }

    /// Set an environment variable.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.command.env(key, value);
        self
    }

    /// Run in `dir` instead of the repository root.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.command.current_dir(dir);
        self
    }

    /// Kill the run after `limit` (a hang fails the test instead of stalling it).
    pub fn timeout(&mut self, limit: Duration) -> &mut Self {
        self.command.timeout(limit);
        self
    }

    /// Run it; its output, however it ended.
    pub fn output(&mut self) -> Output {
        self.command.output().expect("the binary runs")
    }

    /// Run it; `assert_cmd`'s assertion on the output, to check with predicates.
    pub fn assert(&mut self) -> assert_cmd::assert::Assert {
        self.command.assert()
    }

    /// Run it, which must succeed (exit 0; stderr is shown if not); the assertion, for
    /// more checks (`.get_output()`).
    pub fn succeeds(&mut self) -> assert_cmd::assert::Assert {
        self.assert().success()
    }

    /// Run it, which must succeed; its standard output as text.
    pub fn stdout(&mut self) -> String {
        String::from_utf8_lossy(&self.succeeds().get_output().stdout).into_owned()
    }

    /// Run it, which must succeed; its standard error as text (what it reported).
    pub fn stderr(&mut self) -> String {
        String::from_utf8_lossy(&self.succeeds().get_output().stderr).into_owned()
    }

    /// Run it, which must exit with `code`; its standard error as text.
    pub fn fails(&mut self, code: i32) -> String {
        let output = self.output();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{:?}\nstderr:\n{stderr}",
            self.command
        );
        stderr
    }

    /// [`Self::fails`] with every one of `parts` in the message; its standard error.
    pub fn fails_with(&mut self, code: i32, parts: &[&str]) -> String {
        let stderr = self.fails(code);
        for part in parts {
            assert!(stderr.contains(part), "`{part}` not in:\n{stderr}");
        }
        stderr
    }

    /// Run it, which must fail (any exit code but 0, or a signal); its standard error.
    pub fn fails_any(&mut self) -> String {
        let output = self.output();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !output.status.success(),
            "{:?} succeeded\nstderr:\n{stderr}",
            self.command
        );
        stderr
    }
}

/// A CSV file as header + rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Column `name` of a CSV as numbers (empty cells are NaN).
pub fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let index = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter()
        .map(|r| r[index].parse::<f64>().unwrap_or(f64::NAN))
        .collect()
}

/// Compare two CSV files cell by cell: text cells exactly, numbers to a relative
/// tolerance of `rel` (absolute 1e-9 near zero). Returns the differences found.
pub fn compare_csv(expected: &Path, actual: &Path, rel: f64) -> Vec<String> {
    let (eh, er) = read_csv(expected);
    let (ah, ar) = read_csv(actual);
    let mut diffs = Vec::new();
    if eh != ah {
        diffs.push(format!(
            "{}: header differs:\n  expected {eh:?}\n  actual   {ah:?}",
            actual.display()
        ));
        return diffs;
    }
    if er.len() != ar.len() {
        diffs.push(format!(
            "{}: {} rows, expected {}",
            actual.display(),
            ar.len(),
            er.len()
        ));
        return diffs;
    }
    for (i, (e, a)) in er.iter().zip(&ar).enumerate() {
        for (j, (ev, av)) in e.iter().zip(a).enumerate() {
            let same = match (ev.parse::<f64>(), av.parse::<f64>()) {
                (Ok(x), Ok(y)) => {
                    (x - y).abs() <= rel * x.abs().max(y.abs()) + 1e-9 || (x.is_nan() && y.is_nan())
                }
                _ => ev == av,
            };
            if !same && diffs.len() < 20 {
                diffs.push(format!(
                    "{} line {} column {}: expected {ev}, got {av}",
                    actual.display(),
                    i + 2,
                    eh[j]
                ));
            }
        }
    }
    diffs
}

/// A run table at full precision: the Parquet beside `csv_path` when the run wrote one
/// (CSV cells are rounded for spreadsheets), else the CSV. Cells as text: numbers in
/// Rust's shortest round-trip form, nulls empty.
pub fn read_table(csv_path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use polars::prelude::*;
    let parquet = csv_path.with_extension("parquet");
    if !parquet.exists() {
        return read_csv(csv_path);
    }
    let frame = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap_or_else(|e| panic!("{}: {e}", parquet.display()));
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows = vec![Vec::with_capacity(header.len()); frame.height()];
    for column in frame.columns() {
        let series = column.as_materialized_series();
        for (row, cell) in rows.iter_mut().enumerate() {
            let value = series.get(row).unwrap();
            row_push(cell, &value);
        }
    }
    (header, rows)
}

fn row_push(cells: &mut Vec<String>, value: &polars::prelude::AnyValue<'_>) {
    use polars::prelude::AnyValue;
    cells.push(match value {
        AnyValue::Null => String::new(),
        AnyValue::Float64(x) => x.to_string(),
        AnyValue::Int32(x) => x.to_string(),
        AnyValue::Int64(x) => x.to_string(),
        AnyValue::String(s) => (*s).to_owned(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string(),
    });
}
