//! The output layer: polars and files, nothing else. Tables come in as row types whose
//! columns are defined once ([`crate::results`]); this module turns them into CSV and
//! Parquet, writes `run.toml`, hourly Parquet files (a writer thread behind a bounded
//! channel, [`hourly::HourlyWriter`]) and imported load files.
//!
//! Everything is written through one staging-then-rename helper, [`RunDir`]: files go
//! into a hidden staging folder beside the target and are put in place only when all are
//! written, so a failed or killed command leaves nothing that looks complete. An existing
//! target is replaced only when forced, only when gridstrain wrote it (a manifest in
//! every output folder, a marker in every Parquet file), and atomically ([`replace`]).
//! Every Parquet file carries the key-value metadata entry
//! [`replace::PARQUET_MARKER_KEY`]; every free-text CSV cell is escaped against
//! spreadsheet formulas ([`escape_formula`]).
pub mod hourly;
pub mod record;
pub mod replace;
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
/// The region set's key outputs: the central case beside its range.
pub const RANGES_FILE_NAME: &str = "ranges.csv";
/// The set's regions by id with their names (what the report labels them by).
pub const REGIONS_FILE_NAME: &str = "regions.csv";

/// Write `regions.csv`: the set's regions, id → name, parent and time zone.
///
/// # Errors
/// When the file cannot be written.
pub fn write_region_names(regions: &crate::model::region::RegionSet, dir: &Path) -> Result<()> {
    use crate::input::load_centres::load_centre;
    let rows: Vec<crate::results::RegionNameRow> = regions
        .regions
        .iter()
        .map(|region| {
            // A region standing for a catalogue region sits where that one does.
            let centre = load_centre(&region.id)
                .or_else(|| region.replaces.as_deref().and_then(load_centre))
                .map(|c| (c.latitude, c.longitude, c.place.as_str()));
            crate::results::RegionNameRow::of(region, centre)
        })
        .collect();
    write_csv(&mut table_frame(&rows)?, &dir.join(REGIONS_FILE_NAME))
}
/// Hourly output folder name.
pub const HOURLY_DIR_NAME: &str = "hourly";

/// What a [`RunDir`] puts in place on commit.
enum Target {
    /// The staging folder becomes this folder.
    Folder(PathBuf),
    /// Each staged file (named as its target's file name) goes to its target path.
    Files(Vec<PathBuf>),
}

/// Outputs being written: files go into a hidden staging folder beside the target
/// (`.NAME.partial-PID-…`, with a manifest naming this process); [`RunDir::commit`]
/// puts them in place (see [`replace`] for the manifest, the atomic exchange and the
/// clean-up of what a killed command left). Dropped without commit, the staging folder
/// is removed.
pub struct RunDir {
    staging: Option<PathBuf>,
    target: Target,
    force: bool,
}

/// The folder a path lives in (`.` for a bare name), created if missing.
fn parent_folder(target: &Path) -> Result<PathBuf> {
    let parent = replace::parent_of(target);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create output folder {}", parent.display()))?;
    Ok(parent)
}

/// Whether anything (a file, folder or link) is at `path`.
fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

