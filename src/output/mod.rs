//! The output layer: polars and files, nothing else. Tables come in as row types whose
//! columns are defined once ([`crate::results`]); this module turns them into CSV and
//! Parquet, writes `run.toml`, hourly Parquet files (a writer thread behind a bounded
//! channel, [`hourly::HourlyWriter`]) and imported load files.
//!
//! Everything is written through one staging-then-rename helper, [`RunDir`]: files go
//! into a hidden temporary folder beside the target and are renamed into place only when
//! all are written, so a failed or killed command leaves nothing that looks complete. An
//! existing target is replaced only when forced.
pub mod hourly;
pub mod record;
pub mod sweep;

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use crate::model::series::HourlyLoad;
use crate::results::{Column as ResultColumn, ColumnValues, RunResult, TableRow};

/// Per-row metrics file stem (`.csv` and `.parquet`).
pub const METRICS_FILE_STEM: &str = "metrics";
/// Region-set metrics file stem.
pub const SET_METRICS_FILE_STEM: &str = "regionset_metrics";
/// Summary file name.
pub const SUMMARY_FILE_NAME: &str = "summary.csv";
/// Siting file name.
pub const SITING_FILE_NAME: &str = "siting.csv";
/// Compute → power by year file name.
pub const POWER_FILE_NAME: &str = "power_by_year.csv";
/// Reality-check file name.
pub const REALITY_CHECK_FILE_NAME: &str = "reality_check.csv";
/// Run record file name.
pub const RUN_FILE_NAME: &str = "run.toml";
/// Hourly output folder name.
pub const HOURLY_DIR_NAME: &str = "hourly";

/// What a [`RunDir`] puts in place on commit.
enum Target {
    /// The staging folder becomes this folder.
    Folder(PathBuf),
    /// Each staged file (named as its target's file name) goes to its target path.
    Files(Vec<PathBuf>),
}

/// Outputs being written: files go into a hidden staging folder beside the target;
/// [`RunDir::commit`] renames them into place. Dropped without commit, the staging
/// folder is removed.
pub struct RunDir {
    staging: Option<tempfile::TempDir>,
    target: Target,
    force: bool,
}

/// The folder a path lives in (`.` for a bare name), created if missing.
fn parent_folder(target: &Path) -> Result<PathBuf> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create output folder {}", parent.display()))?;
    Ok(parent.to_path_buf())
}

fn staging_in(parent: &Path, target: &Path) -> Result<tempfile::TempDir> {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))
}

impl RunDir {
    /// Start an output folder at `target`.
    ///
    /// # Errors
    /// When `target` exists and `force` is false, or the parent cannot be created.
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        if target.exists() && !force {
            bail!(
                "output directory {} already exists; choose another with --out, or replace it with --force",
                target.display()
            );
        }
        let parent = parent_folder(target)?;
        Ok(Self {
            staging: Some(staging_in(&parent, target)?),
            target: Target::Folder(target.to_path_buf()),
            force,
        })
    }

    /// Start writing single files (all in one folder), e.g. an imported load file and
    /// its provenance. Write each at [`RunDir::staged`]`(target)`.
    ///
    /// # Errors
    /// When a target exists and `force` is false, the targets are not in one folder, or
    /// the folder cannot be created.
    pub fn create_files(targets: &[PathBuf], force: bool) -> Result<Self> {
        let Some(first) = targets.first() else {
            bail!("nothing to write");
        };
        for target in targets {
            if target.exists() && !force {
                bail!(
                    "{} already exists; replace it with --force",
                    target.display()
                );
            }
            if target.parent() != first.parent() {
                bail!(
                    "outputs {} and {} must share a folder",
                    first.display(),
                    target.display()
                );
            }
        }
        let parent = parent_folder(first)?;
        Ok(Self {
            staging: Some(staging_in(&parent, first)?),
            target: Target::Files(targets.to_vec()),
            force,
        })
    }

    /// Where files are written until commit.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.staging
            .as_ref()
            .expect("staging exists until commit")
            .path()
    }

    /// Where to write the file that becomes `target` on commit.
    #[must_use]
    pub fn staged(&self, target: &Path) -> PathBuf {
        self.path().join(target.file_name().unwrap_or_default())
    }

    /// The folder the outputs end up in.
    #[must_use]
    pub fn target(&self) -> &Path {
        match &self.target {
            Target::Folder(path) => path,
            Target::Files(files) => files[0].parent().unwrap_or(Path::new(".")),
        }
    }

    /// Move the finished outputs into place (replacing old ones when forced); gives the
    /// folder (or the first file) written.
    ///
    /// # Errors
    /// When a rename fails or a target appeared meanwhile without `force`.
    pub fn commit(mut self) -> Result<PathBuf> {
        let staging = self.staging.take().expect("commit runs once");
        match &self.target {
            Target::Folder(target) => {
                let staging = staging.keep();
                replace(&staging, target, self.force).inspect_err(|_| {
                    let _ = std::fs::remove_dir_all(&staging);
                })?;
                Ok(target.clone())
            }
            Target::Files(targets) => {
                for target in targets {
                    let staged = staging.path().join(target.file_name().unwrap_or_default());
                    replace(&staged, target, self.force)?;
                }
                Ok(targets[0].clone())
            }
        }
    }
}

