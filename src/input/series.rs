//! One series validator for every hourly input. Each reader (a load file's Parquet or
//! tidy CSV, an imported local-time CSV or EIA-930 file) yields [`RawRows`]: epoch hours,
//! values (`None` for an empty or NaN cell) and where each row came from. The rules of a
//! clean series live here once: [`check_rows`] (rows present, sorted, no duplicate hour,
//! finite values ≥ 0) and [`complete_series`] (no missing hour, no empty cell), so a
//! region's load file and `gridstrain import` give the same message for the same fault.
use anyhow::{Result, bail};

use crate::model::series::HourlyLoad;
use crate::time::{datetime_to_epoch_hour, epoch_hour_to_datetime};

/// Column of the UTC hour-beginning timestamp.
pub const TIMESTAMP_COLUMN: &str = "timestamp_utc";
/// Column of the demand (MW, hourly average).
pub const DEMAND_COLUMN: &str = "demand_mw";

/// First epoch hour accepted from a file (1900-01-01T00Z).
pub const EARLIEST_EPOCH_HOUR: i64 = -613_608;
/// First epoch hour no longer accepted (2200-01-01T00Z).
pub const LATEST_EPOCH_HOUR: i64 = 2_016_144;

/// How a source counts its rows, for messages: CSV lines or Parquet rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowPlace {
    /// 1-based line of a text file (the header is line 1).
    #[default]
    Line,
    /// 1-based row of a Parquet file.
    Row,
}

/// Raw hourly rows before the series checks.
#[derive(Debug, Default, Clone)]
pub struct RawRows {
    /// Epoch hour of each row (hour-beginning, UTC).
    pub epoch_hours: Vec<i64>,
    /// Demand (MW), `None` where the cell was empty or NaN.
    pub demand_mw: Vec<Option<f64>>,
    /// 1-based line (or row, see `place`) of each value in its file.
    pub lines: Vec<usize>,
    /// Whether `lines` counts text lines or Parquet rows.
    pub place: RowPlace,
    /// What the reader had to decide (for the provenance file).
    pub notes: Vec<String>,
}

impl RawRows {
    /// Add one row.
    pub fn push(&mut self, epoch_hour: i64, demand_mw: Option<f64>, line: usize) {
        self.epoch_hours.push(epoch_hour);
        self.demand_mw.push(demand_mw);
        self.lines.push(line);
    }

    /// Rows of a Parquet file: row `i` is row `i + 1`.
    #[must_use]
    pub fn from_parquet(epoch_hours: Vec<i64>, demand_mw: Vec<Option<f64>>) -> Self {
        let lines = (1..=epoch_hours.len()).collect();
        Self {
            epoch_hours,
            demand_mw,
            lines,
            place: RowPlace::Row,
            notes: Vec::new(),
        }
    }

    /// "line 5" or "row 5": where row `index` came from.
    #[must_use]
    pub fn at(&self, index: usize) -> String {
        let word = match self.place {
            RowPlace::Line => "line",
            RowPlace::Row => "row",
        };
        format!("{word} {}", self.lines[index])
    }
}

/// A timestamp for messages.
fn stamp(epoch_hour: i64) -> String {
    epoch_hour_to_datetime(epoch_hour)
        .format("%Y-%m-%dT%H:%MZ")
        .to_string()
}

/// The rules every hourly input obeys, whether or not gaps may be filled later: at least
/// one row, rows sorted by time without a repeated hour, values finite and ≥ 0. Order and
/// duplicates come first: a row out of place also leaves a hole where it belongs, and
/// "missing hour" would point at the wrong problem.
///
/// # Errors
/// The first broken rule, with the file, the line (or row), what was found and what is
/// allowed.
pub fn check_rows(rows: &RawRows, file: &str) -> Result<()> {
    if rows.epoch_hours.is_empty() {
        bail!("{file}: no rows of data; expected hourly rows `{TIMESTAMP_COLUMN},{DEMAND_COLUMN}`");
    }
    for i in 1..rows.epoch_hours.len() {
        let (before, this) = (rows.epoch_hours[i - 1], rows.epoch_hours[i]);
        if this == before {
            bail!(
                "{file}, {}: duplicate hour {} (also on {}); each hour may appear once",
                rows.at(i),
                stamp(this),
                rows.at(i - 1)
            );
        }
        if this < before {
            bail!(
                "{file}, {}: hour {} comes after {}; rows must be sorted by time",
                rows.at(i),
                stamp(this),
                stamp(before)
            );
        }
    }
    for (i, value) in rows.demand_mw.iter().enumerate() {
        let Some(v) = value else { continue };
        if !v.is_finite() {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a finite number of MW",
                rows.at(i)
            );
        }
        if *v < 0.0 {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a number of MW ≥ 0",
                rows.at(i)
            );
        }
        // The one bound of every MW input (docs/methodology.md, "Input ranges").
        if let Err(why) = <super::ranges::Mw as super::ranges::Domain>::RANGE.check(*v) {
            bail!("{file}, {}: {DEMAND_COLUMN}: {why}", rows.at(i));
        }
    }
    Ok(())
}

