//! Hourly load series: reading a region's load file (Parquet, or tidy CSV
//! `timestamp_utc,demand_mw`) and checking it is a clean hourly series — sorted, no
//! duplicate or missing hours, no NaN, no negative values. A checked series is an
//! [`HourlyLoad`]: the epoch hour of its first value and one `f64` per hour.
use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use crate::time::{
    datetime_to_epoch_hour, epoch_hour_to_datetime, hours_in_year, year_start_epoch_hour,
};

/// Column of the UTC hour-beginning timestamp.
pub const TIMESTAMP_COLUMN: &str = "timestamp_utc";
/// Column of the demand (MW, hourly average).
pub const DEMAND_COLUMN: &str = "demand_mw";

/// First epoch hour accepted from a file (1900-01-01T00Z).
pub const EARLIEST_EPOCH_HOUR: i64 = -613_608;
/// First epoch hour no longer accepted (2200-01-01T00Z).
pub const LATEST_EPOCH_HOUR: i64 = 2_016_144;

/// A contiguous hourly series, UTC, hour-beginning.
#[derive(Debug, Clone, PartialEq)]
pub struct HourlyLoad {
    /// Epoch hour of the first value.
    pub first_epoch_hour: i64,
    /// Demand in each hour (MW, which is also MWh for the hour).
    pub demand_mw: Vec<f64>,
}

impl HourlyLoad {
    /// Epoch hour after the last value.
    #[must_use]
    pub fn end_epoch_hour(&self) -> i64 {
        self.first_epoch_hour + self.demand_mw.len() as i64
    }

    /// The hours of UTC calendar year `year` that the series holds (may be shorter than
    /// the year at the series' ends), or `None` if it holds none.
    #[must_use]
    pub fn year_slice(&self, year: i32) -> Option<&[f64]> {
        let start = year_start_epoch_hour(year).max(self.first_epoch_hour);
        let end = year_start_epoch_hour(year + 1).min(self.end_epoch_hour());
        (end > start).then(|| {
            let from = usize::try_from(start - self.first_epoch_hour).expect("start ≥ first");
            let to = usize::try_from(end - self.first_epoch_hour).expect("end ≥ first");
            &self.demand_mw[from..to]
        })
    }

    /// Years in which the series holds at least all but one day of hours (a weather year
    /// needs the whole year; the shipped data lack only the last hour of 2024).
    #[must_use]
    pub fn weather_years(&self) -> Vec<i32> {
        let first = epoch_hour_to_datetime(self.first_epoch_hour)
            .format("%Y")
            .to_string();
        let last = epoch_hour_to_datetime(self.end_epoch_hour() - 1)
            .format("%Y")
            .to_string();
        let (Ok(first), Ok(last)) = (first.parse::<i32>(), last.parse::<i32>()) else {
            return Vec::new();
        };
        (first..=last)
            .filter(|y| {
                self.year_slice(*y)
                    .is_some_and(|s| s.len() + 24 > hours_in_year(*y))
            })
            .collect()
    }
}

/// Where a value came from, for messages: a CSV line or a Parquet row.
#[derive(Debug, Clone, Copy)]
pub enum RowPlace {
    /// 1-based line of a CSV file (the header is line 1).
    Line,
    /// 1-based row of a Parquet file.
    Row,
}

impl RowPlace {
    fn describe(self, index: usize) -> String {
        match self {
            Self::Line => format!("line {}", index + 2),
            Self::Row => format!("row {}", index + 1),
        }
    }
}

