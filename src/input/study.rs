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
use crate::model::profile::Profile;
use crate::model::region::RegionSet;
use crate::model::scenario::Workload;
use crate::model::series::HourlyLoad;
use crate::model::study::{Profiles, Study};
use crate::stages::shapes::shape_for_year;

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
    for (name, workload, profile) in [
        ("inference", &scenario.inference, &profiles.inference),
        ("training", &scenario.training, &profiles.training),
    ] {
        check_draw_within_rating(&files.scenario, name, workload, profile, &regions, years)?;
    }
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

/// A workload never draws above its rated power: the hourly shape (mean 1 over each
/// year) times the average draw fraction `power_frac` must stay at most 1 in every hour
/// of every target year, in every time zone of the region set.
///
/// # Errors
/// The worst peak found, with both numbers and the largest `power_frac` the shape allows.
pub fn check_draw_within_rating(
    scenario_path: &Path,
    name: &str,
    workload: &Workload,
    profile: &Profile,
    regions: &RegionSet,
    years: (i32, i32),
) -> Result<()> {
    if profile.is_flat() {
        return draw_error(scenario_path, name, workload, profile, 1.0, "every hour");
    }
    let mut zones: Vec<chrono_tz::Tz> = regions.regions.iter().map(|r| r.time_zone).collect();
    zones.sort_by_key(|z| z.name());
    zones.dedup();
    let mut shape = Vec::new();
    let mut worst = (0.0_f64, String::new());
    for zone in zones {
        for year in years.0..=years.1 {
            shape_for_year(profile, zone, year, &mut shape);
            let peak = shape.iter().copied().fold(0.0, f64::max);
            if peak > worst.0 {
                worst = (peak, format!("{year} in {}", zone.name()));
            }
        }
    }
    draw_error(scenario_path, name, workload, profile, worst.0, &worst.1)
}

fn draw_error(
    scenario_path: &Path,
    name: &str,
    workload: &Workload,
    profile: &Profile,
    peak_to_mean: f64,
    at: &str,
) -> Result<()> {
    let peak_draw = peak_to_mean * workload.power_frac;
    if peak_draw > 1.0 + 1e-9 {
        bail!(
            "{}, key `{name}.power_frac`: found {}, but profile `{}` peaks at {peak_to_mean:.4} × its mean ({at}), so the fleet would draw {peak_draw:.4} × its rated power; expected power_frac ≤ {:.4} (peak-to-mean × power_frac ≤ 1), or a flatter profile",
            scenario_path.display(),
            workload.power_frac,
            profile.name,
            1.0 / peak_to_mean
        );
    }
    Ok(())
}

/// Check the scenario's uncertain parameters that name region-set fields against the
/// region set (the scenario's own were checked when it was read).
///
/// # Errors
/// A parameter that does not apply to the region set, with the scenario's file and line.
pub fn check_uncertainty(loaded: &LoadedStudy) -> Result<()> {
    let study = &loaded.study;
    let text = super::read_text(&loaded.files.scenario).ok();
    let locate = super::KeyLocator::new(&loaded.files.scenario, text.as_deref());
    for uncertain in &study.scenario.uncertainty {
        if let Err(why) = uncertain.parameter.central(&study.scenario, &study.regions) {
            let path = uncertain.parameter.path();
            bail!(
                "{}: `{path}` does not apply with region set {}: {why}",
                locate.key(&format!("uncertainty.\"{path}\""), "dist"),
                loaded.files.regions.display()
            );
        }
    }
    Ok(())
}
