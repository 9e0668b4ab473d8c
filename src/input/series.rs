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

/// The largest hourly demand accepted (MW): the one MW bound of every input
/// ([`Mw`](super::ranges::Mw), a million MW), about six times the largest US balancing
/// authority's peak (near 160 GW); a larger value is a unit or typing error.
pub const MAX_DEMAND_MW: f64 = <super::ranges::Mw as super::ranges::Domain>::RANGE.max;
/// The lowest peak a weather year may have (MW): below 1 MW in every hour, a series is
/// not a grid region's load (or is in the wrong unit).
pub const MIN_YEAR_PEAK_MW: f64 = 1.0;

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

/// A value for messages: plain when it reads well, else in scientific notation
/// (`1e308`, `5e-324`), never hundreds of digits.
#[must_use]
pub fn number_for_message(value: f64) -> String {
    let size = value.abs();
    if size != 0.0 && !(1e-6..1e15).contains(&size) {
        format!("{value:e}")
    } else {
        format!("{value}")
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
        let Some(number) = value else { continue };
        let number = *number;
        if (0.0..=MAX_DEMAND_MW).contains(&number) {
            continue;
        }
        // Only a value that breaks a rule is formatted (never one per row).
        let v = number_for_message(number);
        if !number.is_finite() {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a finite number of MW",
                rows.at(i)
            );
        }
        if number < 0.0 {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, expected a number of MW ≥ 0",
                rows.at(i)
            );
        }
        if number > MAX_DEMAND_MW {
            bail!(
                "{file}, {}: {DEMAND_COLUMN} is {v}, above the largest accepted {MAX_DEMAND_MW} MW (the largest US balancing authority peaks near 160,000 MW); is the unit MW?",
                rows.at(i)
            );
        }
    }
    Ok(())
}

