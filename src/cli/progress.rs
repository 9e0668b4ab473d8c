//! Progress bars: shown on stderr when it is a terminal, hidden otherwise or with
//! `--quiet`.
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `total` region-years labelled `label`, or a hidden bar.
#[must_use]
pub fn bar(total: u64, label: &str, quiet: bool) -> ProgressBar {
    bar_of(total, label, "region-years", quiet)
}

/// A bar of `total` steps counted in `unit`, with rate and time left, or a hidden bar.
#[must_use]
pub fn bar_of(total: u64, label: &str, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template =
        format!("{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
    bar.set_style(
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}
