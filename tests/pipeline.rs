//! The `pipeline` growth rules (issue 19): growth goes where data centres are being built
//! (`datacenter_pipeline_mw`), and only the latency-bound share of inference follows people.
use std::path::PathBuf;

use crate::common::{Dir, read_csv};

/// The small fixture copied into `dir` with PGE's pipeline at 300 MW, PACW's at none, and
/// the scenario's `[siting]` table replaced by `siting`.
fn fixture_with(dir: &Dir, siting: &str) -> (PathBuf, PathBuf) {
    dir.small_fixture_copy(
        |scenario| {
            scenario
                .replace("[siting]\n", "[siting_old]\n")
                .replace("training = \"headroom\"", "")
                .replace("[siting_old]\n", &format!("[siting]\n{siting}\n"))
        },
        |regions| {
            regions.replacen(
                "price_usd_per_mwh = 75.2\n",
                "price_usd_per_mwh = 75.2\ndatacenter_pipeline_mw = 300\n",
                1,
            )
        },
    )
}

#[test]
fn growth_follows_the_pipeline_and_people_only_for_latency_bound_inference() {
    let dir = Dir::new("growth_follows_the_pipeline_and_people_only_for_latency_bound_inference");
    let (scenario, regions) = fixture_with(
        &dir,
        "training = \"pipeline\"\ninference = \"pipeline\"\nlatency_bound_frac = 0.25\nlatency_bound_source = \"test\"",
    );
    let out = dir.join("out");
    dir.command()
        .args(["run", "--quiet"])
        .study(&scenario, &regions)
        .out(&out)
        .succeeds();
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
    let dir = Dir::new("the_pipeline_rule_without_its_inputs_is_refused_with_how");
    let (scenario, regions) =
        fixture_with(&dir, "training = \"headroom\"\ninference = \"pipeline\"");
    let stderr = dir
        .command()
        .args(["run", "--quiet"])
        .study(&scenario, &regions)
        .out(dir.join("out"))
        .fails_any();
    assert!(
        stderr.contains("latency_bound_frac") && stderr.contains("scenario.toml"),
        "{stderr}"
    );
}
