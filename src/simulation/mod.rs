//! Runs the pipeline for one scenario over one region set: prepare each region (load,
//! weather-year scaling, thresholds), convert compute to power per year, site both
//! workloads, then for every region × year × weather year build the hourly series,
//! dispatch flexibility and compute metrics. Work is split over years with rayon; each
//! task keeps its own buffers (one allocation per series, reused over hours and weather
//! years) and results are gathered in a fixed order, so any thread count gives the same
//! bytes.
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::baseline::{baseline_for, baseline_scale, seasonal_thresholds_mw, threshold_series};
use crate::flexibility::{FlexScratch, dispatch_training};
use crate::headroom::{MarginPoint, YearSeries, margin_points, solve_headroom_partial_mw};
use crate::load::{HourlyLoad, read_load_file};
use crate::metrics::{
    MetricsRow, SetMetricsRow, energy_mwh, load_factor_frac, max_ramps_mw_per_h, peak,
};
use crate::power::{YearPower, year_power};
use crate::profiles::{Profile, shape_for_year};
use crate::region::{Region, RegionSet};
use crate::scenario::{Scenario, TrainingSiting};
use crate::siting::{
    Shares, allocate_cheapest, allocate_explicit, allocate_inference, allocate_proportional_capped,
};
use crate::time::{epoch_hour_to_datetime, hours_in_year, months_of_year, year_start_epoch_hour};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The scenario.
    pub scenario: Scenario,
    /// The region set.
    pub regions: RegionSet,
    /// Target years (inclusive range).
    pub years: (i32, i32),
    /// Weather years of the ensemble.
    pub weather_years: Vec<i32>,
    /// Write hourly Parquet files under this directory.
    pub hourly_dir: Option<PathBuf>,
}

/// A region's data, read and prepared once.
#[derive(Debug)]
pub struct PreparedRegion {
    /// The hourly load.
    pub load: HourlyLoad,
    /// The year whose mean level the weather years are scaled to.
    pub reference_year: i32,
    /// Summer threshold at the reference year's level (MW).
    pub summer_threshold_mw: f64,
    /// Winter threshold at the reference year's level (MW).
    pub winter_threshold_mw: f64,
    /// Whether the threshold is firm capacity over reserve margin (flat) instead.
    pub capacity_threshold_mw: Option<f64>,
}

/// One row of `siting.csv`.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct SitingRow {
    pub year: i32,
    pub region: String,
    pub inference_share_frac: f64,
    pub training_share_frac: f64,
    pub inference_average_mw: f64,
    pub training_average_mw: f64,
}

/// Everything a run computes.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Power per year.
    pub year_powers: Vec<YearPower>,
    /// Shares and MW per year and region (with `unallocated`).
    pub siting: Vec<SitingRow>,
    /// Per region × year × weather year.
    pub metrics: Vec<MetricsRow>,
    /// Per region set × year × weather year.
    pub set_metrics: Vec<SetMetricsRow>,
}

/// Read and prepare every region (in parallel), checking that the weather years and the
/// reference year are in its data.
///
/// # Errors
/// A load file that fails its checks, or a weather year outside the data.
pub fn prepare_regions(regions: &RegionSet, weather_years: &[i32]) -> Result<Vec<PreparedRegion>> {
    // Gather every result, then report the first failing region in set order, so the
    // message does not depend on thread timing.
    let prepared: Vec<Result<PreparedRegion>> = regions
        .regions
        .par_iter()
        .map(|region| prepare_region(region, weather_years))
        .collect();
    prepared.into_iter().collect()
}

