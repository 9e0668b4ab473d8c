//! Helpers shared by the integration tests: the binary, the repository root, CSV reading
//! and tolerant comparison.
#![allow(dead_code)]
use std::path::{Path, PathBuf};

/// The repository root (where the shipped inputs are): cargo sets `CARGO_MANIFEST_DIR`
/// when it runs the tests, which stays right even if a build is reused from another
/// checkout.
pub fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// The `gridstrain` binary, run from the repository root, isolated from the user's
/// `GRIDSTRAIN_HOME`.
pub fn gridstrain() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("gridstrain").expect("binary built");
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

/// Run the small fixture into `out` (extra arguments appended).
pub fn run_small(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let (scenario, regions) = small_fixture();
    gridstrain()
        .args(["run", "--scenario"])
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .args(["--weather-years", "2023..2024", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

/// `gridstrain run --quiet ARGS… --out OUT` from the repository root (shipped inputs
/// unless ARGS name others), which must succeed.
pub fn run_shipped(out: &Path, args: &[&str]) {
    gridstrain()
        .args(["run", "--quiet"])
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
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