/// Check timestamps (epoch hours) and values and build a series. `file` names the source
/// in messages; `place` says how rows are counted.
///
/// # Errors
/// Empty input, unsorted or duplicate or missing hours, NaN, infinite or negative values.
pub fn load_from_rows(
    epoch_hours: &[i64],
    demand_mw: &[f64],
    file: &str,
    place: RowPlace,
) -> Result<HourlyLoad> {
    if epoch_hours.is_empty() {
        bail!("{file}: no rows of data; expected hourly rows `{TIMESTAMP_COLUMN},{DEMAND_COLUMN}`");
    }
    // Order and duplicates before gaps: a row out of place also leaves a hole where it
    // belongs, and "missing hour" would point at the wrong problem.
    let stamp = |h: i64| epoch_hour_to_datetime(h).format("%Y-%m-%dT%H:%MZ");
    for (i, pair) in epoch_hours.windows(2).enumerate() {
        let step = pair[1] - pair[0];
        if step > 0 {
            continue;
        }
        let at = place.describe(i + 1);
        let (this, before) = (stamp(pair[1]), stamp(pair[0]));
        if step == 0 {
            bail!("{file}, {at}: duplicate hour {this}; each hour may appear once");
        }
        if step < 0 {
            bail!("{file}, {at}: hour {this} comes after {before}; rows must be sorted by time");
        }
    }
    for (i, pair) in epoch_hours.windows(2).enumerate() {
        let step = pair[1] - pair[0];
        if step == 1 {
            continue;
        }
        let at = place.describe(i + 1);
        let (this, before) = (stamp(pair[1]), stamp(pair[0]));
        bail!(
            "{file}, {at}: {} missing hour(s) between {before} and {this}; the series must be hourly without gaps (`gridstrain import --fill-gaps` fills short gaps)",
            step - 1
        );
    }
    for (i, v) in demand_mw.iter().enumerate() {
        if !v.is_finite() {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a finite number of MW",
                place.describe(i)
            );
        }
        if *v < 0.0 {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a number of MW ≥ 0",
                place.describe(i)
            );
        }
    }
    Ok(HourlyLoad {
        first_epoch_hour: epoch_hours[0],
        demand_mw: demand_mw.to_vec(),
    })
}

/// Read a region's load file: `.parquet` or tidy `.csv`.
///
/// # Errors
/// A missing or unreadable file, missing columns, or any rule of [`load_from_rows`].
pub fn read_load_file(path: &Path) -> Result<HourlyLoad> {
    let (hours, values, place) = match extension(path).as_str() {
        "parquet" => {
            let (h, v) = read_parquet_columns(path)?;
            (h, v, RowPlace::Row)
        }
        "csv" => {
            let (h, v) = read_tidy_csv(path)?;
            (h, v, RowPlace::Line)
        }
        other => bail!(
            "{}: unsupported load file type '.{other}'; expected .parquet or .csv (`timestamp_utc,demand_mw`)",
            path.display()
        ),
    };
    load_from_rows(&hours, &values, &path.display().to_string(), place)
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Read the two columns of a Parquet load file as epoch hours and MW.
///
/// # Errors
/// Missing columns, wrong types, nulls, timestamps off the hour.
pub fn read_parquet_columns(path: &Path) -> Result<(Vec<i64>, Vec<f64>)> {
    let (hours, values) = read_parquet_columns_with_gaps(path)?;
    let file_name = path.display();
    let values = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| {
                anyhow::anyhow!(
                    "{file_name}, row {}: `{DEMAND_COLUMN}` is empty, expected a number of MW",
                    i + 1
                )
            })
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok((hours, values))
}

/// Read the two columns of a Parquet load file; empty (null) demand stays `None`, for
/// `import --fill-gaps` to fill.
///
/// # Errors
/// Missing columns, wrong types, timestamps off the hour or out of range.
pub fn read_parquet_columns_with_gaps(path: &Path) -> Result<(Vec<i64>, Vec<Option<f64>>)> {
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
                if !(EARLIEST_EPOCH_HOUR..LATEST_EPOCH_HOUR).contains(&hour) {
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
    let demand = demand.cast(&DataType::Float64).map_err(|_| {
        anyhow::anyhow!(
            "{file_name}: column `{DEMAND_COLUMN}` has type {}, expected numbers (MW)",
            demand.dtype()
        )
    })?;
    let values: Vec<Option<f64>> = demand.f64()?.iter().collect();
    Ok((hours, values))
}

/// Magic bytes at both ends of a Parquet file.
const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

/// Number of Parquet reads under [`read_parquet_frame`]'s guard right now. While it is
/// above zero the panic hook of [`install_quiet_panic_hook`] stays silent: polars may
/// panic on its own worker threads, and the guard turns the panic into an error.
static GUARDED_READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Make panics inside guarded Parquet reads silent (they become ordinary errors); every
/// other panic is reported as before. Installed once by the binary.
pub fn install_quiet_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if GUARDED_READS.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            default_hook(info);
        }
    }));
}

