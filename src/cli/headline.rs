//! The headlines a run and a sweep end with on a terminal: what the person at the
//! terminal reads first, made from the rows in `results` (the report has its own words).
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::results::{BandRow, MetricsRow, RunResult, SetMetricsRow, rank_strained};

/// The short headline a run ends with on a terminal (at most ~15 lines): for the
/// milestone years — the first, the year inference's share of accelerator-hours first
/// exceeds one half (when inside the study), the last — the scope's gross AI load and the
/// set's new AI load by workload (GW), the summed peak increase, the curtailment used, the
/// CO2 of the new AI load and the cost of the firm capacity it calls for (means over
/// weather years); and the three most strained regions of each milestone year (the largest
/// worst-weather-year `residual_above_threshold_mw`).
#[must_use]
pub fn headline(result: &RunResult) -> String {
    use std::fmt::Write as _;
    let years = result.milestone_years();
    // A study of regional loads alone has no national projection: its national load is
    // not known (not 0).
    let national_known = result
        .power
        .iter()
        .any(|p| p.training_average_mw > 0.0 || p.inference_average_mw > 0.0);
    let mean_over_weather =
        |year: i32, get: &dyn Fn(&SetMetricsRow) -> f64| set_mean_over_weather(result, year, get);
    let region_mean =
        |year: i32, get: &dyn Fn(&MetricsRow) -> f64| sum_of_region_means(result, year, get);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:>22}  {:>22}  {:>9}  {:>11}  {:>7}  {:>10}",
        "year",
        "US AI GW gross (I/T)",
        "set AI GW new (I/T)",
        "peak +GW",
        "curtail GWh",
        "CO2 Mt",
        "firm cap $B"
    );
    for &year in &years {
        let Some(power) = result.power.iter().find(|p| p.year == year) else {
            continue;
        };
        let new_inference = region_mean(year, &|m| m.new_inference_energy_mwh / m.hours) / 1000.0;
        let new_training = region_mean(year, &|m| m.new_training_energy_mwh / m.hours) / 1000.0;
        let co2_mt = mean_over_weather(year, &|r| r.ai_co2_t.unwrap_or(f64::NAN)) / 1e6;
        let co2 = if co2_mt.is_finite() {
            format!("{co2_mt:.1}")
        } else {
            "n/k".to_owned()
        };
        let _ = writeln!(
            out,
            "{year:>6}  {:>22}  {:>22}  {:>9.1}  {:>11.1}  {:>7}  {:>10.1}",
            if national_known {
                format!(
                    "{:.1} / {:.1}",
                    power.inference_average_mw / 1000.0,
                    power.training_average_mw / 1000.0
                )
            } else {
                "n/k".to_owned()
            },
            format!("{new_inference:.1} / {new_training:.1}"),
            region_mean(year, &|m| m.peak_increase_mw) / 1000.0,
            mean_over_weather(year, &|r| r.training_curtailed_mwh) / 1000.0,
            co2,
            mean_over_weather(year, &|r| r.firm_capacity_cost_usd) / 1e9,
        );
    }
    if !national_known {
        let _ = writeln!(
            out,
            "US AI n/k: not known — the scenario states only its regions' loads, no national projection"
        );
    }
    unknown_co2_line(result, &mut out);
    strained_lines(result, &years, &mut out);
    out
}

/// The mean over weather years of a value of the region set's rows in `year`.
fn set_mean_over_weather(
    result: &RunResult,
    year: i32,
    get: &dyn Fn(&SetMetricsRow) -> f64,
) -> f64 {
    let rows: Vec<&SetMetricsRow> = result
        .set_metrics
        .iter()
        .filter(|r| r.year == year)
        .collect();
    // `+ 0.0`: an empty sum is -0.0, which would print as "-0.0".
    rows.iter().map(|r| get(r)).sum::<f64>() / rows.len().max(1) as f64 + 0.0
}

/// The sum over regions of each region's mean over weather years of a value in `year`.
fn sum_of_region_means(result: &RunResult, year: i32, get: &dyn Fn(&MetricsRow) -> f64) -> f64 {
    let mut by_region: HashMap<&str, (f64, usize)> = HashMap::new();
    for m in result.metrics.iter().filter(|m| m.year == year) {
        let entry = by_region.entry(m.region.as_str()).or_insert((0.0, 0));
        entry.0 += get(m);
        entry.1 += 1;
    }
    by_region
        .values()
        .map(|(sum, n)| sum / *n as f64)
        .sum::<f64>()
        + 0.0
}

/// Unknown is not zero: a line saying which part of the CO2 is not known, if any.
fn unknown_co2_line(result: &RunResult, out: &mut String) {
    use std::fmt::Write as _;
    let without_rate = result
        .set_metrics
        .iter()
        .map(|r| r.regions_without_co2_rate)
        .fold(0.0, f64::max);
    if without_rate > 0.0 {
        let none_known = result.set_metrics.iter().all(|r| r.ai_co2_t.is_none());
        let _ = writeln!(
            out,
            "{}",
            if none_known {
                "CO2 n/k: not known — no region of the set has an emission rate".to_owned()
            } else {
                format!(
                    "CO2 leaves out {without_rate:.0} region(s) without an emission rate (not known, not 0)"
                )
            }
        );
    }
}

