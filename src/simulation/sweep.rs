//! Monte Carlo sweeps on the one simulation kernel. A sweep draws every uncertain
//! parameter of the scenario (and a weather year) for each sample, serially from the seed
//! with ChaCha8, then runs each sample through the same siting code and the same hourly
//! [`kernel::evaluate`] as `run`, and reduces the samples to percentile bands.
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

use super::kernel::{HourInputs, KernelScratch, RawBaselineStats, evaluate};
use super::siting::{SitingPlan, plan_siting_with};
use super::{
    HeadroomMetrics, PreparedRegion, RegionYear, SetSums, add_to_set_row, prepare_regions,
    summer_hours,
};
use crate::input::scenario::it_energy_twh;
use crate::model::region::RegionSet;
use crate::model::scenario::{ComputeProjection, Scenario};
use crate::model::study::Study;
use crate::model::uncertainty::Parameter;
use crate::results::{BandRow, MetricsRow, SetMetricsRow, TableRow, band};
use crate::stages::baseline::{baseline_for, baseline_scale};
use crate::stages::shapes::shape_for_year;
use crate::time::{hours_in_year, months_of_year};

/// What to sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSpec {
    /// Number of samples (≥ 1).
    pub samples: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Run every sample on every weather year (else one drawn weather year per sample).
    pub all_weather_years: bool,
}

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
    let mut scenario = study.scenario.clone();
    let mut regions = study.regions.clone();
    for (parameter, &value) in draws.parameters.iter().zip(draws.sample(i)) {
        parameter.apply(value, &mut scenario, &mut regions, &study.regions);
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

/// One region's shapes and laid-out weather years in one target year.
type RegionInputs = (Vec<f64>, Vec<f64>, Vec<Vec<f64>>);
/// Labelled per-sample rows of one sample (for `--per-sample`).
type KeptRows = (Vec<(u32, MetricsRow)>, Vec<(u32, SetMetricsRow)>);

/// The per-target-year inputs every sample shares.
struct YearInputs {
    year: i32,
    summer: Vec<bool>,
    /// Per region: inference and training shapes.
    inference_shape: Vec<Vec<f64>>,
    training_shape: Vec<Vec<f64>>,
    /// Per region: Σ of each shape.
    inference_shape_sum: Vec<f64>,
    training_shape_sum: Vec<f64>,
    /// Per region × weather year: the load laid onto the year, unscaled.
    raw_baseline: Vec<Vec<Vec<f64>>>,
    /// Their sums and extremes.
    raw_stats: Vec<Vec<RawBaselineStats>>,
    /// Every weather year's index.
    all_weather: Vec<usize>,
}

impl YearInputs {
    fn build(study: &Study, prepared: &[PreparedRegion<'_>], year: i32) -> Self {
        let mut months = Vec::new();
        months_of_year(year, &mut months);
        let mut summer = Vec::new();
        summer_hours(&months, &mut summer);
        let per_region: Vec<RegionInputs> = study
            .regions
            .regions
            .par_iter()
            .zip(prepared)
            .map(|(region, data)| {
                let mut inference = Vec::new();
                shape_for_year(
                    &study.profiles.inference,
                    region.time_zone,
                    year,
                    &mut inference,
                );
                let mut training = Vec::new();
                shape_for_year(
                    &study.profiles.training,
                    region.time_zone,
                    year,
                    &mut training,
                );
                let raw = study
                    .weather_years
                    .iter()
                    .map(|&w| {
                        let mut out = Vec::new();
                        baseline_for(data.load, w, year, 1.0, &mut out);
                        out
                    })
                    .collect();
                (inference, training, raw)
            })
            .collect();
        let mut inference_shape = Vec::with_capacity(per_region.len());
        let mut training_shape = Vec::with_capacity(per_region.len());
        let mut raw_baseline = Vec::with_capacity(per_region.len());
        for (i, t, raw) in per_region {
            inference_shape.push(i);
            training_shape.push(t);
            raw_baseline.push(raw);
        }
        Self {
            year,
            inference_shape_sum: inference_shape.iter().map(|s| s.iter().sum()).collect(),
            training_shape_sum: training_shape.iter().map(|s| s.iter().sum()).collect(),
            raw_stats: raw_baseline
                .iter()
                .map(|per_weather| {
                    per_weather
                        .iter()
                        .map(|raw| RawBaselineStats::of(raw, &summer))
                        .collect()
                })
                .collect(),
            summer,
            inference_shape,
            training_shape,
            raw_baseline,
            all_weather: (0..study.weather_years.len()).collect(),
        }
    }
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
    /// The drawn inputs.
    pub draws: Draws,
    /// Percentile bands: per region (then the region set), year and metric.
    pub bands: Vec<BandRow>,
    /// What a user should know (from the central plan, and the sweep's own choices).
    pub notes: Vec<String>,
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
#[allow(clippy::too_many_lines)]
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
    let central_plan = super::siting::plan_siting(study, &prepared)?;
    let frozen_headroom = central_plan.training_headroom_mw.clone();
    let target_years: Vec<i32> = study.target_years().collect();

    // Shape extremes over every region-year, for the amplitude's bound.
    let (shape_max, shape_min) = target_years
        .par_iter()
        .flat_map_iter(|&year| {
            study.regions.regions.iter().map(move |region| {
                let mut shape = Vec::new();
                shape_for_year(
                    &study.profiles.inference,
                    region.time_zone,
                    year,
                    &mut shape,
                );
                let max = shape.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let min = shape.iter().copied().fold(f64::INFINITY, f64::min);
                (max, min)
            })
        })
        .reduce(
            || (f64::NEG_INFINITY, f64::INFINITY),
            |a, b| (a.0.max(b.0), a.1.min(b.1)),
        );
    let draws = draw(study, spec, amplitude_bound(shape_max, shape_min));

    // Each sample's plan: the same siting code as `run`, on the sample's scenario and
    // region set, with the central case's headroom for the headroom policy.
    let plans: Vec<(Scenario, RegionSet, SitingPlan)> = (0..spec.samples)
        .into_par_iter()
        .map(|i| {
            let (scenario, regions) = apply(study, &draws, i);
            let plan = plan_siting_with(
                study,
                &scenario,
                &regions,
                &prepared,
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
    for &year in &target_years {
        let inputs = YearInputs::build(study, &prepared, year);
        let hours = hours_in_year(year);
        let values = evaluate_year(
            study,
            &prepared,
            &inputs,
            &draws,
            &plans,
            runs_per_sample,
            sink,
            on_sample,
        )?;
        debug_assert_eq!(inputs.year, year);
        let _ = hours;
        // Bands, cell by cell (a region, then the set), metric by metric.
        let region_m = region_metrics.len();
        let region_bands: Vec<Vec<BandRow>> = (0..n_regions)
            .into_par_iter()
            .map(|r| {
                let mut column = Vec::with_capacity(spec.samples * runs_per_sample);
                let mut rows = Vec::new();
                for (m, metric) in region_metrics.iter().enumerate() {
                    if NOT_BANDED.contains(metric) {
                        continue;
                    }
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
                        study,
                        "region",
                        &study.regions.regions[r].id,
                        year,
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
        let mut column = Vec::with_capacity(spec.samples * runs_per_sample);
        for (m, metric) in set_metrics.iter().enumerate() {
            column.clear();
            column.extend(values.sets.chunks_exact(set_m).map(|row| row[m]));
            if let Some(row) = band_row(
                study,
                "region_set",
                &study.regions.id,
                year,
                metric,
                &mut column,
            ) {
                bands.push(row);
            }
        }
    }
    // Region-major, as metrics.csv: each region (set order) then the set; years; metrics.
    let order = |b: &BandRow| {
        let region = study
            .regions
            .regions
            .iter()
            .position(|r| b.scope == "region" && r.id == b.region)
            .unwrap_or(n_regions);
        (region, b.year)
    };
    bands.sort_by_key(order);
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
        bands,
        notes,
    })
}

fn band_row(
    study: &Study,
    scope: &str,
    region: &str,
    year: i32,
    metric: &str,
    values: &mut Vec<f64>,
) -> Option<BandRow> {
    let (n, mean, q) = band(values)?;
    Some(BandRow {
        scenario: study.scenario.name.clone(),
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

/// Per-sample work buffers.
#[derive(Default)]
struct SampleScratch {
    kernel: KernelScratch,
    stretched: Vec<f64>,
    full: super::kernel::FullSeries,
    numbers: Vec<f64>,
    sets: Vec<SetSums>,
    spare_sets: Vec<SetSums>,
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
    plans: &[(Scenario, RegionSet, SitingPlan)],
    runs_per_sample: usize,
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
                    let i = c * chunk + k;
                    let kept = evaluate_sample(
                        study,
                        prepared,
                        inputs,
                        draws,
                        &plans[i],
                        i,
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

/// One sample in one target year: every region on its weather year(s), written to its
/// own slots (`region_out`: weather year × region × metric; `set_out`: weather year ×
/// metric). Returns the labelled rows when `keep_rows`.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn evaluate_sample(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    inputs: &YearInputs,
    draws: &Draws,
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
    // One set of hourly sums per weather year, reused from sample to sample.
    scratch.sets.truncate(0);
    scratch.sets.extend(weather.iter().map(|&w_index| {
        let row = SetMetricsRow {
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
            ..SetMetricsRow::default()
        };
        let mut sums = scratch
            .spare_sets
            .pop()
            .unwrap_or_else(|| SetSums::new(row.clone(), hours));
        sums.reset(row, hours);
        sums
    }));
    let mut kept_regions = Vec::new();
    for (r, (region, data)) in regions.regions.iter().zip(prepared).enumerate() {
        // The sampled amplitude stretches the shape around its mean (k = 1: as is).
        let (inference_shape, inference_shape_sum): (&[f64], f64) = if k == 1.0 {
            (&inputs.inference_shape[r], inputs.inference_shape_sum[r])
        } else {
            scratch.stretched.clear();
            scratch.stretched.extend(
                inputs.inference_shape[r]
                    .iter()
                    .map(|s| 1.0 + k * (s - 1.0)),
            );
            // Σ s′ = n + k (Σ s − n): no extra pass over the hours.
            let n = hours as f64;
            (
                &scratch.stretched,
                n + k * (inputs.inference_shape_sum[r] - n),
            )
        };
        let (inference_avg_mw, training_avg_mw) =
            RegionYear::gross_avg_mw(scenario, region, plan, r, y);
        let context = RegionYear {
            scenario,
            region,
            year,
            inference_avg_mw,
            training_avg_mw,
            existing_inference_mw: plan.existing_inference_mw[r],
            existing_training_mw: plan.existing_training_mw[r],
            inference_shape_sum,
            training_shape_sum: inputs.training_shape_sum[r],
            threshold_mw: data.threshold_levels_mw(region, year),
        };
        for (slot, &w_index) in weather.iter().enumerate() {
            let w = study.weather_years[w_index];
            let scale = baseline_scale(
                data.load,
                w,
                data.reference_year,
                year,
                region.baseline_growth_per_year_frac,
            )
            .expect("weather years checked");
            let hour_inputs = HourInputs {
                raw_baseline_mw: &inputs.raw_baseline[r][w_index],
                raw_stats: &inputs.raw_stats[r][w_index],
                shape_sums: (inference_shape_sum, inputs.training_shape_sum[r]),
                inference_shape,
                training_shape: &inputs.training_shape[r],
                summer: &inputs.summer,
            };
            let set = &mut scratch.sets[slot];
            let stats = evaluate::<false>(
                &hour_inputs,
                &context.levels(scale),
                &scenario.flexibility,
                &mut scratch.kernel,
                &mut set.series(),
                &mut scratch.full,
            );
            let metrics = context.row(
                w,
                &hour_inputs,
                &stats,
                &HeadroomMetrics::not_computed(),
                keep_rows,
            );
            add_to_set_row(&mut set.row, &metrics);
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
    for (slot, set) in scratch.sets.iter_mut().enumerate() {
        let set_row = set.close();
        scratch.numbers.clear();
        set_row.push_metrics(&mut scratch.numbers);
        set_out[slot * set_m..(slot + 1) * set_m].copy_from_slice(&scratch.numbers);
        if keep_rows {
            kept_sets.push((i as u32, set_row));
        }
    }
    scratch.spare_sets.append(&mut scratch.sets);
    // Per-sample rows in weather-year, then region order.
    kept_regions.sort_by_key(|(slot, _, _)| *slot);
    (
        kept_regions.into_iter().map(|(_, i, m)| (i, m)).collect(),
        kept_sets,
    )
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
            uniform(1, 0, "weather_year").to_bits()
        );
    }

    #[test]
    fn uniforms_are_uniform() {
        let n = 4000;
        let mean: f64 = (0..n).map(|i| uniform(1, i, "x")).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    #[test]
    fn the_first_samples_do_not_depend_on_the_count() {
        let study = fixture();
        let bound = |_p: f64| 2.0;
        let small = draw(
            &study,
            &SweepSpec {
                samples: 5,
                seed: 3,
                all_weather_years: false,
            },
            bound,
        );
        let large = draw(
            &study,
            &SweepSpec {
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
