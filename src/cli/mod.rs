//! The command line (clap): `run`, `headroom`, `validate`, `import`. Each subcommand
//! turns its arguments into library calls (input → simulation → output) and nothing
//! else. Exit codes: 0 ok, 1 error, 2 bad usage.
//!
//! Standard output is written only through [`print_stdout`]: a reader that has gone (a
//! closed pipe, as with `| head`) ends the command silently with exit 0, as ripgrep does;
//! any other write error (a full disk) is one line and exit 1 — never a panic.
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};

pub mod batch;
pub mod headline;
pub mod headroom;
pub mod import;
pub mod progress;
pub mod regions;
pub mod report;
pub mod run;
pub mod sweep;
pub mod validate;

/// gridstrain: AI compute → hourly electricity demand on real grid regions → grid strain.
#[derive(Debug, Parser)]
#[command(name = "gridstrain", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario over a region set and write metrics (defaults: the shipped
    /// `default` scenario over `us-48`, 2024–2035, every weather year all its regions hold).
    Run(run::RunArgs),
    /// Monte Carlo over the scenario's uncertain parameters and the weather years:
    /// percentile bands of every metric (defaults as for `run`, 1,000 samples).
    Sweep(sweep::SweepArgs),
    /// Every scenario × region set as its own run folder, failures listed in
    /// failures.csv; `--shard K/N` for cluster arrays.
    Batch(batch::BatchArgs),
    /// Write a run's or sweep's report (report.html, report.md, report_charts/) again
    /// from its folder, without recomputing; on a batch folder, its units side by side.
    Report(report::ReportArgs),
    /// Curtailment-enabled headroom (Norris et al. 2025) of a region set or a load file.
    Headroom(headroom::HeadroomArgs),
    /// List the region sets and the catalogue's regions (ids, names, kind, ISO, time
    /// zone, people, today's data-centre load, years of data).
    Regions(regions::RegionsArgs),
    /// Check region sets, scenarios, profiles and load files without running anything.
    Validate(validate::ValidateArgs),
    /// Turn a user's hourly load (tidy CSV/Parquet, local-time CSV, EIA-930) into a region
    /// load file.
    Import(import::ImportArgs),
    /// Read Parquet bytes from standard input and write them back as Parquet polars
    /// wrote: the child process untrusted Parquet is decoded in (see
    /// `input::parquet_read`). Not for people.
    #[command(name = "read-parquet-child", hide = true)]
    ReadParquetChild(ReadParquetChildArgs),
}

/// Arguments of the hidden `read-parquet-child`.
#[derive(Debug, Args)]
pub struct ReadParquetChildArgs {
    /// Most rows the table may hold.
    #[arg(long)]
    pub max_rows: u64,
}

/// The years of a study, shared by `run`, `sweep` and `batch`: parsed by clap, so a
/// malformed range is bad usage (exit 2) in every command.
#[derive(Debug, Clone, Copy, Args)]
pub struct YearArgs {
    /// Target years, inclusive (e.g. 2024..2035 or 2030); default: the scenario's years.
    #[arg(long, value_name = "A..B", value_parser = parse_years_arg)]
    pub years: Option<(i32, i32)>,
    /// Weather years of the ensemble, inclusive (default: every full year all the
    /// study's regions hold: 2016–2024 for BA sets, 2019–2024 with zones, 2020–2024
    /// with ERCOT's zones); a sweep's samples draw from them.
    #[arg(long, value_name = "A..B", value_parser = parse_years_arg)]
    pub weather_years: Option<(i32, i32)>,
}

impl YearArgs {
    /// The weather years named, one by one (empty: the study's default).
    #[must_use]
    pub fn weather_year_list(&self) -> Vec<i32> {
        self.weather_years
            .map(|(first, last)| (first..=last).collect())
            .unwrap_or_default()
    }
}

/// Options shared by the commands that compute.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Worker threads (default: all cores; at most 4 × the cores). Results are identical
    /// for any number.
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// No progress bar, no headline or notes: errors only.
    #[arg(long, short)]
    pub quiet: bool,
}

impl CommonArgs {
    /// Set up the global thread pool once.
    ///
    /// # Errors
    /// When the pool cannot be built (e.g. set twice).
    pub fn init_threads(&self) -> Result<()> {
        if let Some(n) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .map_err(|e| anyhow::anyhow!("cannot set up {n} threads: {e}"))?;
        }
        Ok(())
    }
}

