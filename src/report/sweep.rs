//! The report of a `sweep` folder: how sure the numbers are. Its first screen gives the
//! key outputs as median and 90 % band beside the central case, and names the inputs
//! that drive each spread (`drivers.csv`: Spearman's rank correlation); the input ranges
//! swept, the central case by year and the bands follow.
use std::path::Path;

use anyhow::Result;

use super::charts::{self, BLUE, Band, RED, SKY, Series};
use super::{Chart, Names, Ranges, Report, TextTable, one, read_csv_rows, read_rows};
use crate::output::record::RunRecordFile;
use crate::results::{BandRow, DriverRow};

/// Inputs named per output in the drivers table.
const DRIVERS_SHOWN: usize = 3;

/// A plain name for an uncertain input's key path (the path itself when unknown).
fn input_name(path: &str) -> String {
    let indexed = |prefix: &str, suffix: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .map(str::to_owned)
    };
    if let Some(i) = indexed("compute.crossover.growth[", "].energy_factor_per_year") {
        return format!("AI energy growth per year (step {i} of the growth path)");
    }
    if let Some(i) = indexed("compute.crossover.growth[", "].factor_per_year") {
        return format!("compute growth per year (step {i} of the growth path)");
    }
    if let Some(i) = indexed("regional_load[", "].realisation_frac") {
        return format!("share of the forecast large load that is built (forecast {i})");
    }
    if let Some(i) = indexed("regional_load[", "].mw_scale") {
        return format!("scale of the forecast large load (forecast {i})");
    }
    match path {
        "compute.crossover.calibration.it_energy_twh" => {
            "AI-server electricity in the calibration year (TWh)"
        }
        "compute.crossover.calibration.base_it_energy_twh" => {
            "AI-server electricity in the base year (TWh)"
        }
        "compute.crossover.crossover_year" => "year inference overtakes training",
        "compute.growth.training_factor_per_year" => "training compute growth per year",
        "compute.growth.inference_factor_per_year" => "inference compute growth per year",
        "hardware.trend.flop_per_watt_factor_per_year" => "accelerator efficiency gain per year",
        "training.utilization_frac" => "training utilization",
        "inference.utilization_frac" => "inference utilization",
        "training.power_frac" => "training average draw (share of rated power)",
        "inference.power_frac" => "inference average draw (share of rated power)",
        "facility.pue" => "PUE (facility energy over IT energy)",
        "inference.shape_amplitude" => "daily swing of inference load",
        "flexibility.max_curtail_frac" => "curtailment depth (share of training power)",
        "flexibility.max_curtailed_energy_frac" => "curtailment budget (share of training energy)",
        "regions.baseline_growth_per_year_frac" => "growth of other load per year",
        "regions.existing_datacenter_scale" => "scale of today's data-centre load",
        "weather_year" => "weather year",
        other => other,
    }
    .to_owned()
}

/// The key outputs the report speaks of: (metric, words, divide, unit).
const OUTPUTS: [(&str, &str, f64, &str); 5] = [
    (
        "ai_energy_mwh",
        "AI load in the regions, average",
        0.0,
        "GW",
    ),
    (
        "coincident_peak_increase_mw",
        "combined peak increase",
        1e3,
        "GW",
    ),
    (
        "firm_capacity_needed_sum_mw",
        "firm capacity needed beyond planned resources",
        1e3,
        "GW",
    ),
    ("ai_co2_t", "CO2 of the new AI load", 1e6, "Mt a year"),
    (
        "flexibility_avoided_sum_mw",
        "firm capacity flexibility avoids",
        1e3,
        "GW",
    ),
];

/// The divisor of an output in `year` (energy → average GW needs the year's hours).
fn divisor(metric_divide: f64, year: i32) -> f64 {
    if metric_divide == 0.0 {
        crate::time::hours_in_year(year) as f64 * 1000.0
    } else {
        metric_divide
    }
}

/// A sweep folder, read: its record, bands and drivers, the names of its regions.
struct Sweep {
    record: RunRecordFile,
    /// The years the bands hold.
    years: Vec<i32>,
    bands: Vec<BandRow>,
    /// `drivers.csv` (none in a folder written before it was).
    drivers: Option<Vec<DriverRow>>,
    ranges: Ranges,
    names: Names,
    set_name: String,
}

