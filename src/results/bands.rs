//! Spreads over samples and weather years: a sweep's percentile bands, the key ranges of
//! a run or sweep (`ranges.csv`), the ranking of the most strained regions and the
//! sweep's report and the terminal.

use super::{BandRow, RangeRow, SetMetricsRow, TableRow};

/// The region set's outputs `ranges.csv` holds (the sweep's derived
/// `coincident_peak_increase_mw` among them).
pub const RANGE_METRICS: [&str; 9] = [
    "ai_energy_mwh",
    "new_ai_energy_mwh",
    "coincident_peak_increase_mw",
    "residual_above_threshold_sum_mw",
    "firm_capacity_needed_sum_mw",
    "firm_capacity_cost_usd",
    "ai_co2_t",
    "training_curtailed_mwh",
    "flexibility_avoided_sum_mw",
];

/// The key outputs of a region set by year: each metric of [`RANGE_METRICS`] as the mean
/// over weather years of `central` (the set's rows of one run; empty: not known) beside
/// its band in `bands` (the set's rows of a sweep; empty: no range).
#[must_use]
pub fn key_ranges(
    (scenario, set_id): (&str, &str),
    years: &[i32],
    central: &[SetMetricsRow],
    bands: &[BandRow],
) -> Vec<RangeRow> {
    let names = SetMetricsRow::metric_names();
    let mut values = Vec::new();
    let mean_of = |year: i32, metric: &str| -> Option<f64> {
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut row_values = Vec::new();
        for row in central
            .iter()
            .filter(|r| r.year == year && r.region_set == set_id)
        {
            row_values.clear();
            row.push_metrics(&mut row_values);
            let get = |name: &str| names.iter().position(|n| *n == name).map(|i| row_values[i]);
            let value = if metric == "coincident_peak_increase_mw" {
                get("coincident_total_peak_mw")? - get("coincident_baseline_peak_mw")?
            } else {
                get(metric)?
            };
            if value.is_nan() {
                return None;
            }
            sum += value;
            count += 1;
        }
        (count > 0).then(|| sum / count as f64)
    };
    for &year in years {
        for metric in RANGE_METRICS {
            let band = bands.iter().find(|b| {
                b.scope == "region_set"
                    && b.region == set_id
                    && b.year == year
                    && b.metric == metric
            });
            values.push(RangeRow {
                scenario: scenario.to_owned(),
                region_set: set_id.to_owned(),
                year,
                metric: metric.to_owned(),
                central: mean_of(year, metric),
                p5: band.map(|b| b.p5),
                p50: band.map(|b| b.p50),
                p95: band.map(|b| b.p95),
                samples: band.map(|b| b.samples),
            });
        }
    }
    values
}

/// The percentiles a band reports.
pub const BAND_QUANTILES: [f64; 5] = [0.05, 0.10, 0.50, 0.90, 0.95];

/// Count, mean and [`BAND_QUANTILES`] of `values` (NaN dropped; `values` is sorted in
/// place), with numpy's default `linear` method: `h = (n − 1) q`, interpolated between
/// the order statistics around `h`. `None` when no value is left. The result depends
/// only on the multiset of values, so any order of samples (threads, shards) gives the
/// same bytes.
#[must_use]
pub fn band(values: &mut Vec<f64>) -> Option<(usize, f64, [f64; 5])> {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let quantile = |q: f64| {
        let h = (n - 1) as f64 * q;
        let lo = h.floor() as usize;
        let gamma = h - lo as f64;
        let a = values[lo];
        let b = values[(lo + 1).min(n - 1)];
        let d = b - a;
        // numpy's _lerp: exact at both ends.
        if gamma >= 0.5 {
            b - d * (1.0 - gamma)
        } else {
            a + d * gamma
        }
    };
    let mut q = BAND_QUANTILES.map(quantile);
    // Interpolation rounding can undo the order by an ulp in flat stretches.
    for i in 1..q.len() {
        q[i] = q[i].max(q[i - 1]);
    }
    Some((n, mean, q))
}

/// The most strained regions, as the headline and the report rank them: each region's
/// largest `residual_above_threshold_mw` over weather years (with that weather year), the
/// largest first, ties by name; at most `count`. `rows` are (region, weather year,
/// residual) of one year.
#[must_use]
pub fn rank_strained<'a>(
    rows: impl IntoIterator<Item = (&'a str, i32, f64)>,
    count: usize,
) -> Vec<(String, i32, f64)> {
    let mut worst: Vec<(String, i32, f64)> = Vec::new();
    for (region, weather_year, residual) in rows {
        match worst.iter_mut().find(|w| w.0 == region) {
            Some(w) => {
                if residual > w.2 {
                    *w = (region.to_owned(), weather_year, residual);
                }
            }
            None => worst.push((region.to_owned(), weather_year, residual)),
        }
    }
    worst.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    worst.truncate(count);
    worst
}