/// Every weather year of a clean series (a UTC calendar year it holds whole, see
/// [`HourlyLoad::weather_years`]) must be a grid region's load: not 0 MW in every hour,
/// and peaking at [`MIN_YEAR_PEAK_MW`] or more. A flat, constant load is fine. Partial
/// years at the ends of the series are never weather years and are not checked.
///
/// # Errors
/// The first year that breaks the rule, named.
pub fn check_weather_years(load: &HourlyLoad, file: &str) -> Result<()> {
    for year in load.weather_years() {
        let Some(values) = load.year_slice(year) else {
            continue;
        };
        let peak = values.iter().copied().fold(0.0_f64, f64::max);
        if peak == 0.0 {
            bail!(
                "{file}: weather year {year} (UTC calendar year) has {DEMAND_COLUMN} 0 in every hour; expected a region's load (a flat, constant load is fine, all zeros is no load)"
            );
        }
        if peak < MIN_YEAR_PEAK_MW {
            bail!(
                "{file}: weather year {year} (UTC calendar year) peaks at {} MW, below {MIN_YEAR_PEAK_MW} MW; expected a grid region's load in MW",
                number_for_message(peak)
            );
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
/// empty cell, and every weather year a region's load ([`check_weather_years`]). This is
/// what a region's load file must be.
///
/// # Errors
/// Any rule of [`check_rows`], the first gap, or a weather year without load.
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
    let load = HourlyLoad {
        first_epoch_hour: rows.epoch_hours[0],
        demand_mw: values,
    };
    check_weather_years(&load, file)?;
    Ok(load)
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
            [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(trimmed, f).ok())
            .map(|n| n.and_utc())
            .ok_or(())
        })
        .map_err(|()| {
            format!(
                "'{}' is not a timestamp; expected ISO 8601 in UTC such as 2024-01-01T05:00:00Z",
                crate::input::excerpt(trimmed)
            )
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

/// Parse a number of a text file. A plain number (`1200.5`, `-3`, `1e3`) is read; a
/// number with thousands separators only when they are unambiguous: commas between groups
/// of exactly three digits, with an optional `.` decimal part (`"1,234.5"`, `"22,759"`,
/// as EIA-930 writes them). So `12,345` is twelve thousand three hundred and forty-five.
/// Anything else with a comma, or with more than one `.`, is refused with a hint: a
/// decimal comma or a European thousands separator (`22.759,0`, `5.000,5`, `12,5`,
/// `1.234.567`) would otherwise be read 1,000 times too small or too large.
///
/// # Errors
/// A message quoting the text (shortened, [`crate::input::excerpt`]) and what is allowed.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let cleaned = text.trim().trim_matches('"').trim();
    if cleaned.is_empty() {
        return Err("is empty, expected a number".to_owned());
    }
    let quoted = crate::input::excerpt(cleaned);
    let plain = if cleaned.contains(',') {
        if !has_us_thousands_separators(cleaned) {
            return Err(ambiguous_number(cleaned, &quoted));
        }
        cleaned.replace(',', "")
    } else if cleaned.matches('.').count() > 1 {
        return Err(ambiguous_number(cleaned, &quoted));
    } else {
        cleaned.to_owned()
    };
    let value: f64 = plain.parse().map_err(|_| {
        format!("'{quoted}' is not a number; expected a number such as 1200.5 or \"1,200\"")
    })?;
    if value.is_nan() {
        return Err("is NaN, expected a number".to_owned());
    }
    Ok(value)
}

/// `[+-]d{1,3}(,ddd)+(.d+)?`: commas only between groups of three digits.
fn has_us_thousands_separators(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = whole.split(',');
    let first_ok = groups.next().is_some_and(|g| all_digits(g) && g.len() <= 3);
    first_ok && groups.all(|g| all_digits(g) && g.len() == 3) && fraction.is_none_or(all_digits)
}

/// The message for a number whose separators cannot be read unambiguously, with the
/// reading a European file would mean when the text has that form.
fn ambiguous_number(text: &str, quoted: &str) -> String {
    let european = {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (whole, fraction) = match unsigned.split_once(',') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let mut groups = whole.split('.');
        let whole_ok = groups.next().is_some_and(|g| all_digits(g) && g.len() <= 3)
            && groups.all(|g| all_digits(g) && g.len() == 3)
            || all_digits(whole);
        (whole_ok && fraction.is_none_or(all_digits)).then(|| {
            let sign = if text.starts_with('-') { "-" } else { "" };
            let digits = whole.replace('.', "");
            match fraction {
                Some(f) => format!("{sign}{digits}.{f}"),
                None => format!("{sign}{digits}"),
            }
        })
    };
    let hint = match european {
        Some(reading) => {
            format!("decimal comma or European thousands separator? write {reading}")
        }
        None => "write the number with digits and one `.` decimal point".to_owned(),
    };
    format!(
        "'{quoted}' cannot be read unambiguously as a number ({hint}); numbers use a `.` decimal point, and a comma is read only as a thousands separator between groups of three digits (\"12,345\" is 12345)"
    )
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

    fn year_rows(year: i32, value: impl Fn(usize) -> f64) -> RawRows {
        let first = year_start_epoch_hour(year);
        let hours = crate::time::hours_in_year(year);
        let mut rows = RawRows::default();
        for i in 0..hours {
            rows.push(first + i as i64, Some(value(i)), i + 2);
        }
        rows
    }

    #[test]
    fn a_weather_year_of_zeros_or_of_tiny_values_is_refused_with_the_year() {
        let zeros = complete_series(&year_rows(2023, |_| 0.0), "z.csv").unwrap_err();
        assert!(
            zeros.to_string().contains(
                "z.csv: weather year 2023 (UTC calendar year) has demand_mw 0 in every hour"
            ),
            "{zeros}"
        );
        let tiny = complete_series(&year_rows(2023, |_| 5e-324), "t.csv").unwrap_err();
        assert!(
            tiny.to_string()
                .contains("weather year 2023 (UTC calendar year) peaks at")
                && tiny.to_string().contains("below 1 MW"),
            "{tiny}"
        );
        // A flat load and a year of zeros but one hour are loads.
        assert!(complete_series(&year_rows(2023, |_| 500.0), "f.csv").is_ok());
        assert!(
            complete_series(
                &year_rows(2023, |i| if i == 9 { 2.0 } else { 0.0 }),
                "f.csv"
            )
            .is_ok()
        );
        // A partial year of zeros at the end is no weather year.
        let mut rows = year_rows(2023, |_| 500.0);
        rows.push(year_start_epoch_hour(2024), Some(0.0), 9000);
        assert!(complete_series(&rows, "p.csv").is_ok());
    }

    #[test]
    fn a_value_above_the_largest_demand_is_refused_with_its_line() {
        let err = check_rows(&rows(&[10, 11], &[Some(1.0), Some(1e308)]), "f").unwrap_err();
        assert!(
            err.to_string()
                .contains("f, line 3: demand_mw is 1e308, above the largest accepted 1000000 MW"),
            "{err}"
        );
        assert!(check_rows(&rows(&[10], &[Some(MAX_DEMAND_MW)]), "f").is_ok());
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
    fn unambiguous_thousands_separators_are_read() {
        assert_eq!(parse_number("1200.5"), Ok(1200.5));
        assert_eq!(parse_number("\"1,234.5\""), Ok(1234.5));
        assert_eq!(parse_number("22,759"), Ok(22_759.0));
        assert_eq!(parse_number("-1,234,567"), Ok(-1_234_567.0));
        assert_eq!(parse_number("1e3"), Ok(1000.0));
    }

    #[test]
    fn european_and_ambiguous_numbers_are_refused_with_a_hint() {
        for (text, hint) in [
            ("22.759,0", "write 22759.0"),
            ("5.000,5", "write 5000.5"),
            ("12,5", "write 12.5"),
            ("1.234.567", "write 1234567"),
            ("1,2,3,4", "one `.` decimal point"),
            ("1,234,56", "one `.` decimal point"),
            (",5", "one `.` decimal point"),
        ] {
            let err = parse_number(text).unwrap_err();
            assert!(
                err.contains(&format!("'{text}' cannot be read unambiguously"))
                    && err.contains(hint),
                "{text}: {err}"
            );
        }
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
