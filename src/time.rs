//! The time axis: UTC, hour-beginning, each target year on its own calendar (8760 or 8784
//! hours). Hours are counted as whole hours since 1970-01-01T00:00Z (`epoch hours`), which
//! makes every hourly series a plain slice with a known first hour.
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};

/// Hours in one week.
pub const HOURS_PER_WEEK: usize = 168;
/// The hours of a common year, used as the denominator of curtailment rates (SPEC §7).
pub const HOURS_PER_COMMON_YEAR: usize = 8760;
/// Seconds per hour.
pub const SECONDS_PER_HOUR: f64 = 3600.0;

/// Whether `year` is a leap year of the Gregorian calendar.
#[must_use]
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Hours in the UTC calendar year `year`: 8784 in leap years, 8760 otherwise.
///
/// ```
/// assert_eq!(gridstrain::time::hours_in_year(2028), 8784);
/// assert_eq!(gridstrain::time::hours_in_year(2030), 8760);
/// ```
#[must_use]
pub fn hours_in_year(year: i32) -> usize {
    if is_leap_year(year) { 8784 } else { 8760 }
}

/// Epoch hour of `year`-01-01T00:00Z.
#[must_use]
pub fn year_start_epoch_hour(year: i32) -> i64 {
    date_epoch_hour(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists in every year"))
}

/// Epoch hour of 00:00 UTC on `date`.
#[must_use]
pub fn date_epoch_hour(date: NaiveDate) -> i64 {
    date.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch date"))
        .num_days()
        * 24
}

/// The UTC date and time of an epoch hour.
#[must_use]
pub fn epoch_hour_to_datetime(epoch_hour: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(epoch_hour * 3600, 0)
        .single()
        .expect("every epoch hour in range is a valid UTC instant")
}

/// The epoch hour of a UTC instant, if it falls exactly on the hour.
#[must_use]
pub fn datetime_to_epoch_hour(instant: DateTime<Utc>) -> Option<i64> {
    let seconds = instant.timestamp();
    (instant.minute() == 0 && instant.second() == 0 && instant.nanosecond() == 0)
        .then(|| seconds.div_euclid(3600))
}

/// Weekday of 1 January of `year` (0 = Monday … 6 = Sunday).
#[must_use]
pub fn jan1_weekday(year: i32) -> i64 {
    i64::from(
        NaiveDate::from_ymd_opt(year, 1, 1)
            .expect("1 January exists")
            .weekday()
            .num_days_from_monday(),
    )
}

/// The whole-day shift, in hours, that aligns weekdays when weather year `weather_year`
/// is laid onto target year `target_year`: target hour `t` reads weather hour
/// `t + shift`. The shift is the one of −3 … +3 days whose weekdays agree, so the seasons
/// drift by at most three days (four across a leap day).
///
/// ```
/// // 1 Jan 2030 is a Tuesday, 1 Jan 2023 a Sunday: read two days later.
/// assert_eq!(gridstrain::time::weekday_alignment_shift_h(2030, 2023), 48);
/// ```
#[must_use]
pub fn weekday_alignment_shift_h(target_year: i32, weather_year: i32) -> i64 {
    let mut shift_days = (jan1_weekday(target_year) - jan1_weekday(weather_year)).rem_euclid(7);
    if shift_days > 3 {
        shift_days -= 7;
    }
    shift_days * 24
}

/// UTC month (1–12) of every hour of `year`, written into `months` (cleared first).
pub fn months_of_year(year: i32, months: &mut Vec<u8>) {
    months.clear();
    let start = year_start_epoch_hour(year);
    let mut month_start = start;
    for month in 1..=12u32 {
        let next = if month == 12 {
            year_start_epoch_hour(year + 1)
        } else {
            date_epoch_hour(NaiveDate::from_ymd_opt(year, month + 1, 1).expect("valid month"))
        };
        let month_u8 = u8::try_from(month).expect("month fits in u8");
        months.extend(std::iter::repeat_n(
            month_u8,
            usize::try_from(next - month_start).expect("month length is positive"),
        ));
        month_start = next;
    }
    debug_assert_eq!(months.len(), hours_in_year(year));
}

/// Parse an inclusive year range `A..B` (or `A..=B`, or a single year `A`).
///
/// ```
/// use gridstrain::time::parse_year_range;
/// assert_eq!(parse_year_range("2024..2035"), Ok((2024, 2035)));
/// assert_eq!(parse_year_range("2030"), Ok((2030, 2030)));
/// assert!(parse_year_range("2035..2024").is_err());
/// ```
///
/// # Errors
/// A message naming what was found and what is allowed.
pub fn parse_year_range(text: &str) -> Result<(i32, i32), String> {
    let parse = |s: &str| {
        s.trim()
            .parse::<i32>()
            .map_err(|_| format!("'{text}' is not a year range; expected e.g. 2024..2035 or 2030"))
    };
    let (first, last) = if let Some((a, b)) = text.split_once("..=") {
        (parse(a)?, parse(b)?)
    } else if let Some((a, b)) = text.split_once("..") {
        (parse(a)?, parse(b)?)
    } else {
        let year = parse(text)?;
        (year, year)
    };
    if first > last {
        return Err(format!(
            "year range '{text}' is empty: {first} is after {last}"
        ));
    }
    // The years every input file may name (input::ranges::Year), so a range that passes
    // here is not refused later as a bad input.
    if !(2000..=2100).contains(&first) || !(2000..=2100).contains(&last) {
        return Err(format!("year range '{text}' is outside 2000..2100"));
    }
    Ok((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_years_have_8784_hours() {
        assert_eq!(hours_in_year(2024), 8784);
        assert_eq!(hours_in_year(2023), 8760);
        assert_eq!(hours_in_year(2100), 8760);
        assert_eq!(hours_in_year(2000), 8784);
    }

    #[test]
    fn year_start_matches_chrono() {
        let start = epoch_hour_to_datetime(year_start_epoch_hour(2016));
        assert_eq!(start.to_rfc3339(), "2016-01-01T00:00:00+00:00");
    }

    #[test]
    fn weekday_shift_aligns_weekdays() {
        for target in 2024..2036 {
            for weather in 2016..2025 {
                let shift_h = weekday_alignment_shift_h(target, weather);
                assert!(shift_h.abs() <= 72);
                let t = epoch_hour_to_datetime(year_start_epoch_hour(target));
                let w = epoch_hour_to_datetime(year_start_epoch_hour(weather) + shift_h);
                assert_eq!(t.weekday(), w.weekday(), "{target} on {weather}");
            }
        }
    }

    #[test]
    fn months_cover_the_year() {
        let mut months = Vec::new();
        months_of_year(2024, &mut months);
        assert_eq!(months.len(), 8784);
        assert_eq!(months[0], 1);
        assert_eq!(months[31 * 24], 2);
        assert_eq!(months[(31 + 29) * 24], 3);
        assert_eq!(*months.last().unwrap(), 12);
    }

    #[test]
    fn year_ranges_parse() {
        assert_eq!(parse_year_range("2024..2035"), Ok((2024, 2035)));
        assert_eq!(parse_year_range("2030"), Ok((2030, 2030)));
        assert!(parse_year_range("2035..2024").is_err());
        assert!(parse_year_range("abc").is_err());
    }
}
