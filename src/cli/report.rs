//! `gridstrain report RUN_DIR`: (re)write a run's or sweep's `report.html`, `report.md`
//! and `report_charts/` from the folder's own files, without recomputing anything. The
//! same folder gives the same bytes.
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{note, print_stdout};
use crate::report::{REPORT_HTML, write_report};

/// Arguments of `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// A run or sweep output folder.
    #[arg(value_name = "RUN_DIR")]
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
            "{} is not a folder; expected a run or sweep output folder",
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
