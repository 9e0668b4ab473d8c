//! Hourly shapes. A [`Profile`] holds 168 hour-of-week factors in *local* time; laid onto
//! a target year in a region's IANA time zone (daylight saving included) it becomes a
//! UTC hourly shape whose mean over the year is exactly 1, so that
//! `average_mw × shape[t]` puts exactly the year's facility energy on its hours.
use chrono::{Datelike, Offset, TimeZone, Timelike};

use crate::model::profile::{Profile, PueProfile};
use crate::time::{epoch_hour_to_datetime, hours_in_year, year_start_epoch_hour};

/// Lay `profile` onto the UTC hours of `year` in `time_zone`, normalised to a mean of
/// exactly 1 over the year. `out` is resized to the year's hours.
pub fn shape_for_year(profile: &Profile, time_zone: chrono_tz::Tz, year: i32, out: &mut Vec<f64>) {
    out.clear();
    if profile.is_flat() {
        out.resize(hours_in_year(year), 1.0);
        return;
    }
    push_local_hours(time_zone, year, out, |local| {
        profile.factors_frac[hour_of_week(&local)]
    });
    normalise_mean_to_one(out);
}

/// [`shape_for_year`] at the facility meter: each hour's IT factor times the facility's
/// PUE in that local month and hour over its annual PUE (`facility` = the PUE profile and
/// the annual PUE; `None`: the IT shape), normalised again to a mean of exactly 1: the
/// year's facility energy stays the calibrated one (annual PUE), and only its hours move
/// (the renormalisation takes out the small correlation of load and cooling, < 0.2 %).
pub fn facility_shape_for_year(
    profile: &Profile,
    facility: Option<(&PueProfile, f64)>,
    time_zone: chrono_tz::Tz,
    year: i32,
    out: &mut Vec<f64>,
) {
    let Some((pue_profile, pue)) = facility else {
        shape_for_year(profile, time_zone, year, out);
        return;
    };
    out.clear();
    push_local_hours(time_zone, year, out, |local| {
        profile.factors_frac[hour_of_week(&local)]
            * pue_profile.facility_factor(pue, local.month(), local.hour())
    });
    normalise_mean_to_one(out);
}

/// Push `value(local time)` for every UTC hour of `year`: every hour goes through the
/// zone's rules, so daylight saving moves the local hour.
fn push_local_hours(
    time_zone: chrono_tz::Tz,
    year: i32,
    out: &mut Vec<f64>,
    value: impl Fn(chrono::NaiveDateTime) -> f64,
) {
    let start = year_start_epoch_hour(year);
    for index in 0..hours_in_year(year) {
        let utc = epoch_hour_to_datetime(start + index as i64);
        let offset_s = time_zone
            .offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc();
        out.push(value(
            utc.naive_utc() + chrono::Duration::seconds(i64::from(offset_s)),
        ));
    }
}

/// Monday 00:00 local = 0.
fn hour_of_week(local: &chrono::NaiveDateTime) -> usize {
    local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize
}

/// Scale `values` so that their mean is 1 (they must have a positive sum).
pub fn normalise_mean_to_one(values: &mut [f64]) {
    let sum: f64 = values.iter().sum();
    debug_assert!(sum > 0.0, "a shape needs a positive sum");
    let scale = values.len() as f64 / sum;
    for v in values.iter_mut() {
        *v *= scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOURS_PER_WEEK;

    fn evening_profile() -> Profile {
        let mut factors = vec![1.0; HOURS_PER_WEEK];
        for day in 0..7 {
            factors[day * 24 + 19] = 3.0;
        }
        Profile::new("evening", &factors, 0.2).unwrap()
    }

    #[test]
    fn shape_mean_is_one_and_never_negative() {
        let mut shape = Vec::new();
        shape_for_year(
            &evening_profile(),
            chrono_tz::America::New_York,
            2030,
            &mut shape,
        );
        assert_eq!(shape.len(), 8760);
        let mean = shape.iter().sum::<f64>() / shape.len() as f64;
        assert!((mean - 1.0).abs() < 1e-12);
        assert!(shape.iter().all(|v| *v >= 0.0));
    }

    #[test]
    fn peak_stays_at_local_hour_through_daylight_saving() {
        let profile = evening_profile();
        let tz = chrono_tz::America::Chicago;
        let mut shape = Vec::new();
        shape_for_year(&profile, tz, 2031, &mut shape);
        let start = year_start_epoch_hour(2031);
        for (month_start_day, label) in [(10usize, "January"), (190usize, "July")] {
            let window = &shape[month_start_day * 24..(month_start_day + 7) * 24];
            let (peak_index, _) = window
                .iter()
                .enumerate()
                .fold(
                    (0, f64::MIN),
                    |best, (i, v)| if *v > best.1 { (i, *v) } else { best },
                );
            let utc = epoch_hour_to_datetime(start + (month_start_day * 24 + peak_index) as i64);
            let local = utc.with_timezone(&tz);
            assert_eq!(local.hour() as usize, profile.peak_local_hour(), "{label}");
        }
    }

    #[test]
    fn idle_floor_lifts_low_hours() {
        let mut factors = vec![0.0; HOURS_PER_WEEK];
        factors[0] = 10.0;
        let profile = Profile::new("x", &factors, 0.2).unwrap();
        assert!((profile.factors_frac[1] - 0.2).abs() < 1e-15);
        assert!((profile.factors_frac[0] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn a_flat_training_shape_at_the_facility_varies_by_hour_and_season() {
        let months = [
            0.85, 0.87, 0.92, 1.0, 1.08, 1.14, 1.15, 1.14, 1.08, 1.0, 0.92, 0.87,
        ];
        let hours: Vec<f64> = (0..24)
            .map(|h| 1.0 + 0.1 * ((f64::from(h) - 15.0) * std::f64::consts::TAU / 24.0).cos())
            .collect();
        let pue = PueProfile::new("t", &months, &hours).unwrap();
        let flat = Profile::flat("flat");
        let mut shape = Vec::new();
        facility_shape_for_year(
            &flat,
            Some((&pue, 1.14)),
            chrono_tz::US::Eastern,
            2030,
            &mut shape,
        );
        assert_eq!(shape.len(), 8760);
        let mean = shape.iter().sum::<f64>() / 8760.0;
        assert!((mean - 1.0).abs() < 1e-12, "{mean}");
        // 15:00 EDT on 15 July is 19:00 UTC; 03:00 EST on 15 January is 08:00 UTC.
        let july_afternoon = shape[(195 * 24) + 19];
        let july_night = shape[(195 * 24) + 7];
        let january_night = shape[(14 * 24) + 8];
        assert!(july_afternoon > july_night && july_night > january_night);
        assert!(july_afternoon > 1.02 && january_night < 0.98);
        // Without a PUE profile it is the IT shape.
        facility_shape_for_year(&flat, None, chrono_tz::US::Eastern, 2030, &mut shape);
        assert!(shape.iter().all(|&v| v == 1.0));
    }
}
