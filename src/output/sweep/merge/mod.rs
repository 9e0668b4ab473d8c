//! `sweep --merge`: every shard of a sweep read back, checked against its manifest, row
//! by row and against the others (each sample exactly once), and pooled into the bands,
//! drivers and samples an unsharded sweep writes.
use super::*;

mod shard;

pub use self::shard::parse_shard;
use self::shard::{Shard, find_shards, read_shard};

/// What `shard`'s manifest promises, checked against the shard's record and files: the
/// samples it holds (as shard `K/N` of the sweep's samples), the checksum of each file,
/// and the sample index of every row. Returns the samples the shard holds.
fn check_shard(shard: &Shard) -> Result<std::ops::Range<usize>> {
    let dir = shard.dir.display();
    let path = shard.dir.join(SHARD_MANIFEST_FILE_NAME);
    let text = crate::input::read_text(&path).with_context(|| {
        format!(
            "--merge: shard {dir} has no readable {SHARD_MANIFEST_FILE_NAME} (the manifest with its samples and the checksums of its files); rerun this shard with this gridstrain"
        )
    })?;
    let manifest: ShardManifest = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "--merge: {}: not a shard manifest: {}",
            path.display(),
            excerpt(&e.to_string())
        )
    })?;
    if manifest.format != SHARD_MANIFEST_FORMAT {
        bail!(
            "--merge: {}: format {} (this gridstrain reads format {SHARD_MANIFEST_FORMAT})",
            path.display(),
            manifest.format
        );
    }
    let (k, n) = (shard.k, shard.n);
    if manifest.shard != format!("{k}/{n}") {
        bail!(
            "--merge: {}: says shard {}, but the folder's run.toml says {k}/{n}",
            path.display(),
            manifest.shard
        );
    }
    if manifest.sweep_samples != shard.sweep_samples as u64 {
        bail!(
            "--merge: {}: says the sweep has {} samples, but the folder's run.toml says {}",
            path.display(),
            manifest.sweep_samples,
            shard.sweep_samples
        );
    }
    let expected = crate::simulation::sweep::SweepSpec {
        engine: crate::simulation::sweep::Engine::Pruned,
        samples: shard.sweep_samples,
        seed: 0,
        all_weather_years: false,
        shard: Some((k, n)),
    }
    .sample_range();
    if manifest.first_sample != expected.start as u64
        || manifest.sample_count != expected.len() as u64
    {
        bail!(
            "--merge: {}: says samples {} (first {}, count {}), but shard {k}/{n} of {} samples holds {}",
            path.display(),
            span(manifest.first_sample, manifest.sample_count),
            manifest.first_sample,
            manifest.sample_count,
            shard.sweep_samples,
            span(expected.start as u64, expected.len() as u64),
        );
    }
    let listed: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
    let mut wanted = SHARD_FILES.to_vec();
    wanted.sort_unstable();
    if listed != wanted {
        bail!(
            "--merge: {}: lists the files {}, expected {}",
            path.display(),
            listed.join(", "),
            wanted.join(", ")
        );
    }
    for (name, promised) in &manifest.files {
        let file = shard.dir.join(name);
        let found = file_checksum(&file).with_context(|| format!("--merge: shard {dir}"))?;
        if found != *promised {
            bail!(
                "--merge: {}: the file differs from the shard's manifest ({} bytes, SHA-256 {}; {SHARD_MANIFEST_FILE_NAME} records {} bytes, SHA-256 {}): it was changed after the shard was written",
                file.display(),
                found.bytes,
                found.sha256,
                promised.bytes,
                promised.sha256
            );
        }
    }
    Ok(expected)
}

/// The shards' samples, in shard order, follow one another from 0 with no gap or
/// overlap and add up to the sweep's `total` (as `record_dir`'s run.toml says).
fn check_contiguous(
    shards: &[(&Path, std::ops::Range<usize>)],
    total: usize,
    record_dir: &Path,
) -> Result<()> {
    let mut next = 0usize;
    for (dir, range) in shards {
        if range.start > next {
            bail!(
                "--merge: samples {} are in no shard: {} starts at sample {}",
                span(next as u64, (range.start - next) as u64),
                dir.display(),
                range.start
            );
        }
        if range.start < next {
            bail!(
                "--merge: samples {} are in two shards: {} holds {}",
                span(
                    range.start as u64,
                    (next.min(range.end) - range.start) as u64
                ),
                dir.display(),
                span(range.start as u64, range.len() as u64)
            );
        }
        next = range.end;
    }
    if next != total {
        bail!(
            "--merge: the shards hold {next} samples, but the sweep has {total} (run.toml of {})",
            record_dir.display()
        );
    }
    Ok(())
}

