//! Progress bars: shown on stderr when it is a terminal, hidden otherwise or with
//! `--quiet`.
use std::io::IsTerminal;

use std::time::Duration;

use indicatif::{HumanDuration, ProgressBar, ProgressState, ProgressStyle};

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
    let template = format!("{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{rate}}, {{left}})");
    bar.set_style(
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate_text(state.pos(), state.elapsed()));
                },
            )
            .with_key(
                "left",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&left_text(state.pos(), state.len(), state.elapsed()));
                },
            )
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}

/// Shortest time before a rate is shown: earlier it would be noise.
const RATE_AFTER: Duration = Duration::from_millis(500);

/// The rate once it is known (`done` steps after `elapsed`), rounded; else a dash.
fn rate_text(done: u64, elapsed: Duration) -> String {
    if done == 0 || elapsed < RATE_AFTER {
        return "rate –".to_owned();
    }
    let per_second = done as f64 / elapsed.as_secs_f64();
    if per_second >= 10.0 {
        format!("{per_second:.0}/s")
    } else {
        format!("{per_second:.1}/s")
    }
}

/// Time left at the rate so far, once a rate is known; no estimate before.
fn left_text(done: u64, total: Option<u64>, elapsed: Duration) -> String {
    match total {
        Some(total) if done > 0 && elapsed >= RATE_AFTER => {
            let per_step = elapsed.as_secs_f64() / done as f64;
            let left = Duration::from_secs_f64(per_step * total.saturating_sub(done) as f64);
            format!("{} left", HumanDuration(left))
        }
        _ => "estimating time left".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rate_or_time_left_before_the_work_has_a_pace() {
        assert_eq!(rate_text(0, Duration::from_secs(3)), "rate –");
        assert_eq!(rate_text(5, Duration::from_millis(10)), "rate –");
        assert_eq!(
            left_text(0, Some(100), Duration::from_secs(9)),
            "estimating time left"
        );
        assert_eq!(rate_text(1234, Duration::from_secs(2)), "617/s");
        assert_eq!(rate_text(3, Duration::from_secs(2)), "1.5/s");
        // 10 of 30 in 2 s: 4 s left.
        assert_eq!(
            left_text(10, Some(30), Duration::from_secs(2)),
            "4 seconds left"
        );
    }
}
