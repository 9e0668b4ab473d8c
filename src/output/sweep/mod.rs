//! A sweep's files: `bands.csv`/`bands.parquet` (percentile bands), `samples.parquet`
//! (the drawn inputs of every sample) and, with `--per-sample`, every sample's metric
//! rows (`per_sample_metrics.parquet`, `per_sample_regionset_metrics.parquet`), written
//! one row group per block as the sweep goes, so they never sit in memory whole.
//!
//! A shard (`sweep --shard K/N`) also writes `shard.toml`, its manifest: the samples it
//! holds and the SHA-256 of each of its files. `sweep --merge` checks every shard against
//! its manifest and the manifests against each other before it pools anything, so a
//! changed file, a dropped or duplicated row, or a gap or overlap between shards is
//! refused with the shard, the file and what differs.
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use polars::io::parquet::write::BatchedWriter as ParquetBatchedWriter;
use polars::prelude::*;

use super::{table_frame, write_csv, write_parquet};
use crate::input::excerpt;
use crate::results::{BandRow, DriverRow, MetricsRow, SetMetricsRow, TableRow};
use crate::simulation::sweep::{
    DRIVER_OUTPUTS, Draws, PEAK_INCREASE_METRIC, SampleSink, band_row, set_peak_increase,
    sort_bands,
};

/// Stem of the bands files.
pub const BANDS_FILE_STEM: &str = "bands";
/// The drawn inputs.
pub const SAMPLES_FILE_NAME: &str = "samples.parquet";
/// Which inputs drive the set's key outputs.
pub const DRIVERS_FILE_NAME: &str = "drivers.csv";
/// Per-sample region rows.
pub const PER_SAMPLE_METRICS_FILE_NAME: &str = "per_sample_metrics.parquet";
/// Per-sample region-set rows.
pub const PER_SAMPLE_SET_FILE_NAME: &str = "per_sample_regionset_metrics.parquet";

/// The most samples a sweep may have (`--samples`), also the most a shard's run.toml may
/// claim.
pub const MAX_SWEEP_SAMPLES: usize = 10_000_000;

/// A shard's manifest.
pub const SHARD_MANIFEST_FILE_NAME: &str = "shard.toml";
/// The files a shard's manifest vouches for (its run.toml too: the merge takes the
/// sweep's samples, years and regions from it).
const SHARD_FILES: [&str; 4] = [
    crate::output::RUN_FILE_NAME,
    SAMPLES_FILE_NAME,
    PER_SAMPLE_METRICS_FILE_NAME,
    PER_SAMPLE_SET_FILE_NAME,
];
/// The manifest's format (a newer gridstrain refuses what it cannot read).
const SHARD_MANIFEST_FORMAT: i64 = 1;

/// `shard.toml`: which samples a shard holds and the checksum of each of its files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    /// Format of this file.
    pub format: i64,
    /// `K/N`.
    pub shard: String,
    /// Samples of the whole sweep.
    pub sweep_samples: u64,
    /// The first sample index this shard holds.
    pub first_sample: u64,
    /// How many samples (indices `first_sample ..< first_sample + sample_count`).
    pub sample_count: u64,
    /// Each file's size and SHA-256, by file name.
    pub files: std::collections::BTreeMap<String, FileChecksum>,
}

/// One file of a shard as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChecksum {
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
}

/// The size and SHA-256 of a file, read in blocks: a regular file of at most
/// [`RUN_TABLE_LIMIT`](crate::input::bounded::RUN_TABLE_LIMIT), never read past it.
///
/// # Errors
/// When the file is not a regular file, is too large or cannot be read.
pub fn file_checksum(path: &Path) -> Result<FileChecksum> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let limit = crate::input::bounded::SHARD_TABLE_LIMIT;
    let (file, _) = crate::input::bounded::open_regular(path, limit)?;
    let mut file = file.take(limit.max_bytes);
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(FileChecksum { bytes, sha256 })
}

