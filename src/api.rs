//! The library's front door: a loaded study run in memory ([`run_study`]) and written as a
//! run folder — every table, `run.toml` and the report ([`StudyRun::write`], or
//! [`run_to_folder`] when hourly files are written while the kernel runs). `gridstrain
//! run` and `gridstrain batch` call these; so can any program using the crate.
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::input::study::LoadedStudy;
use crate::output::hourly::HourlyWriter;
use crate::output::record::write_run_record;
use crate::output::sweep::write_ranges;
use crate::output::{
    HOURLY_DIR_NAME, RunDir, table_frame, write_parquet, write_region_names, write_run_tables,
};
use crate::report::data::{ReportCollector, report_rows, report_year};
use crate::report::{REPORT_DATA, write_report};
use crate::results::{BandRow, ReportDataRow, RunResult, key_ranges};
use crate::simulation::sweep::{Engine, SweepSpec, sweep};
use crate::simulation::{HourlySeries, HourlySink, HourlyWindow, Observer, SimOptions, simulate};

/// Samples of the small sweep that gives a run's report its ranges: enough for a
/// 5–95th percentile band to within a few percent of the band of 1,000, at about the
/// cost of two runs.
pub const RANGE_SAMPLES: usize = 100;

/// A study run in memory: the simulation's tables and what its report needs.
#[derive(Debug)]
pub struct StudyRun {
    /// Every table of the run (metrics, set metrics, siting, power, …) and its notes.
    pub result: RunResult,
    /// The report year's peak weeks and load-duration curves (`report_data.parquet`).
    pub report_rows: Vec<ReportDataRow>,
    /// The region set's 5–95th percentile bands from a small sweep of the scenario's
    /// `[uncertainty]` tables (empty when it has none).
    pub bands: Vec<BandRow>,
    /// Why the report has no ranges, when the scenario's ranges could not be swept.
    pub range_note: Option<String>,
}

/// Run a loaded study in memory: the simulation (every hourly series handed to
/// `hourly` as well when given), the report's series, and the ranges' small sweep.
/// `on_region_year` is called once per region-year done (a progress bar).
///
/// # Errors
/// The simulation's errors, or an error of the `hourly` sink.
pub fn run_study(
    loaded: &LoadedStudy,
    hourly: Option<&dyn HourlySink>,
    on_region_year: &(dyn Fn() + Sync),
) -> Result<StudyRun> {
    let study = &loaded.study;
    // The report keeps its year's hourly series as the kernel hands them over.
    let collector = ReportCollector::new(report_year(study));
    let tee = Tee {
        first: &collector,
        second: hourly,
    };
    let options = SimOptions {
        hourly: HourlyWindow::All,
        ..SimOptions::default()
    };
    let observer = Observer {
        on_region_year: Some(on_region_year),
        hourly: Some(&tee),
    };
    let result = simulate(study, &options, &observer)?;
    let report_rows = report_rows(study, &result.metrics, collector)?;
    let (bands, range_note) = range_bands(loaded);
    Ok(StudyRun {
        result,
        report_rows,
        bands,
        range_note,
    })
}

impl StudyRun {
    /// Write the run folder `target` (staged, then renamed into place; an existing folder
    /// only with `force`): every table, `run.toml` (recording `command`) and the report.
    /// Returns the folder.
    ///
    /// # Errors
    /// An existing folder without `force`, or outputs that cannot be written.
    pub fn write(
        &self,
        loaded: &LoadedStudy,
        target: &Path,
        force: bool,
        command: String,
    ) -> Result<PathBuf> {
        let run_dir = RunDir::create(target, force)?;
        self.write_into(loaded, run_dir.path(), command, false)?;
        run_dir.commit()
    }

    /// Every file of a run folder into the staged folder `dir`.
    fn write_into(
        &self,
        loaded: &LoadedStudy,
        dir: &Path,
        command: String,
        hourly: bool,
    ) -> Result<()> {
        let study = &loaded.study;
        write_run_tables(&self.result, dir)?;
        write_region_names(&study.regions, dir)?;
        let years: Vec<i32> = study.target_years().collect();
        write_ranges(
            &key_ranges(
                (&study.scenario.name, &study.regions.id),
                &years,
                &self.result.set_metrics,
                &self.bands,
            ),
            dir,
        )?;
        write_parquet(&mut table_frame(&self.report_rows)?, &dir.join(REPORT_DATA))?;
        let mut notes = self.result.notes.clone();
        notes.extend(self.range_note.clone());
        write_run_record(
            dir,
            loaded,
            command,
            hourly,
            (&notes, &self.result.milestone_years()),
            None,
        )?;
        write_report(dir)
    }
}

/// Run a loaded study into the run folder `target` (staged, then renamed into place):
/// with `hourly`, every hourly series is written under `hourly/` while the kernel runs.
/// Returns the folder and the run.
///
/// # Errors
/// An existing folder without `force`, the simulation's errors, or outputs that cannot be
/// written.
pub fn run_to_folder(
    loaded: &LoadedStudy,
    target: &Path,
    (force, hourly): (bool, bool),
    command: String,
    on_region_year: &(dyn Fn() + Sync),
) -> Result<(PathBuf, StudyRun)> {
    let run_dir = RunDir::create(target, force)?;
    let writer = hourly.then(|| {
        HourlyWriter::start(
            run_dir.path().join(HOURLY_DIR_NAME),
            loaded.study.weather_years.len(),
            rayon::current_num_threads(),
        )
    });
    let run = run_study(
        loaded,
        writer.as_ref().map(|w| w as &dyn HourlySink),
        on_region_year,
    );
    let written = writer.map_or(Ok(()), HourlyWriter::finish);
    let run = run?;
    written?;
    run.write_into(loaded, run_dir.path(), command, hourly)?;
    Ok((run_dir.commit()?, run))
}

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

/// Hands each series to two sinks (the report's collector and, with hourly files, the
/// writer).
struct Tee<'a> {
    first: &'a dyn HourlySink,
    second: Option<&'a dyn HourlySink>,
}

impl HourlySink for Tee<'_> {
    fn accept(&self, series: &HourlySeries<'_>) -> Result<()> {
        self.first.accept(series)?;
        self.second.map_or(Ok(()), |s| s.accept(series))
    }
}
