//! The baseline: a region's real hourly load of a weather year laid onto a target year,
//! and the seasonal peak thresholds of the Duke method (SPEC §4, §5, §7).
//!
//! * **Weather-year mapping.** Target hour `t` reads weather hour `t + shift`, where the
//!   shift (−3 … +3 days) aligns weekdays ([`crate::time::weekday_alignment_shift_h`]). An
//!   hour that would fall outside the weather year's data is read one week earlier (or
//!   later), which keeps weekday and season; this also covers leap days and the last hour
//!   of 2024, which the shipped data lack.
//! * **Level.** Each weather year is scaled to the mean load of the region's reference
//!   year, then grown: `baseline_mw(t) = D_w(t+shift) × mean_ref / mean_w × (1+g)^(y−ref)`.
//!   The weather year keeps its shape, peaks and weather; the level is the target year's.
//! * **Thresholds.** Summer = highest hour of the summer window over all data years,
//!   winter = highest of the winter window; summer applies to April–October, winter to
//!   November–March (UTC months).
use crate::model::series::HourlyLoad;
use crate::time::{HOURS_PER_WEEK, weekday_alignment_shift_h};

/// First month (UTC) in which the summer threshold applies.
pub const SUMMER_FIRST_MONTH: u8 = 4;
/// Last month (UTC) in which the summer threshold applies.
pub const SUMMER_LAST_MONTH: u8 = 10;

/// Write the weather-year slice `weather_mw` onto `out` (the target year's hours) with a
/// shift of `shift_h` hours and a constant `scale`. The slice starts `start_offset_h`
/// hours after 1 January 00:00 of its year (0 unless the data begin late in that year);
/// hours outside it are read a week later or earlier.
pub fn map_weather_year(
    weather_mw: &[f64],
    start_offset_h: i64,
    shift_h: i64,
    scale: f64,
    out: &mut [f64],
) {
    let end = start_offset_h + weather_mw.len() as i64;
    let week = HOURS_PER_WEEK as i64;
    debug_assert!(
        weather_mw.len() >= HOURS_PER_WEEK,
        "a weather year holds at least a week"
    );
    for (t, value) in out.iter_mut().enumerate() {
        let mut source = t as i64 + shift_h;
        while source < start_offset_h {
            source += week;
        }
        while source >= end {
            source -= week;
        }
        *value = weather_mw[usize::try_from(source - start_offset_h).expect("source is in range")]
            * scale;
    }
}

/// Mean of a slice (0 for an empty one).
#[must_use]
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Scale factor that brings weather year `weather_year` to the mean of `reference_year`
/// and then grows it to `target_year` at `growth_frac` per year.
#[must_use]
pub fn baseline_scale(
    load: &HourlyLoad,
    weather_year: i32,
    reference_year: i32,
    target_year: i32,
    growth_frac: f64,
) -> Option<f64> {
    let weather_mean = mean(load.year_slice(weather_year)?);
    let reference_mean = mean(load.year_slice(reference_year)?);
    (weather_mean > 0.0).then(|| {
        reference_mean / weather_mean * (1.0 + growth_frac).powi(target_year - reference_year)
    })
}

/// The weekday-aligned baseline of `target_year` from `weather_year`, into `out` (resized
/// to the target year's hours).
///
/// # Panics
/// If the load holds no hours of `weather_year` (callers check the weather years first).
pub fn baseline_for(
    load: &HourlyLoad,
    weather_year: i32,
    target_year: i32,
    scale: f64,
    out: &mut Vec<f64>,
) {
    let weather = load
        .year_slice(weather_year)
        .expect("weather year checked against the data");
    out.clear();
    out.resize(crate::time::hours_in_year(target_year), 0.0);
    let start_offset_h =
        (load.first_epoch_hour - crate::time::year_start_epoch_hour(weather_year)).max(0);
    map_weather_year(
        weather,
        start_offset_h,
        weekday_alignment_shift_h(target_year, weather_year),
        scale,
        out,
    );
}

/// A region's flexibility threshold: the Duke seasonal peaks (at the reference year's
/// level, grown with the baseline) or a flat firm capacity over the reserve margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Summer and winter peaks (MW) of the history, at the reference level.
    Seasonal {
        /// Summer threshold (MW).
        summer_mw: f64,
        /// Winter threshold (MW).
        winter_mw: f64,
    },
    /// A flat threshold (MW), e.g. firm capacity / (1 + reserve margin).
    Flat(f64),
}

impl Threshold {
    /// The seasonal thresholds of `load` over the given years, each year's values
    /// multiplied by its scale (see [`seasonal_thresholds_mw`]).
    #[must_use]
    pub fn seasonal(
        load: &HourlyLoad,
        years_and_scales: &[(i32, f64)],
        summer_months: &[u8],
        winter_months: &[u8],
    ) -> Self {
        let (summer_mw, winter_mw) =
            seasonal_thresholds_mw(load, years_and_scales, summer_months, winter_months);
        Self::Seasonal {
            summer_mw,
            winter_mw,
        }
    }

