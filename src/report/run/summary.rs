//! The run report's words and tables: the executive summary, the findings, the key
//! figures by year, the most strained regions and the appendix.
use std::collections::BTreeMap;

use anyhow::Result;

use super::Run;
use crate::report::data::most_strained;
use crate::report::{TextTable, data, mean_by_region_year, one};

/// At most five sentences in the order a regulator asks: how much AI load; when
/// inference overtakes training and on which basis; where the grid is strained; what it
/// costs and emits; what flexibility buys.
pub(super) fn executive_summary(run: &Run, year: i32) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let hours = crate::time::hours_in_year(year) as f64 * 1000.0;
    let set_name = &run.set_name;
    // 1. How much.
    if let Some(text) = run.ranges.text(year, "ai_energy_mwh", hours, "GW") {
        out.push(format!(
            "In {year}, AI data centres in {set_name} draw {text} on average."
        ));
    }
    // 2. The crossover, with its basis.
    let (accelerator, energy) = run.crossovers();
    if run.national_known() {
        let declared = run
            .declared_range("compute.crossover.crossover_year")
            .map(|(lo, hi)| format!(" (its range {lo:.0}–{hi:.0})"))
            .unwrap_or_default();
        let energy_text = energy.map_or_else(
            || format!("not by {}", run.last()),
            |e| format!("so in {e}"),
        );
        out.push(match accelerator {
            Some(a) => format!(
                "The scenario assumes inference overtakes training in compute spending (accelerator-hours) in {a}{declared}; in energy the model finds it does {energy_text}."
            ),
            None => format!("In energy, inference overtakes training {energy_text}."),
        });
    }
    // 3. Where.
    let strained: Vec<String> = most_strained(&run.metrics, year, 3)
        .into_iter()
        .filter(|(_, _, mw)| *mw > 0.0)
        .map(|(r, _, _)| run.names.full(&r))
        .collect();
    if let Some(text) = run
        .ranges
        .text(year, "coincident_peak_increase_mw", 1000.0, "GW")
    {
        let new_load = if non_ai_gw(run, year)? > 0.05 {
            "The new data-centre load (AI and other data centres)"
        } else {
            "The new AI load"
        };
        out.push(match strained.as_slice() {
            [] => format!("{new_load} raises the regions' combined peak by {text}; no region goes above the load it has already carried."),
            [one] => format!("{new_load} raises the regions' combined peak by {text}; the most strained region is {one}."),
            _ => format!(
                "{new_load} raises the regions' combined peak by {text}; the most strained are {}.",
                list(&strained)
            ),
        });
    }
    // 4. Cost and emissions.
    if let Some(firm) = run
        .ranges
        .text(year, "firm_capacity_needed_sum_mw", 1000.0, "GW")
    {
        let cost = run
            .ranges
            .text(year, "firm_capacity_cost_usd", 1e9, "bn")
            .map(|c| format!(" — ${c} of overnight capital —"))
            .unwrap_or_default();
        let co2 = run.ranges.text(year, "ai_co2_t", 1e6, "Mt").map_or_else(
            || "its CO2 is not known (no region of the set has an emission rate)".to_owned(),
            |t| format!("the new AI load emits {t} of CO2 a year at 2023 average emission rates"),
        );
        out.push(format!(
            "It needs {firm} of firm capacity beyond planned resources{cost} and {co2}."
        ));
    }
    // 5. Flexibility.
    let new_training: f64 = mean_by_region_year(&run.metrics, |m| m.new_training_energy_mwh)
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|(_, v)| v)
        .sum();
    if new_training > 0.0 {
        if let Some(text) = run
            .ranges
            .text(year, "flexibility_avoided_sum_mw", 1000.0, "GW")
        {
            let depth = format!(
                " by up to {:.0} %",
                run.record.scenario.flexibility.max_curtail_frac * 100.0
            );
            out.push(format!(
                "Letting new training defer its load{depth} in the tightest hours avoids {text} of that firm capacity."
            ));
        }
    } else {
        out.push(format!(
            "No new training load lands in {set_name} in {year}, so flexibility avoids nothing."
        ));
    }
    Ok(out)
}

