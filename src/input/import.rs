//! Importing a user's hourly load into a region load file. Three input forms:
//!
//! * **tidy** CSV or Parquet `timestamp_utc,demand_mw` (UTC, hour-beginning);
//! * **local**: CSV `timestamp_local,demand_mw` in a named IANA time zone, hour-beginning.
//!   The autumn daylight-saving change repeats one local hour: its first appearance is
//!   the earlier UTC hour (daylight time), the second the later (standard time). The
//!   spring change skips one local hour: it must not appear, and its absence is no gap.
//! * **EIA-930** balance files as EIA publishes them: `Balancing Authority`,
//!   `UTC Time at End of Hour`, `Demand (MW)` and `Demand (MW) (Adjusted)`, numbers with
//!   thousands separators in quotes, many balancing authorities per file (`--ba` picks
//!   one). Hour-ending stamps become hour-beginning (one hour earlier).
//!
//! Every import reports hours that are missing, duplicated, negative, zero or far
//! outliers. Missing hours are an error unless `--fill-gaps` is given, which fills gaps
//! of up to `--max-gap-h` hours by linear interpolation and lists each fill in the
//! provenance file. Duplicates and negative values are always errors.
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};
use chrono::{LocalResult, NaiveDateTime, TimeZone, Timelike};

use crate::load::{HourlyLoad, RowPlace, load_from_rows, parse_number, parse_utc_hour};
use crate::time::epoch_hour_to_datetime;

/// Column of local timestamps in the `local` form.
pub const LOCAL_TIME_COLUMN: &str = "timestamp_local";
/// EIA-930 column of the balancing authority code.
pub const EIA_BA_COLUMN: &str = "Balancing Authority";
/// EIA-930 column of the UTC hour-ending timestamp.
pub const EIA_TIME_COLUMN: &str = "UTC Time at End of Hour";
/// EIA-930 column of reported demand.
pub const EIA_DEMAND_COLUMN: &str = "Demand (MW)";
/// EIA-930 column of adjusted demand.
pub const EIA_ADJUSTED_COLUMN: &str = "Demand (MW) (Adjusted)";

/// A value far from the series' median: above `OUTLIER_HIGH_FACTOR` × median or below
/// `OUTLIER_LOW_FACTOR` × median (reported, kept).
pub const OUTLIER_HIGH_FACTOR: f64 = 3.0;
/// See [`OUTLIER_HIGH_FACTOR`].
pub const OUTLIER_LOW_FACTOR: f64 = 0.2;

/// Which EIA-930 demand column to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EiaDemand {
    /// `Demand (MW)` as the balancing authority reported it.
    Reported,
    /// `Demand (MW) (Adjusted)`, EIA's adjusted series.
    Adjusted,
}

/// Raw hourly rows before the series checks: epoch hours, values (`None` = empty cell),
/// and the line each came from.
#[derive(Debug, Default, Clone)]
pub struct RawRows {
    /// Epoch hour of each row (hour-beginning, UTC).
    pub epoch_hours: Vec<i64>,
    /// Demand (MW), `None` where the cell was empty or NaN.
    pub demand_mw: Vec<Option<f64>>,
    /// 1-based line (or row) of each value in its file.
    pub lines: Vec<usize>,
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
}

/// What an import found and did.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// Rows read.
    pub rows: usize,
    /// Hours filled by interpolation: (epoch hour, value).
    pub filled: Vec<(i64, f64)>,
    /// Hours with demand 0.
    pub zero_hours: Vec<i64>,
    /// Hours far from the median.
    pub outlier_hours: Vec<(i64, f64)>,
    /// Median demand (MW).
    pub median_mw: f64,
    /// The reader's notes (e.g. which demand column was used).
    pub notes: Vec<String>,
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn header_index(
    headers: &csv::StringRecord,
    name: &str,
    file: &str,
    expected: &str,
) -> Result<usize> {
    headers
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line 1: header has no column `{name}`; found [{}], expected {expected}",
                headers.iter().collect::<Vec<_>>().join(",")
            )
        })
}