/// Rename `staged` to `target`; an existing target is moved aside first (only when
/// `force`) and removed after.
fn replace(staged: &Path, target: &Path, force: bool) -> Result<()> {
    if target.exists() {
        if !force {
            bail!(
                "{} appeared while the command was running; nothing was replaced",
                target.display()
            );
        }
        let old = staged.with_extension("old");
        std::fs::rename(target, &old)
            .with_context(|| format!("cannot move the old {} aside", target.display()))?;
        std::fs::rename(staged, target)
            .with_context(|| format!("cannot move the output into {}", target.display()))?;
        if old.is_dir() {
            let _ = std::fs::remove_dir_all(&old);
        } else {
            let _ = std::fs::remove_file(&old);
        }
    } else {
        std::fs::rename(staged, target)
            .with_context(|| format!("cannot move the output into {}", target.display()))?;
    }
    Ok(())
}

/// A polars column from a result column.
fn polars_column(column: ResultColumn) -> Column {
    let name = column.name.into();
    match column.values {
        ColumnValues::F64(v) => Column::new(name, v),
        ColumnValues::OptF64(v) => Column::new(name, v),
        ColumnValues::I32(v) => Column::new(name, v),
        ColumnValues::OptI32(v) => Column::new(name, v),
        ColumnValues::Str(v) => Column::new(name, v),
    }
}

/// The table of `rows` as a polars frame, columns as the row type defines them.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn table_frame<T: TableRow>(rows: &[T]) -> Result<DataFrame> {
    crate::results::check_finite(rows, T::TABLE)?;
    let columns = T::columns(rows).into_iter().map(polars_column).collect();
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Write a frame as CSV.
///
/// # Errors
/// When the file cannot be written.
pub fn write_csv(frame: &mut DataFrame, path: &Path) -> Result<()> {
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    CsvWriter::new(&mut file)
        .include_header(true)
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Write a frame as Parquet (zstd).
///
/// # Errors
/// When the file cannot be written.
pub fn write_parquet(frame: &mut DataFrame, path: &Path) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Write a table as `<stem>.csv` and `<stem>.parquet` in `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_table_both<T: TableRow>(rows: &[T], dir: &Path, stem: &str) -> Result<()> {
    let mut frame = table_frame(rows)?;
    write_csv(&mut frame, &dir.join(format!("{stem}.csv")))?;
    write_parquet(&mut frame, &dir.join(format!("{stem}.parquet")))
}

/// Write a table as CSV at `path`.
///
/// # Errors
/// When the file cannot be written.
pub fn write_table_csv<T: TableRow>(rows: &[T], path: &Path) -> Result<()> {
    write_csv(&mut table_frame(rows)?, path)
}

/// Write every table of a finished run into `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_run_tables(result: &RunResult, dir: &Path) -> Result<()> {
    write_table_both(&result.metrics, dir, METRICS_FILE_STEM)?;
    write_table_both(&result.set_metrics, dir, SET_METRICS_FILE_STEM)?;
    write_table_csv(&result.summary(), &dir.join(SUMMARY_FILE_NAME))?;
    write_table_csv(&result.siting, &dir.join(SITING_FILE_NAME))?;
    write_table_csv(&result.power, &dir.join(POWER_FILE_NAME))?;
    write_table_csv(&result.reality_check, &dir.join(REALITY_CHECK_FILE_NAME))
}

/// A UTC datetime column (ms) from epoch hours.
pub(crate) fn timestamp_column(name: &str, epoch_hours: impl Iterator<Item = i64>) -> Column {
    Int64Chunked::from_vec(name.into(), epoch_hours.map(|h| h * 3_600_000).collect())
        .into_datetime(TimeUnit::Milliseconds, Some(polars::prelude::TimeZone::UTC))
        .into_series()
        .into()
}

/// Write a series as Parquet with columns `timestamp_utc` (UTC datetime, ms) and
/// `demand_mw` (float): the form of a region's load file.
///
/// # Errors
/// When the file cannot be written.
pub fn write_load_parquet(load: &HourlyLoad, path: &Path) -> Result<()> {
    use crate::input::series::{DEMAND_COLUMN, TIMESTAMP_COLUMN};
    let hours = (0..load.demand_mw.len() as i64).map(|i| load.first_epoch_hour + i);
    let mut frame = DataFrame::new_infer_height(vec![
        timestamp_column(TIMESTAMP_COLUMN, hours),
        Column::new(DEMAND_COLUMN.into(), &load.demand_mw),
    ])?;
    write_parquet(&mut frame, path)
}
