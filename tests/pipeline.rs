//! The `pipeline` growth rules (issue 19): growth goes where data centres are being built
//! (`datacenter_pipeline_mw`), and only the latency-bound share of inference follows people.
use std::path::Path;

use crate::common::{gridstrain, read_csv, small_fixture};

/// The small fixture with PGE's pipeline at 300 MW, PACW's at none, and the scenario's
/// `[siting]` table replaced by `siting`.
fn fixture_with(dir: &Path, siting: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (scenario, regions) = small_fixture();
    let fixture = scenario.parent().unwrap().parent().unwrap().to_path_buf();
    let scenario_text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace(
            "\"../profiles/",
            &format!("\"{}/", fixture.join("profiles").display()),
        )
        .replace("[siting]\n", "[siting_old]\n")
        .replace("training = \"headroom\"", "");
    let scenario_text = scenario_text.replace("[siting_old]\n", &format!("[siting]\n{siting}\n"));
    let regions_text = std::fs::read_to_string(&regions)
        .unwrap()
        .replace(
            "load_file = \"load/",
            &format!("load_file = \"{}/", fixture.join("regions/load").display()),
        )
        .replace(
            "operator_forecasts = \"forecasts.csv\"",
            &format!(
                "operator_forecasts = \"{}\"",
                fixture.join("regions/forecasts.csv").display()
            ),
        )
        .replacen(
            "price_usd_per_mwh = 75.2\n",
            "price_usd_per_mwh = 75.2\ndatacenter_pipeline_mw = 300\n",
            1,
        );
    let (s, r) = (dir.join("scenario.toml"), dir.join("regions.toml"));
    std::fs::write(&s, scenario_text).unwrap();
    std::fs::write(&r, regions_text).unwrap();
    (s, r)
}

#[test]
fn growth_follows_the_pipeline_and_people_only_for_latency_bound_inference() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, regions) = fixture_with(
        dir.path(),
        "training = \"pipeline\"\ninference = \"pipeline\"\nlatency_bound_frac = 0.25\nlatency_bound_source = \"test\"",
    );
    let out = dir.path().join("out");
    gridstrain()
        .args(["run", "--quiet", "--scenario"])
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .args(["--weather-years", "2023..2024", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = read_csv(&out.join("siting.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let added = |region: &str, workload: &str| -> f64 {
        rows.iter()
            .filter(|r| r[col("region")] == region && r[col("workload")] == workload)
            .map(|r| r[col("added_rated_mw")].parse::<f64>().unwrap())
            .sum()
    };
    // Both regions carry the same price line; only the first (PGE) got the pipeline, so
    // after the first year (at today's hubs) all training growth goes to PGE within its
    // cap, and PACW gets inference growth only through its people.
    assert!(added("PGE", "training") > 0.0);
    let pacw = added("PACW", "inference");
    let pge = added("PGE", "inference");
    assert!(pge > 3.0 * pacw, "PGE {pge} vs PACW {pacw}");
}

#[test]
fn the_pipeline_rule_without_its_inputs_is_refused_with_how() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, regions) = fixture_with(
        dir.path(),
        "training = \"headroom\"\ninference = \"pipeline\"",
    );
    let assert = gridstrain()
        .args(["run", "--quiet", "--scenario"])
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .args(["--weather-years", "2023..2024", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("latency_bound_frac") && stderr.contains("scenario.toml"),
        "{stderr}"
    );
}