fn cell_value(text: &str, file: &str, line: usize, column: &str) -> Result<Option<f64>> {
    let trimmed = text.trim().trim_matches('"').trim();
    if trimmed.is_empty()
        || trimmed.eq_ignore_ascii_case("nan")
        || trimmed.eq_ignore_ascii_case("na")
    {
        return Ok(None);
    }
    parse_number(trimmed)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{file}, line {line}: `{column}` {e}"))
}

fn non_empty(text: &str, file: &str) -> Result<()> {
    if text.trim().is_empty() {
        bail!("{file}: the file is empty; expected a header line and hourly rows");
    }
    Ok(())
}

/// Rows of a tidy CSV (`timestamp_utc,demand_mw`).
///
/// # Errors
/// Missing columns, bad timestamps or numbers, with the line.
pub fn tidy_rows(text: &str, file: &str) -> Result<RawRows> {
    non_empty(text, file)?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
    let expected = "`timestamp_utc,demand_mw`";
    let t = header_index(&headers, crate::load::TIMESTAMP_COLUMN, file, expected)?;
    let d = header_index(&headers, crate::load::DEMAND_COLUMN, file, expected)?;
    let mut rows = RawRows::default();
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{file}: malformed CSV ({e})"))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let hour = parse_utc_hour(record.get(t).unwrap_or(""))
            .map_err(|e| anyhow::anyhow!("{file}, line {line}: `timestamp_utc` {e}"))?;
        rows.push(
            hour,
            cell_value(record.get(d).unwrap_or(""), file, line, "demand_mw")?,
            line,
        );
    }
    Ok(rows)
}

/// Rows of a local-time CSV (`timestamp_local,demand_mw`) in `time_zone`.
///
/// # Errors
/// Missing columns, bad timestamps, a local time that does not exist (the spring gap),
/// a repeated local time that appears more than twice.
pub fn local_rows(text: &str, file: &str, time_zone: chrono_tz::Tz) -> Result<RawRows> {
    non_empty(text, file)?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
    let expected = "`timestamp_local,demand_mw`";
    let t = header_index(&headers, LOCAL_TIME_COLUMN, file, expected)?;
    let d = header_index(&headers, crate::load::DEMAND_COLUMN, file, expected)?;
    let mut rows = RawRows::default();
    let mut previous_ambiguous: Option<(NaiveDateTime, i64)> = None;
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{file}: malformed CSV ({e})"))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let text_time = record.get(t).unwrap_or("").trim();
        let naive = parse_naive(text_time).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line {line}: `{LOCAL_TIME_COLUMN}` '{text_time}' is not a local timestamp; expected e.g. 2024-03-10 01:00"
            )
        })?;
        if naive.minute() != 0 || naive.second() != 0 {
            bail!(
                "{file}, line {line}: `{LOCAL_TIME_COLUMN}` '{text_time}' is not on the hour; expected hourly local timestamps (minutes and seconds 0)"
            );
        }
        let hour = match time_zone.from_local_datetime(&naive) {
            LocalResult::Single(instant) => instant.timestamp().div_euclid(3600),
            LocalResult::Ambiguous(earlier, later) => {
                // The autumn repeat: first appearance = daylight time, second = standard.
                let earlier_h = earlier.timestamp().div_euclid(3600);
                let later_h = later.timestamp().div_euclid(3600);
                match previous_ambiguous {
                    Some((seen, used)) if seen == naive && used == earlier_h => {
                        previous_ambiguous = Some((naive, later_h));
                        later_h
                    }
                    Some((seen, used)) if seen == naive && used == later_h => bail!(
                        "{file}, line {line}: local time {text_time} appears a third time; in {} it occurs at most twice (the autumn daylight-saving repeat)",
                        time_zone.name()
                    ),
                    _ => {
                        previous_ambiguous = Some((naive, earlier_h));
                        earlier_h
                    }
                }
            }
            LocalResult::None => bail!(
                "{file}, line {line}: local time {text_time} does not exist in {} (skipped by the spring daylight-saving change); remove the row",
                time_zone.name()
            ),
        };
        check_span(hour, file, line, text_time)?;
        rows.push(
            hour,
            cell_value(record.get(d).unwrap_or(""), file, line, "demand_mw")?,
            line,
        );
    }
    Ok(rows)
}