/// The three most strained regions of each year (largest residual above threshold in
/// their worst weather year).
fn strained_lines(result: &RunResult, years: &[i32], out: &mut String) {
    use std::fmt::Write as _;
    for &year in years {
        let ranked = rank_strained(
            result.metrics.iter().filter(|m| m.year == year).map(|m| {
                (
                    m.region.as_str(),
                    m.weather_year,
                    m.residual_above_threshold_mw,
                )
            }),
            3,
        );
        let top: Vec<String> = ranked
            .iter()
            .map(|(region, _, mw)| format!("{region} {:.1} GW", mw / 1000.0))
            .collect();
        let _ = writeln!(
            out,
            "most strained in {year} (largest residual above threshold, worst weather year): {}",
            top.join(", ")
        );
    }
}

/// A few lines for the terminal after a sweep: the region set's coincident peak with
/// AI and its firm capacity need, median and 90 % band, in the last year.
#[must_use]
pub fn bands_headline(bands: &[BandRow], region_set: &str) -> String {
    let last_year = bands.iter().map(|b| b.year).max().unwrap_or(0);
    let mut out = String::new();
    for (metric, label, unit_div, unit) in [
        (
            "coincident_total_peak_after_flex_mw",
            "coincident peak with AI",
            1000.0,
            "GW",
        ),
        (
            "firm_capacity_needed_sum_mw",
            "firm capacity needed",
            1000.0,
            "GW",
        ),
        ("ai_co2_t", "AI CO2", 1e6, "Mt"),
    ] {
        if let Some(b) = bands.iter().find(|b| {
            b.scope == "region_set"
                && b.region == region_set
                && b.year == last_year
                && b.metric == metric
        }) {
            let _ = writeln!(
                out,
                "{region_set} {last_year} {label}: median {:.1} {unit} (90 % band {:.1}–{:.1})",
                b.p50 / unit_div,
                b.p5 / unit_div,
                b.p95 / unit_div
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::PowerRow;

    #[test]
    fn the_headline_names_the_milestone_years_and_the_most_strained_regions() {
        let power = |year: i32, share: f64| PowerRow {
            scenario: "s".into(),
            year,
            training_flop: None,
            inference_flop: None,
            training_accelerator_hours: None,
            inference_accelerator_hours: None,
            training_it_energy_mwh: None,
            inference_it_energy_mwh: None,
            training_facility_mwh: 0.0,
            inference_facility_mwh: 0.0,
            training_average_mw: 2000.0,
            inference_average_mw: 1000.0,
            training_rated_mw: 0.0,
            inference_rated_mw: 0.0,
            inference_share_flop_frac: None,
            inference_share_accelerator_hours_frac: Some(share),
            inference_share_facility_energy_frac: Some(0.0),
            training_accelerators: None,
            inference_accelerators: None,
            training_accelerators_purchased: None,
            inference_accelerators_purchased: None,
            training_hardware_capital_usd: None,
            inference_hardware_capital_usd: None,
            inference_share_hardware_capital_frac: None,
            non_ai_facility_mwh: None,
            all_datacentre_facility_mwh: None,
        };
        let metric = |region: &str, year: i32, residual: f64| MetricsRow {
            region: region.into(),
            year,
            hours: 8760.0,
            residual_above_threshold_mw: residual,
            ..MetricsRow::default()
        };
        let result = RunResult {
            power: vec![
                power(2024, 0.3),
                power(2029, 0.48),
                power(2030, 0.52),
                power(2035, 0.7),
            ],
            metrics: vec![
                metric("A", 2030, 500.0),
                metric("B", 2030, 2500.0),
                metric("C", 2030, 1500.0),
                metric("D", 2030, 100.0),
            ],
            ..RunResult::default()
        };
        let text = headline(&result);
        assert_eq!(text.lines().count(), 1 + 3 + 3, "{text}");
        assert!(text.contains("  2030 "), "{text}");
        assert!(!text.contains("  2029 "), "{text}");
        assert!(text.contains("1.0 / 2.0"), "{text}");
        assert!(text.contains("in 2030 (largest residual above threshold, worst weather year): B 2.5 GW, C 1.5 GW, A 0.5 GW"), "{text}");

        // A study of stated regional loads: its own years, and n/k for what is unknown.
        let unknown = RunResult {
            power: result
                .power
                .iter()
                .map(|p| PowerRow {
                    training_average_mw: 0.0,
                    inference_average_mw: 0.0,
                    ..p.clone()
                })
                .collect(),
            set_metrics: vec![SetMetricsRow {
                year: 2030,
                regions_without_co2_rate: 1.0,
                ..SetMetricsRow::default()
            }],
            milestone_years: vec![2029, 2030],
            ..result.clone()
        };
        let text = headline(&unknown);
        assert!(
            text.contains("  2029 ") && !text.contains("  2035 "),
            "{text}"
        );
        let row_2030 = text
            .lines()
            .find(|l| l.trim_start().starts_with("2030"))
            .unwrap();
        assert_eq!(row_2030.split_whitespace().nth(1), Some("n/k"), "{text}");
        assert!(!text.contains("-0.0"), "{text}");
        assert!(
            text.contains("national projection")
                && text.contains("no region of the set has an emission rate"),
            "{text}"
        );
    }
}
