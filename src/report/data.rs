//! What a run's report draws beyond its tables, kept in `report_data.parquet`: the peak
//! week of the most strained regions as hourly series, their load-duration curves before
//! and after flexibility, and every region's curtailment-enabled headroom at 0.25, 0.5,
//! 1 and 5 %. The hourly parts are collected while the kernel runs (an `HourlySink` that
//! keeps only the report's year), so the report needs no second simulation.
use std::sync::Mutex;

use anyhow::Result;

use crate::model::study::Study;
use crate::results::{MetricsRow, ReportDataRow};
use crate::simulation::headroom::{HeadroomRequest, analyse_headroom};
use crate::simulation::{HourlySeries, HourlySink};

/// Headroom limits the report shows (fractions).
pub const HEADROOM_LIMITS_FRAC: [f64; 4] = [0.0025, 0.005, 0.01, 0.05];
/// Points of a load-duration curve (0 %, 1 %, … 100 % of hours).
const DURATION_POINTS: usize = 101;
/// Regions whose peak week and load-duration curves are kept.
pub const STRAINED_SHOWN: usize = 3;

/// The year the report's regional charts show: the scenario's crossover year when the
/// study covers it, else the last target year.
#[must_use]
pub fn report_year(study: &Study) -> i32 {
    let crossover = match study.scenario.compute {
        crate::model::scenario::ComputeProjection::Crossover { crossover_year, .. } => {
            Some(crossover_year)
        }
        _ => None,
    };
    crossover
        .filter(|y| (study.years.0..=study.years.1).contains(y))
        .unwrap_or(study.years.1)
}

/// One region × weather year of the report's year, as kept by the collector.
#[derive(Debug, Clone)]
struct Kept {
    region: String,
    weather_year: i32,
    /// Peak week (168 h centred on the total's peak before flexibility): baseline, new
    /// inference, new training after flexibility, curtailed training, threshold.
    week: [Vec<f64>; 5],
    /// Load-duration curves before and after flexibility.
    duration: [Vec<f64>; 2],
    /// The peak week's first hour, as hours since 1970 (UTC).
    week_start_epoch_hour: i64,
}

/// An `HourlySink` that keeps the report's year (use with `HourlyWindow::All`).
pub struct ReportCollector {
    year: i32,
    kept: Mutex<Vec<Kept>>,
}

impl ReportCollector {
    /// A collector for the report's `year`.
    #[must_use]
    pub fn new(year: i32) -> Self {
        Self {
            year,
            kept: Mutex::new(Vec::new()),
        }
    }
}

/// `DURATION_POINTS` values of a load-duration curve of `values` (sorted descending,
/// read at 0 %, 1 %, … 100 % of hours).
fn duration_curve(values: &mut [f64]) -> Vec<f64> {
    values.sort_unstable_by(|a, b| b.total_cmp(a));
    let n = values.len();
    (0..DURATION_POINTS)
        .map(|i| values[((n - 1) * i) / (DURATION_POINTS - 1)])
        .collect()
}

impl HourlySink for ReportCollector {
    fn accept(&self, s: &HourlySeries<'_>) -> Result<()> {
        if s.year != self.year {
            return Ok(());
        }
        let hours = s.baseline_mw.len();
        let before: Vec<f64> = (0..hours)
            .map(|t| {
                s.baseline_mw[t] + s.new_inference_mw[t] + s.new_training_mw[t] + s.new_non_ai_mw
            })
            .collect();
        let mut after: Vec<f64> = (0..hours)
            .map(|t| {
                s.baseline_mw[t]
                    + s.new_inference_mw[t]
                    + s.new_training_after_flex_mw[t]
                    + s.new_non_ai_mw
            })
            .collect();
        let (peak, _) = crate::stages::metrics::peak(&before);
        let week = crate::time::HOURS_PER_WEEK.min(hours);
        let start = peak.saturating_sub(week / 2).min(hours - week);
        let range = start..start + week;
        let take = |v: &[f64]| v[range.clone()].to_vec();
        let curtailed: Vec<f64> = range
            .clone()
            .map(|t| s.new_training_mw[t] - s.new_training_after_flex_mw[t])
            .collect();
        let kept = Kept {
            week_start_epoch_hour: s.first_epoch_hour + start as i64,
            region: s.region.to_owned(),
            weather_year: s.weather_year,
            week: [
                take(s.baseline_mw),
                take(s.new_inference_mw),
                take(s.new_training_after_flex_mw),
                curtailed,
                take(s.threshold_mw),
            ],
            duration: [
                duration_curve(&mut before.clone()),
                duration_curve(&mut after),
            ],
        };
        self.kept
            .lock()
            .map_err(|_| anyhow::anyhow!("report collector poisoned"))?
            .push(kept);
        Ok(())
    }
}

/// The most strained regions of `year` (see [`crate::results::rank_strained`]).
#[must_use]
pub fn most_strained(metrics: &[MetricsRow], year: i32, count: usize) -> Vec<(String, i32, f64)> {
    crate::results::rank_strained(
        metrics.iter().filter(|m| m.year == year).map(|m| {
            (
                m.region.as_str(),
                m.weather_year,
                m.residual_above_threshold_mw,
            )
        }),
        count,
    )
}

/// The rows of `report_data.parquet` for a finished run.
///
/// # Errors
/// A headroom analysis that fails (a region without data).
pub fn report_rows(
    study: &Study,
    metrics: &[MetricsRow],
    collector: ReportCollector,
) -> Result<Vec<ReportDataRow>> {
    let year = collector.year;
    let kept = collector
        .kept
        .into_inner()
        .map_err(|_| anyhow::anyhow!("report collector poisoned"))?;
    let mut rows = Vec::new();
    let row =
        |item: &str, region: &str, weather_year: i32, series: &str, x: f64, y: f64| ReportDataRow {
            item: item.to_owned(),
            region: region.to_owned(),
            year,
            weather_year,
            series: series.to_owned(),
            x,
            y,
        };
    for (region, weather_year, _) in most_strained(metrics, year, STRAINED_SHOWN) {
        let Some(k) = kept
            .iter()
            .find(|k| k.region == region && k.weather_year == weather_year)
        else {
            continue;
        };
        for (name, values) in [
            "baseline",
            "new_inference",
            "new_training_after_flex",
            "curtailed_training",
            "threshold",
        ]
        .iter()
        .zip(&k.week)
        {
            rows.extend(
                values
                    .iter()
                    .enumerate()
                    .map(|(t, v)| row("peak_week", &region, weather_year, name, t as f64, *v)),
            );
        }
        // The week's first hour, so the report can put local dates on its axis.
        rows.push(row(
            "peak_week_start",
            &region,
            weather_year,
            "epoch_hour",
            0.0,
            k.week_start_epoch_hour as f64,
        ));
        for (name, values) in ["before_flex", "after_flex"].iter().zip(&k.duration) {
            rows.extend(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| row("load_duration", &region, weather_year, name, i as f64, *v)),
            );
        }
    }
    let request = HeadroomRequest::for_region_set(
        &study.regions,
        study.loads.clone(),
        HEADROOM_LIMITS_FRAC.to_vec(),
    );
    for h in analyse_headroom(&request)? {
        rows.push(row(
            "headroom",
            &h.region,
            0,
            "headroom_mw",
            h.limit_pct,
            h.headroom_mw,
        ));
    }
    Ok(rows)
}
