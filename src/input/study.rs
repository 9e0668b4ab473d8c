//! Reads everything a run needs — scenario, region set, profiles and every region's
//! hourly load — checks the files against each other, and hands back a
//! [`Study`] with the files' text as written (for `run.toml`).
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::input::load_file::read_load_file;
use crate::input::profile::read_profile;
use crate::input::read_toml;
use crate::input::region_set::{RawRegionSet, read_region_set};
use crate::input::scenario::{RawScenario, check_scenario_against_regions, read_scenario};
use crate::model::region::RegionSet;
use crate::model::series::HourlyLoad;
use crate::model::study::{Profiles, Study};

/// Where a study's inputs are, and which years to run.
#[derive(Debug, Clone)]
pub struct StudyFiles {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The region-set file.
    pub regions: PathBuf,
    /// Target years; `None` = the scenario's years.
    pub years: Option<(i32, i32)>,
    /// Weather years of the ensemble.
    pub weather_years: Vec<i32>,
}

/// A study read from files, with what is needed to record it.
#[derive(Debug)]
pub struct LoadedStudy {
    /// The study, in memory.
    pub study: Study,
    /// The scenario as written (with defaults filled), for `run.toml`.
    pub raw_scenario: RawScenario,
    /// The region set as written, for `run.toml`.
    pub raw_regions: RawRegionSet,
    /// Where it was read from.
    pub files: StudyFiles,
}

/// Read and check every input of a study. Load files are read in parallel; the first
/// failing region in set order is reported, so the message does not depend on threads.
///
/// # Errors
/// Any input rule broken, with file and line or key.
pub fn load_study(files: &StudyFiles) -> Result<LoadedStudy> {
    let (scenario, raw_scenario) = read_scenario(&files.scenario)?;
    let regions = read_region_set(&files.regions)?;
    let raw_regions: RawRegionSet = read_toml(&files.regions)?;
    check_scenario_against_regions(&scenario, &files.scenario, &regions, &files.regions)?;
    let years = match files.years {
        Some((a, b)) => {
            if a < scenario.first_year || b > scenario.last_year {
                bail!(
                    "--years: {a}..{b} is outside the years of scenario {} ({}..{})",
                    files.scenario.display(),
                    scenario.first_year,
                    scenario.last_year
                );
            }
            (a, b)
        }
        None => (scenario.first_year, scenario.last_year),
    };
    let profiles = Profiles {
        inference: read_profile(&scenario.inference.profile_path)?,
        training: read_profile(&scenario.training.profile_path)?,
    };
    let loads = read_loads(&regions)?;
    let study = Study::new(
        scenario,
        regions,
        loads,
        profiles,
        years,
        files.weather_years.clone(),
    )?;
    Ok(LoadedStudy {
        study,
        raw_scenario,
        raw_regions,
        files: files.clone(),
    })
}

/// Read every region's load file (in parallel); the first failing region in set order is
/// reported, so the message does not depend on threads.
///
/// # Errors
/// A load file that fails its checks.
pub fn read_loads(regions: &RegionSet) -> Result<Vec<HourlyLoad>> {
    let loads: Vec<Result<HourlyLoad>> = regions
        .regions
        .par_iter()
        .map(|region| read_load_file(&region.load_path))
        .collect();
    loads.into_iter().collect()
}

/// Read a region set and every region's load.
///
/// # Errors
/// Any rule of the region set or of a load file.
pub fn read_region_loads(path: &Path) -> Result<(RegionSet, Vec<HourlyLoad>)> {
    let regions = read_region_set(path)?;
    let loads = read_loads(&regions)?;
    Ok((regions, loads))
}
