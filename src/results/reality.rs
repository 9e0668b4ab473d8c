//! The run beside the grid operators' own forecasts (`reality_check.csv`): each published
//! figure against the run's new data-centre load, and the reason they differ.
use super::{MetricsRow, RealityCheckRow};
use crate::model::region::OperatorForecast;

/// Rank of a forecast's status when one figure per region is wanted: the operator's own
/// expectation first, then contracts, then requests.
fn status_rank(status: &str) -> u8 {
    match status {
        "adjusted_forecast" => 0,
        "contracted" => 1,
        _ => 2,
    }
}

/// Why a run and an operator differ by more than half, or nothing.
///
/// The national total is the reason only when it explains more than the region's own gap:
/// the operators' expected figures exceed the scenario's national load and the national
/// ratio (the scenario's national new load over the operators' figures summed) lies
/// further from 1, in log terms, than the region's ratio; otherwise the cause is where the
/// run sites.
fn reality_reason(
    ratio: Option<f64>,
    forecast: &OperatorForecast,
    (operators_exceed_scenario, national_ratio): (bool, Option<f64>),
) -> String {
    let Some(ratio) = ratio else {
        return "the operator's figure is 0".to_owned();
    };
    if (0.5..=1.5).contains(&ratio) {
        return String::new();
    }
    let reason = if forecast.status == "requested" {
        "operator figure is requested load, not expected"
    } else if ratio < 0.5 && forecast.basis == "non_coincident" {
        "operator figure is non-coincident (contracted or nameplate MW); the run's is at the region's peak hour"
    } else if ratio < 0.5
        && operators_exceed_scenario
        && national_ratio.is_some_and(|n| n > 0.0 && n.ln().abs() > ratio.ln().abs())
    {
        "scenario's national total is lower than the sum of the operators' forecasts"
    } else if ratio < 0.5 {
        return match national_ratio.filter(|_| operators_exceed_scenario) {
            Some(n) => format!(
                "the scenario sites less here than the operator expects: siting, not the national total (the scenario's national new load is {n:.2} of the operators' figures summed)"
            ),
            None => "the scenario sites less here than the operator expects".to_owned(),
        };
    } else {
        "the scenario sites more here than the operator expects"
    };
    reason.to_owned()
}

/// The reality check of a run: each operator figure for a target year beside the run's
/// new data-centre load (AI and, where the scenario counts them, non-AI) at the region's
/// peak hour (mean over weather years), and per year the operators' figures summed (the
/// preferred figure of each region: adjusted forecast, then contracted — requests are left
/// out; the latest vintage) beside the run's load in the same regions, with
/// `national_new_datacentre_mw` (the scenario's national new load at the peak hour, by
/// year) as context.
#[must_use]
pub fn reality_check_rows(
    scenario: &str,
    forecasts: &[OperatorForecast],
    metrics: &[MetricsRow],
    national_new_datacentre_mw: &[(i32, f64)],
) -> Vec<RealityCheckRow> {
    let run_mw = |region: &str, year: i32| -> Option<f64> {
        let values: Vec<f64> = metrics
            .iter()
            .filter(|m| m.region == region && m.year == year)
            .map(|m| m.new_datacentre_at_peak_mw)
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let ratio = |run: f64, operator: f64| (operator > 0.0).then(|| run / operator);
    let mut rows = Vec::new();
    for &(year, national_mw) in national_new_datacentre_mw {
        // One expected figure per region for the sum (requests are not forecasts).
        let mut preferred: Vec<&OperatorForecast> = Vec::new();
        for f in forecasts
            .iter()
            .filter(|f| f.year == year && f.status != "requested")
        {
            match preferred.iter_mut().find(|p| p.region == f.region) {
                Some(p) => {
                    let better = (status_rank(&f.status), std::cmp::Reverse(&f.vintage))
                        < (status_rank(&p.status), std::cmp::Reverse(&p.vintage));
                    if better {
                        *p = f;
                    }
                }
                None => preferred.push(f),
            }
        }
        let operators_mw: f64 = preferred.iter().map(|f| f.mw).sum();
        let operators_exceed_scenario = operators_mw > national_mw;
        // Like with like: the operators' expected figures beside the run's own new load in
        // the same regions (the national total stands beside them only as context).
        let compared: Vec<(&OperatorForecast, f64)> = preferred
            .iter()
            .filter_map(|f| run_mw(&f.region, year).map(|run| (*f, run)))
            .collect();
        let compared_operators_mw: f64 = compared.iter().map(|(f, _)| f.mw).sum();
        let run_in_regions: f64 = compared.iter().map(|(_, run)| run).sum();
        let sum_ratio = ratio(run_in_regions, compared_operators_mw);
        // How far the scenario's national total falls short of the operators' sum.
        let national_ratio = ratio(national_mw, operators_mw);
        for f in forecasts.iter().filter(|f| f.year == year) {
            let Some(run) = run_mw(&f.region, year) else {
                continue;
            };
            let r = ratio(run, f.mw);
            rows.push(RealityCheckRow {
                scenario: scenario.to_owned(),
                region: f.region.clone(),
                year,
                run_new_datacentre_mw: run,
                operator_mw: f.mw,
                operator_basis: f.basis.clone(),
                operator_status: f.status.clone(),
                operator_realisation_frac: f.realisation_frac,
                run_over_operator_frac: r,
                reason: reality_reason(r, f, (operators_exceed_scenario, national_ratio)),
                operator_source: f.source.clone(),
                operator_vintage: f.vintage.clone(),
            });
        }
        if !compared.is_empty() {
            let operators_mw = compared_operators_mw;
            let r = sum_ratio;
            let regions: Vec<&str> = compared.iter().map(|(f, _)| f.region.as_str()).collect();
            rows.push(RealityCheckRow {
                scenario: scenario.to_owned(),
                region: "sum_of_operators".to_owned(),
                year,
                run_new_datacentre_mw: run_in_regions,
                operator_mw: operators_mw,
                operator_basis: "mixed".to_owned(),
                operator_status: "mixed".to_owned(),
                operator_realisation_frac: None,
                run_over_operator_frac: r,
                reason: match r {
                    Some(r)
                        if r < 0.5
                            && operators_exceed_scenario
                            && national_ratio
                                .is_some_and(|n| n > 0.0 && n.ln().abs() > r.ln().abs()) =>
                    {
                        "the run sites less in these regions than their operators expect, and the scenario's national total is lower than the sum of the operators' forecasts".to_owned()
                    }
                    Some(r) if r < 0.5 => "the run sites less in these regions than their operators expect".to_owned(),
                    Some(r) if r > 1.5 => "the run sites more in these regions than their operators expect".to_owned(),
                    _ => String::new(),
                },
                operator_source: format!(
                    "one expected figure per region ({}); run value: the run's new data-centre load (AI and, where the scenario counts them, non-AI) at each of these regions' peak hours, summed (the scenario's national new data-centre load at the peak hour: {national_mw:.0} MW)",
                    regions.join(", ")
                ),
                operator_vintage: String::new(),
            });
        }
    }
    rows
}
