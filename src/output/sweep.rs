//! A sweep's files: `bands.csv`/`bands.parquet` (percentile bands), `samples.parquet`
//! (the drawn inputs of every sample) and, with `--per-sample`, every sample's metric
//! rows (`per_sample_metrics.parquet`, `per_sample_regionset_metrics.parquet`), written
//! one row group per block as the sweep goes, so they never sit in memory whole.
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use polars::io::parquet::write::BatchedWriter as ParquetBatchedWriter;
use polars::prelude::*;

use super::{table_frame, write_csv, write_parquet};
use crate::results::{BandRow, MetricsRow, SetMetricsRow, TableRow};
use crate::simulation::sweep::{Draws, SampleSink, band_row, sort_bands};

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

/// One shard of a sharded sweep, as found on disk.
#[derive(Debug, Clone)]
struct Shard {
    dir: std::path::PathBuf,
    k: usize,
    n: usize,
    /// What must agree across shards: scenario, region set, samples, seed, weather mode,
    /// years, weather years.
    identity: String,
    scenario: String,
}

/// Read a shard folder's `run.toml`.
fn read_shard(dir: &Path) -> Result<Shard> {
    let path = dir.join(crate::output::RUN_FILE_NAME);
    let text = crate::input::read_text(&path).with_context(|| {
        format!(
            "cannot read {} (is {} a sweep shard?)",
            path.display(),
            dir.display()
        )
    })?;
    let record: toml::Table = crate::input::parse_toml(&text, &path)
        .map_err(|e| anyhow::anyhow!("not a run record: {e}"))?;
    let sweep = record
        .get("sweep")
        .and_then(toml::Value::as_table)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: no [sweep] table; expected the run.toml of a sweep shard",
                path.display()
            )
        })?;
    let shard = sweep
        .get("shard")
        .and_then(toml::Value::as_str)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: [sweep] has no `shard`; {} is not a shard (run sweep with --shard K/N)",
                path.display(),
                dir.display()
            )
        })?;
    let (k, n) = parse_shard(shard)
        .map_err(|e| anyhow::anyhow!("{}: shard `{shard}`: {e}", path.display()))?;
    let get = |table: &str, key: &str| -> String {
        record
            .get(table)
            .and_then(|t| t.get(key))
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    // The scenario and region set as read (not only their names), so shards of an edited
    // file of the same name are told apart.
    let inputs_as_read = format!(
        "{}{}",
        record
            .get("scenario")
            .map(ToString::to_string)
            .unwrap_or_default(),
        record
            .get("region_set")
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    let fingerprint = inputs_as_read
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let identity = format!(
        "scenario {} × region set {} (inputs {fingerprint:016x}), {} samples, seed {}, all weather years {}, years {}, weather years {}",
        get("scenario", "name"),
        get("region_set", "id"),
        sweep
            .get("samples")
            .map(ToString::to_string)
            .unwrap_or_default(),
        sweep
            .get("seed")
            .map(ToString::to_string)
            .unwrap_or_default(),
        sweep
            .get("all_weather_years")
            .map(ToString::to_string)
            .unwrap_or_default(),
        record
            .get("years")
            .map(ToString::to_string)
            .unwrap_or_default(),
        record
            .get("weather_years")
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    Ok(Shard {
        dir: dir.to_path_buf(),
        k,
        n,
        identity,
        scenario: get("scenario", "name").trim_matches('"').to_owned(),
    })
}

/// `K/N` with `N ≥ 1` and `K < N`.
///
/// # Errors
/// Anything else, in words.
pub fn parse_shard(text: &str) -> std::result::Result<(usize, usize), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("found `{text}`, expected K/N (e.g. 0/3)"))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("found `{text}`, expected K/N with whole numbers"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("found `{text}`, expected K/N with whole numbers"))?;
    if n == 0 {
        return Err(format!("found `{text}`: N must be at least 1"));
    }
    if k >= n {
        return Err(format!(
            "found `{text}`: K runs from 0 to N − 1 = {}",
            n - 1
        ));
    }
    Ok((k, n))
}

