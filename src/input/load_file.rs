//! A region's load file, Parquet or tidy CSV `timestamp_utc,demand_mw`, read into
//! [`RawRows`] and checked by the one series validator ([`complete_series`]) into an
//! [`HourlyLoad`]. Parquet from outside is untrusted: its metadata are bounded by
//! [`crate::input::parquet_guard`] before polars reads it, and a polars panic on a
//! corrupt file becomes an error naming the file (only panics raised inside the read are
//! silenced; see [`install_quiet_panic_hook`]).
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use polars::prelude::*;

use crate::input::bounded::{
    FileLimit, LOAD_CSV_LIMIT, LOAD_PARQUET_LIMIT, read_bytes, read_text_limited,
};
use crate::input::parquet_guard::{ParquetLimits, check_parquet_bounds};
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
    let file = path.display().to_string();
    let rows = match extension(path).as_str() {
        "parquet" => read_parquet_rows(path)?,
        "csv" => tidy_rows(&read_text_limited(path, LOAD_CSV_LIMIT)?, &file)?,
        other => bail!(
            "{file}: unsupported load file type '.{other}'; expected .parquet or .csv (`{TIMESTAMP_COLUMN},{DEMAND_COLUMN}`)"
        ),
    };
    complete_series(&rows, &file)
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
    let file_name = path.display().to_string();
    let frame = read_parquet_frame(path)?;
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
    Ok(RawRows::from_parquet(hours, values))
}

/// Parquet reads under [`read_parquet_frame`]'s guard right now, on any thread.
static GUARDED_READS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is inside a guarded read.
    static GUARDED_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Whether a panic is one the guard turns into an error, so the hook stays silent: it
/// was raised on the reading thread during a guarded read, or during any guarded read
/// inside polars' own code (polars panics on its worker threads too, so the panic's
/// location decides, not its thread). Every other panic is reported.
#[must_use]
pub fn panic_is_inside_a_guarded_read(
    location_file: Option<&str>,
    guarded_here: bool,
    guarded_reads: usize,
) -> bool {
    let inside_polars = location_file.is_some_and(|f| {
        let f = f.replace('\\', "/");
        f.contains("/polars-") || f.contains("/polars/")
    });
    guarded_here || (guarded_reads > 0 && inside_polars)
}

/// Make panics inside guarded Parquet reads silent (they become ordinary errors); every
/// other panic is reported by the hook that was installed before. Installed once by the
/// binary (and by the fuzz target).
pub fn install_quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let silent = panic_is_inside_a_guarded_read(
            info.location().map(std::panic::Location::file),
            GUARDED_HERE.with(Cell::get),
            GUARDED_READS.load(Ordering::SeqCst),
        );
        if !silent {
            previous(info);
        }
    }));
}

/// Counts a guarded read while it lives (also when the read unwinds).
struct GuardedRead;

impl GuardedRead {
    fn start() -> Self {
        GUARDED_READS.fetch_add(1, Ordering::SeqCst);
        GUARDED_HERE.with(|g| g.set(true));
        Self
    }
}

impl Drop for GuardedRead {
    fn drop(&mut self) {
        GUARDED_HERE.with(|g| g.set(false));
        GUARDED_READS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Read a Parquet load file into a frame ([`read_guarded_parquet`] with the load file's
/// limit).
///
/// # Errors
/// When the file cannot be opened or is not readable Parquet.
pub fn read_parquet_frame(path: &Path) -> Result<DataFrame> {
    read_guarded_parquet(
        path,
        LOAD_PARQUET_LIMIT,
        MAX_LOAD_ROWS,
        &format!("expected a .parquet file with `{TIMESTAMP_COLUMN}` and `{DEMAND_COLUMN}`"),
    )
}

/// Read a Parquet file (a regular file of at most `limit`, see
/// [`crate::input::bounded`]) into a frame. Its metadata must hold no count that the
/// file's size or `max_rows` rows cannot ([`check_parquet_bounds`]) before polars
/// reads it, and a panic of polars' reader on a corrupt file is turned into an error
/// naming the file. `expected` ends the message of a file that is not readable Parquet.
///
/// # Errors
/// When the file cannot be opened, is too large or is not readable Parquet.
pub fn read_guarded_parquet(
    path: &Path,
    limit: FileLimit,
    max_rows: u64,
    expected: &str,
) -> Result<DataFrame> {
    let file_name = path.display().to_string();
    let bytes = read_bytes(path, limit)?;
    let limits = ParquetLimits { max_rows };
    if let Err(why) = check_parquet_bounds(&bytes, &limits) {
        bail!("{file_name}: not a readable Parquet file ({why}); {expected}");
    }
    let outcome = {
        let _guard = GuardedRead::start();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ParquetReader::new(std::io::Cursor::new(bytes)).finish()
        }))
    };
    match outcome {
        Ok(Ok(frame)) => Ok(frame),
        Ok(Err(e)) => bail!("{file_name}: not a readable Parquet file ({e})"),
        Err(_) => bail!("{file_name}: not a readable Parquet file (its metadata are corrupt)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_panics_inside_a_guarded_read_are_silenced() {
        let polars = Some("/root/.cargo/registry/src/index/polars-parquet-0.55.2/src/x.rs");
        let ours = Some("src/simulation/mod.rs");
        assert!(panic_is_inside_a_guarded_read(polars, false, 1));
        assert!(panic_is_inside_a_guarded_read(ours, true, 1));
        assert!(!panic_is_inside_a_guarded_read(ours, false, 1));
        assert!(!panic_is_inside_a_guarded_read(polars, false, 0));
        assert!(!panic_is_inside_a_guarded_read(None, false, 3));
    }

    #[test]
    fn another_threads_panic_during_a_guarded_read_is_reported() {
        use std::sync::atomic::AtomicBool;
        static REPORTED: AtomicBool = AtomicBool::new(false);
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            if info.payload().downcast_ref::<&str>() == Some(&"not a read") {
                REPORTED.store(true, Ordering::SeqCst);
            }
        }));
        install_quiet_panic_hook();
        let guard = GuardedRead::start();
        let joined = std::thread::spawn(|| panic!("not a read")).join();
        drop(guard);
        let _ = std::panic::take_hook();
        std::panic::set_hook(before);
        assert!(joined.is_err());
        assert!(
            REPORTED.load(Ordering::SeqCst),
            "the other panic was silenced"
        );
    }
}
