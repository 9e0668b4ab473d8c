//! `gridstrain validate [PATH…]`: check region sets, scenarios, profiles and load files
//! without running anything (exit 1 if any problem). Every file is checked; per file, the
//! reader's first problem (a TOML syntax or type error stops serde), then every value out
//! of its range and every file named but missing; then the rules between files. With no
//! paths it checks everything shipped under scenarios/, regions/ and profiles/.
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;

use super::note;
use crate::input::load_file::read_load_file;
use crate::input::profile::{read_profile, read_pue_profile};
use crate::input::region_set::read_region_set;
use crate::input::scenario::read_scenario;
use crate::input::{format_capped, read_text};

/// Arguments of `validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Files to check (.toml region sets, scenarios, profiles; .csv/.parquet load files).
    /// Scenarios given together with region sets are also checked against them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// What kind of input a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `regions/*.toml`.
    RegionSet,
    /// `regions/catalogue.toml`: the national catalogue.
    Catalogue,
    /// `scenarios/*.toml`.
    Scenario,
    /// `profiles/*.toml`.
    Profile,
    /// `profiles/pue-*.toml`: the overhead by month and hour.
    PueProfile,
    /// Hourly load (.csv or .parquet).
    Load,
}

/// Guess a file's kind from its extension and top-level keys.
///
/// # Errors
/// An unreadable file or one that is none of the kinds.
pub fn detect_kind(path: &Path) -> Result<InputKind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "parquet" => return Ok(InputKind::Load),
        "toml" => {}
        _ => bail!(
            "{}: unknown input type '.{ext}'; expected .toml (region set, scenario, profile), .csv or .parquet (load)",
            path.display()
        ),
    }
    let text = read_text(path)?;
    let table: toml::Table = crate::input::parse_toml(&text, path)?;
    if table.contains_key("outside_population") {
        Ok(InputKind::Catalogue)
    } else if table.contains_key("region")
        || table.contains_key("regions")
        || table.contains_key("scope_population")
    {
        Ok(InputKind::RegionSet)
    } else if table.contains_key("compute") || table.contains_key("first_year") {
        Ok(InputKind::Scenario)
    } else if table.contains_key("hour_of_week_factors") {
        Ok(InputKind::Profile)
    } else if table.contains_key("month_factors") || table.contains_key("hour_factors") {
        Ok(InputKind::PueProfile)
    } else {
        bail!(
            "{}: cannot tell what this file is; a region set has [[region]] tables or `regions = [...]`, a scenario a [compute] table, a profile `hour_of_week_factors`, a PUE profile `month_factors` and `hour_factors`",
            path.display()
        )
    }
}

/// The problem of each region's load file that does not read, in order.
fn load_problems(regions: &[crate::model::region::Region]) -> Vec<String> {
    let paths: Vec<&Path> = regions.iter().map(|r| r.load_path.as_path()).collect();
    crate::input::load_file::read_load_files(&paths)
        .into_iter()
        .filter_map(|read| read.err().map(|e| format!("{e:#}")))
        .collect()
}

/// Check one file; region sets also check every load file they name.
///
/// # Errors
/// The problems found, one per line.
pub fn validate_file(path: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let kind = match detect_kind(path) {
        Ok(kind) => kind,
        Err(e) => return Ok(vec![format!("{e:#}")]),
    };
    let outcome = match kind {
        // Every load file of the set, read together (one reader process per worker).
        InputKind::RegionSet => read_region_set(path).map(|set| {
            problems.extend(load_problems(&set.regions));
        }),
        InputKind::Catalogue => crate::input::catalogue::read_catalogue(path).map(|catalogue| {
            problems.extend(load_problems(&catalogue.regions));
        }),
        InputKind::Scenario => read_scenario(path).and_then(|(s, _)| {
            if let Some(pue_profile) = &s.pue_profile_path {
                read_pue_profile(pue_profile)?;
            }
            for (name, workload) in [("inference", &s.inference), ("training", &s.training)] {
                let profile = read_profile(&workload.profile_path)?;
                // Without a region set, the week's ratio (a year's differs by < 0.2 %).
                let ratio = profile.peak_to_mean_ratio();
                if ratio * workload.power_frac > 1.0 + 1e-9 {
                    bail!(
                        "{}, key `{name}.power_frac`: found {}, but profile `{}` peaks at {ratio:.4} × its mean, so the fleet would draw {:.4} × its rated power; expected power_frac ≤ {:.4} (peak-to-mean × power_frac ≤ 1), or a flatter profile",
                        path.display(),
                        workload.power_frac,
                        profile.name,
                        ratio * workload.power_frac,
                        1.0 / ratio
                    );
                }
            }
            Ok(())
        }),
        InputKind::Profile => read_profile(path).map(|_| ()),
        InputKind::PueProfile => read_pue_profile(path).map(|_| ()),
        InputKind::Load => read_load_file(path).map(|_| ()),
    };
    if let Err(e) = outcome {
        // The reader stops at the first problem; list every other one the file's
        // structure lets us find (values out of range, missing files), without the first
        // twice.
        let first = format!("{e:#}");
        let more = if kind == InputKind::Load {
            Vec::new()
        } else {
            further_problems(path)
        };
        let more: Vec<String> = more
            .into_iter()
            .filter(|p| !same_problem(p, &first))
            .collect();
        problems.push(first);
        problems.extend(more);
    }
    Ok(problems)
}

