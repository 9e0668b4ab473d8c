//! `gridstrain batch`: units complete around a failing one (listed in failures.csv,
//! exit 1), `--fail-fast`, shards that cover the batch once, patterns that match nothing.
use crate::common::{gridstrain, read_csv, root};

/// The shipped `low` scenario with a PUE below 1 (a broken unit).
fn broken_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/low.toml")).unwrap();
    let profiles = root().join("profiles");
    let text = text
        .replace("pue = 1.14", "pue = 0.5")
        .replace("\"../profiles/", &format!("\"{}/", profiles.display()));
    let path = dir.join("broken.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_failing_unit_is_listed_and_the_others_complete() {
    let dir = tempfile::tempdir().unwrap();
    let broken = broken_scenario(dir.path());
    let out = dir.path().join("batch");
    gridstrain()
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
        .args(["--regions", "us-22", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("1 of 3 unit(s) failed"));
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
    let fast = dir.path().join("fast");
    gridstrain()
        .args([
            "batch",
            "--quiet",
            "--fail-fast",
            "--years",
            "2030",
            "--scenarios",
            "default",
        ])
        .arg(&broken)
        .arg("low")
        .arg("--out")
        .arg(&fast)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not run after --fail-fast"));
    assert!(fast.join("default__us-48").is_dir());
    assert!(!fast.join("low__us-48").exists());
}

#[test]
fn shards_cover_the_batch_once_in_hive_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    for k in 0..2 {
        gridstrain()
            .args([
                "batch",
                "--quiet",
                "--years",
                "2030",
                "--scenarios",
                "scenarios/[dlh]*.toml",
            ])
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(&out)
            .assert()
            .success();
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
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    gridstrain()
        .args(["batch", "--scenarios", "scenarios/nothing-*.toml", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "`scenarios/nothing-*.toml` matches no file",
        ));
    assert!(!out.exists());
    gridstrain()
        .args(["batch", "--scenarios", "default", "--shard", "2/2", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--shard"));
    assert!(!out.exists());
}

#[test]
fn an_unreadable_region_set_among_several_fails_only_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "id = \"bad\"\nregions = [\n").unwrap();
    let out = dir.path().join("batch");
    gridstrain()
        .args([
            "batch",
            "--quiet",
            "--years",
            "2030",
            "--scenarios",
            "default",
            "--regions",
            "us-22",
        ])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert!(out.join("default__us-22/metrics.csv").is_file());
    let (_, rows) = read_csv(&out.join("failures.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "bad");
    assert!(rows[0][2].contains("bad.toml"), "{}", rows[0][2]);
}

#[test]
fn two_files_of_one_name_are_refused_and_one_file_twice_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("default.toml");
    let text = std::fs::read_to_string(root().join("scenarios/low.toml"))
        .unwrap()
        .replace(
            "\"../profiles/",
            &format!("\"{}/", root().join("profiles").display()),
        );
    std::fs::write(&other, text).unwrap();
    let out = dir.path().join("batch");
    gridstrain()
        .args(["batch", "--years", "2030", "--scenarios", "default"])
        .arg(&other)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "two units would write the same folder",
        ));
    assert!(!out.join("default__us-48").exists());
    gridstrain()
        .args([
            "batch",
            "--quiet",
            "--years",
            "2030",
            "--scenarios",
            "default",
            "scenarios/default.toml",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("default__us-48/metrics.csv").is_file());
}
