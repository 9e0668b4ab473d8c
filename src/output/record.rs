//! `run.toml`: what a run read and which defaults were in force — enough to rerun it.
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Serialize, Deserialize)]
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

/// `run.toml` as a report reads it back: typed, so a renamed field is a build error and
/// a folder whose record does not match is one message. Fields a report does not use are
/// ignored.
#[derive(Debug, Deserialize)]
pub struct RunRecordFile {
    /// Program version that wrote the folder.
    pub version: String,
    /// The day the run was made (UTC); absent in folders of older versions.
    #[serde(default)]
    pub run_on: Option<String>,
    /// The scenario file as named.
    pub scenario_file: String,
    /// The region-set file as named.
    pub regions_file: String,
    /// Weather years of the run.
    #[serde(default)]
    pub weather_years: Vec<i32>,
    /// The years the findings speak of.
    #[serde(default)]
    pub milestone_years: Vec<i32>,
    /// What a sweep adds.
    #[serde(default)]
    pub sweep: Option<SweepRecord>,
    /// The scenario as written, with defaults filled.
    pub scenario: RawScenario,
    /// The region set's id and name.
    pub region_set: RecordedSet,
}

/// The region set's id and name as recorded (the rest of its table is not read back).
#[derive(Debug, Deserialize)]
pub struct RecordedSet {
    /// Identifier.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

impl RecordedSet {
    /// The set's name, else its id; `None` when neither was recorded.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        [&self.name, &self.id]
            .into_iter()
            .find(|s| !s.is_empty())
            .map(String::as_str)
    }
}

impl RunRecordFile {
    /// Read `dir`'s `run.toml`.
    ///
    /// # Errors
    /// A missing or unreadable file, or one that is not a gridstrain run record.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(super::RUN_FILE_NAME);
        let text = crate::input::read_text(&path)?;
        crate::input::parse_toml(&text, &path)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped default scenario's record, written as a run writes it, reads back
    /// typed.
    #[test]
    fn a_written_record_reads_back_typed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let scenario: RawScenario =
            crate::input::read_toml(&root.join("scenarios/default.toml")).unwrap();
        let regions: RawRegionSet =
            crate::input::read_toml(&root.join("regions/us-48.toml")).unwrap();
        let sweep = SweepRecord {
            samples: 10,
            seed: 1,
            all_weather_years: false,
            per_sample: false,
            shard: None,
        };
        let record = RunRecord {
            program: "gridstrain",
            version: env!("CARGO_PKG_VERSION"),
            run_on: "2026-12-05".to_owned(),
            command: "gridstrain run".to_owned(),
            scenario_file: "scenarios/default.toml".to_owned(),
            regions_file: "regions/us-48.toml".to_owned(),
            years: [2024, 2035],
            weather_years: &[2023, 2024],
            seed: 1,
            hourly: false,
            milestone_years: &[2030],
            sweep: Some(&sweep),
            notes: &[],
            scenario: &scenario,
            region_set: &regions,
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(super::super::RUN_FILE_NAME),
            toml::to_string(&record).unwrap(),
        )
        .unwrap();
        let read = RunRecordFile::read(dir.path()).unwrap();
        assert_eq!(read.run_on.as_deref(), Some("2026-12-05"));
        assert_eq!(read.scenario.name, "default");
        assert_eq!(read.sweep.map(|s| s.samples), Some(10));
        assert!(!read.scenario.uncertainty.is_empty());
    }
}
