//! Reads everything a run needs — scenario, region set, profiles and every region's
//! hourly load — checks the files against each other, and hands back a
//! [`Study`] with the files' text as written (for `run.toml`).
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::input::catalogue::{common_full_years, find_catalogue, nation_for, read_catalogue};
use crate::input::load_file::read_load_files;
use crate::input::profile::{read_profile, read_pue_profile};
use crate::input::region_set::{RawRegionSet, read_region_set, read_region_set_file};
use crate::input::scenario::{RawScenario, check_scenario_against_regions, read_scenario_file};
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
    /// The region-set file (or, with `catalogue_ids`, the catalogue).
    pub regions: PathBuf,
    /// Catalogue regions to study instead of a region-set file (e.g. `--regions
    /// PJM-DOM`); `regions` is then the catalogue file.
    pub catalogue_ids: Vec<String>,
    /// Target years; `None` = the scenario's years.
    pub years: Option<(i32, i32)>,
    /// Weather years of the ensemble; empty = every full year all the study's regions
    /// hold.
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
    /// The scenario file's text (for the line numbers of later checks).
    pub scenario_text: String,
}

/// Read and check every input of a study. Load files are read in parallel; the first
/// failing region in set order is reported, so the message does not depend on threads.
///
/// # Errors
/// Any input rule broken, with file and line or key.
pub fn load_study(files: &StudyFiles) -> Result<LoadedStudy> {
    let (scenario, uncertainty, raw_scenario, scenario_text) = read_scenario_file(&files.scenario)?;
    let (regions, raw_regions, regions_text) = if files.catalogue_ids.is_empty() {
        let (set, raw, text) = read_region_set_file(&files.regions)?;
        (set, raw, Some(text))
    } else {
        let (set, raw) = catalogue_selection(&files.regions, &files.catalogue_ids)?;
        (set, raw, None)
    };
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
        pue: scenario
            .pue_profile_path
            .as_deref()
            .map(read_pue_profile)
            .transpose()?,
    };
    for (name, workload, profile) in [
        ("inference", &scenario.inference, &profiles.inference),
        ("training", &scenario.training, &profiles.training),
    ] {
        check_draw_within_rating(&files.scenario, name, workload, profile, &regions, years)?;
    }
    let loads = read_loads(&regions)?;
    let weather_years = if files.weather_years.is_empty() {
        let common = common_full_years(&loads);
        if common.is_empty() {
            bail!(
                "region set {}: its regions' load data share no full year; expected --weather-years within each region's data",
                files.regions.display()
            );
        }
        common
    } else {
        files.weather_years.clone()
    };
    let nation = nation_of(
        &scenario,
        &regions,
        (&raw_regions, regions_text.as_deref()),
        files,
        &loads,
    )?;
    let mut regions = regions;
    if let Some(nation) = &nation {
        // Sited on the nation: the scope's totals and blend are the nation's.
        regions.scope_population = nation.regions.scope_population;
        regions.scope_datacenter_mw = nation.regions.scope_datacenter_mw;
        regions.inference_siting = nation.regions.inference_siting;
        regions.training_scope_share_frac = 1.0;
    }
    check_scenario_against_regions(&scenario, &files.scenario, &regions, &files.regions)?;
    let mut study = Study::new(scenario, regions, loads, profiles, years, weather_years)?;
    study.uncertainty = uncertainty;
    if let Some(nation) = nation {
        study = study.with_nation(nation)?;
    }
    Ok(LoadedStudy {
        study,
        raw_scenario,
        raw_regions,
        files: files.clone(),
        scenario_text,
    })
}

