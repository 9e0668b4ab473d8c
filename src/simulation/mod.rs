//! The simulation kernel: the only place where hourly load series and metrics are
//! computed. It takes a [`Study`] already in memory (no file is read here, and no table
//! library is used), converts compute to power, sites both workloads, and for every
//! region × target year × weather year builds the hourly series, dispatches training
//! flexibility and computes the metrics. `run`, and every sweep, batch or report built
//! on it, call [`simulate`].
//!
//! Work is split over target years with rayon; each task keeps its own buffers (one
//! allocation per series, reused over regions and weather years, none per hour), and
//! results are gathered in a fixed order, so any thread count gives the same numbers.
//! Callers choose what they need through [`SimOptions`]: whether the headroom metrics
//! are computed, and which hourly series (none, a peak week, all hours) are handed to an
//! [`HourlySink`] — which the output layer implements (e.g. a writer thread behind a
//! bounded channel), so the kernel never waits on a disk.
//!
//! ```
//! use gridstrain::input::study::{StudyFiles, load_study};
//! use gridstrain::simulation::{Observer, SimOptions, simulate};
//!
//! // Read a study (here the small test fixture) into memory…
//! let files = StudyFiles {
//!     scenario: "tests/fixtures/small/scenarios/small.toml".into(),
//!     regions: "tests/fixtures/small/regions/pnw.toml".into(),
//!     catalogue_ids: Vec::new(),
//!     years: Some((2030, 2030)),
//!     weather_years: vec![2023, 2024],
//! };
//! let study = load_study(&files)?.study;
//! // …and simulate it: no files are touched, nothing hourly is kept.
//! let result = simulate(&study, &SimOptions::default(), &Observer::default())?;
//! assert_eq!(result.metrics.len(), study.regions.regions.len() * 2);
//! let pge = &result.metrics[0];
//! assert!(pge.total_peak_mw >= pge.baseline_peak_mw);
//! # Ok::<(), anyhow::Error>(())
//! ```
pub mod headroom;
pub mod kernel;
pub mod siting;
pub mod sweep;

use std::collections::HashMap;

use anyhow::{Result, bail};
use rayon::prelude::*;

use self::kernel::{
    FullSeries, HourInputs, HourStats, KernelScratch, Levels, RawBaselineStats, SetSeries,
    evaluate, peaks_after_at_depths,
};
use self::siting::{SitingPlan, plan_siting};
use crate::model::nation::Aggregate;
use crate::model::region::OUTSIDE_SET;
use crate::model::region::Region;
use crate::model::scenario::Scenario;
use crate::model::scenario::WorkloadKind;
use crate::model::series::HourlyLoad;
use crate::model::study::Study;
use crate::results::{
    MetricsRow, PowerRow, RunResult, SetMetricsRow, SitingRow, reality_check_rows,
};
use crate::stages::baseline::{
    SUMMER_FIRST_MONTH, SUMMER_LAST_MONTH, Threshold, baseline_for, baseline_scale,
};
use crate::stages::hardware::{FleetYear, fleet_by_year};
use crate::stages::headroom::{MarginPoint, margin_points, solve_headroom_partial_mw};
use crate::stages::metrics::peak;
use crate::stages::shapes::facility_shape_for_year;
use crate::stages::siting::{Stock, UNALLOCATED};
use crate::time::{epoch_hour_to_datetime, hours_in_year, months_of_year, year_start_epoch_hour};

/// Metric tonnes in a pound (exact).
const METRIC_TONNES_PER_LB: f64 = 0.000_453_592_37;

/// Which hours of each region-year's series go to the [`HourlySink`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HourlyWindow {
    /// None (a sweep, or a run without `--hourly`).
    #[default]
    None,
    /// The week (168 hours) centred on the hour of the total peak, clipped to the year.
    PeakWeek,
    /// Every hour of the year.
    All,
}

/// What the caller wants computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Compute the headroom metrics (`headroom_*_mw`, `inference_shaped_headroom_mw`);
    /// when off they are NaN and the run is faster.
    pub headroom_metrics: bool,
    /// Hourly series handed to the sink.
    pub hourly: HourlyWindow,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            headroom_metrics: true,
            hourly: HourlyWindow::None,
        }
    }
}

