//! `run.toml`: what a run read and which defaults were in force — enough to rerun it.
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::RUN_FILE_NAME;
use crate::input::region_set::RawRegionSet;
use crate::input::scenario::RawScenario;
use crate::input::study::LoadedStudy;

/// What `run.toml` records.
#[derive(Serialize)]
struct RunRecord<'a> {
    program: &'static str,
    version: &'static str,
    /// The day the run was made (UTC), for the report's first screen; the report reads
    /// it from here, so re-rendering a folder gives the same bytes.
    run_on: String,
    command: String,
    scenario_file: String,
    regions_file: String,
    years: [i32; 2],
    weather_years: &'a [i32],
    seed: u64,
    hourly: bool,
    /// The years the report's findings and the headline speak of.
    #[serde(skip_serializing_if = "<[i32]>::is_empty")]
    milestone_years: &'a [i32],
    #[serde(skip_serializing_if = "Option::is_none")]
    sweep: Option<&'a SweepRecord>,
    notes: &'a [String],
    scenario: &'a RawScenario,
    region_set: &'a RawRegionSet,
}

/// What a sweep adds to `run.toml`.
#[derive(Debug, Serialize)]
pub struct SweepRecord {
    /// Number of samples.
    pub samples: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Every sample on every weather year.
    pub all_weather_years: bool,
    /// Per-sample rows written.
    pub per_sample: bool,
    /// `K/N` when this is one shard of a sweep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// Write `run.toml` into `dir` for a study run by `command` (the command line), with the
/// run's notes (assumptions it took, warnings) and the years its findings speak of.
///
/// # Errors
/// When the record cannot be written.
pub fn write_run_record(
    dir: &Path,
    loaded: &LoadedStudy,
    command: String,
    hourly: bool,
    (notes, milestone_years): (&[String], &[i32]),
    sweep: Option<&SweepRecord>,
) -> Result<()> {
    let study = &loaded.study;
    let record = RunRecord {
        program: "gridstrain",
        version: env!("CARGO_PKG_VERSION"),
        run_on: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        command,
        scenario_file: loaded.files.scenario.display().to_string(),
        regions_file: loaded.files.regions.display().to_string(),
        years: [study.years.0, study.years.1],
        weather_years: &study.weather_years,
        seed: study.scenario.seed,
        hourly,
        milestone_years,
        sweep,
        notes,
        scenario: &loaded.raw_scenario,
        region_set: &loaded.raw_regions,
    };
    let text = toml::to_string(&record).context("cannot record the run as TOML")?;
    std::fs::write(dir.join(RUN_FILE_NAME), text).context("cannot write run.toml")
}
