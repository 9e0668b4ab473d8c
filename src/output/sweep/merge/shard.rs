//! The shards of a sweep as found on disk: each shard folder's `run.toml` read into a
//! [`Shard`] (which sweep it is of, its `K/N`, the rows each sample has), `K/N` parsed,
//! and the shard folders found below the folders given to `--merge`.
use super::*;

/// One shard of a sharded sweep, as found on disk.
#[derive(Debug, Clone)]
pub(super) struct Shard {
    pub(super) dir: std::path::PathBuf,
    pub(super) k: usize,
    pub(super) n: usize,
    /// What must agree across shards: scenario, region set, samples, seed, weather mode,
    /// years, weather years.
    pub(super) identity: String,
    pub(super) scenario: String,
    /// Samples of the whole sweep (`[sweep] samples`).
    pub(super) sweep_samples: usize,
    /// Rows each sample has in the per-sample files: (region file, region-set file).
    pub(super) rows_per_sample: (usize, usize),
    /// The region ids of the set, in order.
    pub(super) region_ids: Vec<String>,
}

/// Read a shard folder's `run.toml`.
pub(super) fn read_shard(dir: &Path) -> Result<Shard> {
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
    let sweep_samples = sweep
        .get("samples")
        .and_then(toml::Value::as_integer)
        .and_then(|s| usize::try_from(s).ok())
        .filter(|s| (1..=MAX_SWEEP_SAMPLES).contains(s))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: [sweep] has no `samples` from 1 to {MAX_SWEEP_SAMPLES}; expected the run.toml of a sweep shard",
                path.display()
            )
        })?;
    let region_ids = recorded_region_ids(&record);
    let rows_per_sample = rows_per_sample(&path, &record, sweep, region_ids.len())?;
    Ok(Shard {
        dir: dir.to_path_buf(),
        k,
        n,
        identity: shard_identity(&record, sweep),
        scenario: recorded(&record, "scenario", "name")
            .trim_matches('"')
            .to_owned(),
        sweep_samples,
        rows_per_sample,
        region_ids,
    })
}

/// A value of `run.toml`'s `[table]` as TOML text (empty when absent).
fn recorded(record: &toml::Table, table: &str, key: &str) -> String {
    record
        .get(table)
        .and_then(|t| t.get(key))
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// What must agree across the shards of one sweep, in words: scenario, region set (and a
/// fingerprint of both as read, so shards of an edited file of the same name are told
/// apart), samples, seed, weather mode, years and weather years.
fn shard_identity(record: &toml::Table, sweep: &toml::Table) -> String {
    let text = |value: Option<&toml::Value>| value.map(ToString::to_string).unwrap_or_default();
    let inputs_as_read = format!(
        "{}{}",
        text(record.get("scenario")),
        text(record.get("region_set"))
    );
    let fingerprint = inputs_as_read
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!(
        "scenario {} × region set {} (inputs {fingerprint:016x}), {} samples, seed {}, all weather years {}, years {}, weather years {}",
        recorded(record, "scenario", "name"),
        recorded(record, "region_set", "id"),
        text(sweep.get("samples")),
        text(sweep.get("seed")),
        text(sweep.get("all_weather_years")),
        text(record.get("years")),
        text(record.get("weather_years")),
    )
}

/// The set's regions as `run.toml` records them: catalogue ids (`regions = [...]`)
/// first, then its own `[[region]]` tables, the order the set is built in.
fn recorded_region_ids(record: &toml::Table) -> Vec<String> {
    let set = record.get("region_set");
    set.and_then(|t| t.get("regions"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .chain(
            set.and_then(|t| t.get("region"))
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("id").and_then(toml::Value::as_str).map(str::to_owned)),
        )
        .collect()
}

/// Rows each sample has in the per-sample files — (regions' file, region set's file) —
/// from the recorded years, weather mode and `regions` count.
fn rows_per_sample(
    path: &Path,
    record: &toml::Table,
    sweep: &toml::Table,
    regions: usize,
) -> Result<(usize, usize)> {
    let years = record
        .get("years")
        .and_then(toml::Value::as_array)
        .and_then(|y| Some((y.first()?.as_integer()?, y.get(1)?.as_integer()?)))
        .filter(|(a, b)| a <= b && *a >= 1900 && *b <= 2200)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: no `years = [first, last]`; expected the run.toml of a sweep shard",
                path.display()
            )
        })?;
    let year_count = usize::try_from(years.1 - years.0 + 1).unwrap_or(0);
    let runs = if sweep
        .get("all_weather_years")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false)
    {
        record
            .get("weather_years")
            .and_then(toml::Value::as_array)
            .map_or(0, Vec::len)
    } else {
        1
    };
    Ok((
        regions.checked_mul(year_count * runs).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: too many regions × years × weather years for a shard",
                path.display()
            )
        })?,
        year_count * runs,
    ))
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
pub(super) fn find_shards(dirs: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>> {
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
