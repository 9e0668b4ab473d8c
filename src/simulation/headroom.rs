//! Curtailment-enabled headroom (Norris et al. 2025) of regions on their own historical
//! load (no scaling), at several curtailment limits, with the hours and events each
//! limit implies — as a library function with a typed request ([`HeadroomRequest`]);
//! `gridstrain headroom` is a thin caller.
use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::model::profile::Profile;
use crate::model::region::Region;
use crate::model::series::HourlyLoad;
use crate::results::HeadroomRow;
use crate::stages::baseline::Threshold;
use crate::stages::headroom::{
    MarginPoint, YearSeries, curtailment_stats, margin_points, solve_headroom_mw, sort_points,
};
use crate::stages::shapes::shape_for_year;
use crate::time::{months_of_year, year_start_epoch_hour};

/// Name of the row that sums every region.
pub const TOTAL_ROW: &str = "total";

/// A region to analyse: its own historical load, with the time zone for a shaped new
/// load and the months of its seasonal peak windows.
#[derive(Debug, Clone)]
pub struct HeadroomSubject {
    /// Region id (a row label).
    pub id: String,
    /// IANA time zone (for a shaped new load).
    pub time_zone: chrono_tz::Tz,
    /// Hourly load.
    pub load: HourlyLoad,
    /// Months whose highest hour sets the summer threshold.
    pub summer_months: Vec<u8>,
    /// Months whose highest hour sets the winter threshold.
    pub winter_months: Vec<u8>,
}

impl HeadroomSubject {
    /// A region of a region set with its load.
    #[must_use]
    pub fn from_region(region: &Region, load: HourlyLoad) -> Self {
        Self {
            id: region.id.clone(),
            time_zone: region.time_zone,
            load,
            summer_months: region.summer_peak_months.clone(),
            winter_months: region.winter_peak_months.clone(),
        }
    }
}

impl HeadroomRequest {
    /// Constant-load headroom of every region of a set (with its loads, in set order) at
    /// `limits_frac`, over every full year of each region's data.
    #[must_use]
    pub fn for_region_set(
        regions: &crate::model::region::RegionSet,
        loads: Vec<HourlyLoad>,
        limits_frac: Vec<f64>,
    ) -> Self {
        Self {
            subjects: regions
                .regions
                .iter()
                .zip(loads)
                .map(|(region, load)| HeadroomSubject::from_region(region, load))
                .collect(),
            weather_years: None,
            limits_frac,
            profile: None,
        }
    }
}

/// What to analyse: subjects, the years of history, the curtailment limits, and
/// optionally a shape for the new load.
#[derive(Debug, Clone)]
pub struct HeadroomRequest {
    /// Regions (or one load file).
    pub subjects: Vec<HeadroomSubject>,
    /// Years of history; `None` = every full year of each subject's data.
    pub weather_years: Option<(i32, i32)>,
    /// Curtailment limits as fractions of the new load's energy, each in (0, 1).
    pub limits_frac: Vec<f64>,
    /// A shape for the new load, laid onto each subject's local time; `None` = constant.
    pub profile: Option<Profile>,
}

/// Headroom rows of every subject at each limit, in subject order then limit order, and
/// for several subjects a `total` row per limit (sum of headroom; mean of the hours and
/// events over subjects).
///
/// # Errors
/// A limit outside (0, 1), no subject, or a year outside a subject's data.
pub fn analyse_headroom(request: &HeadroomRequest) -> Result<Vec<HeadroomRow>> {
    if request.subjects.is_empty() {
        bail!("no region to analyse");
    }
    if let Some(bad) = request
        .limits_frac
        .iter()
        .find(|l| !l.is_finite() || **l <= 0.0 || **l >= 1.0)
    {
        bail!("curtailment limit {bad} is outside (0, 1)");
    }
    headroom_rows(
        &request.subjects,
        request.weather_years,
        &request.limits_frac,
        request.profile.as_ref(),
    )
}

