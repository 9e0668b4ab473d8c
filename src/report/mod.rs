//! The policymaker's report: `report.html` (one self-contained file: inline SVG charts,
//! inline styles, a Content-Security-Policy of `default-src 'none'`) and `report.md` with
//! the same content and its charts as SVG files in `report_charts/`. Written by `run` and
//! `sweep`, and by `gridstrain report RUN_DIR` for an existing run folder.
//!
//! The report is rendered **only from the run folder's files** (the tables, `run.toml`
//! and `report_data.parquet`), never from memory, so `gridstrain report` on a copy of a
//! run writes the same bytes as the run did. Every number in the text is read from those
//! tables; nothing holds a clock time.
pub mod charts;
pub mod data;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use self::charts::{BLUE, Band, GREEN, GREY, ORANGE, PURPLE, RED, SKY, Series};

/// The HTML report.
pub const REPORT_HTML: &str = "report.html";
/// The Markdown report.
pub const REPORT_MD: &str = "report.md";
/// The Markdown report's charts.
pub const CHARTS_DIR: &str = "report_charts";
/// What a run's report draws beyond its tables.
pub const REPORT_DATA: &str = "report_data.parquet";

/// One chart with its text alternative and its table equivalent.
struct Chart {
    /// File stem (`report_charts/<id>.svg`) and HTML id.
    id: &'static str,
    title: String,
    svg: String,
    /// Table equivalent: header and rows.
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// One sentence under the chart.
    caption: String,
}

/// The report's content, independent of its format.
struct Report {
    title: String,
    subtitle: String,
    findings: Vec<String>,
    /// A table in the text (title, header, rows).
    tables: Vec<(String, Vec<String>, Vec<Vec<String>>)>,
    charts: Vec<Chart>,
    methods: Vec<String>,
}

// ---------------------------------------------------------------- reading the run

/// A table of the run folder: a regular file of at most
/// [`RUN_TABLE_LIMIT`](crate::input::bounded::RUN_TABLE_LIMIT), bounds-checked before
/// polars reads it.
fn read_parquet(path: &Path) -> Result<DataFrame> {
    let frame = crate::input::load_file::read_guarded_parquet(
        path,
        crate::input::bounded::RUN_TABLE_LIMIT,
        crate::input::load_file::MAX_LOAD_ROWS,
        "expected a table written by gridstrain",
    )?;
    // gridstrain writes only finite numbers (an unknown is an empty cell): anything else
    // was changed after the run, and would reach the report as "NaN GW".
    for column in frame.columns() {
        if !column.dtype().is_primitive_numeric() {
            continue;
        }
        let values = column.cast(&DataType::Float64)?;
        if let Some((row, value)) = values
            .f64()?
            .iter()
            .enumerate()
            .find_map(|(row, v)| v.filter(|x| !x.is_finite()).map(|x| (row, x)))
        {
            bail!(
                "{}, column `{}`, row {}: found {value}, expected a finite number or an empty cell (gridstrain writes no other; was the file changed after the run?)",
                path.display(),
                column.name(),
                row + 1
            );
        }
    }
    Ok(frame)
}

/// A CSV table of the run folder (a regular file of at most the same limit).
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let text =
        crate::input::bounded::read_text_limited(path, crate::input::bounded::RUN_TABLE_LIMIT)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("cannot read {}", path.display()))?;
    for (line, row) in rows.iter().enumerate() {
        if let Some(cell) = row
            .iter()
            .find(|cell| cell.parse::<f64>().is_ok_and(|x| !x.is_finite()))
        {
            bail!(
                "{}, line {}: found {}, expected a finite number or an empty cell (gridstrain writes no other; was the file changed after the run?)",
                path.display(),
                line + 2,
                crate::input::excerpt(cell)
            );
        }
    }
    Ok((header, rows))
}

/// A table read from a run folder, with typed column access.
struct Table {
    name: String,
    columns: BTreeMap<String, Vec<String>>,
    numbers: BTreeMap<String, Vec<f64>>,
    height: usize,
}

impl Table {
    fn from_frame(name: &str, frame: &DataFrame) -> Result<Self> {
        let mut columns = BTreeMap::new();
        let mut numbers = BTreeMap::new();
        for column in frame.columns() {
            let key = column.name().to_string();
            match column.dtype() {
                DataType::String => {
                    columns.insert(
                        key,
                        column
                            .str()?
                            .iter()
                            .map(|v| v.unwrap_or("").to_owned())
                            .collect(),
                    );
                }
                _ => {
                    let values = column.cast(&DataType::Float64)?;
                    numbers.insert(
                        key,
                        values
                            .f64()?
                            .iter()
                            .map(|v| v.unwrap_or(f64::NAN))
                            .collect(),
                    );
                }
            }
        }
        Ok(Self {
            name: name.to_owned(),
            columns,
            numbers,
            height: frame.height(),
        })
    }

    fn from_csv(name: &str, (header, rows): (Vec<String>, Vec<Vec<String>>)) -> Self {
        let mut columns = BTreeMap::new();
        let mut numbers = BTreeMap::new();
        for (i, key) in header.iter().enumerate() {
            let text: Vec<String> = rows
                .iter()
                .map(|r| r.get(i).cloned().unwrap_or_default())
                .collect();
            let parsed: Vec<Option<f64>> = text
                .iter()
                .map(|v| {
                    if v.is_empty() {
                        Some(f64::NAN)
                    } else {
                        v.parse().ok()
                    }
                })
                .collect();
            if parsed.iter().all(Option::is_some) {
                numbers.insert(
                    key.clone(),
                    parsed.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
                );
            }
            columns.insert(key.clone(), text);
        }
        Self {
            name: name.to_owned(),
            columns,
            numbers,
            height: rows.len(),
        }
    }

    fn num(&self, column: &str) -> Result<&[f64]> {
        self.numbers
            .get(column)
            .map(Vec::as_slice)
            .ok_or_else(|| anyhow::anyhow!("{}: no numeric column `{column}`", self.name))
    }

    fn text(&self, column: &str) -> Result<&[String]> {
        self.columns
            .get(column)
            .map(Vec::as_slice)
            .ok_or_else(|| anyhow::anyhow!("{}: no text column `{column}`", self.name))
    }
}