/// Refuse hours outside the years the program accepts (1900–2199).
fn check_span(hour: i64, file: &str, line: usize, text: &str) -> Result<()> {
    if !(crate::load::EARLIEST_EPOCH_HOUR..crate::load::LATEST_EPOCH_HOUR).contains(&hour) {
        bail!("{file}, line {line}: timestamp '{text}' is outside the years 1900–2199");
    }
    Ok(())
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
}

/// Rows of an EIA-930 balance file for balancing authority `ba` (or the only one).
///
/// # Errors
/// Missing columns, several BAs without `--ba`, an unknown `--ba`, bad timestamps or
/// numbers.
pub fn eia930_rows(text: &str, file: &str, ba: Option<&str>, demand: EiaDemand) -> Result<RawRows> {
    non_empty(text, file)?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
    let expected = "an EIA-930 balance file with `Balancing Authority`, `UTC Time at End of Hour` and `Demand (MW)`";
    let ba_index = header_index(&headers, EIA_BA_COLUMN, file, expected)?;
    let time_index = header_index(&headers, EIA_TIME_COLUMN, file, expected)?;
    let reported_index = header_index(&headers, EIA_DEMAND_COLUMN, file, expected)?;
    // Adjusted demand where EIA gives it, reported demand otherwise (older files have
    // no adjusted column; early hours of newer ones leave it empty).
    let adjusted_index = match demand {
        EiaDemand::Reported => None,
        EiaDemand::Adjusted => headers.iter().position(|h| h.trim() == EIA_ADJUSTED_COLUMN),
    };
    let mut fallback_hours = 0usize;
    let mut seen_bas: Vec<String> = Vec::new();
    let mut rows = RawRows::default();
    let mut pending = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{file}: malformed CSV ({e})"))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let code = record.get(ba_index).unwrap_or("").trim().to_owned();
        if !seen_bas.contains(&code) {
            seen_bas.push(code.clone());
        }
        if ba.is_some_and(|wanted| wanted != code) {
            continue;
        }
        pending.push((code, line, record));
    }
    let chosen = match ba {
        Some(wanted) => {
            if !seen_bas.iter().any(|b| b == wanted) {
                bail!(
                    "{file}: --ba {wanted} is not in the file; it holds {}",
                    crate::input::format_capped(&seen_bas)
                );
            }
            wanted.to_owned()
        }
        None if seen_bas.len() == 1 => seen_bas[0].clone(),
        None => bail!(
            "{file}: the file holds {} balancing authorities ({}); pick one with --ba",
            seen_bas.len(),
            crate::input::format_capped(&seen_bas)
        ),
    };
    for (code, line, record) in pending {
        if code != chosen {
            continue;
        }
        let text_time = record.get(time_index).unwrap_or("").trim();
        let naive = parse_naive(text_time).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line {line}: `{EIA_TIME_COLUMN}` '{text_time}' is not a timestamp; expected e.g. 01/01/2024 6:00:00 AM"
            )
        })?;
        let ending = crate::time::datetime_to_epoch_hour(naive.and_utc()).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line {line}: `{EIA_TIME_COLUMN}` '{text_time}' is not on the hour"
            )
        })?;
        check_span(ending - 1, file, line, text_time)?;
        let reported = cell_value(
            record.get(reported_index).unwrap_or(""),
            file,
            line,
            EIA_DEMAND_COLUMN,
        )?;
        let value = match adjusted_index {
            Some(index) => match cell_value(
                record.get(index).unwrap_or(""),
                file,
                line,
                EIA_ADJUSTED_COLUMN,
            )? {
                Some(adjusted) => Some(adjusted),
                None => {
                    fallback_hours += usize::from(reported.is_some());
                    reported
                }
            },
            None => reported,
        };
        rows.push(ending - 1, value, line);
    }
    if rows.epoch_hours.is_empty() {
        bail!("{file}: no rows for balancing authority {chosen}");
    }
    match (demand, adjusted_index) {
        (EiaDemand::Adjusted, None) => rows.notes.push(format!(
            "the file has no `{EIA_ADJUSTED_COLUMN}` column: reported `{EIA_DEMAND_COLUMN}` used for every hour"
        )),
        (EiaDemand::Adjusted, Some(_)) if fallback_hours > 0 => rows.notes.push(format!(
            "{fallback_hours} hour(s) without adjusted demand took the reported `{EIA_DEMAND_COLUMN}`"
        )),
        _ => {}
    }
    Ok(rows)
}

