//! A sweep's files: `bands.csv`/`bands.parquet` (percentile bands), `samples.parquet`
//! (the drawn inputs of every sample) and, with `--per-sample`, every sample's metric
//! rows (`per_sample_metrics.parquet`, `per_sample_regionset_metrics.parquet`), written
//! one row group per block as the sweep goes, so they never sit in memory whole.
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use polars::io::parquet::write::BatchedWriter as ParquetBatchedWriter;
use polars::prelude::*;

use super::{table_frame, write_csv, write_parquet};
use crate::results::{BandRow, MetricsRow, SetMetricsRow, TableRow};
use crate::simulation::sweep::{Draws, SampleSink};

/// Stem of the bands files.
pub const BANDS_FILE_STEM: &str = "bands";
/// The drawn inputs.
pub const SAMPLES_FILE_NAME: &str = "samples.parquet";
/// Per-sample region rows.
pub const PER_SAMPLE_METRICS_FILE_NAME: &str = "per_sample_metrics.parquet";
/// Per-sample region-set rows.
pub const PER_SAMPLE_SET_FILE_NAME: &str = "per_sample_regionset_metrics.parquet";

/// Write `bands.csv` and `bands.parquet`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_bands(bands: &[BandRow], dir: &Path) -> Result<()> {
    let mut frame = table_frame(bands)?;
    write_csv(&mut frame, &dir.join(format!("{BANDS_FILE_STEM}.csv")))?;
    write_parquet(&mut frame, &dir.join(format!("{BANDS_FILE_STEM}.parquet")))
}

/// Write `samples.parquet`: one row per sample — its index, weather year (empty when it
/// ran on all), the re-solved `total_flop`, the inference shape amplitude, and one column
/// per uncertain parameter named by its key path.
///
/// # Errors
/// When the file cannot be written.
pub fn write_samples(draws: &Draws, weather_years: &[i32], path: &Path) -> Result<()> {
    let n = draws.amplitude.len();
    let mut columns = vec![
        Column::new("sample".into(), (0..n as u32).collect::<Vec<u32>>()),
        Column::new(
            "weather_year".into(),
            draws
                .weather_index
                .iter()
                .map(|w| w.map(|w| weather_years[w]))
                .collect::<Vec<Option<i32>>>(),
        ),
        Column::new("total_flop".into(), draws.total_flop.clone()),
        Column::new("inference_shape_amplitude".into(), draws.amplitude.clone()),
    ];
    for (j, parameter) in draws.parameters.iter().enumerate() {
        let path = parameter.path();
        if path == "inference.shape_amplitude" {
            continue;
        }
        columns.push(Column::new(
            path.as_str().into(),
            (0..n).map(|i| draws.sample(i)[j]).collect::<Vec<f64>>(),
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
        for (writer, path) in [self.regions, self.sets].into_iter().zip(&self.paths) {
            let writer = writer
                .into_inner()
                .map_err(|_| anyhow::anyhow!("a writer panicked"))?;
            if let Some(w) = writer {
                w.finish()
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
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
