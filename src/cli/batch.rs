//! `gridstrain batch`: every scenario × region set, each unit a complete run folder
//! written through the same staging-then-rename as `run`. A failing unit is recorded in
//! `failures.csv` and the others complete (exit 1 at the end if any failed);
//! `--fail-fast` stops at the first. `--shard K/N` runs every N-th unit from K, into
//! hive partitions `scenario=…/region_set=…/shard=K/`, so N shards (a Slurm array) cover
//! the batch once. Units run one after another, each parallel inside (rayon over target
//! years), which keeps memory at one run's.
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;

use super::run::{DEFAULT_REGIONS, run_loaded};
use super::{CommonArgs, note, resolve_input};
use crate::input::check_id;
use crate::input::study::{StudyFiles, load_study};
use crate::output::RunDir;
use crate::output::replace::{FAILURES_HEADER, join_inside};

/// Arguments of `batch`.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Scenarios: names under scenarios/, paths, or quoted globs ("scenarios/*.toml").
    #[arg(long, num_args = 1.., required = true, value_name = "NAME|PATH|GLOB")]
    pub scenarios: Vec<String>,
    /// Region sets: names under regions/, paths, or quoted globs.
    #[arg(long, num_args = 1.., default_value = DEFAULT_REGIONS, value_name = "NAME|PATH|GLOB")]
    pub regions: Vec<String>,
    /// The years.
    #[command(flatten)]
    pub years: super::YearArgs,
    /// Output directory: one run folder per unit, and failures.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Stop at the first failing unit.
    #[arg(long)]
    pub fail_fast: bool,
    /// Run only shard K of N (K = 0 … N−1): units K, K+N, K+2N, … in
    /// DIR/scenario=S/region_set=R/shard=K/.
    #[arg(long, value_name = "K/N", value_parser = super::sweep::parse_shard_arg)]
    pub shard: Option<(usize, usize)>,
    /// Replace existing unit folders.
    #[arg(long)]
    pub force: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// One input named on the command line: its label (file stem) and where it is, or why
/// it cannot be found (recorded as that unit's failure).
struct Named {
    label: String,
    path: Result<PathBuf, String>,
}

/// Expand names, paths and globs, in the order given (a glob's matches sorted).
fn expand(values: &[String], folder: &str, what: &str, flag: &str) -> Result<Vec<Named>> {
    let mut out = Vec::new();
    for value in values {
        if value.contains(['*', '?', '[']) {
            let paths = glob::glob(value)
                .map_err(|e| anyhow::anyhow!("{flag}: `{value}` is not a valid pattern: {e}"))?;
            let mut matched: Vec<PathBuf> = paths.filter_map(std::result::Result::ok).collect();
            matched.sort();
            if matched.is_empty() {
                bail!("{flag}: `{value}` matches no file; expected {what} .toml files");
            }
            for path in matched {
                out.push(Named {
                    label: stem(&path),
                    path: Ok(path),
                });
            }
        } else {
            let path = resolve_input(value, folder, what).map_err(|e| format!("{e:#}"));
            let label = path
                .as_ref()
                .map_or_else(|_| value.trim_end_matches(".toml").to_owned(), |p| stem(p));
            out.push(Named { label, path });
        }
    }
    Ok(out)
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// A CSV field: escaped against spreadsheet formulas, then quoted when it needs to be.
fn csv_field(text: &str) -> String {
    let text = crate::output::escape_formula(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// The folder of a unit, inside `out`: `SCENARIO__REGIONS`, or the hive partition
/// `scenario=…/region_set=…/shard=K` when sharded. The labels (file stems) must be
/// identifiers ([`check_id`]), so no unit folder is hidden, `..`, or outside `out`.
///
/// # Errors
/// When a label is not an identifier.
fn unit_folder(out: &Path, scenario: &str, regions: &str, shard: Option<usize>) -> Result<PathBuf> {
    for (what, label) in [("scenario", scenario), ("region set", regions)] {
        check_id(label).map_err(|e| {
            anyhow::anyhow!("the {what} file's name gives the unit label '{}', which names its output folder: {e}", crate::input::shorten(label, 80))
        })?;
    }
    match shard {
        None => {
            let folder = join_inside(out, &format!("{scenario}__{regions}"))?;
            crate::output::check_no_links_below(out, &folder)?;
            Ok(folder)
        }
        Some(k) => crate::output::shard_partition(out, scenario, regions, k),
    }
}

/// Run one unit, a panic inside it turned into that unit's error (so one unit cannot
/// stop the batch).
fn run_caught(unit: impl FnOnce() -> Result<PathBuf>) -> Result<PathBuf> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(unit)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        Err(anyhow::anyhow!(
            "internal error (a panic, please report it): {what}"
        ))
    })
}