/// The set's new non-AI data-centre load of `year`, average GW (mean over weather years).
fn non_ai_gw(run: &Run, year: i32) -> Result<f64> {
    let energy = mean_by_region_year(&run.metrics, |m| m.new_non_ai_energy_mwh);
    let hours = mean_by_region_year(&run.metrics, |m| m.hours);
    Ok(energy
        .iter()
        .zip(&hours)
        .filter(|(((_, y), _), _)| *y == year)
        .map(|((_, e), (_, h))| e / h)
        .sum::<f64>()
        / 1000.0)
}

/// This run's new load over the operators' expected figures (adjusted forecasts) of
/// `year`, summed over the regions of the set that have one (the latest per region).
fn operators_ratio(run: &Run, year: i32) -> Result<Option<f64>> {
    let mut latest: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for row in &run.reality {
        if row.year == year
            && row.operator_status == "adjusted_forecast"
            && run.metrics.iter().any(|m| m.region == row.region)
            && row.run_new_datacentre_mw.is_finite()
            && row.operator_mw > 0.0
        {
            // Rows are in publication order: the last one of a region stands.
            latest.insert(&row.region, (row.run_new_datacentre_mw, row.operator_mw));
        }
    }
    let (sum_ours, sum_theirs) = latest
        .values()
        .fold((0.0, 0.0), |(a, b), (o, t)| (a + o, b + t));
    Ok((sum_theirs > 0.0).then(|| sum_ours / sum_theirs))
}

/// "A, B and C".
pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Short findings: one or two sentences with one number each.
pub(super) fn findings(run: &Run, report_year: i32) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !run.national_known() {
        out.push("The scenario states only its regions' loads (no national projection), so the national AI load is not known and nothing here splits training from inference.".to_owned());
    }
    let new_ai = mean_by_region_year(&run.metrics, |m| m.new_ai_energy_mwh);
    let hours = mean_by_region_year(&run.metrics, |m| m.hours);
    let curtailed = mean_by_region_year(&run.metrics, |m| m.training_curtailed_mwh);
    let new_training = mean_by_region_year(&run.metrics, |m| m.new_training_energy_mwh);
    let sum_year = |values: &[((String, i32), f64)], year: i32| -> f64 {
        values
            .iter()
            .filter(|((_, y), _)| *y == year)
            .map(|(_, v)| v)
            .sum()
    };
    for year in run.milestones() {
        let new_gw = new_ai
            .iter()
            .zip(&hours)
            .filter(|(((_, y), _), _)| *y == year)
            .map(|((_, e), (_, h))| e / h)
            .sum::<f64>()
            / 1000.0;
        if new_gw.abs() < 0.05 {
            out.push(format!(
                "{year}: no AI load is new on these regions — their measured load already holds it."
            ));
            continue;
        }
        let mut text = format!(
            "{year}: {} GW of new AI load on average, on top of what the measured load already holds.",
            one(new_gw)
        );
        match most_strained(&run.metrics, year, 1).first() {
            Some((region, weather, mw)) if *mw > 0.0 => text.push_str(&format!(
                " The most strained region, {}, goes {} GW above its threshold (weather of {weather}).",
                run.names.full(region),
                one(mw / 1000.0)
            )),
            _ => text.push_str(" No region goes above its threshold."),
        }
        out.push(text);
    }
    // The make-up of the load at the most strained region's peak hour.
    if let Some((region, _, residual)) = most_strained(&run.metrics, report_year, 1)
        .into_iter()
        .find(|s| s.2 > 0.0)
    {
        let at_peak = mean_by_region_year(&run.metrics, |m| m.new_ai_at_peak_mw);
        let value = at_peak
            .iter()
            .find(|((r, y), _)| *r == region && *y == report_year)
            .map_or(f64::NAN, |(_, v)| *v);
        let _ = residual;
        out.push(format!(
            "At {}'s {report_year} peak hour the new AI load adds {} GW (mean over weather years).",
            run.names.full(&region),
            one(value / 1000.0)
        ));
    }
    let training_gwh = sum_year(&new_training, report_year) / 1000.0;
    if training_gwh > 0.0 {
        out.push(format!(
            "Flexibility curtails {:.2} % of new training energy in {report_year}: the tight hours are few.",
            100.0 * sum_year(&curtailed, report_year) / 1000.0 / training_gwh
        ));
    }
    // Where the sited load is beyond anything the region's grid has carried.
    let after = mean_by_region_year(&run.metrics, |m| m.hours_above_threshold_after);
    let mut above: Vec<(&String, f64)> = after
        .iter()
        .filter(|((_, y), h)| *y == report_year && *h > 1000.0)
        .map(|((r, _), h)| (r, *h))
        .collect();
    above.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some((region, hours)) = above.first() {
        out.push(format!(
            "{} stays above its threshold in {} hours of {report_year} even after flexibility: the load sited there is beyond anything its grid has carried — check its data-centre inputs before reading its figures{}.",
            run.names.full(region),
            crate::report::thousands(*hours),
            if above.len() > 1 {
                format!(" ({} more regions are above it over 1,000 hours; see the table below)", above.len() - 1)
            } else {
                String::new()
            }
        ));
    }
    // The run beside the operators' own figures, in one number.
    if let Some(ratio) = operators_ratio(run, report_year)? {
        out.push(format!(
            "Where grid operators published data-centre forecasts for {report_year}, this run's new load at their peaks is {:.0} % of theirs in sum (reality check below).",
            100.0 * ratio
        ));
    }
    let missing = run
        .set_year(|s| s.regions_without_co2_rate)
        .get(&report_year)
        .copied()
        .unwrap_or(0.0);
    if missing > 0.0 {
        out.push(format!(
            "CO2 leaves out {missing:.0} {} without an emission rate: their emissions are not known, not zero.",
            if missing == 1.0 { "region" } else { "regions" }
        ));
    }
    Ok(out)
}

