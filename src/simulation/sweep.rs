//! Monte Carlo sweeps on the one simulation kernel. A sweep draws every uncertain
//! parameter of the scenario (and a weather year) for each sample, serially from the seed
//! with ChaCha8, then runs each sample through the same siting code and the same hourly
//! [`super::kernel::evaluate`] as `run`, and reduces the samples to percentile bands.
//!
//! Why it is fast: what does not depend on the sample is prepared once per target year —
//! each weather year's load laid onto the year, the inference and training shapes, the
//! season of each hour — and every sample reads them; a sample only scales them and runs
//! the fused hourly pass, allocating nothing per hour. The headroom policy's headroom is
//! solved once, for the central case (documented in `docs/methodology.md`, "Sweeps").
//!
//! Determinism: draws are made serially before any parallel work, each from its own
//! ChaCha8 position keyed by (seed, sample, parameter path), so a sample's inputs do not
//! depend on the sample count, the thread count or the other parameters. Samples are
//! evaluated in parallel into their own slots, and bands depend only on each cell's
//! sorted values: one thread or many give the same bytes.
//!
//! Memory: the work goes one target year at a time; a year's values (samples × weather
//! years × cells × metrics) are reduced to bands before the next year starts.
use anyhow::{Result, bail};
use chacha20::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng as _};
use rayon::prelude::*;

use super::kernel::{
    HourInputs, KernelScratch, Levels, PrunedInputs, RawBaselineStats, ScanOrder, SetSeries,
    ShapeStats, descending_key, evaluate, evaluate_pruned, top,
};
use super::siting::{SitingPlan, plan_siting_with};
use super::{
    HeadroomMetrics, PreparedRegion, RegionYear, add_to_set_row, prepare_regions, summer_hours,
};
use crate::model::region::RegionSet;
use crate::model::scenario::{ComputeProjection, Scenario};
use crate::model::study::Study;
use crate::model::uncertainty::Parameter;
use crate::results::{BandRow, DriverRow, MetricsRow, SetMetricsRow, TableRow, band};
use crate::stages::baseline::{baseline_for, baseline_scale};
use crate::stages::power::it_energy_twh;
use crate::stages::shapes::facility_shape_for_year;
use crate::time::{hours_in_year, months_of_year};

/// How each sample's hours are evaluated: both give the same numbers (tested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Only the hours that can decide a peak, a ramp or an exceedance (the default).
    #[default]
    Pruned,
    /// Every hour (the reference the pruned engine is tested against).
    Full,
}

/// What to sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSpec {
    /// How hours are evaluated.
    pub engine: Engine,
    /// Number of samples (≥ 1).
    pub samples: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Run every sample on every weather year (else one drawn weather year per sample).
    pub all_weather_years: bool,
    /// Only shard `K` of `N` (`Some((K, N))`): a contiguous block of the samples.
    pub shard: Option<(usize, usize)>,
}

impl SweepSpec {
    /// The samples this run evaluates: all of them, or shard `K`'s block
    /// `[K·S/N, (K+1)·S/N)` — a deterministic split whose union over `K` is every sample
    /// once. The products are taken in 128 bits, so no `K` and `N` can overflow them.
    #[must_use]
    pub fn sample_range(&self) -> std::ops::Range<usize> {
        match self.shard {
            None => 0..self.samples,
            Some((k, n)) => shard_bound(k, self.samples, n)..shard_bound(k + 1, self.samples, n),
        }
    }
}

/// `K·S/N` without overflow: `K ≤ N` (so the quotient is at most `S`, which fits).
fn shard_bound(k: usize, samples: usize, n: usize) -> usize {
    let bound = k as u128 * samples as u128 / n.max(1) as u128;
    usize::try_from(bound).unwrap_or(samples).min(samples)
}

/// What a sweep holds in memory, estimated from its data layout (bytes): the draws of
/// every sample; for each evaluated sample its plan (a scenario, a region set and a
/// siting plan, cloned per sample) and one target year's values (weather runs × (regions
/// × region metrics + the set's metrics)); the samples table. The layout's bytes are scaled by [`HEAP_ALLOWANCE_PERCENT`] for what it
/// does not count (allocator rounding, strings and tables inside the scenario). What
/// does not grow with the samples (the load data, shapes) is left out: the check is
/// about the samples.
#[must_use]
pub fn estimated_memory_bytes(study: &Study, spec: &SweepSpec) -> u64 {
    use std::mem::size_of;
    let n_regions = study.regions.regions.len() as u64;
    let parameters = study.scenario.uncertainty.len() as u64;
    let runs = if spec.all_weather_years {
        study.weather_years.len() as u64
    } else {
        1
    };
    let evaluated = spec.sample_range().len() as u64;
    let all = spec.samples as u64;
    let f64_bytes = size_of::<f64>() as u64;
    // Draws of every sample (a shard draws them all): the values, amplitude, total FLOP
    // and weather year.
    let draws = all * ((parameters + 2) * f64_bytes + size_of::<Option<usize>>() as u64);
    // One sample's plan.
    let siting_years = u64::try_from(study.years.1 - study.scenario.first_year + 1).unwrap_or(1);
    let stock = size_of::<crate::stages::siting::Stock>() as u64 + n_regions * f64_bytes;
    let region_heap: u64 = study
        .regions
        .regions
        .iter()
        .map(|r| {
            (size_of::<crate::model::region::Region>()
                + r.id.len()
                + r.name.len()
                + r.load_path.as_os_str().len()) as u64
        })
        .sum();
    let plan = size_of::<(Scenario, RegionSet, SitingPlan)>() as u64
        + region_heap
        + siting_years
            * (size_of::<crate::stages::power::YearPower>() as u64
                + 4 * stock
                + n_regions * f64_bytes)
        + 2 * n_regions * f64_bytes;
    // One target year's values (the band columns copied from them are one cell at a time).
    let region_m = MetricsRow::metric_names().len() as u64;
    let set_m = SetMetricsRow::metric_names().len() as u64;
    let values = runs * (n_regions * region_m + set_m) * f64_bytes;
    // samples.parquet: the table, and its encoding.
    let table = 2 * (parameters + 4) * f64_bytes;
    let layout = draws + evaluated * (plan + values + table);
    layout.saturating_mul(HEAP_ALLOWANCE_PERCENT) / 100
}

/// What [`estimated_memory_bytes`] scales the layout by, in percent. Measured on the
/// shipped study (22 regions, 12 years): the peak resident memory grows by 51–55 KB per
/// sample with one drawn weather year (`/usr/bin/time -f %M`, 200 → 2,000 → 10,000
/// samples) and by 147 KB with all 9 weather years (200 → 2,000), where the layout counts
/// 34 KB and 122 KB (the scenario cloned into each plan is the part it does not see):
/// 1.6 × the layout meets the first and overstates the second by a third.
pub const HEAP_ALLOWANCE_PERCENT: u64 = 160;