/// Sort-free checks and repairs of raw rows: refuse unsorted rows, duplicates and
/// negative values; report zeros and outliers; fill gaps (and empty cells) of up to
/// `max_gap_h` hours when `fill_gaps` is set, else refuse them.
///
/// # Errors
/// With the file and line of the first problem.
pub fn clean_rows(
    rows: &RawRows,
    file: &str,
    fill_gaps: bool,
    max_gap_h: usize,
) -> Result<(HourlyLoad, ImportReport)> {
    if rows.epoch_hours.is_empty() {
        bail!("{file}: no rows of data; expected hourly rows");
    }
    let mut report = ImportReport {
        rows: rows.epoch_hours.len(),
        ..ImportReport::default()
    };
    // Order and duplicates first: they cannot be repaired safely.
    for i in 1..rows.epoch_hours.len() {
        let (a, b) = (rows.epoch_hours[i - 1], rows.epoch_hours[i]);
        let stamp = |h: i64| {
            epoch_hour_to_datetime(h)
                .format("%Y-%m-%dT%H:%MZ")
                .to_string()
        };
        if b == a {
            bail!(
                "{file}, line {}: duplicate hour {} (also on line {}); each hour may appear once",
                rows.lines[i],
                stamp(b),
                rows.lines[i - 1]
            );
        }
        if b < a {
            bail!(
                "{file}, line {}: hour {} comes after {}; rows must be sorted by time",
                rows.lines[i],
                stamp(b),
                stamp(a)
            );
        }
    }
    for (i, v) in rows.demand_mw.iter().enumerate() {
        if let Some(v) = v {
            if !v.is_finite() {
                bail!(
                    "{file}, line {}: demand is {v}, expected a finite number of MW",
                    rows.lines[i]
                );
            }
            if *v < 0.0 {
                bail!(
                    "{file}, line {}: demand is {v}, expected a number of MW ≥ 0",
                    rows.lines[i]
                );
            }
        }
    }
    // Missing hours are refused (or bounded by --max-gap-h) before the axis is built, so
    // its length is bounded by the rows given.
    for i in 1..rows.epoch_hours.len() {
        let missing = rows.epoch_hours[i] - rows.epoch_hours[i - 1] - 1;
        if missing == 0 {
            continue;
        }
        let from = epoch_hour_to_datetime(rows.epoch_hours[i - 1] + 1).format("%Y-%m-%dT%H:%MZ");
        if !fill_gaps {
            bail!(
                "{file}, line {}: {missing} missing hour(s) from {from}; the series must be hourly without gaps (rerun with --fill-gaps to interpolate gaps of up to --max-gap-h hours)",
                rows.lines[i]
            );
        }
        if missing > max_gap_h as i64 {
            bail!(
                "{file}, line {}: a gap of {missing} hour(s) from {from} is longer than --max-gap-h {max_gap_h}; it is not filled",
                rows.lines[i]
            );
        }
    }
    // Lay the rows on a contiguous hour axis; holes are missing hours or empty cells.
    let first = rows.epoch_hours[0];
    let last = *rows.epoch_hours.last().expect("non-empty");
    let len = usize::try_from(last - first + 1).expect("sorted");
    let mut series: Vec<Option<f64>> = vec![None; len];
    for (h, v) in rows.epoch_hours.iter().zip(&rows.demand_mw) {
        series[usize::try_from(h - first).expect("sorted")] = *v;
    }
    let mut t = 0;
    while t < len {
        if series[t].is_some() {
            t += 1;
            continue;
        }
        let start = t;
        while t < len && series[t].is_none() {
            t += 1;
        }
        let gap = t - start;
        let from = epoch_hour_to_datetime(first + start as i64).format("%Y-%m-%dT%H:%MZ");
        if !fill_gaps {
            // Gaps between rows were refused above: this hole is a row without a value.
            let line = rows
                .epoch_hours
                .binary_search(&(first + start as i64))
                .map_or_else(|_| String::new(), |i| format!(", line {}", rows.lines[i]));
            bail!(
                "{file}{line}: demand is empty or NaN, {gap} missing hour(s) from {from}; the series must be hourly without gaps (rerun with --fill-gaps to interpolate gaps of up to --max-gap-h hours)"
            );
        }
        if gap > max_gap_h {
            bail!(
                "{file}: a gap of {gap} hour(s) from {from} is longer than --max-gap-h {max_gap_h}; it is not filled"
            );
        }
        if start == 0 || t == len {
            bail!(
                "{file}: {gap} missing hour(s) at the {} of the series from {from}; only gaps between two known hours can be filled",
                if start == 0 { "start" } else { "end" }
            );
        }
        let before = series[start - 1].expect("known");
        let after = series[t].expect("known");
        for (k, slot) in series.iter_mut().enumerate().take(t).skip(start) {
            let frac = (k - start + 1) as f64 / (gap + 1) as f64;
            let value = before + (after - before) * frac;
            *slot = Some(value);
            report.filled.push((first + k as i64, value));
        }
    }
    let values: Vec<f64> = series.into_iter().map(|v| v.expect("filled")).collect();
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    report.median_mw = sorted[sorted.len() / 2];
    for (i, v) in values.iter().enumerate() {
        let hour = first + i as i64;
        if *v == 0.0 {
            report.zero_hours.push(hour);
        } else if report.median_mw > 0.0
            && (*v > OUTLIER_HIGH_FACTOR * report.median_mw
                || *v < OUTLIER_LOW_FACTOR * report.median_mw)
        {
            report.outlier_hours.push((hour, *v));
        }
    }
    let hours: Vec<i64> = (0..len as i64).map(|i| first + i).collect();
    let load = load_from_rows(&hours, &values, file, RowPlace::Row)?;
    Ok((load, report))
}

