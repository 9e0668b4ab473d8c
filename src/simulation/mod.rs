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

/// A region's data, prepared once: the load with its reference year and threshold.
#[derive(Debug)]
pub struct PreparedRegion<'a> {
    /// The hourly load.
    pub load: &'a HourlyLoad,
    /// The year whose mean level the weather years are scaled to.
    pub reference_year: i32,
    /// The flexibility threshold at the reference year's level.
    pub threshold: Threshold,
    /// Design peak (MW) at the reference year's level: the median of the yearly peaks of
    /// every full year of data, each scaled to the reference level (a typical-weather,
    /// 50/50 peak, the demand planning reserves are set on).
    pub design_peak_mw: f64,
}

impl PreparedRegion<'_> {
    /// The threshold of target `year` in summer and winter hours (MW): a seasonal one
    /// grows with the baseline, a flat one does not.
    pub(crate) fn threshold_levels_mw(&self, region: &Region, year: i32) -> (f64, f64) {
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year);
        match self.threshold {
            Threshold::Seasonal {
                summer_mw,
                winter_mw,
            } => (summer_mw * growth, winter_mw * growth),
            Threshold::Flat(mw) => (mw, mw),
        }
    }

    /// The design peak of target `year` (MW): grown with the baseline.
    pub(crate) fn design_peak_mw(&self, region: &Region, year: i32) -> f64 {
        self.design_peak_mw
            * (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year)
    }

    /// The threshold series of target `year` into `out`.
    fn threshold_series(&self, region: &Region, year: i32, months: &[u8], out: &mut Vec<f64>) {
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year);
        self.threshold.series(months, growth, out);
    }
}

