//! What the new load costs and what flexibility buys (issue 20): one firm-capacity measure
//! on one basis in every region (the planning reserve on NERC 2025 LTRA margins), the need
//! at three curtailment depths, and the overnight and annual costs, checked on the default
//! study.
use crate::common::{Dir, column, read_table, shipped_scenario_text};

fn text_column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = header.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[i].as_str()).collect()
}

#[test]
fn one_planning_basis_three_depths_and_costs_that_add_up() {
    let dir = Dir::new("one_planning_basis_three_depths_and_costs_that_add_up");
    let out = dir.run_shipped("run", &["--years", "2030..2030"]);
    let (h, rows) = read_table(&out.join("metrics.csv"));
    assert!(rows.len() > 100, "a national study");
    // One basis, every region's resources from the NERC areas, margins known everywhere.
    for (name, expected) in [
        ("firm_need_basis", "planning_reserve"),
        ("resources_basis", "nerc_ltra_2025_anticipated"),
    ] {
        let values = text_column(&h, &rows, name);
        assert!(values.iter().all(|v| *v == expected), "{name}: {values:?}");
    }
    let col = |name: &str| column(&h, &rows, name);
    for name in [
        "firm_capacity_mw",
        "capacity_shortfall_mw",
        "reserve_margin_before_frac",
        "reserve_margin_after_frac",
        "design_peak_mw",
    ] {
        assert!(
            col(name).iter().all(|v| v.is_finite()),
            "{name} empty somewhere"
        );
    }
    let (need, avoided) = (
        col("firm_capacity_needed_mw"),
        col("flexibility_avoided_mw"),
    );
    let depth_need = [
        col("firm_capacity_needed_depth_0_25_mw"),
        col("firm_capacity_needed_depth_0_50_mw"),
        col("firm_capacity_needed_depth_1_00_mw"),
    ];
    let depth_avoided = [
        col("flexibility_avoided_depth_0_25_mw"),
        col("flexibility_avoided_depth_0_50_mw"),
        col("flexibility_avoided_depth_1_00_mw"),
    ];
    let (overnight, annual, cone) = (
        col("firm_capacity_cost_usd"),
        col("firm_capacity_annual_cost_usd"),
        col("cone_usd_per_kw"),
    );
    // 8 %/yr over 20 years, and the CT's fixed O&M (scenarios/default.toml).
    let crf = 0.08 / (1.0 - 1.08_f64.powf(-20.0));
    let rows_peak = col("total_peak_mw");
    let mut rises = 0;
    for i in 0..rows.len() {
        // The default depth is 0.25: its column is the headline need.
        assert!((depth_need[0][i] - need[i]).abs() <= 1e-6 * need[i].abs().max(1.0));
        assert!((depth_avoided[0][i] - avoided[i]).abs() <= 1e-6 * avoided[i].abs().max(1.0));
        // Deeper curtailment rarely needs more: the dispatch levels the residuals above
        // the seasonal thresholds, so in a region whose summer and winter thresholds
        // differ the annual peak can rise a little with depth (a few MW, methodology
        // §10.9); counted below.
        for d in 1..3 {
            if depth_need[d][i] > depth_need[d - 1][i] + 1e-6 {
                rises += 1;
                assert!(
                    depth_need[d][i] - depth_need[d - 1][i] <= 0.02 * rows_peak[i],
                    "row {i}: the need rises with depth by more than 2 % of the peak"
                );
            }
        }
        // Need + avoided is the need without flexibility, the same at every depth.
        for d in 0..3 {
            let without = depth_need[d][i] + depth_avoided[d][i];
            assert!((without - (need[i] + avoided[i])).abs() <= 1e-6 * without.abs().max(1.0));
        }
        // Overnight = need × CONE; annual = need × (CONE × CRF + fixed O&M).
        assert!(
            (overnight[i] - need[i] * cone[i] * 1000.0).abs() <= 1e-6 * overnight[i].abs().max(1.0)
        );
        let expected_annual = need[i] * (cone[i] * crf + 6.87) * 1000.0;
        assert!((annual[i] - expected_annual).abs() <= 1e-6 * expected_annual.abs().max(1.0));
    }
    assert!(
        rises * 20 < rows.len(),
        "{rises} of {} rows need more at a deeper depth",
        rows.len()
    );
    // PJM's zones and PJM take Brattle's PJM CONE; others the national figure.
    let regions = text_column(&h, &rows, "region");
    for (r, c) in regions.iter().zip(&cone) {
        let expected = if r.starts_with("PJM") { 1417.0 } else { 1158.0 };
        assert_eq!(*c, expected, "{r}");
    }
    // Somewhere the new load does call for capacity, and full-depth flexibility avoids more
    // of it nationally than the demonstrated quarter.
    let (sh, sets) = read_table(&out.join("regionset_metrics.csv"));
    let s = |name: &str| column(&sh, &sets, name);
    let need_sum: f64 = s("firm_capacity_needed_sum_mw").iter().sum();
    assert!(need_sum > 0.0);
    let quarter: f64 = s("flexibility_avoided_depth_0_25_sum_mw").iter().sum();
    let half: f64 = s("flexibility_avoided_depth_0_50_sum_mw").iter().sum();
    let full: f64 = s("flexibility_avoided_depth_1_00_sum_mw").iter().sum();
    assert!(
        full > half && half > quarter,
        "depths 1 / 0.5 / 0.25: {full} {half} {quarter}"
    );
}