/// The shard folders under `dirs` (each a shard itself, or a folder holding shards as
/// `…/shard=K/` at any depth up to four), in a stable order.
fn find_shards(dirs: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
        if dir.join(crate::output::RUN_FILE_NAME).is_file() {
            out.push(dir.to_path_buf());
            return Ok(());
        }
        if depth == 0 {
            return Ok(());
        }
        let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read folder {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_dir()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        entries.sort();
        for entry in entries {
            walk(&entry, depth - 1, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            bail!("--merge: {} is not a folder", dir.display());
        }
        walk(dir, 4, &mut out)?;
    }
    if out.is_empty() {
        bail!(
            "--merge: no sweep shard (a folder with run.toml) under {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(out)
}

/// What a merge gives: the bands, the samples table, shard 0's record and the shards.
pub struct Merged {
    /// The bands, as an unsharded sweep writes them.
    pub bands: Vec<BandRow>,
    /// Every sample's drawn inputs, in sample order.
    pub samples: DataFrame,
    /// The shards merged, in shard order.
    pub shards: Vec<std::path::PathBuf>,
}

/// Merge sweep shards: every shard `0..N` exactly once, all of one sweep; the per-sample
/// values of all shards pooled per cell and reduced with the same band code as an
/// unsharded sweep, so the bands are byte for byte the same.
///
/// # Errors
/// A missing, duplicate or foreign shard, or a file that cannot be read.
pub fn merge_shards(dirs: &[std::path::PathBuf]) -> Result<Merged> {
    let mut shards: Vec<Shard> = find_shards(dirs)?
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<_>>()?;
    shards.sort_by_key(|s| s.k);
    let first = shards[0].clone();
    for shard in &shards {
        if shard.n != first.n || shard.identity != first.identity {
            bail!(
                "--merge: {} is shard {}/{} of {}, but {} is shard {}/{} of {}; merge shards of one sweep",
                shard.dir.display(),
                shard.k,
                shard.n,
                shard.identity,
                first.dir.display(),
                first.k,
                first.n,
                first.identity
            );
        }
    }
    for pair in shards.windows(2) {
        if pair[0].k == pair[1].k {
            bail!(
                "--merge: shard {}/{} appears twice: {} and {}",
                pair[0].k,
                pair[0].n,
                pair[0].dir.display(),
                pair[1].dir.display()
            );
        }
    }
    let missing: Vec<String> = (0..first.n)
        .filter(|k| !shards.iter().any(|s| s.k == *k))
        .map(|k| format!("{k}/{}", first.n))
        .collect();
    if !missing.is_empty() {
        bail!(
            "--merge: missing shard(s) {} of this sweep ({}); found {}",
            missing.join(", "),
            first.identity,
            shards
                .iter()
                .map(|s| s.dir.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let read = |path: std::path::PathBuf| -> Result<DataFrame> {
        crate::input::load_file::read_guarded_parquet(
            &path,
            crate::input::bounded::RUN_TABLE_LIMIT,
            "expected a per-sample table written by `gridstrain sweep --shard`",
        )
    };
    let mut region_order: Vec<String> = Vec::new();
    let mut set_id = String::new();
    // (scope, id, year) → one column of values per metric.
    let mut cells: std::collections::BTreeMap<(u8, usize, i32), Vec<Vec<f64>>> =
        std::collections::BTreeMap::new();
    let mut samples = Vec::new();
    for shard in &shards {
        for (scope, file, key, metrics) in [
            (
                0u8,
                PER_SAMPLE_METRICS_FILE_NAME,
                "region",
                MetricsRow::metric_names(),
            ),
            (
                1u8,
                PER_SAMPLE_SET_FILE_NAME,
                "region_set",
                SetMetricsRow::metric_names(),
            ),
        ] {
            let frame = read(shard.dir.join(file))?;
            let ids = frame.column(key)?.str()?.clone();
            let years = frame.column("year")?.i32()?.clone();
            let columns: Vec<Float64Chunked> = metrics
                .iter()
                .map(|m| -> Result<Float64Chunked> {
                    Ok(frame.column(m)?.cast(&DataType::Float64)?.f64()?.clone())
                })
                .collect::<Result<_>>()?;
            for row in 0..frame.height() {
                let id = ids.get(row).unwrap_or_default();
                let index = if scope == 0 {
                    match region_order.iter().position(|r| r == id) {
                        Some(i) => i,
                        None => {
                            region_order.push(id.to_owned());
                            region_order.len() - 1
                        }
                    }
                } else {
                    set_id = id.to_owned();
                    0
                };
                let year = years.get(row).unwrap_or_default();
                let cell = cells
                    .entry((scope, index, year))
                    .or_insert_with(|| vec![Vec::new(); metrics.len()]);
                for (values, column) in cell.iter_mut().zip(&columns) {
                    values.push(column.get(row).unwrap_or(f64::NAN));
                }
            }
        }
        samples.push(read(shard.dir.join(SAMPLES_FILE_NAME))?);
    }
    let mut bands = Vec::new();
    let region_metrics = MetricsRow::metric_names();
    let set_metrics = SetMetricsRow::metric_names();
    for ((scope, index, year), mut columns) in cells {
        let (scope_name, id, metrics) = if scope == 0 {
            ("region", region_order[index].as_str(), &region_metrics)
        } else {
            ("region_set", set_id.as_str(), &set_metrics)
        };
        for (metric, values) in metrics.iter().zip(columns.iter_mut()) {
            if let Some(row) = band_row(&first.scenario, (scope_name, id, year), metric, values) {
                bands.push(row);
            }
        }
    }
    let ids: Vec<&str> = region_order.iter().map(String::as_str).collect();
    sort_bands(&mut bands, &ids);
    let mut all = samples.remove(0);
    for more in &samples {
        all.vstack_mut(more)?;
    }
    Ok(Merged {
        bands,
        samples: all,
        shards: shards.into_iter().map(|s| s.dir).collect(),
    })
}
