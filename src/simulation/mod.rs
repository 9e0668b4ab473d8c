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
pub mod siting;

use std::collections::HashMap;

use anyhow::{Result, bail};
use rayon::prelude::*;

use self::siting::{SitingPlan, plan_siting};
use crate::model::region::Region;
use crate::model::scenario::WorkloadKind;
use crate::model::series::HourlyLoad;
use crate::model::study::Study;
use crate::results::{
    MetricsRow, PowerRow, RunResult, SetMetricsRow, SitingRow, reality_check_rows,
};
use crate::stages::baseline::{Threshold, baseline_for, baseline_scale};
use crate::stages::flexibility::{FlexScratch, dispatch_training};
use crate::stages::hardware::{FleetYear, fleet_by_year};
use crate::stages::headroom::{MarginPoint, margin_points, solve_headroom_partial_mw};
use crate::stages::metrics::{energy_mwh, load_factor_frac, max_ramps_mw_per_h, peak};
use crate::stages::shapes::shape_for_year;
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

/// A region's data, prepared once: the load with its reference year and threshold.
#[derive(Debug)]
pub struct PreparedRegion<'a> {
    /// The hourly load.
    pub load: &'a HourlyLoad,
    /// The year whose mean level the weather years are scaled to.
    pub reference_year: i32,
    /// The flexibility threshold at the reference year's level.
    pub threshold: Threshold,
}

impl PreparedRegion<'_> {
    /// The threshold series of target `year` into `out`.
    fn threshold_series(&self, region: &Region, year: i32, months: &[u8], out: &mut Vec<f64>) {
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year);
        self.threshold.series(months, growth, out);
    }
}

/// Prepare every region, checking that the weather years and the reference year are in
/// its data.
///
/// # Errors
/// A weather year or the reference year outside a region's data (the first failing
/// region in set order).
pub fn prepare_regions(study: &Study) -> Result<Vec<PreparedRegion<'_>>> {
    study
        .regions
        .regions
        .iter()
        .zip(&study.loads)
        .map(|(region, load)| prepare_region(region, load, &study.weather_years))
        .collect()
}

fn prepare_region<'a>(
    region: &Region,
    load: &'a HourlyLoad,
    weather_years: &[i32],
) -> Result<PreparedRegion<'a>> {
    let available = load.weather_years();
    let span = match (available.first(), available.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "none".to_owned(),
    };
    let Some(&last_full_year) = available.last() else {
        bail!(
            "region `{}`: its load data {} hold no full year",
            region.id,
            region.load_path.display()
        );
    };
    let reference_year = region.baseline_reference_year.unwrap_or(last_full_year);
    for year in weather_years.iter().chain(std::iter::once(&reference_year)) {
        if !available.contains(year) {
            bail!(
                "region `{}`: year {year} (a weather year or the reference year) is outside its load data {}; full years available: {span} (choose --weather-years within them)",
                region.id,
                region.load_path.display()
            );
        }
    }
    let threshold = match region
        .firm_capacity_mw
        .filter(|_| region.capacity_threshold)
    {
        Some(capacity_mw) => Threshold::Flat(capacity_mw / (1.0 + region.reserve_margin_frac)),
        None => {
            // Thresholds over every full year of data, each scaled to the reference level.
            let years_and_scales: Vec<(i32, f64)> = available
                .iter()
                .filter_map(|&y| {
                    baseline_scale(load, y, reference_year, reference_year, 0.0).map(|s| (y, s))
                })
                .collect();
            Threshold::seasonal(
                load,
                &years_and_scales,
                &region.summer_peak_months,
                &region.winter_peak_months,
            )
        }
    };
    Ok(PreparedRegion {
        load,
        reference_year,
        threshold,
    })
}