/// The hourly series of one region × target year × weather year (or a window of it),
/// borrowed from the kernel's buffers for the duration of the call.
#[derive(Debug, Clone, Copy)]
pub struct HourlySeries<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Region id.
    pub region: &'a str,
    /// Target year.
    pub year: i32,
    /// Weather year.
    pub weather_year: i32,
    /// Position of this weather year in the study's ensemble (0-based).
    pub weather_index: usize,
    /// Epoch hour of the first value.
    pub first_epoch_hour: i64,
    /// Baseline load (MW): measured, so it holds the AI load already running.
    pub baseline_mw: &'a [f64],
    /// Gross inference load the scenario places in the region (MW); never above its
    /// rated MW.
    pub inference_mw: &'a [f64],
    /// New inference load, on top of the baseline (MW).
    pub new_inference_mw: &'a [f64],
    /// New training load before flexibility (MW).
    pub new_training_mw: &'a [f64],
    /// New training load after flexibility (MW).
    pub new_training_after_flex_mw: &'a [f64],
    /// New non-AI data-centre load, the same in every hour (MW).
    pub new_non_ai_mw: f64,
    /// Flexibility threshold (MW).
    pub threshold_mw: &'a [f64],
}

/// Receives hourly series while the kernel runs. Called from worker threads, for each
/// region-year in weather-year order; the implementation copies what it keeps.
pub trait HourlySink: Sync {
    /// Take one series.
    ///
    /// # Errors
    /// When the sink cannot keep it (e.g. a file cannot be written); the simulation
    /// stops with this error.
    fn accept(&self, series: &HourlySeries<'_>) -> Result<()>;
}

/// Who hears from the kernel while it runs.
#[derive(Default)]
pub struct Observer<'a> {
    /// Called once per region-year done (for a progress bar).
    pub on_region_year: Option<&'a (dyn Fn() + Sync)>,
    /// Receives the hourly series chosen by [`SimOptions::hourly`].
    pub hourly: Option<&'a dyn HourlySink>,
}

mod prepare;
mod region_year;
mod year;

pub use self::prepare::{PreparedRegion, prepare_nation, prepare_regions};
pub use self::region_year::NEED_DEPTHS_FRAC;
pub use self::region_year::gross_average_mw;
pub(crate) use self::region_year::*;
pub(crate) use self::year::*;

/// Per-task buffers: one allocation per series, reused for every region and weather year.
#[derive(Default)]
pub(crate) struct Buffers {
    months: Vec<u8>,
    summer: Vec<bool>,
    inference_shape: Vec<f64>,
    training_shape: Vec<f64>,
    raw_baseline: Vec<f64>,
    baseline: Vec<f64>,
    threshold: Vec<f64>,
    firm: Vec<f64>,
    full: FullSeries,
    points: Vec<MarginPoint>,
}

/// Simulate a study: power, siting, then every region × year × weather year.
///
/// # Errors
/// A weather year outside a region's data, or an error from the hourly sink.
pub fn simulate(study: &Study, options: &SimOptions, observer: &Observer<'_>) -> Result<RunResult> {
    let prepared = prepare_regions(study)?;
    let plan = plan_siting(study, &prepared)?;
    let target: Vec<usize> = study.target_years().map(|y| plan.index(y)).collect();
    let per_year: Vec<Result<YearOutcome>> = target
        .par_iter()
        .map(|&y| run_year(study, &prepared, &plan, y, options, observer))
        .collect();
    let mut metrics = Vec::new();
    let mut set_metrics = Vec::new();
    let mut negative_new = Vec::new();
    for result in per_year {
        let outcome = result?;
        metrics.extend(outcome.metrics);
        set_metrics.extend(outcome.set_metrics);
        negative_new.extend(outcome.negative_new);
    }
    // Region-major order: region (set order), year, weather year.
    let order: HashMap<&str, usize> = study
        .regions
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    metrics.sort_by_key(|m| (order[m.region.as_str()], m.year, m.weather_year));
    let notes = run_notes(study, &plan, &negative_new);
    let reality_check = reality_check_rows(
        &study.scenario.name,
        &study.regions.operator_forecasts,
        &metrics,
        &national_new_datacentre_mw(study, &plan, &target, &metrics),
    );
    Ok(RunResult {
        reality_check,
        power: power_rows(study, &plan, &target),
        siting: siting_rows(study, &plan, &target),
        metrics,
        set_metrics,
        notes,
        milestone_years: study.scenario.milestone_years(study.years),
    })
}

