//! The report of a `run` folder: a first screen that stands alone (title in words, date,
//! version, inputs, and an executive summary of at most five sentences with ranges), short
//! findings, a table of key figures by year, the charts, and the glossary, methods and
//! full tables as appendices. Every number is read from the folder's files.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::data::most_strained;
use super::{
    Names, Ranges, Report, mean_by_region_year, read_csv_rows, read_rows, set_mean_by_year,
};
use crate::output::record::RunRecordFile;
use crate::results::{MetricsRow, PowerRow, RealityCheckRow, ReportDataRow, SetMetricsRow};

mod figures;
mod summary;

use self::figures::{
    cost_chart, emissions_chart, energy_chart, headroom_chart, peak_increase_chart,
    peak_week_charts, reality_chart, strain_map,
};
use self::summary::{appendix, executive_summary, findings, key_figures, strained_table};

pub(super) const REGIONS_CHARTED: usize = 10;
/// Characters of a region's label on a chart's axis.
pub(super) const LABEL_CHARS: usize = 44;

/// The run folder's files, read once.
struct Run {
    record: RunRecordFile,
    metrics: Vec<MetricsRow>,
    sets: Vec<SetMetricsRow>,
    /// One row per year, in year order.
    power: Vec<PowerRow>,
    reality: Vec<RealityCheckRow>,
    /// `report_data.parquet`: the report year's peak weeks, load-duration and headroom
    /// curves.
    extra: Vec<ReportDataRow>,
    names: Names,
    ranges: Ranges,
    set_id: String,
    set_name: String,
    years: Vec<i32>,
}

impl Run {
    fn read(dir: &Path) -> Result<Self> {
        let record = RunRecordFile::read(dir)?;
        let power: Vec<PowerRow> = read_csv_rows(&dir.join(crate::output::POWER_FILE_NAME))?;
        let years: Vec<i32> = power.iter().map(|p| p.year).collect();
        if years.is_empty() {
            anyhow::bail!("{}: power_by_year.csv is empty", dir.display());
        }
        let set_id = Some(record.region_set.id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| "regions".to_owned());
        let set_name = record
            .region_set
            .label()
            .map_or_else(|| set_id.clone(), str::to_owned);
        Ok(Self {
            metrics: read_rows(&dir.join("metrics.parquet"))?,
            sets: read_rows(&dir.join("regionset_metrics.parquet"))?,
            reality: read_csv_rows(&dir.join(crate::output::REALITY_CHECK_FILE_NAME))?,
            extra: read_rows(&dir.join(super::REPORT_DATA))?,
            names: Names::read(dir)?,
            ranges: Ranges::read(dir)?,
            power,
            record,
            set_id,
            set_name,
            years,
        })
    }

    fn first(&self) -> i32 {
        self.years[0]
    }

    fn last(&self) -> i32 {
        self.years[self.years.len() - 1]
    }

    /// A `power_by_year.csv` value of `year` (NaN when absent).
    fn power_at(&self, value: impl Fn(&PowerRow) -> f64, year: i32) -> f64 {
        self.power
            .iter()
            .find(|p| p.year == year)
            .map_or(f64::NAN, value)
    }

    /// Whether the scenario projects the nation's AI load (a study of regional loads
    /// alone does not).
    fn national_known(&self) -> bool {
        self.years.iter().any(|y| {
            self.power_at(|p| p.training_facility_mwh, *y)
                + self.power_at(|p| p.inference_facility_mwh, *y)
                > 0.0
        })
    }

    /// The first year inference's share passes one half, on the accelerator-hour basis
    /// (when the run has one) and on the energy basis.
    fn crossovers(&self) -> (Option<i32>, Option<i32>) {
        let first_over = |share: fn(&PowerRow) -> Option<f64>| {
            self.years.iter().copied().find(|y| {
                let share = self.power_at(|p| share(p).unwrap_or(f64::NAN), *y);
                share.is_finite() && share >= 0.5
            })
        };
        let energy = self.years.iter().copied().find(|y| {
            let (t, i) = (
                self.power_at(|p| p.training_facility_mwh, *y),
                self.power_at(|p| p.inference_facility_mwh, *y),
            );
            i > 0.0 && i >= t
        });
        (
            first_over(|p| p.inference_share_accelerator_hours_frac),
            energy,
        )
    }