// ---------------------------------------------------------------- numbers in words

fn one(v: f64) -> String {
    format!("{v:.1}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Mean over weather years of `column` per (region, year), keyed in table order.
fn mean_by_region_year(metrics: &Table, column: &str) -> Result<Vec<((String, i32), f64)>> {
    let regions = metrics.text("region")?;
    let years = metrics.num("year")?;
    let values = metrics.num(column)?;
    let mut out: Vec<((String, i32), (f64, usize))> = Vec::new();
    for i in 0..metrics.height {
        let key = (regions[i].clone(), years[i] as i32);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, (sum, n))) => {
                *sum += values[i];
                *n += 1;
            }
            None => out.push((key, (values[i], 1))),
        }
    }
    Ok(out
        .into_iter()
        .map(|(k, (s, n))| (k, s / n as f64))
        .collect())
}

/// Mean over weather years of a region-set column per year, over the rows of the set
/// itself (not the ISO aggregates of a zone set).
fn set_mean_by_year(sets: &Table, column: &str, set_id: &str) -> Result<BTreeMap<i32, f64>> {
    let years = sets.num("year")?;
    let values = sets.num(column)?;
    let names = sets.text("region_set")?;
    let mut sums: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    for ((y, v), name) in years.iter().zip(values).zip(names) {
        if name != set_id {
            continue;
        }
        let e = sums.entry(*y as i32).or_insert((0.0, 0));
        e.0 += v;
        e.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(y, (s, n))| (y, s / n as f64))
        .collect())
}

/// The most strained regions of `year` from the metrics table (see
/// [`crate::results::rank_strained`]).
fn most_strained(metrics: &Table, year: i32, count: usize) -> Result<Vec<(String, i32, f64)>> {
    let regions = metrics.text("region")?;
    let years = metrics.num("year")?;
    let weather = metrics.num("weather_year")?;
    let residual = metrics.num("residual_above_threshold_mw")?;
    Ok(crate::results::rank_strained(
        (0..metrics.height)
            .filter(|&i| years[i] as i32 == year)
            .map(|i| (regions[i].as_str(), weather[i] as i32, residual[i])),
        count,
    ))
}

// ---------------------------------------------------------------- the run's report