    /// The hourly threshold over hours with the given UTC `months`; a seasonal threshold
    /// is multiplied by `growth`, a flat one is not.
    pub fn series(&self, months: &[u8], growth: f64, out: &mut Vec<f64>) {
        match *self {
            Self::Seasonal {
                summer_mw,
                winter_mw,
            } => threshold_series(months, summer_mw, winter_mw, growth, out),
            Self::Flat(mw) => {
                out.clear();
                out.resize(months.len(), mw);
            }
        }
    }
}

/// Seasonal thresholds (MW): the highest hour in the summer months and in the winter
/// months over the given years, each year's values multiplied by its scale.
#[must_use]
pub fn seasonal_thresholds_mw(
    load: &HourlyLoad,
    years_and_scales: &[(i32, f64)],
    summer_months: &[u8],
    winter_months: &[u8],
) -> (f64, f64) {
    let mut months = Vec::new();
    let (mut summer, mut winter) = (0.0_f64, 0.0_f64);
    for &(year, scale) in years_and_scales {
        let Some(slice) = load.year_slice(year) else {
            continue;
        };
        crate::time::months_of_year(year, &mut months);
        // A slice may start late in its year (data that begin mid-year).
        let offset = usize::try_from(
            (crate::time::year_start_epoch_hour(year) - load.first_epoch_hour)
                .min(0)
                .abs(),
        )
        .expect("non-negative");
        for (i, value) in slice.iter().enumerate() {
            let month = months[i + offset];
            let scaled = value * scale;
            if summer_months.contains(&month) {
                summer = summer.max(scaled);
            }
            if winter_months.contains(&month) {
                winter = winter.max(scaled);
            }
        }
    }
    (summer, winter)
}

/// The hourly threshold of a year from its UTC months: summer April–October, winter
/// otherwise; both multiplied by `scale`.
pub fn threshold_series(
    months: &[u8],
    summer_mw: f64,
    winter_mw: f64,
    scale: f64,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.extend(months.iter().map(|m| {
        if (SUMMER_FIRST_MONTH..=SUMMER_LAST_MONTH).contains(m) {
            summer_mw * scale
        } else {
            winter_mw * scale
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{hours_in_year, year_start_epoch_hour};

    #[test]
    fn same_year_maps_onto_itself() {
        let data: Vec<f64> = (0..8784).map(|h| h as f64).collect();
        let load = HourlyLoad {
            first_epoch_hour: year_start_epoch_hour(2024),
            demand_mw: data.clone(),
        };
        let mut out = Vec::new();
        baseline_for(&load, 2024, 2024, 1.0, &mut out);
        assert_eq!(out, data);
    }

    #[test]
    fn mapping_keeps_weekday_and_stays_in_range() {
        let data: Vec<f64> = (0..8783).map(|h| h as f64).collect();
        let load = HourlyLoad {
            first_epoch_hour: year_start_epoch_hour(2024),
            demand_mw: data,
        };
        let mut out = Vec::new();
        for target in [2025, 2028, 2030, 2033] {
            baseline_for(&load, 2024, target, 1.0, &mut out);
            assert_eq!(out.len(), hours_in_year(target));
            let shift = weekday_alignment_shift_h(target, 2024);
            for (t, v) in out.iter().enumerate() {
                // Source hour differs from t + shift by a whole number of weeks.
                assert_eq!((*v as i64 - (t as i64 + shift)).rem_euclid(168), 0);
            }
        }
    }

    /// Data that begin five hours into their year keep their hours in place; the first
    /// five hours are read a week later.
    #[test]
    fn late_start_keeps_hours_aligned() {
        let start = year_start_epoch_hour(2023) + 5;
        let data: Vec<f64> = (5..8760).map(|h| h as f64).collect();
        let load = HourlyLoad {
            first_epoch_hour: start,
            demand_mw: data,
        };
        let mut out = Vec::new();
        baseline_for(&load, 2023, 2023, 1.0, &mut out);
        assert_eq!(out[10], 10.0);
        assert_eq!(out[2], 170.0);
        assert_eq!(out[8759], 8759.0);
    }

    #[test]
    fn thresholds_follow_months() {
        let mut months = Vec::new();
        crate::time::months_of_year(2030, &mut months);
        let mut threshold = Vec::new();
        threshold_series(&months, 200.0, 100.0, 1.5, &mut threshold);
        assert_eq!(threshold[0], 150.0);
        assert_eq!(threshold[24 * 200], 300.0);
    }
}
