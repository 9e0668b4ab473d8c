//! The report of a `run` folder: a first screen that stands alone (title in words, date,
//! version, inputs, and an executive summary of at most five sentences with ranges), short
//! findings, a table of key figures by year, the charts, and the glossary, methods and
//! full tables as appendices. Every number is read from the folder's files.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::charts::{self, BLUE, GREEN, GREY, ORANGE, PURPLE, RED, SKY, Series};
use super::{
    Chart, Names, Ranges, Report, Table, data, mean_by_region_year, most_strained, one, read_csv,
    read_parquet, set_mean_by_year,
};

/// Regions a chart of regions shows (the full table goes to the appendix).
const REGIONS_CHARTED: usize = 10;
/// Characters of a region's label on a chart's axis.
const LABEL_CHARS: usize = 44;

/// The run folder's files, read once.
struct Run {
    record: toml::Table,
    metrics: Table,
    sets: Table,
    power: Table,
    reality: Table,
    extra: Table,
    names: Names,
    ranges: Ranges,
    set_id: String,
    set_name: String,
    years: Vec<i32>,
}

impl Run {
    fn read(dir: &Path) -> Result<Self> {
        let record_path = dir.join(crate::output::RUN_FILE_NAME);
        let record: toml::Table =
            crate::input::parse_toml(&crate::input::read_text(&record_path)?, &record_path)?;
        let power = Table::from_csv(
            "power_by_year.csv",
            read_csv(&dir.join(crate::output::POWER_FILE_NAME))?,
        );
        let years: Vec<i32> = power.num("year")?.iter().map(|y| *y as i32).collect();
        if years.is_empty() {
            anyhow::bail!("{}: power_by_year.csv is empty", dir.display());
        }
        let text = |table: &str, key: &str| {
            record
                .get(table)
                .and_then(|s| s.get(key))
                .and_then(toml::Value::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
        };
        let set_id = text("region_set", "id").unwrap_or_else(|| "regions".to_owned());
        let set_name = text("region_set", "name").unwrap_or_else(|| set_id.clone());
        Ok(Self {
            metrics: Table::from_frame(
                "metrics.parquet",
                &read_parquet(&dir.join("metrics.parquet"))?,
            )?,
            sets: Table::from_frame(
                "regionset_metrics.parquet",
                &read_parquet(&dir.join("regionset_metrics.parquet"))?,
            )?,
            reality: Table::from_csv(
                "reality_check.csv",
                read_csv(&dir.join(crate::output::REALITY_CHECK_FILE_NAME))?,
            ),
            extra: Table::from_frame(
                super::REPORT_DATA,
                &read_parquet(&dir.join(super::REPORT_DATA))?,
            )?,
            names: Names::read(dir)?,
            ranges: Ranges::read(dir)?,
            power,
            record,
            set_id,
            set_name,
            years,
        })
    }

    fn record_str(&self, table: Option<&str>, key: &str) -> Option<String> {
        let value = match table {
            Some(t) => self.record.get(t)?.get(key)?,
            None => self.record.get(key)?,
        };
        value.as_str().map(str::to_owned)
    }

    fn first(&self) -> i32 {
        self.years[0]
    }

    fn last(&self) -> i32 {
        self.years[self.years.len() - 1]
    }

    /// A `power_by_year.csv` value of `year` (NaN when absent).
    fn power_at(&self, column: &str, year: i32) -> f64 {
        let Ok(values) = self.power.num(column) else {
            return f64::NAN;
        };
        self.years
            .iter()
            .position(|y| *y == year)
            .map_or(f64::NAN, |i| values[i])
    }

    /// Whether the scenario projects the nation's AI load (a study of regional loads
    /// alone does not).
    fn national_known(&self) -> bool {
        self.years.iter().any(|y| {
            self.power_at("training_facility_mwh", *y) + self.power_at("inference_facility_mwh", *y)
                > 0.0
        })
    }

    /// The first year inference's share passes one half, on the accelerator-hour basis
    /// (when the run has one) and on the energy basis.
    fn crossovers(&self) -> (Option<i32>, Option<i32>) {
        let first_over = |column: &str| {
            self.years.iter().copied().find(|y| {
                let share = self.power_at(column, *y);
                share.is_finite() && share >= 0.5
            })
        };
        let energy = self.years.iter().copied().find(|y| {
            let (t, i) = (
                self.power_at("training_facility_mwh", *y),
                self.power_at("inference_facility_mwh", *y),
            );
            i > 0.0 && i >= t
        });
        (first_over("inference_share_accelerator_hours_frac"), energy)
    }

    /// The year the charts show (the report data's), and the years findings speak of.
    fn report_year(&self) -> Result<i32> {
        let (accelerator, energy) = self.crossovers();
        Ok(self
            .extra
            .num("year")?
            .first()
            .map(|y| *y as i32)
            .or(accelerator.or(energy))
            .unwrap_or_else(|| self.last()))
    }

    fn milestones(&self) -> Vec<i32> {
        let recorded: Vec<i32> = self
            .record
            .get("milestone_years")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_integer)
                    .filter_map(|y| i32::try_from(y).ok())
                    .filter(|y| self.years.contains(y))
                    .collect()
            })
            .unwrap_or_default();
        if !recorded.is_empty() {
            return recorded;
        }
        let (first, last) = (self.first(), self.last());
        let mut years = vec![first];
        if let Some(c) = self.crossovers().0.filter(|c| *c != first && *c != last) {
            years.push(c);
        }
        if last != first {
            years.push(last);
        }
        years
    }

    fn set_year(&self, column: &str) -> Result<BTreeMap<i32, f64>> {
        set_mean_by_year(&self.sets, column, &self.set_id)
    }

    /// A declared range of the scenario's `[uncertainty."path"]` table: (low, high).
    fn declared_range(&self, path: &str) -> Option<(f64, f64)> {
        let table = self.record.get("scenario")?.get("uncertainty")?.get(path)?;
        let number = |key: &str| {
            table
                .get(key)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        };
        Some((number("low")?, number("high")?))
    }

    /// The regions the charts of regions show: the most strained of `year` (by
    /// residual above threshold, then peak increase), grouped by the ISO they lie in.
    fn charted_regions(&self, year: i32) -> Result<Vec<String>> {
        let increase = mean_by_region_year(&self.metrics, "peak_increase_mw")?;
        let mut ranked: Vec<(String, f64, f64)> = most_strained(&self.metrics, year, usize::MAX)?
            .into_iter()
            .map(|(region, _, residual)| {
                let up = increase
                    .iter()
                    .find(|((r, y), _)| *r == region && *y == year)
                    .map_or(0.0, |(_, v)| *v);
                (region, residual, up)
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        ranked.truncate(REGIONS_CHARTED);
        // Grouped by ISO (a BA is its own group), groups in order of their first region.
        let group = |id: &str| {
            let parent = self.names.parent(id);
            if parent.is_empty() {
                id.to_owned()
            } else {
                parent.to_owned()
            }
        };
        let mut order: Vec<String> = Vec::new();
        for (region, _, _) in &ranked {
            let g = group(region);
            if !order.contains(&g) {
                order.push(g);
            }
        }
        let mut out = Vec::new();
        for g in &order {
            out.extend(
                ranked
                    .iter()
                    .filter(|(r, _, _)| group(r) == *g)
                    .map(|(r, _, _)| r.clone()),
            );
        }
        Ok(out)
    }
}

/// Build the report of a `run` folder from its files.
pub(super) fn run_report(dir: &Path) -> Result<Report> {
    let run = Run::read(dir)?;
    let report_year = run.report_year()?;
    let mut charts = Vec::new();
    charts.push(energy_chart(&run)?);
    let charted = run.charted_regions(report_year)?;
    charts.push(peak_increase_chart(&run, report_year, &charted)?);
    charts.extend(strain_map(&run, report_year)?);
    charts.extend(peak_week_charts(&run, report_year)?);
    charts.push(headroom_chart(&run, &charted)?);
    charts.push(reality_chart(&run, report_year)?);
    charts.extend(emissions_chart(&run)?);
    charts.push(cost_chart(&run)?);
    Ok(Report {
        title: format!(
            "What new AI data centres do to the grid — {}, {}–{}",
            run.set_name,
            run.first(),
            run.last()
        ),
        subtitle: subtitle(&run),
        meta: meta_line(&run),
        summary: executive_summary(&run, report_year)?,
        summary_note: range_note(&run),
        findings: findings(&run, report_year)?,
        tables: vec![key_figures(&run)?, strained_table(&run, report_year)?],
        charts,
        glossary: super::GLOSSARY.to_vec(),
        methods: super::METHODS.iter().map(|s| (*s).to_owned()).collect(),
        appendix: appendix(&run, report_year)?,
    })
}

fn subtitle(run: &Run) -> String {
    let scenario = run
        .record_str(Some("scenario"), "name")
        .unwrap_or_else(|| "scenario".to_owned());
    let description = run
        .record_str(Some("scenario"), "description")
        .unwrap_or_default();
    format!("Scenario “{scenario}”: {description}")
}

/// Date, program version and the inputs in one line.
fn meta_line(run: &Run) -> String {
    let file = |key: &str| {
        run.record_str(None, key).and_then(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
    };
    let weather: Vec<i64> = run
        .record
        .get("weather_years")
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_integer).collect())
        .unwrap_or_default();
    let weather_text = match (weather.first(), weather.last()) {
        (Some(a), Some(b)) if a != b => format!("{} weather years ({a}–{b})", weather.len()),
        (Some(a), _) => format!("the weather of {a}"),
        _ => "no weather years recorded".to_owned(),
    };
    let regions = run.names.by_id.len();
    format!(
        "Run on {} with gridstrain {}. Inputs: scenario {}, region set {}{}; hourly load from EIA-930 with {weather_text}; study years {}–{}.",
        run.record_str(None, "run_on")
            .unwrap_or_else(|| "(date not recorded)".to_owned()),
        run.record_str(None, "version")
            .unwrap_or_else(|| "(version not recorded)".to_owned()),
        file("scenario_file").unwrap_or_else(|| "(not recorded)".to_owned()),
        file("regions_file").unwrap_or_else(|| run.set_id.clone()),
        if regions > 0 {
            format!(" ({regions} regions)")
        } else {
            String::new()
        },
        run.first(),
        run.last()
    )
}