#[test]
fn a_flexible_share_of_inference_curtails_more_and_avoids_more() {
    let dir = Dir::new("a_flexible_share_of_inference_curtails_more_and_avoids_more");
    let scenario = dir.create(
        "flexible.toml",
        shipped_scenario_text("default").replace(
            "flexible_inference_frac = 0.0",
            "flexible_inference_frac = 0.3",
        ),
    );
    let args = ["--years", "2030..2030", "--weather-years", "2023..2024"];
    let firm = dir.run_shipped("firm", &args);
    let flexible = dir.run_shipped(
        "flexible",
        &[&["--scenario", scenario.to_str().unwrap()][..], &args[..]].concat(),
    );
    let sum = |dir: &std::path::Path, name: &str| -> f64 {
        let (h, rows) = read_table(&dir.join("regionset_metrics.csv"));
        column(&h, &rows, name).iter().sum()
    };
    // The same load, more of it flexible: more is curtailed and more capacity avoided.
    assert_eq!(
        sum(&firm, "new_ai_energy_mwh"),
        sum(&flexible, "new_ai_energy_mwh")
    );
    assert!(sum(&flexible, "training_curtailed_mwh") > sum(&firm, "training_curtailed_mwh"));
    assert!(
        sum(&flexible, "flexibility_avoided_sum_mw") > sum(&firm, "flexibility_avoided_sum_mw")
    );
    assert!(
        sum(&flexible, "firm_capacity_needed_sum_mw") < sum(&firm, "firm_capacity_needed_sum_mw")
    );
}

#[test]
fn no_region_s_built_capacity_falls_and_training_s_is_refit_for_inference() {
    let dir = Dir::new("no_region_s_built_capacity_falls_and_training_s_is_refit_for_inference");
    let out = dir.run_shipped("run", &["--years", "2024..2035", "--weather-years", "2024"]);
    let (h, rows) = read_table(&out.join("metrics.csv"));
    let regions = text_column(&h, &rows, "region");
    let col = |name: &str| column(&h, &rows, name);
    let (year, built, idle, refit) = (
        col("year"),
        col("built_rated_mw"),
        col("idle_rated_mw"),
        col("refit_rated_mw"),
    );
    let (training, inference) = (col("training_rated_mw"), col("inference_rated_mw"));
    let mut last: std::collections::HashMap<&str, (f64, f64)> = std::collections::HashMap::new();
    for i in 0..rows.len() {
        // Built covers what the workloads use; what they leave is idle, never negative.
        assert!(built[i] + 1e-6 >= training[i] + inference[i], "row {i}");
        assert!(idle[i] >= 0.0 && refit[i] >= 0.0);
        if let Some(&(y, b)) = last.get(regions[i]) {
            assert!(year[i] > y);
            assert!(
                built[i] + 1e-6 >= b,
                "{} {}: built {} after {b}",
                regions[i],
                year[i],
                built[i]
            );
        }
        last.insert(regions[i], (year[i], built[i]));
    }
    // Training's total falls after 2030 in the default path: its capacity is reused.
    let refit_after_2030: f64 = (0..rows.len())
        .filter(|&i| year[i] > 2030.0)
        .map(|i| refit[i])
        .sum();
    assert!(refit_after_2030 > 1000.0, "{refit_after_2030}");
}

/// PUE by the hour (issue 20): with the shipped flat training profile, the hourly training
/// MW at the facility meter still moves through the day and the year (cooling), while the
/// year's energy stays the scenario's.
#[test]
fn a_flat_training_profile_draws_more_on_summer_afternoons() {
    use polars::prelude::*;
    let dir = Dir::new("a_flat_training_profile_draws_more_on_summer_afternoons");
    let out = dir.run_shipped(
        "run",
        &[
            "--regions",
            "SOCO",
            "--years",
            "2030..2030",
            "--weather-years",
            "2024",
            "--hourly",
        ],
    );
    let frame = ParquetReader::new(
        std::fs::File::open(out.join("hourly/default/SOCO/2030.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    let training: Vec<f64> = frame
        .column("new_training_mw")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(training.len(), 8760);
    assert!(
        training.iter().all(|&mw| mw > 0.0),
        "SOCO gains training by 2030"
    );
    // SOCO is on Central time: 15 July 15:00 CDT is 20:00 UTC, 03:00 CDT 08:00 UTC;
    // 15 January 03:00 CST is 09:00 UTC.
    let (july_afternoon, july_night, january_night) = (
        training[195 * 24 + 20],
        training[195 * 24 + 8],
        training[14 * 24 + 9],
    );
    assert!(
        july_afternoon > 1.01 * july_night,
        "{july_afternoon} vs {july_night}"
    );
    assert!(
        july_night > 1.01 * january_night,
        "{july_night} vs {january_night}"
    );
    let day_mean = |day: usize| training[day * 24..day * 24 + 24].iter().sum::<f64>() / 24.0;
    assert!(day_mean(195) > 1.03 * day_mean(14));
    // The year's energy is the metrics' (the shape's own sum carries the cooling).
    let (h, rows) = read_table(&out.join("metrics.csv"));
    let energy = column(&h, &rows, "new_training_energy_mwh")[0];
    let sum: f64 = training.iter().sum();
    assert!((sum - energy).abs() <= 1e-9 * energy);
}
