//! The comparison report of a batch folder: every run or sweep below it (its unit
//! folders, or the hive partitions of a sharded batch) side by side on the key outputs
//! of `ranges.csv`, each linked to its own report.
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::charts::{self, BLUE, RED, Series};
use super::{Chart, Ranges, Report, TextTable, one};
use crate::output::record::RunRecordFile;

/// How deep below the batch folder units are looked for (`scenario=…/region_set=…/shard=K`).
const MAX_DEPTH: usize = 3;

/// A run or sweep folder below the batch folder.
struct Unit {
    /// Relative to the batch folder, with `/` between parts.
    label: String,
    record: RunRecordFile,
    ranges: Ranges,
    sweep: bool,
}

impl Unit {
    fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.ranges.rows.iter().map(|r| r.year).collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// "12.3 (6.8–20.0)": the central value (or the median) with its band.
    fn cell(&self, year: i32, metric: &str, divide: f64) -> String {
        self.ranges.cell(year, metric, divide)
    }

    fn value(&self, year: i32, metric: &str) -> f64 {
        self.ranges.get(year, metric).map_or(f64::NAN, |r| {
            if r.central.is_finite() {
                r.central
            } else {
                r.p50
            }
        })
    }
}

/// The run and sweep folders below `dir` (hidden and staging folders skipped), sorted.
fn find_units(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut folders: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        folders.sort();
        for folder in folders {
            let is_unit = folder.join(crate::output::RUN_FILE_NAME).is_file()
                && (folder.join("metrics.parquet").is_file()
                    || folder.join("bands.parquet").is_file());
            if is_unit {
                out.push(folder);
            } else if depth < MAX_DEPTH {
                walk(&folder, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, 1, &mut out);
    out
}

/// The key outputs compared: (metric, column title, divide; 0 = energy → average GW).
const COMPARED: [(&str, &str, f64); 5] = [
    ("ai_energy_mwh", "AI load, average (GW)", 0.0),
    (
        "coincident_peak_increase_mw",
        "combined peak increase (GW)",
        1e3,
    ),
    (
        "firm_capacity_needed_sum_mw",
        "firm capacity needed (GW)",
        1e3,
    ),
    ("firm_capacity_cost_usd", "overnight capital (bn USD)", 1e9),
    ("ai_co2_t", "CO2 of the new AI load (Mt a year)", 1e6),
];

/// Build the comparison report of a batch folder.
pub(super) fn batch_report(dir: &Path) -> Result<Report> {
    let units = read_units(dir)?;
    // The years every unit holds; the comparison speaks of 2030 when they all hold it
    // (the year forecasts place the crossover), else of their last common year.
    let mut common = units[0].years();
    for unit in &units[1..] {
        let years = unit.years();
        common.retain(|y| years.contains(y));
    }
    let year = if common.contains(&2030) {
        Some(2030)
    } else {
        common.last().copied()
    };
    let mut summary = Vec::new();
    let mut tables = Vec::new();
    let mut charts_out = Vec::new();
    match year {
        Some(year) => {
            summary = comparison_summary(&units, year);
            tables.push(comparison_table(&units, year));
            if let Some(&last) = common.last().filter(|l| **l != year) {
                tables.push(comparison_table(&units, last));
            }
            charts_out.push(comparison_chart(&units, year));
        }
        None => summary.push(
            "The units share no year with key outputs (ranges.csv): nothing to compare side by side; each unit's own report is linked below.".to_owned(),
        ),
    }
    tables.push(units_table(&units));
    Ok(Report {
        title: format!(
            "New AI data centres on the grid: {} studies side by side",
            units.len()
        ),
        subtitle: format!(
            "Scenarios {} over region sets {}.",
            list_unique(units.iter().map(|u| u.record.scenario.name.clone())),
            list_unique(units.iter().map(|u| u.record.region_set.name.clone()))
        ),
        meta: batch_meta(&units, dir),
        summary,
        summary_note: "Each figure is its unit's central case (a sweep's median when it has none) for its own region set, mean over weather years; the range in the tables is that unit's 5th–95th percentile. Region sets differ in coverage: compare units of one set across scenarios, or one scenario across sets knowing what each set holds.".to_owned(),
        findings: Vec::new(),
        tables,
        charts: charts_out,
        glossary: super::GLOSSARY.to_vec(),
        methods: super::METHODS.iter().map(|s| (*s).to_owned()).collect(),
        appendix: Vec::new(),
    })
}

/// Every run or sweep folder below `dir`, read (at least one).
fn read_units(dir: &Path) -> Result<Vec<Unit>> {
    let mut units = Vec::new();
    for folder in find_units(dir) {
        let record = RunRecordFile::read(&folder)?;
        let label = folder
            .strip_prefix(dir)
            .unwrap_or(&folder)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        units.push(Unit {
            label,
            ranges: Ranges::read(&folder)?,
            sweep: folder.join("bands.parquet").is_file(),
            record,
        });
    }
    if units.is_empty() {
        bail!(
            "{}: not a run, sweep or batch folder (no metrics.parquet or bands.parquet in it or in the folders below it)",
            dir.display()
        );
    }
    Ok(units)
}

/// The summary: for each of the first compared outputs, its lowest and highest unit in
/// `year` (the region set named only when the units differ in it).
fn comparison_summary(units: &[Unit], year: i32) -> Vec<String> {
    let one_set = units
        .iter()
        .all(|u| u.record.region_set.id == units[0].record.region_set.id);
    let describe = |unit: &Unit| {
        if one_set {
            format!("“{}”", unit.record.scenario.name)
        } else {
            format!(
                "“{}” on {}",
                unit.record.scenario.name, unit.record.region_set.name
            )
        }
    };
    let mut summary = Vec::new();
    for (metric, words, divide) in COMPARED.iter().take(4) {
        let d = divisor(*divide, year);
        let mut values: Vec<(f64, &Unit)> = units
            .iter()
            .map(|u| (u.value(year, metric) / d, u))
            .filter(|(v, _)| v.is_finite())
            .collect();
        values.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let (Some(low), Some(high)) = (values.first(), values.last()) {
            summary.push(if values.len() == 1 {
                format!("{year}, {words}: {} in {}.", one(low.0), describe(low.1))
            } else {
                format!(
                    "{year}, {words}: from {} in {} to {} in {}.",
                    one(low.0),
                    describe(low.1),
                    one(high.0),
                    describe(high.1)
                )
            });
        }
    }
    summary
}

/// The units and links to their own reports.
fn units_table(units: &[Unit]) -> TextTable {
    (
        "The units and their own reports".to_owned(),
        [
            "unit folder",
            "kind",
            "scenario",
            "region set",
            "run on",
            "report",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        units
            .iter()
            .map(|u| {
                vec![
                    u.label.clone(),
                    if u.sweep { "sweep" } else { "run" }.to_owned(),
                    u.record.scenario.name.clone(),
                    u.record.region_set.name.clone(),
                    u.record
                        .run_on
                        .clone()
                        .unwrap_or_else(|| "not recorded".to_owned()),
                    format!("{}/{}", u.label, super::REPORT_HTML),
                ]
            })
            .collect(),
    )
}

/// The line under the title: when the units were run, by which versions, from where.
fn batch_meta(units: &[Unit], dir: &Path) -> String {
    let mut versions: Vec<String> = units.iter().map(|u| u.record.version.clone()).collect();
    versions.sort();
    versions.dedup();
    let mut dates: Vec<&str> = units
        .iter()
        .filter_map(|u| u.record.run_on.as_deref())
        .collect();
    dates.sort_unstable();
    format!(
        "Runs made {} with gridstrain {}; compared from the folder {} by `gridstrain report`.",
        match (dates.first(), dates.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
            (Some(a), _) => format!("on {a}"),
            _ => "(dates not recorded)".to_owned(),
        },
        if versions.is_empty() {
            "(version not recorded)".to_owned()
        } else {
            versions.join(", ")
        },
        dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        )
    )
}

fn divisor(divide: f64, year: i32) -> f64 {
    if divide == 0.0 {
        crate::time::hours_in_year(year) as f64 * 1000.0
    } else {
        divide
    }
}

fn list_unique(items: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.iter()
        .map(|s| format!("“{s}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn comparison_table(units: &[Unit], year: i32) -> TextTable {
    (
        format!("Key outputs in {year}, unit by unit (central case; range in brackets)"),
        ["scenario", "region set"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain(COMPARED.iter().map(|(_, words, _)| (*words).to_owned()))
            .collect(),
        units
            .iter()
            .map(|u| {
                [
                    u.record.scenario.name.clone(),
                    u.record.region_set.name.clone(),
                ]
                .into_iter()
                .chain(
                    COMPARED
                        .iter()
                        .map(|(metric, _, divide)| u.cell(year, metric, divisor(*divide, year))),
                )
                .collect()
            })
            .collect(),
    )
}

fn comparison_chart(units: &[Unit], year: i32) -> Chart {
    let labels: Vec<String> = units
        .iter()
        .map(|u| {
            let label = format!(
                "{} · {}",
                u.record.scenario.name.clone(),
                u.record.region_set.id.clone()
            );
            if label.chars().count() > 44 {
                format!("{}…", label.chars().take(43).collect::<String>())
            } else {
                label
            }
        })
        .collect();
    let peak: Vec<f64> = units
        .iter()
        .map(|u| u.value(year, "coincident_peak_increase_mw") / 1e3)
        .collect();
    let firm: Vec<f64> = units
        .iter()
        .map(|u| u.value(year, "firm_capacity_needed_sum_mw") / 1e3)
        .collect();
    let title = format!("Combined peak increase and firm capacity needed, {year}, unit by unit");
    Chart {
        id: "comparison",
        svg: charts::bars(
            &title,
            &format!(
                "For each scenario and region set of the batch: how much the new load raises the regions' combined peak in {year}, and the firm capacity it needs beyond planned resources, GW (central case)."
            ),
            &labels,
            &[
                Series {
                    name: "combined peak increase",
                    color: RED,
                    values: peak.clone(),
                },
                Series {
                    name: "firm capacity needed",
                    color: BLUE,
                    values: firm.clone(),
                },
            ],
            "GW",
        ),
        title,
        header: vec![
            "unit".into(),
            "combined peak increase (GW)".into(),
            "firm capacity needed (GW)".into(),
        ],
        rows: units
            .iter()
            .zip(peak.iter().zip(&firm))
            .map(|(u, (p, f))| vec![u.label.clone(), one(*p), one(*f)])
            .collect(),
        caption: "From each unit's ranges.csv.".to_owned(),
    }
}