/// A region set of catalogue regions named by id (`--regions PJM-DOM`), with the set as
/// it would be written.
///
/// # Errors
/// An id not in the catalogue.
pub fn catalogue_selection(catalogue: &Path, ids: &[String]) -> Result<(RegionSet, RawRegionSet)> {
    let scope = read_catalogue(catalogue)?.scope;
    let id: String = ids
        .join("_")
        .chars()
        .take(crate::input::MAX_ID_CHARS)
        .collect();
    let raw = RawRegionSet {
        id: id.clone(),
        name: ids.join(", "),
        description: "catalogue regions named on the command line".to_owned(),
        scope,
        scope_population: None,
        scope_population_source: String::new(),
        training_scope_share_frac: 1.0,
        training_scope_share_source: String::new(),
        scope_datacenter_mw: None,
        scope_datacenter_source: String::new(),
        inference_siting: None,
        operator_forecasts: None,
        regions: ids.to_vec(),
        catalogue: catalogue.file_name().map(PathBuf::from),
        region: Vec::new(),
    };
    let text = toml::to_string(&raw)?;
    let set = crate::input::region_set::region_set_from_raw(
        crate::input::parse_toml(&text, catalogue)?,
        catalogue,
    )?;
    Ok((set, raw))
}

/// The nation a study is sited on: the scope's catalogue when the scenario has a
/// national projection and the set's scope has one; `None` otherwise (the set is sited
/// on its own, with its typed shares, as for a scope without a catalogue).
///
/// # Errors
/// A set that types scope shares the catalogue computes, a region outside the catalogue,
/// a missing catalogue for a set that names catalogue regions.
fn nation_of(
    scenario: &crate::model::scenario::Scenario,
    regions: &RegionSet,
    (raw, text): (&RawRegionSet, Option<&str>),
    files: &StudyFiles,
    loads: &[HourlyLoad],
) -> Result<Option<crate::model::nation::Nation>> {
    if matches!(
        scenario.compute,
        crate::model::scenario::ComputeProjection::None
    ) {
        return Ok(None);
    }
    let set_path = &files.regions;
    let catalogue_path = match &raw.catalogue {
        Some(relative) => Some(crate::input::resolve_beside(set_path, relative)),
        None => find_catalogue(),
    };
    let Some(catalogue_path) = catalogue_path else {
        return Ok(None);
    };
    let catalogue = read_catalogue(&catalogue_path)?;
    if catalogue.scope != regions.scope {
        return Ok(None);
    }
    let locate = crate::input::KeyLocator::new(set_path, text);
    let typed = [
        ("scope_population", raw.scope_population.is_some()),
        (
            "training_scope_share_frac",
            raw.training_scope_share_frac != 1.0,
        ),
        ("scope_datacenter_mw", raw.scope_datacenter_mw.is_some()),
        ("inference_siting", raw.inference_siting.is_some()),
    ];
    if let Some((key, _)) = typed.iter().find(|(_, given)| *given) {
        bail!(
            "{}: scope {} is sited over the national catalogue {}, which computes the scope's shares and blend; expected no `{key}` (remove it: the set only chooses which regions to report)",
            locate.key("", key),
            regions.scope,
            catalogue_path.display()
        );
    }
    nation_for(&catalogue, regions, set_path, loads).map(Some)
}

/// Read every region's load file (in parallel); the first failing region in set order is
/// reported, so the message does not depend on threads.
///
/// # Errors
/// A load file that fails its checks.
pub fn read_loads(regions: &RegionSet) -> Result<Vec<HourlyLoad>> {
    let paths: Vec<&Path> = regions
        .regions
        .iter()
        .map(|region| region.load_path.as_path())
        .collect();
    read_load_files(&paths).into_iter().collect()
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
    let locate = super::KeyLocator::new(&loaded.files.scenario, Some(&loaded.scenario_text));
    for uncertain in &study.uncertainty {
        let on_nation = study.nation.is_some()
            && uncertain.parameter == crate::model::uncertainty::Parameter::ExistingDatacenterScale;
        let applies = if on_nation {
            Err("the study is sited over the national catalogue, whose hub shares are relative to its own total, so one scale on every region's data-centre load changes nothing; state the uncertainty in the catalogue's figures instead".to_owned())
        } else {
            uncertain
                .parameter
                .central(&study.scenario, &study.regions)
                .map(|_| ())
        };
        if let Err(why) = applies {
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