    /// The year the charts show (the report data's), and the years findings speak of.
    fn report_year(&self) -> i32 {
        let (accelerator, energy) = self.crossovers();
        self.extra
            .first()
            .map(|row| row.year)
            .or(accelerator.or(energy))
            .unwrap_or_else(|| self.last())
    }

    fn milestones(&self) -> Vec<i32> {
        let recorded: Vec<i32> = self
            .record
            .milestone_years
            .iter()
            .copied()
            .filter(|y| self.years.contains(y))
            .collect();
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

    /// The year the executive summary speaks of: the report year when it is a
    /// milestone, else the last milestone before it (a utility's forecast years).
    fn summary_year(&self, report_year: i32) -> i32 {
        let milestones = self.milestones();
        if milestones.contains(&report_year) {
            return report_year;
        }
        milestones
            .iter()
            .copied()
            .filter(|y| *y <= report_year)
            .max()
            .unwrap_or(report_year)
    }

    /// Mean over weather years of a value of the set's own rows, per year.
    fn set_year(&self, value: impl Fn(&SetMetricsRow) -> f64) -> BTreeMap<i32, f64> {
        set_mean_by_year(&self.sets, value, &self.set_id)
    }

    /// A region's headroom at `limit_pct` (percent of hours) in the report year, GW
    /// (`report_data.parquet`; NaN when not there).
    fn headroom_gw(&self, region: &str, limit_pct: f64) -> f64 {
        self.extra
            .iter()
            .find(|e| e.item == "headroom" && e.region == region && (e.x - limit_pct).abs() < 1e-9)
            .map_or(f64::NAN, |e| e.y / 1000.0)
    }

    /// A declared range of the scenario's `[uncertainty."path"]` table: (low, high).
    fn declared_range(&self, path: &str) -> Option<(f64, f64)> {
        let table = self.record.scenario.uncertainty.get(path)?;
        Some((table.low?, table.high?))
    }

    /// The regions the charts of regions show: the most strained of `year` (by
    /// residual above threshold, then peak increase), grouped by the ISO they lie in.
    fn charted_regions(&self, year: i32) -> Result<Vec<String>> {
        let increase = mean_by_region_year(&self.metrics, |m| m.peak_increase_mw);
        let mut ranked: Vec<(String, f64, f64)> = most_strained(&self.metrics, year, usize::MAX)
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
pub(in crate::report) fn run_report(dir: &Path) -> Result<Report> {
    let run = Run::read(dir)?;
    let report_year = run.report_year();
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
        summary: executive_summary(&run, run.summary_year(report_year))?,
        summary_note: range_note(&run),
        findings: findings(&run, run.summary_year(report_year))?,
        tables: vec![key_figures(&run)?, strained_table(&run, report_year)?],
        charts,
        glossary: super::GLOSSARY.to_vec(),
        methods: super::METHODS.iter().map(|s| (*s).to_owned()).collect(),
        appendix: appendix(&run, report_year)?,
    })
}

fn subtitle(run: &Run) -> String {
    let scenario = &run.record.scenario;
    format!("Scenario “{}”: {}", scenario.name, scenario.description)
}

/// Date, program version and the inputs in one line.
fn meta_line(run: &Run) -> String {
    let file = |named: &str| {
        Path::new(named)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    };
    let weather = &run.record.weather_years;
    let weather_text = match (weather.first(), weather.last()) {
        (Some(a), Some(b)) if a != b => format!("{} weather years ({a}–{b})", weather.len()),
        (Some(a), _) => format!("the weather of {a}"),
        _ => "no weather years recorded".to_owned(),
    };
    let regions = run.names.by_id.len();
    format!(
        "Run on {} with gridstrain {}. Inputs: scenario {}, region set {}{}; hourly load from EIA-930 with {weather_text}; study years {}–{}.",
        run.record
            .run_on
            .clone()
            .unwrap_or_else(|| "(date not recorded)".to_owned()),
        run.record.version,
        file(&run.record.scenario_file).unwrap_or_else(|| "(not recorded)".to_owned()),
        file(&run.record.regions_file).unwrap_or_else(|| run.set_id.clone()),
        if regions > 0 {
            format!(" ({regions} region{})", if regions == 1 { "" } else { "s" })
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
