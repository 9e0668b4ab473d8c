//! Outputs: tables as CSV and Parquet (polars lives here, at the edge), the summary over
//! weather years, `run.toml`, hourly Parquet files, and the atomic run directory.
//!
//! A run writes into a temporary directory beside its target and renames it into place
//! only when every file is written, so a failed or killed run leaves no run directory
//! that looks complete. An existing run directory is replaced only with `--force`.
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use crate::metrics::{HeadroomRow, MetricsRow, SetMetricsRow};
use crate::power::YearPower;
use crate::simulation::SitingRow;

/// Per-row metrics file stem (`.csv` and `.parquet`).
pub const METRICS_FILE_STEM: &str = "metrics";
/// Region-set metrics file stem.
pub const SET_METRICS_FILE_STEM: &str = "regionset_metrics";
/// Summary file name.
pub const SUMMARY_FILE_NAME: &str = "summary.csv";
/// Siting file name.
pub const SITING_FILE_NAME: &str = "siting.csv";
/// Compute → power by year file name.
pub const POWER_FILE_NAME: &str = "power_by_year.csv";
/// Run record file name.
pub const RUN_FILE_NAME: &str = "run.toml";
/// Hourly output folder name.
pub const HOURLY_DIR_NAME: &str = "hourly";

/// A run directory being written: files go into `staging`; [`RunDir::commit`] renames it
/// to `target`. Dropped without commit, the staging directory is removed.
pub struct RunDir {
    staging: Option<tempfile::TempDir>,
    target: PathBuf,
    force: bool,
}

impl RunDir {
    /// Start a run directory at `target`.
    ///
    /// # Errors
    /// When `target` exists and `force` is false, or the parent cannot be created.
    pub fn create(target: &Path, force: bool) -> Result<Self> {
        if target.exists() && !force {
            bail!(
                "output directory {} already exists; choose another with --out, or replace it with --force",
                target.display()
            );
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create output folder {}", parent.display()))?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("run");
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
        Ok(Self {
            staging: Some(staging),
            target: target.to_path_buf(),
            force,
        })
    }

    /// Where files are written until commit.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.staging
            .as_ref()
            .expect("staging exists until commit")
            .path()
    }

    /// The final location.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Move the finished run into place (replacing an old one when forced).
    ///
    /// # Errors
    /// When the rename fails.
    pub fn commit(mut self) -> Result<PathBuf> {
        let staging = self.staging.take().expect("commit runs once").keep();
        if self.target.exists() {
            if !self.force {
                let _ = std::fs::remove_dir_all(&staging);
                bail!(
                    "output directory {} appeared while the run was going; nothing was replaced",
                    self.target.display()
                );
            }
            let old = staging.with_extension("old");
            std::fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move the old {} aside", self.target.display()))?;
            std::fs::rename(&staging, &self.target)
                .with_context(|| format!("cannot move the run into {}", self.target.display()))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&staging, &self.target)
                .with_context(|| format!("cannot move the run into {}", self.target.display()))?;
        }
        Ok(self.target.clone())
    }
}

fn col_f64(name: &str, values: Vec<f64>) -> Column {
    Column::new(name.into(), values)
}

fn col_opt_f64(name: &str, values: Vec<Option<f64>>) -> Column {
    Column::new(name.into(), values)
}

fn col_i32(name: &str, values: Vec<i32>) -> Column {
    Column::new(name.into(), values)
}