/// The drawn inputs of every sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    /// The uncertain parameters, in the scenario's (key path) order.
    pub parameters: Vec<Parameter>,
    /// Drawn values, sample-major: `values[i * parameters.len() + j]`.
    pub values: Vec<f64>,
    /// Inference shape amplitude of each sample (1 when not uncertain), after truncation.
    pub amplitude: Vec<f64>,
    /// `total_flop` of each sample, re-solved to its calibration anchor (crossover only).
    pub total_flop: Vec<Option<f64>>,
    /// Weather year (index in the study's ensemble) of each sample; `None` = all of them.
    pub weather_index: Vec<Option<usize>>,
}

impl Draws {
    /// The drawn values of sample `i`.
    #[must_use]
    pub fn sample(&self, i: usize) -> &[f64] {
        let p = self.parameters.len();
        &self.values[i * p..(i + 1) * p]
    }
}

/// One uniform number in (0, 1) for (seed, sample, key): ChaCha8 keyed by the seed, its
/// stream the sample, its position a hash of the key — so each pair has its own number,
/// whatever the sample count or the other parameters.
#[must_use]
pub fn uniform(seed: u64, sample: usize, key: &str) -> f64 {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(seed_bytes);
    rng.set_stream(sample as u64);
    rng.set_word_pos(2 * u128::from(fnv1a64(key) >> 4));
    let x = rng.next_u64();
    ((x >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// FNV-1a, 64 bits (stable across platforms and releases).
fn fnv1a64(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Draw every sample's inputs, serially. `amplitude_max(p)` is the largest inference
/// shape amplitude whose peak hour stays within the rating at draw fraction `p`.
#[must_use]
pub fn draw(study: &Study, spec: &SweepSpec, amplitude_max: impl Fn(f64) -> f64) -> Draws {
    let scenario = &study.scenario;
    let uncertain = &scenario.uncertainty;
    let parameters: Vec<Parameter> = uncertain.iter().map(|u| u.parameter).collect();
    let mut values = Vec::with_capacity(spec.samples * parameters.len());
    let mut amplitude = Vec::with_capacity(spec.samples);
    let mut weather_index = Vec::with_capacity(spec.samples);
    let n_weather = study.weather_years.len();
    for i in 0..spec.samples {
        let start = values.len();
        for u in uncertain {
            let (low, high) = u.parameter.domain(scenario);
            let x =
                u.distribution
                    .draw_within(uniform(spec.seed, i, &u.parameter.path()), low, high);
            values.push(if u.parameter.is_integer() {
                x.round()
            } else {
                x
            });
        }
        // The amplitude is truncated by this sample's inference draw fraction.
        let drawn = &values[start..];
        let power_frac = parameters
            .iter()
            .position(|p| {
                *p == Parameter::PowerFrac(crate::model::scenario::WorkloadKind::Inference)
            })
            .map_or(scenario.inference.power_frac, |j| drawn[j]);
        let k_max = amplitude_max(power_frac);
        let k = match parameters
            .iter()
            .position(|p| *p == Parameter::InferenceShapeAmplitude)
        {
            Some(j) => {
                let u = uniform(spec.seed, i, &Parameter::InferenceShapeAmplitude.path());
                let k = uncertain[j]
                    .distribution
                    .draw_within(u, 0.0, k_max.max(0.0));
                values[start + j] = k;
                k
            }
            None => 1.0,
        };
        amplitude.push(k);
        weather_index.push((!spec.all_weather_years).then(|| {
            let u = uniform(spec.seed, i, "weather_year");
            ((u * n_weather as f64) as usize).min(n_weather - 1)
        }));
    }
    let mut draws = Draws {
        parameters,
        values,
        amplitude,
        total_flop: Vec::new(),
        weather_index,
    };
    draws.total_flop = (0..spec.samples)
        .map(|i| {
            let (sample_scenario, _) = apply(study, &draws, i);
            match sample_scenario.compute {
                ComputeProjection::Crossover { total_flop, .. } => Some(total_flop),
                _ => None,
            }
        })
        .collect();
    draws
}

/// The scenario and region set of sample `i`: every drawn value set in a copy of the
/// study's, then `total_flop` re-solved to the sample's calibration anchor (exact, since
/// energy is linear in it; with the anchor and every parameter at their central values
/// both ratios are exactly 1 and `total_flop` does not move).
#[must_use]
pub fn apply(study: &Study, draws: &Draws, i: usize) -> (Scenario, RegionSet) {
    let central_scenario = &study.scenario;
    let mut scenario = central_scenario.clone();
    let mut regions = study.regions.clone();
    for (parameter, &value) in draws.parameters.iter().zip(draws.sample(i)) {
        parameter.apply(value, &mut scenario, &mut regions, &study.regions);
    }
    // A growth step given as energy growth follows the sample's hardware efficiency:
    // g = g₀ · (e / e₀) · (w / w₀), exactly g₀ at the centre.
    let efficiency = |s: &Scenario| match s.hardware {
        crate::model::scenario::Hardware::Trend {
            flop_per_watt_factor_per_year,
            ..
        } => flop_per_watt_factor_per_year,
        crate::model::scenario::Hardware::Table(_) => 1.0,
    };
    let ratio_efficiency = efficiency(&scenario) / efficiency(central_scenario);
    for (parameter, &value) in draws.parameters.iter().zip(draws.sample(i)) {
        if let Parameter::CrossoverEnergyGrowthFactor(n) = *parameter {
            let central = parameter
                .central(central_scenario, &study.regions)
                .unwrap_or(value);
            if let (
                ComputeProjection::Crossover { growth, .. },
                ComputeProjection::Crossover {
                    growth: growth_0, ..
                },
            ) = (&mut scenario.compute, &central_scenario.compute)
            {
                growth[n].factor_per_year =
                    growth_0[n].factor_per_year * (value / central) * ratio_efficiency;
            }
        }
    }
    // With a base-year anchor, the first growth step runs between the two anchors:
    // f = f₀ · ((A_c/A_b)ᵢ / (A_c/A_b)₀ · R₀ / Rᵢ)^(1/n), R the path's own ratio.
    if let (Some(central), Some(sampled), ComputeProjection::Crossover { base_year, .. }) = (
        central_scenario.calibration,
        scenario.calibration,
        &central_scenario.compute,
    ) {
        if let (Some(base_0), Some(base_i)) =
            (central.base_it_energy_twh, sampled.base_it_energy_twh)
        {
            let ratio =
                |s: &Scenario| it_energy_twh(s, central.year) / it_energy_twh(s, *base_year);
            let anchors = (sampled.it_energy_twh / base_i) / (central.it_energy_twh / base_0);
            let path = ratio(central_scenario) / ratio(&scenario);
            if let ComputeProjection::Crossover { growth, .. } = &mut scenario.compute {
                let years = f64::from(central.year - growth[0].from_year + 1);
                growth[0].factor_per_year *= (anchors * path).powf(1.0 / years);
            }
        }
    }
    if let (Some(central), Some(sampled)) = (study.scenario.calibration, scenario.calibration) {
        let e_central = it_energy_twh(&study.scenario, central.year);
        let e_sample = it_energy_twh(&scenario, central.year);
        if let ComputeProjection::Crossover { total_flop, .. } = &mut scenario.compute {
            *total_flop *= (sampled.it_energy_twh / central.it_energy_twh) * (e_central / e_sample);
        }
    }
    (scenario, regions)
}

/// Labelled per-sample rows of one sample (for `--per-sample`).
type KeptRows = (Vec<(u32, MetricsRow)>, Vec<(u32, SetMetricsRow)>);

/// One region's sample-independent inputs in one target year.
struct RegionYearInputs {
    inference_shape: Vec<f64>,
    training_shape: Vec<f64>,
    inference_shape_sum: f64,
    training_shape_sum: f64,
    inference_stats: ShapeStats,
    training_stats: ShapeStats,
    /// Per weather year: the load laid onto the year (unscaled), its sums and extremes,
    /// its scan orders, and its weight in the set's scan key (the scale to the reference
    /// year's mean, before growth).
    raw_baseline: Vec<Vec<f64>>,
    raw_stats: Vec<RawBaselineStats>,
    orders: Vec<ScanOrder>,
    set_weight: Vec<f64>,
}

/// The set's scan key of one weather year, its order, and whether its bound holds.
type SetKey = (Vec<f64>, (Vec<u16>, bool), bool);

/// The per-target-year inputs every sample shares.
struct YearInputs {
    year: i32,
    summer: Vec<bool>,
    regions: Vec<RegionYearInputs>,
    /// Per weather year: the set's scan key `Σ_r weight_r · raw_r(t)`, its hours highest
    /// first (the top [`SCAN_DEPTH`]) and whether that is all of them, and whether every
    /// raw value is ≥ 0 (which the set's bound needs).
    set_key: Vec<Vec<f64>>,
    set_order: Vec<(Vec<u16>, bool)>,
    set_bound_valid: Vec<bool>,
    /// Every weather year's index.
    all_weather: Vec<usize>,
    /// Each region's time zone (index into `zone_shapes`), and each zone's shapes.
    zone_of_region: Vec<usize>,
    zone_shapes: Vec<(Vec<f64>, Vec<f64>)>,
}

impl YearInputs {
    fn build(study: &Study, prepared: &[PreparedRegion<'_>], shapes: &Shapes, year: i32) -> Self {
        let mut months = Vec::new();
        months_of_year(year, &mut months);
        let mut summer = Vec::new();
        summer_hours(&months, &mut summer);
        let regions: Vec<RegionYearInputs> = study
            .regions
            .regions
            .par_iter()
            .zip(prepared)
            .map(|(region, data)| {
                let (inference_shape, training_shape) =
                    shapes.by_zone_year[&(region.time_zone, year)].clone();
                let raw_baseline: Vec<Vec<f64>> = study
                    .weather_years
                    .iter()
                    .map(|&w| {
                        let mut out = Vec::new();
                        baseline_for(data.load, w, year, 1.0, &mut out);
                        out
                    })
                    .collect();
                RegionYearInputs {
                    inference_shape_sum: inference_shape.iter().sum(),
                    training_shape_sum: training_shape.iter().sum(),
                    inference_stats: ShapeStats::of(&inference_shape),
                    training_stats: ShapeStats::of(&training_shape),
                    raw_stats: raw_baseline
                        .iter()
                        .map(|r| RawBaselineStats::of(r, &summer))
                        .collect(),
                    orders: raw_baseline
                        .iter()
                        .map(|r| ScanOrder::build(r, &summer))
                        .collect(),
                    set_weight: study
                        .weather_years
                        .iter()
                        .map(|&w| {
                            baseline_scale(
                                data.load,
                                w,
                                data.reference_year,
                                data.reference_year,
                                0.0,
                            )
                            .expect("prepare_regions refuses weather years without load")
                        })
                        .collect(),
                    inference_shape,
                    training_shape,
                    raw_baseline,
                }
            })
            .collect();
        let hours = summer.len();
        let per_weather: Vec<SetKey> = (0..study.weather_years.len())
            .into_par_iter()
            .map(|w| {
                let mut key = vec![0.0; hours];
                let mut valid = true;
                for region in &regions {
                    let weight = region.set_weight[w];
                    for (k, &raw) in key.iter_mut().zip(&region.raw_baseline[w]) {
                        *k += weight * raw;
                        valid &= raw >= 0.0;
                    }
                }
                let order = top_hours(&key);
                (key, order, valid)
            })
            .collect();
        let mut set_key = Vec::new();
        let mut set_order = Vec::new();
        let mut set_bound_valid = Vec::new();
        for (key, order, valid) in per_weather {
            set_key.push(key);
            set_order.push(order);
            set_bound_valid.push(valid);
        }
        let mut zones: Vec<chrono_tz::Tz> = Vec::new();
        let zone_of_region = study
            .regions
            .regions
            .iter()
            .map(|r| {
                zones
                    .iter()
                    .position(|z| *z == r.time_zone)
                    .unwrap_or_else(|| {
                        zones.push(r.time_zone);
                        zones.len() - 1
                    })
            })
            .collect();
        let zone_shapes = zones
            .iter()
            .map(|z| shapes.by_zone_year[&(*z, year)].clone())
            .collect();
        Self {
            year,
            summer,
            regions,
            zone_of_region,
            zone_shapes,
            set_key,
            set_order,
            set_bound_valid,
            all_weather: (0..study.weather_years.len()).collect(),
        }
    }
}

/// Both workloads' shapes per time zone and target year.
struct Shapes {
    by_zone_year: std::collections::HashMap<(chrono_tz::Tz, i32), (Vec<f64>, Vec<f64>)>,
}

impl Shapes {
    fn build(study: &Study, years: &[i32]) -> Self {
        let mut keys: Vec<(chrono_tz::Tz, i32)> = years
            .iter()
            .flat_map(|&y| study.regions.regions.iter().map(move |r| (r.time_zone, y)))
            .collect();
        keys.sort_by_key(|(zone, year)| (zone.name(), *year));
        keys.dedup();
        let by_zone_year = keys
            .par_iter()
            .map(|&(zone, year)| {
                // The PUE by hour at the central PUE: shapes are shared by every sample
                // (a drawn PUE moves the level, not the hourly swing; methodology §6.4).
                let facility = study.profiles.pue.as_ref().map(|p| (p, study.scenario.pue));
                let mut inference = Vec::new();
                facility_shape_for_year(
                    &study.profiles.inference,
                    facility,
                    zone,
                    year,
                    &mut inference,
                );
                let mut training = Vec::new();
                facility_shape_for_year(
                    &study.profiles.training,
                    facility,
                    zone,
                    year,
                    &mut training,
                );
                ((zone, year), (inference, training))
            })
            .collect();
        Self { by_zone_year }
    }
}

/// The [`SCAN_DEPTH`] hours with the largest `key`, largest first, and whether that is
/// all of them.
fn top_hours(key: &[f64]) -> (Vec<u16>, bool) {
    top(key
        .iter()
        .enumerate()
        .map(|(t, &k)| (descending_key(k), t as u16))
        .collect())
}

/// Largest inference amplitude `k` at draw fraction `p` such that every region-year's
/// stretched shape `1 + k (s − 1)` keeps its peak hour within the rating
/// (`p · max s′ ≤ 1`) and no hour below zero.
fn amplitude_bound(shape_max: f64, shape_min: f64) -> impl Fn(f64) -> f64 {
    move |p: f64| {
        let mut k = f64::INFINITY;
        if shape_max > 1.0 {
            k = k.min((1.0 / p - 1.0) / (shape_max - 1.0));
        }
        if shape_min < 1.0 {
            k = k.min(1.0 / (1.0 - shape_min));
        }
        k
    }
}

/// Per-sample values of one target year, reduced to bands cell by cell.
struct YearValues {
    /// Values of region cells: `[row][metric]`, rows ordered sample, weather year, region.
    regions: Vec<f64>,
    /// Values of the region set: `[row][metric]`, rows ordered sample, weather year.
    sets: Vec<f64>,
}

/// What a sweep gives back.
#[derive(Debug)]
pub struct SweepResult {
    /// The drawn inputs (of every sample, also in a shard).
    pub draws: Draws,
    /// The samples evaluated (all, or a shard's block).
    pub samples: std::ops::Range<usize>,
    /// Percentile bands: per region (then the region set), year and metric.
    pub bands: Vec<BandRow>,
    /// What a user should know (from the central plan, and the sweep's own choices).
    pub notes: Vec<String>,
    /// Which inputs drive the region set's key outputs (`drivers.csv`).
    pub drivers: Vec<DriverRow>,
}

/// Receives per-sample rows (`--per-sample`), one target year at a time, in sample order.
pub trait SampleSink: Sync {
    /// Take one year's rows: `(sample, row)` for every region and for the region set.
    ///
    /// # Errors
    /// When they cannot be kept (the sweep stops with this error).
    fn accept(&self, regions: &[(u32, MetricsRow)], sets: &[(u32, SetMetricsRow)]) -> Result<()>;
}

/// Metrics left out of the bands: constants of the calendar, and the headroom metrics,
/// which a sweep does not solve per sample (they would need a headroom solve each).
const NOT_BANDED: [&str; 5] = [
    "hours",
    "headroom_baseline_mw",
    "headroom_after_inference_mw",
    "headroom_after_ai_mw",
    "inference_shaped_headroom_mw",
];

/// Run a sweep. `on_sample` is called once per sample and target year (for a progress
/// bar); `sink` receives per-sample rows when given.
///
/// # Errors
/// No sample, a weather year outside a region's data, or an error from the sink.
pub fn sweep(
    study: &Study,
    spec: &SweepSpec,
    on_sample: &(dyn Fn() + Sync),
    sink: Option<&dyn SampleSink>,
) -> Result<SweepResult> {
    if spec.samples == 0 {
        bail!("--samples: found 0, expected at least 1");
    }
    let prepared = prepare_regions(study)?;
    let nation_prepared = super::prepare_nation(study)?;
    let central_plan = plan_siting_with(
        study,
        &study.scenario,
        &study.regions,
        &prepared,
        nation_prepared.as_deref(),
        None,
    )?;
    let frozen_headroom = central_plan.training_headroom_mw.clone();
    let target_years: Vec<i32> = study.target_years().collect();

    // Both shapes of every time zone and target year, once (regions share zones).
    let shapes = Shapes::build(study, &target_years);
    // Shape extremes over every region-year, for the amplitude's bound.
    let (shape_max, shape_min) = shapes
        .by_zone_year
        .values()
        .map(|(inference, _)| {
            let stats = ShapeStats::of(inference);
            (stats.max, stats.min)
        })
        .fold((f64::NEG_INFINITY, f64::INFINITY), |a, b| {
            (a.0.max(b.0), a.1.min(b.1))
        });
    let draws = draw(study, spec, amplitude_bound(shape_max, shape_min));

    // Each sample's plan: the same siting code as `run`, on the sample's scenario and
    // region set, with the central case's headroom for the headroom policy.
    let range = spec.sample_range();
    let plans: Vec<(Scenario, RegionSet, SitingPlan)> = range
        .clone()
        .into_par_iter()
        .map(|i| {
            let (scenario, regions) = apply(study, &draws, i);
            let plan = plan_siting_with(
                study,
                &scenario,
                &regions,
                &prepared,
                nation_prepared.as_deref(),
                frozen_headroom.as_deref(),
            )?;
            Ok((scenario, regions, plan))
        })
        .collect::<Result<_>>()?;

    let region_metrics = MetricsRow::metric_names();
    let set_metrics = SetMetricsRow::metric_names();
    let weather_years = &study.weather_years;
    let runs_per_sample = if spec.all_weather_years {
        weather_years.len()
    } else {
        1
    };
    let n_regions = study.regions.regions.len();
    let mut bands = Vec::new();
    let mut driver_rows = Vec::new();
    let (inputs, weather_of_sample) = drawn_inputs(&draws, range.clone(), weather_years);
    // The weather year of each run, samples major (a drawn one, or each in turn).
    let weather_of_run: Vec<f64> = match &weather_of_sample {
        Some(drawn) => drawn.clone(),
        None => (0..range.len())
            .flat_map(|_| weather_years.iter().map(|w| f64::from(*w)))
            .collect(),
    };
    for &year in &target_years {
        let year_inputs = YearInputs::build(study, &prepared, &shapes, year);
        let hours = hours_in_year(year);
        let values = evaluate_year(
            study,
            &prepared,
            &year_inputs,
            &draws,
            (&plans, range.start),
            runs_per_sample,
            spec.engine,
            sink,
            on_sample,
        )?;
        debug_assert_eq!(year_inputs.year, year);
        let _ = hours;
        // Bands, cell by cell (a region, then the set), metric by metric.
        let region_m = region_metrics.len();
        let region_bands: Vec<Vec<BandRow>> = (0..n_regions)
            .into_par_iter()
            .map(|r| {
                let mut column = Vec::with_capacity(plans.len() * runs_per_sample);
                let mut rows = Vec::new();
                for (m, metric) in region_metrics.iter().enumerate() {
                    column.clear();
                    column.extend(
                        values
                            .regions
                            .chunks_exact(region_m)
                            .skip(r)
                            .step_by(n_regions)
                            .map(|row| row[m]),
                    );
                    if let Some(row) = band_row(
                        &study.scenario.name,
                        ("region", &study.regions.regions[r].id, year),
                        metric,
                        &mut column,
                    ) {
                        rows.push(row);
                    }
                }
                rows
            })
            .collect();
        for rows in region_bands {
            bands.extend(rows);
        }
        let set_m = set_metrics.len();
        let mut set_columns: Vec<Vec<f64>> = (0..set_m)
            .map(|m| values.sets.chunks_exact(set_m).map(|row| row[m]).collect())
            .collect();
        if let Some(increase) = set_peak_increase(&set_metrics, &set_columns) {
            set_columns.push(increase);
        }
        let mut names = set_metrics.clone();
        names.push(PEAK_INCREASE_METRIC);
        // Drivers before the bands, which sort each column in place.
        let outputs: Vec<(&str, &[f64])> = DRIVER_OUTPUTS
            .iter()
            .filter_map(|o| {
                let i = names.iter().position(|n| n == o)?;
                set_columns.get(i).map(|c| (*o, c.as_slice()))
            })
            .collect();
        driver_rows.extend(drivers(
            (&study.scenario.name, &study.regions.id, year),
            &outputs,
            runs_per_sample,
            &inputs,
            &weather_of_run,
        ));
        for (metric, column) in names.iter().zip(set_columns.iter_mut()) {
            if let Some(row) = band_row(
                &study.scenario.name,
                ("region_set", &study.regions.id, year),
                metric,
                column,
            ) {
                bands.push(row);
            }
        }
    }
    // Region-major, as metrics.csv: each region (set order) then the set; years; metrics.
    let ids: Vec<&str> = study
        .regions
        .regions
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    sort_bands(&mut bands, &ids);
    let mut notes = central_plan.notes.clone();
    if frozen_headroom.is_some() {
        notes.push("sweep: training is sited on the central case's curtailment-enabled headroom (solved once); each sample's own totals, caps and earlier stock decide how much each region gets".to_owned());
    }
    let rates: Vec<f64> = study
        .regions
        .regions
        .iter()
        .map(|r| r.baseline_growth_per_year_frac)
        .collect();
    if draws.parameters.contains(&Parameter::BaselineGrowth) && rates.iter().any(|r| *r != rates[0])
    {
        notes.push("sweep: regions.baseline_growth_per_year_frac replaces every region's own rate with one drawn value".to_owned());
    }
    Ok(SweepResult {
        draws,
        samples: range,
        bands,
        notes,
        drivers: driver_rows,
    })
}

/// A region-set band not among the set's columns: the coincident peak with the new load
/// (before flexibility) less the baseline's coincident peak.
pub const PEAK_INCREASE_METRIC: &str = "coincident_peak_increase_mw";

/// The region-set outputs whose drivers a sweep ranks (`drivers.csv`).
pub const DRIVER_OUTPUTS: [&str; 6] = [
    PEAK_INCREASE_METRIC,
    "ai_energy_mwh",
    "firm_capacity_needed_sum_mw",
    "residual_above_threshold_sum_mw",
    "ai_co2_t",
    "flexibility_avoided_sum_mw",
];

/// The set's coincident peak increase of each run, from its metric columns (`names`
/// in column order, `columns` one per metric).
#[must_use]
pub fn set_peak_increase(names: &[&str], columns: &[Vec<f64>]) -> Option<Vec<f64>> {
    let column = |name: &str| names.iter().position(|n| *n == name).map(|i| &columns[i]);
    let (total, baseline) = (
        column("coincident_total_peak_mw")?,
        column("coincident_baseline_peak_mw")?,
    );
    Some(total.iter().zip(baseline).map(|(t, b)| t - b).collect())
}

/// Each sample's drawn inputs by key path (one value per sample), and each sample's
/// drawn weather year when one was drawn.
pub type DrawnInputs = (Vec<(String, Vec<f64>)>, Option<Vec<f64>>);

/// Each sample's drawn inputs, by key path (constant ones are dropped later, by the rank
/// measures), and the weather year of each sample when one was drawn.
#[must_use]
pub fn drawn_inputs(
    draws: &Draws,
    range: std::ops::Range<usize>,
    weather_years: &[i32],
) -> DrawnInputs {
    let mut inputs = vec![(
        "inference.shape_amplitude".to_owned(),
        draws.amplitude[range.clone()].to_vec(),
    )];
    for (j, parameter) in draws.parameters.iter().enumerate() {
        let path = parameter.path();
        if path == "inference.shape_amplitude" {
            continue;
        }
        inputs.push((path, range.clone().map(|i| draws.sample(i)[j]).collect()));
    }
    let weather = range
        .map(|i| draws.weather_index[i].map(|w| f64::from(weather_years[w])))
        .collect::<Option<Vec<f64>>>();
    (inputs, weather)
}

/// Rank the inputs that move each output over the samples: Spearman's ρ between a
/// sample's input and its output (the mean over its weather runs), and η² of the output
/// between weather years (`weather_of_run`: the weather year of each run, samples major).
/// Inputs that do not vary, and outputs with an empty cell, give no row.
#[must_use]
pub fn drivers(
    (scenario, set_id, year): (&str, &str, i32),
    outputs: &[(&str, &[f64])],
    runs_per_sample: usize,
    inputs: &[(String, Vec<f64>)],
    weather_of_run: &[f64],
) -> Vec<DriverRow> {
    use crate::stages::sensitivity::{between_group_share, spearman};
    let runs = runs_per_sample.max(1);
    let mut rows = Vec::new();
    for (output, values) in outputs {
        let per_sample: Vec<f64> = values
            .chunks_exact(runs)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect();
        let mut found: Vec<(String, &str, f64, f64)> = inputs
            .iter()
            .filter_map(|(name, x)| {
                spearman(x, &per_sample).map(|rho| (name.clone(), "spearman", rho, rho * rho))
            })
            .collect();
        if weather_of_run.len() == values.len()
            && let Some(share) = between_group_share(weather_of_run, values)
        {
            found.push(("weather_year".to_owned(), "eta_squared", share, share));
        }
        found.sort_by(|a, b| b.3.total_cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
        for (k, (input, method, value, share)) in found.into_iter().enumerate() {
            rows.push(DriverRow {
                scenario: scenario.to_owned(),
                region_set: set_id.to_owned(),
                year,
                output: (*output).to_owned(),
                input,
                method: method.to_owned(),
                value,
                share_of_rank_variance_frac: share,
                rank: i32::try_from(k + 1).unwrap_or(i32::MAX),
            });
        }
    }
    rows
}

/// The band of one cell's metric over `values`, or `None` when every value is empty.
#[must_use]
pub fn band_row(
    scenario: &str,
    (scope, region, year): (&str, &str, i32),
    metric: &str,
    values: &mut Vec<f64>,
) -> Option<BandRow> {
    if NOT_BANDED.contains(&metric) {
        return None;
    }
    let (n, mean, q) = band(values)?;
    Some(BandRow {
        scenario: scenario.to_owned(),
        scope: scope.to_owned(),
        region: region.to_owned(),
        year,
        metric: metric.to_owned(),
        samples: n as f64,
        mean,
        p5: q[0],
        p10: q[1],
        p50: q[2],
        p90: q[3],
        p95: q[4],
    })
}

/// Put bands in their file order: each region (in `regions` order) then the region set;
/// years; metrics in column order (kept from the input's order within a cell).
pub fn sort_bands(bands: &mut [BandRow], regions: &[&str]) {
    let position: std::collections::HashMap<&str, usize> =
        regions.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    bands.sort_by_cached_key(|b| {
        let region = if b.scope == "region" {
            position
                .get(b.region.as_str())
                .copied()
                .unwrap_or(regions.len())
        } else {
            regions.len() + 1
        };
        (region, b.year)
    });
}

/// Per-sample work buffers.
#[derive(Default)]
struct SampleScratch {
    kernel: KernelScratch,
    stretched: Vec<f64>,
    full: super::kernel::FullSeries,
    numbers: Vec<f64>,
    runs: Vec<RegionRun>,
    union: Vec<usize>,
    zone_levels: Vec<(f64, f64)>,
    /// Set sums the full pass adds to when it stands in for the pruned one (unused).
    spare: (Vec<f64>, Vec<f64>, Vec<f64>),
    /// Region-years the pruned evaluation handed to the full pass.
    fallbacks: u64,
}

/// Samples handed to the per-sample sink at a time (bounds the rows kept in memory).
const SINK_CHUNK_SAMPLES: usize = 256;

/// Every sample's values for one target year.
#[allow(clippy::too_many_arguments)]
fn evaluate_year(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    inputs: &YearInputs,
    draws: &Draws,
    (plans, first_sample): (&[(Scenario, RegionSet, SitingPlan)], usize),
    runs_per_sample: usize,
    engine: Engine,
    sink: Option<&dyn SampleSink>,
    on_sample: &(dyn Fn() + Sync),
) -> Result<YearValues> {
    let region_m = MetricsRow::metric_names().len();
    let set_m = SetMetricsRow::metric_names().len();
    let n_regions = study.regions.regions.len();
    let samples = plans.len();
    let mut regions = vec![0.0; samples * runs_per_sample * n_regions * region_m];
    let mut sets = vec![0.0; samples * runs_per_sample * set_m];
    let region_stride = runs_per_sample * n_regions * region_m;
    let set_stride = runs_per_sample * set_m;
    let chunk = if sink.is_some() {
        SINK_CHUNK_SAMPLES
    } else {
        samples
    };
    for (c, (region_chunk, set_chunk)) in regions
        .chunks_mut(chunk * region_stride)
        .zip(sets.chunks_mut(chunk * set_stride))
        .enumerate()
    {
        let rows: Vec<KeptRows> = region_chunk
            .par_chunks_mut(region_stride)
            .zip(set_chunk.par_chunks_mut(set_stride))
            .enumerate()
            .map_init(
                SampleScratch::default,
                |scratch, (k, (region_out, set_out))| {
                    let local = c * chunk + k;
                    let kept = evaluate_sample(
                        study,
                        prepared,
                        inputs,
                        draws,
                        engine,
                        &plans[local],
                        first_sample + local,
                        scratch,
                        (region_out, set_out),
                        sink.is_some(),
                    );
                    on_sample();
                    kept
                },
            )
            .collect();
        if let Some(sink) = sink {
            let (r, s): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            sink.accept(&r.concat(), &s.concat())?;
        }
    }
    Ok(YearValues { regions, sets })
}

/// One region on one weather year within a sample: what the set's peaks need.
#[derive(Default)]
struct RegionRun {
    levels: Option<Levels>,
    /// Training after flexibility where it changed (hour, MW).
    changes: Vec<(usize, f64)>,
}

/// One sample in one target year: every region on its weather year(s), written to its
/// own slots (`region_out`: weather year × region × metric; `set_out`: weather year ×
/// metric). Returns the labelled rows when `keep_rows`.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn evaluate_sample(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    inputs: &YearInputs,
    draws: &Draws,
    engine: Engine,
    (scenario, regions, plan): &(Scenario, RegionSet, SitingPlan),
    i: usize,
    scratch: &mut SampleScratch,
    (region_out, set_out): (&mut [f64], &mut [f64]),
    keep_rows: bool,
) -> KeptRows {
    let year = inputs.year;
    let y = plan.index(year);
    let hours = inputs.summer.len();
    let k = draws.amplitude[i];
    let weather: &[usize] = match &draws.weather_index[i] {
        Some(w) => std::slice::from_ref(w),
        None => &inputs.all_weather,
    };
    let n_regions = regions.regions.len();
    let region_m = region_out.len() / weather.len() / n_regions;
    let set_m = set_out.len() / weather.len();
    scratch
        .runs
        .resize_with(weather.len() * n_regions, RegionRun::default);
    let mut set_rows: Vec<SetMetricsRow> = weather
        .iter()
        .map(|&w_index| SetMetricsRow {
            scenario: if keep_rows {
                scenario.name.clone()
            } else {
                String::new()
            },
            region_set: if keep_rows {
                regions.id.clone()
            } else {
                String::new()
            },
            year,
            weather_year: study.weather_years[w_index],
            unallocated_training_mw: plan.training[y].unallocated_mw,
            unallocated_inference_mw: plan.inference[y].unallocated_mw,
            outside_set_training_mw: plan.training[y].outside_set_mw,
            outside_set_inference_mw: plan.inference[y].outside_set_mw,
            ..SetMetricsRow::default()
        })
        .collect();
    let mut kept_regions = Vec::new();
    for (r, (region, data)) in regions.regions.iter().zip(prepared).enumerate() {
        let ri = &inputs.regions[r];
        let inference_shape_sum = if k == 1.0 {
            ri.inference_shape_sum
        } else {
            // Σ s′ = n + k (Σ s − n): no pass over the hours.
            let n = hours as f64;
            n + k * (ri.inference_shape_sum - n)
        };
        let context = RegionYear::new(
            scenario,
            region,
            plan,
            (r, y, year),
            (inference_shape_sum, ri.training_shape_sum),
            (
                data.threshold_levels_mw(region, year),
                data.design_peak_mw(region, year),
            ),
        );
        let inference_avg_mw = context.inference_avg_mw;
        let mut stretched = false;
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - data.reference_year);
        for (slot, &w_index) in weather.iter().enumerate() {
            let w = study.weather_years[w_index];
            // `baseline_scale`'s own arithmetic, with its two means kept from the year's
            // inputs: (reference mean / weather mean) × growth.
            let scale = ri.set_weight[w_index] * growth;
            let levels = context.levels(scale);
            let pruned_inputs = PrunedInputs {
                raw_baseline_mw: &ri.raw_baseline[w_index],
                raw_stats: &ri.raw_stats[w_index],
                order: &ri.orders[w_index],
                inference_shape: &ri.inference_shape,
                inference_stats: &ri.inference_stats,
                amplitude: k,
                training_shape: &ri.training_shape,
                training_stats: &ri.training_stats,
                shape_sums: (inference_shape_sum, ri.training_shape_sum),
                summer: &inputs.summer,
            };
            let pruned = match engine {
                Engine::Pruned => evaluate_pruned(
                    &pruned_inputs,
                    &levels,
                    &scenario.flexibility,
                    &mut scratch.kernel,
                ),
                Engine::Full => None,
            };
            let stats = match pruned {
                Some(stats) => stats,
                None => {
                    // Every hour: the stretched shape in full, the set's sums aside.
                    if !stretched {
                        scratch.stretched.clear();
                        scratch.stretched.extend(
                            ri.inference_shape
                                .iter()
                                .map(|s| if k == 1.0 { *s } else { 1.0 + k * (s - 1.0) }),
                        );
                        stretched = true;
                    }
                    for series in [
                        &mut scratch.spare.0,
                        &mut scratch.spare.1,
                        &mut scratch.spare.2,
                    ] {
                        series.clear();
                        series.resize(hours, 0.0);
                    }
                    scratch.fallbacks += 1;
                    evaluate::<false>(
                        &HourInputs {
                            raw_baseline_mw: &ri.raw_baseline[w_index],
                            raw_stats: &ri.raw_stats[w_index],
                            shape_sums: (inference_shape_sum, ri.training_shape_sum),
                            inference_shape: &scratch.stretched,
                            training_shape: &ri.training_shape,
                            summer: &inputs.summer,
                        },
                        &levels,
                        &scenario.flexibility,
                        &mut scratch.kernel,
                        &mut SetSeries {
                            baseline_mw: &mut scratch.spare.0,
                            total_mw: &mut scratch.spare.1,
                            total_after_mw: &mut scratch.spare.2,
                        },
                        &mut scratch.full,
                    )
                }
            };
            let run = &mut scratch.runs[slot * n_regions + r];
            run.levels = Some(levels);
            run.changes.clear();
            run.changes.extend_from_slice(scratch.kernel.changes());
            let hour_inputs = HourInputs {
                raw_baseline_mw: &ri.raw_baseline[w_index],
                raw_stats: &ri.raw_stats[w_index],
                shape_sums: (inference_shape_sum, ri.training_shape_sum),
                inference_shape: &ri.inference_shape,
                training_shape: &ri.training_shape,
                summer: &inputs.summer,
            };
            let mut metrics = context.row(
                w,
                &hour_inputs,
                &stats,
                &HeadroomMetrics::not_computed(),
                None,
                keep_rows,
            );
            // The row read the unstretched shape at the peak hour: put the stretched one.
            let s_peak = pruned_inputs.inference_shape_at(stats.peak_index);
            metrics.inference_at_peak_mw = inference_avg_mw * s_peak;
            metrics.ai_at_peak_mw = metrics.inference_at_peak_mw + metrics.training_at_peak_mw;
            metrics.new_ai_at_peak_mw = levels.new_inference_avg_mw * s_peak
                + levels.new_training_avg_mw * ri.training_shape[stats.peak_index];
            metrics.new_datacentre_at_peak_mw = metrics.new_ai_at_peak_mw + levels.new_non_ai_mw;
            add_to_set_row(&mut set_rows[slot], &metrics);
            scratch.numbers.clear();
            metrics.push_metrics(&mut scratch.numbers);
            let at = (slot * n_regions + r) * region_m;
            region_out[at..at + region_m].copy_from_slice(&scratch.numbers);
            if keep_rows {
                kept_regions.push((slot, i as u32, metrics));
            }
        }
    }
    let mut kept_sets = Vec::new();
    for (slot, (mut set_row, &w_index)) in set_rows.into_iter().zip(weather).enumerate() {
        let runs = &scratch.runs[slot * n_regions..(slot + 1) * n_regions];
        let peaks = match engine {
            Engine::Pruned => set_peaks_pruned(
                inputs,
                w_index,
                k,
                runs,
                scenario.flexibility.recovery_window_h > 0,
                (&mut scratch.union, &mut scratch.zone_levels),
            ),
            Engine::Full => None,
        }
        .unwrap_or_else(|| set_peaks_full(inputs, w_index, k, runs));
        (
            set_row.coincident_baseline_peak_mw,
            set_row.coincident_total_peak_mw,
            set_row.coincident_total_peak_after_flex_mw,
        ) = peaks;
        scratch.numbers.clear();
        set_row.push_metrics(&mut scratch.numbers);
        set_out[slot * set_m..(slot + 1) * set_m].copy_from_slice(&scratch.numbers);
        if keep_rows {
            kept_sets.push((i as u32, set_row));
        }
    }
    // Per-sample rows in weather-year, then region order.
    kept_regions.sort_by_key(|(slot, _, _)| *slot);
    (
        kept_regions.into_iter().map(|(_, i, m)| (i, m)).collect(),
        kept_sets,
    )
}

/// One region's hourly values on one weather year in a sample, with the full pass's
/// arithmetic: (baseline, total before flexibility, total after it).
#[inline]
fn region_values(
    ri: &RegionYearInputs,
    w: usize,
    k: f64,
    run: &RegionRun,
    t: usize,
) -> (f64, f64, f64) {
    let levels = run.levels.as_ref().expect("every region ran");
    let s = ri.inference_shape[t];
    let shape = if k == 1.0 { s } else { 1.0 + k * (s - 1.0) };
    let base = ri.raw_baseline[w][t] * levels.baseline_scale;
    let inference = levels.new_inference_avg_mw * shape;
    let training = levels.new_training_avg_mw * ri.training_shape[t];
    let total = base + inference + training + levels.new_non_ai_mw;
    let after = if run.changes.is_empty() {
        total
    } else {
        match run.changes.binary_search_by_key(&t, |c| c.0) {
            Ok(i) => base + inference + run.changes[i].1 + levels.new_non_ai_mw,
            Err(_) => total,
        }
    };
    (base, total, after)
}

/// The set's coincident peaks (baseline, total before and after flexibility) summed in
/// region order hour by hour, as the full pass sums them.
fn set_sums_at(
    inputs: &YearInputs,
    w: usize,
    k: f64,
    runs: &[RegionRun],
    t: usize,
) -> (f64, f64, f64) {
    let mut sums = (0.0, 0.0, 0.0);
    for (ri, run) in inputs.regions.iter().zip(runs) {
        let (base, total, after) = region_values(ri, w, k, run, t);
        sums.0 += base;
        sums.1 += total;
        sums.2 += after;
    }
    sums
}

/// The set's coincident peaks over every hour.
fn set_peaks_full(inputs: &YearInputs, w: usize, k: f64, runs: &[RegionRun]) -> (f64, f64, f64) {
    let mut peaks = (f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for t in 0..inputs.summer.len() {
        let (base, total, after) = set_sums_at(inputs, w, k, runs, t);
        peaks.0 = peaks.0.max(base);
        peaks.1 = peaks.1.max(total);
        peaks.2 = peaks.2.max(after);
    }
    peaks
}

/// The set's coincident peaks from the few hours that can hold them: hours scanned by the
/// set's key `Σ_r weight_r · raw_r(t)` while `growth_max · key + ai_high` can beat the
/// best (`growth_max` bounds each region's `scale / weight`, `ai_high` what the AI terms
/// add in any hour — per time zone, since a zone's regions share their shapes), plus the
/// hours where some region's flexibility changed its load. `None` when the scan runs out
/// or the bound does not hold (a negative raw value).
fn set_peaks_pruned(
    inputs: &YearInputs,
    w: usize,
    k: f64,
    runs: &[RegionRun],
    recovery: bool,
    (union, zone_levels): (&mut Vec<usize>, &mut Vec<(f64, f64)>),
) -> Option<(f64, f64, f64)> {
    if !inputs.set_bound_valid[w] {
        return None;
    }
    let stretch = |x: f64| if k == 1.0 { x } else { 1.0 + k * (x - 1.0) };
    zone_levels.clear();
    zone_levels.resize(inputs.zone_shapes.len(), (0.0, 0.0));
    let mut growth_max = 0.0_f64;
    let mut magnitude = 1.0;
    // The flat non-AI terms add the same to every hour of the set.
    let mut non_ai_mw = 0.0;
    for ((ri, run), &z) in inputs.regions.iter().zip(runs).zip(&inputs.zone_of_region) {
        let levels = run.levels.as_ref()?;
        let weight = ri.set_weight[w];
        if weight <= 0.0 {
            return None;
        }
        growth_max = growth_max.max(levels.baseline_scale / weight);
        let (a, b) = (levels.new_inference_avg_mw, levels.new_training_avg_mw);
        zone_levels[z].0 += a;
        zone_levels[z].1 += b;
        non_ai_mw += levels.new_non_ai_mw;
        let (is, ts) = (&ri.inference_stats, &ri.training_stats);
        magnitude += ri.raw_stats[w].max_mw * levels.baseline_scale
            + a.abs() * stretch(is.max).abs().max(stretch(is.min).abs())
            + b.abs() * ts.max.abs().max(ts.min.abs())
            + levels.new_non_ai_mw.abs();
    }
    let mut ai_high = non_ai_mw;
    for (z, &(a, b)) in zone_levels.iter().enumerate() {
        let r = inputs.zone_of_region.iter().position(|&zr| zr == z)?;
        let (is, ts) = (
            &inputs.regions[r].inference_stats,
            &inputs.regions[r].training_stats,
        );
        ai_high += (a * stretch(is.max)).max(a * stretch(is.min)) + (b * ts.max).max(b * ts.min);
    }
    let growth_max = growth_max * (1.0 + 1e-12);
    let slack = 1e-9 * magnitude;
    let mut peaks = (f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let key = &inputs.set_key[w];
    let (order, complete) = &inputs.set_order[w];
    let mut stopped = false;
    for &t in order {
        let t = usize::from(t);
        let base_bound = growth_max * key[t];
        let total_bound = base_bound + ai_high;
        if base_bound < peaks.0 - slack
            && total_bound < peaks.1 - slack
            && total_bound < peaks.2 - slack
        {
            stopped = true;
            break;
        }
        let (base, total, after) = set_sums_at(inputs, w, k, runs, t);
        peaks.0 = peaks.0.max(base);
        peaks.1 = peaks.1.max(total);
        peaks.2 = peaks.2.max(after);
    }
    if !stopped && !complete {
        return None;
    }
    // Hours flexibility changed: without recovery their total only fell, so only those
    // whose bound can still beat the best need a look; with recovery, all of them.
    union.clear();
    for run in runs {
        union.extend(run.changes.iter().map(|c| c.0));
    }
    union.sort_unstable();
    union.dedup();
    for &t in union.iter() {
        if recovery || growth_max * key[t] + ai_high >= peaks.2 - slack {
            peaks.2 = peaks.2.max(set_sums_at(inputs, w, k, runs, t).2);
        }
    }
    Some(peaks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::tests::fixture;

    #[test]
    fn a_draw_depends_only_on_seed_sample_and_key() {
        let a = uniform(7, 3, "facility.pue");
        assert_eq!(a, uniform(7, 3, "facility.pue"));
        assert_ne!(a, uniform(8, 3, "facility.pue"));
        assert_ne!(a, uniform(7, 4, "facility.pue"));
        assert_ne!(a, uniform(7, 3, "training.power_frac"));
        assert!(a > 0.0 && a < 1.0);
        // Pinned: a change of generator or keying would move every published sweep.
        assert_eq!(
            uniform(1, 0, "weather_year").to_bits(),
            0x3fec_e452_7860_2542
        );
        assert_eq!(
            uniform(42, 7, "facility.pue").to_bits(),
            0x3fa7_53b9_25d9_23e8
        );
    }

    #[test]
    fn uniforms_are_uniform() {
        let n = 4000;
        let mean: f64 = (0..n).map(|i| uniform(1, i, "x")).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    fn shard_range(samples: usize, (k, n): (usize, usize)) -> std::ops::Range<usize> {
        SweepSpec {
            engine: Engine::Pruned,
            shard: Some((k, n)),
            samples,
            seed: 0,
            all_weather_years: false,
        }
        .sample_range()
    }

    #[test]
    fn the_memory_estimate_grows_with_samples_and_weather_runs() {
        let study = fixture();
        let spec = |samples, all_weather_years| SweepSpec {
            engine: Engine::Pruned,
            shard: None,
            samples,
            seed: 0,
            all_weather_years,
        };
        let one = estimated_memory_bytes(&study, &spec(1000, false));
        let ten = estimated_memory_bytes(&study, &spec(10_000, false));
        assert_eq!(ten, 10 * one);
        assert!(estimated_memory_bytes(&study, &spec(1000, true)) > one);
        eprintln!("per sample: {} bytes", one / 1000);
        // A shard evaluates only its block.
        let mut sharded = spec(10_000, false);
        sharded.shard = Some((0, 10));
        assert!(estimated_memory_bytes(&study, &sharded) < ten / 5);
    }

    #[test]
    fn shards_of_any_size_split_the_samples_without_overflow() {
        // K·S overflows 64 bits here (the probe's `--shard K/N` wrote 0 samples).
        let n = usize::MAX;
        let last = shard_range(10_000_000, (n - 1, n));
        assert_eq!(last.end, 10_000_000);
        assert!(last.len() <= 1);
        let middle = shard_range(10_000_000, (n / 2, n));
        assert_eq!(middle.start, 5_000_000 - 1);
        assert!(middle.len() <= 1);
    }

    proptest::proptest! {
        /// The shards of any split are contiguous, in order, and cover every sample once.
        #[test]
        fn shards_cover_every_sample_once(samples in 0usize..5000, n in 1usize..300) {
            let mut next = 0;
            for k in 0..n {
                let range = shard_range(samples, (k, n));
                proptest::prop_assert_eq!(range.start, next);
                proptest::prop_assert!(range.end >= range.start);
                next = range.end;
            }
            proptest::prop_assert_eq!(next, samples);
        }
    }

    #[test]
    fn the_first_samples_do_not_depend_on_the_count() {
        let study = fixture();
        let bound = |_p: f64| 2.0;
        let small = draw(
            &study,
            &SweepSpec {
                engine: Engine::Pruned,
                shard: None,
                samples: 5,
                seed: 3,
                all_weather_years: false,
            },
            bound,
        );
        let large = draw(
            &study,
            &SweepSpec {
                engine: Engine::Pruned,
                shard: None,
                samples: 50,
                seed: 3,
                all_weather_years: false,
            },
            bound,
        );
        assert_eq!(small.values[..], large.values[..small.values.len()]);
        assert_eq!(small.weather_index[..], large.weather_index[..5]);
    }
}