fn prepare_region(region: &Region, weather_years: &[i32]) -> Result<PreparedRegion> {
    let load = read_load_file(&region.load_path)?;
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
    // Thresholds over every full year of data, each scaled to the reference year's level.
    let years_and_scales: Vec<(i32, f64)> = available
        .iter()
        .filter_map(|&y| {
            baseline_scale(&load, y, reference_year, reference_year, 0.0).map(|s| (y, s))
        })
        .collect();
    let (summer, winter) = seasonal_thresholds_mw(
        &load,
        &years_and_scales,
        &region.summer_peak_months,
        &region.winter_peak_months,
    );
    Ok(PreparedRegion {
        load,
        reference_year,
        summer_threshold_mw: summer,
        winter_threshold_mw: winter,
        capacity_threshold_mw: region
            .firm_capacity_mw
            .map(|c| c / (1.0 + region.reserve_margin_frac)),
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
    training: Vec<f64>,
    training_after: Vec<f64>,
    threshold: Vec<f64>,
    total: Vec<f64>,
    total_after: Vec<f64>,
    firm: Vec<f64>,
    points: Vec<MarginPoint>,
    flex: FlexScratch,
}

/// Profiles of both workloads.
#[derive(Debug, Clone)]
pub struct Profiles {
    /// Inference shape.
    pub inference: Profile,
    /// Training shape.
    pub training: Profile,
}

/// Threshold series of a region-year into `out`.
fn region_threshold(
    prepared: &PreparedRegion,
    region: &Region,
    year: i32,
    months: &[u8],
    out: &mut Vec<f64>,
) {
    match prepared.capacity_threshold_mw {
        Some(mw) => {
            out.clear();
            out.resize(months.len(), mw);
        }
        None => {
            let growth =
                (1.0 + region.baseline_growth_per_year_frac).powi(year - prepared.reference_year);
            threshold_series(
                months,
                prepared.summer_threshold_mw,
                prepared.winter_threshold_mw,
                growth,
                out,
            );
        }
    }
}

/// Remaining headroom (MW) of each region in each year after the firm inference load,
/// over the weather-year ensemble (mean of yearly rates, as in the Duke method).
fn remaining_headroom_by_year(
    spec: &RunSpec,
    prepared: &[PreparedRegion],
    profiles: &Profiles,
    inference_shares: &Shares,
    powers: &[YearPower],
) -> Vec<Vec<f64>> {
    let limit = spec.scenario.flexibility.headroom_limit_frac;
    let jobs: Vec<(usize, usize)> = (0..powers.len())
        .flat_map(|y| (0..prepared.len()).map(move |r| (y, r)))
        .collect();
    let values: Vec<f64> = jobs
        .par_iter()
        .map_init(Buffers::default, |b, &(year_index, r)| {
            let region = &spec.regions.regions[r];
            let year = powers[year_index].year;
            months_of_year(year, &mut b.months);
            shape_for_year(
                &profiles.inference,
                region.time_zone,
                year,
                &mut b.inference_shape,
            );
            region_threshold(&prepared[r], region, year, &b.months, &mut b.threshold);
            let inference_mw =
                inference_shares.region_frac[r] * powers[year_index].inference.average_mw;
            // One series holding every weather year's baseline + inference, back to back.
            b.firm.clear();
            for &w in &spec.weather_years {
                let scale = baseline_scale(
                    &prepared[r].load,
                    w,
                    prepared[r].reference_year,
                    year,
                    region.baseline_growth_per_year_frac,
                )
                .expect("weather years checked");
                baseline_for(&prepared[r].load, w, year, scale, &mut b.baseline);
                b.firm.extend(
                    b.baseline
                        .iter()
                        .zip(&b.inference_shape)
                        .map(|(base, s)| base + inference_mw * s),
                );
            }
            let hours = b.threshold.len();
            let slices: Vec<YearSeries<'_>> = b
                .firm
                .chunks(hours)
                .map(|c| (c, b.threshold.as_slice(), None))
                .collect();
            margin_points(&slices, &mut b.points);
            solve_headroom_partial_mw(&mut b.points, limit)
        })
        .collect();
    values.chunks(prepared.len()).map(<[f64]>::to_vec).collect()
}

/// Training shares of every year.
fn training_shares_by_year(
    spec: &RunSpec,
    prepared: &[PreparedRegion],
    profiles: &Profiles,
    inference_shares: &Shares,
    powers: &[YearPower],
) -> Vec<Shares> {
    match &spec.scenario.training_siting {
        TrainingSiting::Explicit(shares) => {
            let s = allocate_explicit(&spec.regions, shares);
            vec![s; powers.len()]
        }
        TrainingSiting::Cheapest => powers
            .iter()
            .map(|p| allocate_cheapest(&spec.regions, p.training.average_mw))
            .collect(),
        TrainingSiting::Headroom => {
            let headroom =
                remaining_headroom_by_year(spec, prepared, profiles, inference_shares, powers);
            powers
                .iter()
                .zip(&headroom)
                .map(|(p, h)| allocate_proportional_capped(&spec.regions, h, p.training.average_mw))
                .collect()
        }
    }
}

/// Run the whole pipeline. `on_region_year` is called once per region-year done (for a
/// progress bar).
///
/// # Errors
/// Unreadable inputs, or writing hourly files fails.
pub fn run(
    spec: &RunSpec,
    profiles: &Profiles,
    on_region_year: &(dyn Fn() + Sync),
) -> Result<RunResult> {
    let prepared = prepare_regions(&spec.regions, &spec.weather_years)?;
    let powers: Vec<YearPower> = (spec.years.0..=spec.years.1)
        .map(|y| year_power(&spec.scenario, y))
        .collect();
    let inference_shares = allocate_inference(&spec.regions);
    let training_shares =
        training_shares_by_year(spec, &prepared, profiles, &inference_shares, &powers);
    let siting = siting_rows(spec, &powers, &inference_shares, &training_shares);

    let per_year: Vec<Result<(Vec<MetricsRow>, Vec<SetMetricsRow>)>> = powers
        .par_iter()
        .zip(training_shares.par_iter())
        .map(|(power, training)| {
            run_year(
                spec,
                &prepared,
                profiles,
                power,
                &inference_shares,
                training,
                on_region_year,
            )
        })
        .collect();
    let mut metrics = Vec::new();
    let mut set_metrics = Vec::new();
    for result in per_year {
        let (m, s) = result?;
        metrics.extend(m);
        set_metrics.extend(s);
    }
    // Region-major order: region (set order), year, weather year.
    let order: std::collections::HashMap<&str, usize> = spec
        .regions
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    metrics.sort_by_key(|m| (order[m.region.as_str()], m.year, m.weather_year));
    Ok(RunResult {
        year_powers: powers,
        siting,
        metrics,
        set_metrics,
    })
}

fn siting_rows(
    spec: &RunSpec,
    powers: &[YearPower],
    inference: &Shares,
    training: &[Shares],
) -> Vec<SitingRow> {
    let mut rows = Vec::new();
    for (power, training) in powers.iter().zip(training) {
        for (i, region) in spec.regions.regions.iter().enumerate() {
            rows.push(SitingRow {
                year: power.year,
                region: region.id.clone(),
                inference_share_frac: inference.region_frac[i],
                training_share_frac: training.region_frac[i],
                inference_average_mw: inference.region_frac[i] * power.inference.average_mw,
                training_average_mw: training.region_frac[i] * power.training.average_mw,
            });
        }
        rows.push(SitingRow {
            year: power.year,
            region: crate::siting::UNALLOCATED.to_owned(),
            inference_share_frac: inference.unallocated_frac,
            training_share_frac: training.unallocated_frac,
            inference_average_mw: inference.unallocated_frac * power.inference.average_mw,
            training_average_mw: training.unallocated_frac * power.training.average_mw,
        });
    }
    rows
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
    spec: &RunSpec,
    prepared: &[PreparedRegion],
    profiles: &Profiles,
    power: &YearPower,
    inference_shares: &Shares,
    training_shares: &Shares,
    on_region_year: &(dyn Fn() + Sync),
) -> Result<(Vec<MetricsRow>, Vec<SetMetricsRow>)> {
    let year = power.year;
    let hours = hours_in_year(year);
    let mut b = Buffers::default();
    months_of_year(year, &mut b.months);
    let mut sets: Vec<SetSums> = spec
        .weather_years
        .iter()
        .map(|&w| SetSums {
            baseline: vec![0.0; hours],
            total: vec![0.0; hours],
            total_after: vec![0.0; hours],
            row: SetMetricsRow {
                scenario: spec.scenario.name.clone(),
                region_set: spec.regions.id.clone(),
                year,
                weather_year: w,
                unallocated_training_mw: training_shares.unallocated_frac
                    * power.training.average_mw,
                unallocated_inference_mw: inference_shares.unallocated_frac
                    * power.inference.average_mw,
                ..SetMetricsRow::default()
            },
        })
        .collect();
    let mut rows = Vec::with_capacity(prepared.len() * spec.weather_years.len());
    let limit = spec.scenario.flexibility.headroom_limit_frac;
    for (r, (region, data)) in spec.regions.regions.iter().zip(prepared).enumerate() {
        shape_for_year(
            &profiles.inference,
            region.time_zone,
            year,
            &mut b.inference_shape,
        );
        shape_for_year(
            &profiles.training,
            region.time_zone,
            year,
            &mut b.training_shape,
        );
        region_threshold(data, region, year, &b.months, &mut b.threshold);
        let inference_avg_mw = inference_shares.region_frac[r] * power.inference.average_mw;
        let training_avg_mw = training_shares.region_frac[r] * power.training.average_mw;
        b.inference.clear();
        b.inference
            .extend(b.inference_shape.iter().map(|s| inference_avg_mw * s));
        b.training.clear();
        b.training
            .extend(b.training_shape.iter().map(|s| training_avg_mw * s));
        b.training_after.resize(hours, 0.0);
        let mut hourly = HourlyFrames::default();
        for (w_index, &w) in spec.weather_years.iter().enumerate() {
            let scale = baseline_scale(
                &data.load,
                w,
                data.reference_year,
                year,
                region.baseline_growth_per_year_frac,
            )
            .expect("weather years checked");
            baseline_for(&data.load, w, year, scale, &mut b.baseline);
            let outcome = dispatch_training(
                &b.baseline,
                &b.inference,
                &b.training,
                &b.threshold,
                &spec.scenario.flexibility,
                &mut b.flex,
                &mut b.training_after,
            );
            b.total.clear();
            b.total_after.clear();
            for t in 0..hours {
                let firm = b.baseline[t] + b.inference[t];
                b.total.push(firm + b.training[t]);
                b.total_after.push(firm + b.training_after[t]);
            }
            let (_, baseline_peak_mw) = peak(&b.baseline);
            let (peak_index, total_peak_mw) = peak(&b.total);
            let (_, total_peak_after_mw) = peak(&b.total_after);
            let baseline_energy = energy_mwh(&b.baseline);
            let training_energy = energy_mwh(&b.training);
            let inference_energy = energy_mwh(&b.inference);
            let ai_energy = training_energy + inference_energy;
            let (base_up, base_down) = max_ramps_mw_per_h(&b.baseline);
            let (total_up, total_down) = max_ramps_mw_per_h(&b.total);
            let (after_up, after_down) = max_ramps_mw_per_h(&b.total_after);
            let reserve = |peak_mw: f64| region.firm_capacity_mw.map(|c| (c - peak_mw) / peak_mw);

            // Headroom: on the baseline, after firm inference, and for an
            // inference-shaped new load (one weather year each).
            let base_slices = [(b.baseline.as_slice(), b.threshold.as_slice(), None)];
            margin_points(&base_slices, &mut b.points);
            let headroom_baseline_mw = solve_headroom_partial_mw(&mut b.points, limit);
            let shaped_slices = [(
                b.baseline.as_slice(),
                b.threshold.as_slice(),
                Some(b.inference_shape.as_slice()),
            )];
            margin_points(&shaped_slices, &mut b.points);
            let inference_shaped_headroom_mw = solve_headroom_partial_mw(&mut b.points, limit);
            b.firm.clear();
            b.firm
                .extend(b.baseline.iter().zip(&b.inference).map(|(x, y)| x + y));
            let firm_slices = [(b.firm.as_slice(), b.threshold.as_slice(), None)];
            margin_points(&firm_slices, &mut b.points);
            let headroom_after_inference_mw = solve_headroom_partial_mw(&mut b.points, limit);
            let ai_slices = [(b.total_after.as_slice(), b.threshold.as_slice(), None)];
            margin_points(&ai_slices, &mut b.points);
            let headroom_after_ai_mw = solve_headroom_partial_mw(&mut b.points, limit);

            rows.push(MetricsRow {
                scenario: spec.scenario.name.clone(),
                region: region.id.clone(),
                year,
                weather_year: w,
                hours: hours as f64,
                baseline_energy_mwh: baseline_energy,
                training_energy_mwh: training_energy,
                inference_energy_mwh: inference_energy,
                ai_energy_mwh: ai_energy,
                ai_energy_share_frac: ai_energy / (baseline_energy + ai_energy),
                training_average_mw: training_avg_mw,
                inference_average_mw: inference_avg_mw,
                baseline_peak_mw,
                total_peak_mw,
                peak_increase_mw: total_peak_mw - baseline_peak_mw,
                peak_increase_frac: (total_peak_mw - baseline_peak_mw) / baseline_peak_mw,
                total_peak_hour_utc: epoch_hour_to_datetime(
                    year_start_epoch_hour(year) + peak_index as i64,
                )
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
                ai_at_peak_mw: b.inference[peak_index] + b.training[peak_index],
                inference_at_peak_mw: b.inference[peak_index],
                training_at_peak_mw: b.training[peak_index],
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
                curtailment_rate_frac: if training_energy > 0.0 {
                    outcome.curtailed_mwh / training_energy
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
                firm_shortfall_mw: outcome.firm_shortfall_mw,
                reserve_margin_before_frac: reserve(baseline_peak_mw),
                reserve_margin_after_frac: reserve(total_peak_after_mw),
                headroom_baseline_mw,
                headroom_after_inference_mw,
                headroom_after_ai_mw,
                inference_shaped_headroom_mw,
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
            set.row.noncoincident_sum_of_peaks_mw += total_peak_mw;
            set.row.training_curtailed_mwh += outcome.curtailed_mwh;
            set.row.firm_shortfall_sum_mw += outcome.firm_shortfall_mw;
            if spec.hourly_dir.is_some() {
                hourly.push(year, w, &b);
            }
        }
        if let Some(dir) = &spec.hourly_dir {
            hourly.write(dir, &spec.scenario.name, &region.id, year)?;
        }
        on_region_year();
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
    Ok((rows, set_rows))
}

/// Hourly columns of one region-year, all weather years, gathered for one Parquet file.
#[derive(Default)]
struct HourlyFrames {
    epoch_hours: Vec<i64>,
    weather_year: Vec<i32>,
    baseline: Vec<f64>,
    inference: Vec<f64>,
    training: Vec<f64>,
    training_after: Vec<f64>,
    threshold: Vec<f64>,
}

impl HourlyFrames {
    fn push(&mut self, year: i32, weather_year: i32, b: &Buffers) {
        let start = year_start_epoch_hour(year);
        self.epoch_hours
            .extend((0..b.baseline.len() as i64).map(|i| start + i));
        self.weather_year
            .extend(std::iter::repeat_n(weather_year, b.baseline.len()));
        self.baseline.extend_from_slice(&b.baseline);
        self.inference.extend_from_slice(&b.inference);
        self.training.extend_from_slice(&b.training);
        self.training_after.extend_from_slice(&b.training_after);
        self.threshold.extend_from_slice(&b.threshold);
    }

    fn write(self, dir: &Path, scenario: &str, region: &str, year: i32) -> Result<()> {
        crate::output::write_hourly(
            dir,
            scenario,
            region,
            year,
            &crate::output::HourlyColumns {
                epoch_hours: &self.epoch_hours,
                weather_year: &self.weather_year,
                baseline_mw: &self.baseline,
                inference_mw: &self.inference,
                training_mw: &self.training,
                training_after_flex_mw: &self.training_after,
                threshold_mw: &self.threshold,
            },
        )
    }
}