fn col_str(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

macro_rules! f64_columns {
    ($rows:expr, $($field:ident),+ $(,)?) => {
        vec![$(col_f64(stringify!($field), $rows.iter().map(|r| r.$field).collect())),+]
    };
}

/// The metrics table.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn metrics_frame(rows: &[MetricsRow]) -> Result<DataFrame> {
    let mut columns = vec![
        col_str(
            "scenario",
            rows.iter().map(|r| r.scenario.clone()).collect(),
        ),
        col_str("region", rows.iter().map(|r| r.region.clone()).collect()),
        col_i32("year", rows.iter().map(|r| r.year).collect()),
        col_i32(
            "weather_year",
            rows.iter().map(|r| r.weather_year).collect(),
        ),
    ];
    columns.extend(f64_columns!(
        rows,
        hours,
        baseline_energy_mwh,
        training_energy_mwh,
        inference_energy_mwh,
        ai_energy_mwh,
        ai_energy_share_frac,
        training_average_mw,
        inference_average_mw,
        baseline_peak_mw,
        total_peak_mw,
        peak_increase_mw,
        peak_increase_frac
    ));
    columns.push(col_str(
        "total_peak_hour_utc",
        rows.iter().map(|r| r.total_peak_hour_utc.clone()).collect(),
    ));
    columns.extend(f64_columns!(
        rows,
        ai_at_peak_mw,
        inference_at_peak_mw,
        training_at_peak_mw,
        total_peak_after_flex_mw,
        baseline_load_factor_frac,
        total_load_factor_frac,
        total_load_factor_after_flex_frac,
        baseline_max_ramp_up_mw_per_h,
        baseline_max_ramp_down_mw_per_h,
        total_max_ramp_up_mw_per_h,
        total_max_ramp_down_mw_per_h,
        total_max_ramp_up_after_flex_mw_per_h,
        total_max_ramp_down_after_flex_mw_per_h,
        threshold_summer_mw,
        threshold_winter_mw,
        hours_above_threshold_before,
        energy_above_threshold_before_mwh,
        hours_above_threshold_after,
        energy_above_threshold_after_mwh,
        training_curtailed_mwh,
        curtailment_rate_frac,
        curtailed_hours,
        curtailment_events,
        mean_curtailment_event_h,
        training_recovered_mwh,
        firm_shortfall_mw
    ));
    columns.push(col_opt_f64(
        "reserve_margin_before_frac",
        rows.iter().map(|r| r.reserve_margin_before_frac).collect(),
    ));
    columns.push(col_opt_f64(
        "reserve_margin_after_frac",
        rows.iter().map(|r| r.reserve_margin_after_frac).collect(),
    ));
    columns.extend(f64_columns!(
        rows,
        headroom_baseline_mw,
        headroom_after_inference_mw,
        headroom_after_ai_mw,
        inference_shaped_headroom_mw
    ));
    Ok(DataFrame::new_infer_height(columns)?)
}

/// The region-set metrics table.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn set_metrics_frame(rows: &[SetMetricsRow]) -> Result<DataFrame> {
    let mut columns = vec![
        col_str(
            "scenario",
            rows.iter().map(|r| r.scenario.clone()).collect(),
        ),
        col_str(
            "region_set",
            rows.iter().map(|r| r.region_set.clone()).collect(),
        ),
        col_i32("year", rows.iter().map(|r| r.year).collect()),
        col_i32(
            "weather_year",
            rows.iter().map(|r| r.weather_year).collect(),
        ),
    ];
    columns.extend(f64_columns!(
        rows,
        baseline_energy_mwh,
        training_energy_mwh,
        inference_energy_mwh,
        ai_energy_mwh,
        coincident_baseline_peak_mw,
        coincident_total_peak_mw,
        coincident_total_peak_after_flex_mw,
        noncoincident_sum_of_peaks_mw,
        training_curtailed_mwh,
        firm_shortfall_sum_mw,
        unallocated_training_mw,
        unallocated_inference_mw
    ));
    Ok(DataFrame::new_infer_height(columns)?)
}