/// Headroom and statistics of one region at each limit.
///
/// # Errors
/// When a requested year is not in the data.
fn analyse(
    subject: &HeadroomSubject,
    years: Option<(i32, i32)>,
    limits_frac: &[f64],
    profile: Option<&Profile>,
) -> Result<Vec<HeadroomRow>> {
    let available = subject.load.weather_years();
    let years: Vec<i32> = match years {
        Some((a, b)) => {
            let wanted: Vec<i32> = (a..=b).collect();
            if let Some(missing) = wanted.iter().find(|y| !available.contains(y)) {
                bail!(
                    "region `{}`: year {missing} is outside its load data (full years available: {:?})",
                    subject.id,
                    available
                );
            }
            wanted
        }
        None => available,
    };
    if years.is_empty() {
        bail!("region `{}`: its load data hold no full year", subject.id);
    }
    let scales: Vec<(i32, f64)> = years.iter().map(|&y| (y, 1.0)).collect();
    let threshold = Threshold::seasonal(
        &subject.load,
        &scales,
        &subject.summer_months,
        &subject.winter_months,
    );
    let mut months = Vec::new();
    let mut thresholds: Vec<Vec<f64>> = Vec::with_capacity(years.len());
    let mut shapes: Vec<Vec<f64>> = Vec::new();
    for &year in &years {
        months_of_year(year, &mut months);
        let slice = subject.load.year_slice(year).expect("year checked");
        // Align months with the slice: the data may start after the year does, or end
        // before it.
        let offset = usize::try_from(subject.load.first_epoch_hour - year_start_epoch_hour(year))
            .unwrap_or(0);
        let mut year_threshold = Vec::with_capacity(slice.len());
        threshold.series(
            &months[offset..offset + slice.len()],
            1.0,
            &mut year_threshold,
        );
        thresholds.push(year_threshold);
        if let Some(profile) = profile {
            let mut shape = Vec::new();
            shape_for_year(profile, subject.time_zone, year, &mut shape);
            shapes.push(shape[offset..offset + slice.len()].to_vec());
        }
    }
    let slices: Vec<YearSeries<'_>> = years
        .iter()
        .zip(&thresholds)
        .enumerate()
        .map(|(i, (&y, t))| {
            (
                subject.load.year_slice(y).expect("checked"),
                t.as_slice(),
                shapes.get(i).map(Vec::as_slice),
            )
        })
        .collect();
    let mut points: Vec<MarginPoint> = Vec::new();
    margin_points(&slices, &mut points);
    sort_points(&mut points);
    let headroom = solve_headroom_mw(&points, limits_frac);
    Ok(limits_frac
        .iter()
        .zip(headroom)
        .map(|(&limit, mw)| {
            HeadroomRow::new(
                &subject.id,
                limit * 100.0,
                mw,
                &curtailment_stats(&slices, mw),
            )
        })
        .collect())
}

/// Headroom rows of every subject and the total (sum of headroom; mean of hours and
/// events over regions), in subject order then limit order.
fn headroom_rows(
    subjects: &[HeadroomSubject],
    years: Option<(i32, i32)>,
    limits_frac: &[f64],
    profile: Option<&Profile>,
) -> Result<Vec<HeadroomRow>> {
    let per_region: Vec<Result<Vec<HeadroomRow>>> = subjects
        .par_iter()
        .map(|s| analyse(s, years, limits_frac, profile))
        .collect();
    let mut rows = Vec::new();
    for r in per_region {
        rows.extend(r?);
    }
    if subjects.len() > 1 {
        let n = subjects.len() as f64;
        for (k, &limit) in limits_frac.iter().enumerate() {
            let at_limit: Vec<&HeadroomRow> =
                rows.iter().skip(k).step_by(limits_frac.len()).collect();
            let mean = |f: fn(&HeadroomRow) -> f64| at_limit.iter().map(|r| f(r)).sum::<f64>() / n;
            rows.push(HeadroomRow {
                region: TOTAL_ROW.to_owned(),
                limit_pct: limit * 100.0,
                headroom_mw: at_limit.iter().map(|r| r.headroom_mw).sum(),
                mean_curtailment_rate_frac: mean(|r| r.mean_curtailment_rate_frac),
                curtailed_hours_per_year: mean(|r| r.curtailed_hours_per_year),
                hours_kept_50pct_per_year: mean(|r| r.hours_kept_50pct_per_year),
                hours_kept_75pct_per_year: mean(|r| r.hours_kept_75pct_per_year),
                hours_kept_90pct_per_year: mean(|r| r.hours_kept_90pct_per_year),
                curtailment_events_per_year: mean(|r| r.curtailment_events_per_year),
                mean_event_h: mean(|r| r.mean_event_h),
            });
        }
    }
    Ok(rows)
}