/// Every value out of range ([`crate::input::ranges::scan`]) and every file named but
/// missing in a TOML input that the reader refused; empty when it is not TOML.
fn further_problems(path: &Path) -> Vec<String> {
    let Ok(text) = read_text(path) else {
        return Vec::new();
    };
    let mut problems = crate::input::ranges::scan(&text, path);
    if let Ok(table) = text.parse::<toml::Table>() {
        missing_files(&table, "", path, &text, &mut problems);
    }
    problems
}

/// Keys that name another input file, relative to the file that names them.
const FILE_KEYS: [&str; 3] = ["profile", "load_file", "operator_forecasts"];

fn missing_files(
    table: &toml::Table,
    prefix: &str,
    path: &Path,
    text: &str,
    out: &mut Vec<String>,
) {
    for (key, value) in table {
        let key_path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(name) if FILE_KEYS.contains(&key.as_str()) => {
                let target = crate::input::resolve_beside(path, Path::new(name));
                if !target.is_file() {
                    let line = text
                        .lines()
                        .position(|l| l.contains(key.as_str()) && l.contains(name.as_str()))
                        .map_or(String::new(), |i| format!(", line {}", i + 1));
                    out.push(format!(
                        "{}{line} (key `{key_path}`): the file {} does not exist (paths are relative to the file that names them)",
                        path.display(),
                        target.display()
                    ));
                }
            }
            toml::Value::Table(inner) => missing_files(inner, &key_path, path, text, out),
            toml::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let toml::Value::Table(inner) = item {
                        missing_files(inner, &format!("{key_path}[{index}]"), path, text, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether two messages report one problem: the same line and the same finding (the
/// reader and [`further_problems`] name the key differently).
fn same_problem(listed: &str, first: &str) -> bool {
    let line = |m: &str| {
        m.split_once(", line ").map(|(_, rest)| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
    };
    let finding = |m: &str| {
        let head = m.lines().next().unwrap_or("");
        head.split_once("): ").map(|(_, f)| f.to_owned())
    };
    let same_line = line(listed).is_some() && line(listed) == line(first);
    let missing = listed.contains("does not exist") && first.contains("does not exist");
    same_line && (missing || finding(listed) == finding(first))
}

fn shipped_inputs() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for folder in ["regions", "scenarios", "profiles"] {
        for name in super::available_names(folder) {
            if let Ok(path) = super::resolve_input(&name, folder, folder) {
                paths.push(path);
            }
        }
    }
    paths
}

/// Rules between files: every valid scenario given against every valid region set given
/// (same scope, explicit shares naming regions of the set, prices for `cheapest`).
fn cross_file_problems(paths: &[PathBuf]) -> Vec<String> {
    let kind_of = |p: &PathBuf| detect_kind(p).ok();
    // Only files that pass on their own are paired.
    let scenarios: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| kind_of(p) == Some(InputKind::Scenario))
        .filter(|p| read_scenario(p).is_ok())
        .collect();
    let sets: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| kind_of(p) == Some(InputKind::RegionSet))
        .filter(|p| read_region_set(p).is_ok())
        .collect();
    let mut problems = Vec::new();
    for scenario_path in &scenarios {
        for set_path in &sets {
            // Checked as `run` checks them (a set sited on the national catalogue takes
            // the scope's population from it, which the set's own file does not hold).
            if let Err(e) = study_runs(scenario_path, set_path) {
                problems.push(format!("{e:#}"));
            }
        }
    }
    problems
}

/// What `run` checks before it simulates, for a scenario and region set that pass on
/// their own: the study is read as `run` reads it (default years and weather years) and
/// every region prepared (full years of load, the weather and reference years inside
/// its data), so nothing that validates fails on `run` for a reason these files show.
fn study_runs(scenario: &Path, regions: &Path) -> Result<()> {
    let loaded = crate::input::study::load_study(&crate::input::study::StudyFiles {
        scenario: scenario.to_path_buf(),
        regions: regions.to_path_buf(),
        catalogue_ids: Vec::new(),
        years: None,
        weather_years: Vec::new(),
    })?;
    crate::simulation::prepare_regions(&loaded.study)?;
    crate::simulation::prepare_nation(&loaded.study)?;
    Ok(())
}

/// `gridstrain validate`.
///
/// # Errors
/// When any problem is found (after printing all of them, capped).
pub fn handle_validate(args: &ValidateArgs) -> Result<()> {
    let paths = if args.paths.is_empty() {
        shipped_inputs()
    } else {
        args.paths.clone()
    };
    if paths.is_empty() {
        bail!(
            "nothing to validate: give paths, or run from a folder with regions/, scenarios/ and profiles/"
        );
    }
    let mut problems = Vec::new();
    for path in &paths {
        problems.extend(validate_file(path)?);
    }
    if args.paths.is_empty() {
        // The shipped scenarios are checked against the shipped BA sets (a utility's
        // scenario names its BA, which a zone set need not hold).
        let pairs: Vec<PathBuf> = paths
            .iter()
            .filter(|p| {
                detect_kind(p).ok() != Some(InputKind::RegionSet)
                    || p.file_stem().is_some_and(|s| s == "us-48" || s == "us-22")
            })
            .cloned()
            .collect();
        problems.extend(cross_file_problems(&pairs));
    } else {
        problems.extend(cross_file_problems(&paths));
    }
    if problems.is_empty() {
        note(&format!("{} file(s) checked, no problems", paths.len()));
        return Ok(());
    }
    const CAP: usize = 50;
    for p in problems.iter().take(CAP) {
        note(p);
    }
    if problems.len() > CAP {
        note(&format!("… and {} more", problems.len() - CAP));
    }
    bail!(
        "{} problem(s) in {} file(s): {}",
        problems.len(),
        paths.len(),
        format_capped(
            &paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        )
    )
}
