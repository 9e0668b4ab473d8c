//! The policymaker's report: `report.html` (one self-contained file: inline SVG charts,
//! inline styles, a Content-Security-Policy of `default-src 'none'`) and `report.md` with
//! the same content and its charts as SVG files in `report_charts/`. Written by `run` and
//! `sweep`, and by `gridstrain report DIR` for an existing run or sweep folder; a batch
//! folder gets the comparison of its units (`batch`).
//!
//! The report is rendered **only from the run folder's files** (the tables, `run.toml`
//! and `report_data.parquet`), never from memory, so `gridstrain report` on a copy of a
//! run writes the same bytes as the run did. Every number in the text is read from those
//! tables; nothing holds a clock time.
mod batch;
pub mod charts;
pub mod data;
mod render;
mod run;
mod sweep;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use crate::results::{MetricsRow, RangeRow, RegionNameRow, SetMetricsRow, TableRow};

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

/// A table in the text: title, header and rows.
type TextTable = (String, Vec<String>, Vec<Vec<String>>);

/// The report's content, independent of its format.
struct Report {
    title: String,
    subtitle: String,
    /// Date, program version and inputs, in one line.
    meta: String,
    /// The executive summary: at most five sentences.
    summary: Vec<String>,
    /// What the summary's ranges are (or why there are none).
    summary_note: String,
    findings: Vec<String>,
    tables: Vec<TextTable>,
    charts: Vec<Chart>,
    glossary: Vec<(&'static str, &'static str)>,
    methods: Vec<String>,
    /// Full tables after the methods.
    appendix: Vec<TextTable>,
}

// ---------------------------------------------------------------- reading the run

