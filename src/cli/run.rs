//! `gridstrain run`: the main job. With no arguments it runs the shipped `default`
//! scenario over the `us-22` region set for the scenario's years (2024–2035) and the
//! weather years 2016–2024, and writes `outputs/<scenario>_<regions>_<UTC time>/`.
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use super::{CommonArgs, default_outputs_dir, resolve_input};
use crate::input::profile::read_profile;
use crate::input::read_toml;
use crate::input::region_set::{RawRegionSet, read_region_set};
use crate::input::scenario::{RawScenario, check_scenario_against_regions, read_scenario};
use crate::output::{
    HOURLY_DIR_NAME, METRICS_FILE_STEM, POWER_FILE_NAME, RUN_FILE_NAME, RunDir,
    SET_METRICS_FILE_STEM, SITING_FILE_NAME, SUMMARY_FILE_NAME, metrics_frame, power_frame,
    set_metrics_frame, siting_frame, summary_frame, write_both, write_csv,
};
use crate::simulation::{Profiles, RunResult, RunSpec, run};
use crate::time::parse_year_range;

/// Default weather years: every full year of the shipped EIA-930 data.
pub const DEFAULT_WEATHER_YEARS: &str = "2016..2024";

/// Arguments of `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Scenario: a name under scenarios/ or a path to a .toml file.
    #[arg(long, default_value = "default", value_name = "NAME|PATH")]
    pub scenario: String,
    /// Region set: a name under regions/ or a path to a .toml file.
    #[arg(long, default_value = "us-22", value_name = "NAME|PATH")]
    pub regions: String,
    /// Target years, inclusive (e.g. 2024..2035 or 2030); default: the scenario's years.
    #[arg(long, value_name = "A..B")]
    pub years: Option<String>,
    /// Weather years of the ensemble, inclusive.
    #[arg(long, default_value = DEFAULT_WEATHER_YEARS, value_name = "A..B")]
    pub weather_years: String,
    /// Output directory (default: outputs/<scenario>_<regions>_<UTC time>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write hourly Parquet files under hourly/<scenario>/<region>/<year>.parquet.
    #[arg(long)]
    pub hourly: bool,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// What `run.toml` records: enough to rerun.
#[derive(Serialize)]
struct RunRecord<'a> {
    program: &'static str,
    version: &'static str,
    command: String,
    scenario_file: String,
    regions_file: String,
    years: [i32; 2],
    weather_years: Vec<i32>,
    seed: u64,
    hourly: bool,
    scenario: &'a RawScenario,
    region_set: &'a RawRegionSet,
}

/// Everything `run` needs, read and checked.
pub struct LoadedRun {
    /// What to run.
    pub spec: RunSpec,
    /// The shapes.
    pub profiles: Profiles,
    /// The scenario as written (with defaults filled), for `run.toml`.
    pub raw_scenario: RawScenario,
    /// The region set as written, for `run.toml`.
    pub raw_regions: RawRegionSet,
    /// Scenario file.
    pub scenario_path: PathBuf,
    /// Region-set file.
    pub regions_path: PathBuf,
}