/// `a..=b` of `count` indices from `first`, in words.
fn span(first: u64, count: u64) -> String {
    if count == 0 {
        "none".to_owned()
    } else {
        format!("{first}..={}", first + count - 1)
    }
}

/// The rows of one per-sample file (or `samples.parquet`) checked against the samples
/// its shard holds: every sample of `held` has exactly `rows_per_sample` rows, no row
/// is of another sample, and no key (sample, id, year, weather year) appears twice.
fn check_rows(
    path: &Path,
    frame: &DataFrame,
    held: &std::ops::Range<usize>,
    rows_per_sample: usize,
    key_columns: &[&str],
) -> Result<()> {
    let file = path.display();
    let sample = frame
        .column("sample")
        .and_then(|c| c.cast(&DataType::UInt32))
        .map_err(|e| anyhow::anyhow!("--merge: {file}: no `sample` column: {e}"))?;
    let sample = sample.u32()?;
    // Each row's key: its sample, then the other key columns as text (ids, years).
    let mut keys: Vec<(u32, String)> = Vec::with_capacity(frame.height());
    let others: Vec<Column> = key_columns
        .iter()
        .map(|name| {
            frame
                .column(name)
                .and_then(|c| c.cast(&DataType::String))
                .map_err(|e| anyhow::anyhow!("--merge: {file}: no `{name}` column: {e}"))
        })
        .collect::<Result<_>>()?;
    let others: Vec<&StringChunked> = others
        .iter()
        .map(|c| c.str())
        .collect::<PolarsResult<_>>()?;
    for row in 0..frame.height() {
        let Some(index) = sample.get(row) else {
            bail!("--merge: {file}: row {} has no sample index", row + 1);
        };
        if !held.contains(&(index as usize)) {
            bail!(
                "--merge: {file}: row {} is of sample {index}, but the shard holds samples {} ({SHARD_MANIFEST_FILE_NAME})",
                row + 1,
                span(held.start as u64, held.len() as u64)
            );
        }
        let rest: Vec<&str> = others.iter().map(|c| c.get(row).unwrap_or("")).collect();
        keys.push((index, rest.join(", ")));
    }
    keys.sort_unstable();
    for pair in keys.windows(2) {
        if pair[0] == pair[1] {
            bail!(
                "--merge: {file}: the row of sample {}{}{} appears twice",
                pair[0].0,
                if pair[0].1.is_empty() { "" } else { ", " },
                pair[0].1
            );
        }
    }
    let mut counts = vec![0usize; held.len()];
    for (index, _) in &keys {
        counts[*index as usize - held.start] += 1;
    }
    if let Some((offset, count)) = counts
        .iter()
        .enumerate()
        .find(|(_, count)| **count != rows_per_sample)
    {
        bail!(
            "--merge: {file}: sample {} has {count} row(s), expected {rows_per_sample}; the file holds {} rows, expected {} for samples {}",
            held.start + offset,
            frame.height(),
            rows_per_sample * held.len(),
            span(held.start as u64, held.len() as u64)
        );
    }
    Ok(())
}

/// What a merge gives: the bands, the samples table, shard 0's record and the shards.
pub struct Merged {
    /// The bands, as an unsharded sweep writes them.
    pub bands: Vec<BandRow>,
    /// Which inputs drive the set's key outputs, as an unsharded sweep finds them.
    pub drivers: Vec<DriverRow>,
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
    check_one_sweep(&shards)?;
    let first = shards[0].clone();
    // Each shard against its manifest, then the shards against each other: in shard
    // order their samples must follow one another from 0 to the sweep's count.
    let held: Vec<std::ops::Range<usize>> =
        shards.iter().map(check_shard).collect::<Result<_>>()?;
    check_contiguous(
        &shards
            .iter()
            .map(|s| s.dir.as_path())
            .zip(held.iter().cloned())
            .collect::<Vec<_>>(),
        first.sweep_samples,
        &first.dir,
    )?;
    let mut pool = Pool::default();
    let mut samples = Vec::new();
    for (shard, held) in shards.iter().zip(&held) {
        pool.add_shard(shard, held)?;
        samples.push(read_samples(shard, held)?);
    }
    let mut all = samples.remove(0);
    for more in &samples {
        all.vstack_mut(more)?;
    }
    let (bands, drivers) = pool.bands_and_drivers(&first.scenario, &all)?;
    Ok(Merged {
        bands,
        drivers,
        samples: all,
        shards: shards.into_iter().map(|s| s.dir).collect(),
    })
}

