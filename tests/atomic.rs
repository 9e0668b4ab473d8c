//! A run that is killed leaves either no run directory or a complete one, never a
//! half-written one (the run is staged in a hidden folder and renamed when complete).
use std::process::Stdio;
use std::time::Duration;

use crate::common::{Dir, gridstrain_process, read_csv};

#[test]
fn a_killed_run_leaves_no_directory_or_a_complete_one() {
    let dir = Dir::new("a_killed_run_leaves_no_directory_or_a_complete_one");
    let mut outcomes = Vec::new();
    // Moments from start-up to after completion; --hourly makes the run long enough.
    for (i, delay_ms) in [0_u64, 50, 200, 500, 800, 1500, 3000, 30_000]
        .into_iter()
        .enumerate()
    {
        let out = dir.join(format!("run{i}"));
        // A process of its own, to be killed (`Dir::command` cannot be).
        let mut child = gridstrain_process()
            .args([
                "run",
                "--quiet",
                "--hourly",
                "--regions",
                "us-22",
                "--years",
                "2030..2031",
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let finished = wait_up_to(&mut child, Duration::from_millis(delay_ms));
        if !finished {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        if out.exists() {
            let (_, rows) = read_csv(&out.join("metrics.csv"));
            assert_eq!(rows.len(), 22 * 2 * 9, "run{i}: incomplete metrics");
            for file in [
                "metrics.parquet",
                "summary.csv",
                "run.toml",
                "siting.csv",
                "regionset_metrics.csv",
            ] {
                assert!(
                    out.join(file).is_file(),
                    "run{i}: a run directory without {file}"
                );
            }
            let hourly = std::fs::read_dir(out.join("hourly/default"))
                .unwrap()
                .count();
            assert_eq!(hourly, 22, "run{i}: hourly folders missing");
            outcomes.push("complete");
        } else {
            outcomes.push("absent");
        }
    }
    // The last moment lets the run finish: it must have produced a complete directory.
    assert_eq!(outcomes.last(), Some(&"complete"), "{outcomes:?}");
}

fn wait_up_to(child: &mut std::process::Child, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
