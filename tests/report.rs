//! The policymaker's report: written by every run, self-contained (no outside resource,
//! a strict Content-Security-Policy), at least six labelled charts with tables, numbers
//! that match the run's tables, byte-identical when re-rendered by `gridstrain report`,
//! and a Markdown snapshot of the small fixture's report.
use std::path::Path;

use crate::common::{Dir, column, read_csv};

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
    let dir = Dir::new("a_run_writes_a_self_contained_report_that_rerenders_to_the_same_bytes");
    let out = dir.run_shipped(
        "run",
        &["--years", "2028..2030", "--weather-years", "2022..2024"],
    );
    let html = dir.read(out.join("report.html"));
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
    let md = dir.read(out.join("report.md"));
    let files = report_files(&out);
    for (name, _) in files.iter().filter(|(n, _)| n.ends_with(".svg")) {
        assert!(md.contains(&format!("report_charts/{name}")), "{name}");
    }
    // `gridstrain report` on a copy without the report writes the same bytes.
    let copy = dir.create_dir("copy");
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
    dir.command().arg("report").arg(&copy).succeeds();
    assert!(
        report_files(&copy) == files,
        "report re-rendered to other bytes"
    );
}

#[test]
fn the_reports_numbers_are_the_runs_own() {
    let dir = Dir::new("the_reports_numbers_are_the_runs_own");
    let out = dir.run_shipped("run", &["--years", "2030", "--weather-years", "2023..2024"]);
    let html = dir.read(out.join("report.html"));
    let md = dir.read(out.join("report.md"));
    let (header, rows) = read_csv(&out.join("power_by_year.csv"));
    let year = column(&header, &rows, "year");
    let i = year.iter().position(|y| *y == 2030.0).unwrap();
    let inference_gw = column(&header, &rows, "inference_average_mw")[i] / 1000.0;
    let training_gw = column(&header, &rows, "training_average_mw")[i] / 1000.0;
    assert!(
        md.contains(&format!(
            "| US AI load, average (GW): inference | {inference_gw:.1} |"
        )),
        "inference {inference_gw:.1}"
    );
    assert!(
        md.contains(&format!(
            "| US AI load, average (GW): training | {training_gw:.1} |"
        )),
        "training {training_gw:.1}"
    );
    assert!(html.contains(&format!(
        "<td>US AI load, average (GW): training</td><td>{training_gw:.1}</td>"
    )));
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
        md.contains("The most strained region, ") && md.contains(&format!("({strained}), goes")),
        "{strained}"
    );
}

