//! The summary over weather years (`summary.csv`: mean and worst of each metric, with the
//! worst weather year and its peak hour).
use super::{MetricsRow, SetMetricsRow, SummaryRow};
use std::collections::HashMap;

/// How a metric's worst value is picked over weather years.
#[derive(Clone, Copy)]
enum Worst {
    Max,
    Min,
}

/// A summarised metric: its name, how its worst is picked, how it is read from a row.
type Getter<T> = (&'static str, Worst, fn(&T) -> Option<f64>);

/// The metrics summarised per region.
const REGION_SUMMARY: [Getter<MetricsRow>; 26] = [
    ("baseline_peak_mw", Worst::Max, |r| Some(r.baseline_peak_mw)),
    ("total_peak_mw", Worst::Max, |r| Some(r.total_peak_mw)),
    ("total_peak_after_flex_mw", Worst::Max, |r| {
        Some(r.total_peak_after_flex_mw)
    }),
    ("peak_increase_mw", Worst::Max, |r| Some(r.peak_increase_mw)),
    ("ai_at_peak_mw", Worst::Max, |r| Some(r.ai_at_peak_mw)),
    ("ai_energy_share_frac", Worst::Max, |r| {
        Some(r.ai_energy_share_frac)
    }),
    ("hours_above_threshold_after", Worst::Max, |r| {
        Some(r.hours_above_threshold_after)
    }),
    ("energy_above_threshold_after_mwh", Worst::Max, |r| {
        Some(r.energy_above_threshold_after_mwh)
    }),
    ("curtailment_rate_frac", Worst::Max, |r| {
        Some(r.curtailment_rate_frac)
    }),
    ("residual_above_threshold_mw", Worst::Max, |r| {
        Some(r.residual_above_threshold_mw)
    }),
    ("capacity_shortfall_mw", Worst::Max, |r| {
        r.capacity_shortfall_mw
    }),
    ("new_ai_at_peak_mw", Worst::Max, |r| {
        Some(r.new_ai_at_peak_mw)
    }),
    ("new_datacentre_at_peak_mw", Worst::Max, |r| {
        Some(r.new_datacentre_at_peak_mw)
    }),
    ("firm_capacity_needed_mw", Worst::Max, |r| {
        Some(r.firm_capacity_needed_mw)
    }),
    ("firm_capacity_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_cost_usd)
    }),
    ("flexibility_avoided_mw", Worst::Min, |r| {
        Some(r.flexibility_avoided_mw)
    }),
    ("firm_capacity_annual_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_annual_cost_usd)
    }),
    ("new_load_reserve_requirement_mw", Worst::Max, |r| {
        Some(r.new_load_reserve_requirement_mw)
    }),
    ("firm_capacity_needed_depth_0_25_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_25_mw
    }),
    ("firm_capacity_needed_depth_0_50_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_50_mw
    }),
    ("firm_capacity_needed_depth_1_00_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_1_00_mw
    }),
    ("flexibility_avoided_depth_1_00_mw", Worst::Min, |r| {
        r.flexibility_avoided_depth_1_00_mw
    }),
    ("ai_co2_t", Worst::Max, |r| r.ai_co2_t),
    ("headroom_after_inference_mw", Worst::Min, |r| {
        r.headroom_after_inference_mw
    }),
    ("reserve_margin_after_frac", Worst::Min, |r| {
        r.reserve_margin_after_frac
    }),
    ("total_load_factor_after_flex_frac", Worst::Min, |r| {
        Some(r.total_load_factor_after_flex_frac)
    }),
];