/// The shards (sorted by K) are all of one sweep, each `K/N` once, none missing.
fn check_one_sweep(shards: &[Shard]) -> Result<()> {
    let first = &shards[0];
    for shard in shards {
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
    Ok(())
}

/// A shard's table, read only as large as the `rows` it must hold allow: twice them (and
/// some), so a duplicated or stray row still reaches the row check that names it, at
/// 1 KiB a row (a row is a few dozen 8-byte values; ample even uncompressed).
fn read_shard_table(path: &Path, rows: usize) -> Result<DataFrame> {
    let rows = (rows as u64).saturating_mul(2).saturating_add(1024);
    let limit = crate::input::bounded::FileLimit {
        max_bytes: rows
            .saturating_mul(1024)
            .saturating_add(16 << 20)
            .min(crate::input::bounded::SHARD_TABLE_LIMIT.max_bytes),
        ..crate::input::bounded::SHARD_TABLE_LIMIT
    };
    crate::input::parquet_read::read_guarded_parquet(
        path,
        limit,
        rows,
        "expected a per-sample table written by `gridstrain sweep --shard`",
    )
}

/// A shard's `samples.parquet` (the drawn inputs of the samples it `held`), checked to
/// be in sample order, as the merged file must be.
fn read_samples(shard: &Shard, held: &std::ops::Range<usize>) -> Result<DataFrame> {
    let path = shard.dir.join(SAMPLES_FILE_NAME);
    let frame = read_shard_table(&path, held.len())?;
    check_rows(&path, &frame, held, 1, &[])?;
    let order = frame.column("sample")?.cast(&DataType::UInt32)?;
    let order = order.u32()?;
    if let Some((row, index)) = (0..order.len())
        .map(|row| (row, order.get(row)))
        .find(|(row, index)| *index != u32::try_from(held.start + row).ok())
    {
        bail!(
            "--merge: {}: row {} is of sample {}, expected sample {} (rows in sample order)",
            path.display(),
            row + 1,
            index.map_or_else(|| "none".to_owned(), |i| i.to_string()),
            held.start + row
        );
    }
    Ok(frame)
}

/// Which per-sample file: the regions' (`0`) or the region set's (`1`).
type Scope = u8;

/// The per-sample values of every shard, pooled per cell.
#[derive(Default)]
struct Pool {
    /// The regions in the order first met (the unsharded sweep's order).
    region_order: Vec<String>,
    set_id: String,
    /// (scope, region index, year) → one column of values per metric.
    cells: std::collections::BTreeMap<(Scope, usize, i32), Vec<Vec<f64>>>,
}

impl Pool {
    /// Both per-sample files of `shard` (holding the samples `held`), checked row by row.
    fn add_shard(&mut self, shard: &Shard, held: &std::ops::Range<usize>) -> Result<()> {
        for (scope, file, key, metrics) in [
            (
                0,
                PER_SAMPLE_METRICS_FILE_NAME,
                "region",
                MetricsRow::metric_names(),
            ),
            (
                1,
                PER_SAMPLE_SET_FILE_NAME,
                "region_set",
                SetMetricsRow::metric_names(),
            ),
        ] {
            let path = shard.dir.join(file);
            let rows_per_sample = if scope == 0 {
                shard.rows_per_sample.0
            } else {
                shard.rows_per_sample.1
            };
            let frame = read_shard_table(&path, rows_per_sample.saturating_mul(held.len()))?;
            check_rows(
                &path,
                &frame,
                held,
                rows_per_sample,
                &[key, "year", "weather_year"],
            )?;
            if scope == 0 {
                check_regions_of(&path, &frame, &shard.region_ids)?;
            }
            self.add_table(&frame, scope, key, &metrics)?;
        }
        Ok(())
    }

    /// Every row of a per-sample table into its cell.
    fn add_table(
        &mut self,
        frame: &DataFrame,
        scope: Scope,
        key: &str,
        metrics: &[&str],
    ) -> Result<()> {
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
                match self.region_order.iter().position(|r| r == id) {
                    Some(i) => i,
                    None => {
                        self.region_order.push(id.to_owned());
                        self.region_order.len() - 1
                    }
                }
            } else {
                self.set_id = id.to_owned();
                0
            };
            let year = years.get(row).unwrap_or_default();
            let cell = self
                .cells
                .entry((scope, index, year))
                .or_insert_with(|| vec![Vec::new(); metrics.len()]);
            for (values, column) in cell.iter_mut().zip(&columns) {
                values.push(column.get(row).unwrap_or(f64::NAN));
            }
        }
        Ok(())
    }

    /// The bands of every cell and the drivers of the set's, as an unsharded sweep
    /// computes them (`all`: every sample's drawn inputs, in sample order).
    fn bands_and_drivers(
        self,
        scenario: &str,
        all: &DataFrame,
    ) -> Result<(Vec<BandRow>, Vec<DriverRow>)> {
        let (inputs, weather_of_sample) = inputs_of_samples(all)?;
        let mut bands = Vec::new();
        let mut drivers = Vec::new();
        let region_metrics = MetricsRow::metric_names();
        let mut set_metrics = SetMetricsRow::metric_names();
        set_metrics.push(PEAK_INCREASE_METRIC);
        for ((scope, index, year), mut columns) in self.cells {
            let (scope_name, id, metrics) = if scope == 0 {
                ("region", self.region_order[index].as_str(), &region_metrics)
            } else {
                ("region_set", self.set_id.as_str(), &set_metrics)
            };
            if scope == 1 {
                // As an unsharded sweep: the derived peak increase, then the drivers
                // (before the bands sort each column).
                if let Some(increase) = set_peak_increase(&set_metrics, &columns) {
                    columns.push(increase);
                }
                let runs = columns.first().map_or(0, Vec::len) / all.height().max(1);
                let weather_of_run: Vec<f64> = match &weather_of_sample {
                    Some(drawn) => drawn.clone(),
                    // Every weather year in turn: the run's position labels its weather year.
                    None => (0..all.height())
                        .flat_map(|_| (0..runs).map(|k| k as f64))
                        .collect(),
                };
                let outputs: Vec<(&str, &[f64])> = DRIVER_OUTPUTS
                    .iter()
                    .filter_map(|o| {
                        let i = set_metrics.iter().position(|n| n == o)?;
                        columns.get(i).map(|c| (*o, c.as_slice()))
                    })
                    .collect();
                drivers.extend(crate::simulation::sweep::drivers(
                    (scenario, id, year),
                    &outputs,
                    runs,
                    &inputs,
                    &weather_of_run,
                ));
            }
            for (metric, values) in metrics.iter().zip(columns.iter_mut()) {
                if let Some(row) = band_row(scenario, (scope_name, id, year), metric, values) {
                    bands.push(row);
                }
            }
        }
        let ids: Vec<&str> = self.region_order.iter().map(String::as_str).collect();
        sort_bands(&mut bands, &ids);
        Ok((bands, drivers))
    }
}