impl Sweep {
    fn read(dir: &Path) -> Result<Self> {
        let record = RunRecordFile::read(dir)?;
        let bands: Vec<BandRow> = read_rows(&dir.join("bands.parquet"))?;
        let drivers_path = dir.join(crate::output::sweep::DRIVERS_FILE_NAME);
        let drivers = if drivers_path.is_file() {
            Some(read_csv_rows(&drivers_path)?)
        } else {
            None
        };
        let set_name = record
            .region_set
            .label()
            .unwrap_or("the study's regions")
            .to_owned();
        let mut years: Vec<i32> = bands.iter().map(|b| b.year).collect();
        years.sort_unstable();
        years.dedup();
        Ok(Self {
            record,
            years,
            bands,
            drivers,
            ranges: Ranges::read(dir)?,
            names: Names::read(dir)?,
            set_name,
        })
    }

    /// The scenario's `[compute.crossover]` table, if it has one.
    fn crossover(&self) -> Option<&crate::input::scenario::RawCrossover> {
        match self.record.scenario.compute.as_ref()? {
            crate::input::scenario::RawCompute::Crossover(crossover) => Some(crossover),
            _ => None,
        }
    }

    /// The year the first screen speaks of: the scenario's crossover year when the sweep
    /// covers it, else the last year.
    fn key_year(&self) -> i32 {
        let last = self.years.last().copied().unwrap_or(0);
        self.crossover()
            .map(|c| c.crossover_year)
            .filter(|y| self.years.contains(y))
            .unwrap_or(last)
    }

    /// The strongest drivers of `output` in `year`: (input path, method, value).
    fn drivers_of(&self, output: &str, year: i32) -> Vec<(String, String, f64)> {
        self.drivers
            .iter()
            .flatten()
            .filter(|d| d.year == year && d.output == output)
            .map(|d| (d.input.clone(), d.method.clone(), d.value))
            .collect()
    }

    fn samples(&self) -> String {
        self.record
            .sweep
            .as_ref()
            .map_or_else(String::new, |s| s.samples.to_string())
    }
}

impl Sweep {
    /// [`input_name`] with the scenario's calibration years filled in.
    fn input_label(&self, path: &str) -> String {
        let calibration_year = self
            .crossover()
            .and_then(|c| c.calibration.as_ref())
            .map(|c| c.year);
        let base = self.crossover().map(|c| c.base_year);
        let mut name = input_name(path);
        if let Some(y) = calibration_year {
            name = name.replace("the calibration year", &y.to_string());
        }
        if let Some(y) = base {
            name = name.replace("the base year", &y.to_string());
        }
        name
    }

    /// "PUE (ρ = 0.42)" or "weather year (η² = 0.10)".
    fn driver_text(&self, (input, method, value): &(String, String, f64)) -> String {
        if method == "eta_squared" {
            format!("{} (η² = {value:.2})", self.input_label(input))
        } else {
            format!("{} (ρ = {value:.2})", self.input_label(input))
        }
    }
}

/// Build the report of a `sweep` folder from its files.
pub(super) fn sweep_report(dir: &Path) -> Result<Report> {
    let sweep = Sweep::read(dir)?;
    let year = sweep.key_year();
    let samples = sweep.samples();
    let all_weather = sweep
        .record
        .sweep
        .as_ref()
        .is_some_and(|s| s.all_weather_years);
    let mut summary = Vec::new();
    for (metric, words, divide, unit) in OUTPUTS {
        let Some(r) = sweep.ranges.get(year, metric) else {
            continue;
        };
        if !r.p50.is_finite() {
            continue;
        }
        let d = divisor(divide, year);
        let central = if r.central.is_finite() {
            format!("; central case {}", one(r.central / d))
        } else {
            String::new()
        };
        let drivers = sweep.drivers_of(metric, year);
        let driven = match drivers.first() {
            Some(first) => format!(", driven most by {}", sweep.driver_text(first)),
            None => String::new(),
        };
        summary.push(format!(
            "{year}, {words}: median {} {unit}, 90 % of samples {}–{}{central}{driven}.",
            one(r.p50 / d),
            one(r.p5 / d),
            one(r.p95 / d),
        ));
    }
    summary.truncate(5);
    let samples_n: f64 = samples.parse().unwrap_or(0.0);
    let chance = if samples_n > 3.0 {
        format!(
            " With {samples} samples, a |ρ| below {:.2} is within chance.",
            1.96 / (samples_n - 1.0).sqrt()
        )
    } else {
        String::new()
    };
    let summary_note = format!(
        "Median and 5th–95th percentile over {samples} samples of the scenario's uncertain inputs{}; central case: the scenario as stated, mean over weather years{}. Drivers: Spearman's rank correlation ρ between an input and the output over the samples (−1 to 1), and for the weather year the share of the output's rank variance between weather years (η²).{chance}",
        if all_weather {
            ", each run on every weather year"
        } else {
            " and one drawn weather year each"
        },
        if sweep
            .ranges
            .get(year, "ai_energy_mwh")
            .is_some_and(|r| r.central.is_finite())
        {
            ""
        } else {
            " (not run for a sweep merged from shards)"
        },
    );
    Ok(Report {
        title: format!(
            "How sure is it? New AI data centres on the grid — {}, scenario “{}”, {samples} samples",
            sweep.set_name, sweep.record.scenario.name
        ),
        subtitle: format!(
            "Scenario “{}”: {}",
            sweep.record.scenario.name, sweep.record.scenario.description
        ),
        meta: meta_line(&sweep),
        summary,
        summary_note,
        findings: findings(&sweep, year),
        tables: vec![
            drivers_table(&sweep, year),
            central_table(&sweep),
            inputs_table(&sweep),
        ],
        charts: charts(&sweep)?,
        glossary: super::GLOSSARY.to_vec(),
        methods: super::METHODS.iter().map(|s| (*s).to_owned()).collect(),
        appendix: Vec::new(),
    })
}