/// The key figures by milestone year (rows: figures; columns: years).
pub(super) fn key_figures(run: &Run) -> Result<TextTable> {
    let years = run.milestones();
    let national = run.national_known();
    let hours = |y: i32| crate::time::hours_in_year(y) as f64;
    let firm = run.set_year(|s| s.firm_capacity_needed_sum_mw);
    let gross = run.set_year(|s| s.new_load_reserve_requirement_sum_mw);
    let cost = run.set_year(|s| s.firm_capacity_cost_usd);
    let annual = run.set_year(|s| s.firm_capacity_annual_cost_usd);
    let co2 = run.set_year(|s| s.ai_co2_t.unwrap_or(f64::NAN));
    let avoided = [
        run.set_year(|s| s.flexibility_avoided_depth_0_25_sum_mw.unwrap_or(f64::NAN)),
        run.set_year(|s| s.flexibility_avoided_depth_0_50_sum_mw.unwrap_or(f64::NAN)),
        run.set_year(|s| s.flexibility_avoided_depth_1_00_sum_mw.unwrap_or(f64::NAN)),
    ];
    let curtailed = run.set_year(|s| s.training_curtailed_mwh);
    let get = |m: &BTreeMap<i32, f64>, y: i32| m.get(&y).copied().unwrap_or(f64::NAN);
    let cell = |v: f64| {
        if v.is_finite() {
            one(v)
        } else {
            "not known".to_owned()
        }
    };
    let ranged = |y: i32, metric: &str, divide: f64| run.ranges.cell(y, metric, divide);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: &str, f: &dyn Fn(i32) -> String| {
        rows.push(
            std::iter::once(label.to_owned())
                .chain(years.iter().map(|y| f(*y)))
                .collect(),
        );
    };
    if national {
        row("US AI load, average (GW): training", &|y| {
            cell(run.power_at(|p| p.training_average_mw, y) / 1000.0)
        });
        row("US AI load, average (GW): inference", &|y| {
            cell(run.power_at(|p| p.inference_average_mw, y) / 1000.0)
        });
    }
    row("AI load in these regions, average (GW)", &|y| {
        ranged(y, "ai_energy_mwh", hours(y) * 1000.0)
    });
    row("of which new, average (GW)", &|y| {
        ranged(y, "new_ai_energy_mwh", hours(y) * 1000.0)
    });
    row("combined peak increase (GW)", &|y| {
        ranged(y, "coincident_peak_increase_mw", 1000.0)
    });
    row("sum of residuals above threshold (GW)", &|y| {
        ranged(y, "residual_above_threshold_sum_mw", 1000.0)
    });
    row("firm capacity needed beyond planned resources (GW)", &|y| {
        ranged(y, "firm_capacity_needed_sum_mw", 1000.0)
    });
    row(
        "reserve requirement of the new load, before today's surplus (GW)",
        &|y| cell(get(&gross, y) / 1000.0),
    );
    row("overnight capital of that firm capacity (bn USD)", &|y| {
        ranged(y, "firm_capacity_cost_usd", 1e9)
    });
    row("its yearly cost (bn USD a year)", &|y| {
        format!("{:.2}", get(&annual, y) / 1e9)
    });
    row("CO2 of the new AI load (Mt a year)", &|y| {
        if get(&co2, y).is_finite() {
            ranged(y, "ai_co2_t", 1e6)
        } else {
            "not known".to_owned()
        }
    });
    row("training curtailed (GWh)", &|y| {
        cell(get(&curtailed, y) / 1000.0)
    });
    for (label, depth) in [
        (
            "firm capacity avoided by flexibility, 25 % depth (GW)",
            &avoided[0],
        ),
        ("… at 50 % depth (GW)", &avoided[1]),
        ("… at 100 % depth (GW)", &avoided[2]),
    ] {
        row(label, &|y| cell(get(depth, y) / 1000.0));
    }
    let _ = (&firm, &cost);
    Ok((
        "Key figures by year (central case; range in brackets)".to_owned(),
        std::iter::once("figure".to_owned())
            .chain(years.iter().map(ToString::to_string))
            .collect(),
        rows,
    ))
}

