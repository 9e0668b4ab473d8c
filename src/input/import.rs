//! `import`'s repairs and report: the rows a reader gave ([`crate::input::text_rows`] or
//! a tidy Parquet file) are checked by the one series validator; missing hours are an
//! error unless gap filling is asked for, which fills gaps of up to `max_gap_h` hours by
//! linear interpolation and lists each fill in the provenance file. Hours that are zero
//! or far outliers are reported and kept.
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

use crate::input::series::{RawRows, check_rows, check_weather_years, complete_series};
use crate::model::series::HourlyLoad;
use crate::time::epoch_hour_to_datetime;

/// A value far from the series' median: above `OUTLIER_HIGH_FACTOR` × median or below
/// `OUTLIER_LOW_FACTOR` × median (reported, kept).
pub const OUTLIER_HIGH_FACTOR: f64 = 3.0;
/// See [`OUTLIER_HIGH_FACTOR`].
pub const OUTLIER_LOW_FACTOR: f64 = 0.2;

/// What an import found and did.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// Rows read.
    pub rows: usize,
    /// Hours filled by interpolation: (epoch hour, value).
    pub filled: Vec<(i64, f64)>,
    /// Hours with demand 0.
    pub zero_hours: Vec<i64>,
    /// Hours far from the median.
    pub outlier_hours: Vec<(i64, f64)>,
    /// Median demand (MW).
    pub median_mw: f64,
    /// The reader's notes (e.g. which demand column was used).
    pub notes: Vec<String>,
}

/// Sort-free checks and repairs of raw rows: refuse unsorted rows, duplicates and
/// negative values; report zeros and outliers; fill gaps (and empty cells) of up to
/// `max_gap_h` hours when `fill_gaps` is set, else refuse them.
///
/// # Errors
/// With the file and line of the first problem.
pub fn clean_rows(
    rows: &RawRows,
    file: &str,
    fill_gaps: bool,
    max_gap_h: usize,
) -> Result<(HourlyLoad, ImportReport)> {
    let mut report = ImportReport {
        rows: rows.epoch_hours.len(),
        notes: rows.notes.clone(),
        ..ImportReport::default()
    };
    if !fill_gaps {
        let load = complete_series(rows, file)?;
        report_zeros_and_outliers(&load, &mut report);
        return Ok((load, report));
    }
    check_rows(rows, file)?;
    // Gaps between rows longer than the limit are refused before the axis is built, so
    // its length is bounded by the rows given.
    for i in 1..rows.epoch_hours.len() {
        let missing = rows.epoch_hours[i] - rows.epoch_hours[i - 1] - 1;
        if missing > max_gap_h as i64 {
            let from =
                epoch_hour_to_datetime(rows.epoch_hours[i - 1] + 1).format("%Y-%m-%dT%H:%MZ");
            bail!(
                "{file}, {}: a gap of {missing} hour(s) from {from} is longer than --max-gap-h {max_gap_h}; it is not filled",
                rows.at(i)
            );
        }
    }
    // Lay the rows on a contiguous hour axis; holes are missing hours or empty cells.
    let first = rows.epoch_hours[0];
    let last = *rows.epoch_hours.last().expect("non-empty");
    let len = usize::try_from(last - first + 1).expect("sorted");
    let mut series: Vec<Option<f64>> = vec![None; len];
    for (h, v) in rows.epoch_hours.iter().zip(&rows.demand_mw) {
        series[usize::try_from(h - first).expect("sorted")] = *v;
    }
    let mut t = 0;
    while t < len {
        if series[t].is_some() {
            t += 1;
            continue;
        }
        let start = t;
        while t < len && series[t].is_none() {
            t += 1;
        }
        let gap = t - start;
        let from = epoch_hour_to_datetime(first + start as i64).format("%Y-%m-%dT%H:%MZ");
        if gap > max_gap_h {
            bail!(
                "{file}: a gap of {gap} hour(s) from {from} is longer than --max-gap-h {max_gap_h}; it is not filled"
            );
        }
        if start == 0 || t == len {
            bail!(
                "{file}: {gap} missing hour(s) at the {} of the series from {from}; only gaps between two known hours can be filled",
                if start == 0 { "start" } else { "end" }
            );
        }
        let before = series[start - 1].expect("known");
        let after = series[t].expect("known");
        for (k, slot) in series.iter_mut().enumerate().take(t).skip(start) {
            let frac = (k - start + 1) as f64 / (gap + 1) as f64;
            let value = before + (after - before) * frac;
            *slot = Some(value);
            report.filled.push((first + k as i64, value));
        }
    }
    let load = HourlyLoad {
        first_epoch_hour: first,
        demand_mw: series.into_iter().map(|v| v.expect("filled")).collect(),
    };
    check_weather_years(&load, file)?;
    report_zeros_and_outliers(&load, &mut report);
    Ok((load, report))
}