/// The metrics summarised per region set.
const SET_SUMMARY: [Getter<SetMetricsRow>; 15] = [
    ("coincident_total_peak_mw", Worst::Max, |r| {
        Some(r.coincident_total_peak_mw)
    }),
    ("coincident_total_peak_after_flex_mw", Worst::Max, |r| {
        Some(r.coincident_total_peak_after_flex_mw)
    }),
    ("noncoincident_sum_of_peaks_mw", Worst::Max, |r| {
        Some(r.noncoincident_sum_of_peaks_mw)
    }),
    ("residual_above_threshold_sum_mw", Worst::Max, |r| {
        Some(r.residual_above_threshold_sum_mw)
    }),
    ("training_curtailed_mwh", Worst::Max, |r| {
        Some(r.training_curtailed_mwh)
    }),
    ("firm_capacity_needed_sum_mw", Worst::Max, |r| {
        Some(r.firm_capacity_needed_sum_mw)
    }),
    ("firm_capacity_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_cost_usd)
    }),
    ("firm_capacity_annual_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_annual_cost_usd)
    }),
    ("new_load_reserve_requirement_sum_mw", Worst::Max, |r| {
        Some(r.new_load_reserve_requirement_sum_mw)
    }),
    ("flexibility_avoided_sum_mw", Worst::Min, |r| {
        Some(r.flexibility_avoided_sum_mw)
    }),
    ("firm_capacity_needed_depth_0_25_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_25_sum_mw
    }),
    ("firm_capacity_needed_depth_0_50_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_50_sum_mw
    }),
    ("firm_capacity_needed_depth_1_00_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_1_00_sum_mw
    }),
    ("flexibility_avoided_depth_1_00_sum_mw", Worst::Min, |r| {
        r.flexibility_avoided_depth_1_00_sum_mw
    }),
    ("ai_co2_t", Worst::Max, |r| r.ai_co2_t),
];

/// Summary over weather years: per scenario × region (then region set) × year × metric,
/// the mean and the worst value with the weather year it came from.
#[must_use]
pub fn summary_rows(metrics: &[MetricsRow], sets: &[SetMetricsRow]) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    summarise(
        metrics,
        |r| (&r.scenario, &r.region, r.year, r.weather_year),
        &REGION_SUMMARY,
        |r, metric| match metric {
            "total_peak_mw" => Some((&r.total_peak_hour_utc, &r.total_peak_hour_local)),
            "baseline_peak_mw" => Some((&r.baseline_peak_hour_utc, &r.baseline_peak_hour_local)),
            _ => None,
        },
        &mut out,
    );
    summarise(
        sets,
        |r| (&r.scenario, &r.region_set, r.year, r.weather_year),
        &SET_SUMMARY,
        |r, metric| {
            (metric == "coincident_total_peak_mw")
                .then_some((&r.coincident_total_peak_hour_utc, &NO_LOCAL_HOUR))
        },
        &mut out,
    );
    out
}

/// A region set spans time zones: its peak hour is given in UTC only.
static NO_LOCAL_HOUR: String = String::new();

/// Group rows by (scenario, region, year) in order of first appearance and summarise.
fn summarise<T>(
    rows: &[T],
    key: impl Fn(&T) -> (&String, &String, i32, i32),
    getters: &[Getter<T>],
    peak_hours: impl for<'a> Fn(&'a T, &str) -> Option<(&'a String, &'a String)>,
    out: &mut Vec<SummaryRow>,
) {
    // (scenario, region, year) → indices of its rows, in order of first appearance.
    type Group<'a> = ((&'a String, &'a String, i32), Vec<usize>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let (s, r, y, _) = key(row);
        let slot = *index.entry((s, r, y)).or_insert_with(|| {
            groups.push(((s, r, y), Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(i);
    }
    for ((scenario, region, year), members) in groups {
        for (name, worst, get) in getters {
            let values: Vec<(f64, i32, usize)> = members
                .iter()
                .filter_map(|&i| get(&rows[i]).map(|v| (v, key(&rows[i]).3, i)))
                .collect();
            let mean = (!values.is_empty())
                .then(|| values.iter().map(|(v, _, _)| v).sum::<f64>() / values.len() as f64);
            let pick = values.iter().copied().reduce(|a, b| {
                let better = match worst {
                    Worst::Max => b.0 > a.0,
                    Worst::Min => b.0 < a.0,
                };
                if better { b } else { a }
            });
            // The hour of the worst weather year's peak, for the peak metrics.
            let (hour_utc, hour_local) = pick
                .and_then(|p| peak_hours(&rows[p.2], name))
                .map_or_else(Default::default, |(u, l)| (u.clone(), l.clone()));
            out.push(SummaryRow {
                scenario: scenario.clone(),
                region: region.clone(),
                year,
                metric: (*name).to_owned(),
                mean,
                worst: pick.map(|p| p.0),
                worst_weather_year: pick.map(|p| p.1),
                worst_peak_hour_utc: hour_utc,
                worst_peak_hour_local: hour_local,
            });
        }
    }
}
