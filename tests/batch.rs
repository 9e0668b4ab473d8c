//! `gridstrain batch`: units complete around a failing one (listed in failures.csv,
//! exit 1), `--fail-fast`, shards that cover the batch once, patterns that match nothing.
use crate::common::{Dir, read_csv, shipped_scenario_text};

#[test]
fn a_failing_unit_is_listed_and_the_others_complete() {
    let dir = Dir::new("a_failing_unit_is_listed_and_the_others_complete");
    // The shipped `low` scenario with a PUE below 1 (a broken unit).
    let broken = dir.create(
        "broken.toml",
        shipped_scenario_text("low").replace("pue = 1.14", "pue = 0.5"),
    );
    let out = dir.join("batch");
    dir.command()
        .args([
            "batch",
            "--quiet",
            "--years",
            "2030",
            "--scenarios",
            "default",
        ])
        .arg(&broken)
        .arg("low")
        .args(["--regions", "us-22"])
        .out(&out)
        .fails_with(1, &["1 of 3 unit(s) failed"]);
    for unit in ["default__us-22", "low__us-22"] {
        assert!(out.join(unit).join("metrics.csv").is_file(), "{unit}");
        assert!(out.join(unit).join("run.toml").is_file(), "{unit}");
    }
    assert!(!out.join("broken__us-22").exists(), "nothing half-written");
    let (header, rows) = read_csv(&out.join("failures.csv"));
    assert_eq!(header, ["scenario", "region_set", "error"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][0].as_str(), rows[0][1].as_str()),
        ("broken", "us-22")
    );
    assert!(
        rows[0][2].contains("line") && rows[0][2].contains("pue"),
        "{}",
        rows[0][2]
    );
    // --fail-fast stops at the broken unit: `low` is not run.
    let fast = dir.join("fast");
    dir.command()
        .args(["batch", "--quiet", "--fail-fast", "--years", "2030"])
        .args(["--scenarios", "default"])
        .arg(&broken)
        .arg("low")
        .out(&fast)
        .fails_with(1, &["not run after --fail-fast"]);
    assert!(fast.join("default__us-48").is_dir());
    assert!(!fast.join("low__us-48").exists());
}

#[test]
fn shards_cover_the_batch_once_in_hive_partitions() {
    let dir = Dir::new("shards_cover_the_batch_once_in_hive_partitions");
    let out = dir.join("batch");
    for k in 0..2 {
        dir.command()
            .args(["batch", "--quiet", "--years", "2030"])
            .args(["--scenarios", "scenarios/[dlh]*.toml"])
            .args(["--shard", &format!("{k}/2")])
            .out(&out)
            .succeeds();
    }
    let mut found = Vec::new();
    for scenario in ["default", "high", "low"] {
        for k in 0..2 {
            let unit = out.join(format!("scenario={scenario}/region_set=us-48/shard={k}"));
            if unit.join("metrics.parquet").is_file() {
                found.push(scenario);
            }
        }
    }
    assert_eq!(
        found,
        ["default", "high", "low"],
        "each unit in exactly one shard"
    );
    assert!(
        out.join("failures_shard=0.csv").is_file() && out.join("failures_shard=1.csv").is_file()
    );
}

#[test]
fn a_pattern_that_matches_nothing_or_a_bad_shard_writes_nothing() {
    let dir = Dir::new("a_pattern_that_matches_nothing_or_a_bad_shard_writes_nothing");
    let out = dir.join("batch");
    dir.command()
        .args(["batch", "--scenarios", "scenarios/nothing-*.toml"])
        .out(&out)
        .fails_with(1, &["`scenarios/nothing-*.toml` matches no file"]);
    assert!(!out.exists());
    dir.command()
        .args(["batch", "--scenarios", "default", "--shard", "2/2"])
        .out(&out)
        .fails_with(2, &["--shard"]);
    assert!(!out.exists());
}

#[test]
fn an_unreadable_region_set_among_several_fails_only_its_units() {
    let dir = Dir::new("an_unreadable_region_set_among_several_fails_only_its_units");
    let bad = dir.create("bad.toml", "id = \"bad\"\nregions = [\n");
    let out = dir.join("batch");
    dir.command()
        .args([
            "batch",
            "--quiet",
            "--years",
            "2030",
            "--scenarios",
            "default",
        ])
        .args(["--regions", "us-22"])
        .arg(&bad)
        .out(&out)
        .fails(1);
    assert!(out.join("default__us-22/metrics.csv").is_file());
    let (_, rows) = read_csv(&out.join("failures.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "bad");
    assert!(rows[0][2].contains("bad.toml"), "{}", rows[0][2]);
}

#[test]
fn two_files_of_one_name_are_refused_and_one_file_twice_runs_once() {
    let dir = Dir::new("two_files_of_one_name_are_refused_and_one_file_twice_runs_once");
    let other = dir.create("default.toml", shipped_scenario_text("low"));
    let out = dir.join("batch");
    dir.command()
        .args(["batch", "--years", "2030", "--scenarios", "default"])
        .arg(&other)
        .out(&out)
        .fails_with(1, &["two units would write the same folder"]);
    assert!(!out.join("default__us-48").exists());
    dir.command()
        .args([
            "batch",
            "--quiet",
            "--years",
            "2030",
            "--scenarios",
            "default",
        ])
        .arg("scenarios/default.toml")
        .out(&out)
        .succeeds();
    assert!(out.join("default__us-48/metrics.csv").is_file());
}
