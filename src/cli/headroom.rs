//! `gridstrain headroom`: curtailment-enabled headroom of each region of a set (or of one
//! load file) at several curtailment limits, by the method of Norris et al. (2025) on the
//! region's own historical load (no scaling), with the hours and events it implies.
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{CommonArgs, note, print_stdout, resolve_input};
use crate::input::load_file::read_load_file;
use crate::input::parse_time_zone;
use crate::input::profile::read_profile;
use crate::input::region_set::{DEFAULT_SUMMER_MONTHS, DEFAULT_WINTER_MONTHS};
use crate::input::study::read_region_loads;
use crate::output::{RunDir, write_table_both};
use crate::results::HeadroomRow;
use crate::simulation::headroom::{HeadroomRequest, HeadroomSubject, analyse_headroom};

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
        value_name = "PCT,…",
        value_parser = super::parse_limit_pct
    )]
    pub limits: Vec<f64>,
    /// A profile (e.g. profiles/inference-chat.toml) for a *shaped* new load, laid onto
    /// each region's local time; the headroom is then the shaped load's average MW.
    /// Default: a constant new load, as in Norris et al. (2025).
    #[arg(long, value_name = "FILE.toml")]
    pub profile: Option<PathBuf>,
    /// IANA time zone of the --load file's region (for --profile).
    #[arg(long, default_value = "UTC", value_name = "TZ", value_parser = super::parse_time_zone_arg)]
    pub time_zone: String,
    /// Years of history (default: every full year of each region's data).
    #[arg(long, value_name = "A..B", value_parser = super::parse_years_arg)]
    pub weather_years: Option<(i32, i32)>,
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

/// The headroom request the arguments describe: the limits checked, the region set's (or
/// the one file's) load read.
///
/// # Errors
/// Bad limits, unreadable inputs.
pub fn headroom_request(args: &HeadroomArgs) -> Result<HeadroomRequest> {
    if args.limits.is_empty() {
        bail!("--limits: expected at least one limit in percent, e.g. 0.25,0.5,1,5");
    }
    for limit in &args.limits {
        if !limit.is_finite() || *limit <= 0.0 || *limit >= 100.0 {
            bail!("--limits: found {limit}, expected percentages above 0 and below 100");
        }
    }
    let limits_frac: Vec<f64> = args.limits.iter().map(|l| l / 100.0).collect();
    let years = args.weather_years;
    let subjects: Vec<HeadroomSubject> = if let Some(path) = &args.load {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("load")
            .to_owned();
        vec![HeadroomSubject {
            id,
            time_zone: parse_time_zone(&args.time_zone)
                .map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?,
            load: read_load_file(path)?,
            summer_months: DEFAULT_SUMMER_MONTHS.to_vec(),
            winter_months: DEFAULT_WINTER_MONTHS.to_vec(),
        }]
    } else {
        let path = resolve_input(&args.regions, "regions", "region set")?;
        let (set, loads) = read_region_loads(&path)?;
        set.regions
            .iter()
            .zip(loads)
            .map(|(region, load)| HeadroomSubject::from_region(region, load))
            .collect()
    };
    let profile = match &args.profile {
        Some(path) => Some(read_profile(path)?),
        None => None,
    };
    Ok(HeadroomRequest {
        subjects,
        weather_years: years,
        limits_frac,
        profile,
    })
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
            r.curtailed_hours_per_year,
            r.hours_kept_50pct_per_year,
            r.hours_kept_75pct_per_year,
            r.hours_kept_90pct_per_year,
            r.mean_event_h
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
    let rows = analyse_headroom(&headroom_request(args)?)?;
    let written = run_dir.is_some();
    if let Some(run_dir) = run_dir {
        write_table_both(&rows, run_dir.path(), "headroom")?;
        let path = run_dir.commit()?;
        if !args.common.quiet {
            note(&format!(
                "wrote headroom.csv and headroom.parquet to {}",
                path.display()
            ));
        }
    }
    // The table is the answer; with --quiet it is printed only when no file holds it.
    if !(args.common.quiet && written) {
        print_stdout(&render_table(&rows))?;
    }
    Ok(())
}