/// Write `shard.toml` into the shard folder `dir`, after its files: shard `K/N` of a
/// sweep of `sweep_samples` samples, holding `samples`.
///
/// # Errors
/// When a file cannot be read or the manifest cannot be written.
pub fn write_shard_manifest(
    dir: &Path,
    (k, n): (usize, usize),
    sweep_samples: usize,
    samples: std::ops::Range<usize>,
) -> Result<()> {
    let files = SHARD_FILES
        .iter()
        .map(|name| Ok(((*name).to_owned(), file_checksum(&dir.join(name))?)))
        .collect::<Result<_>>()?;
    let manifest = ShardManifest {
        format: SHARD_MANIFEST_FORMAT,
        shard: format!("{k}/{n}"),
        sweep_samples: sweep_samples as u64,
        first_sample: samples.start as u64,
        sample_count: samples.len() as u64,
        files,
    };
    let text = format!(
        "# The manifest of a gridstrain sweep shard: the samples it holds and the SHA-256 of\n# each file. `gridstrain sweep --merge` refuses the shard if any of it differs.\n{}",
        toml::to_string(&manifest)?
    );
    let path = dir.join(SHARD_MANIFEST_FILE_NAME);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Write `bands.csv` and `bands.parquet`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_bands(bands: &[BandRow], dir: &Path) -> Result<()> {
    let mut frame = table_frame(bands)?;
    write_csv(&mut frame, &dir.join(format!("{BANDS_FILE_STEM}.csv")))?;
    write_parquet(&mut frame, &dir.join(format!("{BANDS_FILE_STEM}.parquet")))
}

/// `drivers.csv`: which inputs drive the set's key outputs.
///
/// # Errors
/// When the file cannot be written.
pub fn write_drivers(drivers: &[DriverRow], dir: &Path) -> Result<()> {
    let mut frame = table_frame(drivers)?;
    write_csv(&mut frame, &dir.join(DRIVERS_FILE_NAME))
}

/// `ranges.csv`: the set's key outputs, central case beside the bands.
///
/// # Errors
/// When the file cannot be written.
pub fn write_ranges(ranges: &[crate::results::RangeRow], dir: &Path) -> Result<()> {
    let mut frame = table_frame(ranges)?;
    write_csv(&mut frame, &dir.join(crate::output::RANGES_FILE_NAME))
}

/// The drawn inputs of `samples.parquet` (as [`crate::simulation::sweep::drawn_inputs`]
/// gives them) and the drawn weather year of each sample, if one was drawn.
fn inputs_of_samples(samples: &DataFrame) -> Result<crate::simulation::sweep::DrawnInputs> {
    let mut inputs = Vec::new();
    for column in samples.columns() {
        let name = column.name().as_str();
        if matches!(name, "sample" | "weather_year" | "total_flop") {
            continue;
        }
        let values: Vec<f64> = column
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        let name = if name == "inference_shape_amplitude" {
            "inference.shape_amplitude"
        } else {
            name
        };
        inputs.push((name.to_owned(), values));
    }
    let weather = samples
        .column("weather_year")?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect::<Option<Vec<f64>>>();
    Ok((inputs, weather))
}

/// Write `samples.parquet`: one row per sample — its index, weather year (empty when it
/// ran on all), the re-solved `total_flop`, the inference shape amplitude, and one column
/// per uncertain parameter named by its key path.
///
/// # Errors
/// When the file cannot be written.
pub fn write_samples(
    draws: &Draws,
    range: std::ops::Range<usize>,
    weather_years: &[i32],
    path: &Path,
) -> Result<()> {
    let mut columns = vec![
        Column::new(
            "sample".into(),
            range.clone().map(|i| i as u32).collect::<Vec<u32>>(),
        ),
        Column::new(
            "weather_year".into(),
            range
                .clone()
                .map(|i| draws.weather_index[i].map(|w| weather_years[w]))
                .collect::<Vec<Option<i32>>>(),
        ),
        Column::new(
            "total_flop".into(),
            draws.total_flop[range.clone()].to_vec(),
        ),
        Column::new(
            "inference_shape_amplitude".into(),
            draws.amplitude[range.clone()].to_vec(),
        ),
    ];
    for (j, parameter) in draws.parameters.iter().enumerate() {
        let path = parameter.path();
        if path == "inference.shape_amplitude" {
            continue;
        }
        columns.push(Column::new(
            path.as_str().into(),
            range
                .clone()
                .map(|i| draws.sample(i)[j])
                .collect::<Vec<f64>>(),
        ));
    }
    let mut frame = DataFrame::new_infer_height(columns)?;
    write_parquet(&mut frame, path)
}

/// Writes per-sample rows to two Parquet files, a row group per block.
pub struct PerSampleWriter {
    regions: Mutex<Option<ParquetBatchedWriter<File>>>,
    sets: Mutex<Option<ParquetBatchedWriter<File>>>,
    paths: [std::path::PathBuf; 2],
}

impl PerSampleWriter {
    /// Start both files in `dir`.
    ///
    /// # Errors
    /// When a file cannot be created.
    pub fn create(dir: &Path) -> Result<Self> {
        Ok(Self {
            regions: Mutex::new(None),
            sets: Mutex::new(None),
            paths: [
                dir.join(PER_SAMPLE_METRICS_FILE_NAME),
                dir.join(PER_SAMPLE_SET_FILE_NAME),
            ],
        })
    }

    /// Close both files.
    ///
    /// # Errors
    /// When a file cannot be finished.
    pub fn finish(self) -> Result<()> {
        // A shard without samples still writes both files, empty, so a merge finds them.
        let empty = [
            sample_frame::<MetricsRow>(&[])?,
            sample_frame::<SetMetricsRow>(&[])?,
        ];
        for ((writer, path), mut empty) in [self.regions, self.sets]
            .into_iter()
            .zip(&self.paths)
            .zip(empty)
        {
            let writer = writer
                .into_inner()
                .map_err(|_| anyhow::anyhow!("a writer panicked"))?;
            match writer {
                Some(w) => {
                    w.finish()
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                }
                None => write_parquet(&mut empty, path)?,
            }
        }
        Ok(())
    }
}

/// The frame of `(sample, row)` pairs: `sample` first, then the row's columns.
fn sample_frame<T: TableRow + Clone>(rows: &[(u32, T)]) -> Result<DataFrame> {
    let samples: Vec<u32> = rows.iter().map(|(i, _)| *i).collect();
    let plain: Vec<T> = rows.iter().map(|(_, r)| r.clone()).collect();
    let mut frame = table_frame(&plain)?;
    frame.insert_column(0, Column::new("sample".into(), samples))?;
    Ok(frame)
}

fn append(
    slot: &Mutex<Option<ParquetBatchedWriter<File>>>,
    path: &Path,
    frame: &DataFrame,
) -> Result<()> {
    let mut guard = slot
        .lock()
        .map_err(|_| anyhow::anyhow!("a writer panicked"))?;
    if guard.is_none() {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        *guard = Some(
            ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(frame.schema())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        );
    }
    guard
        .as_mut()
        .expect("just created")
        .write_batch(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

impl SampleSink for PerSampleWriter {
    fn accept(&self, regions: &[(u32, MetricsRow)], sets: &[(u32, SetMetricsRow)]) -> Result<()> {
        append(&self.regions, &self.paths[0], &sample_frame(regions)?)?;
        append(&self.sets, &self.paths[1], &sample_frame(sets)?)
    }
}

mod merge;

pub use self::merge::{Merged, merge_shards, parse_shard};
