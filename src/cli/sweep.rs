//! `gridstrain sweep`: Monte Carlo over the scenario's `[uncertainty."…"]` tables and the
//! weather years, reduced to percentile bands. Defaults as for `run` (the shipped
//! `default` scenario over `us-48`), 1,000 samples, the scenario's seed.
use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::Args;

use super::run::{StudyArgs, study_files};
use super::{CommonArgs, default_outputs_dir, note, print_stdout, progress};
use crate::input::study::load_study;
use crate::output::RunDir;
use crate::output::sweep::{SAMPLES_FILE_NAME, write_bands, write_drivers, write_ranges};
use crate::results::key_ranges;
use crate::simulation::sweep::{Engine, SweepSpec, estimated_memory_bytes};

/// Arguments of `sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// The study.
    #[command(flatten)]
    pub study: StudyArgs,
    /// Number of samples (refused when their estimated memory exceeds what is available).
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=crate::output::sweep::MAX_SWEEP_SAMPLES as i64))]
    pub samples: u32,
    /// Seed of the draws, 0 to 2^63 − 1 (default: the scenario's `seed`).
    #[arg(long, value_name = "S", value_parser = super::parse_seed)]
    pub seed: Option<u64>,
    /// Run every sample on every weather year (pooled into the bands) instead of one
    /// drawn weather year per sample.
    #[arg(long)]
    pub all_weather_years: bool,
    /// Also write every sample's metric rows (per_sample_*.parquet).
    #[arg(long)]
    pub per_sample: bool,
    /// Output directory (default: outputs/sweep_SCENARIO_REGIONS_UTCTIME).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Run only shard K of N (K = 0 … N−1, e.g. a Slurm array index): a contiguous block
    /// of the samples, written with its per-sample values and its manifest (shard.toml:
    /// samples and checksums) to DIR/scenario=S/region_set=R/shard=K/ for `--merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard_arg)]
    pub shard: Option<(usize, usize)>,
    /// Merge the shards found in these folders (each a shard, or a folder holding
    /// shard=K/ folders) into the bands of the whole sweep, written to --out. Every shard
    /// is checked against its manifest first: a changed file, a missing or duplicated
    /// row or sample is refused.
    #[arg(long, value_name = "SHARD_DIR", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
    /// Evaluate every hour of every sample (the reference the default engine is checked
    /// against; same numbers, slower).
    #[arg(long, hide = true)]
    pub full_engine: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--shard K/N` for clap (a malformed value is bad usage, exit 2).
///
/// # Errors
/// Anything but `K/N` with `0 ≤ K < N`.
pub fn parse_shard_arg(text: &str) -> std::result::Result<(usize, usize), String> {
    crate::output::sweep::parse_shard(text)
}

/// The memory this process may still use (bytes): `MemAvailable` in `/proc/meminfo`, or
/// less when a cgroup (v2) limit leaves less; `None` where neither can be read (the
/// check is then skipped).
#[must_use]
pub fn available_memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available_kb: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let available = available_kb.saturating_mul(1024);
    let read = |name: &str| -> Option<u64> {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{name}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    Some(match (read("memory.max"), read("memory.current")) {
        (Some(max), Some(current)) => available.min(max.saturating_sub(current)),
        _ => available,
    })
}

/// Refuse a sweep whose estimated memory exceeds what is available, before anything is
/// computed or written.
///
/// # Errors
/// The estimate is larger than `available` (the message states both).
pub fn check_memory(samples: usize, estimate_bytes: u64, available: Option<u64>) -> Result<()> {
    let Some(available) = available else {
        return Ok(());
    };
    if estimate_bytes > available {
        anyhow::bail!(
            "--samples: {} samples need about {} (about {} KB each); {} are available (MemAvailable in /proc/meminfo, less under a cgroup memory limit); run fewer samples, or split them with --shard K/N over several machines",
            thousands(samples as u64),
            gigabytes(estimate_bytes),
            estimate_bytes / samples.max(1) as u64 / 1000,
            gigabytes(available)
        );
    }
    Ok(())
}

/// A whole number with thousands separators: 10,000,000.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as decimal gigabytes: "570 GB", "22.1 GB".
fn gigabytes(bytes: u64) -> String {
    let gb = bytes as f64 / 1e9;
    if gb >= 100.0 {
        format!("{gb:.0} GB")
    } else {
        format!("{gb:.1} GB")
    }
}

/// The merged sweep may not be written over, inside or around one of the folders it
/// reads (`--force` would replace a shard, or a folder holding the shards).
///
/// # Errors
/// When `target` and an input folder are the same or one holds the other.
fn refuse_output_among_inputs(target: &std::path::Path, inputs: &[PathBuf]) -> Result<()> {
    // Compare real paths; a target that does not exist yet is its real parent + name.
    let real = |path: &std::path::Path| -> PathBuf {
        path.canonicalize().unwrap_or_else(|_| {
            let parent = crate::output::replace::parent_of(path);
            parent
                .canonicalize()
                .unwrap_or(parent)
                .join(path.file_name().unwrap_or_default())
        })
    };
    let out = real(target);
    for input in inputs {
        let input_real = real(input);
        if out.starts_with(&input_real) || input_real.starts_with(&out) {
            bail!(
                "--out {} is {} the merge input {}; write the merged sweep to a folder of its own",
                target.display(),
                if out == input_real {
                    "the same folder as"
                } else if out.starts_with(&input_real) {
                    "inside"
                } else {
                    "a folder holding"
                },
                input.display()
            );
        }
    }
    Ok(())
}

/// `gridstrain sweep --merge`: shards → the whole sweep's bands.
fn handle_merge(args: &SweepArgs) -> Result<()> {
    let target = args.out.clone().unwrap_or_else(|| {
        default_outputs_dir().join(format!(
            "sweep_merged_{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    refuse_output_among_inputs(&target, &args.merge)?;
    // Before the shards are read: a refused --out costs nothing.
    let run_dir = RunDir::create(&target, args.force)?;
    let merged = crate::output::sweep::merge_shards(&args.merge)?;
    write_bands(&merged.bands, run_dir.path())?;
    write_drivers(&merged.drivers, run_dir.path())?;
    // No study here: the central case is left empty (the report says so).
    let mut years: Vec<i32> = merged.bands.iter().map(|b| b.year).collect();
    years.dedup();
    years.sort_unstable();
    years.dedup();
    let set_id = merged
        .bands
        .iter()
        .find(|b| b.scope == "region_set")
        .map(|b| (b.scenario.clone(), b.region.clone()))
        .unwrap_or_default();
    write_ranges(
        &key_ranges((&set_id.0, &set_id.1), &years, &[], &merged.bands),
        run_dir.path(),
    )?;
    // The region names, as the first shard wrote them (a shard of an older gridstrain
    // has none: the report then labels regions by id).
    let names = merged.shards[0].join(crate::output::REGIONS_FILE_NAME);
    if names.is_file() {
        let text = crate::input::bounded::read_text_limited(
            &names,
            crate::input::bounded::RUN_TABLE_LIMIT,
        )?;
        std::fs::write(run_dir.path().join(crate::output::REGIONS_FILE_NAME), text)
            .with_context(|| format!("cannot write {}", crate::output::REGIONS_FILE_NAME))?;
    }
    let mut samples = merged.samples;
    crate::output::write_parquet(&mut samples, &run_dir.path().join(SAMPLES_FILE_NAME))?;
    // The first shard's record, as the merged sweep's, with the shards it came from.
    let record_path = merged.shards[0].join(crate::output::RUN_FILE_NAME);
    let text = crate::input::read_text(&record_path)?;
    let mut record: toml::Table = crate::input::parse_toml(&text, &record_path)?;
    if let Some(toml::Value::Table(sweep)) = record.get_mut("sweep") {
        sweep.remove("shard");
        sweep.insert(
            "merged_shards".to_owned(),
            toml::Value::Array(
                merged
                    .shards
                    .iter()
                    .map(|p| toml::Value::String(p.display().to_string()))
                    .collect(),
            ),
        );
    }
    record.insert(
        "command".to_owned(),
        toml::Value::String(super::command_line()),
    );
    std::fs::write(
        run_dir.path().join(crate::output::RUN_FILE_NAME),
        toml::to_string(&record)?,
    )?;
    crate::report::write_report(run_dir.path())?;
    let path = run_dir.commit()?;
    if args.common.quiet {
        return Ok(());
    }
    if std::io::stderr().is_terminal() {
        note(&format!(
            "merged {} shards → {}",
            merged.shards.len(),
            path.display()
        ));
        Ok(())
    } else {
        print_stdout(&format!("{}\n", path.display()))
    }
}

/// `gridstrain sweep`.
///
/// # Errors
/// Bad input, or outputs that cannot be written.
pub fn handle_sweep(args: &SweepArgs) -> Result<()> {
    args.common.init_threads()?;
    if !args.merge.is_empty() {
        return handle_merge(args);
    }
    let files = study_files(&args.study)?;
    let mut loaded = load_study(&files)?;
    crate::input::study::check_uncertainty(&loaded)?;
    if let Some(seed) = args.seed {
        loaded.study.scenario.seed = seed;
    }
    let study = &loaded.study;
    let spec = SweepSpec {
        engine: if args.full_engine {
            Engine::Full
        } else {
            Engine::Pruned
        },
        samples: args.samples as usize,
        seed: study.scenario.seed,
        all_weather_years: args.all_weather_years,
        shard: args.shard,
    };
    check_memory(
        spec.samples,
        estimated_memory_bytes(study, &spec),
        available_memory_bytes(),
    )?;
    let mut target = args.out.clone().unwrap_or_else(|| {
        default_outputs_dir().join(format!(
            "sweep_{}_{}_{}",
            study.scenario.name,
            study.regions.id,
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    // A shard writes into its hive partition, so that N shards can share one --out.
    if let Some((k, _)) = args.shard {
        target =
            crate::output::shard_partition(&target, &study.scenario.name, &study.regions.id, k)?;
    }
    // Counted as the work is done: each sample in each target year runs one weather year,
    // or all of them with --all-weather-years.
    let years = study.target_years().count() as u64;
    let weather_runs = if spec.all_weather_years {
        study.weather_years.len() as u64
    } else {
        1
    };
    let bar = progress::bar_of(
        spec.sample_range().len() as u64 * years * weather_runs,
        &format!("sweep {} × {}", study.scenario.name, study.regions.id),
        "runs (sample × year × weather year)",
        args.common.quiet,
    );
    let tick = || bar.inc(weather_runs);
    let done = crate::api::sweep_to_folder(
        &loaded,
        &spec,
        &target,
        (args.force, args.per_sample),
        super::command_line(),
        &tick,
    );
    bar.finish_and_clear();
    let (path, run) = done?;
    if args.common.quiet {
        return Ok(());
    }
    for line in &run.notes {
        note(&format!("note: {line}"));
    }
    if std::io::stderr().is_terminal() {
        note(&format!(
            "sweep {} × {}: {} samples × {} years × {} → {}",
            study.scenario.name,
            study.regions.id,
            spec.samples,
            years,
            if spec.all_weather_years {
                format!("all {} weather years", study.weather_years.len())
            } else {
                "one drawn weather year".to_owned()
            },
            path.display()
        ));
        note(super::headline::bands_headline(&run.result.bands, &study.regions.id).trim_end());
        if args.shard.is_none() {
            note(&format!(
                "report: {}",
                path.join(crate::report::REPORT_HTML).display()
            ));
        }
        Ok(())
    } else {
        print_stdout(&format!("{}\n", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_beyond_what_is_available_is_refused_with_both_figures() {
        let error = check_memory(10_000_000, 570_000_000_000, Some(22_100_000_000))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "10,000,000 samples need about 570 GB (about 57 KB each); 22.1 GB are available"
            ),
            "{error}"
        );
        assert!(check_memory(1000, 57_000_000, Some(22_100_000_000)).is_ok());
        assert!(check_memory(1000, 57_000_000, None).is_ok());
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