/// Read a Parquet file into a frame. The file must look like Parquet (magic bytes, a
/// footer that fits in the file) before polars reads it, and a panic of polars' reader on
/// corrupt metadata is turned into an error naming the file.
///
/// # Errors
/// When the file cannot be opened or is not readable Parquet.
pub fn read_parquet_frame(path: &Path) -> Result<DataFrame> {
    let file_name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot open {file_name}"))?;
    let len = bytes.len();
    let footer_fits =
        len >= 12 && bytes.starts_with(PARQUET_MAGIC) && bytes.ends_with(PARQUET_MAGIC) && {
            let footer = u32::from_le_bytes([
                bytes[len - 8],
                bytes[len - 7],
                bytes[len - 6],
                bytes[len - 5],
            ]);
            (footer as usize) <= len - 12
        };
    if !footer_fits {
        bail!(
            "{file_name}: not a Parquet file (no Parquet magic bytes or footer); expected a .parquet file with `{TIMESTAMP_COLUMN}` and `{DEMAND_COLUMN}`"
        );
    }
    GUARDED_READS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ParquetReader::new(std::io::Cursor::new(bytes)).finish()
    }));
    GUARDED_READS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    match outcome {
        Ok(Ok(frame)) => Ok(frame),
        Ok(Err(e)) => bail!("{file_name}: not a readable Parquet file ({e})"),
        Err(_) => bail!("{file_name}: not a readable Parquet file (its metadata are corrupt)"),
    }
}

/// Parse a UTC timestamp on the hour: RFC 3339 (`2024-01-01T05:00:00Z`, any offset) or a
/// naive `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DDTHH:MM[:SS]` taken as UTC.
///
/// # Errors
/// A message saying what was found and what is allowed.
pub fn parse_utc_hour(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let instant = chrono::DateTime::parse_from_rfc3339(trimmed)
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|_| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(trimmed, f).ok())
                .map(|n| n.and_utc())
                .ok_or(())
        })
        .map_err(|()| {
            format!("'{trimmed}' is not a timestamp; expected ISO 8601 in UTC such as 2024-01-01T05:00:00Z")
        })?;
    let hour = datetime_to_epoch_hour(instant).ok_or_else(|| {
        format!(
            "'{trimmed}' is not on the hour; expected hourly timestamps (minutes and seconds 0)"
        )
    })?;
    if !(EARLIEST_EPOCH_HOUR..LATEST_EPOCH_HOUR).contains(&hour) {
        return Err(format!("'{trimmed}' is outside the years 1900–2199"));
    }
    Ok(hour)
}

/// Parse a number that may carry thousands separators (`"12,345"`) or be quoted.
///
/// # Errors
/// A message naming what was found.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let cleaned: String = text
        .trim()
        .trim_matches('"')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() {
        return Err("is empty, expected a number".to_owned());
    }
    let value: f64 = cleaned.parse().map_err(|_| {
        format!(
            "'{}' is not a number; expected a number such as 1200.5 or \"1,200\"",
            text.trim()
        )
    })?;
    if value.is_nan() {
        return Err("is NaN, expected a number".to_owned());
    }
    Ok(value)
}

/// Read a tidy CSV `timestamp_utc,demand_mw` (header required; other columns ignored; a
/// byte-order mark and `\r\n` endings are fine).
///
/// # Errors
/// Missing header or columns, unparsable timestamps or numbers, with the line.
pub fn read_tidy_csv(path: &Path) -> Result<(Vec<i64>, Vec<f64>)> {
    let text = crate::input::read_text(path)?;
    tidy_csv_from_text(&text, &path.display().to_string())
}

/// The pure half of [`read_tidy_csv`].
///
/// # Errors
/// As [`read_tidy_csv`].
pub fn tidy_csv_from_text(text: &str, file: &str) -> Result<(Vec<i64>, Vec<f64>)> {
    if text.trim().is_empty() {
        bail!(
            "{file}: the file is empty; expected a header `{TIMESTAMP_COLUMN},{DEMAND_COLUMN}` and hourly rows"
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{file}: cannot read the header line"))?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line 1: header has no column `{name}`; found [{}], expected `{TIMESTAMP_COLUMN},{DEMAND_COLUMN}`",
                headers.iter().collect::<Vec<_>>().join(",")
            )
        })
    };
    let time_index = find(TIMESTAMP_COLUMN)?;
    let demand_index = find(DEMAND_COLUMN)?;
    let mut hours = Vec::new();
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow::anyhow!("{file}, line {line}: malformed CSV row ({e})")
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let time = record.get(time_index).unwrap_or("");
        let hour = parse_utc_hour(time)
            .map_err(|e| anyhow::anyhow!("{file}, line {line}: `{TIMESTAMP_COLUMN}` {e}"))?;
        let value = parse_number(record.get(demand_index).unwrap_or(""))
            .map_err(|e| anyhow::anyhow!("{file}, line {line}: `{DEMAND_COLUMN}` {e}"))?;
        hours.push(hour);
        values.push(value);
    }
    Ok((hours, values))
}

