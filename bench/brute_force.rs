//! The brute-force reference for `gridstrain sweep` (issue 11): the same samples (drawn
//! by the library's `sweep::draw`, sited by the same `plan_siting_with`), then for every
//! sample × target year × region × weather year ONE fused pass over EVERY hour that does
//! all the per-hour work — lay the weather year onto the target year (weekday shift),
//! scale it, stretch the inference shape, form training and the seasonal threshold, sum
//! the energies, track peaks and ramps, collect exceedances — then the library's
//! `dispatch_training` on the hour series, a pass for the totals after flexibility, and
//! the region set's hourly sums and coincident peaks. Nothing is carried over between
//! samples but the shapes (a table lookup, as any fused loop would use).
//!
//! Run: `cargo run --release --example brute_force -- [--samples N] [--all-weather-years]`
//! It prints region-hours, seconds, region-hours per second and a checksum (so that no
//! work can be optimised away). `bench/sweep_commands.sh` times it next to `sweep`.
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use gridstrain::input::study::{StudyFiles, load_study};
use gridstrain::model::scenario::Scenario;
use gridstrain::simulation::siting::plan_siting_with;
use gridstrain::simulation::sweep::{Engine, SweepSpec, apply, draw};
use gridstrain::simulation::{gross_average_mw, prepare_regions};
use gridstrain::stages::baseline::{SUMMER_FIRST_MONTH, SUMMER_LAST_MONTH, Threshold, mean};
use gridstrain::stages::flexibility::{FlexScratch, dispatch_training};
use gridstrain::stages::shapes::shape_for_year;
use gridstrain::time::{
    hours_in_year, months_of_year, weekday_alignment_shift_h, year_start_epoch_hour,
};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let samples: usize = args
        .iter()
        .position(|a| a == "--samples")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(1000), |s| s.parse())?;
    let all_weather = args.iter().any(|a| a == "--all-weather-years");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = StudyFiles {
        scenario: root.join("scenarios/default.toml"),
        regions: root.join("regions/us-22.toml"),
        catalogue_ids: Vec::new(),
        years: None,
        weather_years: (2016..=2024).collect(),
    };
    let study = load_study(&files)?.study;
    let started = Instant::now();
    let prepared = prepare_regions(&study)?;
    let nation_prepared = gridstrain::simulation::prepare_nation(&study)?;
    let central = gridstrain::simulation::siting::plan_siting(&study, &prepared)?;
    let years: Vec<i32> = study.target_years().collect();
    let spec = SweepSpec {
        engine: Engine::Full,
        samples,
        seed: study.scenario.seed,
        all_weather_years: all_weather,
        shard: None,
    };
    // The amplitude bound is not the point here: the shipped ranges stay inside it.
    let draws = draw(&study, &spec, |p: f64| (1.0 / p - 1.0) / 0.48);
    // Shapes per region and year (the lookup table of the loop).
    let shapes: Vec<Vec<(Vec<f64>, Vec<f64>)>> = years
        .par_iter()
        .map(|&year| {
            study
                .regions
                .regions
                .iter()
                .map(|region| {
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
                    (inference, training)
                })
                .collect()
        })
        .collect();
    let n_weather = study.weather_years.len();
    let checksum: f64 = (0..samples)
        .into_par_iter()
        .map(|i| {
            let (scenario, regions) = apply(&study, &draws, i);
            let plan = plan_siting_with(
                &study,
                &scenario,
                &regions,
                &prepared,
                nation_prepared.as_deref(),
                central.training_headroom_mw.as_deref(),
            )
            .expect("siting");
            let weather: Vec<usize> = match draws.weather_index[i] {
                Some(w) => vec![w],
                None => (0..n_weather).collect(),
            };
            let k = draws.amplitude[i];
            let mut sum = 0.0;
            let mut buffers = Buffers::default();
            for (yi, &year) in years.iter().enumerate() {
                for &w in &weather {
                    sum += sample_year(
                        &study,
                        &scenario,
                        &regions.regions,
                        &prepared,
                        &plan,
                        (yi, year),
                        w,
                        k,
                        &shapes[yi],
                        &mut buffers,
                    );
                }
            }
            sum
        })
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    let region_hours: f64 = years.iter().map(|&y| hours_in_year(y) as f64).sum::<f64>()
        * study.regions.regions.len() as f64
        * samples as f64
        * if all_weather { n_weather as f64 } else { 1.0 };
    println!(
        "brute_force samples={samples} all_weather_years={all_weather} region_hours={region_hours:.4e} seconds={seconds:.3} rate={:.3e} checksum={checksum:.6e}",
        region_hours / seconds
    );
    Ok(())
}