/// Per-task buffers: one allocation per series, reused for every region and weather year.
#[derive(Default)]
struct Buffers {
    months: Vec<u8>,
    inference_shape: Vec<f64>,
    training_shape: Vec<f64>,
    baseline: Vec<f64>,
    inference: Vec<f64>,
    inference_gross: Vec<f64>,
    training: Vec<f64>,
    training_after: Vec<f64>,
    threshold: Vec<f64>,
    total: Vec<f64>,
    total_after: Vec<f64>,
    firm: Vec<f64>,
    points: Vec<MarginPoint>,
    flex: FlexScratch,
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
    let mut notes = plan.notes.clone();
    if let Some(first) = negative_new.first() {
        notes.push(format!(
            "in {} region-year-workload(s) the gross AI load is below the load already in the measured baseline (first: {first}); the difference is subtracted with the workload's shape",
            negative_new.len()
        ));
    }
    let power_frac = (
        study.scenario.training.power_frac,
        study.scenario.inference.power_frac,
    );
    let fleets = [WorkloadKind::Training, WorkloadKind::Inference]
        .map(|kind| accelerator_fleet(&study.scenario, &plan, kind));
    let reality_check = reality_check_rows(
        &study.scenario.name,
        &study.regions.operator_forecasts,
        &metrics,
        &national_new_ai_mw(study, &plan, &target, &metrics),
    );
    Ok(RunResult {
        reality_check,
        power: target
            .iter()
            .map(|&y| {
                let fleet = |k: usize| fleets[k].as_ref().map(|f| f[y]);
                PowerRow::new(
                    &study.scenario.name,
                    &plan.powers[y],
                    power_frac,
                    (fleet(0), fleet(1)),
                )
            })
            .collect(),
        siting: siting_rows(study, &plan, &target),
        metrics,
        set_metrics,
        notes,
    })
}

/// Each siting year's accelerator fleet of one workload, when the scenario states compute
/// in FLOP.
fn accelerator_fleet(
    scenario: &crate::model::scenario::Scenario,
    plan: &SitingPlan,
    kind: WorkloadKind,
) -> Option<Vec<FleetYear>> {
    let demand: Option<Vec<(i32, f64, f64, f64)>> = plan
        .powers
        .iter()
        .map(|p| {
            let hours = match kind {
                WorkloadKind::Training => p.training.accelerator_hours,
                WorkloadKind::Inference => p.inference.accelerator_hours,
            }?;
            let peak = scenario.hardware.year(p.year)?.peak_flop_per_s;
            Some((p.year, hours, hours_in_year(p.year) as f64, peak))
        })
        .collect();
    Some(fleet_by_year(&demand?, kind, &scenario.hardware_capital))
}

/// The scope's new AI load of each target year, on the basis of the operators' peak
/// figures: the projection's growth since the first siting year, plus every regional
/// load (average MW), raised to the peak hour by the set's own ratio of new AI load at
/// the regions' peak hours to their new AI average.
fn national_new_ai_mw(
    study: &Study,
    plan: &SitingPlan,
    target: &[usize],
    metrics: &[MetricsRow],
) -> Vec<(i32, f64)> {
    let scenario = &study.scenario;
    let total = |y: usize| plan.powers[y].training.average_mw + plan.powers[y].inference.average_mw;
    target
        .iter()
        .map(|&y| {
            let year = plan.years[y];
            let regional: f64 = scenario
                .regional_loads
                .iter()
                .map(|l| {
                    let power_frac = match l.workload {
                        WorkloadKind::Inference => scenario.inference.power_frac,
                        WorkloadKind::Training => scenario.training.power_frac,
                    };
                    l.built_rated_mw(year) * power_frac
                })
                .sum();
            let rows = metrics.iter().filter(|m| m.year == year);
            let (at_peak, average) = rows.fold((0.0, 0.0), |(p, a), m| {
                (p + m.new_ai_at_peak_mw, a + m.new_ai_energy_mwh / m.hours)
            });
            let to_peak = if average > 0.0 {
                at_peak / average
            } else {
                1.0
            };
            (year, (total(y) - total(0) + regional) * to_peak)
        })
        .collect()
}

