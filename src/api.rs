//! The library's front door: a loaded study run in memory ([`run_study`]) and written as a
//! run folder — every table, `run.toml` and the report ([`StudyRun::write`], or
//! [`run_to_folder`] when hourly files are written while the kernel runs) — and a sweep
//! written as a sweep folder ([`sweep_to_folder`]). `gridstrain run`, `batch` and `sweep`
//! call these; so can any program using the crate.
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::input::study::LoadedStudy;
use crate::output::hourly::HourlyWriter;
use crate::output::record::{SweepRecord, write_run_record};
use crate::output::sweep::{
    PerSampleWriter, SAMPLES_FILE_NAME, write_bands, write_drivers, write_ranges, write_samples,
};
use crate::output::{
    HOURLY_DIR_NAME, RunDir, table_frame, write_parquet, write_region_names, write_run_tables,
};
use crate::report::data::{ReportCollector, report_rows, report_year};
use crate::report::{REPORT_DATA, write_report};
use crate::results::{BandRow, ReportDataRow, RunResult, key_ranges};
use crate::simulation::sweep::{Engine, SampleSink, SweepResult, SweepSpec, sweep};
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

/// A sweep in memory: its result and the notes a user should read.
#[derive(Debug)]
pub struct SweepRun {
    /// The draws, the samples evaluated, the bands and the drivers.
    pub result: SweepResult,
    /// The sweep's notes, and one when only the weather year varies.
    pub notes: Vec<String>,
}

/// Sweep a loaded study in memory (no per-sample rows kept). `on_sample_year` is called
/// once per sample and year done.
///
/// # Errors
/// The sweep's errors.
pub fn sweep_study(
    loaded: &LoadedStudy,
    spec: &SweepSpec,
    on_sample_year: &(dyn Fn() + Sync),
) -> Result<SweepRun> {
    let result = sweep(&loaded.study, spec, on_sample_year, None)?;
    Ok(SweepRun::of(loaded, result))
}

impl SweepRun {
    fn of(loaded: &LoadedStudy, result: SweepResult) -> Self {
        let study = &loaded.study;
        let mut notes = result.notes.clone();
        if study.uncertainty.is_empty() {
            notes.push(format!(
                "scenario `{}` declares no [uncertainty.\"…\"] table: only the weather year varies",
                study.scenario.name
            ));
        }
        Self { result, notes }
    }

    /// Write the sweep folder `target` of this (unsharded) sweep as `gridstrain sweep`
    /// does, without its per-sample rows. Returns the folder.
    ///
    /// # Errors
    /// An existing folder without `force`, or outputs that cannot be written.
    pub fn write(
        &self,
        loaded: &LoadedStudy,
        spec: &SweepSpec,
        target: &Path,
        force: bool,
        command: String,
    ) -> Result<PathBuf> {
        let run_dir = RunDir::create(target, force)?;
        self.write_into(loaded, spec, run_dir.path(), command, false)?;
        run_dir.commit()
    }

    /// Every file of the sweep folder into the staged folder `dir`.
    fn write_into(
        &self,
        loaded: &LoadedStudy,
        spec: &SweepSpec,
        dir: &Path,
        command: String,
        per_sample: bool,
    ) -> Result<()> {
        let study = &loaded.study;
        write_sweep_tables(loaded, &self.result, spec, dir)?;
        let record = SweepRecord {
            samples: spec.samples,
            seed: spec.seed,
            all_weather_years: spec.all_weather_years,
            per_sample,
            shard: spec.shard.map(|(k, n)| format!("{k}/{n}")),
        };
        write_run_record(
            dir,
            loaded,
            command,
            false,
            (&self.notes, &study.scenario.milestone_years(study.years)),
            Some(&record),
        )?;
        match spec.shard {
            // Last, over the files as written: the manifest the merge checks them against.
            Some(shard) => crate::output::sweep::write_shard_manifest(
                dir,
                shard,
                spec.samples,
                self.result.samples.clone(),
            ),
            None => write_report(dir),
        }
    }
}

/// Sweep a loaded study into the folder `target` (staged, then renamed into place; an
/// existing folder only with `force`): the bands, drivers and ranges beside the central
/// case, the drawn samples, `run.toml` (recording `command`) and the report — or, for a
/// shard (`spec.shard`), its per-sample rows and the manifest `--merge` checks them
/// against. `per_sample` keeps every sample's rows too (written as the sweep goes).
/// `on_sample_year` is called once per sample and year done.
///
/// # Errors
/// An existing folder without `force`, the sweep's errors, or outputs that cannot be
/// written.
pub fn sweep_to_folder(
    loaded: &LoadedStudy,
    spec: &SweepSpec,
    target: &Path,
    (force, per_sample): (bool, bool),
    command: String,
    on_sample_year: &(dyn Fn() + Sync),
) -> Result<(PathBuf, SweepRun)> {
    let run_dir = RunDir::create(target, force)?;
    let per_sample = per_sample || spec.shard.is_some();
    let writer = if per_sample {
        Some(PerSampleWriter::create(run_dir.path())?)
    } else {
        None
    };
    let result = sweep(
        &loaded.study,
        spec,
        on_sample_year,
        writer.as_ref().map(|w| w as &dyn SampleSink),
    );
    let finished = writer.map_or(Ok(()), PerSampleWriter::finish);
    let result = result?;
    finished?;
    let run = SweepRun::of(loaded, result);
    run.write_into(loaded, spec, run_dir.path(), command, per_sample)?;
    Ok((run_dir.commit()?, run))
}

/// A sweep's tables into `dir`: the bands, drivers and ranges (beside the central case,
/// the scenario as stated) unless it is a shard — whose bands would be of its block only:
/// the merge writes the sweep's — then the region names and the drawn samples.
fn write_sweep_tables(
    loaded: &LoadedStudy,
    result: &SweepResult,
    spec: &SweepSpec,
    dir: &Path,
) -> Result<()> {
    let study = &loaded.study;
    if spec.shard.is_none() {
        write_bands(&result.bands, dir)?;
        write_drivers(&result.drivers, dir)?;
        let central = simulate(study, &SimOptions::default(), &Observer::default())?;
        write_ranges(
            &key_ranges(
                (&study.scenario.name, &study.regions.id),
                &study.target_years().collect::<Vec<_>>(),
                &central.set_metrics,
                &result.bands,
            ),
            dir,
        )?;
    }
    write_region_names(&study.regions, dir)?;
    write_samples(
        &result.draws,
        result.samples.clone(),
        &study.weather_years,
        &dir.join(SAMPLES_FILE_NAME),
    )
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