/// Every row of a regions' per-sample table is of a region of the shard's set.
fn check_regions_of(path: &Path, frame: &DataFrame, region_ids: &[String]) -> Result<()> {
    let ids = frame.column("region")?.str()?;
    if let Some(id) = (0..ids.len())
        .filter_map(|row| ids.get(row))
        .find(|id| !region_ids.iter().any(|r| r == id))
    {
        bail!(
            "--merge: {}: a row of region `{}`, which is not in the shard's region set ({})",
            path.display(),
            excerpt(id),
            crate::input::format_capped(region_ids)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contiguous(ranges: &[std::ops::Range<usize>], total: usize) -> Result<()> {
        let dirs: Vec<std::path::PathBuf> = (0..ranges.len())
            .map(|k| std::path::PathBuf::from(format!("shard={k}")))
            .collect();
        let shards: Vec<(&Path, std::ops::Range<usize>)> = dirs
            .iter()
            .map(std::path::PathBuf::as_path)
            .zip(ranges.iter().cloned())
            .collect();
        check_contiguous(&shards, total, Path::new("shard=0"))
    }

    #[test]
    fn shards_must_hold_every_sample_once_and_the_sweeps_total() {
        assert!(contiguous(&[0..3, 3..3, 3..6], 6).is_ok());
        let gap = contiguous(&[0..3, 4..6], 6).unwrap_err().to_string();
        assert!(
            gap.contains("samples 3..=3 are in no shard: shard=1 starts at sample 4"),
            "{gap}"
        );
        let overlap = contiguous(&[0..3, 2..6], 6).unwrap_err().to_string();
        assert!(
            overlap.contains("samples 2..=2 are in two shards: shard=1 holds 2..=5"),
            "{overlap}"
        );
        let short = contiguous(&[0..3, 3..5], 6).unwrap_err().to_string();
        assert!(
            short.contains("the shards hold 5 samples, but the sweep has 6"),
            "{short}"
        );
    }

    #[test]
    fn a_checksum_is_the_files_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, b"abc").unwrap();
        let sum = file_checksum(&path).unwrap();
        assert_eq!(sum.bytes, 3);
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sum.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
