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
use crate::time::months_of_year;

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
    let parameters = study.uncertainty.len() as u64;
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

mod draw;
mod drivers;
mod evaluate;
mod prepare;

pub use self::draw::{Draws, apply, draw, uniform};
pub use self::drivers::{
    DRIVER_OUTPUTS, DrawnInputs, PEAK_INCREASE_METRIC, drawn_inputs, drivers, set_peak_increase,
};
use self::evaluate::*;
use self::prepare::*;

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
    let (shape_max, shape_min) = shape_extremes(&shapes);
    let draws = draw(study, spec, amplitude_bound(shape_max, shape_min));

    let range = spec.sample_range();
    let plans = sample_plans(
        study,
        &draws,
        range.clone(),
        &prepared,
        nation_prepared.as_deref(),
        frozen_headroom.as_deref(),
    )?;

    let weather_years = &study.weather_years;
    let runs_per_sample = if spec.all_weather_years {
        weather_years.len()
    } else {
        1
    };
    let mut bands = Vec::new();
    let mut driver_rows = Vec::new();
    let (inputs, weather_of_sample) = drawn_inputs(&draws, range.clone(), weather_years);
    let drawn = DrawnRuns {
        runs_per_sample,
        inputs: &inputs,
        weather_of_run: &weather_of_run(weather_of_sample.as_ref(), range.len(), weather_years),
    };
    for &year in &target_years {
        let year_inputs = YearInputs::build(study, &prepared, &shapes, year);
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
        bands.extend(region_bands(
            study,
            &values,
            year,
            plans.len() * runs_per_sample,
        ));
        set_bands_and_drivers(study, &values, year, &drawn, (&mut bands, &mut driver_rows));
    }
    // Region-major, as metrics.csv: each region (set order) then the set; years; metrics.
    let ids: Vec<&str> = study
        .regions
        .regions
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    sort_bands(&mut bands, &ids);
    let notes = sweep_notes(study, &central_plan, frozen_headroom.is_some(), &draws);
    Ok(SweepResult {
        draws,
        samples: range,
        bands,
        notes,
        drivers: driver_rows,
    })
}

/// The extremes of the inference shape over every region-year, which bound the
/// amplitude a sample may draw.
fn shape_extremes(shapes: &Shapes) -> (f64, f64) {
    shapes
        .by_zone_year
        .values()
        .map(|(inference, _)| {
            let stats = ShapeStats::of(inference);
            (stats.max, stats.min)
        })
        .fold((f64::NEG_INFINITY, f64::INFINITY), |a, b| {
            (a.0.max(b.0), a.1.min(b.1))
        })
}

/// Each sample's plan: the same siting code as `run`, on the sample's scenario and
/// region set, with the central case's headroom for the headroom policy.
fn sample_plans(
    study: &Study,
    draws: &Draws,
    range: std::ops::Range<usize>,
    prepared: &[PreparedRegion<'_>],
    nation_prepared: Option<&[PreparedRegion<'_>]>,
    frozen_headroom: Option<&[Vec<f64>]>,
) -> Result<Vec<(Scenario, RegionSet, SitingPlan)>> {
    range
        .into_par_iter()
        .map(|i| {
            let (scenario, regions) = apply(study, draws, i);
            let plan = plan_siting_with(
                study,
                &scenario,
                &regions,
                prepared,
                nation_prepared,
                frozen_headroom,
            )?;
            Ok((scenario, regions, plan))
        })
        .collect::<Result<_>>()
}

/// The weather year of each run, samples major (a drawn one, or each in turn).
fn weather_of_run(
    weather_of_sample: Option<&Vec<f64>>,
    samples: usize,
    weather_years: &[i32],
) -> Vec<f64> {
    match weather_of_sample {
        Some(drawn) => drawn.clone(),
        None => (0..samples)
            .flat_map(|_| weather_years.iter().map(|w| f64::from(*w)))
            .collect(),
    }
}

/// What the drivers of a year are ranked against: the runs of each sample, every
/// sample's drawn inputs and each run's weather year.
struct DrawnRuns<'a> {
    runs_per_sample: usize,
    inputs: &'a [(String, Vec<f64>)],
    weather_of_run: &'a [f64],
}

/// Every region's bands of `year`, cell by cell (a region, its metrics in order), the
/// regions in parallel; `runs` is the number of values of each cell.
fn region_bands(study: &Study, values: &YearValues, year: i32, runs: usize) -> Vec<BandRow> {
    let region_metrics = MetricsRow::metric_names();
    let n_regions = study.regions.regions.len();
    let region_m = region_metrics.len();
    let region_bands: Vec<Vec<BandRow>> = (0..n_regions)
        .into_par_iter()
        .map(|r| {
            let mut column = Vec::with_capacity(runs);
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
    region_bands.into_iter().flatten().collect()
}

/// The region set's drivers and bands of `year` (with the coincident peak's increase as
/// one more metric). Drivers first: the bands sort each column in place.
fn set_bands_and_drivers(
    study: &Study,
    values: &YearValues,
    year: i32,
    drawn: &DrawnRuns<'_>,
    (bands, driver_rows): (&mut Vec<BandRow>, &mut Vec<DriverRow>),
) {
    let set_metrics = SetMetricsRow::metric_names();
    let set_m = set_metrics.len();
    let mut set_columns: Vec<Vec<f64>> = (0..set_m)
        .map(|m| values.sets.chunks_exact(set_m).map(|row| row[m]).collect())
        .collect();
    if let Some(increase) = set_peak_increase(&set_metrics, &set_columns) {
        set_columns.push(increase);
    }
    let mut names = set_metrics.clone();
    names.push(PEAK_INCREASE_METRIC);
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
        drawn.runs_per_sample,
        drawn.inputs,
        drawn.weather_of_run,
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

/// The sweep's notes: the central plan's, then the sweep's own choices (the frozen
/// headroom; a drawn baseline growth where the regions' rates differ).
fn sweep_notes(
    study: &Study,
    central_plan: &SitingPlan,
    frozen_headroom: bool,
    draws: &Draws,
) -> Vec<String> {
    let mut notes = central_plan.notes.clone();
    if frozen_headroom {
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
        let definition = Parameter::BaselineGrowth.definition();
        notes.push(format!(
            "sweep: {}: {}",
            definition.path, definition.when_regions_differ
        ));
    }
    notes
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