/// The message for a hole in the series that is not filled: `missing` hours from
/// `from_epoch_hour`, found at row `index`.
#[must_use]
pub fn gap_message(
    rows: &RawRows,
    file: &str,
    index: usize,
    from_epoch_hour: i64,
    missing: i64,
) -> String {
    let empty_cell = if rows.demand_mw[index].is_none() {
        format!("`{DEMAND_COLUMN}` is empty or NaN, expected a number of MW: ")
    } else {
        String::new()
    };
    let until = if missing > 1 {
        format!(" to {}", stamp(from_epoch_hour + missing - 1))
    } else {
        String::new()
    };
    format!(
        "{file}, {}: {empty_cell}{missing} missing hour(s) from {}{until}; the series must be hourly without gaps (`gridstrain import --fill-gaps` interpolates gaps of up to --max-gap-h hours)",
        rows.at(index),
        stamp(from_epoch_hour),
    )
}

/// Check `rows` ([`check_rows`]) and require a complete series: no missing hour and no
/// empty cell. This is what a region's load file must be.
///
/// # Errors
/// Any rule of [`check_rows`], or the first gap.
pub fn complete_series(rows: &RawRows, file: &str) -> Result<HourlyLoad> {
    check_rows(rows, file)?;
    let mut values = Vec::with_capacity(rows.demand_mw.len());
    for i in 0..rows.epoch_hours.len() {
        if i > 0 {
            let missing = rows.epoch_hours[i] - rows.epoch_hours[i - 1] - 1;
            if missing > 0 {
                bail!(gap_message(
                    rows,
                    file,
                    i,
                    rows.epoch_hours[i - 1] + 1,
                    missing
                ));
            }
        }
        match rows.demand_mw[i] {
            Some(v) => values.push(v),
            None => bail!(gap_message(rows, file, i, rows.epoch_hours[i], 1)),
        }
    }
    Ok(HourlyLoad {
        first_epoch_hour: rows.epoch_hours[0],
        demand_mw: values,
    })
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
    if !accepted_epoch_hour(hour) {
        return Err(format!("'{trimmed}' is outside the years 1900–2199"));
    }
    Ok(hour)
}

/// Whether an epoch hour lies in the years the program accepts (1900–2199).
#[must_use]
pub fn accepted_epoch_hour(hour: i64) -> bool {
    (EARLIEST_EPOCH_HOUR..LATEST_EPOCH_HOUR).contains(&hour)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::year_start_epoch_hour;

    fn rows(hours: &[i64], values: &[Option<f64>]) -> RawRows {
        let mut rows = RawRows::default();
        for (i, (h, v)) in hours.iter().zip(values).enumerate() {
            rows.push(*h, *v, i + 2);
        }
        rows
    }

    #[test]
    fn duplicate_hour_is_named_by_line_with_its_twin() {
        let r = rows(&[10, 11, 11], &[Some(1.0), Some(2.0), Some(3.0)]);
        let err = check_rows(&r, "x.csv").unwrap_err().to_string();
        assert!(
            err.contains("x.csv, line 4: duplicate hour") && err.contains("(also on line 3)"),
            "{err}"
        );
    }

    #[test]
    fn gaps_unsorted_negative_and_empty_cells_are_refused() {
        let gap = complete_series(&rows(&[10, 13], &[Some(1.0), Some(2.0)]), "f").unwrap_err();
        assert!(
            gap.to_string().contains("line 3: 2 missing hour(s) from"),
            "{gap}"
        );
        let unsorted = check_rows(&rows(&[10, 9], &[Some(1.0), Some(2.0)]), "f").unwrap_err();
        assert!(
            unsorted.to_string().contains("must be sorted"),
            "{unsorted}"
        );
        let negative = check_rows(&rows(&[10, 11], &[Some(1.0), Some(-2.0)]), "f").unwrap_err();
        assert!(
            negative.to_string().contains("line 3: demand_mw is -2"),
            "{negative}"
        );
        let empty = complete_series(&rows(&[10, 11], &[Some(1.0), None]), "f").unwrap_err();
        assert!(
            empty.to_string().contains(
                "line 3: `demand_mw` is empty or NaN, expected a number of MW: 1 missing hour(s)"
            ),
            "{empty}"
        );
    }

    #[test]
    fn parquet_rows_are_named_as_rows() {
        let r = RawRows::from_parquet(vec![5, 5], vec![Some(1.0), Some(1.0)]);
        let err = check_rows(&r, "p.parquet").unwrap_err().to_string();
        assert!(err.contains("p.parquet, row 2: duplicate hour"), "{err}");
    }

    #[test]
    fn a_row_out_of_place_is_named_as_unsorted_not_as_a_gap() {
        let r = rows(&[10, 11, 13, 12], &[Some(1.0); 4]);
        let err = complete_series(&r, "f").unwrap_err().to_string();
        assert!(
            err.contains("line 5: hour") && err.contains("must be sorted"),
            "{err}"
        );
    }

    #[test]
    fn accepted_years_match_the_constants() {
        assert_eq!(EARLIEST_EPOCH_HOUR, year_start_epoch_hour(1900));
        assert_eq!(LATEST_EPOCH_HOUR, year_start_epoch_hour(2200));
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
}