impl RunDir {
    /// Start an output folder at `target`, after tidying what an interrupted command
    /// left beside it ([`replace::recover_beside`]).
    ///
    /// # Errors
    /// When `target` exists and `force` is false, or it exists and is not a gridstrain
    /// output folder (nothing is deleted), or the parent cannot be created.
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        parent_folder(target)?;
        replace::recover_beside(target)?;
        if occupied(target) && !replace::is_empty_folder(target) {
            if !force {
                bail!(
                    "output directory {} already exists; choose another with --out, or replace it with --force",
                    target.display()
                );
            }
            replace::check_replaceable_folder(target)?;
        }
        Ok(Self {
            staging: Some(replace::create_staging(target)?),
            target: Target::Folder(target.to_path_buf()),
            force,
        })
    }

    /// Start writing single files (all in one folder), e.g. an imported load file and
    /// its provenance. Write each at [`RunDir::staged`]`(target)`.
    ///
    /// # Errors
    /// When a target exists and `force` is false, or it exists and is not a file
    /// gridstrain wrote, the targets are not in one folder, or the folder cannot be
    /// created.
    pub fn create_files(targets: &[PathBuf], force: bool) -> Result<Self> {
        let Some(first) = targets.first() else {
            bail!("nothing to write");
        };
        parent_folder(first)?;
        for target in targets {
            if target.parent() != first.parent() {
                bail!(
                    "outputs {} and {} must share a folder",
                    first.display(),
                    target.display()
                );
            }
            replace::recover_beside(target)?;
            if occupied(target) {
                if !force {
                    bail!(
                        "{} already exists; replace it with --force",
                        target.display()
                    );
                }
                replace::check_replaceable_file(target)?;
            }
        }
        Ok(Self {
            staging: Some(replace::create_staging(first)?),
            target: Target::Files(targets.to_vec()),
            force,
        })
    }

    /// Where files are written until commit.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.staging.as_ref().expect("staging exists until commit")
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
    /// folder (or the first file) written. A folder is sealed first: its manifest lists
    /// every file in it.
    ///
    /// # Errors
    /// When a rename fails, or a target appeared meanwhile without `force` or is not a
    /// gridstrain output.
    pub fn commit(mut self) -> Result<PathBuf> {
        let staging = self.path().to_path_buf();
        let placed = match &self.target {
            Target::Folder(target) => replace::seal(&staging)
                .and_then(|()| replace::put_folder(&staging, target, self.force))
                .map(|()| target.clone()),
            Target::Files(targets) => targets
                .iter()
                .try_for_each(|target| {
                    replace::put_file(
                        &staging.join(target.file_name().unwrap_or_default()),
                        target,
                        self.force,
                    )
                })
                .map(|()| targets[0].clone()),
        };
        if placed.is_ok() && matches!(self.target, Target::Folder(_)) {
            // The staging name is gone (renamed, or removed after the exchange).
            self.staging = None;
        }
        placed
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if let Some(staging) = self.staging.take() {
            let _ = replace::remove_output_folder(&staging);
        }
    }
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

/// The rows of a table read back (the inverse of [`table_frame`]): each field of `T` from
/// the frame's column of its name (numbers of any width, text; a null is an empty cell),
/// so a renamed field is a build error where the rows are used, not a missing column.
///
/// # Errors
/// A column missing, or holding values its field cannot take.
pub fn frame_rows<T: TableRow>(frame: &DataFrame) -> Result<Vec<T>> {
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let values = match column.dtype() {
            DataType::String => ColumnValues::Str(
                column
                    .str()?
                    .iter()
                    .map(|cell| cell.unwrap_or_default().to_owned())
                    .collect(),
            ),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16 => {
                ColumnValues::OptI32(column.cast(&DataType::Int32)?.i32()?.iter().collect())
            }
            dtype if dtype.is_primitive_numeric() => {
                ColumnValues::OptF64(column.cast(&DataType::Float64)?.f64()?.iter().collect())
            }
            // A column of another kind (dates, lists) no row type reads.
            _ => continue,
        };
        columns.push((column.name().to_string(), values));
    }
    T::from_columns(columns, frame.height()).map_err(anyhow::Error::msg)
}

/// A free-text CSV cell as written: one a spreadsheet would read as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; a number
/// (`-3.5`) is never altered.
#[must_use]
pub fn escape_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The frame with every text cell passed through [`escape_formula`] (`None` when no cell
/// needs it, the common case).
fn escaped_text_columns(frame: &DataFrame) -> Result<Option<DataFrame>> {
    let mut escaped = None::<DataFrame>;
    for column in frame.columns() {
        if column.dtype() != &DataType::String {
            continue;
        }
        let text = column.str()?;
        if !text.iter().any(|cell| {
            cell.is_some_and(|c| matches!(escape_formula(c), std::borrow::Cow::Owned(_)))
        }) {
            continue;
        }
        let cells: Vec<Option<String>> = text
            .iter()
            .map(|cell| cell.map(|c| escape_formula(c).into_owned()))
            .collect();
        let target = escaped.get_or_insert_with(|| frame.clone());
        target.with_column(Column::new(column.name().clone(), cells))?;
    }
    Ok(escaped)
}

/// Significant digits of a number in a CSV cell (Parquet keeps full precision).
pub const CSV_SIGNIFICANT_DIGITS: usize = 7;
/// Significant digits of a fraction (`…_frac` columns) in a CSV cell.
pub const CSV_FRACTION_SIGNIFICANT_DIGITS: usize = 4;
/// Columns that count things: written as integers.
const COUNT_COLUMNS: &[&str] = &[
    "hours",
    "hours_above_threshold_before",
    "hours_above_threshold_after",
    "curtailed_hours",
    "curtailment_events",
    "samples",
    "regions_without_co2_rate",
];

/// `value` rounded to `digits` significant digits: the nearest double of the decimal,
/// so a CSV writer's shortest representation prints at most `digits` digits.
#[must_use]
pub fn round_significant(value: f64, digits: usize) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    format!("{value:.prec$e}", prec = digits.saturating_sub(1))
        .parse()
        .unwrap_or(value)
}