/// `gridstrain batch`.
///
/// # Errors
/// Bad usage (a pattern matching nothing, malformed years), a `failures.csv` that
/// cannot be written, or — after every unit has been tried — any failed unit.
pub fn handle_batch(args: &BatchArgs) -> Result<()> {
    args.common.init_threads()?;
    let scenarios = expand(&args.scenarios, "scenarios", "scenario", "--scenarios")?;
    let region_sets = expand(&args.regions, "regions", "region set", "--regions")?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("cannot create output folder {}: {e}", args.out.display()))?;
    let units = distinct_units(&scenarios, &region_sets, &args.out)?;
    let mine: Vec<(&Named, &Named)> = units
        .iter()
        .enumerate()
        .filter(|(i, _)| args.shard.is_none_or(|(k, n)| i % n == k))
        .map(|(_, unit)| *unit)
        .collect();
    let mut failures: Vec<(String, String, String)> = Vec::new();
    let mut done = 0;
    for (scenario, regions) in &mine {
        match run_caught(|| run_unit(args, scenario, regions)) {
            Ok(path) => {
                done += 1;
                if !args.common.quiet {
                    note(&format!(
                        "ok {} × {} → {}",
                        scenario.label,
                        regions.label,
                        path.display()
                    ));
                }
            }
            Err(e) => {
                let error = format!("{e:#}");
                if !args.common.quiet {
                    note(&format!(
                        "failed {} × {}: {error}",
                        scenario.label, regions.label
                    ));
                }
                failures.push((scenario.label.clone(), regions.label.clone(), error));
                if args.fail_fast {
                    break;
                }
            }
        }
    }
    let path = write_failures(args, &failures)?;
    // The units side by side (a sharded batch's comparison is `gridstrain report OUT`
    // once every shard is done).
    if args.shard.is_none() && done > 0 {
        crate::report::write_report(&args.out)?;
    }
    if failures.is_empty() {
        if !args.common.quiet {
            note(&format!(
                "{done} unit(s) done → {}; comparison: {}",
                args.out.display(),
                args.out.join(crate::report::REPORT_HTML).display()
            ));
        }
        Ok(())
    } else {
        let skipped = mine.len() - done - failures.len();
        bail!(
            "{} of {} unit(s) failed{}; see {}",
            failures.len(),
            mine.len(),
            if skipped > 0 {
                format!(" ({skipped} not run after --fail-fast)")
            } else {
                String::new()
            },
            path.display()
        )
    }
}

/// Every scenario × region set, each folder once: the same files named twice run once;
/// two files of one name (one folder under `out`) are refused before anything runs.
fn distinct_units<'a>(
    scenarios: &'a [Named],
    region_sets: &'a [Named],
    out: &std::path::Path,
) -> Result<Vec<(&'a Named, &'a Named)>> {
    let describe = |n: &Named| match &n.path {
        Ok(p) => std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
        Err(_) => n.label.clone(),
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut units = Vec::new();
    for scenario in scenarios {
        for regions in region_sets {
            let key = format!("{}__{}", scenario.label, regions.label);
            let what = format!("{} × {}", describe(scenario), describe(regions));
            match seen.iter().find(|(k, _)| *k == key) {
                Some((_, earlier)) if *earlier == what => {}
                Some((_, earlier)) => bail!(
                    "two units would write the same folder {}: {earlier} and {what}; give the files different names",
                    out.join(&key).display()
                ),
                None => {
                    seen.push((key, what));
                    units.push((scenario, regions));
                }
            }
        }
    }
    Ok(units)
}

/// One unit: its study loaded and run into its folder. Returns the folder.
fn run_unit(args: &BatchArgs, scenario: &Named, regions: &Named) -> Result<PathBuf> {
    let target = unit_folder(
        &args.out,
        &scenario.label,
        &regions.label,
        args.shard.map(|(k, _)| k),
    )?;
    let loaded = load_study(&StudyFiles {
        scenario: scenario.path.clone().map_err(anyhow::Error::msg)?,
        regions: regions.path.clone().map_err(anyhow::Error::msg)?,
        years: args.years.years,
        weather_years: args.years.weather_year_list(),
        catalogue_ids: Vec::new(),
    })?;
    Ok(run_loaded(&loaded, &target, args.force, false, args.common.quiet)?.0)
}

/// `failures.csv` (one per shard when sharded, so shards never write the same file): a
/// row per failed unit, written even when none failed. Returns its path.
fn write_failures(args: &BatchArgs, failures: &[(String, String, String)]) -> Result<PathBuf> {
    let name = match args.shard {
        None => "failures.csv".to_owned(),
        Some((k, _)) => format!("failures_shard={k}.csv"),
    };
    let path = join_inside(&args.out, &name)?;
    let files = RunDir::create_files(std::slice::from_ref(&path), true)?;
    let mut text = format!("{FAILURES_HEADER}\n");
    for (scenario, regions, error) in failures {
        text.push_str(&format!(
            "{},{},{}\n",
            csv_field(scenario),
            csv_field(regions),
            csv_field(error)
        ));
    }
    std::fs::write(files.staged(&path), text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    files.commit()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_unit_becomes_its_error() {
        let message = run_caught(|| panic!("boom {}", 7)).unwrap_err().to_string();
        assert!(
            message.contains("boom 7") && message.contains("panic"),
            "{message}"
        );
        assert_eq!(
            run_caught(|| Ok(PathBuf::from("x"))).unwrap(),
            PathBuf::from("x")
        );
    }

    #[test]
    fn unit_folders_stay_inside_the_output_folder() {
        let out = Path::new("/o");
        assert_eq!(
            unit_folder(out, "low", "us-22", None).unwrap(),
            out.join("low__us-22")
        );
        assert_eq!(
            unit_folder(out, "low", "us-22", Some(3)).unwrap(),
            out.join("scenario=low/region_set=us-22/shard=3")
        );
        for label in [
            ".",
            "..",
            "../x",
            "a/b",
            "=cmd",
            "+1",
            "-x",
            "@x",
            &"a".repeat(300),
        ] {
            for (s, r) in [(label, "us-22"), ("low", label)] {
                let message = unit_folder(out, s, r, None).unwrap_err().to_string();
                assert!(message.contains("unit label"), "{label}: {message}");
            }
        }
    }

    #[test]
    fn failure_fields_are_escaped_and_quoted() {
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@x, y"), "\"'@x, y\"");
        assert_eq!(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(csv_field("-3"), "-3");
    }
}