/// Prepare the nation's siting regions (over the nation's fixed weather years), when the
/// study is sited on a nation.
///
/// # Errors
/// A siting region whose data lack one of the nation's weather years.
pub fn prepare_nation(study: &Study) -> Result<Option<Vec<PreparedRegion<'_>>>> {
    let Some(nation) = &study.nation else {
        return Ok(None);
    };
    nation
        .regions
        .regions
        .iter()
        .zip(&nation.loads)
        .map(|(region, load)| prepare_region(region, load, &nation.weather_years))
        .collect::<Result<Vec<_>>>()
        .map(Some)
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
    // Load files refuse a weather year without load; this keeps a study built in memory
    // from reaching the scaling of such a year (an error, never a panic).
    for year in weather_years.iter().chain(std::iter::once(&reference_year)) {
        if baseline_scale(load, *year, reference_year, reference_year, 0.0).is_none() {
            bail!(
                "region `{}`: year {year} (a weather year or the reference year) of its load data {} holds no load (mean 0 MW); expected a region's load in every weather year",
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
    let mut yearly_peaks_mw: Vec<f64> = available
        .iter()
        .filter_map(|&y| {
            let scale = baseline_scale(load, y, reference_year, reference_year, 0.0)?;
            let peak = load.year_slice(y)?.iter().copied().fold(0.0_f64, f64::max);
            Some(peak * scale)
        })
        .collect();
    yearly_peaks_mw.sort_by(f64::total_cmp);
    let design_peak_mw = median_of_sorted(&yearly_peaks_mw);
    Ok(PreparedRegion {
        load,
        reference_year,
        threshold,
        design_peak_mw,
    })
}

/// Median of sorted values (0 for none).
fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// Per-task buffers: one allocation per series, reused for every region and weather year.
#[derive(Default)]
struct Buffers {
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
        &national_new_datacentre_mw(study, &plan, &target, &metrics),
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
                .with_non_ai(
                    study
                        .scenario
                        .non_ai
                        .as_ref()
                        .map(|n| n.average_mw(plan.years[y]) * 8760.0),
                )
            })
            .collect(),
        siting: siting_rows(study, &plan, &target),
        metrics,
        set_metrics,
        notes,
        milestone_years: study.scenario.milestone_years(study.years),
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
/// the regions' peak hours to their new AI average; plus the non-AI data centres' growth
/// (flat, so its peak is its average) when the scenario counts them.
fn national_new_datacentre_mw(
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
            // Sited on a nation, regional loads are part of the projection (they replace
            // their regions' shares); sited on its own, a set adds them on top.
            let on_top = if study.nation.is_some() { 0.0 } else { 1.0 };
            let regional: f64 = on_top
                * scenario
                    .regional_loads
                    .iter()
                    .map(|l| {
                        let power_frac = match l.workload {
                            WorkloadKind::Inference => scenario.inference.power_frac,
                            WorkloadKind::Training => scenario.training.power_frac,
                        };
                        l.built_rated_mw(year) * power_frac
                    })
                    .sum::<f64>();
            let rows = metrics.iter().filter(|m| m.year == year);
            let (at_peak, average) = rows.fold((0.0, 0.0), |(p, a), m| {
                (p + m.new_ai_at_peak_mw, a + m.new_ai_energy_mwh / m.hours)
            });
            let to_peak = if average > 0.0 {
                at_peak / average
            } else {
                1.0
            };
            let non_ai = scenario
                .non_ai
                .as_ref()
                .map_or(0.0, |n| n.average_mw(year) - n.average_mw(plan.years[0]));
            (year, (total(y) - total(0) + regional) * to_peak + non_ai)
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
    let n = study.regions.regions.len();
    let outside: &[&str] = if study.nation.is_some() {
        &[UNALLOCATED, OUTSIDE_SET]
    } else {
        &[UNALLOCATED]
    };
    let ids = study
        .regions
        .regions
        .iter()
        .map(|r| r.id.as_str())
        .chain(outside.iter().copied());
    let mut rows = Vec::new();
    for &y in target {
        for (r, id) in ids.clone().enumerate() {
            for (workload, stocks, added, power_frac) in &workloads {
                let pick = |s: &Stock| match r.checked_sub(n) {
                    None => s.region_mw[r],
                    Some(0) => s.unallocated_mw,
                    Some(_) => s.outside_set_mw,
                };
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

/// Gross average loads (inference, training; MW) the scenario places in region `r` in
/// siting year `y` of `plan`: the stock plus the regional loads built by then.
#[must_use]
pub fn gross_average_mw(
    scenario: &Scenario,
    region: &Region,
    plan: &SitingPlan,
    r: usize,
    y: usize,
) -> (f64, f64) {
    RegionYear::gross_avg_mw(scenario, region, plan, r, y)
}

/// What one target year gives.
struct YearOutcome {
    metrics: Vec<MetricsRow>,
    set_metrics: Vec<SetMetricsRow>,
    /// "REGION YEAR workload" where the new load is negative.
    negative_new: Vec<String>,
}

/// The region set's hourly sums of one weather year, and its row.
struct SetSums {
    baseline: Vec<f64>,
    total: Vec<f64>,
    total_after: Vec<f64>,
    row: SetMetricsRow,
}

impl SetSums {
    fn new(row: SetMetricsRow, hours: usize) -> Self {
        Self {
            baseline: vec![0.0; hours],
            total: vec![0.0; hours],
            total_after: vec![0.0; hours],
            row,
        }
    }

    fn series(&mut self) -> SetSeries<'_> {
        SetSeries {
            baseline_mw: &mut self.baseline,
            total_mw: &mut self.total,
            total_after_mw: &mut self.total_after,
        }
    }

    /// Close the row: the coincident peaks of the summed series.
    fn finish(mut self) -> SetMetricsRow {
        self.row.coincident_baseline_peak_mw = peak(&self.baseline).1;
        let (peak_index, peak_mw) = peak(&self.total);
        self.row.coincident_total_peak_mw = peak_mw;
        self.row.coincident_total_peak_hour_utc =
            epoch_hour_to_datetime(year_start_epoch_hour(self.row.year) + peak_index as i64)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
        self.row.coincident_total_peak_after_flex_mw = peak(&self.total_after).1;
        self.row
    }
}

/// One region in one target year: the scalars every weather year shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegionYear<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) region: &'a Region,
    pub(crate) year: i32,
    /// Gross loads the scenario places here (average MW).
    pub(crate) inference_avg_mw: f64,
    pub(crate) training_avg_mw: f64,
    /// Loads already inside the measured baseline (average MW).
    pub(crate) existing_inference_mw: f64,
    pub(crate) existing_training_mw: f64,
    /// Non-AI data-centre load here, and the part already inside the measured baseline
    /// (average MW; 0 when the scenario counts only AI).
    pub(crate) non_ai_avg_mw: f64,
    pub(crate) existing_non_ai_mw: f64,
    /// Σ of each shape over the year's hours.
    pub(crate) inference_shape_sum: f64,
    pub(crate) training_shape_sum: f64,
    /// Threshold in summer and winter hours (MW).
    pub(crate) threshold_mw: (f64, f64),
    /// Design (typical-weather) peak of the baseline (MW), the demand resources are
    /// planned on.
    pub(crate) design_peak_mw: f64,
    /// Data-centre capacity built here by this year (rated IT MW, both workloads, with
    /// the regional loads), and the inference refit into capacity training left this year.
    pub(crate) built_rated_mw: f64,
    pub(crate) refit_rated_mw: f64,
}

/// Curtailment depths the firm-capacity need is also reported at (shares of the hour's
/// new training): Emerald AI's demonstrated 25 %, half, and all of it.
pub const NEED_DEPTHS_FRAC: [f64; 3] = [0.25, 0.5, 1.0];

impl<'a> RegionYear<'a> {
    /// Region `r` of `plan`'s siting year `y` (target `year`), with the shape sums of the
    /// year and the region's threshold.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        scenario: &'a Scenario,
        region: &'a Region,
        plan: &SitingPlan,
        (r, y, year): (usize, usize, i32),
        (inference_shape_sum, training_shape_sum): (f64, f64),
        (threshold_mw, design_peak_mw): ((f64, f64), f64),
    ) -> Self {
        // Gross: what the scenario places here; new: what the measured baseline does not
        // already hold. Only new load is added to the hours, and only new training flexes.
        // Regional loads (large-load requests) are new load on top of the projection.
        let (inference_avg_mw, training_avg_mw) = Self::gross_avg_mw(scenario, region, plan, r, y);
        // Regional loads are built on top of the stocks (their rated MW never fall).
        let regional_rated_mw = (inference_avg_mw - plan.inference[y].region_mw[r])
            / scenario.inference.power_frac
            + (training_avg_mw - plan.training[y].region_mw[r]) / scenario.training.power_frac;
        let (non_ai_avg_mw, existing_non_ai_mw) =
            scenario.non_ai.as_ref().map_or((0.0, 0.0), |n| {
                (plan.non_ai_mw(n, r, y), plan.existing_non_ai_mw(n, r))
            });
        Self {
            scenario,
            region,
            year,
            inference_avg_mw,
            training_avg_mw,
            existing_inference_mw: plan.existing_inference_mw[r],
            existing_training_mw: plan.existing_training_mw[r],
            non_ai_avg_mw,
            existing_non_ai_mw,
            inference_shape_sum,
            training_shape_sum,
            threshold_mw,
            design_peak_mw,
            built_rated_mw: plan.built_rated[y].region_mw[r] + regional_rated_mw,
            refit_rated_mw: plan.refit_rated[y].region_mw[r],
        }
    }

    /// Gross average loads of region `r` in siting year `y` of `plan` (stock plus the
    /// regional loads built by then).
    pub(crate) fn gross_avg_mw(
        scenario: &Scenario,
        region: &Region,
        plan: &SitingPlan,
        r: usize,
        y: usize,
    ) -> (f64, f64) {
        let year = plan.years[y];
        let regional_rated_mw = |kind: WorkloadKind| -> f64 {
            scenario
                .regional_loads
                .iter()
                .filter(|l| l.region == region.id && l.workload == kind)
                .map(|l| l.built_rated_mw(year))
                .sum()
        };
        (
            plan.inference[y].region_mw[r]
                + regional_rated_mw(WorkloadKind::Inference) * scenario.inference.power_frac,
            plan.training[y].region_mw[r]
                + regional_rated_mw(WorkloadKind::Training) * scenario.training.power_frac,
        )
    }

    /// New loads (gross − existing), average MW.
    pub(crate) fn new_avg_mw(&self) -> (f64, f64) {
        (
            self.inference_avg_mw - self.existing_inference_mw,
            self.training_avg_mw - self.existing_training_mw,
        )
    }

    /// The levels of one weather year whose baseline scale is `baseline_scale`.
    pub(crate) fn levels(&self, baseline_scale: f64) -> Levels {
        let (new_inference_avg_mw, new_training_avg_mw) = self.new_avg_mw();
        Levels {
            baseline_scale,
            new_inference_avg_mw,
            new_training_avg_mw,
            new_non_ai_mw: self.non_ai_avg_mw - self.existing_non_ai_mw,
            threshold_summer_mw: self.threshold_mw.0,
            threshold_winter_mw: self.threshold_mw.1,
        }
    }

    /// The `metrics.csv` row of weather year `weather_year` from the hourly pass. With
    /// `labels` false the text columns stay empty (a sweep keeps only numbers).
    pub(crate) fn row(
        &self,
        weather_year: i32,
        inputs: &HourInputs<'_>,
        stats: &HourStats,
        headroom: &HeadroomMetrics,
        depth_peaks_after_mw: Option<[f64; 3]>,
        labels: bool,
    ) -> MetricsRow {
        let Self {
            scenario,
            region,
            year,
            inference_avg_mw,
            training_avg_mw,
            existing_inference_mw,
            existing_training_mw,
            ..
        } = *self;
        let (new_inference_avg_mw, new_training_avg_mw) = self.new_avg_mw();
        let hours = inputs.raw_baseline_mw.len();
        let outcome = &stats.flex;
        let baseline_peak_mw = stats.baseline_peak_mw;
        let total_peak_mw = stats.total_peak_mw;
        let total_peak_after_mw = stats.total_peak_after_mw;
        let peak_index = stats.peak_index;
        let new_training_energy = stats.new_training_energy_mwh;
        let new_inference_energy = stats.new_inference_energy_mwh;
        let training_energy = training_avg_mw * self.training_shape_sum;
        let inference_energy = inference_avg_mw * self.inference_shape_sum;
        let ai_energy = training_energy + inference_energy;
        let new_ai_energy = new_training_energy + new_inference_energy;
        // What may flex: new training, plus the flexible share of new inference.
        let flexible_energy =
            stats.flexible_energy_mwh(scenario.flexibility.flexible_inference_frac);
        // One planning measure everywhere (docs/methodology.md §10.9): the design peak ×
        // (1 + reference margin) against the region's resources. Resources: the NERC area's
        // anticipated margin over the baseline's design peak (kept as the baseline grows),
        // else the capacity the region states, else exactly the reference margin.
        let margin = region.reserve_margin_frac;
        let (resources_mw, resources_basis) = match (
            region.anticipated_reserve_margin_frac,
            region.firm_capacity_mw,
        ) {
            (Some(anticipated), _) => (
                self.design_peak_mw * (1.0 + anticipated),
                "nerc_ltra_2025_anticipated",
            ),
            (None, Some(stated_mw)) => (stated_mw, "stated_firm_capacity"),
            (None, None) => (self.design_peak_mw * (1.0 + margin), "at_reference_margin"),
        };
        let reserve = |peak_mw: f64| (resources_mw - peak_mw) / peak_mw;
        let need = |peak_mw: f64| (peak_mw * (1.0 + margin) - resources_mw).max(0.0);
        let capacity_shortfall_mw = need(total_peak_after_mw);
        // The new load's share: the need with it less the need without it (weather worse
        // than the design peak can leave a need without any new load).
        let need_without_new = need(baseline_peak_mw);
        let firm_capacity_needed_mw = capacity_shortfall_mw - need_without_new;
        let flexibility_avoided_mw = need(total_peak_mw) - capacity_shortfall_mw;
        let new_load_reserve_requirement_mw =
            (total_peak_after_mw - baseline_peak_mw) * (1.0 + margin);
        let at_depth =
            |i: usize| depth_peaks_after_mw.map(|peaks| need(peaks[i]) - need_without_new);
        let avoided_at_depth =
            |i: usize| depth_peaks_after_mw.map(|peaks| need(total_peak_mw) - need(peaks[i]));
        let cone = region.cone_usd_per_kw;
        // Emissions of the AI energy delivered (curtailed energy emits nothing).
        let delivered_training_mwh =
            new_training_energy - outcome.curtailed_mwh + outcome.recovered_mwh;
        let rate_factor = region.co2_year.map_or(1.0, |base| {
            (1.0 + scenario.co2_rate_change_per_year_frac).powi(year - base)
        });
        let tonnes = |mwh: f64, lb_per_mwh: Option<f64>| {
            lb_per_mwh.map(|rate| mwh * rate * rate_factor * METRIC_TONNES_PER_LB)
        };
        let inference_at_peak_mw = inference_avg_mw * inputs.inference_shape[peak_index];
        let training_at_peak_mw = training_avg_mw * inputs.training_shape[peak_index];
        let new_ai_at_peak_mw = new_inference_avg_mw * inputs.inference_shape[peak_index]
            + new_training_avg_mw * inputs.training_shape[peak_index];
        let load_factor = |energy_mwh: f64, peak_mw: f64| {
            if peak_mw <= 0.0 {
                0.0
            } else {
                energy_mwh / hours as f64 / peak_mw
            }
        };
        let label = |text: &str| {
            if labels {
                text.to_owned()
            } else {
                String::new()
            }
        };
        // Hour `index` of the target year, in UTC or in the region's local time (with its
        // offset, so daylight saving is visible).
        let hour_text = |index: usize, zone: Option<chrono_tz::Tz>| {
            if !labels {
                return String::new();
            }
            let utc = epoch_hour_to_datetime(year_start_epoch_hour(year) + index as i64);
            match zone {
                None => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                Some(zone) => utc
                    .with_timezone(&zone)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string(),
            }
        };
        MetricsRow {
            scenario: label(&scenario.name),
            region: label(&region.id),
            year,
            weather_year,
            hours: hours as f64,
            baseline_energy_mwh: stats.baseline_energy_mwh,
            training_energy_mwh: training_energy,
            inference_energy_mwh: inference_energy,
            ai_energy_mwh: ai_energy,
            ai_energy_share_frac: ai_energy / (stats.baseline_energy_mwh + new_ai_energy),
            training_average_mw: training_avg_mw,
            inference_average_mw: inference_avg_mw,
            training_rated_mw: training_avg_mw / scenario.training.power_frac,
            inference_rated_mw: inference_avg_mw / scenario.inference.power_frac,
            existing_training_mw,
            existing_inference_mw,
            non_ai_average_mw: self.non_ai_avg_mw,
            existing_non_ai_mw: self.existing_non_ai_mw,
            new_non_ai_energy_mwh: stats.new_non_ai_energy_mwh,
            new_training_energy_mwh: new_training_energy,
            new_inference_energy_mwh: new_inference_energy,
            new_ai_energy_mwh: new_ai_energy,
            baseline_peak_mw,
            total_peak_mw,
            peak_increase_mw: total_peak_mw - baseline_peak_mw,
            peak_increase_frac: (total_peak_mw - baseline_peak_mw) / baseline_peak_mw,
            total_peak_hour_utc: hour_text(peak_index, None),
            total_peak_hour_local: hour_text(peak_index, Some(region.time_zone)),
            baseline_peak_hour_utc: hour_text(inputs.raw_stats.max_index, None),
            baseline_peak_hour_local: hour_text(inputs.raw_stats.max_index, Some(region.time_zone)),
            ai_at_peak_mw: inference_at_peak_mw + training_at_peak_mw,
            inference_at_peak_mw,
            training_at_peak_mw,
            new_ai_at_peak_mw,
            new_datacentre_at_peak_mw: new_ai_at_peak_mw + self.non_ai_avg_mw
                - self.existing_non_ai_mw,
            total_peak_after_flex_mw: total_peak_after_mw,
            baseline_load_factor_frac: load_factor(stats.baseline_energy_mwh, baseline_peak_mw),
            total_load_factor_frac: load_factor(stats.total_energy_mwh, total_peak_mw),
            total_load_factor_after_flex_frac: load_factor(
                stats.total_energy_after_mwh,
                total_peak_after_mw,
            ),
            baseline_max_ramp_up_mw_per_h: stats.baseline_ramps_mw_per_h.0,
            baseline_max_ramp_down_mw_per_h: stats.baseline_ramps_mw_per_h.1,
            total_max_ramp_up_mw_per_h: stats.total_ramps_mw_per_h.0,
            total_max_ramp_down_mw_per_h: stats.total_ramps_mw_per_h.1,
            total_max_ramp_up_after_flex_mw_per_h: stats.total_ramps_after_mw_per_h.0,
            total_max_ramp_down_after_flex_mw_per_h: stats.total_ramps_after_mw_per_h.1,
            threshold_summer_mw: self.threshold_mw.0,
            threshold_winter_mw: self.threshold_mw.1,
            hours_above_threshold_before: outcome.hours_above_before as f64,
            energy_above_threshold_before_mwh: outcome.energy_above_before_mwh,
            hours_above_threshold_after: outcome.hours_above_after as f64,
            energy_above_threshold_after_mwh: outcome.energy_above_after_mwh,
            training_curtailed_mwh: outcome.curtailed_mwh,
            curtailment_rate_frac: if flexible_energy > 0.0 {
                outcome.curtailed_mwh / flexible_energy
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
            firm_capacity_mw: Some(resources_mw),
            capacity_shortfall_mw: Some(capacity_shortfall_mw),
            firm_need_basis: label("planning_reserve"),
            firm_capacity_needed_mw,
            firm_capacity_cost_usd: scenario
                .firm_capacity
                .cost_usd(firm_capacity_needed_mw, cone),
            flexibility_avoided_mw,
            flexibility_avoided_cost_usd: scenario
                .firm_capacity
                .cost_usd(flexibility_avoided_mw, cone),
            resources_basis: label(resources_basis),
            design_peak_mw: self.design_peak_mw,
            new_load_reserve_requirement_mw,
            firm_capacity_annual_cost_usd: scenario
                .firm_capacity
                .annual_cost_usd(firm_capacity_needed_mw, cone),
            cone_usd_per_kw: cone.unwrap_or(scenario.firm_capacity.technology().usd_per_kw),
            firm_capacity_needed_depth_0_25_mw: at_depth(0),
            firm_capacity_needed_depth_0_50_mw: at_depth(1),
            firm_capacity_needed_depth_1_00_mw: at_depth(2),
            flexibility_avoided_depth_0_25_mw: avoided_at_depth(0),
            flexibility_avoided_depth_0_50_mw: avoided_at_depth(1),
            flexibility_avoided_depth_1_00_mw: avoided_at_depth(2),
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
            reserve_margin_before_frac: Some(reserve(baseline_peak_mw)),
            reserve_margin_after_frac: Some(reserve(total_peak_after_mw)),
            headroom_baseline_mw: headroom.baseline_mw,
            headroom_after_inference_mw: headroom.after_inference_mw,
            headroom_after_ai_mw: headroom.after_ai_mw,
            inference_shaped_headroom_mw: headroom.inference_shaped_mw,
            built_rated_mw: self.built_rated_mw,
            // Built MW neither workload uses (never below 0 beyond rounding).
            idle_rated_mw: (self.built_rated_mw
                - training_avg_mw / scenario.training.power_frac
                - inference_avg_mw / scenario.inference.power_frac)
                .max(0.0),
            refit_rated_mw: self.refit_rated_mw,
        }
    }
}

/// Add a region's row to its region set's row (the sums; peaks come from the series).
pub(crate) fn add_to_set_row(set: &mut SetMetricsRow, m: &MetricsRow) {
    set.baseline_energy_mwh += m.baseline_energy_mwh;
    set.training_energy_mwh += m.training_energy_mwh;
    set.inference_energy_mwh += m.inference_energy_mwh;
    set.ai_energy_mwh += m.ai_energy_mwh;
    set.new_ai_energy_mwh += m.new_ai_energy_mwh;
    set.new_non_ai_energy_mwh += m.new_non_ai_energy_mwh;
    set.noncoincident_sum_of_peaks_mw += m.total_peak_mw;
    set.training_curtailed_mwh += m.training_curtailed_mwh;
    set.residual_above_threshold_sum_mw += m.residual_above_threshold_mw;
    set.firm_capacity_needed_sum_mw += m.firm_capacity_needed_mw;
    set.new_load_reserve_requirement_sum_mw += m.new_load_reserve_requirement_mw;
    set.firm_capacity_cost_usd += m.firm_capacity_cost_usd;
    set.firm_capacity_annual_cost_usd += m.firm_capacity_annual_cost_usd;
    for (sum, value) in [
        (
            &mut set.firm_capacity_needed_depth_0_25_sum_mw,
            m.firm_capacity_needed_depth_0_25_mw,
        ),
        (
            &mut set.firm_capacity_needed_depth_0_50_sum_mw,
            m.firm_capacity_needed_depth_0_50_mw,
        ),
        (
            &mut set.firm_capacity_needed_depth_1_00_sum_mw,
            m.firm_capacity_needed_depth_1_00_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_0_25_sum_mw,
            m.flexibility_avoided_depth_0_25_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_0_50_sum_mw,
            m.flexibility_avoided_depth_0_50_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_1_00_sum_mw,
            m.flexibility_avoided_depth_1_00_mw,
        ),
    ] {
        // Known only when every region's is (a sweep leaves them out).
        *sum = match (*sum, value) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    set.flexibility_avoided_sum_mw += m.flexibility_avoided_mw;
    // The regions with a rate are summed; those without are counted (not taken as 0).
    match m.ai_co2_t {
        Some(t) => set.ai_co2_t = Some(set.ai_co2_t.unwrap_or(0.0) + t),
        None => set.regions_without_co2_rate += 1.0,
    }
}

/// Whether each hour of a year with these UTC `months` takes the summer threshold.
pub(crate) fn summer_hours(months: &[u8], out: &mut Vec<bool>) {
    out.clear();
    out.extend(
        months
            .iter()
            .map(|m| (SUMMER_FIRST_MONTH..=SUMMER_LAST_MONTH).contains(m)),
    );
}

fn run_year(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    plan: &SitingPlan,
    year_index: usize,
    options: &SimOptions,
    observer: &Observer<'_>,
) -> Result<YearOutcome> {
    let year = plan.years[year_index];
    let scenario = &study.scenario;
    let mut negative_new = Vec::new();
    let hours = hours_in_year(year);
    let mut b = Buffers::default();
    months_of_year(year, &mut b.months);
    summer_hours(&b.months, &mut b.summer);
    let mut sets: Vec<SetSums> = study
        .weather_years
        .iter()
        .map(|&w| {
            let row = SetMetricsRow {
                scenario: study.scenario.name.clone(),
                region_set: study.regions.id.clone(),
                year,
                weather_year: w,
                unallocated_training_mw: plan.training[year_index].unallocated_mw,
                unallocated_inference_mw: plan.inference[year_index].unallocated_mw,
                outside_set_training_mw: plan.training[year_index].outside_set_mw,
                outside_set_inference_mw: plan.inference[year_index].outside_set_mw,
                ..SetMetricsRow::with_depth_sums()
            };
            SetSums::new(row, hours)
        })
        .collect();
    let mut rows = Vec::with_capacity(prepared.len() * study.weather_years.len());
    let limit = study.scenario.flexibility.headroom_limit_frac;
    let full_series = options.headroom_metrics
        || (observer.hourly.is_some() && options.hourly != HourlyWindow::None);
    // ISOs reported as the coincident aggregate of their zones (need the full series).
    let aggregates: &[Aggregate] = match &study.nation {
        Some(nation) if full_series => &nation.aggregates,
        _ => &[],
    };
    let aggregate_of: Vec<Option<usize>> = (0..study.regions.regions.len())
        .map(|r| aggregates.iter().position(|a| a.members.contains(&r)))
        .collect();
    let mut aggregate_sums: Vec<Vec<AggregateSums>> = aggregates
        .iter()
        .map(|a| {
            study
                .weather_years
                .iter()
                .map(|&w| AggregateSums {
                    new_before_mw: vec![0.0; hours],
                    new_after_mw: vec![0.0; hours],
                    row: SetMetricsRow {
                        scenario: study.scenario.name.clone(),
                        region_set: a.region.id.clone(),
                        year,
                        weather_year: w,
                        ..SetMetricsRow::default()
                    },
                })
                .collect()
        })
        .collect();
    let mut scratch = KernelScratch::default();
    for (r, (region, data)) in study.regions.regions.iter().zip(prepared).enumerate() {
        // At the facility meter: the PUE by season and hour, where the scenario gives it.
        let facility = study.profiles.pue.as_ref().map(|p| (p, scenario.pue));
        facility_shape_for_year(
            &study.profiles.inference,
            facility,
            region.time_zone,
            year,
            &mut b.inference_shape,
        );
        facility_shape_for_year(
            &study.profiles.training,
            facility,
            region.time_zone,
            year,
            &mut b.training_shape,
        );
        let context = RegionYear::new(
            scenario,
            region,
            plan,
            (r, year_index, year),
            (
                b.inference_shape.iter().sum(),
                b.training_shape.iter().sum(),
            ),
            (
                data.threshold_levels_mw(region, year),
                data.design_peak_mw(region, year),
            ),
        );
        let inference_avg_mw = context.inference_avg_mw;
        let (new_inference_avg_mw, new_training_avg_mw) = context.new_avg_mw();
        for (workload, new_mw) in [
            ("inference", new_inference_avg_mw),
            ("training", new_training_avg_mw),
        ] {
            if new_mw < -1e-9 {
                negative_new.push(format!("{} {year} {workload}", region.id));
            }
        }
        for (w_index, &w) in study.weather_years.iter().enumerate() {
            let scale = baseline_scale(
                data.load,
                w,
                data.reference_year,
                year,
                region.baseline_growth_per_year_frac,
            )
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "region `{}`: weather year {w} of its load data holds no load (mean 0 MW)",
                    region.id
                )
            })?;
            baseline_for(data.load, w, year, 1.0, &mut b.raw_baseline);
            let raw_stats = RawBaselineStats::of(&b.raw_baseline, &b.summer);
            let inputs = HourInputs {
                raw_baseline_mw: &b.raw_baseline,
                raw_stats: &raw_stats,
                shape_sums: (context.inference_shape_sum, context.training_shape_sum),
                inference_shape: &b.inference_shape,
                training_shape: &b.training_shape,
                summer: &b.summer,
            };
            let levels = context.levels(scale);
            let set = &mut sets[w_index];
            let stats = if full_series {
                evaluate::<true>(
                    &inputs,
                    &levels,
                    &scenario.flexibility,
                    &mut scratch,
                    &mut set.series(),
                    &mut b.full,
                )
            } else {
                evaluate::<false>(
                    &inputs,
                    &levels,
                    &scenario.flexibility,
                    &mut scratch,
                    &mut set.series(),
                    &mut b.full,
                )
            };
            let headroom = if options.headroom_metrics {
                headroom_metrics(
                    &b.full,
                    &b.inference_shape,
                    (&mut b.firm, &mut b.points),
                    limit,
                )
            } else {
                HeadroomMetrics::not_computed()
            };
            // The need at other curtailment depths (a run's; a sweep draws the depth).
            let depth_peaks_after_mw = peaks_after_at_depths(
                &inputs,
                &levels,
                &scenario.flexibility,
                stats.flexible_energy_mwh(scenario.flexibility.flexible_inference_frac),
                NEED_DEPTHS_FRAC,
                &mut scratch,
            );
            let row = context.row(
                w,
                &inputs,
                &stats,
                &headroom,
                Some(depth_peaks_after_mw),
                true,
            );
            add_to_set_row(&mut set.row, &row);
            if let Some(a) = aggregate_of[r] {
                aggregate_sums[a][w_index].add(&b.full, &row);
            }
            rows.push(row);
            if let Some(sink) = observer.hourly {
                hand_over(
                    sink,
                    options.hourly,
                    study,
                    (region, inference_avg_mw),
                    year,
                    (w_index, w),
                    stats.peak_index,
                    &b,
                )?;
            }
        }
        if let Some(progress) = observer.on_region_year {
            progress();
        }
    }
    let mut set_metrics: Vec<SetMetricsRow> = sets.into_iter().map(SetSums::finish).collect();
    for (aggregate, sums) in aggregates.iter().zip(aggregate_sums) {
        for (sums, &w) in sums.into_iter().zip(&study.weather_years) {
            set_metrics.push(sums.finish(aggregate, w, year, &mut b.baseline)?);
        }
    }
    Ok(YearOutcome {
        metrics: rows,
        set_metrics,
        negative_new,
    })
}

/// An ISO aggregate's sums of one weather year: its zones' new AI load, hour by hour.
struct AggregateSums {
    new_before_mw: Vec<f64>,
    new_after_mw: Vec<f64>,
    row: SetMetricsRow,
}

impl AggregateSums {
    /// Add a zone's new AI load (from the kernel's full series) and its row.
    fn add(&mut self, full: &FullSeries, row: &MetricsRow) {
        for (h, (before, after)) in self
            .new_before_mw
            .iter_mut()
            .zip(self.new_after_mw.iter_mut())
            .enumerate()
        {
            *before += full.new_inference_mw[h] + full.new_training_mw[h] + full.new_non_ai_mw[h];
            *after +=
                full.new_inference_mw[h] + full.new_training_after_mw[h] + full.new_non_ai_mw[h];
        }
        add_to_set_row(&mut self.row, row);
    }

    /// Close the row on the ISO's own BA record (scaled and grown as a region's
    /// baseline): its energy and the coincident peaks of record + the zones' new AI load.
    fn finish(
        mut self,
        aggregate: &Aggregate,
        weather_year: i32,
        year: i32,
        baseline: &mut Vec<f64>,
    ) -> Result<SetMetricsRow> {
        let load = &aggregate.load;
        let region = &aggregate.region;
        let reference = region
            .baseline_reference_year
            .or_else(|| load.weather_years().last().copied())
            .unwrap_or(weather_year);
        let scale = baseline_scale(
            load,
            weather_year,
            reference,
            year,
            region.baseline_growth_per_year_frac,
        )
        .ok_or_else(|| {
            anyhow::anyhow!(
                "ISO `{}`: weather year {weather_year} or its reference year {reference} is not in its load data {}",
                region.id,
                region.load_path.display()
            )
        })?;
        baseline_for(load, weather_year, year, scale, baseline);
        let peak_with = |added: &[f64]| {
            baseline
                .iter()
                .zip(added)
                .map(|(b, a)| b + a)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        self.row.baseline_energy_mwh = baseline.iter().sum();
        self.row.coincident_baseline_peak_mw = peak(baseline).1;
        self.row.coincident_total_peak_mw = peak_with(&self.new_before_mw);
        self.row.coincident_total_peak_after_flex_mw = peak_with(&self.new_after_mw);
        Ok(self.row)
    }
}

/// The headroom metrics of one region-year-weather-year (MW); `None` where not computed
/// (a sweep's samples): an empty cell, not a NaN.
pub(crate) struct HeadroomMetrics {
    baseline_mw: Option<f64>,
    after_inference_mw: Option<f64>,
    after_ai_mw: Option<f64>,
    inference_shaped_mw: Option<f64>,
}

impl HeadroomMetrics {
    pub(crate) fn not_computed() -> Self {
        Self {
            baseline_mw: None,
            after_inference_mw: None,
            after_ai_mw: None,
            inference_shaped_mw: None,
        }
    }
}

/// Headroom at `limit` on the baseline, for an inference-shaped new load, after firm
/// inference, and after all AI load (one weather year each).
fn headroom_metrics(
    full: &FullSeries,
    inference_shape: &[f64],
    (firm, points): (&mut Vec<f64>, &mut Vec<MarginPoint>),
    limit: f64,
) -> HeadroomMetrics {
    let base_slices = [(
        full.baseline_mw.as_slice(),
        full.threshold_mw.as_slice(),
        None,
    )];
    margin_points(&base_slices, points);
    let baseline_mw = solve_headroom_partial_mw(points, limit);
    let shaped_slices = [(
        full.baseline_mw.as_slice(),
        full.threshold_mw.as_slice(),
        Some(inference_shape),
    )];
    margin_points(&shaped_slices, points);
    let inference_shaped_mw = solve_headroom_partial_mw(points, limit);
    firm.clear();
    firm.extend(
        full.baseline_mw
            .iter()
            .zip(&full.new_inference_mw)
            .map(|(x, y)| x + y),
    );
    let firm_slices = [(firm.as_slice(), full.threshold_mw.as_slice(), None)];
    margin_points(&firm_slices, points);
    let after_inference_mw = solve_headroom_partial_mw(points, limit);
    let ai_slices = [(
        full.total_after_mw.as_slice(),
        full.threshold_mw.as_slice(),
        None,
    )];
    margin_points(&ai_slices, points);
    let after_ai_mw = solve_headroom_partial_mw(points, limit);
    HeadroomMetrics {
        baseline_mw: Some(baseline_mw),
        after_inference_mw: Some(after_inference_mw),
        after_ai_mw: Some(after_ai_mw),
        inference_shaped_mw: Some(inference_shaped_mw),
    }
}

/// Hand the window of this region-year-weather-year's series to the sink.
#[allow(clippy::too_many_arguments)]
fn hand_over(
    sink: &dyn HourlySink,
    window: HourlyWindow,
    study: &Study,
    (region, inference_avg_mw): (&Region, f64),
    year: i32,
    (weather_index, weather_year): (usize, i32),
    peak_index: usize,
    b: &Buffers,
) -> Result<()> {
    let full = &b.full;
    let hours = full.baseline_mw.len();
    let range = match window {
        HourlyWindow::None => return Ok(()),
        HourlyWindow::All => 0..hours,
        HourlyWindow::PeakWeek => {
            let week = crate::time::HOURS_PER_WEEK.min(hours);
            let start = peak_index.saturating_sub(week / 2).min(hours - week);
            start..start + week
        }
    };
    let gross_inference: Vec<f64> = b.inference_shape[range.clone()]
        .iter()
        .map(|s| inference_avg_mw * s)
        .collect();
    sink.accept(&HourlySeries {
        inference_mw: &gross_inference,
        scenario: &study.scenario.name,
        region: &region.id,
        year,
        weather_year,
        weather_index,
        first_epoch_hour: year_start_epoch_hour(year) + range.start as i64,
        baseline_mw: &full.baseline_mw[range.clone()],
        new_inference_mw: &full.new_inference_mw[range.clone()],
        new_training_mw: &full.new_training_mw[range.clone()],
        new_training_after_flex_mw: &full.new_training_after_mw[range.clone()],
        new_non_ai_mw: full.new_non_ai_mw.first().copied().unwrap_or(0.0),
        threshold_mw: &full.threshold_mw[range],
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

    /// The small test fixture (two regions, weather years 2023–2024), in memory.
    pub(crate) fn fixture() -> Study {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        let files = StudyFiles {
            scenario: root.join("scenarios/small.toml"),
            regions: root.join("regions/pnw.toml"),
            catalogue_ids: Vec::new(),
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