/// Write a series as Parquet with columns `timestamp_utc` (UTC datetime, ms) and
/// `demand_mw` (float).
///
/// # Errors
/// When the file cannot be written.
pub fn write_load_parquet(load: &HourlyLoad, path: &Path) -> Result<()> {
    let millis: Vec<i64> = (0..load.demand_mw.len() as i64)
        .map(|i| (load.first_epoch_hour + i) * 3_600_000)
        .collect();
    let timestamps = Int64Chunked::from_vec(TIMESTAMP_COLUMN.into(), millis)
        .into_datetime(TimeUnit::Milliseconds, Some(polars::prelude::TimeZone::UTC))
        .into_series();
    let demand = Series::new(DEMAND_COLUMN.into(), &load.demand_mw);
    let mut frame = DataFrame::new_infer_height(vec![timestamps.into(), demand.into()])?;
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_csv_reads_bom_crlf_and_thousands() {
        let text = "timestamp_utc,demand_mw\r\n2024-01-01T00:00:00Z,\"1,200\"\r\n2024-01-01T01:00:00Z,1300\r\n";
        let (hours, values) = tidy_csv_from_text(text, "x.csv").unwrap();
        assert_eq!(values, vec![1200.0, 1300.0]);
        assert_eq!(hours[1] - hours[0], 1);
    }

    #[test]
    fn duplicate_hour_is_named_by_line() {
        let hours = [10, 11, 11];
        let err = load_from_rows(&hours, &[1.0, 2.0, 3.0], "x.csv", RowPlace::Line).unwrap_err();
        assert!(
            err.to_string().contains("x.csv, line 4: duplicate hour"),
            "{err}"
        );
    }

    #[test]
    fn gaps_unsorted_and_negative_are_refused() {
        let gap = load_from_rows(&[10, 13], &[1.0, 2.0], "f", RowPlace::Line).unwrap_err();
        assert!(gap.to_string().contains("2 missing hour(s)"), "{gap}");
        let unsorted = load_from_rows(&[10, 9], &[1.0, 2.0], "f", RowPlace::Line).unwrap_err();
        assert!(
            unsorted.to_string().contains("must be sorted"),
            "{unsorted}"
        );
        let negative = load_from_rows(&[10, 11], &[1.0, -2.0], "f", RowPlace::Line).unwrap_err();
        assert!(
            negative.to_string().contains("line 3: demand_mw is -2"),
            "{negative}"
        );
    }

    #[test]
    fn accepted_years_match_the_constants() {
        assert_eq!(EARLIEST_EPOCH_HOUR, year_start_epoch_hour(1900));
        assert_eq!(LATEST_EPOCH_HOUR, year_start_epoch_hour(2200));
    }

    #[test]
    fn a_row_out_of_place_is_named_as_unsorted_not_as_a_gap() {
        let err = load_from_rows(&[10, 11, 13, 12], &[1.0; 4], "f", RowPlace::Line).unwrap_err();
        assert!(
            err.to_string().contains("line 5: hour") && err.to_string().contains("must be sorted"),
            "{err}"
        );
    }

    #[test]
    fn off_hour_timestamps_are_refused() {
        assert!(
            parse_utc_hour("2024-01-01T00:30:00Z")
                .unwrap_err()
                .contains("not on the hour")
        );
        assert_eq!(parse_utc_hour("1970-01-01T05:00:00Z"), Ok(5));
        assert_eq!(parse_utc_hour("1970-01-01 05:00"), Ok(5));
    }

    #[test]
    fn year_slice_is_clipped_to_the_data() {
        let first = year_start_epoch_hour(2024);
        let load = HourlyLoad {
            first_epoch_hour: first,
            demand_mw: vec![1.0; 8783],
        };
        assert_eq!(load.year_slice(2024).unwrap().len(), 8783);
        assert!(load.year_slice(2025).is_none());
        assert_eq!(load.weather_years(), vec![2024]);
    }
}
