//! Golden outputs: the small fixture (two Pacific Northwest balancing authorities, two
//! target years, two weather years, recovery on) run through the binary and compared
//! cell by cell with `tests/golden/small/` (relative tolerance 1e-9). Regenerate with
//! `tests/regenerate_golden.sh` and explain the diff in the commit.
use crate::common::{Dir, compare_csv, root};

/// Files a run writes, apart from `run.toml` (which records paths and the command).
const GOLDEN_FILES: [&str; 8] = [
    "metrics.csv",
    "ranges.csv",
    "regions.csv",
    "regionset_metrics.csv",
    "summary.csv",
    "siting.csv",
    "power_by_year.csv",
    "reality_check.csv",
];

#[test]
fn small_fixture_matches_golden_outputs() {
    let dir = Dir::new("small_fixture_matches_golden_outputs");
    let out = dir.join("small");
    dir.run_small(&out, &["--quiet"]).succeeds();
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected_files: Vec<String> = GOLDEN_FILES.iter().map(|s| (*s).to_owned()).collect();
    expected_files.extend(
        [
            ".gridstrain-output",
            "metrics.parquet",
            "regionset_metrics.parquet",
            "run.toml",
            "report.html",
            "report.md",
            "report_charts",
            "report_data.parquet",
        ]
        .map(str::to_owned),
    );
    expected_files.sort();
    assert_eq!(written, expected_files, "the set of output files changed");
    let golden = root().join("tests/golden/small");
    let mut diffs = Vec::new();
    for file in GOLDEN_FILES {
        diffs.extend(compare_csv(&golden.join(file), &out.join(file), 1e-9));
    }
    if std::env::var_os("GRIDSTRAIN_KEEP_TEST_OUTPUT").is_some() {
        let keep = root().join("outputs/test-golden-small");
        let _ = std::fs::remove_dir_all(&keep);
        std::fs::rename(&out, &keep).unwrap();
    }
    assert!(
        diffs.is_empty(),
        "outputs differ from tests/golden/small:\n{}",
        diffs.join("\n")
    );
}

/// Every output column is documented: its name appears in docs/file-formats.md and its
/// definition in docs/methodology.md.
#[test]
fn every_output_column_is_documented() {
    let formats = std::fs::read_to_string(root().join("docs/file-formats.md")).unwrap();
    let methodology = std::fs::read_to_string(root().join("docs/methodology.md")).unwrap();
    let mut missing = Vec::new();
    for file in GOLDEN_FILES {
        let (header, _) = crate::common::read_csv(&root().join("tests/golden/small").join(file));
        for column in header {
            let quoted = format!("`{column}`");
            if !formats.contains(&quoted) {
                missing.push(format!("{file}: {column} not in docs/file-formats.md"));
            }
            if !methodology.contains(&quoted) {
                missing.push(format!("{file}: {column} not in docs/methodology.md"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