/// Read and check every input of a run.
///
/// # Errors
/// Any input rule broken.
pub fn load_run(args: &RunArgs) -> Result<LoadedRun> {
    let scenario_path = resolve_input(&args.scenario, "scenarios", "scenario")?;
    let regions_path = resolve_input(&args.regions, "regions", "region set")?;
    let (scenario, raw_scenario) = read_scenario(&scenario_path)?;
    let regions = read_region_set(&regions_path)?;
    let raw_regions: RawRegionSet = read_toml(&regions_path)?;
    check_scenario_against_regions(&scenario, &scenario_path, &regions, &regions_path)?;
    let years = match &args.years {
        Some(text) => {
            let (a, b) = parse_year_range(text).map_err(|e| anyhow::anyhow!("--years: {e}"))?;
            if a < scenario.first_year || b > scenario.last_year {
                anyhow::bail!(
                    "--years: {a}..{b} is outside the years of scenario {} ({}..{})",
                    scenario_path.display(),
                    scenario.first_year,
                    scenario.last_year
                );
            }
            (a, b)
        }
        None => (scenario.first_year, scenario.last_year),
    };
    let (w0, w1) = parse_year_range(&args.weather_years)
        .map_err(|e| anyhow::anyhow!("--weather-years: {e}"))?;
    let profiles = Profiles {
        inference: read_profile(&scenario.inference.profile_path)?,
        training: read_profile(&scenario.training.profile_path)?,
    };
    Ok(LoadedRun {
        spec: RunSpec {
            scenario,
            regions,
            years,
            weather_years: (w0..=w1).collect(),
            hourly_dir: None,
        },
        profiles,
        raw_scenario,
        raw_regions,
        scenario_path,
        regions_path,
    })
}

/// `gridstrain run`.
///
/// # Errors
/// Bad input, or outputs that cannot be written.
pub fn handle_run(args: &RunArgs) -> Result<()> {
    args.common.init_threads()?;
    let mut loaded = load_run(args)?;
    let target = args.out.clone().unwrap_or_else(|| {
        default_outputs_dir().join(format!(
            "{}_{}_{}",
            loaded.spec.scenario.name,
            loaded.spec.regions.id,
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    let run_dir = RunDir::create(&target, args.force)?;
    if args.hourly {
        loaded.spec.hourly_dir = Some(run_dir.path().join(HOURLY_DIR_NAME));
    }
    let spec = &loaded.spec;
    let region_years =
        (spec.regions.regions.len() * (spec.years.1 - spec.years.0 + 1) as usize) as u64;
    let bar = crate::progress::bar(
        region_years,
        &format!("{} × {}", spec.scenario.name, spec.regions.id),
        args.common.quiet,
    );
    let result = run(spec, &loaded.profiles, &|| bar.inc(1))?;
    bar.finish_and_clear();
    write_run(&loaded, &result, run_dir.path(), args)?;
    let path = run_dir.commit()?;
    eprintln!(
        "wrote {} rows ({} regions × {} years × {} weather years) to {}",
        result.metrics.len(),
        spec.regions.regions.len(),
        spec.years.1 - spec.years.0 + 1,
        spec.weather_years.len(),
        path.display()
    );
    Ok(())
}

/// Write every table of a finished run into `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_run(loaded: &LoadedRun, result: &RunResult, dir: &Path, args: &RunArgs) -> Result<()> {
    let name = &loaded.spec.scenario.name;
    write_both(&mut metrics_frame(&result.metrics)?, dir, METRICS_FILE_STEM)?;
    write_both(
        &mut set_metrics_frame(&result.set_metrics)?,
        dir,
        SET_METRICS_FILE_STEM,
    )?;
    write_csv(
        &mut summary_frame(&result.metrics, &result.set_metrics)?,
        &dir.join(SUMMARY_FILE_NAME),
    )?;
    write_csv(
        &mut siting_frame(name, &result.siting)?,
        &dir.join(SITING_FILE_NAME),
    )?;
    write_csv(
        &mut power_frame(name, &result.year_powers)?,
        &dir.join(POWER_FILE_NAME),
    )?;
    let record = RunRecord {
        program: "gridstrain",
        version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario_file: loaded.scenario_path.display().to_string(),
        regions_file: loaded.regions_path.display().to_string(),
        years: [loaded.spec.years.0, loaded.spec.years.1],
        weather_years: loaded.spec.weather_years.clone(),
        seed: loaded.spec.scenario.seed,
        hourly: args.hourly,
        scenario: &loaded.raw_scenario,
        region_set: &loaded.raw_regions,
    };
    let text = toml::to_string(&record).context("cannot record the run as TOML")?;
    std::fs::write(dir.join(RUN_FILE_NAME), text).context("cannot write run.toml")?;
    Ok(())
}