#[derive(Default)]
struct Buffers {
    baseline: Vec<f64>,
    inference: Vec<f64>,
    training: Vec<f64>,
    threshold: Vec<f64>,
    after: Vec<f64>,
    set_base: Vec<f64>,
    set_total: Vec<f64>,
    set_after: Vec<f64>,
    months: Vec<u8>,
    flex: FlexScratch,
}

/// One sample, one target year, one weather year: every region hour by hour, then the
/// set. Returns a checksum of what it measured.
#[allow(clippy::too_many_arguments)]
fn sample_year(
    study: &gridstrain::model::study::Study,
    scenario: &Scenario,
    regions: &[gridstrain::model::region::Region],
    prepared: &[gridstrain::simulation::PreparedRegion<'_>],
    plan: &gridstrain::simulation::siting::SitingPlan,
    (_, year): (usize, i32),
    w: usize,
    k: f64,
    shapes: &[(Vec<f64>, Vec<f64>)],
    b: &mut Buffers,
) -> f64 {
    let hours = hours_in_year(year);
    let weather_year = study.weather_years[w];
    let y = plan.index(year);
    months_of_year(year, &mut b.months);
    for series in [&mut b.set_base, &mut b.set_total, &mut b.set_after] {
        series.clear();
        series.resize(hours, 0.0);
    }
    let mut checksum = 0.0;
    for (r, (region, data)) in regions.iter().zip(prepared).enumerate() {
        let weather = data.load.year_slice(weather_year).expect("weather year");
        let start = (data.load.first_epoch_hour - year_start_epoch_hour(weather_year)).max(0);
        let end = start + weather.len() as i64;
        let shift = weekday_alignment_shift_h(year, weather_year);
        let reference = data
            .load
            .year_slice(data.reference_year)
            .expect("reference year");
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - data.reference_year);
        let scale = mean(reference) / mean(weather) * growth;
        let (summer_mw, winter_mw) = match data.threshold {
            Threshold::Seasonal {
                summer_mw,
                winter_mw,
            } => (summer_mw * growth, winter_mw * growth),
            Threshold::Flat(mw) => (mw, mw),
        };
        let (inference_avg, training_avg) = gross_average_mw(scenario, region, plan, r, y);
        let a = inference_avg - plan.existing_inference_mw[r];
        let c = training_avg - plan.existing_training_mw[r];
        let (inference_shape, training_shape) = &shapes[r];
        for series in [
            &mut b.baseline,
            &mut b.inference,
            &mut b.training,
            &mut b.threshold,
            &mut b.after,
        ] {
            series.clear();
            series.resize(hours, 0.0);
        }
        let (mut energy, mut peak, mut peak_base, mut up, mut down, mut residual) = (
            0.0,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
            0.0_f64,
            0.0_f64,
            f64::NEG_INFINITY,
        );
        let mut previous = 0.0;
        for t in 0..hours {
            let mut source = t as i64 + shift;
            while source < start {
                source += 168;
            }
            while source >= end {
                source -= 168;
            }
            let base = weather[(source - start) as usize] * scale;
            let s = inference_shape[t];
            let inference = a * if k == 1.0 { s } else { 1.0 + k * (s - 1.0) };
            let training = c * training_shape[t];
            let threshold = if (SUMMER_FIRST_MONTH..=SUMMER_LAST_MONTH).contains(&b.months[t]) {
                summer_mw
            } else {
                winter_mw
            };
            let total = base + inference + training;
            energy += total;
            peak = peak.max(total);
            peak_base = peak_base.max(base);
            if t > 0 {
                up = up.max(total - previous);
                down = down.max(previous - total);
            }
            previous = total;
            residual = residual.max(total - threshold);
            b.baseline[t] = base;
            b.inference[t] = inference;
            b.training[t] = training;
            b.threshold[t] = threshold;
            b.set_base[t] += base;
            b.set_total[t] += total;
        }
        let outcome = dispatch_training(
            &b.baseline,
            &b.inference,
            &b.training,
            &b.threshold,
            &scenario.flexibility,
            &mut b.flex,
            &mut b.after,
        );
        let (mut peak_after, mut up_after, mut down_after) = (f64::NEG_INFINITY, 0.0_f64, 0.0_f64);
        let mut previous = 0.0;
        for t in 0..hours {
            let total = b.baseline[t] + b.inference[t] + b.after[t];
            peak_after = peak_after.max(total);
            if t > 0 {
                up_after = up_after.max(total - previous);
                down_after = down_after.max(previous - total);
            }
            previous = total;
            b.set_after[t] += total;
        }
        checksum += energy
            + peak
            + peak_base
            + up
            + down
            + residual
            + peak_after
            + up_after
            + down_after
            + outcome.curtailed_mwh;
    }
    let set_peak = |s: &[f64]| s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    checksum + set_peak(&b.set_base) + set_peak(&b.set_total) + set_peak(&b.set_after)
}
