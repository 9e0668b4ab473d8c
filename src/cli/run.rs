//! `gridstrain run`: the main job. With no arguments it runs the shipped `default`
//! scenario over the `us-48` region set (every lower-48 balancing authority of the
//! catalogue) for the scenario's years (2024–2035) and the weather years every region
//! holds (2016–2024), and writes `outputs/<scenario>_<regions>_<UTC time>/`.
use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::headline::headline;
use super::{CommonArgs, default_outputs_dir, note, print_stdout, progress, resolve_input};
use crate::api::run_to_folder;
use crate::input::study::{LoadedStudy, StudyFiles, load_study};
use crate::report::REPORT_HTML;
use crate::results::RunResult;

/// The region set studied when none is named.
pub const DEFAULT_REGIONS: &str = "us-48";

/// What a study is: scenario, region set and years (shared by `run` and `sweep`).
#[derive(Debug, Clone, Args)]
pub struct StudyArgs {
    /// Scenario: a name under scenarios/ or a path to a .toml file (a sweep needs its
    /// `[uncertainty."…"]` tables).
    #[arg(long, default_value = "default", value_name = "NAME|PATH")]
    pub scenario: String,
    /// Region set: a name under regions/ (`us-48`, `us-48-zones`, `us-22`, `pjm-zones`, …),
    /// catalogue region ids (`PJM-DOM`, `SOCO,TVA`) or a path to a .toml file;
    /// `gridstrain regions` lists them.
    #[arg(long, default_value = DEFAULT_REGIONS, value_name = "NAME|IDS|PATH")]
    pub regions: String,
    /// The years.
    #[command(flatten)]
    pub years: super::YearArgs,
}

/// Arguments of `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The study.
    #[command(flatten)]
    pub study: StudyArgs,
    /// Output directory (default: outputs/SCENARIO_REGIONS_UTCTIME).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write hourly Parquet files under hourly/SCENARIO/REGION/YEAR.parquet.
    #[arg(long)]
    pub hourly: bool,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The study files and years the arguments name.
///
/// # Errors
/// An unknown scenario or region set, or a malformed year range.
pub fn study_files(args: &StudyArgs) -> Result<StudyFiles> {
    let (regions, catalogue_ids) = super::resolve_regions(&args.regions)?;
    Ok(StudyFiles {
        scenario: resolve_input(&args.scenario, "scenarios", "scenario")?,
        regions,
        catalogue_ids,
        years: args.years.years,
        weather_years: args.years.weather_year_list(),
    })
}

/// Run a loaded study into the run folder `target` with a progress bar (unless `quiet`):
/// [`crate::api::run_to_folder`], recording this command line. Returns the folder and the
/// result.
///
/// # Errors
/// The simulation's errors, or outputs that cannot be written.
pub fn run_loaded(
    loaded: &LoadedStudy,
    target: &std::path::Path,
    force: bool,
    hourly: bool,
    quiet: bool,
) -> Result<(PathBuf, RunResult)> {
    let study = &loaded.study;
    let bar = progress::bar(
        study.region_years(),
        &format!("{} × {}", study.scenario.name, study.regions.id),
        quiet,
    );
    let tick = || bar.inc(1);
    let done = run_to_folder(
        loaded,
        target,
        (force, hourly),
        super::command_line(),
        &tick,
    );
    bar.finish_and_clear();
    let (path, run) = done?;
    Ok((path, run.result))
}

/// `gridstrain run`.
///
/// # Errors
/// Bad input, or outputs that cannot be written.
pub fn handle_run(args: &RunArgs) -> Result<()> {
    args.common.init_threads()?;
    let loaded = load_study(&study_files(&args.study)?)?;
    let study = &loaded.study;
    let target = match args.out.clone() {
        Some(out) => out,
        None => crate::output::replace::join_inside(
            &default_outputs_dir(),
            &format!(
                "{}_{}_{}",
                study.scenario.name,
                study.regions.id,
                chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
            ),
        )?,
    };
    let (path, result) = run_loaded(&loaded, &target, args.force, args.hourly, args.common.quiet)?;
    for line in &result.notes {
        if !args.common.quiet {
            note(&format!("note: {line}"));
        }
    }
    // On a terminal, a short headline on stderr; otherwise only the run folder's path on
    // stdout (for scripts); with --quiet, errors only.
    if args.common.quiet {
        return Ok(());
    }
    if std::io::stderr().is_terminal() {
        note(&format!(
            "{} × {}: {} regions × {} years × {} weather years → {}",
            study.scenario.name,
            study.regions.id,
            study.regions.regions.len(),
            study.years.1 - study.years.0 + 1,
            study.weather_years.len(),
            path.display()
        ));
        note(headline(&result).trim_end());
        note(&format!("report: {}", path.join(REPORT_HTML).display()));
        Ok(())
    } else {
        print_stdout(&format!("{}\n", path.display()))
    }
}
