//! A region's load file, Parquet or tidy CSV `timestamp_utc,demand_mw`, read into
//! [`RawRows`] and checked by the one series validator ([`complete_series`]) into an
//! [`HourlyLoad`]. Parquet from outside is untrusted: it is decoded in a child process
//! ([`crate::input::parquet_read`]), and a corrupt file is an error naming the file.
use std::path::Path;

use anyhow::{Result, bail};
use polars::prelude::*;
use rayon::prelude::*;

use crate::input::bounded::{LOAD_CSV_LIMIT, LOAD_PARQUET_LIMIT, read_text_limited};
use crate::input::parquet_read::{read_guarded_parquet, read_untrusted_parquets};
use crate::input::series::{
    DEMAND_COLUMN, RawRows, TIMESTAMP_COLUMN, accepted_epoch_hour, complete_series, parse_utc_hour,
};
use crate::input::text_rows::tidy_rows;
use crate::model::series::HourlyLoad;

/// The most rows a load file may hold: about 1,140 years of hours, far beyond any load
/// series, and small enough that no count in a file can ask for a huge allocation.
pub const MAX_LOAD_ROWS: u64 = 10_000_000;

/// Read a region's load file: `.parquet` or tidy `.csv`.
///
/// # Errors
/// A missing or unreadable file, missing columns, or any rule of [`complete_series`].
pub fn read_load_file(path: &Path) -> Result<HourlyLoad> {
    read_load_files(&[path])
        .pop()
        .unwrap_or_else(|| bail!("{}: not read", path.display()))
}

/// [`read_load_file`] of several files, in order and in parallel; the Parquet files are
/// decoded together (one reader process per worker thread, see
/// [`crate::input::parquet_read::read_untrusted_parquets`]).
pub fn read_load_files(paths: &[&Path]) -> Vec<Result<HourlyLoad>> {
    let parquet: Vec<&Path> = paths
        .iter()
        .copied()
        .filter(|p| extension(p) == "parquet")
        .collect();
    let mut frames = read_untrusted_parquets(
        &parquet,
        LOAD_PARQUET_LIMIT,
        MAX_LOAD_ROWS,
        &parquet_expected(),
    )
    .into_iter();
    let inputs: Vec<(&Path, Option<Result<DataFrame>>)> = paths
        .iter()
        .map(|p| {
            let frame = (extension(p) == "parquet")
                .then(|| frames.next().map(|c| c.map(|c| c.frame)))
                .flatten();
            (*p, frame)
        })
        .collect();
    inputs
        .into_par_iter()
        .map(|(path, frame)| {
            let file = path.display().to_string();
            let rows = match (extension(path).as_str(), frame) {
                ("parquet", Some(frame)) => rows_from_frame(&frame?, &file)?,
                ("csv", _) => tidy_rows(&read_text_limited(path, LOAD_CSV_LIMIT)?, &file)?,
                ("parquet", None) => bail!("{file}: not read"),
                (other, _) => bail!(
                    "{file}: unsupported load file type '.{other}'; expected .parquet or .csv (`{TIMESTAMP_COLUMN},{DEMAND_COLUMN}`)"
                ),
            };
            complete_series(&rows, &file)
        })
        .collect()
}

/// The end of the message of a load file that is not readable Parquet.
fn parquet_expected() -> String {
    format!("expected a .parquet file with `{TIMESTAMP_COLUMN}` and `{DEMAND_COLUMN}`")
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Read the two columns of a Parquet load file as rows; empty (null) demand stays `None`
/// (an error for a load file, a gap for `import --fill-gaps` to fill).
///
/// # Errors
/// Missing columns, wrong types, timestamps off the hour or out of range.
pub fn read_parquet_rows(path: &Path) -> Result<RawRows> {
    rows_from_frame(&read_parquet_frame(path)?, &path.display().to_string())
}

/// The two columns of a load file's frame as rows (see [`read_parquet_rows`]).
fn rows_from_frame(frame: &DataFrame, file_name: &str) -> Result<RawRows> {
    let column = |name: &str| {
        frame.column(name).map_err(|_| {
            anyhow::anyhow!(
                "{file_name}: missing column `{name}`; found {:?}, expected `{TIMESTAMP_COLUMN}` and `{DEMAND_COLUMN}`",
                frame.get_column_names()
            )
        })
    };
    let timestamps = column(TIMESTAMP_COLUMN)?;
    let demand = column(DEMAND_COLUMN)?;
    let hours = match timestamps.dtype() {
        DataType::Datetime(unit, _) => {
            let per_hour: i64 = match unit {
                TimeUnit::Milliseconds => 3_600_000,
                TimeUnit::Microseconds => 3_600_000_000,
                TimeUnit::Nanoseconds => 3_600_000_000_000,
            };
            let physical = timestamps.datetime()?.physical();
            let mut hours = Vec::with_capacity(physical.len());
            for (i, value) in physical.iter().enumerate() {
                let Some(value) = value else {
                    bail!("{file_name}, row {}: `{TIMESTAMP_COLUMN}` is empty", i + 1);
                };
                if value.rem_euclid(per_hour) != 0 {
                    bail!(
                        "{file_name}, row {}: `{TIMESTAMP_COLUMN}` is not on the hour",
                        i + 1
                    );
                }
                let hour = value.div_euclid(per_hour);
                if !accepted_epoch_hour(hour) {
                    bail!(
                        "{file_name}, row {}: `{TIMESTAMP_COLUMN}` is outside the years 1900–2199",
                        i + 1
                    );
                }
                hours.push(hour);
            }
            hours
        }
        DataType::String => {
            let strings = timestamps.str()?;
            let mut hours = Vec::with_capacity(strings.len());
            for (i, value) in strings.iter().enumerate() {
                let text = value.unwrap_or("");
                hours.push(parse_utc_hour(text).map_err(|e| {
                    anyhow::anyhow!("{file_name}, row {}: `{TIMESTAMP_COLUMN}` {e}", i + 1)
                })?);
            }
            hours
        }
        other => bail!(
            "{file_name}: column `{TIMESTAMP_COLUMN}` has type {other}, expected a UTC datetime or ISO 8601 text"
        ),
    };
    // Only number columns: polars would cast a boolean `true` to 1.0 MW, and text to
    // numbers or nulls.
    let wrong_type = || {
        anyhow::anyhow!(
            "{file_name}: column `{DEMAND_COLUMN}` has type {}, expected numbers in MW (an integer type Int8–Int64 or UInt8–UInt64, or Float32 or Float64)",
            demand.dtype()
        )
    };
    if !demand.dtype().is_primitive_numeric() {
        return Err(wrong_type());
    }
    let demand = demand.cast(&DataType::Float64).map_err(|_| wrong_type())?;
    let values: Vec<Option<f64>> = demand.f64()?.iter().collect();
    // A frame decoded from a corrupt file in process can hold columns of different
    // lengths (the black-box fuzz found five); the child's re-encoded tables cannot.
    if hours.len() != values.len() {
        bail!(
            "{file_name}: not a readable Parquet file (column `{TIMESTAMP_COLUMN}` has {} values and `{DEMAND_COLUMN}` {})",
            hours.len(),
            values.len()
        );
    }
    Ok(RawRows::from_parquet(hours, values))
}

/// Read a Parquet load file into a frame ([`read_guarded_parquet`] with the load file's
/// limit).
///
/// # Errors
/// When the file cannot be opened or is not readable Parquet.
pub fn read_parquet_frame(path: &Path) -> Result<DataFrame> {
    read_guarded_parquet(path, LOAD_PARQUET_LIMIT, MAX_LOAD_ROWS, &parquet_expected())
}