/// The notes of a run: the plan's, then why some cells are empty or on another basis
/// (regional loads entered at the peak, regions without an emission rate or a reserve
/// margin, new loads below what the baseline holds), for `run.toml` and the terminal.
fn run_notes(study: &Study, plan: &SitingPlan, negative_new: &[String]) -> Vec<String> {
    let mut notes = plan.notes.clone();
    // A forecast entered as MW at the peak says how it became rated MW.
    for load in &study.scenario.regional_loads {
        if let Some(at) = load.source.find(" (entered as MW at the peak") {
            notes.push(format!(
                "regional load {} ({:?}){}",
                load.region,
                load.workload,
                &load.source[at..]
            ));
        }
    }
    // Where a figure is missing, why its cells are empty or on another basis.
    for region in &study.regions.regions {
        if region.co2_lb_per_mwh.is_none() {
            notes.push(format!(
                "region {}: no emission rate (co2_lb_per_mwh), so its CO2 columns are empty (not known, not 0) and the set's ai_co2_t leaves it out",
                region.id
            ));
        }
        if region.anticipated_reserve_margin_frac.is_none() && region.firm_capacity_mw.is_none() {
            notes.push(format!(
                "region {}: no anticipated reserve margin (nerc_assessment_area) and no firm_capacity_mw, so its resources are taken at its reference margin {:.1} % (resources_basis = at_reference_margin): no surplus today, the whole reserve requirement of the new load is a need",
                region.id,
                100.0 * region.reserve_margin_frac
            ));
        }
    }
    if let Some(first) = negative_new.first() {
        notes.push(format!(
            "in {} region-year-workload(s) the gross AI load is below the load already in the measured baseline (first: {first}); the difference is subtracted with the workload's shape",
            negative_new.len()
        ));
    }
    notes
}

/// `power_by_year.csv`: each target year's power, with the accelerator fleets when the
/// scenario states compute in FLOP and the non-AI data centres' energy when it counts them.
fn power_rows(study: &Study, plan: &SitingPlan, target: &[usize]) -> Vec<PowerRow> {
    let power_frac = (
        study.scenario.training.power_frac,
        study.scenario.inference.power_frac,
    );
    let fleets = [WorkloadKind::Training, WorkloadKind::Inference]
        .map(|kind| accelerator_fleet(&study.scenario, plan, kind));
    target
        .iter()
        .map(|&y| {
            let fleet = |k: usize| fleets[k].as_ref().map(|f| f[y]);
            PowerRow::new(
                &study.scenario.name,
                &plan.powers[y],
                power_frac,
                (fleet(0), fleet(1)),
            )
            .with_non_ai(
                study
                    .scenario
                    .non_ai
                    .as_ref()
                    .map(|n| n.average_mw(plan.years[y]) * 8760.0),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// (region, year, weather year, first hour, hours, index of the largest total).
    type Seen = (String, i32, i32, i64, usize, usize);

    /// Keeps what the sink was handed.
    #[derive(Default)]
    struct Collect(Mutex<Vec<Seen>>);

    impl HourlySink for Collect {
        fn accept(&self, s: &HourlySeries<'_>) -> Result<()> {
            let totals: Vec<f64> = (0..s.baseline_mw.len())
                .map(|t| {
                    s.baseline_mw[t]
                        + s.new_inference_mw[t]
                        + s.new_training_mw[t]
                        + s.new_non_ai_mw
                })
                .collect();
            let (largest, _) = crate::stages::metrics::peak(&totals);
            self.0.lock().unwrap().push((
                s.region.to_owned(),
                s.year,
                s.weather_year,
                s.first_epoch_hour,
                s.baseline_mw.len(),
                largest,
            ));
            Ok(())
        }
    }

    /// The in-memory fixture study.
    pub(crate) fn fixture() -> Study {
        crate::fixture::study()
    }

    /// A caller chooses the hourly series it needs: none, the peak week, or every hour;
    /// the peak week holds the hour of the year's total peak, and the metrics do not
    /// depend on the choice.
    #[test]
    fn the_sink_gets_the_window_asked_for() {
        let study = fixture();
        let none = simulate(&study, &SimOptions::default(), &Observer::default()).unwrap();
        for (window, hours) in [
            (HourlyWindow::PeakWeek, Some(168)),
            (HourlyWindow::All, None),
        ] {
            let sink = Collect::default();
            let options = SimOptions {
                hourly: window,
                ..SimOptions::default()
            };
            let observer = Observer {
                on_region_year: None,
                hourly: Some(&sink),
            };
            let result = simulate(&study, &options, &observer).unwrap();
            assert_eq!(result.metrics, none.metrics);
            let got = sink.0.into_inner().unwrap();
            assert_eq!(got.len(), none.metrics.len());
            for (region, year, weather_year, first_hour, len, largest) in got {
                let row = result
                    .metrics
                    .iter()
                    .find(|m| {
                        m.region == region && m.year == year && m.weather_year == weather_year
                    })
                    .unwrap();
                assert_eq!(len, hours.unwrap_or(hours_in_year(year)));
                let peak_hour = epoch_hour_to_datetime(first_hour + largest as i64)
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                assert_eq!(
                    peak_hour, row.total_peak_hour_utc,
                    "{region} {year} {weather_year}"
                );
            }
        }
    }
}