/// The long `siting.csv`: per target year, region (then `unallocated`) and workload.
fn siting_rows(study: &Study, plan: &SitingPlan, target: &[usize]) -> Vec<SitingRow> {
    let workloads = [
        (
            "inference",
            &plan.inference,
            &plan.inference_added,
            study.scenario.inference.power_frac,
        ),
        (
            "training",
            &plan.training,
            &plan.training_added,
            study.scenario.training.power_frac,
        ),
    ];
    let ids = study
        .regions
        .regions
        .iter()
        .map(|r| r.id.as_str())
        .chain(std::iter::once(UNALLOCATED));
    let mut rows = Vec::new();
    for &y in target {
        for (r, id) in ids.clone().enumerate() {
            for (workload, stocks, added, power_frac) in &workloads {
                let pick = |s: &Stock| s.region_mw.get(r).copied().unwrap_or(s.unallocated_mw);
                let average_mw = pick(&stocks[y]);
                rows.push(SitingRow {
                    scenario: study.scenario.name.clone(),
                    year: plan.years[y],
                    region: id.to_owned(),
                    workload: (*workload).to_owned(),
                    rated_mw: average_mw / power_frac,
                    added_rated_mw: pick(&added[y]) / power_frac,
                    average_mw,
                });
            }
        }
    }
    rows
}

/// What one target year gives.
struct YearOutcome {
    metrics: Vec<MetricsRow>,
    set_metrics: Vec<SetMetricsRow>,
    /// "REGION YEAR workload" where the new load is negative.
    negative_new: Vec<String>,
}

/// Sum of regional series for one weather year, for the region-set coincident peaks.
struct SetSums {
    baseline: Vec<f64>,
    total: Vec<f64>,
    total_after: Vec<f64>,
    row: SetMetricsRow,
}