fn meta_line(sweep: &Sweep) -> String {
    let file = |path: &str| {
        Path::new(path)
            .file_name()
            .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
    };
    format!(
        "Run on {} with gridstrain {}. Inputs: scenario {}, region set {}; Monte Carlo with {} samples, seed {}; years {}–{}.",
        sweep
            .record
            .run_on
            .as_deref()
            .unwrap_or("(date not recorded)"),
        sweep.record.version,
        file(&sweep.record.scenario_file),
        file(&sweep.record.regions_file),
        sweep.samples(),
        sweep
            .record
            .sweep
            .as_ref()
            .map_or_else(String::new, |s| s.seed.to_string()),
        sweep.years.first().copied().unwrap_or(0),
        sweep.years.last().copied().unwrap_or(0),
    )
}

/// One sentence per key output of the last year, as the bands give it.
fn findings(sweep: &Sweep, key_year: i32) -> Vec<String> {
    let mut out = Vec::new();
    let Some(&last) = sweep.years.last() else {
        return out;
    };
    if last != key_year {
        for (metric, words, divide, unit) in OUTPUTS.iter().take(3) {
            if let Some(r) = sweep.ranges.get(last, metric).filter(|r| r.p50.is_finite()) {
                let d = divisor(*divide, last);
                out.push(format!(
                    "{last}, {words}: median {} {unit} (90 % of samples {}–{}).",
                    one(r.p50 / d),
                    one(r.p5 / d),
                    one(r.p95 / d)
                ));
            }
        }
    }
    if sweep.drivers.is_none() {
        out.push("This sweep folder has no drivers.csv (written by an older gridstrain): which inputs drive the spread is not known.".to_owned());
    }
    out
}

