//! `gridstrain import`: read a user's hourly load (tidy CSV/Parquet, local-time CSV or an
//! EIA-930 balance file), check and optionally gap-fill it, and write a region load file
//! (Parquet) with a provenance file beside it; print a `[[region]]` table to paste into a
//! region set.
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use super::{note, print_stdout};
use crate::input::bounded::{LOAD_CSV_LIMIT, read_text_limited};
use crate::input::import::{clean_rows, provenance_text};
use crate::input::load_file::read_parquet_rows;
use crate::input::parse_time_zone;
use crate::input::series::RawRows;
use crate::input::text_rows::{EiaDemand, eia930_rows, local_rows, tidy_rows};
use crate::output::{RunDir, write_load_parquet};

/// Input forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportForm {
    /// `timestamp_utc,demand_mw` as CSV or Parquet (UTC, hour-beginning).
    Tidy,
    /// `timestamp_local,demand_mw` CSV in the time zone given by --time-zone.
    Local,
    /// An EIA-930 balance file as EIA publishes it (pick the BA with --ba).
    Eia930,
}

/// Arguments of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// The form of the input.
    #[arg(long, value_enum, default_value = "tidy")]
    pub format: ImportForm,
    /// Where to write the load file (.parquet); a provenance file `<name>.provenance.md`
    /// is written beside it.
    #[arg(long, value_name = "FILE.parquet")]
    pub out: PathBuf,
    /// IANA time zone of a local-time CSV (e.g. America/Chicago).
    #[arg(long, value_name = "TZ", value_parser = super::parse_time_zone_arg)]
    pub time_zone: Option<String>,
    /// Balancing authority to pick from an EIA-930 file (e.g. PJM).
    #[arg(long, value_name = "CODE")]
    pub ba: Option<String>,
    /// EIA-930 demand column.
    #[arg(long, value_enum, default_value = "adjusted")]
    pub eia_demand: EiaDemand,
    /// Fill gaps (missing hours, empty cells) by linear interpolation.
    #[arg(long)]
    pub fill_gaps: bool,
    /// Longest gap --fill-gaps may fill (hours).
    #[arg(long, default_value_t = 6, value_name = "H", value_parser = super::parse_max_gap_h)]
    pub max_gap_h: usize,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Read the input rows in the chosen form.
///
/// # Errors
/// Any problem in the input, with file and line.
pub fn read_rows(args: &ImportArgs) -> Result<RawRows> {
    let file = args.input.display().to_string();
    let is_parquet = args
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if args.time_zone.is_some() && args.format != ImportForm::Local {
        bail!("--time-zone is only used with --format local");
    }
    if args.ba.is_some() && args.format != ImportForm::Eia930 {
        bail!("--ba is only used with --format eia930");
    }
    match args.format {
        ImportForm::Tidy if is_parquet => read_parquet_rows(&args.input),
        ImportForm::Tidy => tidy_rows(&read_text_limited(&args.input, LOAD_CSV_LIMIT)?, &file),
        ImportForm::Local => {
            let Some(zone) = &args.time_zone else {
                bail!("--format local needs --time-zone (an IANA name such as America/Chicago)");
            };
            let zone = parse_time_zone(zone).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
            local_rows(
                &read_text_limited(&args.input, LOAD_CSV_LIMIT)?,
                &file,
                zone,
            )
        }
        ImportForm::Eia930 => eia930_rows(
            &read_text_limited(&args.input, LOAD_CSV_LIMIT)?,
            &file,
            args.ba.as_deref(),
            args.eia_demand,
        ),
    }
}

/// `gridstrain import`.
///
/// # Errors
/// Bad input or an unwritable output.
pub fn handle_import(args: &ImportArgs) -> Result<()> {
    if args
        .out
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("parquet"))
    {
        bail!(
            "--out {}: expected a .parquet file name",
            args.out.display()
        );
    }
    let provenance_path = args.out.with_extension("provenance.md");
    let staging = RunDir::create_files(&[args.out.clone(), provenance_path.clone()], args.force)?;
    let rows = read_rows(args)?;
    let (load, report) = clean_rows(
        &rows,
        &args.input.display().to_string(),
        args.fill_gaps,
        args.max_gap_h,
    )?;
    write_load_parquet(&load, &staging.staged(&args.out))?;
    let form = match args.format {
        ImportForm::Tidy => "tidy (timestamp_utc, demand_mw)".to_owned(),
        ImportForm::Local => format!("local time in {}", args.time_zone.as_deref().unwrap_or("")),
        ImportForm::Eia930 => format!(
            "EIA-930 balance file, BA {}, column {:?}, hour-ending shifted to hour-beginning",
            args.ba.as_deref().unwrap_or("(only one)"),
            args.eia_demand
        ),
    };
    std::fs::write(
        staging.staged(&provenance_path),
        provenance_text(&args.input, &form, &load, &report),
    )?;
    staging.commit()?;
    note(&format!(
        "imported {} hours ({} filled, {} zero, {} far outliers) into {}; provenance in {}",
        load.demand_mw.len(),
        report.filled.len(),
        report.zero_hours.len(),
        report.outlier_hours.len(),
        args.out.display(),
        provenance_path.display()
    ));
    let id = args
        .out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("REGION");
    let zone = args.time_zone.as_deref().map_or_else(
        || "\"UTC\"  # set the region's IANA time zone".to_owned(),
        |z| format!("\"{z}\""),
    );
    print_stdout(&format!(
        "[[region]]\nid = \"{id}\"\nname = \"{id}\"\ntime_zone = {zone}\npopulation = 1  # people served, with its source\nbaseline_growth_per_year_frac = 0.01\nload_file = \"{}\"  # relative to the region-set file\n",
        args.out.display()
    ))
}
