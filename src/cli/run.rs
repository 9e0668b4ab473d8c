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
use crate::input::study::{LoadedStudy, StudyFiles, load_study};
use crate::output::hourly::HourlyWriter;
use crate::output::record::write_run_record;
use crate::output::sweep::write_ranges;
use crate::output::{HOURLY_DIR_NAME, RunDir, table_frame, write_parquet, write_run_tables};
use crate::report::data::{ReportCollector, report_rows, report_year};
use crate::report::{REPORT_DATA, REPORT_HTML, write_report};
use crate::results::{BandRow, RunResult, key_ranges};
use crate::simulation::sweep::{Engine, SweepSpec, sweep};
use crate::simulation::{HourlySink, HourlyWindow, Observer, SimOptions, simulate};

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

/// Run a loaded study into the run folder `target` (staged, then renamed into place):
/// the simulation, every table, `run.toml`. Returns the folder and the result.
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
    let run_dir = RunDir::create(target, force)?;
    let bar = progress::bar(
        study.region_years(),
        &format!("{} × {}", study.scenario.name, study.regions.id),
        quiet,
    );
    let tick = || bar.inc(1);
    let writer = hourly.then(|| {
        HourlyWriter::start(
            run_dir.path().join(HOURLY_DIR_NAME),
            study.weather_years.len(),
            rayon::current_num_threads(),
        )
    });
    // The report keeps its year's hourly series as the kernel hands them over.
    let collector = ReportCollector::new(report_year(study));
    let tee = Tee {
        first: &collector,
        second: writer.as_ref().map(|w| w as &dyn HourlySink),
    };
    let options = SimOptions {
        hourly: HourlyWindow::All,
        ..SimOptions::default()
    };
    let observer = Observer {
        on_region_year: Some(&tick),
        hourly: Some(&tee),
    };
    let result = simulate(study, &options, &observer);
    let written = writer.map_or(Ok(()), HourlyWriter::finish);
    let result = result?;
    written?;
    bar.finish_and_clear();
    write_run_tables(&result, run_dir.path())?;
    crate::output::write_region_names(&study.regions, run_dir.path())?;
    let (bands, range_note) = range_bands(loaded);
    let mut notes = result.notes.clone();
    notes.extend(range_note);
    let years: Vec<i32> = study.target_years().collect();
    write_ranges(
        &key_ranges(
            (&study.scenario.name, &study.regions.id),
            &years,
            &result.set_metrics,
            &bands,
        ),
        run_dir.path(),
    )?;
    let report_rows = report_rows(study, &result.metrics, collector)?;
    write_parquet(
        &mut table_frame(&report_rows)?,
        &run_dir.path().join(REPORT_DATA),
    )?;
    let command = super::command_line();
    write_run_record(
        run_dir.path(),
        loaded,
        command,
        hourly,
        (&notes, &result.milestone_years()),
        None,
    )?;
    write_report(run_dir.path())?;
    let path = run_dir.commit()?;
    Ok((path, result))
}

/// Samples of the small sweep that gives a run's report its ranges: enough for a
/// 5–95th percentile band to within a few percent of the band of 1,000, at about the
/// cost of two runs.
pub const RANGE_SAMPLES: usize = 100;

/// The region set's bands from a small sweep of the scenario's `[uncertainty]` tables
/// (same seed, one drawn weather year per sample), or none — with a note saying why when
/// the scenario's ranges cannot be swept.
fn range_bands(loaded: &LoadedStudy) -> (Vec<BandRow>, Option<String>) {
    let study = &loaded.study;
    if study.uncertainty.is_empty() {
        return (Vec::new(), None);
    }
    if let Err(e) = crate::input::study::check_uncertainty(loaded) {
        return (
            Vec::new(),
            Some(format!(
                "the report has no ranges: the scenario's [uncertainty] tables cannot be swept ({e:#})"
            )),
        );
    }
    let spec = SweepSpec {
        engine: Engine::Pruned,
        samples: RANGE_SAMPLES,
        seed: study.scenario.seed,
        all_weather_years: false,
        shard: None,
    };
    match sweep(study, &spec, &|| {}, None) {
        Ok(result) => (
            result
                .bands
                .into_iter()
                .filter(|b| b.scope == "region_set")
                .collect(),
            None,
        ),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "the report has no ranges: the sweep of the scenario's [uncertainty] tables failed ({e:#})"
            )),
        ),
    }
}

/// Hands each series to two sinks (the report's collector and, with `--hourly`, the
/// writer).
struct Tee<'a> {
    first: &'a dyn HourlySink,
    second: Option<&'a dyn HourlySink>,
}

impl HourlySink for Tee<'_> {
    fn accept(&self, series: &crate::simulation::HourlySeries<'_>) -> Result<()> {
        self.first.accept(series)?;
        self.second.map_or(Ok(()), |s| s.accept(series))
    }
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