/// The frame as a spreadsheet should read it: numbers rounded to
/// [`CSV_SIGNIFICANT_DIGITS`] (fractions to [`CSV_FRACTION_SIGNIFICANT_DIGITS`]), values
/// within rounding noise of zero (below 1e-9 of the largest magnitude of the same
/// quantity, or of 1) written as 0, and counts as integers. In a long table (one with a
/// `metric` column: `summary.csv`, `bands.csv`) a quantity is one metric's rows, and a
/// fraction is a metric whose name ends in `_frac`; elsewhere it is a column.
fn spreadsheet_numbers(frame: &DataFrame) -> Result<DataFrame> {
    let metric: Option<Vec<String>> = match frame.column("metric") {
        Ok(c) if c.dtype() == &DataType::String => Some(
            c.str()?
                .iter()
                .map(|m| m.unwrap_or_default().to_owned())
                .collect(),
        ),
        _ => None,
    };
    let floats: Vec<&Column> = frame
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::Float64 && !COUNT_COLUMNS.contains(&c.name().as_str()))
        .collect();
    // Largest magnitude of each quantity: per metric in a long table.
    let mut largest_by_metric: std::collections::HashMap<&str, f64> =
        std::collections::HashMap::new();
    if let Some(metric) = &metric {
        for column in &floats {
            for (m, v) in metric.iter().zip(column.f64()?.iter()) {
                if let Some(x) = v {
                    let e = largest_by_metric.entry(m.as_str()).or_insert(0.0);
                    *e = e.max(x.abs());
                }
            }
        }
    }
    let mut out = frame.clone();
    for column in frame.columns() {
        if column.dtype() != &DataType::Float64 {
            continue;
        }
        let name = column.name().as_str();
        let values = column.f64()?;
        if COUNT_COLUMNS.contains(&name) {
            let counts: Vec<Option<i64>> =
                values.iter().map(|v| v.map(|x| x.round() as i64)).collect();
            out.with_column(Column::new(column.name().clone(), counts))?;
            continue;
        }
        let column_largest = values.iter().flatten().fold(0.0_f64, |m, x| m.max(x.abs()));
        let rounded: Vec<Option<f64>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.map(|x| {
                    let (largest, fraction) = match &metric {
                        Some(metric) => (
                            largest_by_metric
                                .get(metric[i].as_str())
                                .copied()
                                .unwrap_or(column_largest),
                            metric[i].ends_with("_frac"),
                        ),
                        None => (column_largest, name.ends_with("_frac")),
                    };
                    if x.abs() < 1e-9 * largest.max(1.0) {
                        0.0
                    } else if fraction {
                        round_significant(x, CSV_FRACTION_SIGNIFICANT_DIGITS)
                    } else {
                        round_significant(x, CSV_SIGNIFICANT_DIGITS)
                    }
                })
            })
            .collect();
        out.with_column(Column::new(column.name().clone(), rounded))?;
    }
    Ok(out)
}

