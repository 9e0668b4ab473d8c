//! Numbers fit for a spreadsheet and a filing (issue 21, item 5): every CSV a run writes
//! carries at most 7 significant digits (fractions 4), counts are integers, and
//! `metrics.csv` gives each peak hour in UTC and in the region's local time.
use crate::common::{Dir, read_csv};

/// Significant digits of a CSV number cell (`None` for text): "253290000.0" has 5,
/// "0.03174" 4, "1.5e-12" 2.
fn significant_digits(cell: &str) -> Option<usize> {
    cell.parse::<f64>().ok()?;
    let mantissa = cell.split(['e', 'E']).next().unwrap_or(cell);
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let frac_part = frac_part.trim_end_matches('0');
    let digits = if frac_part.is_empty() {
        int_part
            .trim_start_matches('0')
            .trim_end_matches('0')
            .to_owned()
    } else {
        format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_owned()
    };
    Some(digits.len().max(1))
}

#[test]
fn csv_cells_are_rounded_counts_are_integers_and_peaks_have_a_local_hour() {
    let dir = Dir::new("csv_cells_are_rounded_counts_are_integers_and_peaks_have_a_local_hour");
    let out = dir.run_shipped(
        "run",
        &["--regions", "SOCO,PJM-DOM", "--years", "2030..2030"],
    );
    let swept = dir.join("sweep");
    dir.command()
        .args([
            "sweep",
            "--quiet",
            "--samples",
            "20",
            "--regions",
            "SOCO,PJM-DOM",
        ])
        .args(["--years", "2030..2030"])
        .out(&swept)
        .succeeds();
    for (dir, file) in [
        (&out, "metrics.csv"),
        (&out, "regionset_metrics.csv"),
        (&out, "summary.csv"),
        (&out, "siting.csv"),
        (&out, "power_by_year.csv"),
        (&out, "reality_check.csv"),
        (&swept, "bands.csv"),
    ] {
        let (header, rows) = read_csv(&dir.join(file));
        for row in &rows {
            for (name, cell) in header.iter().zip(row) {
                if let Some(digits) = significant_digits(cell) {
                    assert!(
                        digits <= 7,
                        "{file} {name}: {cell} has {digits} significant digits"
                    );
                }
                if ["hours", "curtailed_hours", "curtailment_events", "samples"]
                    .contains(&name.as_str())
                    || name.starts_with("hours_above_threshold")
                {
                    assert!(
                        cell.parse::<i64>().is_ok(),
                        "{file} {name}: {cell} is not an integer"
                    );
                }
            }
        }
    }
    let (header, rows) = read_csv(&out.join("metrics.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let soco = rows.iter().find(|r| r[col("region")] == "SOCO").unwrap();
    let (utc, local) = (
        &soco[col("total_peak_hour_utc")],
        &soco[col("total_peak_hour_local")],
    );
    // SOCO's catalogue zone is America/New_York: the local hour is 4 (summer) or 5
    // (winter) hours behind UTC, and the two name the same instant.
    assert!(utc.ends_with('Z'), "{utc}");
    assert!(
        local.ends_with("-04:00") || local.ends_with("-05:00"),
        "{local}"
    );
    let instant = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp()
    };
    assert_eq!(instant(utc), instant(local));
    assert!(!soco[col("baseline_peak_hour_local")].is_empty());
}