/// `--threads` may ask for at most this many threads per core: more only adds start-up
/// time and memory (each thread keeps its own work buffers), never speed.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The cores this process may use (1 when the system cannot say).
#[must_use]
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `--threads N` for clap: 1 ≤ N ≤ [`MAX_THREADS_PER_CORE`] × the cores (anything else
/// is bad usage, exit 2).
///
/// # Errors
/// Not a whole number, 0, or more than the bound; the message states the bound.
pub fn parse_threads(text: &str) -> std::result::Result<usize, String> {
    let cores = available_cores();
    let most = cores.saturating_mul(MAX_THREADS_PER_CORE);
    let n: usize = text.trim().parse().map_err(|_| {
        format!(
            "found `{}`, expected a whole number of threads from 1 to {most}",
            shorten(text)
        )
    })?;
    if n == 0 {
        return Err(format!("found 0, expected at least 1 (and at most {most})"));
    }
    if n > most {
        return Err(format!(
            "found {n}, expected at most {most} ({MAX_THREADS_PER_CORE} × the {cores} available cores)"
        ));
    }
    Ok(n)
}

/// A year range (`--years`, `--weather-years`) for clap: checked at parse time, so a bad
/// one is bad usage (exit 2) in every command; the text is kept as given.
///
/// # Errors
/// What [`crate::time::parse_year_range`] refuses.
pub fn parse_years_arg(text: &str) -> std::result::Result<(i32, i32), String> {
    crate::time::parse_year_range(text).map_err(|e| {
        // The message quotes the value: quote a long one shortened, keep the hint whole.
        if text.chars().count() > 60 {
            format!(
                "found `{}`, expected a year range such as 2024..2035, or one year such as 2030",
                shorten(text)
            )
        } else {
            e
        }
    })
}

/// The largest gap `import --fill-gaps` may fill, in hours (a year).
pub const MAX_GAP_H_LIMIT: usize = 8760;

/// `--max-gap-h H` for clap: 1 ≤ H ≤ [`MAX_GAP_H_LIMIT`].
///
/// # Errors
/// Not a whole number in that range.
pub fn parse_max_gap_h(text: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(h) if (1..=MAX_GAP_H_LIMIT).contains(&h) => Ok(h),
        _ => Err(format!(
            "found `{}`, expected whole hours from 1 to {MAX_GAP_H_LIMIT}",
            shorten(text)
        )),
    }
}

/// The largest `--seed`: `run.toml` records it as a TOML integer, which is a signed
/// 64-bit number.
pub const MAX_SEED: u64 = i64::MAX as u64;

/// `--seed S` for clap: 0 ≤ S ≤ [`MAX_SEED`].
///
/// # Errors
/// Not a whole number in that range.
pub fn parse_seed(text: &str) -> std::result::Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(seed) if seed <= MAX_SEED => Ok(seed),
        _ => Err(format!(
            "found `{}`, expected a whole number from 0 to {MAX_SEED} (2^63 − 1: run.toml records it as a TOML integer)",
            shorten(text)
        )),
    }
}

/// A curtailment limit (`headroom --limits`, percent) for clap: above 0 and below 100.
///
/// # Errors
/// Not a number in that range.
pub fn parse_limit_pct(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(pct) if pct.is_finite() && pct > 0.0 && pct < 100.0 => Ok(pct),
        _ => Err(format!(
            "found `{}`, expected percentages above 0 and below 100 (e.g. 0.25,0.5,1,5)",
            shorten(text)
        )),
    }
}

/// An IANA time zone name (`--time-zone`) for clap, checked at parse time; the name is
/// kept as given.
///
/// # Errors
/// A name chrono-tz does not know.
pub fn parse_time_zone_arg(text: &str) -> std::result::Result<String, String> {
    crate::input::parse_time_zone(text)
        .map(|_| text.to_owned())
        .map_err(|_| {
            format!(
                "unknown time zone `{}`, expected an IANA time zone name such as America/New_York or UTC",
                shorten(text)
            )
        })
}

/// A command-line value as quoted in a message: at most 60 characters.
fn shorten(text: &str) -> String {
    crate::input::shorten(text, 60)
}