/// The provenance text written beside an imported load file.
#[must_use]
pub fn provenance_text(
    source: &Path,
    form: &str,
    load: &HourlyLoad,
    report: &ImportReport,
) -> String {
    let stamp = |h: i64| {
        epoch_hour_to_datetime(h)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Provenance of this load file\n");
    let _ = writeln!(out, "- source: `{}`", source.display());
    let _ = writeln!(out, "- form: {form}");
    let _ = writeln!(
        out,
        "- imported by: gridstrain {}",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "- span (UTC, hour-beginning): {} – {}",
        stamp(load.first_epoch_hour),
        stamp(load.end_epoch_hour() - 1)
    );
    let _ = writeln!(
        out,
        "- rows read: {}; hours written: {}",
        report.rows,
        load.demand_mw.len()
    );
    let _ = writeln!(out, "- median demand: {:.1} MW", report.median_mw);
    for note in &report.notes {
        let _ = writeln!(out, "- note: {note}");
    }
    let _ = writeln!(
        out,
        "- hours filled by linear interpolation: {}",
        report.filled.len()
    );
    for (h, v) in &report.filled {
        let _ = writeln!(out, "  - {} filled with {v:.3} MW", stamp(*h));
    }
    let _ = writeln!(
        out,
        "- hours with zero demand (kept): {}",
        report.zero_hours.len()
    );
    for h in report.zero_hours.iter().take(50) {
        let _ = writeln!(out, "  - {}", stamp(*h));
    }
    let _ = writeln!(
        out,
        "- far outliers (above {OUTLIER_HIGH_FACTOR} × or below {OUTLIER_LOW_FACTOR} × the median; kept): {}",
        report.outlier_hours.len()
    );
    for (h, v) in report.outlier_hours.iter().take(50) {
        let _ = writeln!(out, "  - {}: {v} MW", stamp(*h));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autumn_repeat_and_spring_gap_in_new_york() {
        // 2024-11-03 01:00 local happens twice; 2024-03-10 02:00 never happens.
        let text = "timestamp_local,demand_mw\n2024-11-03 00:00,1\n2024-11-03 01:00,2\n2024-11-03 01:00,3\n2024-11-03 02:00,4\n";
        let rows = local_rows(text, "f.csv", chrono_tz::America::New_York).unwrap();
        let steps: Vec<i64> = rows.epoch_hours.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(steps, vec![1, 1, 1]);
        let spring = "timestamp_local,demand_mw\n2024-03-10 01:00,1\n2024-03-10 03:00,2\n";
        let rows = local_rows(spring, "f.csv", chrono_tz::America::New_York).unwrap();
        assert_eq!(rows.epoch_hours[1] - rows.epoch_hours[0], 1);
        let bad = "timestamp_local,demand_mw\n2024-03-10 02:00,1\n";
        let err = local_rows(bad, "f.csv", chrono_tz::America::New_York).unwrap_err();
        assert!(
            err.to_string()
                .contains("line 2: local time 2024-03-10 02:00 does not exist"),
            "{err}"
        );
    }

    #[test]
    fn eia930_picks_the_ba_and_shifts_to_hour_beginning() {
        let text = "Balancing Authority,Data Date,Hour Number,Local Time at End of Hour,UTC Time at End of Hour,Demand Forecast (MW),Demand (MW),Demand (MW) (Adjusted)\n\
PJM,01/01/2024,1,01/01/2024 1:00:00 AM,01/01/2024 6:00:00 AM,\"80,000\",\"81,234\",\"81,300\"\n\
MISO,01/01/2024,1,01/01/2024 1:00:00 AM,01/01/2024 6:00:00 AM,1,2,3\n\
PJM,01/01/2024,2,01/01/2024 2:00:00 AM,01/01/2024 7:00:00 AM,\"80,000\",\"80,000\",\n";
        let rows = eia930_rows(text, "b.csv", Some("PJM"), EiaDemand::Reported).unwrap();
        assert_eq!(rows.demand_mw, vec![Some(81_234.0), Some(80_000.0)]);
        let five_utc = parse_utc_hour("2024-01-01T05:00:00Z").unwrap();
        assert_eq!(rows.epoch_hours[0], five_utc);
        // Adjusted where given; the second hour has none and takes the reported value.
        let adjusted = eia930_rows(text, "b.csv", Some("PJM"), EiaDemand::Adjusted).unwrap();
        assert_eq!(adjusted.demand_mw, vec![Some(81_300.0), Some(80_000.0)]);
        assert_eq!(adjusted.notes.len(), 1);
        let err = eia930_rows(text, "b.csv", None, EiaDemand::Reported).unwrap_err();
        assert!(err.to_string().contains("pick one with --ba"), "{err}");
    }

    #[test]
    fn gaps_are_filled_only_when_asked_and_listed() {
        let rows = RawRows {
            epoch_hours: vec![0, 1, 4, 5],
            demand_mw: vec![Some(10.0), Some(10.0), Some(40.0), Some(40.0)],
            lines: vec![2, 3, 4, 5],
            notes: Vec::new(),
        };
        let err = clean_rows(&rows, "f", false, 6).unwrap_err();
        assert!(err.to_string().contains("2 missing hour(s)"), "{err}");
        let (load, report) = clean_rows(&rows, "f", true, 6).unwrap();
        assert_eq!(load.demand_mw, vec![10.0, 10.0, 20.0, 30.0, 40.0, 40.0]);
        assert_eq!(report.filled.len(), 2);
        let too_long = clean_rows(&rows, "f", true, 1).unwrap_err();
        assert!(
            too_long.to_string().contains("longer than --max-gap-h 1"),
            "{too_long}"
        );
    }
}