/// The strongest drivers of each key output in the key year.
fn drivers_table(sweep: &Sweep, year: i32) -> TextTable {
    let mut rows = Vec::new();
    for (metric, words, _, _) in OUTPUTS {
        for (k, driver) in sweep
            .drivers_of(metric, year)
            .iter()
            .take(DRIVERS_SHOWN)
            .enumerate()
        {
            rows.push(vec![
                if k == 0 {
                    words.to_owned()
                } else {
                    String::new()
                },
                sweep.input_label(&driver.0),
                if driver.1 == "eta_squared" {
                    "η² (between weather years)".to_owned()
                } else {
                    "Spearman ρ".to_owned()
                },
                format!("{:.2}", driver.2),
            ]);
        }
    }
    (
        format!("What drives the spread in {year} (strongest {DRIVERS_SHOWN} inputs per output)"),
        ["output", "input", "measure", "value"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        rows,
    )
}

/// The central case beside the median and band, by year.
fn central_table(sweep: &Sweep) -> TextTable {
    let mut rows = Vec::new();
    for &year in &sweep.years {
        for (metric, words, divide, unit) in OUTPUTS.iter().take(3) {
            let Some(r) = sweep.ranges.get(year, metric) else {
                continue;
            };
            let d = divisor(*divide, year);
            let cell = |v: f64| {
                if v.is_finite() {
                    one(v / d)
                } else {
                    "not run".to_owned()
                }
            };
            rows.push(vec![
                year.to_string(),
                format!("{words} ({unit})"),
                cell(r.central),
                cell(r.p5),
                cell(r.p50),
                cell(r.p95),
            ]);
        }
    }
    (
        "The central case beside the bands".to_owned(),
        ["year", "output", "central case", "p5", "median", "p95"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        rows,
    )
}

/// The uncertain inputs as the scenario declares them.
fn inputs_table(sweep: &Sweep) -> TextTable {
    let mut rows = Vec::new();
    // Numbers as TOML writes them (as the record holds them).
    let number = |v: Option<f64>| v.map_or_else(String::new, |x| toml::Value::Float(x).to_string());
    for (path, table) in &sweep.record.scenario.uncertainty {
        rows.push(vec![
            sweep.input_label(path),
            path.clone(),
            table.dist.clone(),
            number(table.low),
            number(table.mode),
            number(table.high),
            table.source.clone(),
        ]);
    }
    (
        "The uncertain inputs swept".to_owned(),
        [
            "input",
            "key",
            "distribution",
            "low",
            "mode",
            "high",
            "source",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows,
    )
}

fn charts(sweep: &Sweep) -> Result<Vec<Chart>> {
    let bands = &sweep.bands;
    let set_series = |m: &str| -> Vec<(i32, f64, f64, f64)> {
        bands
            .iter()
            .filter(|b| b.scope == "region_set" && b.metric == m)
            .map(|b| (b.year, b.p5, b.p50, b.p95))
            .collect()
    };
    let samples = sweep.samples();
    let mut charts = Vec::new();
    for (id, m, title, unit, divide) in [
        (
            "energy_band",
            "ai_energy_mwh",
            "AI data-centre energy in the set",
            "TWh",
            1e6,
        ),
        (
            "peak_increase_set_band",
            "coincident_peak_increase_mw",
            "Combined peak increase from the new load",
            "GW",
            1e3,
        ),
        (
            "firm_band",
            "firm_capacity_needed_sum_mw",
            "Firm capacity needed beyond planned resources",
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
        let title = format!("{title}, {}: median and 90 % band", sweep.set_name);
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
    // Peak increase of the regions with the largest median, in the last year.
    let last_year = sweep.years.last().copied().unwrap_or(0);
    let mut regional: Vec<(String, f64, f64, f64)> = bands
        .iter()
        .filter(|b| b.scope == "region" && b.metric == "peak_increase_mw" && b.year == last_year)
        .map(|b| (b.region.clone(), b.p5 / 1e3, b.p50 / 1e3, b.p95 / 1e3))
        .collect();
    let all = regional.len();
    regional.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    regional.truncate(10);
    let title = format!(
        "Peak increase of the {} regions with the largest median, {last_year}",
        regional.len()
    );
    charts.push(Chart {
        id: "peak_increase_band",
        svg: charts::bars(
            &title,
            &format!("How much the new AI load raises each region's peak in {last_year} across the samples: 5th, 50th and 95th percentile, GW."),
            &regional.iter().map(|r| sweep.names.short(&r.0, 44)).collect::<Vec<_>>(),
            &[
                Series { name: "p5", color: SKY, values: regional.iter().map(|r| r.1).collect() },
                Series { name: "median", color: BLUE, values: regional.iter().map(|r| r.2).collect() },
                Series { name: "p95", color: RED, values: regional.iter().map(|r| r.3).collect() },
            ],
            "peak increase (GW)",
        ),
        title,
        header: vec!["region".into(), "p5 (GW)".into(), "median (GW)".into(), "p95 (GW)".into()],
        rows: regional.iter().map(|r| vec![sweep.names.full(&r.0), format!("{:.2}", r.1), format!("{:.2}", r.2), format!("{:.2}", r.3)]).collect(),
        caption: format!("From bands.parquet (peak_increase_mw); {} of {all} regions, every one is in bands.csv.", regional.len()),
    });
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::input_name;

    #[test]
    fn inputs_have_plain_names() {
        assert_eq!(
            input_name("facility.pue"),
            "PUE (facility energy over IT energy)"
        );
        assert_eq!(
            input_name("compute.crossover.growth[1].energy_factor_per_year"),
            "AI energy growth per year (step 1 of the growth path)"
        );
        assert_eq!(input_name("some.new.key"), "some.new.key");
    }
}