fn range_note(run: &Run) -> String {
    let samples = run.ranges.samples();
    if samples > 0.0 {
        format!(
            "First figure: the scenario as stated, mean over weather years. Range: 5th–95th percentile of {samples:.0} samples of the scenario's own uncertain inputs, one weather year drawn per sample (gridstrain sweep gives more)."
        )
    } else {
        "First figure: the scenario as stated, mean over weather years. No range: the scenario declares no uncertain inputs ([uncertainty] tables), so nothing is sampled.".to_owned()
    }
}

/// At most five sentences in the order a regulator asks: how much AI load; when
/// inference overtakes training and on which basis; where the grid is strained; what it
/// costs and emits; what flexibility buys.
fn executive_summary(run: &Run, year: i32) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let hours = crate::time::hours_in_year(year) as f64 * 1000.0;
    let set_name = &run.set_name;
    // 1. How much.
    if let Some(text) = run.ranges.text(year, "ai_energy_mwh", hours, "GW") {
        out.push(format!(
            "In {year}, AI data centres in {set_name} draw {text} on average."
        ));
    }
    // 2. The crossover, with its basis.
    let (accelerator, energy) = run.crossovers();
    if run.national_known() {
        let declared = run
            .declared_range("compute.crossover.crossover_year")
            .map(|(lo, hi)| format!("; the scenario's range {lo:.0}–{hi:.0}"))
            .unwrap_or_default();
        let energy_text = energy.map_or_else(
            || format!("not by {} in energy", run.last()),
            |e| format!("in {e} in energy"),
        );
        out.push(match accelerator {
            Some(a) => format!(
                "Inference overtakes training in {a} in compute spending (accelerator-hours{declared}), and {energy_text}."
            ),
            None => format!("Inference overtakes training {energy_text}."),
        });
    }
    // 3. Where.
    let strained: Vec<String> = most_strained(&run.metrics, year, 3)?
        .into_iter()
        .filter(|(_, _, mw)| *mw > 0.0)
        .map(|(r, _, _)| run.names.full(&r))
        .collect();
    if let Some(text) = run
        .ranges
        .text(year, "coincident_peak_increase_mw", 1000.0, "GW")
    {
        out.push(if strained.is_empty() {
            format!("The new load raises the regions' combined peak by {text}; no region goes above the load it has already carried.")
        } else {
            format!(
                "The new load raises the regions' combined peak by {text}; the most strained are {}.",
                list(&strained)
            )
        });
    }
    // 4. Cost and emissions.
    if let Some(firm) = run
        .ranges
        .text(year, "firm_capacity_needed_sum_mw", 1000.0, "GW")
    {
        let cost = run
            .ranges
            .get(year, "firm_capacity_cost_usd")
            .map(|r| r.central)
            .filter(|c| c.is_finite())
            .map(|c| format!(", ${} bn of overnight capital,", one(c / 1e9)))
            .unwrap_or_default();
        let co2 = run.ranges.text(year, "ai_co2_t", 1e6, "Mt").map_or_else(
            || "its CO2 is not known (no region of the set has an emission rate)".to_owned(),
            |t| format!("the new AI load emits {t} of CO2 a year"),
        );
        out.push(format!(
            "It needs {firm} of firm capacity beyond planned resources{cost} and {co2}."
        ));
    }
    // 5. Flexibility.
    let new_training: f64 = mean_by_region_year(&run.metrics, "new_training_energy_mwh")?
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|(_, v)| v)
        .sum();
    if new_training > 0.0 {
        if let Some(text) = run
            .ranges
            .text(year, "flexibility_avoided_sum_mw", 1000.0, "GW")
        {
            let depth = run
                .record
                .get("scenario")
                .and_then(|s| s.get("flexibility"))
                .and_then(|f| f.get("max_curtail_frac"))
                .and_then(toml::Value::as_float)
                .map_or_else(String::new, |d| format!(" by up to {:.0} %", d * 100.0));
            out.push(format!(
                "Letting new training defer its load{depth} in the tightest hours avoids {text} of that firm capacity."
            ));
        }
    } else {
        out.push(format!(
            "No new training load lands in {set_name} in {year}, so flexibility avoids nothing."
        ));
    }
    Ok(out)
}