/// The siting table.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn siting_frame(scenario: &str, rows: &[SitingRow]) -> Result<DataFrame> {
    let mut columns = vec![
        col_str("scenario", vec![scenario.to_owned(); rows.len()]),
        col_i32("year", rows.iter().map(|r| r.year).collect()),
        col_str("region", rows.iter().map(|r| r.region.clone()).collect()),
    ];
    columns.extend(f64_columns!(
        rows,
        inference_share_frac,
        training_share_frac,
        inference_average_mw,
        training_average_mw
    ));
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Compute → power by year.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn power_frame(scenario: &str, powers: &[YearPower]) -> Result<DataFrame> {
    let opt = |f: &dyn Fn(&YearPower) -> Option<f64>| -> Vec<Option<f64>> {
        powers.iter().map(f).collect()
    };
    let total_flop: Vec<Option<f64>> = powers
        .iter()
        .map(|p| Some(p.training.flop? + p.inference.flop?))
        .collect();
    let columns = vec![
        col_str("scenario", vec![scenario.to_owned(); powers.len()]),
        col_i32("year", powers.iter().map(|p| p.year).collect()),
        col_opt_f64("training_flop", opt(&|p| p.training.flop)),
        col_opt_f64("inference_flop", opt(&|p| p.inference.flop)),
        col_opt_f64(
            "inference_compute_share_frac",
            powers
                .iter()
                .zip(&total_flop)
                .map(|(p, t)| Some(p.inference.flop? / (*t)?))
                .collect(),
        ),
        col_opt_f64(
            "training_accelerator_hours",
            opt(&|p| p.training.accelerator_hours),
        ),
        col_opt_f64(
            "inference_accelerator_hours",
            opt(&|p| p.inference.accelerator_hours),
        ),
        col_opt_f64("training_it_energy_mwh", opt(&|p| p.training.it_energy_mwh)),
        col_opt_f64(
            "inference_it_energy_mwh",
            opt(&|p| p.inference.it_energy_mwh),
        ),
        col_f64(
            "training_facility_mwh",
            powers.iter().map(|p| p.training.facility_mwh).collect(),
        ),
        col_f64(
            "inference_facility_mwh",
            powers.iter().map(|p| p.inference.facility_mwh).collect(),
        ),
        col_f64(
            "training_average_mw",
            powers.iter().map(|p| p.training.average_mw).collect(),
        ),
        col_f64(
            "inference_average_mw",
            powers.iter().map(|p| p.inference.average_mw).collect(),
        ),
        col_f64(
            "inference_energy_share_frac",
            powers
                .iter()
                .map(|p| {
                    p.inference.facility_mwh / (p.inference.facility_mwh + p.training.facility_mwh)
                })
                .collect(),
        ),
    ];
    Ok(DataFrame::new_infer_height(columns)?)
}