#[allow(clippy::too_many_lines)]
fn run_year(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    plan: &SitingPlan,
    year_index: usize,
    options: &SimOptions,
    observer: &Observer<'_>,
) -> Result<YearOutcome> {
    let year = plan.years[year_index];
    let inference_stock = &plan.inference[year_index];
    let training_stock = &plan.training[year_index];
    let scenario = &study.scenario;
    let mut negative_new = Vec::new();
    let hours = hours_in_year(year);
    let mut b = Buffers::default();
    months_of_year(year, &mut b.months);
    let mut sets: Vec<SetSums> = study
        .weather_years
        .iter()
        .map(|&w| SetSums {
            baseline: vec![0.0; hours],
            total: vec![0.0; hours],
            total_after: vec![0.0; hours],
            row: SetMetricsRow {
                scenario: study.scenario.name.clone(),
                region_set: study.regions.id.clone(),
                year,
                weather_year: w,
                unallocated_training_mw: training_stock.unallocated_mw,
                unallocated_inference_mw: inference_stock.unallocated_mw,
                ..SetMetricsRow::default()
            },
        })
        .collect();
    let mut rows = Vec::with_capacity(prepared.len() * study.weather_years.len());
    let limit = study.scenario.flexibility.headroom_limit_frac;
    for (r, (region, data)) in study.regions.regions.iter().zip(prepared).enumerate() {
        shape_for_year(
            &study.profiles.inference,
            region.time_zone,
            year,
            &mut b.inference_shape,
        );
        shape_for_year(
            &study.profiles.training,
            region.time_zone,
            year,
            &mut b.training_shape,
        );
        data.threshold_series(region, year, &b.months, &mut b.threshold);
        // Gross: what the scenario places here; new: what the measured baseline does not
        // already hold. Only new load is added to the hours, and only new training flexes.
        // Regional loads (large-load requests) are new load on top of the projection.
        let regional_rated_mw = |kind: WorkloadKind| -> f64 {
            scenario
                .regional_loads
                .iter()
                .filter(|l| l.region == region.id && l.workload == kind)
                .map(|l| l.built_rated_mw(year))
                .sum()
        };
        let inference_avg_mw = inference_stock.region_mw[r]
            + regional_rated_mw(WorkloadKind::Inference) * scenario.inference.power_frac;
        let training_avg_mw = training_stock.region_mw[r]
            + regional_rated_mw(WorkloadKind::Training) * scenario.training.power_frac;
        let existing_inference_mw = plan.existing_inference_mw[r];
        let existing_training_mw = plan.existing_training_mw[r];
        let new_inference_avg_mw = inference_avg_mw - existing_inference_mw;
        let new_training_avg_mw = training_avg_mw - existing_training_mw;
        for (workload, new_mw) in [
            ("inference", new_inference_avg_mw),
            ("training", new_training_avg_mw),
        ] {
            if new_mw < -1e-9 {
                negative_new.push(format!("{} {year} {workload}", region.id));
            }
        }
        b.inference.clear();
        b.inference
            .extend(b.inference_shape.iter().map(|s| new_inference_avg_mw * s));
        b.training.clear();
        b.training
            .extend(b.training_shape.iter().map(|s| new_training_avg_mw * s));
        b.training_after.resize(hours, 0.0);
        if observer.hourly.is_some() && options.hourly != HourlyWindow::None {
            b.inference_gross.clear();
            b.inference_gross
                .extend(b.inference_shape.iter().map(|s| inference_avg_mw * s));
        }
        let inference_shape_sum: f64 = b.inference_shape.iter().sum();
        let training_shape_sum: f64 = b.training_shape.iter().sum();
        for (w_index, &w) in study.weather_years.iter().enumerate() {
            let scale = baseline_scale(
                data.load,
                w,
                data.reference_year,
                year,
                region.baseline_growth_per_year_frac,
            )
            .expect("weather years checked");
            baseline_for(data.load, w, year, scale, &mut b.baseline);
            let outcome = dispatch_training(
                &b.baseline,
                &b.inference,
                &b.training,
                &b.threshold,
                &study.scenario.flexibility,
                &mut b.flex,
                &mut b.training_after,
            );
            b.total.clear();
            b.total_after.clear();
            // Largest exceedances of the threshold without the new AI load and with it
            // before flexibility (the residual after flexibility comes from the dispatch).
            let mut residual_without_ai_mw = 0.0_f64;
            let mut residual_before_flex_mw = 0.0_f64;
            for t in 0..hours {
                let firm = b.baseline[t] + b.inference[t];
                b.total.push(firm + b.training[t]);
                b.total_after.push(firm + b.training_after[t]);
                residual_without_ai_mw = residual_without_ai_mw.max(b.baseline[t] - b.threshold[t]);
                residual_before_flex_mw = residual_before_flex_mw.max(b.total[t] - b.threshold[t]);
            }
            let (_, baseline_peak_mw) = peak(&b.baseline);
            let (peak_index, total_peak_mw) = peak(&b.total);
            let (_, total_peak_after_mw) = peak(&b.total_after);
            let baseline_energy = energy_mwh(&b.baseline);
            let new_training_energy = energy_mwh(&b.training);
            let new_inference_energy = energy_mwh(&b.inference);
            let training_energy = training_avg_mw * training_shape_sum;
            let inference_energy = inference_avg_mw * inference_shape_sum;
            let ai_energy = training_energy + inference_energy;
            let new_ai_energy = new_training_energy + new_inference_energy;
            let (base_up, base_down) = max_ramps_mw_per_h(&b.baseline);
            let (total_up, total_down) = max_ramps_mw_per_h(&b.total);
            let (after_up, after_down) = max_ramps_mw_per_h(&b.total_after);
            let reserve = |peak_mw: f64| region.firm_capacity_mw.map(|c| (c - peak_mw) / peak_mw);
            let shortfall_at = |peak_mw: f64| {
                region
                    .firm_capacity_mw
                    .map(|c| (peak_mw * (1.0 + region.reserve_margin_frac) - c).max(0.0))
            };
            let capacity_shortfall_mw = shortfall_at(total_peak_after_mw);
            // The firm capacity the new AI load calls for: the shortfall with it minus the
            // shortfall without it (capacity where known, else the residual above the
            // threshold), after flexibility and, for what flexibility avoids, before it.
            let (need_basis, need_without_ai, need_with_ai, need_without_flex) =
                match capacity_shortfall_mw {
                    Some(with_ai) => (
                        "capacity_shortfall",
                        shortfall_at(baseline_peak_mw).unwrap_or(0.0),
                        with_ai,
                        shortfall_at(total_peak_mw).unwrap_or(0.0),
                    ),
                    None => (
                        "residual_above_threshold",
                        residual_without_ai_mw.max(0.0),
                        outcome.residual_above_threshold_mw,
                        residual_before_flex_mw.max(0.0),
                    ),
                };
            let firm_capacity_needed_mw = need_with_ai - need_without_ai;
            let flexibility_avoided_mw = need_without_flex - need_with_ai;
            // Emissions of the AI energy delivered (curtailed energy emits nothing).
            let delivered_training_mwh =
                new_training_energy - outcome.curtailed_mwh + outcome.recovered_mwh;
            let rate_factor = region.co2_year.map_or(1.0, |base| {
                (1.0 + scenario.co2_rate_change_per_year_frac).powi(year - base)
            });
            let tonnes = |mwh: f64, lb_per_mwh: Option<f64>| {
                lb_per_mwh.map(|rate| mwh * rate * rate_factor * METRIC_TONNES_PER_LB)
            };
            let inference_at_peak_mw = inference_avg_mw * b.inference_shape[peak_index];
            let training_at_peak_mw = training_avg_mw * b.training_shape[peak_index];

            let headroom = if options.headroom_metrics {
                headroom_metrics(&mut b, limit)
            } else {
                HeadroomMetrics::not_computed()
            };

            rows.push(MetricsRow {
                scenario: study.scenario.name.clone(),
                region: region.id.clone(),
                year,
                weather_year: w,
                hours: hours as f64,
                baseline_energy_mwh: baseline_energy,
                training_energy_mwh: training_energy,
                inference_energy_mwh: inference_energy,
                ai_energy_mwh: ai_energy,
                ai_energy_share_frac: ai_energy / (baseline_energy + new_ai_energy),
                training_average_mw: training_avg_mw,
                inference_average_mw: inference_avg_mw,
                training_rated_mw: training_avg_mw / scenario.training.power_frac,
                inference_rated_mw: inference_avg_mw / scenario.inference.power_frac,
                existing_training_mw,
                existing_inference_mw,
                new_training_energy_mwh: new_training_energy,
                new_inference_energy_mwh: new_inference_energy,
                new_ai_energy_mwh: new_ai_energy,
                baseline_peak_mw,
                total_peak_mw,
                peak_increase_mw: total_peak_mw - baseline_peak_mw,
                peak_increase_frac: (total_peak_mw - baseline_peak_mw) / baseline_peak_mw,
                total_peak_hour_utc: epoch_hour_to_datetime(
                    year_start_epoch_hour(year) + peak_index as i64,
                )
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
                ai_at_peak_mw: inference_at_peak_mw + training_at_peak_mw,
                inference_at_peak_mw,
                training_at_peak_mw,
                new_ai_at_peak_mw: b.inference[peak_index] + b.training[peak_index],
                total_peak_after_flex_mw: total_peak_after_mw,
                baseline_load_factor_frac: load_factor_frac(&b.baseline),
                total_load_factor_frac: load_factor_frac(&b.total),
                total_load_factor_after_flex_frac: load_factor_frac(&b.total_after),
                baseline_max_ramp_up_mw_per_h: base_up,
                baseline_max_ramp_down_mw_per_h: base_down,
                total_max_ramp_up_mw_per_h: total_up,
                total_max_ramp_down_mw_per_h: total_down,
                total_max_ramp_up_after_flex_mw_per_h: after_up,
                total_max_ramp_down_after_flex_mw_per_h: after_down,
                threshold_summer_mw: b
                    .threshold
                    .iter()
                    .zip(&b.months)
                    .find(|(_, m)| **m == 7)
                    .map_or(0.0, |(t, _)| *t),
                threshold_winter_mw: b.threshold[0],
                hours_above_threshold_before: outcome.hours_above_before as f64,
                energy_above_threshold_before_mwh: outcome.energy_above_before_mwh,
                hours_above_threshold_after: outcome.hours_above_after as f64,
                energy_above_threshold_after_mwh: outcome.energy_above_after_mwh,
                training_curtailed_mwh: outcome.curtailed_mwh,
                curtailment_rate_frac: if new_training_energy > 0.0 {
                    outcome.curtailed_mwh / new_training_energy
                } else {
                    0.0
                },
                curtailed_hours: outcome.curtailed_hours as f64,
                curtailment_events: outcome.curtailment_events as f64,
                mean_curtailment_event_h: if outcome.curtailment_events > 0 {
                    outcome.curtailed_hours as f64 / outcome.curtailment_events as f64
                } else {
                    0.0
                },
                training_recovered_mwh: outcome.recovered_mwh,
                residual_above_threshold_mw: outcome.residual_above_threshold_mw,
                firm_capacity_mw: region.firm_capacity_mw,
                capacity_shortfall_mw,
                firm_need_basis: need_basis.to_owned(),
                firm_capacity_needed_mw,
                firm_capacity_cost_usd: scenario.firm_capacity.cost_usd(firm_capacity_needed_mw),
                flexibility_avoided_mw,
                flexibility_avoided_cost_usd: scenario
                    .firm_capacity
                    .cost_usd(flexibility_avoided_mw),
                ai_co2_t: tonnes(
                    delivered_training_mwh + new_inference_energy,
                    region.co2_lb_per_mwh,
                ),
                ai_co2_marginal_t: tonnes(
                    delivered_training_mwh + new_inference_energy,
                    region.co2_marginal_lb_per_mwh,
                ),
                training_co2_t: tonnes(delivered_training_mwh, region.co2_lb_per_mwh),
                inference_co2_t: tonnes(new_inference_energy, region.co2_lb_per_mwh),
                reserve_margin_before_frac: reserve(baseline_peak_mw),
                reserve_margin_after_frac: reserve(total_peak_after_mw),
                headroom_baseline_mw: headroom.baseline_mw,
                headroom_after_inference_mw: headroom.after_inference_mw,
                headroom_after_ai_mw: headroom.after_ai_mw,
                inference_shaped_headroom_mw: headroom.inference_shaped_mw,
            });

            let set = &mut sets[w_index];
            for t in 0..hours {
                set.baseline[t] += b.baseline[t];
                set.total[t] += b.total[t];
                set.total_after[t] += b.total_after[t];
            }
            set.row.baseline_energy_mwh += baseline_energy;
            set.row.training_energy_mwh += training_energy;
            set.row.inference_energy_mwh += inference_energy;
            set.row.ai_energy_mwh += ai_energy;
            set.row.new_ai_energy_mwh += new_ai_energy;
            set.row.noncoincident_sum_of_peaks_mw += total_peak_mw;
            set.row.training_curtailed_mwh += outcome.curtailed_mwh;
            set.row.residual_above_threshold_sum_mw += outcome.residual_above_threshold_mw;
            set.row.firm_capacity_needed_sum_mw += firm_capacity_needed_mw;
            // The two bases measure different things: keep their parts apart too.
            if need_basis == "capacity_shortfall" {
                set.row.firm_capacity_needed_capacity_basis_sum_mw += firm_capacity_needed_mw;
            } else {
                set.row.firm_capacity_needed_residual_basis_sum_mw += firm_capacity_needed_mw;
            }
            set.row.firm_capacity_cost_usd +=
                scenario.firm_capacity.cost_usd(firm_capacity_needed_mw);
            set.row.flexibility_avoided_sum_mw += flexibility_avoided_mw;
            if let Some(t) = tonnes(
                delivered_training_mwh + new_inference_energy,
                region.co2_lb_per_mwh,
            ) {
                set.row.ai_co2_t += t;
            }
            if let Some(sink) = observer.hourly {
                hand_over(
                    sink,
                    options.hourly,
                    study,
                    region,
                    year,
                    (w_index, w),
                    peak_index,
                    &b,
                )?;
            }
        }
        if let Some(progress) = observer.on_region_year {
            progress();
        }
    }
    let set_rows = sets
        .into_iter()
        .map(|mut s| {
            s.row.coincident_baseline_peak_mw = peak(&s.baseline).1;
            s.row.coincident_total_peak_mw = peak(&s.total).1;
            s.row.coincident_total_peak_after_flex_mw = peak(&s.total_after).1;
            s.row
        })
        .collect();
    Ok(YearOutcome {
        metrics: rows,
        set_metrics: set_rows,
        negative_new,
    })
}