/// "A, B and C".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Short findings: one or two sentences with one number each.
fn findings(run: &Run, report_year: i32) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !run.national_known() {
        out.push("The scenario states only its regions' loads (no national projection), so the national AI load is not known and nothing here splits training from inference.".to_owned());
    }
    let new_ai = mean_by_region_year(&run.metrics, "new_ai_energy_mwh")?;
    let hours = mean_by_region_year(&run.metrics, "hours")?;
    let curtailed = mean_by_region_year(&run.metrics, "training_curtailed_mwh")?;
    let new_training = mean_by_region_year(&run.metrics, "new_training_energy_mwh")?;
    let sum_year = |values: &[((String, i32), f64)], year: i32| -> f64 {
        values
            .iter()
            .filter(|((_, y), _)| *y == year)
            .map(|(_, v)| v)
            .sum()
    };
    for year in run.milestones() {
        let new_gw = new_ai
            .iter()
            .zip(&hours)
            .filter(|(((_, y), _), _)| *y == year)
            .map(|((_, e), (_, h))| e / h)
            .sum::<f64>()
            / 1000.0;
        if new_gw.abs() < 0.05 {
            out.push(format!(
                "{year}: no AI load is new on these regions — their measured load already holds it."
            ));
            continue;
        }
        let mut text = format!(
            "{year}: {} GW of new AI load on average, on top of what the measured load already holds.",
            one(new_gw)
        );
        match most_strained(&run.metrics, year, 1)?.first() {
            Some((region, weather, mw)) if *mw > 0.0 => text.push_str(&format!(
                " The most strained region, {}, goes {} GW above its threshold (weather of {weather}).",
                run.names.full(region),
                one(mw / 1000.0)
            )),
            _ => text.push_str(" No region goes above its threshold."),
        }
        out.push(text);
    }
    // The make-up of the load at the most strained region's peak hour.
    if let Some((region, _, residual)) = most_strained(&run.metrics, report_year, 1)?
        .into_iter()
        .find(|s| s.2 > 0.0)
    {
        let at_peak = mean_by_region_year(&run.metrics, "new_ai_at_peak_mw")?;
        let value = at_peak
            .iter()
            .find(|((r, y), _)| *r == region && *y == report_year)
            .map_or(f64::NAN, |(_, v)| *v);
        let _ = residual;
        out.push(format!(
            "At {}'s {report_year} peak hour the new AI load adds {} GW (mean over weather years).",
            run.names.full(&region),
            one(value / 1000.0)
        ));
    }
    let training_gwh = sum_year(&new_training, report_year) / 1000.0;
    if training_gwh > 0.0 {
        out.push(format!(
            "Flexibility curtails {:.2} % of new training energy in {report_year}: the tight hours are few.",
            100.0 * sum_year(&curtailed, report_year) / 1000.0 / training_gwh
        ));
    }
    let missing = run
        .set_year("regions_without_co2_rate")
        .unwrap_or_default()
        .get(&report_year)
        .copied()
        .unwrap_or(0.0);
    if missing > 0.0 {
        out.push(format!(
            "CO2 leaves out {missing:.0} region(s) without an emission rate: their emissions are not known, not zero."
        ));
    }
    Ok(out)
}

