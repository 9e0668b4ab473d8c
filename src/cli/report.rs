//! `gridstrain report DIR`: (re)write a run's or sweep's `report.html`, `report.md`
//! and `report_charts/` from the folder's own files, without recomputing anything — or,
//! for a batch folder, the comparison of the runs and sweeps below it. The same folder
//! gives the same bytes.
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{note, print_stdout};
use crate::report::{REPORT_HTML, write_report};

/// Arguments of `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// A run or sweep output folder, or a batch folder (its units compared side by side).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// No message on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `gridstrain report`.
///
/// # Errors
/// Not a run folder, a table missing, or files that cannot be written.
pub fn handle_report(args: &ReportArgs) -> Result<()> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a folder; expected a run, sweep or batch output folder",
            args.dir.display()
        );
    }
    write_report(&args.dir)?;
    if args.quiet {
        return Ok(());
    }
    let path = args.dir.join(REPORT_HTML);
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        note(&format!("report: {}", path.display()));
        Ok(())
    } else {
        print_stdout(&format!("{}\n", path.display()))
    }
}