/// Median, zero hours and far outliers of a clean series, into the report.
fn report_zeros_and_outliers(load: &HourlyLoad, report: &mut ImportReport) {
    let values = &load.demand_mw;
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    report.median_mw = sorted[sorted.len() / 2];
    for (i, v) in values.iter().enumerate() {
        let hour = load.first_epoch_hour + i as i64;
        if *v == 0.0 {
            report.zero_hours.push(hour);
        } else if report.median_mw > 0.0
            && (*v > OUTLIER_HIGH_FACTOR * report.median_mw
                || *v < OUTLIER_LOW_FACTOR * report.median_mw)
        {
            report.outlier_hours.push((hour, *v));
        }
    }
}

/// The provenance text written beside an imported load file.
#[must_use]
pub fn provenance_text(
    source: &Path,
    form: &str,
    load: &HourlyLoad,
    report: &ImportReport,
) -> String {
    let stamp = |h: i64| {
        epoch_hour_to_datetime(h)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Provenance of this load file\n");
    let _ = writeln!(out, "- source: `{}`", source.display());
    let _ = writeln!(out, "- form: {form}");
    let _ = writeln!(
        out,
        "- imported by: gridstrain {}",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "- span (UTC, hour-beginning): {} – {}",
        stamp(load.first_epoch_hour),
        stamp(load.end_epoch_hour() - 1)
    );
    let _ = writeln!(
        out,
        "- rows read: {}; hours written: {}",
        report.rows,
        load.demand_mw.len()
    );
    let _ = writeln!(out, "- median demand: {:.1} MW", report.median_mw);
    for note in &report.notes {
        let _ = writeln!(out, "- note: {note}");
    }
    let _ = writeln!(
        out,
        "- hours filled by linear interpolation: {}",
        report.filled.len()
    );
    for (h, v) in &report.filled {
        let _ = writeln!(out, "  - {} filled with {v:.3} MW", stamp(*h));
    }
    let _ = writeln!(
        out,
        "- hours with zero demand (kept): {}",
        report.zero_hours.len()
    );
    for h in report.zero_hours.iter().take(50) {
        let _ = writeln!(out, "  - {}", stamp(*h));
    }
    let _ = writeln!(
        out,
        "- far outliers (above {OUTLIER_HIGH_FACTOR} × or below {OUTLIER_LOW_FACTOR} × the median; kept): {}",
        report.outlier_hours.len()
    );
    for (h, v) in report.outlier_hours.iter().take(50) {
        let _ = writeln!(out, "  - {}: {v} MW", stamp(*h));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_filled_only_when_asked_and_listed() {
        let rows = RawRows {
            epoch_hours: vec![0, 1, 4, 5],
            demand_mw: vec![Some(10.0), Some(10.0), Some(40.0), Some(40.0)],
            lines: vec![2, 3, 4, 5],
            ..RawRows::default()
        };
        let err = clean_rows(&rows, "f", false, 6).unwrap_err();
        assert!(err.to_string().contains("2 missing hour(s)"), "{err}");
        let (load, report) = clean_rows(&rows, "f", true, 6).unwrap();
        assert_eq!(load.demand_mw, vec![10.0, 10.0, 20.0, 30.0, 40.0, 40.0]);
        assert_eq!(report.filled.len(), 2);
        let too_long = clean_rows(&rows, "f", true, 1).unwrap_err();
        assert!(
            too_long.to_string().contains("longer than --max-gap-h 1"),
            "{too_long}"
        );
    }
}