/// Write a frame as CSV: numbers rounded for a spreadsheet (`spreadsheet_numbers`;
/// Parquet keeps full precision), text cells escaped against spreadsheet formulas.
///
/// # Errors
/// When the file cannot be written.
pub fn write_csv(frame: &mut DataFrame, path: &Path) -> Result<()> {
    check_frame_finite(frame, path)?;
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut rounded = spreadsheet_numbers(frame)?;
    let mut escaped = escaped_text_columns(&rounded)?;
    CsvWriter::new(&mut file)
        .include_header(true)
        .finish(escaped.as_mut().unwrap_or(&mut rounded))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// A line for the person at the terminal, on standard error. A standard error that
/// cannot be written is ignored: there is nowhere left to say so.
pub fn note(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Write a frame as Parquet (zstd), marked as gridstrain's in its key-value metadata.
///
/// # Errors
/// When the file cannot be written.
pub fn write_parquet(frame: &mut DataFrame, path: &Path) -> Result<()> {
    write_parquet_with_metadata(frame, path, Vec::new())
}

/// Write a frame as Parquet (zstd) with `key_values` in its key-value metadata, after
/// the marker [`replace::PARQUET_MARKER_KEY`] = `gridstrain <version>`.
///
/// # Errors
/// When the file cannot be written.
pub fn write_parquet_with_metadata(
    frame: &mut DataFrame,
    path: &Path,
    key_values: Vec<(String, String)>,
) -> Result<()> {
    let mut metadata = vec![(
        replace::PARQUET_MARKER_KEY.to_owned(),
        format!("gridstrain {}", env!("CARGO_PKG_VERSION")),
    )];
    metadata.extend(key_values);
    check_frame_finite(frame, path)?;
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(metadata)))
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// The hive partition one shard writes into, for `sweep --shard` and `batch --shard`
/// alike: `out/scenario=S/region_set=R/shard=K`, each part one plain name, and no
/// symbolic link below `out` on the way.
///
/// # Errors
/// A label that is not one plain name, or a link or file in the way.
pub fn shard_partition(
    out: &Path,
    scenario: &str,
    region_set: &str,
    shard: usize,
) -> Result<PathBuf> {
    let mut folder = out.to_path_buf();
    for part in [
        format!("scenario={scenario}"),
        format!("region_set={region_set}"),
        format!("shard={shard}"),
    ] {
        folder = replace::join_inside(&folder, &part)?;
    }
    check_no_links_below(out, &folder)?;
    Ok(folder)
}

/// Refuse to write through a symbolic link planted inside the output folder: every
/// folder of `target` below `out` (the hive partitions `scenario=…/region_set=…/shard=K`
/// of a shard, the unit folders of a batch), and `target` itself, must be a real folder
/// or not exist yet. `out` itself may be a link: the user named it.
///
/// # Errors
/// A component below `out` that is a symbolic link or not a folder.
pub fn check_no_links_below(out: &Path, target: &Path) -> Result<()> {
    let Ok(below) = target.strip_prefix(out) else {
        return Ok(());
    };
    let mut path = out.to_path_buf();
    for part in below.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "refusing to write through {}: it is a symbolic link inside the output folder {} (gridstrain writes only into folders it creates there)",
                path.display(),
                out.display()
            ),
            Ok(meta) if !meta.is_dir() => bail!(
                "refusing to write under {}: it is not a folder",
                path.display()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Every float of `frame` is finite (an empty cell is fine): the last check before a
/// file that no [`TableRow`] describes (hourly series, drawn samples) is written, as
/// [`crate::results::check_finite`] is for the tables.
///
/// # Errors
/// An internal error naming the file, the column and the row.
pub fn check_frame_finite(frame: &DataFrame, path: &Path) -> Result<()> {
    for column in frame.columns() {
        let Ok(values) = column.f64() else { continue };
        if let Some((row, value)) = values
            .iter()
            .enumerate()
            .find_map(|(row, v)| v.filter(|x| !x.is_finite()).map(|x| (row, x)))
        {
            bail!(
                "internal error: a computed value is not finite: {}, column `{}`, row {} is {value}; nothing was written. Please report this with the inputs that caused it",
                path.display(),
                column.name(),
                row + 1
            );
        }
    }
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

/// Key of an imported load file's provenance text in its Parquet key-value metadata.
pub const PROVENANCE_KEY: &str = "gridstrain.provenance";

/// Write a series as Parquet with columns `timestamp_utc` (UTC datetime, ms) and
/// `demand_mw` (float): the form of a region's load file. `provenance`, when given, is
/// stored in the file's key-value metadata under [`PROVENANCE_KEY`], so the data and its
/// provenance are one file, put in place by one rename.
///
/// # Errors
/// When the file cannot be written.
pub fn write_load_parquet(load: &HourlyLoad, path: &Path, provenance: Option<&str>) -> Result<()> {
    use crate::input::series::{DEMAND_COLUMN, TIMESTAMP_COLUMN};
    let hours = (0..load.demand_mw.len() as i64).map(|i| load.first_epoch_hour + i);
    let mut frame = DataFrame::new_infer_height(vec![
        timestamp_column(TIMESTAMP_COLUMN, hours),
        Column::new(DEMAND_COLUMN.into(), &load.demand_mw),
    ])?;
    let metadata = provenance
        .map(|text| vec![(PROVENANCE_KEY.to_owned(), text.to_owned())])
        .unwrap_or_default();
    write_parquet_with_metadata(&mut frame, path, metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_from_their_frame_are_the_rows_written() {
        use crate::results::RangeRow;
        let rows = vec![
            RangeRow {
                scenario: "default".into(),
                region_set: "us-48".into(),
                year: 2030,
                metric: "ai_energy_mwh".into(),
                central: Some(1.5e8),
                p5: None,
                p50: Some(-0.25),
                p95: None,
                samples: Some(100.0),
            },
            RangeRow::default(),
        ];
        let frame = table_frame(&rows).unwrap();
        assert_eq!(frame_rows::<RangeRow>(&frame).unwrap(), rows);
        // A column the row type needs, missing: named in the message.
        let without = frame.drop("p50").unwrap();
        let e = frame_rows::<RangeRow>(&without).unwrap_err().to_string();
        assert!(e.contains("no column `p50`"), "{e}");
        // Text where a number belongs.
        let mut wrong = frame.clone();
        wrong
            .with_column(Column::new("year".into(), ["a", "b"]))
            .unwrap();
        let e = frame_rows::<RangeRow>(&wrong).unwrap_err().to_string();
        assert!(e.contains("column `year`: expected a whole number"), "{e}");
    }

    #[test]
    fn csv_numbers_are_rounded_for_a_spreadsheet_and_counts_are_integers() {
        assert_eq!(round_significant(814_827_257.948_471, 7), 814_827_300.0);
        assert_eq!(round_significant(0.031_741_815_168_830_456, 4), 0.031_74);
        assert_eq!(round_significant(-2.5, 7), -2.5);
        let mut frame = df!(
            "firm_capacity_needed_mw" => [-7.275_957_614_183_426e-12, 1_234.567_891_2],
            "share_frac" => [0.031_741_815_168_830_456, 0.5],
            "hours" => [8784.0, 8760.0],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_csv(&mut frame, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "firm_capacity_needed_mw,share_frac,hours\n0.0,0.03174,8784\n1234.568,0.5,8760\n"
        );
    }

    #[test]
    fn formula_cells_are_escaped_and_numbers_kept() {
        for (cell, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+cmd", "'+cmd"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-3.5", "-3.5"),
            ("+2", "+2"),
            ("PJM", "PJM"),
            ("", ""),
        ] {
            assert_eq!(escape_formula(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn csv_text_columns_are_escaped_numbers_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut frame = DataFrame::new_infer_height(vec![
            Column::new("error".into(), ["=1+1", "fine", "-1"]),
            Column::new("mw".into(), [-1.5, 2.0, 3.0]),
        ])
        .unwrap();
        write_csv(&mut frame, &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "error,mw\n'=1+1,-1.5\nfine,2.0\n-1,3.0\n"
        );
    }

    #[test]
    fn parquet_files_carry_the_marker_and_the_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let load = HourlyLoad {
            first_epoch_hour: 0,
            demand_mw: vec![1.0, 2.0],
        };
        write_load_parquet(&load, &path, Some("# Provenance\n\"quoted\"\n")).unwrap();
        let kv = replace::parquet_key_values(&path).unwrap();
        assert!(
            kv.iter()
                .any(|(k, v)| k == replace::PARQUET_MARKER_KEY && v.starts_with("gridstrain "))
        );
        assert!(
            kv.iter()
                .any(|(k, v)| k == PROVENANCE_KEY && v == "# Provenance\n\"quoted\"\n")
        );
        assert!(replace::is_gridstrain_file(&path));
    }
}
