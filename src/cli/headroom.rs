//! `gridstrain headroom`: curtailment-enabled headroom of each region of a set (or of one
//! load file) at several curtailment limits, by the method of Norris et al. (2025) on the
//! region's own historical load (no scaling), with the hours and events it implies.
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use rayon::prelude::*;

use super::{CommonArgs, resolve_input};
use crate::baseline::{seasonal_thresholds_mw, threshold_series};
use crate::headroom::{
    MarginPoint, YearSeries, curtailment_stats, margin_points, solve_headroom_mw, sort_points,
};
use crate::input::parse_time_zone;
use crate::input::profile::read_profile;
use crate::input::region_set::{DEFAULT_SUMMER_MONTHS, DEFAULT_WINTER_MONTHS, read_region_set};
use crate::load::{HourlyLoad, read_load_file};
use crate::metrics::HeadroomRow;
use crate::output::{RunDir, headroom_frame, write_both};
use crate::profiles::{Profile, shape_for_year};
use crate::time::{months_of_year, parse_year_range, year_start_epoch_hour};

/// Name of the row that sums every region.
pub const TOTAL_ROW: &str = "total";

/// Arguments of `headroom`.
#[derive(Debug, Clone, Args)]
pub struct HeadroomArgs {
    /// Region set: a name under regions/ or a path (ignored with --load).
    #[arg(long, default_value = "us-22", value_name = "NAME|PATH")]
    pub regions: String,
    /// A single load file (Parquet or tidy CSV) instead of a region set.
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,
    /// Curtailment limits in percent of the new load's energy.
    #[arg(
        long,
        default_value = "0.25,0.5,1,5",
        value_delimiter = ',',
        value_name = "PCT,…"
    )]
    pub limits: Vec<f64>,
    /// A profile (e.g. profiles/inference-chat.toml) for a *shaped* new load, laid onto
    /// each region's local time; the headroom is then the shaped load's average MW.
    /// Default: a constant new load, as in Norris et al. (2025).
    #[arg(long, value_name = "FILE.toml")]
    pub profile: Option<PathBuf>,
    /// IANA time zone of the --load file's region (for --profile).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    pub time_zone: String,
    /// Years of history (default: every full year of each region's data).
    #[arg(long, value_name = "A..B")]
    pub weather_years: Option<String>,
    /// Write headroom.csv and headroom.parquet into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// A region to analyse.
struct Subject {
    id: String,
    time_zone: chrono_tz::Tz,
    load: HourlyLoad,
    summer_months: Vec<u8>,
    winter_months: Vec<u8>,
}

/// Headroom and statistics of one region at each limit.
///
/// # Errors
/// When a requested year is not in the data.
fn analyse(
    subject: &Subject,
    years: Option<(i32, i32)>,
    limits_frac: &[f64],
    profile: Option<&Profile>,
) -> Result<Vec<HeadroomRow>> {
    let available = subject.load.weather_years();
    let years: Vec<i32> = match years {
        Some((a, b)) => {
            let wanted: Vec<i32> = (a..=b).collect();
            if let Some(missing) = wanted.iter().find(|y| !available.contains(y)) {
                bail!(
                    "region `{}`: year {missing} is outside its load data (full years available: {:?})",
                    subject.id,
                    available
                );
            }
            wanted
        }
        None => available,
    };
    if years.is_empty() {
        bail!("region `{}`: its load data hold no full year", subject.id);
    }
    let scales: Vec<(i32, f64)> = years.iter().map(|&y| (y, 1.0)).collect();
    let (summer, winter) = seasonal_thresholds_mw(
        &subject.load,
        &scales,
        &subject.summer_months,
        &subject.winter_months,
    );
    let mut months = Vec::new();
    let mut thresholds: Vec<Vec<f64>> = Vec::with_capacity(years.len());
    let mut shapes: Vec<Vec<f64>> = Vec::new();
    for &year in &years {
        months_of_year(year, &mut months);
        let slice = subject.load.year_slice(year).expect("year checked");
        // Align months with the slice: the data may start after the year does, or end
        // before it.
        let offset = usize::try_from(subject.load.first_epoch_hour - year_start_epoch_hour(year))
            .unwrap_or(0);
        let mut threshold = Vec::with_capacity(slice.len());
        threshold_series(
            &months[offset..offset + slice.len()],
            summer,
            winter,
            1.0,
            &mut threshold,
        );
        thresholds.push(threshold);
        if let Some(profile) = profile {
            let mut shape = Vec::new();
            shape_for_year(profile, subject.time_zone, year, &mut shape);
            shapes.push(shape[offset..offset + slice.len()].to_vec());
        }
    }
    let slices: Vec<YearSeries<'_>> = years
        .iter()
        .zip(&thresholds)
        .enumerate()
        .map(|(i, (&y, t))| {
            (
                subject.load.year_slice(y).expect("checked"),
                t.as_slice(),
                shapes.get(i).map(Vec::as_slice),
            )
        })
        .collect();
    let mut points: Vec<MarginPoint> = Vec::new();
    margin_points(&slices, &mut points);
    sort_points(&mut points);
    let headroom = solve_headroom_mw(&points, limits_frac);
    Ok(limits_frac
        .iter()
        .zip(headroom)
        .map(|(&limit, mw)| HeadroomRow {
            region: subject.id.clone(),
            limit_pct: limit * 100.0,
            headroom_mw: mw,
            stats: curtailment_stats(&slices, mw),
        })
        .collect())
}