/// A table of the run folder: a regular file of at most
/// [`RUN_TABLE_LIMIT`](crate::input::bounded::RUN_TABLE_LIMIT), bounds-checked before
/// polars reads it.
fn read_parquet(path: &Path) -> Result<DataFrame> {
    let frame = crate::input::parquet_read::read_guarded_parquet(
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

/// The rows of a Parquet table of the run folder (see [`read_parquet`]), typed: a
/// renamed field is a build error here, not a missing column at run time.
fn read_rows<T: TableRow>(path: &Path) -> Result<Vec<T>> {
    crate::output::frame_rows(&read_parquet(path)?)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// The rows of a CSV table of the run folder (see [`read_csv`]), typed.
fn read_csv_rows<T: TableRow>(path: &Path) -> Result<Vec<T>> {
    let (header, rows) = read_csv(path)?;
    T::from_text(&header, &rows).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------- names and ranges

/// The set's regions by id (`regions.csv`): what a reader knows each by. A folder
/// without the file (an older gridstrain) labels regions by id.
struct Names {
    by_id: BTreeMap<String, (String, String, String)>,
    /// Map points: latitude, longitude and the place each stands for.
    points: BTreeMap<String, (f64, f64, String)>,
}

impl Names {
    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(crate::output::REGIONS_FILE_NAME);
        let mut by_id = BTreeMap::new();
        let mut points = BTreeMap::new();
        if path.is_file() {
            for row in read_csv_rows::<RegionNameRow>(&path)? {
                if let (Some(lat), Some(lon)) = (row.latitude, row.longitude) {
                    points.insert(row.region.clone(), (lat, lon, row.map_place));
                }
                by_id.insert(row.region, (row.name, row.parent, row.time_zone));
            }
        }
        Ok(Self { by_id, points })
    }

    /// "Name (CODE)"; a name that already carries its code in brackets as is; the id
    /// alone when no name is known.
    fn full(&self, id: &str) -> String {
        match self.by_id.get(id) {
            Some((name, _, _)) if !name.is_empty() && name != id => {
                if name.contains(&format!("({id})")) {
                    name.clone()
                } else {
                    format!("{name} ({id})")
                }
            }
            _ => id.to_owned(),
        }
    }

    /// [`Names::full`] shortened to about `max` characters for a chart's axis: the name
    /// cut with an ellipsis, the code kept.
    fn short(&self, id: &str, max: usize) -> String {
        let full = self.full(id);
        if full.chars().count() <= max {
            return full;
        }
        let mut name = full
            .strip_suffix(&format!(" ({id})"))
            .unwrap_or(&full)
            .to_owned();
        // "North Central — Dallas–Fort Worth": the place a reader knows comes after the dash.
        if let Some((_, place)) = name.split_once(" — ") {
            name = place.to_owned();
            let shorter = format!("{name} ({id})");
            if shorter.chars().count() <= max {
                return shorter;
            }
        }
        let keep = max.saturating_sub(id.chars().count() + 4).max(8);
        let cut: String = name.chars().take(keep).collect();
        format!("{}… ({id})", cut.trim_end())
    }

    /// The ISO or BA a zone lies in (empty for a BA).
    fn parent(&self, id: &str) -> &str {
        self.by_id.get(id).map_or("", |(_, p, _)| p.as_str())
    }

    /// The region's time zone, when known.
    fn time_zone(&self, id: &str) -> Option<chrono_tz::Tz> {
        self.by_id.get(id).and_then(|(_, _, z)| z.parse().ok())
    }
}

/// `ranges.csv`: the set's key outputs, central case beside the sweep's band (no rows
/// when the folder has no such file).
struct Ranges {
    rows: Vec<RangeRow>,
}

/// One key output of one year: the central value and the band's 5th and 95th
/// percentiles, with the samples behind them.
#[derive(Clone, Copy)]
struct Range {
    central: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

impl Ranges {
    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(crate::output::RANGES_FILE_NAME);
        Ok(Self {
            rows: if path.is_file() {
                read_csv_rows(&path)?
            } else {
                Vec::new()
            },
        })
    }

    fn get(&self, year: i32, metric: &str) -> Option<Range> {
        let row = self
            .rows
            .iter()
            .find(|r| r.year == year && r.metric == metric)?;
        let number = |v: Option<f64>| v.unwrap_or(f64::NAN);
        Some(Range {
            central: number(row.central),
            p5: number(row.p5),
            p50: number(row.p50),
            p95: number(row.p95),
        })
    }

    /// A table cell: "12.3 (6.8–20.0)" — the central value (or the median when the
    /// central case was not run) over `divide`, with its band; "not known" without one.
    fn cell(&self, year: i32, metric: &str, divide: f64) -> String {
        let Some(r) = self.get(year, metric) else {
            return "not known".to_owned();
        };
        let value = if r.central.is_finite() {
            r.central
        } else {
            r.p50
        };
        if !value.is_finite() {
            "not known".to_owned()
        } else if r.p5.is_finite() && r.p95.is_finite() {
            format!(
                "{} ({}–{})",
                one(value / divide),
                one(r.p5 / divide),
                one(r.p95 / divide)
            )
        } else {
            one(value / divide)
        }
    }

    /// The samples behind the bands (0 when there are none).
    fn samples(&self) -> f64 {
        self.rows
            .iter()
            .find_map(|r| r.samples.filter(|x| x.is_finite()))
            .unwrap_or(0.0)
    }

    /// "12.3 GW (range 6.8–20.0)": the central value (or the median when the central
    /// case was not run) over `divide`, with its band when there is one.
    fn text(&self, year: i32, metric: &str, divide: f64, unit: &str) -> Option<String> {
        let r = self.get(year, metric)?;
        let value = if r.central.is_finite() {
            r.central
        } else {
            r.p50
        };
        if !value.is_finite() {
            return None;
        }
        // Below 1 GW a region's figures read in MW (0.2 GW hides what 0.24 and 0.16 say).
        let (divide, unit, digits) = if unit == "GW" && (value / divide).abs() < 1.0 {
            (divide / 1000.0, "MW", 0)
        } else {
            (divide, unit, 1)
        };
        // No "-0.0": a value that rounds to zero is zero.
        let fmt = |v: f64| {
            let text = format!("{:.*}", digits, v / divide);
            if text
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                text.trim_start_matches('-').to_owned()
            } else {
                text
            }
        };
        // A stated case outside the band (a forecast whose realisation can only fall
        // short of it) is said to be so, not silently bracketed by it.
        let side = if r.central.is_finite() && r.p95.is_finite() && r.central > r.p95 {
            ", below the stated case"
        } else if r.central.is_finite() && r.p5.is_finite() && r.central < r.p5 {
            ", above the stated case"
        } else {
            ""
        };
        let band = if r.p5.is_finite() && r.p95.is_finite() {
            format!(" (range {}–{}{side})", fmt(r.p5), fmt(r.p95))
        } else {
            String::new()
        };
        Some(format!("{} {unit}{band}", fmt(value)))
    }
}

/// The glossary every report carries (a reader of a forwarded file has no other).
const GLOSSARY: [(&str, &str); 15] = [
    (
        "Baseline load",
        "A region's real hourly demand as its operator reported it to the EIA (form EIA-930), scaled to the study year with the region's growth rate. It already holds the data centres running when it was measured.",
    ),
    (
        "Weather year",
        "A past year whose hourly load (its heat waves, cold snaps and weekdays) is laid onto the study year. Results are averaged over the weather years; the worst one is named where it matters.",
    ),
    (
        "Gross, existing and new load",
        "Gross: all AI (or data-centre) load the scenario places in a region. Existing: the part already inside the measured baseline. New: gross less existing — the load this study adds on top of the baseline.",
    ),
    (
        "Rated and average MW",
        "Rated MW is the installed facilities' full power; average MW is energy over the hours of the year. A fleet drawing 60 % of its rating on average has 100 MW rated and 60 MW average.",
    ),
    (
        "Threshold",
        "The load a region has already met: its highest summer and winter hourly load over every year of its data (the Duke University method, Norris et al. 2025), grown with the baseline. Load above it needs flexibility or new capacity.",
    ),
    (
        "Residual above threshold",
        "How far a region's load with the new data centres goes above its threshold in its highest hour, in MW, after flexibility. Zero means the new load fits under what the grid has already carried.",
    ),
    (
        "Hours above threshold",
        "How many hours of the year the load is above its threshold.",
    ),
    (
        "Coincident peak",
        "The highest hour of the regions' load added together (their peaks need not fall in the same hour; the sum of each region's own peak is larger).",
    ),
    (
        "Firm capacity needed (capacity shortfall)",
        "Generation or storage that can be counted on at the peak, needed beyond the region's planned resources (NERC 2025 Long-Term Reliability Assessment) to keep its planning reserve margin with the new load. Regions with a surplus today absorb some new load first.",
    ),
    (
        "Reserve requirement of the new load",
        "The new load's peak plus the planning reserve margin on it, before any credit for the surplus a region has today. Firm capacity needed is this less the surplus that absorbs part of it; a reader who holds that today's surplus is spoken for (retirements, other growth) can take this as the need. Summed region by region: a study of zones needs more than one of whole BAs, since zones here do not lend each other their reserves.",
    ),
    (
        "Overnight capital",
        "What building that firm capacity costs at once (no financing), for the whole need — not a yearly cost. The yearly cost spreads it over 20 years at 8 % and adds fixed upkeep.",
    ),
    (
        "Flexibility and curtailment",
        "New training load may be deferred in the hours its region is above threshold, up to a share of its power in any hour (the depth) and of its yearly energy (the budget). Inference is always served.",
    ),
    (
        "Headroom",
        "New flexible load a region could take today if that load accepted curtailment of 0.25, 0.5, 1 or 5 % of its energy (Norris et al. 2025).",
    ),
    (
        "Crossover: accelerator-hours and energy",
        "Inference overtakes training in compute spending when its share of accelerator-hours passes one half; in energy when its share of data-centre electricity does. The two differ because inference runs its chips at lower average power.",
    ),
    (
        "Range",
        "The 5th to 95th percentile over samples of the scenario's uncertain inputs (each drawn from the range its source gives) and of the weather years: nine in ten samples fall inside it.",
    ),
];

/// The methods appendix: the equations and sources in brief (the full text is
/// gridstrain's docs/methodology.md, which a reader of this file may not have).
const METHODS: [&str; 9] = [
    "Compute to power. Accelerator-hours = FLOP ÷ (peak FLOP/s per accelerator × utilization × 3,600). IT energy = accelerator-hours × IT power per accelerator (with its share of servers and network) × its average draw fraction. Facility energy = IT energy × PUE. Average MW = energy ÷ hours of the year; rated MW = average MW ÷ draw fraction. Defaults: NVIDIA H100-class accelerators (989 TFLOP/s, 1.45 kW with server share; Epoch AI), utilization 40 % training and 10 % inference, PUE 1.14 (LBNL 2024), efficiency +40 %/yr; the central scenario is calibrated to LBNL's 2024 report (AI servers 165–326 TWh in 2028).",
    "Training and inference. Total compute grows year by year; inference's share of accelerator-hours rises from 40 % in 2024 to one half in the crossover year (about 2030 in published forecasts).",
    "Siting. The nation's AI load is sited once over every balancing authority and ISO zone of the lower 48: inference by people served and by today's data-centre hubs (with a latency-bound part near users), training by the announced build pipeline (Cushman & Wakefield, CBRE, announced campuses) within each region's limits. Existing data-centre load (EPRI 2024 state shares) is inside the measured baseline, so only new load is added. A region set chooses which regions are reported.",
    "Hourly load. Each weather year's real hourly load (EIA-930, cleaned by Ruggles et al.; CC BY 4.0) is aligned on weekdays to the study year, normalised to the reference year and grown by the region's rate. Inference follows people's day in local time (hour-of-week shape); training is flat; PUE varies by month and hour.",
    "Thresholds and flexibility. Seasonal thresholds are each region's highest summer and winter loads over its data (Norris et al. 2025). New training above threshold is curtailed down to a common level, within a depth per hour (25 %, from the Emerald AI field test) and an energy budget (0.5 % of its yearly energy).",
    "Firm capacity. Resources = baseline peak × (1 + the NERC 2025 LTRA anticipated reserve margin). Need = peak × (1 + reference margin) − resources, counted only beyond what the baseline alone needs. Cost = need × cost of new entry (EIA AEO2026 combustion turbine 1,158 $/kW; PJM 1,417 $/kW, Brattle 2025).",
    "Emissions. New AI energy × each region's average emission rate (EPA eGRID2023). Regions without a rate are left out and named, not counted as zero.",
    "Headroom. The Norris et al. (2025) curtailment-enabled headroom, solved exactly for each region over every year of its data.",
    "Uncertainty. Ranges come from Monte Carlo samples of the scenario's declared input ranges (each with its source) and of weather years; drivers are ranked by Spearman's rank correlation between each input and the output over the samples. The ranges are conditional on the declared ranges; model structure (siting rules, the threshold method) is not varied.",
];

// ---------------------------------------------------------------- numbers in words

fn one(v: f64) -> String {
    format!("{v:.1}")
}

/// A whole number with thousands separators: 8048.4 → "8,048".
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < -0.5 { format!("-{out}") } else { out }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Mean over weather years of `value` per (region, year), keyed in table order.
fn mean_by_region_year(
    metrics: &[MetricsRow],
    value: impl Fn(&MetricsRow) -> f64,
) -> Vec<((String, i32), f64)> {
    let mut out: Vec<((String, i32), (f64, usize))> = Vec::new();
    for row in metrics {
        let x = value(row);
        match out
            .iter_mut()
            .find(|((region, year), _)| *region == row.region && *year == row.year)
        {
            Some((_, (sum, n))) => {
                *sum += x;
                *n += 1;
            }
            None => out.push(((row.region.clone(), row.year), (x, 1))),
        }
    }
    out.into_iter()
        .map(|(k, (s, n))| (k, s / n as f64))
        .collect()
}

/// Mean over weather years of a region-set `value` per year, over the rows of the set
/// itself (not the ISO aggregates of a zone set).
fn set_mean_by_year(
    sets: &[SetMetricsRow],
    value: impl Fn(&SetMetricsRow) -> f64,
    set_id: &str,
) -> BTreeMap<i32, f64> {
    let mut sums: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    for row in sets.iter().filter(|r| r.region_set == set_id) {
        let e = sums.entry(row.year).or_insert((0.0, 0));
        e.0 += value(row);
        e.1 += 1;
    }
    sums.into_iter()
        .map(|(y, (s, n))| (y, s / n as f64))
        .collect()
}

// ---------------------------------------------------------------- writing

/// Write `report.html`, `report.md` and `report_charts/` into `dir` (a `run` or `sweep`
/// folder, or the staging folder of one).
///
/// # Errors
/// A table missing or unreadable, or a file that cannot be written.
pub fn write_report(dir: &Path) -> Result<()> {
    let report = if dir.join("bands.parquet").exists() {
        sweep::sweep_report(dir)?
    } else if dir.join("metrics.parquet").exists() {
        if !dir.join(REPORT_DATA).exists() {
            bail!(
                "{}: no {REPORT_DATA}; the run was written by a gridstrain without reports, run it again",
                dir.display()
            );
        }
        run::run_report(dir)?
    } else {
        // A batch folder (its units below it); the error says what was looked for.
        batch::batch_report(dir)?
    };
    let charts_dir = dir.join(CHARTS_DIR);
    crate::output::check_no_links_below(dir, &charts_dir)?;
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("cannot create {}", charts_dir.display()))?;
    for chart in &report.charts {
        write_atomic(&charts_dir.join(format!("{}.svg", chart.id)), &chart.svg)?;
    }
    write_atomic(&dir.join(REPORT_MD), &render::markdown(&report))?;
    write_atomic(&dir.join(REPORT_HTML), &render::html(&report))
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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(8048.4), "8,048");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1500.0), "-1,500");
    }
}