/// The headroom metrics of one region-year-weather-year (MW).
struct HeadroomMetrics {
    baseline_mw: f64,
    after_inference_mw: f64,
    after_ai_mw: f64,
    inference_shaped_mw: f64,
}

impl HeadroomMetrics {
    fn not_computed() -> Self {
        Self {
            baseline_mw: f64::NAN,
            after_inference_mw: f64::NAN,
            after_ai_mw: f64::NAN,
            inference_shaped_mw: f64::NAN,
        }
    }
}

/// Headroom at `limit` on the baseline, for an inference-shaped new load, after firm
/// inference, and after all AI load (one weather year each).
fn headroom_metrics(b: &mut Buffers, limit: f64) -> HeadroomMetrics {
    let base_slices = [(b.baseline.as_slice(), b.threshold.as_slice(), None)];
    margin_points(&base_slices, &mut b.points);
    let baseline_mw = solve_headroom_partial_mw(&mut b.points, limit);
    let shaped_slices = [(
        b.baseline.as_slice(),
        b.threshold.as_slice(),
        Some(b.inference_shape.as_slice()),
    )];
    margin_points(&shaped_slices, &mut b.points);
    let inference_shaped_mw = solve_headroom_partial_mw(&mut b.points, limit);
    b.firm.clear();
    b.firm
        .extend(b.baseline.iter().zip(&b.inference).map(|(x, y)| x + y));
    let firm_slices = [(b.firm.as_slice(), b.threshold.as_slice(), None)];
    margin_points(&firm_slices, &mut b.points);
    let after_inference_mw = solve_headroom_partial_mw(&mut b.points, limit);
    let ai_slices = [(b.total_after.as_slice(), b.threshold.as_slice(), None)];
    margin_points(&ai_slices, &mut b.points);
    let after_ai_mw = solve_headroom_partial_mw(&mut b.points, limit);
    HeadroomMetrics {
        baseline_mw,
        after_inference_mw,
        after_ai_mw,
        inference_shaped_mw,
    }
}