/// The headroom table.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn headroom_frame(rows: &[HeadroomRow]) -> Result<DataFrame> {
    let stat = |f: &dyn Fn(&HeadroomRow) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let columns = vec![
        col_str("region", rows.iter().map(|r| r.region.clone()).collect()),
        col_f64("limit_pct", stat(&|r| r.limit_pct)),
        col_f64("headroom_mw", stat(&|r| r.headroom_mw)),
        col_f64(
            "mean_curtailment_rate_frac",
            stat(&|r| r.stats.mean_rate_frac),
        ),
        col_f64(
            "curtailed_hours_per_year",
            stat(&|r| r.stats.curtailed_hours_per_year),
        ),
        col_f64(
            "hours_kept_50pct_per_year",
            stat(&|r| r.stats.hours_kept_50pct_per_year),
        ),
        col_f64(
            "hours_kept_75pct_per_year",
            stat(&|r| r.stats.hours_kept_75pct_per_year),
        ),
        col_f64(
            "hours_kept_90pct_per_year",
            stat(&|r| r.stats.hours_kept_90pct_per_year),
        ),
        col_f64(
            "curtailment_events_per_year",
            stat(&|r| r.stats.events_per_year),
        ),
        col_f64("mean_event_h", stat(&|r| r.stats.mean_event_h)),
    ];
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Write a frame as CSV.
///
/// # Errors
/// When the file cannot be written.
pub fn write_csv(frame: &mut DataFrame, path: &Path) -> Result<()> {
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    CsvWriter::new(&mut file)
        .include_header(true)
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Write a frame as Parquet (zstd).
///
/// # Errors
/// When the file cannot be written.
pub fn write_parquet(frame: &mut DataFrame, path: &Path) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Write a frame as `<stem>.csv` and `<stem>.parquet` in `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_both(frame: &mut DataFrame, dir: &Path, stem: &str) -> Result<()> {
    write_csv(frame, &dir.join(format!("{stem}.csv")))?;
    write_parquet(frame, &dir.join(format!("{stem}.parquet")))
}

/// Hourly columns of one region-year (every weather year).
#[allow(missing_docs)]
pub struct HourlyColumns<'a> {
    pub epoch_hours: &'a [i64],
    pub weather_year: &'a [i32],
    pub baseline_mw: &'a [f64],
    pub inference_mw: &'a [f64],
    pub training_mw: &'a [f64],
    pub training_after_flex_mw: &'a [f64],
    pub threshold_mw: &'a [f64],
}

/// Write `hourly/<scenario>/<region>/<year>.parquet`.
///
/// # Errors
/// When the file cannot be written.
pub fn write_hourly(
    dir: &Path,
    scenario: &str,
    region: &str,
    year: i32,
    c: &HourlyColumns<'_>,
) -> Result<()> {
    let folder = dir.join(scenario).join(region);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let n = c.epoch_hours.len();
    let timestamps = Int64Chunked::from_vec(
        "timestamp_utc".into(),
        c.epoch_hours.iter().map(|h| h * 3_600_000).collect(),
    )
    .into_datetime(TimeUnit::Milliseconds, Some(polars::prelude::TimeZone::UTC))
    .into_series();
    let mut frame = DataFrame::new_infer_height(vec![
        timestamps.into(),
        col_str("scenario", vec![scenario.to_owned(); n]),
        col_str("region", vec![region.to_owned(); n]),
        col_i32("year", vec![year; n]),
        col_i32("weather_year", c.weather_year.to_vec()),
        col_f64("baseline_mw", c.baseline_mw.to_vec()),
        col_f64("inference_mw", c.inference_mw.to_vec()),
        col_f64("training_mw", c.training_mw.to_vec()),
        col_f64("training_after_flex_mw", c.training_after_flex_mw.to_vec()),
        col_f64("threshold_mw", c.threshold_mw.to_vec()),
    ])?;
    write_parquet(&mut frame, &folder.join(format!("{year}.parquet")))
}

/// A summarised metric: its name, how its worst is picked, how it is read from a row.
type Getter<T> = (&'static str, Worst, fn(&T) -> Option<f64>);

/// How a metric's worst value is picked over weather years.
#[derive(Clone, Copy)]
enum Worst {
    Max,
    Min,
}

/// Summary over weather years: per scenario × region (and region set) × year × metric,
/// the mean and the worst value with the weather year it came from.
///
/// # Errors
/// Only if polars refuses the columns (a bug).
pub fn summary_frame(metrics: &[MetricsRow], sets: &[SetMetricsRow]) -> Result<DataFrame> {
    let region_metrics: [Getter<MetricsRow>; 12] = [
        ("total_peak_mw", Worst::Max, |r| Some(r.total_peak_mw)),
        ("total_peak_after_flex_mw", Worst::Max, |r| {
            Some(r.total_peak_after_flex_mw)
        }),
        ("peak_increase_mw", Worst::Max, |r| Some(r.peak_increase_mw)),
        ("ai_at_peak_mw", Worst::Max, |r| Some(r.ai_at_peak_mw)),
        ("ai_energy_share_frac", Worst::Max, |r| {
            Some(r.ai_energy_share_frac)
        }),
        ("hours_above_threshold_after", Worst::Max, |r| {
            Some(r.hours_above_threshold_after)
        }),
        ("energy_above_threshold_after_mwh", Worst::Max, |r| {
            Some(r.energy_above_threshold_after_mwh)
        }),
        ("curtailment_rate_frac", Worst::Max, |r| {
            Some(r.curtailment_rate_frac)
        }),
        ("firm_shortfall_mw", Worst::Max, |r| {
            Some(r.firm_shortfall_mw)
        }),
        ("headroom_after_inference_mw", Worst::Min, |r| {
            Some(r.headroom_after_inference_mw)
        }),
        ("reserve_margin_after_frac", Worst::Min, |r| {
            r.reserve_margin_after_frac
        }),
        ("total_load_factor_after_flex_frac", Worst::Min, |r| {
            Some(r.total_load_factor_after_flex_frac)
        }),
    ];
    let set_metrics: [Getter<SetMetricsRow>; 5] = [
        ("coincident_total_peak_mw", Worst::Max, |r| {
            Some(r.coincident_total_peak_mw)
        }),
        ("coincident_total_peak_after_flex_mw", Worst::Max, |r| {
            Some(r.coincident_total_peak_after_flex_mw)
        }),
        ("noncoincident_sum_of_peaks_mw", Worst::Max, |r| {
            Some(r.noncoincident_sum_of_peaks_mw)
        }),
        ("firm_shortfall_sum_mw", Worst::Max, |r| {
            Some(r.firm_shortfall_sum_mw)
        }),
        ("training_curtailed_mwh", Worst::Max, |r| {
            Some(r.training_curtailed_mwh)
        }),
    ];
    let mut out = SummaryColumns::default();
    summarise(
        metrics,
        |r| {
            (
                r.scenario.as_str(),
                r.region.as_str(),
                r.year,
                r.weather_year,
            )
        },
        &region_metrics,
        &mut out,
    );
    summarise(
        sets,
        |r| {
            (
                r.scenario.as_str(),
                r.region_set.as_str(),
                r.year,
                r.weather_year,
            )
        },
        &set_metrics,
        &mut out,
    );
    Ok(DataFrame::new_infer_height(vec![
        col_str("scenario", out.scenario),
        col_str("region", out.region),
        col_i32("year", out.year),
        col_str("metric", out.metric),
        col_opt_f64("mean", out.mean),
        col_opt_f64("worst", out.worst),
        Column::new("worst_weather_year".into(), out.worst_weather_year),
    ])?)
}

#[derive(Default)]
struct SummaryColumns {
    scenario: Vec<String>,
    region: Vec<String>,
    year: Vec<i32>,
    metric: Vec<String>,
    mean: Vec<Option<f64>>,
    worst: Vec<Option<f64>>,
    worst_weather_year: Vec<Option<i32>>,
}

/// Group rows by (scenario, region, year) in order of first appearance and summarise.
fn summarise<T>(
    rows: &[T],
    key: impl Fn(&T) -> (&str, &str, i32, i32),
    getters: &[Getter<T>],
    out: &mut SummaryColumns,
) {
    let mut groups: Vec<((String, String, i32), Vec<usize>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let (s, r, y, _) = key(row);
        let k = (s.to_owned(), r.to_owned(), y);
        let slot = *index.entry(k.clone()).or_insert_with(|| {
            groups.push((k, Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(i);
    }
    for ((scenario, region, year), members) in groups {
        for (name, worst, get) in getters {
            let values: Vec<(f64, i32)> = members
                .iter()
                .filter_map(|&i| get(&rows[i]).map(|v| (v, key(&rows[i]).3)))
                .collect();
            out.scenario.push(scenario.clone());
            out.region.push(region.clone());
            out.year.push(year);
            out.metric.push((*name).to_owned());
            if values.is_empty() {
                out.mean.push(None);
                out.worst.push(None);
                out.worst_weather_year.push(None);
                continue;
            }
            let mean = values.iter().map(|(v, _)| v).sum::<f64>() / values.len() as f64;
            let pick = values.iter().copied().reduce(|a, b| match worst {
                Worst::Max => {
                    if b.0 > a.0 {
                        b
                    } else {
                        a
                    }
                }
                Worst::Min => {
                    if b.0 < a.0 {
                        b
                    } else {
                        a
                    }
                }
            });
            out.mean.push(Some(mean));
            out.worst.push(pick.map(|p| p.0));
            out.worst_weather_year.push(pick.map(|p| p.1));
        }
    }
}