/// Print clap's help, version or usage error. Help and version go to standard output:
/// a reader that has gone (a closed pipe) is fine, any other failure (e.g. `/dev/full`)
/// is an error. Returns whether the text was written.
fn print_clap(error: &clap::Error) -> bool {
    match error.print().and_then(|()| std::io::stdout().flush()) {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

/// Parse the process's arguments, run, print errors, and give the exit code.
#[must_use]
pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// [`main`] with the arguments given (the first is the program's name): for a host that
/// is not the `gridstrain` executable, such as the Python package's `gridstrain` command,
/// which sets its own Parquet reader first
/// ([`crate::input::parquet_read::use_reader_command`]). `run.toml` records these
/// arguments as the command line.
#[must_use]
pub fn main_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let _ = COMMAND_LINE.set(join_args(&args));
    crate::input::parquet_read::install_quiet_panic_hook();
    // Parquet from outside is decoded in a child of this very executable, never here (a
    // reader set before, by a host that is not this executable, is kept).
    crate::input::parquet_read::require_reader_process();
    if let Ok(exe) = std::env::current_exe() {
        crate::input::parquet_read::use_reader_executable(exe);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let printed = print_clap(&e);
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    if printed {
                        ExitCode::SUCCESS
                    } else {
                        note("error: cannot write to standard output");
                        ExitCode::from(1)
                    }
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let result = match cli.command {
        Command::ReadParquetChild(args) => {
            return crate::input::parquet_read::child_main(args.max_rows);
        }
        Command::Run(args) => run::handle_run(&args),
        Command::Sweep(args) => sweep::handle_sweep(&args),
        Command::Batch(args) => batch::handle_batch(&args),
        Command::Report(args) => report::handle_report(&args),
        Command::Headroom(args) => headroom::handle_headroom(&args),
        Command::Validate(args) => validate::handle_validate(&args),
        Command::Regions(args) => regions::handle_regions(&args),
        Command::Import(args) => import::handle_import(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<StdoutClosed>().is_some() => ExitCode::SUCCESS,
        Err(e) => {
            note(&format!("error: {e:#}"));
            ExitCode::from(1)
        }
    }
}

/// Standard output's reader has gone (a closed pipe): the command stops, and exits 0.
#[derive(Debug)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// An I/O error as words, without the "(os error N)" tail.
fn io_words(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Write `text` to standard output and flush it.
///
/// # Errors
/// [`StdoutClosed`] when the reader has gone; "cannot write to standard output: …" for
/// any other failure (e.g. a full disk).
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => bail!("cannot write to standard output: {}", io_words(&e)),
    }
}

/// The arguments [`main_from`] was given, as [`command_line`] gives them.
static COMMAND_LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Arguments joined by spaces, those that are not UTF-8 kept lossily.
fn join_args(args: &[std::ffi::OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command line as run, for `run.toml`: the arguments given to [`main_from`], else
/// the process's; arguments that are not UTF-8 (a path with another encoding) are kept
/// lossily rather than refused.
#[must_use]
pub fn command_line() -> String {
    COMMAND_LINE
        .get()
        .cloned()
        .unwrap_or_else(|| join_args(&std::env::args_os().collect::<Vec<_>>()))
}

pub use crate::output::note;

/// Folders searched for shipped inputs named without a path ([`crate::input::shipped_roots`]).
fn search_roots() -> Vec<PathBuf> {
    crate::input::shipped_roots()
}

/// Resolve `NAME|PATH`: a value with a `/` or ending in `.toml` is a path; a bare name is
/// looked up as `<root>/<folder>/<NAME>.toml`.
///
/// # Errors
/// When nothing is found; the message lists what is available.
pub fn resolve_input(value: &str, folder: &str, what: &str) -> Result<PathBuf> {
    let looks_like_path = value.contains('/') || value.contains('\\') || value.ends_with(".toml");
    if looks_like_path {
        let path = PathBuf::from(value);
        // Only a missing path is refused here; what exists is opened by the reader, which
        // names a FIFO, a device or a directory as what it is.
        if !path.exists() {
            bail!("{what} file {value} does not exist");
        }
        return Ok(path);
    }
    for root in search_roots() {
        let candidate = root.join(folder).join(format!("{value}.toml"));
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let available = available_names(folder);
    bail!(
        "unknown {what} '{value}'; available: {} (or give a path to a .toml file)",
        if available.is_empty() {
            "none found".to_owned()
        } else {
            available.join(", ")
        }
    )
}

/// Resolve `--regions`: a path or a set name under `regions/` (as [`resolve_input`]), else
/// catalogue region ids separated by commas (`PJM-DOM`, `SOCO,TVA`): then the catalogue's
/// path and the ids.
///
/// # Errors
/// When it is none of these; the message lists the sets and says how to list the ids.
pub fn resolve_regions(value: &str) -> Result<(PathBuf, Vec<String>)> {
    let set = resolve_input(value, "regions", "region set");
    let looks_like_path = value.contains('/') || value.contains('\\') || value.ends_with(".toml");
    match set {
        Ok(path) => Ok((path, Vec::new())),
        Err(e) if looks_like_path => Err(e),
        Err(e) => {
            let Some(path) = crate::input::catalogue::find_catalogue() else {
                return Err(e);
            };
            let catalogue = crate::input::catalogue::read_catalogue(&path)?;
            let ids: Vec<String> = value.split(',').map(|id| id.trim().to_owned()).collect();
            if ids.iter().all(|id| catalogue.get(id).is_some()) {
                return Ok((path, ids));
            }
            let unknown: Vec<&str> = ids
                .iter()
                .filter(|id| catalogue.get(id).is_none())
                .map(String::as_str)
                .collect();
            bail!(
                "{e}; nor is `{}` a region of the catalogue (`gridstrain regions` lists the sets and the {} region ids)",
                shorten(&unknown.join(",")),
                catalogue.regions.len()
            )
        }
    }
}

/// Names of the `.toml` files in the first `<root>/<folder>` that exists.
#[must_use]
pub fn available_names(folder: &str) -> Vec<String> {
    for root in search_roots() {
        let dir = root.join(folder);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut names: Vec<String> = entries
                .filter_map(|e| {
                    let path = e.ok()?.path();
                    (path.extension()? == "toml")
                        .then(|| path.file_stem()?.to_str().map(str::to_owned))?
                })
                // The catalogue is not a set to study; its regions are (by id).
                .filter(|name| !(folder == "regions" && name == "catalogue"))
                .collect();
            names.sort();
            return names;
        }
    }
    Vec::new()
}

/// The folder where default outputs go: `./outputs`.
#[must_use]
pub fn default_outputs_dir() -> PathBuf {
    PathBuf::from("outputs")
}