/// Hand the window of this region-year-weather-year's series to the sink.
#[allow(clippy::too_many_arguments)]
fn hand_over(
    sink: &dyn HourlySink,
    window: HourlyWindow,
    study: &Study,
    region: &Region,
    year: i32,
    (weather_index, weather_year): (usize, i32),
    peak_index: usize,
    b: &Buffers,
) -> Result<()> {
    let hours = b.baseline.len();
    let range = match window {
        HourlyWindow::None => return Ok(()),
        HourlyWindow::All => 0..hours,
        HourlyWindow::PeakWeek => {
            let week = crate::time::HOURS_PER_WEEK.min(hours);
            let start = peak_index.saturating_sub(week / 2).min(hours - week);
            start..start + week
        }
    };
    sink.accept(&HourlySeries {
        inference_mw: &b.inference_gross[range.clone()],
        scenario: &study.scenario.name,
        region: &region.id,
        year,
        weather_year,
        weather_index,
        first_epoch_hour: year_start_epoch_hour(year) + range.start as i64,
        baseline_mw: &b.baseline[range.clone()],
        new_inference_mw: &b.inference[range.clone()],
        new_training_mw: &b.training[range.clone()],
        new_training_after_flex_mw: &b.training_after[range.clone()],
        threshold_mw: &b.threshold[range],
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::input::study::{StudyFiles, load_study};

    /// (region, year, weather year, first hour, hours, index of the largest total).
    type Seen = (String, i32, i32, i64, usize, usize);

    /// Keeps what the sink was handed.
    #[derive(Default)]
    struct Collect(Mutex<Vec<Seen>>);

    impl HourlySink for Collect {
        fn accept(&self, s: &HourlySeries<'_>) -> Result<()> {
            let totals: Vec<f64> = (0..s.baseline_mw.len())
                .map(|t| (s.baseline_mw[t] + s.new_inference_mw[t]) + s.new_training_mw[t])
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

    /// The small test fixture (two regions, weather years 2023–2024), in memory.
    pub(crate) fn fixture() -> Study {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        let files = StudyFiles {
            scenario: root.join("scenarios/small.toml"),
            regions: root.join("regions/pnw.toml"),
            years: None,
            weather_years: vec![2023, 2024],
        };
        load_study(&files).unwrap().study
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