/// Build the report of a `run` folder from its files.
#[allow(clippy::too_many_lines)]
fn run_report(dir: &Path) -> Result<Report> {
    let record_text = crate::input::read_text(&dir.join(crate::output::RUN_FILE_NAME))?;
    let record: toml::Table =
        crate::input::parse_toml(&record_text, &dir.join(crate::output::RUN_FILE_NAME))?;
    let scenario_name = record
        .get("scenario")
        .and_then(|s| s.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or("scenario")
        .to_owned();
    let description = record
        .get("scenario")
        .and_then(|s| s.get("description"))
        .and_then(toml::Value::as_str)
        .unwrap_or("")
        .to_owned();
    let set_id = record
        .get("region_set")
        .and_then(|s| s.get("id"))
        .and_then(toml::Value::as_str)
        .unwrap_or("regions")
        .to_owned();
    // The first screen speaks in words: the set's name, the program's version and the
    // input files by name (not the machine's paths).
    let set_name = record
        .get("region_set")
        .and_then(|s| s.get("name"))
        .and_then(toml::Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or(&set_id)
        .to_owned();
    let version = record
        .get("version")
        .and_then(toml::Value::as_str)
        .unwrap_or("(version not recorded)")
        .to_owned();
    let file_name = |key: &str| {
        record
            .get(key)
            .and_then(toml::Value::as_str)
            .and_then(|p| Path::new(p).file_name())
            .map(|n| n.to_string_lossy().into_owned())
    };
    let inputs = [file_name("scenario_file"), file_name("regions_file")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ");
    let metrics = Table::from_frame(
        "metrics.parquet",
        &read_parquet(&dir.join("metrics.parquet"))?,
    )?;
    let sets = Table::from_frame(
        "regionset_metrics.parquet",
        &read_parquet(&dir.join("regionset_metrics.parquet"))?,
    )?;
    let power = Table::from_csv(
        "power_by_year.csv",
        read_csv(&dir.join(crate::output::POWER_FILE_NAME))?,
    );
    let reality = Table::from_csv(
        "reality_check.csv",
        read_csv(&dir.join(crate::output::REALITY_CHECK_FILE_NAME))?,
    );
    let extra = Table::from_frame(REPORT_DATA, &read_parquet(&dir.join(REPORT_DATA))?)?;
    let weather_years = record
        .get("weather_years")
        .and_then(toml::Value::as_array)
        .map_or(0, Vec::len);

    let years: Vec<i32> = power.num("year")?.iter().map(|y| *y as i32).collect();
    let (first, last) = (
        *years.first().context("power_by_year.csv is empty")?,
        *years.last().context("power_by_year.csv is empty")?,
    );
    let share = power
        .num("inference_share_accelerator_hours_frac")
        .ok()
        .filter(|v| v.iter().all(|x| x.is_finite()))
        .map_or_else(|| power.num("inference_share_facility_energy_frac"), Ok)?;
    let crossover = years
        .iter()
        .zip(share)
        .find(|(_, s)| **s >= 0.5)
        .map(|(y, _)| *y);
    let extra_years = extra.num("year")?;
    let report_year = extra_years
        .first()
        .map(|y| *y as i32)
        .or(crossover)
        .unwrap_or(last);
    // The run's milestone years (the scenario's own, or the years a study of regional
    // loads names); a run folder without them: first, crossover, last.
    let recorded: Vec<i32> = record
        .get("milestone_years")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(toml::Value::as_integer)
                .filter_map(|y| i32::try_from(y).ok())
                .filter(|y| years.contains(y))
                .collect()
        })
        .unwrap_or_default();
    let mut milestones = vec![first];
    if let Some(c) = crossover.filter(|c| *c != first && *c != last) {
        milestones.push(c);
    }
    if last != first {
        milestones.push(last);
    }
    if !recorded.is_empty() {
        milestones = recorded;
    }
    let at = |values: &[f64], year: i32| -> f64 {
        years
            .iter()
            .position(|y| *y == year)
            .map_or(f64::NAN, |i| values[i])
    };
    let training_mw = power.num("training_average_mw")?;
    let inference_mw = power.num("inference_average_mw")?;
    let new_ai = mean_by_region_year(&metrics, "new_ai_energy_mwh")?;
    let new_non_ai = mean_by_region_year(&metrics, "new_non_ai_energy_mwh")?;
    let hours = mean_by_region_year(&metrics, "hours")?;
    let peak_increase = mean_by_region_year(&metrics, "peak_increase_mw")?;
    let curtailed = mean_by_region_year(&metrics, "training_curtailed_mwh")?;
    let new_training = mean_by_region_year(&metrics, "new_training_energy_mwh")?;
    let sum_year = |values: &[((String, i32), f64)], year: i32| -> f64 {
        values
            .iter()
            .filter(|((_, y), _)| *y == year)
            .map(|(_, v)| v)
            .sum()
    };
    let co2 = set_mean_by_year(&sets, "ai_co2_t", &set_id)?;
    let without_co2_rate =
        set_mean_by_year(&sets, "regions_without_co2_rate", &set_id).unwrap_or_default();
    let cost = set_mean_by_year(&sets, "firm_capacity_cost_usd", &set_id)?;
    let firm = set_mean_by_year(&sets, "firm_capacity_needed_sum_mw", &set_id)?;
    let annual = set_mean_by_year(&sets, "firm_capacity_annual_cost_usd", &set_id)?;
    let gross = set_mean_by_year(&sets, "new_load_reserve_requirement_sum_mw", &set_id)?;
    let avoided_at_depth = [
        set_mean_by_year(&sets, "flexibility_avoided_depth_0_25_sum_mw", &set_id)?,
        set_mean_by_year(&sets, "flexibility_avoided_depth_0_50_sum_mw", &set_id)?,
        set_mean_by_year(&sets, "flexibility_avoided_depth_1_00_sum_mw", &set_id)?,
    ];
    let depth_pct = 100.0
        * record
            .get("scenario")
            .and_then(|s| s.get("flexibility"))
            .and_then(|f| f.get("max_curtail_frac"))
            .and_then(toml::Value::as_float)
            .unwrap_or(f64::NAN);

    // The regions' new energy of `year` as average GW (energy over each row's hours).
    let average_gw = |energy: &[((String, i32), f64)], year: i32| -> f64 {
        energy
            .iter()
            .zip(&hours)
            .filter(|(((_, y), _), _)| *y == year)
            .map(|((_, e), (_, h))| e / h)
            .sum::<f64>()
            / 1000.0
    };
    // Findings, each from the tables.
    let mut findings = Vec::new();
    for &year in &milestones {
        let (new_gw, new_non_ai_gw) = (average_gw(&new_ai, year), average_gw(&new_non_ai, year));
        let strained = most_strained(&metrics, year, 3)?;
        let names: Vec<String> = strained
            .iter()
            .filter(|(_, _, mw)| *mw > 0.0)
            .map(|(r, w, mw)| {
                format!(
                    "{r} ({} GW above its threshold, weather of {w})",
                    one(mw / 1000.0)
                )
            })
            .collect();
        let curtailed_gwh = sum_year(&curtailed, year) / 1000.0;
        let training_gwh = sum_year(&new_training, year) / 1000.0;
        // A study of regional loads alone has no national projection: say so rather
        // than report the nation's AI load as 0.
        let national_gw = (at(training_mw, year) + at(inference_mw, year)) / 1000.0;
        let mut text = if national_gw > 0.0 {
            format!(
                "In {year}, US AI data centres draw {} GW on average ({} GW training, {} GW inference).",
                one(national_gw),
                one(at(training_mw, year) / 1000.0),
                one(at(inference_mw, year) / 1000.0),
            )
        } else {
            format!(
                "In {year}: national AI load not known — the scenario states only its regions' loads, no national projection."
            )
        };
        if new_gw.abs() < 0.05 && new_non_ai_gw.abs() < 0.05 {
            let _ = write!(
                text,
                " No AI load is new on the {set_id} regions: their measured load of that year already holds it."
            );
            findings.push(text);
            continue;
        }
        let _ = write!(
            text,
            " The new load on the {set_id} regions, on top of what their measured load already holds, is {} GW of AI{}; before flexibility it raises the regions' own peaks by {} GW in sum (mean over weather years).",
            one(new_gw),
            if new_non_ai_gw.abs() < 0.05 {
                String::new()
            } else {
                format!(
                    " and {} GW of other (non-AI) data centres",
                    one(new_non_ai_gw)
                )
            },
            one(sum_year(&peak_increase, year) / 1000.0),
        );
        if names.is_empty() {
            let _ = write!(text, " No region exceeds its threshold.");
        } else {
            let _ = write!(text, " Most strained: {}.", names.join("; "));
        }
        let get = |m: &BTreeMap<i32, f64>| m.get(&year).copied().unwrap_or(0.0);
        if training_gwh > 0.0 {
            let _ = write!(
                text,
                " Flexibility curtails {} GWh of training ({:.2}% of its new energy).",
                one(curtailed_gwh),
                100.0 * curtailed_gwh / training_gwh
            );
        } else {
            let _ = write!(text, " No new training load: nothing flexes.");
        }
        // Unknown is not zero: a set without emission rates has no CO2 figure.
        let co2_mt = co2.get(&year).copied().unwrap_or(f64::NAN) / 1e6;
        let missing_rates = without_co2_rate.get(&year).copied().unwrap_or(0.0);
        let co2_text = if co2_mt.is_finite() && missing_rates > 0.0 {
            format!(
                "The new AI load emits {} Mt CO2 in the regions with an emission rate ({missing_rates:.0} region(s) without one are not counted: their CO2 is not known).",
                one(co2_mt)
            )
        } else if co2_mt.is_finite() {
            format!("The new AI load emits {} Mt CO2.", one(co2_mt))
        } else {
            "Its CO2 is not known — no region of the set has an emission rate (give co2_lb_per_mwh).".to_owned()
        };
        let _ = write!(
            text,
            " {co2_text} The new data-centre load calls for {} GW of firm capacity beyond the regions' anticipated resources (NERC 2025 LTRA planning reserve; {} GW before any credit for today's surplus): ${} bn overnight, ${:.2} bn a year.",
            one(get(&firm) / 1000.0),
            one(get(&gross) / 1000.0),
            one(get(&cost) / 1e9),
            get(&annual) / 1e9,
        );
        let avoided: Vec<f64> = avoided_at_depth.iter().map(get).collect();
        // Only with flexible load (new training, or flexible inference) is there a range.
        if avoided.iter().all(|v| v.is_finite()) && (training_gwh > 0.0 || avoided[2] > 0.0) {
            let _ = write!(
                text,
                " If training can be curtailed by 25 %, 50 % or 100 % of its new load in an hour, flexibility avoids {}, {} or {} GW of that need (the scenario assumes {depth_pct:.0}%, from one 3-hour field test).",
                one(avoided[0] / 1000.0),
                one(avoided[1] / 1000.0),
                one(avoided[2] / 1000.0),
            );
        }
        findings.push(text);
    }
    // The report year: AI at the most strained region's peak hour.
    let strained = most_strained(&metrics, report_year, data::STRAINED_SHOWN)?;
    if let Some((region, _, residual)) = strained.first().filter(|s| s.2 > 0.0) {
        let new_at_peak = mean_by_region_year(&metrics, "new_ai_at_peak_mw")?;
        let inference_at_peak = mean_by_region_year(&metrics, "inference_at_peak_mw")?;
        let training_at_peak = mean_by_region_year(&metrics, "training_at_peak_mw")?;
        let get = |v: &[((String, i32), f64)]| {
            v.iter()
                .find(|((r, y), _)| r == region && *y == report_year)
                .map_or(0.0, |(_, x)| *x)
        };
        findings.push(format!(
            "In {report_year} the new AI load adds {} GW at {region}'s peak hour (mean over weather years); all AI there, including load already in the measured baseline, is {} GW of inference and {} GW of training before flexibility. {region} exceeds its threshold by {} GW in its worst weather year, the most of any region that year.",
            one(get(&new_at_peak) / 1000.0),
            one(get(&inference_at_peak) / 1000.0),
            one(get(&training_at_peak) / 1000.0),
            one(residual / 1000.0),
        ));
    }

    // Table: the most strained regions of the report year.
    let residual_after = mean_by_region_year(&metrics, "hours_above_threshold_after")?;
    let strained_rows: Vec<Vec<String>> = most_strained(&metrics, report_year, 10)?
        .iter()
        .map(|(region, w, mw)| {
            let get = |v: &[((String, i32), f64)]| {
                v.iter()
                    .find(|((r, y), _)| r == region && *y == report_year)
                    .map_or(f64::NAN, |(_, x)| *x)
            };
            vec![
                region.clone(),
                format!("{mw:.0}"),
                w.to_string(),
                format!("{:.0}", get(&peak_increase)),
                format!("{:.0}", get(&residual_after)),
                format!("{:.0}", get(&curtailed)),
            ]
        })
        .collect();
    let tables = vec![(
        format!("The most strained regions in {report_year}"),
        [
            "region",
            "residual above threshold, worst weather year (MW)",
            "worst weather year",
            "peak increase, mean (MW)",
            "hours above threshold after flexibility, mean",
            "training curtailed, mean (MWh)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        strained_rows,
    )];

    let mut charts = Vec::new();
    // 1. AI energy by workload and year, crossover marked.
    let x: Vec<f64> = years.iter().map(|y| f64::from(*y)).collect();
    let training_twh: Vec<f64> = power
        .num("training_facility_mwh")?
        .iter()
        .map(|v| v / 1e6)
        .collect();
    let inference_twh: Vec<f64> = power
        .num("inference_facility_mwh")?
        .iter()
        .map(|v| v / 1e6)
        .collect();
    // A study of regional loads alone has no national projection: its chart shows the
    // new AI energy of its own regions instead of an empty national line.
    let national_known = training_twh.iter().chain(&inference_twh).any(|v| *v > 0.0);
    let energy_crossover = years
        .iter()
        .zip(training_twh.iter().zip(&inference_twh))
        .find(|(_, (t, i))| **i > 0.0 && **i >= **t)
        .map(|(y, _)| *y);
    let year_or =
        |year: Option<i32>, none: &str| year.map_or_else(|| none.to_owned(), |y| y.to_string());
    let (training_twh, inference_twh, title, subtitle, caption) = if national_known {
        (
            training_twh,
            inference_twh,
            "US AI data-centre energy by workload".to_owned(),
            format!(
                "Facility energy of training and inference, {first}–{last}, in TWh per year. The marker is where these lines cross (energy basis: {}); on the accelerator-hour basis (compute spending) inference overtakes training in {}.",
                year_or(energy_crossover, "outside the study"),
                year_or(crossover, "no study year")
            ),
            format!(
                "From power_by_year.csv. Inference overtakes training in facility energy in {} and in accelerator-hours in {}: two bases, two years.",
                year_or(energy_crossover, "no study year"),
                year_or(crossover, "no study year")
            ),
        )
    } else {
        let new_inference = mean_by_region_year(&metrics, "new_inference_energy_mwh")?;
        let by_year = |values: &[((String, i32), f64)]| -> Vec<f64> {
            years.iter().map(|&y| sum_year(values, y) / 1e6).collect()
        };
        (
            by_year(&new_training),
            by_year(&new_inference),
            format!("New AI energy of the {set_id} regions by workload"),
            format!("The scenario states only its regions' loads (national AI load not known): their new facility energy, {first}–{last}, in TWh per year (mean over weather years)."),
            "From metrics.csv (new_training_energy_mwh, new_inference_energy_mwh): no national projection, so no crossover year.".to_owned(),
        )
    };
    // The marker sits where the plotted lines cross (the energy basis), not on the
    // accelerator-hour basis the findings use.
    let marker = energy_crossover
        .filter(|_| national_known)
        .map(|c| (f64::from(c), "inference overtakes training (energy)"));
    charts.push(Chart {
        id: "energy_by_workload",
        svg: charts::lines(
            &title,
            &subtitle,
            &x,
            &[
                Series {
                    name: "training",
                    color: BLUE,
                    values: training_twh.clone(),
                },
                Series {
                    name: "inference",
                    color: ORANGE,
                    values: inference_twh.clone(),
                },
            ],
            &[],
            ("year", "facility energy (TWh)"),
            marker,
            (true, true),
        ),
        title,
        header: vec![
            "year".into(),
            "training (TWh)".into(),
            "inference (TWh)".into(),
        ],
        rows: years
            .iter()
            .enumerate()
            .map(|(i, y)| vec![y.to_string(), one(training_twh[i]), one(inference_twh[i])])
            .collect(),
        caption,
    });
    // 2. Peak increase by region in the report year.
    let mut by_region: Vec<(String, f64)> = peak_increase
        .iter()
        .filter(|((_, y), _)| *y == report_year)
        .map(|((r, _), v)| (r.clone(), *v / 1000.0))
        .collect();
    by_region.sort_by(|a, b| b.1.total_cmp(&a.1));
    let title = format!("Peak increase by region, {report_year}");
    charts.push(Chart {
        id: "peak_increase_by_region",
        svg: charts::bars(
            &title,
            &format!("How much the new AI load raises each region's annual peak in {report_year}, mean over weather years, in GW, largest first."),
            &by_region.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            &[Series { name: "peak increase", color: RED, values: by_region.iter().map(|r| r.1).collect() }],
            "peak increase (GW)",
        ),
        title,
        header: vec!["region".into(), "peak increase (GW)".into()],
        rows: by_region.iter().map(|(r, v)| vec![r.clone(), format!("{v:.2}")]).collect(),
        caption: "From metrics.parquet (peak_increase_mw, mean over weather years).".to_owned(),
    });
    // 3. The peak week of the most strained region.
    let items = extra.text("item")?;
    let regions_x = extra.text("region")?;
    let series_x = extra.text("series")?;
    let ys = extra.num("y")?;
    let weather_x = extra.num("weather_year")?;
    let pick = |item: &str, region: &str, series: &str| -> Vec<f64> {
        (0..extra.height)
            .filter(|&i| items[i] == item && regions_x[i] == region && series_x[i] == series)
            .map(|i| ys[i])
            .collect()
    };
    if let Some((region, _, _)) = strained.first() {
        let weather_year = (0..extra.height)
            .find(|&i| items[i] == "peak_week" && regions_x[i] == *region)
            .map_or(0, |i| weather_x[i] as i32);
        let gw = |v: Vec<f64>| v.into_iter().map(|x| x / 1000.0).collect::<Vec<_>>();
        let baseline = gw(pick("peak_week", region, "baseline"));
        let inference = gw(pick("peak_week", region, "new_inference"));
        let training = gw(pick("peak_week", region, "new_training_after_flex"));
        let curtailed_week = gw(pick("peak_week", region, "curtailed_training"));
        let threshold = gw(pick("peak_week", region, "threshold"));
        let title = format!("{region}: the peak week of {report_year} (weather of {weather_year})");
        charts.push(Chart {
            id: "peak_week",
            svg: charts::stacked_hours(
                &title,
                &format!("Hourly load of {region} over the week around its {report_year} peak, stacked: baseline, new inference, new training after flexibility, and the training curtailed; the black line is the threshold. GW."),
                &[
                    Series { name: "baseline", color: GREY, values: baseline.clone() },
                    Series { name: "new inference", color: ORANGE, values: inference.clone() },
                    Series { name: "new training", color: BLUE, values: training.clone() },
                    Series { name: "training curtailed", color: RED, values: curtailed_week.clone() },
                ],
                &threshold,
                "load (GW)",
            ),
            title,
            header: ["hour", "baseline (GW)", "new inference (GW)", "new training (GW)", "curtailed (GW)", "threshold (GW)"].iter().map(|s| (*s).to_owned()).collect(),
            rows: (0..threshold.len())
                .step_by(6)
                .map(|t| vec![t.to_string(), format!("{:.2}", baseline[t]), format!("{:.2}", inference[t]), format!("{:.2}", training[t]), format!("{:.2}", curtailed_week[t]), format!("{:.2}", threshold[t])])
                .collect(),
            caption: "From report_data.parquet (every 6th hour in the table).".to_owned(),
        });
        // 4. Load-duration curves before and after flexibility.
        let before = gw(pick("load_duration", region, "before_flex"));
        let after = gw(pick("load_duration", region, "after_flex"));
        let pct: Vec<f64> = (0..before.len()).map(|i| i as f64).collect();
        let title = format!("{region}: load-duration curve, {report_year}");
        charts.push(Chart {
            id: "load_duration",
            svg: charts::lines(
                &title,
                &format!("{region}'s total load in {report_year} sorted from the highest hour down, before and after training flexibility, in GW against the percent of hours."),
                &pct,
                &[
                    Series { name: "before flexibility", color: RED, values: before.clone() },
                    Series { name: "after flexibility", color: GREEN, values: after.clone() },
                ],
                &[],
                ("percent of hours of the year", "load (GW)"),
                None,
                (true, false),
            ),
            title,
            header: vec!["% of hours".into(), "before (GW)".into(), "after (GW)".into()],
            rows: (0..before.len()).step_by(10).map(|i| vec![i.to_string(), format!("{:.2}", before[i]), format!("{:.2}", after[i])]).collect(),
            caption: format!(
                "From report_data.parquet. Flexibility lowers {region}'s highest hour by {} GW (from {} to {} GW).",
                format_args!("{:.2}", before.first().copied().unwrap_or(0.0) - after.first().copied().unwrap_or(0.0)),
                one(before.first().copied().unwrap_or(0.0)),
                one(after.first().copied().unwrap_or(0.0))
            ),
        });
    }
    // 5. Headroom by region at each limit.
    let limits: Vec<f64> = data::HEADROOM_LIMITS_FRAC
        .iter()
        .map(|l| l * 100.0)
        .collect();
    let xs = extra.num("x")?;
    let mut headroom_regions: Vec<String> = Vec::new();
    let mut headroom_total = [f64::NAN; 4];
    for i in (0..extra.height).filter(|&i| items[i] == "headroom") {
        if regions_x[i] == "total" {
            if let Some(k) = limits.iter().position(|l| (l - xs[i]).abs() < 1e-9) {
                headroom_total[k] = ys[i] / 1000.0;
            }
            continue;
        }
        if !headroom_regions.contains(&regions_x[i]) {
            headroom_regions.push(regions_x[i].clone());
        }
    }
    let headroom_at = |region: &str, limit: f64| -> f64 {
        (0..extra.height)
            .find(|&i| {
                items[i] == "headroom" && regions_x[i] == region && (xs[i] - limit).abs() < 1e-9
            })
            .map_or(f64::NAN, |i| ys[i] / 1000.0)
    };
    let colors = [SKY, BLUE, PURPLE, RED];
    let names = ["0.25 %", "0.5 %", "1 %", "5 %"];
    let title = "Curtailment-enabled headroom by region".to_owned();
    charts.push(Chart {
        id: "headroom",
        svg: charts::bars(
            &title,
            "New flexible load each region could take (GW) if it accepted curtailment of 0.25, 0.5, 1 or 5 % of the new load's maximum uptime, over every year of its data (Norris et al. 2025 method).",
            &headroom_regions,
            &limits
                .iter()
                .zip(colors)
                .zip(names)
                .map(|((l, c), n)| Series { name: n, color: c, values: headroom_regions.iter().map(|r| headroom_at(r, *l)).collect() })
                .collect::<Vec<_>>(),
            "headroom (GW)",
        ),
        title,
        header: std::iter::once("region".to_owned()).chain(names.iter().map(|n| format!("at {n} (GW)"))).collect(),
        rows: headroom_regions
            .iter()
            .map(|r| std::iter::once(r.clone()).chain(limits.iter().map(|l| format!("{:.2}", headroom_at(r, *l)))).collect())
            .collect(),
        caption: format!(
            "From report_data.parquet (docs/methodology.md §9). All {} regions together: {} GW at 0.25 %, {} GW at 0.5 %, {} GW at 1 %, {} GW at 5 %.",
            headroom_regions.len(),
            one(headroom_total[0]),
            one(headroom_total[1]),
            one(headroom_total[2]),
            one(headroom_total[3])
        ),
    });
    // 6. The reality check against the operators' forecasts.
    let r_regions = reality.text("region")?;
    let r_years = reality.num("year")?;
    let r_run = reality.num("run_new_datacentre_mw")?;
    let r_op = reality.num("operator_mw")?;
    let known: Vec<&String> = metrics.text("region")?.iter().collect();
    let usable = |i: usize| known.contains(&&r_regions[i]) && r_op[i].is_finite();
    let mut picked: Vec<usize> = (0..reality.height)
        .filter(|&i| usable(i) && r_years[i] as i32 == report_year)
        .collect();
    if picked.is_empty() {
        picked = (0..reality.height)
            .filter(|&i| usable(i))
            .take(16)
            .collect();
    }
    let status = reality.text("operator_status")?;
    // Several figures for one region and year differ by when they were published.
    let no_vintage = vec![String::new(); reality.height];
    let vintage: &[String] = reality.text("operator_vintage").unwrap_or(&no_vintage);
    let labels: Vec<String> = picked
        .iter()
        .map(|&i| {
            let published = if vintage[i].is_empty() {
                String::new()
            } else {
                format!(", {}", vintage[i])
            };
            format!(
                "{} {} ({}{published})",
                r_regions[i],
                r_years[i] as i32,
                status[i].replace('_', " ")
            )
        })
        .collect();
    let title = format!("This run beside the grid operators' own forecasts, {report_year}");
    charts.push(Chart {
        id: "reality_check",
        svg: charts::bars(
            &title,
            &format!("New AI load at each region's peak hour in this run and the data-centre or large-load figure its grid operator published for {report_year} (or the nearest years published), GW."),
            &labels,
            &[
                Series { name: "this run", color: BLUE, values: picked.iter().map(|&i| r_run[i] / 1000.0).collect() },
                Series { name: "operator", color: GREY, values: picked.iter().map(|&i| r_op[i] / 1000.0).collect() },
            ],
            "new AI load at the peak hour (GW)",
        ),
        title,
        header: vec!["region, year (status of the operator's figure)".into(), "this run (GW)".into(), "operator (GW)".into()],
        rows: picked.iter().zip(&labels).map(|(&i, l)| vec![l.clone(), format!("{:.2}", r_run[i] / 1000.0), format!("{:.2}", r_op[i] / 1000.0)]).collect(),
        caption: "From reality_check.csv (each figure's basis, status and source are there).".to_owned(),
    });
    // 7. Emissions and 8. firm capacity cost by year.
    let co2_mt: Vec<f64> = years
        .iter()
        .map(|y| co2.get(y).copied().unwrap_or(f64::NAN) / 1e6)
        .collect();
    let cost_bn: Vec<f64> = years
        .iter()
        .map(|y| cost.get(y).copied().unwrap_or(f64::NAN) / 1e9)
        .collect();
    let title = format!("CO2 of the new AI load, {set_id}");
    // No chart of what is not known (the findings say why).
    if co2_mt.iter().any(|v| v.is_finite()) {
        charts.push(Chart {
        id: "emissions",
        svg: charts::lines(
            &title,
            "Emissions of the new AI energy delivered in the set's regions, at each region's eGRID rate, Mt CO2 per year (mean over weather years).",
            &x,
            &[Series { name: "AI CO2", color: PURPLE, values: co2_mt.clone() }],
            &[],
            ("year", "Mt CO2 per year"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "Mt CO2".into()],
        rows: years.iter().zip(&co2_mt).map(|(y, v)| vec![y.to_string(), one(*v)]).collect(),
        caption: "From regionset_metrics.parquet (ai_co2_t; docs/methodology.md §10.10).".to_owned(),
    });
    }
    let title =
        format!("Overnight cost of the firm capacity the new data-centre load calls for, {set_id}");
    charts.push(Chart {
        id: "firm_capacity_cost",
        svg: charts::lines(
            &title,
            "Overnight capital cost of the firm capacity the new data-centre load needs beyond the regions' anticipated resources (planning reserve, NERC 2025 LTRA margins; each region's cost of new entry, 2025 $ or PJM's 2028 nominal), billion US dollars for the whole need, not per year; mean over weather years.",
            &x,
            &[Series { name: "firm capacity cost", color: GREEN, values: cost_bn.clone() }],
            &[],
            ("year", "overnight capital, whole need (bn USD)"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "cost (bn USD)".into()],
        rows: years.iter().zip(&cost_bn).map(|(y, v)| vec![y.to_string(), one(*v)]).collect(),
        caption: "From regionset_metrics.parquet (firm_capacity_cost_usd; docs/methodology.md §10.9).".to_owned(),
    });

    Ok(Report {
        title: format!("What new AI data centres do to the grid of {set_name}, {first}–{last}"),
        subtitle: format!(
            "Scenario “{scenario_name}”: {description} Study years {first}–{last}; {weather_years} weather years of real hourly load (EIA-930). Written by gridstrain {version} from {inputs}."
        ),
        findings,
        tables,
        charts,
        methods: methods_lines(),
    })
}

fn methods_lines() -> Vec<String> {
    [
        "Compute to power: FLOP → accelerator-hours → IT and facility energy (docs/methodology.md §2–3; each preset's numbers and sources in §3).",
        "Siting: the data-centre stock over years; existing AI load is inside the measured baseline and only new load is added (§4).",
        "Hourly load: each weather year's real load, scaled to the target year; inference follows its hour-of-week shape in local time (§5–6).",
        "Thresholds and flexibility: Duke seasonal peaks (or ISO capacity) and curtailment of new training within depth and budget (§7–8).",
        "Headroom: Norris et al. (2025), exact solution (§9). Metrics, emissions (eGRID2023) and firm capacity (planning reserve on NERC 2025 LTRA margins; EIA AEO2026 and Brattle 2025 costs of new entry) in §10.",
        "Uncertainty: gridstrain sweep gives percentile bands (§12); limitations in §13.",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

// ---------------------------------------------------------------- the sweep's report

/// Build the report of a `sweep` folder from `bands.parquet` and `run.toml`.
#[allow(clippy::too_many_lines)]
fn sweep_report(dir: &Path) -> Result<Report> {
    let record_text = crate::input::read_text(&dir.join(crate::output::RUN_FILE_NAME))?;
    let record: toml::Table =
        crate::input::parse_toml(&record_text, &dir.join(crate::output::RUN_FILE_NAME))?;
    let name = |table: &str, key: &str| {
        record
            .get(table)
            .and_then(|t| t.get(key))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let bands = Table::from_frame("bands.parquet", &read_parquet(&dir.join("bands.parquet"))?)?;
    let scope = bands.text("scope")?;
    let region = bands.text("region")?;
    let metric = bands.text("metric")?;
    let year = bands.num("year")?;
    let (p5, p50, p95) = (bands.num("p5")?, bands.num("p50")?, bands.num("p95")?);
    let set_series = |m: &str| -> Vec<(i32, f64, f64, f64)> {
        (0..bands.height)
            .filter(|&i| scope[i] == "region_set" && metric[i] == m)
            .map(|i| (year[i] as i32, p5[i], p50[i], p95[i]))
            .collect()
    };
    let mut charts = Vec::new();
    let mut findings = Vec::new();
    let set_id = name("region_set", "id");
    let samples = name("sweep", "samples");
    let pooled = if name("sweep", "all_weather_years") == "true" {
        "runs (samples × weather years)"
    } else {
        "samples"
    };
    for (id, m, title, unit, divide) in [
        (
            "energy_band",
            "ai_energy_mwh",
            "AI data-centre energy in the set",
            "TWh",
            1e6,
        ),
        (
            "peak_band",
            "coincident_total_peak_after_flex_mw",
            "Coincident peak with AI, after flexibility",
            "GW",
            1e3,
        ),
        (
            "firm_band",
            "firm_capacity_needed_sum_mw",
            "Firm capacity the new data-centre load calls for (planning reserve, beyond anticipated resources)",
            "GW",
            1e3,
        ),
        ("co2_band", "ai_co2_t", "CO2 of the new AI load", "Mt", 1e6),
    ] {
        let rows = set_series(m);
        if rows.is_empty() {
            continue;
        }
        let x: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let scaled =
            |k: usize| -> Vec<f64> { rows.iter().map(|r| [r.1, r.2, r.3][k] / divide).collect() };
        let (lo, mid, hi) = (scaled(0), scaled(1), scaled(2));
        let title = format!("{title}, {set_id}: median and 90 % band");
        if let Some(last) = rows.last() {
            findings.push(format!(
                "{} in {}: median {} {unit}, 90 % of {pooled} between {} and {} {unit}.",
                title.split(',').next().unwrap_or(m),
                last.0,
                one(last.2 / divide),
                one(last.1 / divide),
                one(last.3 / divide)
            ));
        }
        charts.push(Chart {
            id,
            svg: charts::lines(
                &title,
                &format!("Median over {samples} samples and the band from the 5th to the 95th percentile, {unit} per year."),
                &x,
                &[Series { name: "median", color: BLUE, values: mid.clone() }],
                &[Band { name: "5–95th percentile", color: BLUE, low: lo.clone(), high: hi.clone() }],
                ("year", unit),
                None,
                (true, false),
            ),
            title,
            header: vec!["year".into(), format!("p5 ({unit})"), format!("median ({unit})"), format!("p95 ({unit})")],
            rows: (0..x.len()).map(|i| vec![format!("{:.0}", x[i]), one(lo[i]), one(mid[i]), one(hi[i])]).collect(),
            caption: format!("From bands.parquet ({m})."),
        });
    }
    // Peak increase by region in the last year: median with its band edges.
    let last_year = year.iter().copied().fold(f64::NEG_INFINITY, f64::max) as i32;
    let mut regional: Vec<(String, f64, f64, f64)> = (0..bands.height)
        .filter(|&i| {
            scope[i] == "region" && metric[i] == "peak_increase_mw" && year[i] as i32 == last_year
        })
        .map(|i| (region[i].clone(), p5[i] / 1e3, p50[i] / 1e3, p95[i] / 1e3))
        .collect();
    regional.sort_by(|a, b| b.2.total_cmp(&a.2));
    let title = format!("Peak increase by region, {last_year}: 5th, 50th and 95th percentile");
    charts.push(Chart {
        id: "peak_increase_band",
        svg: charts::bars(
            &title,
            &format!("How much the new AI load raises each region's peak in {last_year} across the samples, GW."),
            &regional.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            &[
                Series { name: "p5", color: SKY, values: regional.iter().map(|r| r.1).collect() },
                Series { name: "median", color: BLUE, values: regional.iter().map(|r| r.2).collect() },
                Series { name: "p95", color: RED, values: regional.iter().map(|r| r.3).collect() },
            ],
            "peak increase (GW)",
        ),
        title,
        header: vec!["region".into(), "p5 (GW)".into(), "median (GW)".into(), "p95 (GW)".into()],
        rows: regional.iter().map(|r| vec![r.0.clone(), format!("{:.2}", r.1), format!("{:.2}", r.2), format!("{:.2}", r.3)]).collect(),
        caption: "From bands.parquet (peak_increase_mw).".to_owned(),
    });
    Ok(Report {
        title: format!(
            "How sure is it? New AI data centres on the grid of {}, scenario “{}”, {samples} samples",
            {
                let set_name = name("region_set", "name");
                if set_name.is_empty() {
                    set_id.clone()
                } else {
                    set_name
                }
            },
            name("scenario", "name")
        ),
        subtitle: format!(
            "Monte Carlo over the scenario's uncertain inputs and the weather years (seed {}). Bands are conditional on the ranges in docs/methodology.md §12.2 and leave out what §12.2a lists.",
            name("sweep", "seed")
        ),
        findings,
        tables: Vec::new(),
        charts,
        methods: methods_lines(),
    })
}

// ---------------------------------------------------------------- writing

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}figure{margin:1.5rem 0;break-inside:avoid}svg{width:100%;height:auto;display:block}figcaption{font-size:.9rem;color:#444}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;display:block;overflow-x:auto}th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:right}th:first-child,td:first-child{text-align:left}.methods{background:#f4f6f8;border-left:4px solid #0072b2;padding:.5rem 1rem}.subtitle{color:#444}@media print{details{display:none}body{max-width:none}}";

fn html_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n|",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    out.push_str(&" --- |".repeat(header.len()));
    out.push('\n');
    for row in rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out
}

fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1><p class=\"subtitle\">{}</p><h2>Findings</h2><ul>",
        escape(&report.title),
        escape(&report.title),
        escape(&report.subtitle)
    );
    for f in &report.findings {
        let _ = write!(out, "<li>{}</li>", escape(f));
    }
    out.push_str("</ul>");
    for (title, header, rows) in &report.tables {
        let _ = write!(
            out,
            "<h2>{}</h2>{}",
            escape(title),
            html_table(header, rows)
        );
    }
    out.push_str("<h2>Charts</h2>");
    for chart in &report.charts {
        let _ = write!(
            out,
            "<figure id=\"{}\">{}<figcaption>{}</figcaption><details><summary>Data table: {}</summary>{}</details></figure>",
            chart.id,
            // Inline SVG in HTML needs no namespace (the .svg files keep it).
            chart
                .svg
                .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1),
            escape(&chart.caption),
            escape(&chart.title),
            html_table(&chart.header, &chart.rows)
        );
    }
    out.push_str("<h2>Methods</h2><div class=\"methods\"><ul>");
    for m in &report.methods {
        let _ = write!(out, "<li>{}</li>", escape(m));
    }
    out.push_str("</ul><p>Every number above is read from this run folder's tables; every default's source is in docs/methodology.md of gridstrain.</p></div></main></body></html>\n");
    out
}

fn markdown(report: &Report) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n## Findings\n\n",
        report.title, report.subtitle
    );
    for f in &report.findings {
        let _ = writeln!(out, "- {f}");
    }
    for (title, header, rows) in &report.tables {
        let _ = write!(out, "\n## {title}\n\n{}", md_table(header, rows));
    }
    out.push_str("\n## Charts\n");
    for chart in &report.charts {
        let _ = write!(
            out,
            "\n### {}\n\n![{}]({CHARTS_DIR}/{}.svg)\n\n{}\n\n{}",
            chart.title,
            chart.title,
            chart.id,
            chart.caption,
            md_table(&chart.header, &chart.rows)
        );
    }
    out.push_str("\n## Methods\n\n");
    for m in &report.methods {
        let _ = writeln!(out, "- {m}");
    }
    out.push_str("\nEvery number above is read from this run folder's tables; every default's source is in docs/methodology.md of gridstrain.\n");
    out
}

/// Write `report.html`, `report.md` and `report_charts/` into `dir` (a `run` or `sweep`
/// folder, or the staging folder of one).
///
/// # Errors
/// A table missing or unreadable, or a file that cannot be written.
pub fn write_report(dir: &Path) -> Result<()> {
    let report = if dir.join("bands.parquet").exists() {
        sweep_report(dir)?
    } else if dir.join("metrics.parquet").exists() {
        if !dir.join(REPORT_DATA).exists() {
            bail!(
                "{}: no {REPORT_DATA}; the run was written by a gridstrain without reports, run it again",
                dir.display()
            );
        }
        run_report(dir)?
    } else {
        bail!(
            "{}: not a run or sweep folder (no metrics.parquet or bands.parquet)",
            dir.display()
        );
    };
    let charts_dir = dir.join(CHARTS_DIR);
    crate::output::check_no_links_below(dir, &charts_dir)?;
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("cannot create {}", charts_dir.display()))?;
    for chart in &report.charts {
        write_atomic(&charts_dir.join(format!("{}.svg", chart.id)), &chart.svg)?;
    }
    write_atomic(&dir.join(REPORT_MD), &markdown(&report))?;
    write_atomic(&dir.join(REPORT_HTML), &html(&report))
}

/// Write `text` to `path` through a temporary file in the same folder, renamed into
/// place: a reader never sees half a report.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let folder = path.parent().unwrap_or(Path::new("."));
    // A recognisable name, `.report.<PID>.<random>.tmp`: if the report is killed
    // mid-write, `--force` and the staging clean-up know the leftover as gridstrain's
    // once this process is gone (crate::output::replace).
    let prefix = crate::output::replace::report_temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .suffix(crate::output::replace::REPORT_TEMP_SUFFIX);
    // Ordinary permissions (0666 less the umask), as every other output file has.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}