/// The most strained regions of the report year.
pub(super) fn strained_table(run: &Run, year: i32) -> Result<TextTable> {
    let peak_increase = mean_by_region_year(&run.metrics, |m| m.peak_increase_mw);
    let after = mean_by_region_year(&run.metrics, |m| m.hours_above_threshold_after);
    let curtailed = mean_by_region_year(&run.metrics, |m| m.training_curtailed_mwh);
    let rows = most_strained(&run.metrics, year, 10)
        .iter()
        .map(|(region, w, mw)| {
            let get = |v: &[((String, i32), f64)]| {
                v.iter()
                    .find(|((r, y), _)| r == region && *y == year)
                    .map_or(f64::NAN, |(_, x)| *x)
            };
            vec![
                run.names.full(region),
                format!("{mw:.0}"),
                w.to_string(),
                format!("{:.0}", get(&peak_increase)),
                format!("{:.0}", get(&after)),
                format!("{:.0}", get(&curtailed)),
            ]
        })
        .collect();
    Ok((
        format!("The most strained regions in {year}"),
        [
            "region",
            "residual above threshold, worst weather year (MW)",
            "worst weather year",
            "peak increase, mean (MW)",
            "hours above threshold after flexibility, mean",
            "training curtailed, mean (MWh)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows,
    ))
}

/// Every region's peak increase and headroom, for the appendix.
pub(super) fn appendix(run: &Run, year: i32) -> Result<Vec<TextTable>> {
    let peak_increase = mean_by_region_year(&run.metrics, |m| m.peak_increase_mw);
    let residual = most_strained(&run.metrics, year, usize::MAX);
    let mut rows: Vec<(String, f64, f64)> = peak_increase
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|((r, _), v)| {
            let worst = residual
                .iter()
                .find(|s| s.0 == *r)
                .map_or(f64::NAN, |s| s.2);
            (r.clone(), *v, worst)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let headroom_at = |region: &str, limit: f64| run.headroom_gw(region, limit);
    Ok(vec![(
        format!("Every region in {year}: peak increase, residual and headroom"),
        [
            "region",
            "peak increase, mean (MW)",
            "residual above threshold, worst weather year (MW)",
            "headroom at 0.25 % (GW)",
            "at 0.5 % (GW)",
            "at 1 % (GW)",
            "at 5 % (GW)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows.iter()
            .map(|(r, up, worst)| {
                let mut row = vec![run.names.full(r), format!("{up:.0}"), format!("{worst:.0}")];
                row.extend(
                    data::HEADROOM_LIMITS_FRAC
                        .iter()
                        .map(|l| format!("{:.2}", headroom_at(r, l * 100.0))),
                );
                row
            })
            .collect(),
    )])
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["A".into()]), "A");
        assert_eq!(list(&["A".into(), "B".into(), "C".into()]), "A, B and C");
    }
}