/// Headroom rows of every subject and the total (sum of headroom; mean of hours and
/// events over regions), in subject order then limit order.
fn headroom_rows(
    subjects: &[Subject],
    years: Option<(i32, i32)>,
    limits_frac: &[f64],
    profile: Option<&Profile>,
) -> Result<Vec<HeadroomRow>> {
    let per_region: Vec<Result<Vec<HeadroomRow>>> = subjects
        .par_iter()
        .map(|s| analyse(s, years, limits_frac, profile))
        .collect();
    let mut rows = Vec::new();
    for r in per_region {
        rows.extend(r?);
    }
    if subjects.len() > 1 {
        let n = subjects.len() as f64;
        for (k, &limit) in limits_frac.iter().enumerate() {
            let at_limit: Vec<&HeadroomRow> =
                rows.iter().skip(k).step_by(limits_frac.len()).collect();
            let mean = |f: fn(&HeadroomRow) -> f64| at_limit.iter().map(|r| f(r)).sum::<f64>() / n;
            rows.push(HeadroomRow {
                region: TOTAL_ROW.to_owned(),
                limit_pct: limit * 100.0,
                headroom_mw: at_limit.iter().map(|r| r.headroom_mw).sum(),
                stats: crate::headroom::CurtailmentStats {
                    mean_rate_frac: mean(|r| r.stats.mean_rate_frac),
                    curtailed_hours_per_year: mean(|r| r.stats.curtailed_hours_per_year),
                    hours_kept_50pct_per_year: mean(|r| r.stats.hours_kept_50pct_per_year),
                    hours_kept_75pct_per_year: mean(|r| r.stats.hours_kept_75pct_per_year),
                    hours_kept_90pct_per_year: mean(|r| r.stats.hours_kept_90pct_per_year),
                    events_per_year: mean(|r| r.stats.events_per_year),
                    mean_event_h: mean(|r| r.stats.mean_event_h),
                },
            });
        }
    }
    Ok(rows)
}

/// Compute the headroom table for the arguments (no printing, no files).
///
/// # Errors
/// Bad limits, unreadable inputs, years outside the data.
pub fn compute_headroom(args: &HeadroomArgs) -> Result<Vec<HeadroomRow>> {
    if args.limits.is_empty() {
        bail!("--limits: expected at least one limit in percent, e.g. 0.25,0.5,1,5");
    }
    for limit in &args.limits {
        if !limit.is_finite() || *limit <= 0.0 || *limit >= 100.0 {
            bail!("--limits: found {limit}, expected percentages above 0 and below 100");
        }
    }
    let limits_frac: Vec<f64> = args.limits.iter().map(|l| l / 100.0).collect();
    let years = match &args.weather_years {
        Some(text) => {
            Some(parse_year_range(text).map_err(|e| anyhow::anyhow!("--weather-years: {e}"))?)
        }
        None => None,
    };
    let subjects: Vec<Subject> = if let Some(path) = &args.load {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("load")
            .to_owned();
        vec![Subject {
            id,
            time_zone: parse_time_zone(&args.time_zone)
                .map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?,
            load: read_load_file(path)?,
            summer_months: DEFAULT_SUMMER_MONTHS.to_vec(),
            winter_months: DEFAULT_WINTER_MONTHS.to_vec(),
        }]
    } else {
        let path = resolve_input(&args.regions, "regions", "region set")?;
        let set = read_region_set(&path)?;
        set.regions
            .par_iter()
            .map(|r| {
                Ok(Subject {
                    id: r.id.clone(),
                    time_zone: r.time_zone,
                    load: read_load_file(&r.load_path)?,
                    summer_months: r.summer_peak_months.clone(),
                    winter_months: r.winter_peak_months.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    let profile = match &args.profile {
        Some(path) => Some(read_profile(path)?),
        None => None,
    };
    headroom_rows(&subjects, years, &limits_frac, profile.as_ref())
}

/// The table printed on screen.
#[must_use]
pub fn render_table(rows: &[HeadroomRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:>9} {:>14} {:>12} {:>10} {:>10} {:>10} {:>12}",
        "Region",
        "Limit [%]",
        "Headroom [MW]",
        "Curtailed",
        "≥50% kept",
        "≥75% kept",
        "≥90% kept",
        "Mean event"
    );
    let _ = writeln!(
        out,
        "{:<12} {:>9} {:>14} {:>12} {:>10} {:>10} {:>10} {:>12}",
        "", "", "", "[h/yr]", "[h/yr]", "[h/yr]", "[h/yr]", "[h]"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<12} {:>9} {:>14.0} {:>12.1} {:>10.1} {:>10.1} {:>10.1} {:>12.2}",
            r.region,
            r.limit_pct,
            r.headroom_mw,
            r.stats.curtailed_hours_per_year,
            r.stats.hours_kept_50pct_per_year,
            r.stats.hours_kept_75pct_per_year,
            r.stats.hours_kept_90pct_per_year,
            r.stats.mean_event_h
        );
    }
    out
}

/// `gridstrain headroom`.
///
/// # Errors
/// Bad input or unwritable outputs.
pub fn handle_headroom(args: &HeadroomArgs) -> Result<()> {
    args.common.init_threads()?;
    let run_dir = match &args.out {
        Some(dir) => Some(RunDir::create(dir, args.force)?),
        None => None,
    };
    let rows = compute_headroom(args)?;
    print!("{}", render_table(&rows));
    if let Some(run_dir) = run_dir {
        write_both(&mut headroom_frame(&rows)?, run_dir.path(), "headroom")?;
        let path = run_dir.commit()?;
        eprintln!(
            "wrote headroom.csv and headroom.parquet to {}",
            path.display()
        );
    }
    Ok(())
}