/// The first screen stands alone: a title in words, date, version and inputs, at most
/// five summary sentences each with its range, no region code without its name, and a
/// glossary that defines threshold and residual.
#[test]
fn the_first_screen_stands_alone() {
    let dir = Dir::new("the_first_screen_stands_alone");
    let out = dir.run_shipped("run", &["--years", "2030", "--weather-years", "2023..2024"]);
    let html = dir.read(out.join("report.html"));
    let h1 = html
        .split("<h1>")
        .nth(1)
        .unwrap()
        .split("</h1>")
        .next()
        .unwrap();
    assert!(
        h1.starts_with("What new AI data centres do to the grid — "),
        "{h1}"
    );
    assert!(!h1.contains(" × ") && !h1.contains("us-48"), "{h1}");
    let meta = html
        .split("<p class=\"meta\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(meta.starts_with("Run on 20"), "{meta}");
    assert!(meta.contains("gridstrain 0."), "{meta}");
    assert!(
        meta.contains("default.toml") && meta.contains("us-48.toml"),
        "{meta}"
    );
    let brief = html
        .split("<section class=\"brief\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    let sentences = brief.matches("<li>").count();
    assert!(
        (3..=5).contains(&sentences),
        "{sentences} sentences: {brief}"
    );
    for sentence in brief.split("<li>").skip(1) {
        let sentence = sentence.split("</li>").next().unwrap();
        assert!(
            sentence.contains("(range ") || sentence.contains("range 20"),
            "no range: {sentence}"
        );
    }
    assert!(brief.contains("100 samples"), "{brief}");
    // Every region code in the summary stands in brackets after its name.
    let (header, rows) = read_csv(&out.join("regions.csv"));
    let id = header.iter().position(|c| c == "region").unwrap();
    let name = header.iter().position(|c| c == "name").unwrap();
    // A name may hold its code ("PJM Interconnection (PJM)"): names as written go first.
    let mut brief = brief.to_owned();
    for row in &rows {
        let full = if row[name].contains(&format!("({})", row[id])) {
            row[name].clone()
        } else {
            format!("{} ({})", row[name], row[id])
        };
        brief = brief.replace(&full, "");
    }
    let brief = brief.as_str();
    for row in &rows {
        let code = &row[id];
        let bare = brief
            .match_indices(code.as_str())
            .filter(|(at, _)| {
                let before = brief[..*at].chars().last();
                let after = brief[at + code.len()..].chars().next();
                before.is_none_or(|c| !c.is_alphanumeric() && c != '-')
                    && after.is_none_or(|c| !c.is_alphanumeric() && c != '-')
                    && !(before == Some('(') && after == Some(')'))
            })
            .count();
        assert_eq!(bare, 0, "{code} without its name: {brief}");
        assert!(
            !brief.contains(&format!("({code})")),
            "{code} in brackets without its name"
        );
    }
    for term in [
        "<dt>Threshold</dt>",
        "<dt>Residual above threshold</dt>",
        "<dt>Weather year</dt>",
    ] {
        assert!(html.contains(term), "glossary lacks {term}");
    }
    assert!(html.contains("<h2 id=\"methods\">Methods in brief</h2>"));
}

/// `gridstrain batch` ends with a comparison of its units, and `gridstrain report` on
/// the batch folder writes it again, byte for byte.
#[test]
fn a_batch_folder_gets_a_side_by_side_report() {
    let dir = Dir::new("a_batch_folder_gets_a_side_by_side_report");
    let out = dir.join("batch");
    dir.command()
        .args(["batch", "--quiet", "--years", "2030"])
        .args([
            "--weather-years",
            "2023..2024",
            "--scenarios",
            "low",
            "high",
        ])
        .args(["--regions", "us-22"])
        .out(&out)
        .succeeds();
    let html = dir.read(out.join("report.html"));
    assert!(html.contains("2 studies side by side"), "{html}");
    for unit in ["low__us-22", "high__us-22"] {
        assert!(html.contains(&format!("{unit}/report.html")), "{unit}");
    }
    let brief = html.split("<section class=\"brief\"").nth(1).unwrap();
    assert!(
        brief.contains("2030, combined peak increase (GW): from "),
        "{brief}"
    );
    // The low scenario is the low end.
    let peak = brief
        .split("combined peak increase (GW): from ")
        .nth(1)
        .unwrap();
    assert!(
        peak.split(" to ").next().unwrap().contains("“low”"),
        "{peak}"
    );
    let first = dir.read(out.join("report.md"));
    dir.command()
        .arg("report")
        .arg(&out)
        .arg("--quiet")
        .succeeds();
    assert_eq!(dir.read(out.join("report.md")), first);
    assert_eq!(dir.read(out.join("report.html")), html);
}

#[test]
fn the_small_fixtures_report_in_markdown() {
    let dir = Dir::new("the_small_fixtures_report_in_markdown");
    dir.run_small("small", &["--quiet"]).succeeds();
    // The run's date is the one line that changes from day to day.
    let md = dir.read("small/report.md");
    let md = md
        .lines()
        .map(|line| match line.strip_prefix("Run on ") {
            Some(rest) if rest.len() > 10 => format!("Run on [date]{}", &rest[10..]),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("small_fixture_report_md", md);
}

#[test]
fn a_sweep_writes_its_report_with_bands() {
    let dir = Dir::new("a_sweep_writes_its_report_with_bands");
    let out = dir.join("sweep");
    dir.command()
        .args([
            "sweep",
            "--quiet",
            "--samples",
            "40",
            "--years",
            "2030..2031",
        ])
        .out(&out)
        .succeeds();
    let html = dir.read(out.join("report.html"));
    assert!(html.matches("<svg").count() >= 4);
    assert!(html.contains("5–95th percentile"));
    let md = dir.read(out.join("report.md"));
    assert!(md.contains("90 % of samples"), "{md}");
    // The first screen names what drives the spread of the 2030 peak increase.
    let brief = md
        .split("## In brief")
        .nth(1)
        .unwrap()
        .split("## Findings")
        .next()
        .unwrap();
    let peak = brief
        .lines()
        .find(|l| l.contains("2030, combined peak increase"))
        .unwrap_or_else(|| panic!("{brief}"));
    assert!(
        peak.contains("driven most by ") && peak.contains("ρ = ") || peak.contains("η² = "),
        "{peak}"
    );
    assert!(
        md.contains("Spearman's rank correlation"),
        "the method is named"
    );
    assert!(
        md.contains("## The uncertain inputs swept"),
        "input ranges table"
    );
    assert!(
        md.contains("## The central case beside the bands"),
        "central case"
    );
    let (header, rows) = read_csv(&out.join("drivers.csv"));
    assert!(rows.len() > 10, "{header:?}");
}

#[test]
fn report_refuses_a_folder_that_is_not_a_run() {
    let dir = Dir::new("report_refuses_a_folder_that_is_not_a_run");
    dir.command()
        .arg("report")
        .arg(dir.path())
        .fails_with(1, &["not a run, sweep or batch folder"]);
    assert!(!dir.join("report.html").exists());
}
