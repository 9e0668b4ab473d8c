//! Readers of hourly rows in the text forms a user brings: **tidy** CSV
//! `timestamp_utc,demand_mw` (UTC, hour-beginning; also a region's CSV load file),
//! **local** CSV `timestamp_local,demand_mw` in a named IANA time zone, and **EIA-930**
//! balance files as EIA publishes them. Each yields [`RawRows`]; the series rules are
//! checked once, in [`crate::input::series`].
//!
//! Local time: the autumn daylight-saving change repeats one local hour: its first
//! appearance is the earlier UTC hour (daylight time), the second the later (standard
//! time). The spring change skips one local hour: it must not appear, and its absence is
//! no gap. EIA-930: `Balancing Authority`, `UTC Time at End of Hour`, `Demand (MW)` and
//! `Demand (MW) (Adjusted)`, numbers with thousands separators in quotes, many balancing
//! authorities per file (`--ba` picks one); hour-ending stamps become hour-beginning.
use anyhow::{Result, bail};
use chrono::{LocalResult, NaiveDateTime, TimeZone, Timelike};

use crate::input::series::{
    DEMAND_COLUMN, RawRows, TIMESTAMP_COLUMN, accepted_epoch_hour, parse_number, parse_utc_hour,
};
use crate::input::{excerpt, format_capped};

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

/// Which EIA-930 demand column to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EiaDemand {
    /// `Demand (MW)` as the balancing authority reported it.
    Reported,
    /// `Demand (MW) (Adjusted)`, EIA's adjusted series.
    Adjusted,
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The index of column `name` in the header, which must hold it exactly once.
fn header_index(
    headers: &csv::StringRecord,
    name: &str,
    file: &str,
    expected: &str,
) -> Result<usize> {
    let found: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim() == name)
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [index] => Ok(*index),
        [] => bail!(
            "{file}, line 1: header has no column `{name}`; found [{}], expected {expected}",
            excerpt(&headers.iter().collect::<Vec<_>>().join(","))
        ),
        several => bail!(
            "{file}, line 1: the header names column `{name}` {} times (columns {}); expected it once",
            several.len(),
            format_capped(&several.iter().map(|i| i + 1).collect::<Vec<_>>())
        ),
    }
}

/// The next record, which must hold as many fields as the header: a row with more or
/// fewer is refused rather than read by position (an unquoted decimal comma or thousands
/// separator splits a number in two).
fn checked_record(
    record: std::result::Result<csv::StringRecord, csv::Error>,
    headers: &csv::StringRecord,
    file: &str,
) -> Result<(usize, csv::StringRecord)> {
    let record = record.map_err(|e| malformed(&e, file))?;
    let line = record.position().map_or(0, |p| p.line() as usize);
    if record.len() != headers.len() {
        bail!(
            "{file}, line {line}: the row has {} field(s), the header {}; expected one value per column (a decimal comma or a thousands separator outside quotes splits a number in two): {}",
            record.len(),
            headers.len(),
            excerpt(&record.iter().collect::<Vec<_>>().join(","))
        );
    }
    Ok((line, record))
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
        .map_err(|e| anyhow::anyhow!("{file}, line {line}, column `{column}`: {e}"))
}

fn malformed(error: &csv::Error, file: &str) -> anyhow::Error {
    let line = error.position().map_or(0, csv::Position::line);
    anyhow::anyhow!("{file}, line {line}: malformed CSV row ({error})")
}

fn non_empty(text: &str, file: &str, expected: &str) -> Result<()> {
    if text.trim().is_empty() {
        bail!("{file}: the file is empty; expected a header {expected} and hourly rows");
    }
    Ok(())
}

/// Rows of a tidy CSV (`timestamp_utc,demand_mw`).
///
/// # Errors
/// Missing columns, bad timestamps or numbers, with the line.
pub fn tidy_rows(text: &str, file: &str) -> Result<RawRows> {
    let expected = "`timestamp_utc,demand_mw`";
    non_empty(text, file, expected)?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
    let t = header_index(&headers, TIMESTAMP_COLUMN, file, expected)?;
    let d = header_index(&headers, DEMAND_COLUMN, file, expected)?;
    let mut rows = RawRows::default();
    for record in reader.records() {
        let (line, record) = checked_record(record, &headers, file)?;
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
    let expected = "`timestamp_local,demand_mw`";
    non_empty(text, file, expected)?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
    let t = header_index(&headers, LOCAL_TIME_COLUMN, file, expected)?;
    let d = header_index(&headers, DEMAND_COLUMN, file, expected)?;
    let mut rows = RawRows::default();
    let mut previous_ambiguous: Option<(NaiveDateTime, i64)> = None;
    for record in reader.records() {
        let (line, record) = checked_record(record, &headers, file)?;
        let text_time = record.get(t).unwrap_or("").trim();
        let quoted_time = excerpt(text_time);
        let naive = parse_naive(text_time).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line {line}: `{LOCAL_TIME_COLUMN}` '{quoted_time}' is not a local timestamp; expected e.g. 2024-03-10 01:00"
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
    if !accepted_epoch_hour(hour) {
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
    let expected = "an EIA-930 balance file with `Balancing Authority`, `UTC Time at End of Hour` and `Demand (MW)`";
    non_empty(text, file, "line of an EIA-930 balance file")?;
    let mut reader = csv_reader(text);
    let headers = reader.headers()?.clone();
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
    // The codes in the order first seen (for messages), and as a set: a file of many
    // distinct codes stays linear.
    let mut seen_bas: Vec<String> = Vec::new();
    let mut seen_set: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut rows = RawRows::default();
    let mut pending = Vec::new();
    for record in reader.records() {
        let (line, record) = checked_record(record, &headers, file)?;
        let raw_code = record.get(ba_index).unwrap_or("").trim();
        if !seen_set.contains(raw_code) {
            seen_set.insert(raw_code.to_owned());
            seen_bas.push(excerpt(raw_code));
        }
        if ba.is_some_and(|wanted| wanted != raw_code) {
            continue;
        }
        let code = excerpt(raw_code);
        pending.push((code, line, record));
    }
    let chosen = match ba {
        Some(wanted) => {
            if !seen_set.contains(wanted) {
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
        let quoted_time = excerpt(text_time);
        let naive = parse_naive(text_time).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}, line {line}: `{EIA_TIME_COLUMN}` '{quoted_time}' is not a timestamp; expected e.g. 01/01/2024 6:00:00 AM"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_rows_read_thousands_and_empty_cells() {
        let text =
            "timestamp_utc,demand_mw\n2024-01-01T00:00:00Z,\"1,200\"\n2024-01-01T01:00:00Z,\n";
        let rows = tidy_rows(text, "x.csv").unwrap();
        assert_eq!(rows.demand_mw, vec![Some(1200.0), None]);
        assert_eq!(rows.lines, vec![2, 3]);
        assert_eq!(rows.epoch_hours[1] - rows.epoch_hours[0], 1);
    }

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
}