/// The key figures by milestone year (rows: figures; columns: years).
fn key_figures(run: &Run) -> Result<super::TextTable> {
    let years = run.milestones();
    let national = run.national_known();
    let hours = |y: i32| crate::time::hours_in_year(y) as f64;
    let firm = run.set_year("firm_capacity_needed_sum_mw")?;
    let gross = run.set_year("new_load_reserve_requirement_sum_mw")?;
    let cost = run.set_year("firm_capacity_cost_usd")?;
    let annual = run.set_year("firm_capacity_annual_cost_usd")?;
    let co2 = run.set_year("ai_co2_t")?;
    let avoided = [
        run.set_year("flexibility_avoided_depth_0_25_sum_mw")?,
        run.set_year("flexibility_avoided_depth_0_50_sum_mw")?,
        run.set_year("flexibility_avoided_depth_1_00_sum_mw")?,
    ];
    let curtailed = run.set_year("training_curtailed_mwh")?;
    let get = |m: &BTreeMap<i32, f64>, y: i32| m.get(&y).copied().unwrap_or(f64::NAN);
    let cell = |v: f64| {
        if v.is_finite() {
            one(v)
        } else {
            "not known".to_owned()
        }
    };
    let ranged = |y: i32, metric: &str, divide: f64| -> String {
        run.ranges.get(y, metric).map_or_else(
            || "not known".to_owned(),
            |r| {
                let value = if r.central.is_finite() {
                    r.central
                } else {
                    r.p50
                };
                if !value.is_finite() {
                    return "not known".to_owned();
                }
                if r.p5.is_finite() && r.p95.is_finite() {
                    format!(
                        "{} ({}–{})",
                        one(value / divide),
                        one(r.p5 / divide),
                        one(r.p95 / divide)
                    )
                } else {
                    one(value / divide)
                }
            },
        )
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: &str, f: &dyn Fn(i32) -> String| {
        rows.push(
            std::iter::once(label.to_owned())
                .chain(years.iter().map(|y| f(*y)))
                .collect(),
        );
    };
    if national {
        row("US AI load, average (GW): training", &|y| {
            cell(run.power_at("training_average_mw", y) / 1000.0)
        });
        row("US AI load, average (GW): inference", &|y| {
            cell(run.power_at("inference_average_mw", y) / 1000.0)
        });
    }
    row("AI load in these regions, average (GW)", &|y| {
        ranged(y, "ai_energy_mwh", hours(y) * 1000.0)
    });
    row("of which new, average (GW)", &|y| {
        ranged(y, "new_ai_energy_mwh", hours(y) * 1000.0)
    });
    row("combined peak increase (GW)", &|y| {
        ranged(y, "coincident_peak_increase_mw", 1000.0)
    });
    row("sum of residuals above threshold (GW)", &|y| {
        ranged(y, "residual_above_threshold_sum_mw", 1000.0)
    });
    row("firm capacity needed beyond planned resources (GW)", &|y| {
        ranged(y, "firm_capacity_needed_sum_mw", 1000.0)
    });
    row(
        "reserve requirement of the new load, before today's surplus (GW)",
        &|y| cell(get(&gross, y) / 1000.0),
    );
    row("overnight capital of that firm capacity (bn USD)", &|y| {
        ranged(y, "firm_capacity_cost_usd", 1e9)
    });
    row("its yearly cost (bn USD a year)", &|y| {
        format!("{:.2}", get(&annual, y) / 1e9)
    });
    row("CO2 of the new AI load (Mt a year)", &|y| {
        if get(&co2, y).is_finite() {
            ranged(y, "ai_co2_t", 1e6)
        } else {
            "not known".to_owned()
        }
    });
    row("training curtailed (GWh)", &|y| {
        cell(get(&curtailed, y) / 1000.0)
    });
    for (label, depth) in [
        (
            "firm capacity avoided by flexibility, 25 % depth (GW)",
            &avoided[0],
        ),
        ("… at 50 % depth (GW)", &avoided[1]),
        ("… at 100 % depth (GW)", &avoided[2]),
    ] {
        row(label, &|y| cell(get(depth, y) / 1000.0));
    }
    let _ = (&firm, &cost);
    Ok((
        "Key figures by year (central case; range in brackets)".to_owned(),
        std::iter::once("figure".to_owned())
            .chain(years.iter().map(ToString::to_string))
            .collect(),
        rows,
    ))
}

/// The most strained regions of the report year.
fn strained_table(run: &Run, year: i32) -> Result<super::TextTable> {
    let peak_increase = mean_by_region_year(&run.metrics, "peak_increase_mw")?;
    let after = mean_by_region_year(&run.metrics, "hours_above_threshold_after")?;
    let curtailed = mean_by_region_year(&run.metrics, "training_curtailed_mwh")?;
    let rows = most_strained(&run.metrics, year, 10)?
        .iter()
        .map(|(region, w, mw)| {
            let get = |v: &[((String, i32), f64)]| {
                v.iter()
                    .find(|((r, y), _)| r == region && *y == year)
                    .map_or(f64::NAN, |(_, x)| *x)
            };
            vec![
                run.names.full(region),
                format!("{mw:.0}"),
                w.to_string(),
                format!("{:.0}", get(&peak_increase)),
                format!("{:.0}", get(&after)),
                format!("{:.0}", get(&curtailed)),
            ]
        })
        .collect();
    Ok((
        format!("The most strained regions in {year}"),
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
        rows,
    ))
}

/// Every region's peak increase and headroom, for the appendix.
fn appendix(run: &Run, year: i32) -> Result<Vec<super::TextTable>> {
    let peak_increase = mean_by_region_year(&run.metrics, "peak_increase_mw")?;
    let residual = most_strained(&run.metrics, year, usize::MAX)?;
    let mut rows: Vec<(String, f64, f64)> = peak_increase
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|((r, _), v)| {
            let worst = residual
                .iter()
                .find(|s| s.0 == *r)
                .map_or(f64::NAN, |s| s.2);
            (r.clone(), *v, worst)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (items, regions_x, xs, ys) = (
        run.extra.text("item")?,
        run.extra.text("region")?,
        run.extra.num("x")?,
        run.extra.num("y")?,
    );
    let headroom_at = |region: &str, limit: f64| -> f64 {
        (0..run.extra.height)
            .find(|&i| {
                items[i] == "headroom" && regions_x[i] == region && (xs[i] - limit).abs() < 1e-9
            })
            .map_or(f64::NAN, |i| ys[i] / 1000.0)
    };
    Ok(vec![(
        format!("Every region in {year}: peak increase, residual and headroom"),
        [
            "region",
            "peak increase, mean (MW)",
            "residual above threshold, worst weather year (MW)",
            "headroom at 0.25 % (GW)",
            "at 0.5 % (GW)",
            "at 1 % (GW)",
            "at 5 % (GW)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows.iter()
            .map(|(r, up, worst)| {
                let mut row = vec![run.names.full(r), format!("{up:.0}"), format!("{worst:.0}")];
                row.extend(
                    data::HEADROOM_LIMITS_FRAC
                        .iter()
                        .map(|l| format!("{:.2}", headroom_at(r, l * 100.0))),
                );
                row
            })
            .collect(),
    )])
}

// ---------------------------------------------------------------- charts

/// 1. AI energy by workload and year, the crossover marked on the plotted basis.
fn energy_chart(run: &Run) -> Result<Chart> {
    let (first, last) = (run.first(), run.last());
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let scaled = |column: &str| -> Result<Vec<f64>> {
        Ok(run.power.num(column)?.iter().map(|v| v / 1e6).collect())
    };
    let (accelerator, energy) = run.crossovers();
    let year_or =
        |year: Option<i32>, none: &str| year.map_or_else(|| none.to_owned(), |y| y.to_string());
    if !run.national_known() {
        return regional_energy_chart(run);
    }
    let (training_twh, inference_twh, title, subtitle, caption) = {
        (
            scaled("training_facility_mwh")?,
            scaled("inference_facility_mwh")?,
            "US AI data-centre energy by workload".to_owned(),
            format!(
                "Facility energy of training and inference, {first}–{last}, in TWh per year. The marker is where these lines cross (energy basis: {}); on the accelerator-hour basis (compute spending) inference overtakes training in {}.",
                year_or(energy, "not within the study"),
                year_or(accelerator, "no year of the study"),
            ),
            format!(
                "From power_by_year.csv. Inference overtakes training in energy in {}; in accelerator-hours (compute spending, the scenario's crossover basis) in {} — inference runs its chips at lower power, so its energy share lags.",
                year_or(energy, "no year of the study"),
                year_or(accelerator, "no year of the study"),
            ),
        )
    };
    let marker = energy.map(|c| (f64::from(c), "inference overtakes training (energy)"));
    Ok(Chart {
        id: "ai_energy",
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
            ("year", "TWh per year"),
            marker,
            (true, true),
        ),
        title,
        header: vec![
            "year".into(),
            "training (TWh)".into(),
            "inference (TWh)".into(),
        ],
        rows: run
            .years
            .iter()
            .enumerate()
            .map(|(i, y)| vec![y.to_string(), one(training_twh[i]), one(inference_twh[i])])
            .collect(),
        caption,
    })
}

/// 1 (a study of regional loads alone): its own regions' new AI energy, one line — the
/// forecasts do not split training from inference.
fn regional_energy_chart(run: &Run) -> Result<Chart> {
    let (first, last) = (run.first(), run.last());
    let values = mean_by_region_year(&run.metrics, "new_ai_energy_mwh")?;
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let twh: Vec<f64> = run
        .years
        .iter()
        .map(|y| {
            values
                .iter()
                .filter(|((_, yy), _)| yy == y)
                .map(|(_, v)| v)
                .sum::<f64>()
                / 1e6
        })
        .collect();
    let title = format!("New AI energy in {}", run.set_name);
    Ok(Chart {
        id: "ai_energy",
        svg: charts::lines(
            &title,
            &format!(
                "New AI facility energy in the study's regions, {first}–{last}, TWh per year (the scenario states regional loads only: no national projection, no split between training and inference)."
            ),
            &x,
            &[Series {
                name: "new AI",
                color: ORANGE,
                values: twh.clone(),
            }],
            &[],
            ("year", "TWh per year"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "new AI (TWh)".into()],
        rows: run
            .years
            .iter()
            .zip(&twh)
            .map(|(y, v)| vec![y.to_string(), one(*v)])
            .collect(),
        caption: "From metrics.parquet (new AI energy, mean over weather years).".to_owned(),
    })
}

/// 2. Peak increase of the most strained regions, grouped by ISO.
fn peak_increase_chart(run: &Run, year: i32, charted: &[String]) -> Result<Chart> {
    let increase = mean_by_region_year(&run.metrics, "peak_increase_mw")?;
    let value = |region: &str| {
        increase
            .iter()
            .find(|((r, y), _)| r == region && *y == year)
            .map_or(f64::NAN, |(_, v)| v / 1000.0)
    };
    let labels: Vec<String> = charted.iter().map(|r| group_label(run, r)).collect();
    let values: Vec<f64> = charted.iter().map(|r| value(r)).collect();
    let all = run
        .names
        .by_id
        .len()
        .max(increase.len() / run.years.len().max(1));
    let title = format!("Peak increase of the most strained regions, {year}");
    Ok(Chart {
        id: "peak_increase_by_region",
        svg: charts::bars(
            &title,
            &format!(
                "How much the new AI load raises the annual peak of the {} most strained regions in {year}, grouped by ISO, mean over weather years, in GW.",
                charted.len()
            ),
            &labels,
            &[Series {
                name: "peak increase",
                color: RED,
                values: values.clone(),
            }],
            "peak increase (GW)",
        ),
        title,
        header: vec!["region".into(), "peak increase (GW)".into()],
        rows: charted
            .iter()
            .zip(&values)
            .map(|(r, v)| vec![run.names.full(r), format!("{v:.2}")])
            .collect(),
        caption: format!(
            "From metrics.parquet (peak_increase_mw). The {} most strained of {all} regions, by residual above threshold; every region is in the appendix.",
            charted.len()
        ),
    })
}

/// Regions the map needs before it is drawn (a handful reads better as a table).
const MAP_MIN_REGIONS: usize = 6;

/// The regions at their load centres, coloured by how far their load goes above the
/// threshold in their worst weather year.
fn strain_map(run: &Run, year: i32) -> Result<Option<Chart>> {
    let strained = most_strained(&run.metrics, year, usize::MAX)?;
    let placed: Vec<&(String, i32, f64)> = strained
        .iter()
        .filter(|(r, _, _)| run.names.points.contains_key(r))
        .collect();
    if placed.len() < MAP_MIN_REGIONS {
        return Ok(None);
    }
    const LABELLED: usize = 8;
    let points: Vec<charts::MapPoint> = placed
        .iter()
        .enumerate()
        .map(|(k, (region, _, residual))| {
            let (latitude, longitude, place) = &run.names.points[region];
            let short = place.split(" (").next().unwrap_or(place);
            charts::MapPoint {
                longitude: *longitude,
                latitude: *latitude,
                value: residual / 1000.0,
                label: (k < LABELLED && *residual > 0.0).then(|| short.to_owned()),
            }
        })
        .collect();
    let left_out = strained.len() - placed.len();
    let title = format!("Where the grid is strained, {year}");
    Ok(Some(Chart {
        id: "strain_map",
        svg: charts::map(
            &title,
            &format!(
                "Each region of the study as a circle at the city or load centre it mostly serves, coloured by how far its load with the new data centres goes above its threshold in its worst weather year of {year} (GW); the {LABELLED} most strained are named."
            ),
            &points,
            [0.0, 0.5, 2.0, 5.0],
            ["none", "up to 0.5 GW", "0.5–2 GW", "2–5 GW", "over 5 GW"],
        ),
        title,
        header: vec![
            "region".into(),
            "placed at".into(),
            "residual above threshold, worst weather year (GW)".into(),
        ],
        rows: placed
            .iter()
            .map(|(r, _, v)| {
                vec![
                    run.names.full(r),
                    run.names.points[r].2.clone(),
                    format!("{:.2}", v / 1000.0),
                ]
            })
            .collect(),
        caption: format!(
            "From metrics.parquet; each region is a point at the city or load centre it mostly serves (regions/catalogue/load_centres.csv), not its boundary.{}",
            if left_out > 0 {
                format!(
                    " {left_out} region(s) without a point are left off the map (they are in the tables)."
                )
            } else {
                String::new()
            }
        ),
    }))
}

/// A region's label on a chart of regions: its ISO first when it is a zone.
fn group_label(run: &Run, region: &str) -> String {
    let parent = run.names.parent(region);
    let label = run.names.short(region, LABEL_CHARS);
    if parent.is_empty() {
        label
    } else {
        format!("{parent} · {label}")
    }
}

/// The peak week of the most strained region in its local time (chart 3), and its
/// load-duration curves before and after flexibility (chart 4).
fn peak_week_charts(run: &Run, year: i32) -> Result<Vec<Chart>> {
    let extra = &run.extra;
    let (items, regions_x, series_x) = (
        extra.text("item")?,
        extra.text("region")?,
        extra.text("series")?,
    );
    let (ys, weather_x) = (extra.num("y")?, extra.num("weather_year")?);
    let pick = |item: &str, region: &str, series: &str| -> Vec<f64> {
        (0..extra.height)
            .filter(|&i| items[i] == item && regions_x[i] == region && series_x[i] == series)
            .map(|i| ys[i] / 1000.0)
            .collect()
    };
    let Some((region, _, _)) = most_strained(&run.metrics, year, 1)?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let weather_year = (0..extra.height)
        .find(|&i| items[i] == "peak_week" && regions_x[i] == region)
        .map_or(0, |i| weather_x[i] as i32);
    let baseline = pick("peak_week", &region, "baseline");
    let inference = pick("peak_week", &region, "new_inference");
    let training = pick("peak_week", &region, "new_training_after_flex");
    let curtailed = pick("peak_week", &region, "curtailed_training");
    let threshold = pick("peak_week", &region, "threshold");
    let name = run.names.full(&region);
    // The week's first hour (UTC epoch hour) in the region's time zone.
    let start_hour = (0..extra.height)
        .find(|&i| items[i] == "peak_week_start" && regions_x[i] == region)
        .map(|i| ys[i]);
    let zone = run.names.time_zone(&region);
    let start = start_hour
        .and_then(|h| chrono::DateTime::from_timestamp(h as i64 * 3600, 0))
        .zip(zone);
    let (axis, tick): (String, Box<dyn Fn(f64) -> String>) = match start {
        Some((utc, tz)) => {
            let local = utc.with_timezone(&tz);
            (
                format!(
                    "local time ({}), ticks at {}",
                    tz.name(),
                    local.format("%H:%M")
                ),
                Box::new(move |days: f64| {
                    (local + chrono::Duration::hours((days * 24.0).round() as i64))
                        .format("%a %-d %b")
                        .to_string()
                }),
            )
        }
        None => (
            "days of the peak week".to_owned(),
            Box::new(|days: f64| format!("day {:.0}", days + 1.0)),
        ),
    };
    let title = format!("{name}: the peak week of {year} (weather of {weather_year})");
    let hour_label = |t: usize| match start {
        Some((utc, tz)) => (utc + chrono::Duration::hours(t as i64))
            .with_timezone(&tz)
            .format("%a %-d %b %H:%M")
            .to_string(),
        None => t.to_string(),
    };
    let week = Chart {
        id: "peak_week",
        svg: charts::stacked_hours(
            &title,
            &format!(
                "Hourly load of {name} over the week around its {year} peak, stacked: baseline, new inference, new training after flexibility, and the training curtailed; the black line is the threshold. GW."
            ),
            &[
                Series {
                    name: "baseline",
                    color: GREY,
                    values: baseline.clone(),
                },
                Series {
                    name: "new inference",
                    color: ORANGE,
                    values: inference.clone(),
                },
                Series {
                    name: "new training",
                    color: BLUE,
                    values: training.clone(),
                },
                Series {
                    name: "training curtailed",
                    color: RED,
                    values: curtailed.clone(),
                },
            ],
            &threshold,
            "load (GW)",
            (&axis, &*tick),
        ),
        title,
        header: [
            "local time",
            "baseline (GW)",
            "new inference (GW)",
            "new training (GW)",
            "curtailed (GW)",
            "threshold (GW)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: (0..threshold.len())
            .step_by(6)
            .map(|t| {
                vec![
                    hour_label(t),
                    format!("{:.2}", baseline[t]),
                    format!("{:.2}", inference[t]),
                    format!("{:.2}", training[t]),
                    format!("{:.2}", curtailed[t]),
                    format!("{:.2}", threshold[t]),
                ]
            })
            .collect(),
        caption: format!(
            "From report_data.parquet (every 6th hour in the table). The study year's calendar carries the weather of {weather_year}, aligned on weekdays."
        ),
    };
    let before = pick("load_duration", &region, "before_flex");
    let after = pick("load_duration", &region, "after_flex");
    let pct: Vec<f64> = (0..before.len()).map(|i| i as f64).collect();
    let top_before = before.first().copied().unwrap_or(0.0);
    let lowered = top_before - after.first().copied().unwrap_or(0.0);
    let title = format!("{name}: load-duration curve, {year}");
    let same = top_before > 0.0 && lowered < 0.02 * top_before;
    let duration = Chart {
        id: "load_duration",
        svg: charts::lines(
            &title,
            &format!(
                "{name}'s total load in {year} sorted from the highest hour down, before and after training flexibility, in GW against the percent of hours."
            ),
            &pct,
            &[
                Series {
                    name: "before flexibility",
                    color: RED,
                    values: before.clone(),
                },
                Series {
                    name: "after flexibility",
                    color: GREEN,
                    values: after.clone(),
                },
            ],
            &[],
            ("percent of hours of the year", "load (GW)"),
            None,
            (true, false),
        ),
        title,
        header: vec![
            "% of hours".into(),
            "before (GW)".into(),
            "after (GW)".into(),
        ],
        rows: (0..before.len())
            .step_by(10)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("{:.2}", before[i]),
                    format!("{:.2}", after[i]),
                ]
            })
            .collect(),
        caption: if same {
            format!(
                "From report_data.parquet. The two curves lie on top of each other, and that is the finding: within its depth and energy budget, flexibility lowers {name}'s highest hour by only {:.2} GW of {} GW ({:.1} %).",
                lowered,
                one(top_before),
                100.0 * lowered / top_before
            )
        } else {
            format!(
                "From report_data.parquet. Flexibility lowers {name}'s highest hour by {:.2} GW (from {} to {} GW).",
                lowered,
                one(top_before),
                one(top_before - lowered)
            )
        },
    };
    Ok(vec![week, duration])
}

/// 5. Headroom of the charted regions at each limit.
fn headroom_chart(run: &Run, charted: &[String]) -> Result<Chart> {
    let extra = &run.extra;
    let (items, regions_x, xs, ys) = (
        extra.text("item")?,
        extra.text("region")?,
        extra.num("x")?,
        extra.num("y")?,
    );
    let limits: Vec<f64> = data::HEADROOM_LIMITS_FRAC
        .iter()
        .map(|l| l * 100.0)
        .collect();
    let at = |region: &str, limit: f64| -> f64 {
        (0..extra.height)
            .find(|&i| {
                items[i] == "headroom" && regions_x[i] == region && (xs[i] - limit).abs() < 1e-9
            })
            .map_or(f64::NAN, |i| ys[i] / 1000.0)
    };
    let total: Vec<f64> = limits.iter().map(|l| at("total", *l)).collect();
    let colors = [SKY, BLUE, PURPLE, RED];
    let names = ["0.25 %", "0.5 %", "1 %", "5 %"];
    let title = "Curtailment-enabled headroom of the most strained regions".to_owned();
    Ok(Chart {
        id: "headroom",
        svg: charts::bars(
            &title,
            "New flexible load each of the most strained regions could take (GW) if it accepted curtailment of 0.25, 0.5, 1 or 5 % of its energy, over every year of its data (Norris et al. 2025 method).",
            &charted
                .iter()
                .map(|r| group_label(run, r))
                .collect::<Vec<_>>(),
            &limits
                .iter()
                .zip(colors)
                .zip(names)
                .map(|((l, c), n)| Series {
                    name: n,
                    color: c,
                    values: charted.iter().map(|r| at(r, *l)).collect(),
                })
                .collect::<Vec<_>>(),
            "headroom (GW)",
        ),
        title,
        header: std::iter::once("region".to_owned())
            .chain(names.iter().map(|n| format!("at {n} (GW)")))
            .collect(),
        rows: charted
            .iter()
            .map(|r| {
                std::iter::once(run.names.full(r))
                    .chain(limits.iter().map(|l| format!("{:.2}", at(r, *l))))
                    .collect()
            })
            .collect(),
        caption: format!(
            "From report_data.parquet; every region is in the appendix. All regions of the set together: {} GW at 0.25 %, {} GW at 0.5 %, {} GW at 1 %, {} GW at 5 %.",
            one(total[0]),
            one(total[1]),
            one(total[2]),
            one(total[3])
        ),
    })
}

/// 6. The run beside the grid operators' own forecasts.
fn reality_chart(run: &Run, year: i32) -> Result<Chart> {
    let reality = &run.reality;
    let (r_regions, r_years) = (reality.text("region")?, reality.num("year")?);
    let (r_run, r_op) = (
        reality.num("run_new_datacentre_mw")?,
        reality.num("operator_mw")?,
    );
    let known: Vec<&String> = run.metrics.text("region")?.iter().collect();
    let usable = |i: usize| known.contains(&&r_regions[i]) && r_op[i].is_finite();
    let mut picked: Vec<usize> = (0..reality.height)
        .filter(|&i| usable(i) && r_years[i] as i32 == year)
        .collect();
    if picked.is_empty() {
        picked = (0..reality.height)
            .filter(|&i| usable(i))
            .take(16)
            .collect();
    }
    let status = reality.text("operator_status")?;
    let no_vintage = vec![String::new(); reality.height];
    let vintage: &[String] = reality.text("operator_vintage").unwrap_or(&no_vintage);
    let label = |i: usize, full: bool| {
        let published = if vintage[i].is_empty() {
            String::new()
        } else {
            format!(", {}", vintage[i])
        };
        let name = if full {
            run.names.full(&r_regions[i])
        } else {
            run.names.short(&r_regions[i], 30)
        };
        format!(
            "{name} {} ({}{published})",
            r_years[i] as i32,
            status[i].replace('_', " ")
        )
    };
    let title = format!("This run beside the grid operators' own forecasts, {year}");
    Ok(Chart {
        id: "reality_check",
        svg: charts::bars(
            &title,
            &format!("New AI load at each region's peak hour in this run and the data-centre or large-load figure its grid operator published for {year} (or the nearest years published), GW; in brackets whether the operator's figure is requested, expected (an adjusted forecast) or approved load."),
            &picked.iter().map(|&i| label(i, false)).collect::<Vec<_>>(),
            &[
                Series { name: "this run", color: BLUE, values: picked.iter().map(|&i| r_run[i] / 1000.0).collect() },
                Series { name: "operator", color: GREY, values: picked.iter().map(|&i| r_op[i] / 1000.0).collect() },
            ],
            "new AI load at the peak hour (GW)",
        ),
        title,
        header: vec!["region, year (status of the operator's figure, published)".into(), "this run (GW)".into(), "operator (GW)".into()],
        rows: picked.iter().map(|&i| vec![label(i, true), format!("{:.2}", r_run[i] / 1000.0), format!("{:.2}", r_op[i] / 1000.0)]).collect(),
        caption: "From reality_check.csv (each figure's basis, status and source, and the reason the run differs, are there).".to_owned(),
    })
}

/// 7. Emissions by year (none when no region of the set has an emission rate).
fn emissions_chart(run: &Run) -> Result<Option<Chart>> {
    let co2 = run.set_year("ai_co2_t")?;
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let co2_mt: Vec<f64> = run
        .years
        .iter()
        .map(|y| co2.get(y).copied().unwrap_or(f64::NAN) / 1e6)
        .collect();
    if !co2_mt.iter().any(|v| v.is_finite()) {
        return Ok(None);
    }
    let title = format!("CO2 of the new AI load, {}", run.set_name);
    Ok(Some(Chart {
        id: "emissions",
        svg: charts::lines(
            &title,
            "Emissions of the new AI energy delivered in the set's regions, at each region's eGRID rate, Mt CO2 per year (mean over weather years).",
            &x,
            &[Series {
                name: "AI CO2",
                color: PURPLE,
                values: co2_mt.clone(),
            }],
            &[],
            ("year", "Mt CO2 per year"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "Mt CO2".into()],
        rows: run
            .years
            .iter()
            .zip(&co2_mt)
            .map(|(y, v)| vec![y.to_string(), one(*v)])
            .collect(),
        caption: "From regionset_metrics.parquet (ai_co2_t).".to_owned(),
    }))
}

/// 8. The overnight capital of the firm capacity needed, by year.
fn cost_chart(run: &Run) -> Result<Chart> {
    let cost = run.set_year("firm_capacity_cost_usd")?;
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let cost_bn: Vec<f64> = run
        .years
        .iter()
        .map(|y| cost.get(y).copied().unwrap_or(f64::NAN) / 1e9)
        .collect();
    let title = format!(
        "Overnight cost of the firm capacity the new data-centre load calls for, {}",
        run.set_name
    );
    Ok(Chart {
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
        rows: run.years.iter().zip(&cost_bn).map(|(y, v)| vec![y.to_string(), one(*v)]).collect(),
        caption: "From regionset_metrics.parquet (firm_capacity_cost_usd): overnight capital for the whole need, not a yearly cost.".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["A".into()]), "A");
        assert_eq!(list(&["A".into(), "B".into(), "C".into()]), "A, B and C");
    }
}
