//! The policymaker's report: written by every run, self-contained (no outside resource,
//! a strict Content-Security-Policy), at least six labelled charts with tables, numbers
//! that match the run's tables, byte-identical when re-rendered by `gridstrain report`,
//! and a Markdown snapshot of the small fixture's report.
use std::path::Path;

use crate::common::{column, gridstrain, read_csv, run_shipped, run_small};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a report, relative path → bytes.
fn report_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "report.html".to_owned(),
            std::fs::read(dir.join("report.html")).unwrap(),
        ),
        (
            "report.md".to_owned(),
            std::fs::read(dir.join("report.md")).unwrap(),
        ),
    ];
    let mut charts: Vec<_> = std::fs::read_dir(dir.join("report_charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    charts.sort();
    for chart in charts {
        files.push((
            chart.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read(&chart).unwrap(),
        ));
    }
    files
}

#[test]
fn a_run_writes_a_self_contained_report_that_rerenders_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_shipped(
        &out,
        &["--years", "2028..2030", "--weather-years", "2022..2024"],
    );
    let html = read(&out.join("report.html"));
    // No outside resource, and a policy that would block one.
    for pattern in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "src='http",
        "href='http",
    ] {
        assert!(!html.contains(pattern), "{pattern}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // At least six inline SVG charts, each with a title, a label and a table.
    let charts = html.matches("<svg").count();
    assert!(charts >= 6, "{charts} charts");
    assert_eq!(
        html.matches("<svg role=\"img\" aria-label=").count(),
        charts
    );
    assert_eq!(html.matches("</title><desc>").count(), charts);
    assert_eq!(html.matches("<details><summary>Data table").count(), charts);
    // The markdown refers to every chart file it has.
    let md = read(&out.join("report.md"));
    let files = report_files(&out);
    for (name, _) in files.iter().filter(|(n, _)| n.ends_with(".svg")) {
        assert!(md.contains(&format!("report_charts/{name}")), "{name}");
    }
    // `gridstrain report` on a copy without the report writes the same bytes.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file()
            && !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("report.")
        {
            std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        }
    }
    assert!(!copy.join("report.html").exists() && copy.join("report_data.parquet").exists());
    gridstrain().arg("report").arg(&copy).assert().success();
    assert!(
        report_files(&copy) == files,
        "report re-rendered to other bytes"
    );
}

#[test]
fn the_reports_numbers_are_the_runs_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_shipped(&out, &["--years", "2030", "--weather-years", "2023..2024"]);
    let html = read(&out.join("report.html"));
    let md = read(&out.join("report.md"));
    let (header, rows) = read_csv(&out.join("power_by_year.csv"));
    let year = column(&header, &rows, "year");
    let i = year.iter().position(|y| *y == 2030.0).unwrap();
    let inference_gw = column(&header, &rows, "inference_average_mw")[i] / 1000.0;
    let training_gw = column(&header, &rows, "training_average_mw")[i] / 1000.0;
    for text in [&html, &md] {
        assert!(
            text.contains(&format!("{inference_gw:.1} GW inference")),
            "inference {inference_gw:.1}"
        );
        assert!(
            text.contains(&format!("{training_gw:.1} GW training")),
            "training {training_gw:.1}"
        );
    }
    // The most strained region named is the one with the largest worst-weather residual.
    let (h, r) = read_csv(&out.join("metrics.csv"));
    let residual = column(&h, &r, "residual_above_threshold_mw");
    let region_col = h.iter().position(|c| c == "region").unwrap();
    let (best, _) = residual
        .iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (k, v)| if *v > b.1 { (k, *v) } else { b },
        );
    let strained = &r[best][region_col];
    assert!(
        md.contains(&format!("Most strained: {strained} (")),
        "{strained}"
    );
}

#[test]
fn the_small_fixtures_report_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    run_small(&out, &["--quiet"]).success();
    let md = read(&out.join("report.md"));
    insta::assert_snapshot!("small_fixture_report_md", md);
}

#[test]
fn a_sweep_writes_its_report_with_bands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    gridstrain()
        .args([
            "sweep",
            "--quiet",
            "--samples",
            "40",
            "--years",
            "2030..2031",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = read(&out.join("report.html"));
    assert!(html.matches("<svg").count() >= 4);
    assert!(html.contains("5–95th percentile"));
    assert!(read(&out.join("report.md")).contains("90 % of samples between"));
}

#[test]
fn report_refuses_a_folder_that_is_not_a_run() {
    let dir = tempfile::tempdir().unwrap();
    gridstrain()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not a run or sweep folder"));
    assert!(!dir.path().join("report.html").exists());
}
