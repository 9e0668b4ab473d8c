//! One nation, any region (issue 18): the national AI load is sited once over the
//! catalogue, and a region set only chooses what to report — a one-region study gets
//! what the national run gives that region; zones sit inside their ISO, whose aggregate
//! is the ISO's own BA record; the catalogue covers the lower 48.
use std::collections::BTreeMap;
use std::path::Path;

use gridstrain::input::catalogue::{RawCatalogue, read_catalogue};
use gridstrain::input::load_file::read_load_file;
use gridstrain::input::region_set::read_region_set;
use gridstrain::input::study::{StudyFiles, load_study};
use gridstrain::results::{MetricsRow, TableRow};
use gridstrain::simulation::{Observer, SimOptions, simulate};
use proptest::prelude::*;

use crate::common::{Dir, gridstrain, read_csv, read_table, root, shipped_scenario_text};

/// Rated MW of each (region, workload) in `year` from a run's `siting.csv`.
fn siting(dir: &Path, year: &str) -> BTreeMap<(String, String), f64> {
    let (header, rows) = read_csv(&dir.join("siting.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    rows.iter()
        .filter(|r| r[col("year")] == year)
        .map(|r| {
            (
                (r[col("region")].clone(), r[col("workload")].clone()),
                r[col("rated_mw")].parse().unwrap(),
            )
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The shipped one-region set gives SOCO exactly the national siting's MW (it got ten
/// times its share when the set was sited on its own).
#[test]
fn a_one_region_study_of_soco_gets_its_national_share() {
    let dir = Dir::new("a_one_region_study_of_soco_gets_its_national_share");
    let args = ["--years", "2030", "--weather-years", "2024"];
    let alone = dir.run_shipped(
        "soco",
        &[&["--regions", "regions/examples/soco.toml"][..], &args[..]].concat(),
    );
    let national = dir.run_shipped("us48", &[&["--regions", "us-48"][..], &args[..]].concat());
    let (alone, national) = (siting(&alone, "2030"), siting(&national, "2030"));
    for workload in ["inference", "training"] {
        let key = ("SOCO".to_owned(), workload.to_owned());
        assert!(
            close(alone[&key], national[&key]),
            "{workload}: {} alone vs {} in us-48",
            alone[&key],
            national[&key]
        );
        assert!(national[&key] > 100.0, "SOCO gets some {workload}");
    }
    // The rest of the nation is reported as outside the set, not dropped.
    let outside = alone[&("outside_set".to_owned(), "training".to_owned())];
    assert!(outside > 10.0 * alone[&("SOCO".to_owned(), "training".to_owned())]);
}

/// A zone studied alone equals the same zone in its ISO's zone set, metric by metric.
#[test]
fn pjm_dom_alone_equals_pjm_dom_in_pjm_zones() {
    let dir = Dir::new("pjm_dom_alone_equals_pjm_dom_in_pjm_zones");
    let args = ["--years", "2030", "--weather-years", "2023..2024"];
    let alone = dir.run_shipped("dom", &[&["--regions", "PJM-DOM"][..], &args[..]].concat());
    let zones = dir.run_shipped(
        "pjm",
        &[&["--regions", "pjm-zones"][..], &args[..]].concat(),
    );
    let (header, alone_rows) = read_table(&alone.join("metrics.csv"));
    let (header_z, zone_rows) = read_table(&zones.join("metrics.csv"));
    assert_eq!(header, header_z);
    let region = header.iter().position(|h| h == "region").unwrap();
    let regions: std::collections::BTreeSet<&str> =
        zone_rows.iter().map(|r| r[region].as_str()).collect();
    assert_eq!(regions.len(), 19, "PJM's 19 zones: {regions:?}");
    let dom: Vec<&Vec<String>> = zone_rows
        .iter()
        .filter(|r| r[region] == "PJM-DOM")
        .collect();
    assert_eq!(dom.len(), alone_rows.len());
    for (a, z) in alone_rows.iter().zip(dom) {
        for (c, name) in header.iter().enumerate() {
            match (a[c].parse::<f64>(), z[c].parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(close(x, y), "{name}: {x} alone vs {y} in pjm-zones"),
                _ => assert_eq!(a[c], z[c], "{name}"),
            }
        }
    }
    let siting = siting(&alone, "2030");
    assert!(siting[&("PJM-DOM".to_owned(), "inference".to_owned())] > 1000.0);
}

/// The PJM aggregate of `pjm-zones` stands on the shipped PJM BA record: at its
/// reference year (no scaling, no growth) its baseline is that record hour by hour.
#[test]
fn the_pjm_aggregate_baseline_is_the_shipped_pjm_record() {
    let dir = Dir::new("the_pjm_aggregate_baseline_is_the_shipped_pjm_record");
    let out = dir.run_shipped(
        "pjm",
        &[
            "--regions",
            "pjm-zones",
            "--years",
            "2024..2030",
            "--weather-years",
            "2024",
        ],
    );
    let (header, rows) = read_table(&out.join("regionset_metrics.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let pjm_in = |year: &str| {
        rows.iter()
            .find(|r| r[col("region_set")] == "PJM" && r[col("year")] == year)
            .expect("an aggregate row for PJM")
    };
    let pjm = pjm_in("2024");
    let record = read_load_file(&root().join("regions/load/PJM.parquet")).unwrap();
    // The record as a baseline of its own year: every hour it holds, unchanged (the
    // shipped data end one hour before 2025; the baseline fills that hour).
    let mut baseline = Vec::new();
    gridstrain::stages::baseline::baseline_for(&record, 2024, 2024, 1.0, &mut baseline);
    let hours = record.year_slice(2024).unwrap();
    assert_eq!(&baseline[..hours.len()], hours);
    let energy: f64 = baseline.iter().sum();
    let peak = baseline.iter().copied().fold(f64::MIN, f64::max);
    let value = |name: &str| pjm[col(name)].parse::<f64>().unwrap();
    assert!(
        close(value("baseline_energy_mwh"), energy),
        "{} vs {energy}",
        value("baseline_energy_mwh")
    );
    assert!(close(value("coincident_baseline_peak_mw"), peak));
    // In the reference year the zones hold no new AI load; by 2030 they do, on top of it.
    assert!(close(value("coincident_total_peak_mw"), peak));
    let later = pjm_in("2030");
    let later_value = |name: &str| later[col(name)].parse::<f64>().unwrap();
    assert!(
        later_value("coincident_total_peak_mw")
            > later_value("coincident_baseline_peak_mw") + 1000.0
    );
    // The whole set's row sums the zones (not the BA record): they differ by the residual.
    let set = rows
        .iter()
        .find(|r| r[col("region_set")] == "pjm-zones" && r[col("year")] == "2024")
        .unwrap();
    let zones_energy: f64 = set[col("baseline_energy_mwh")].parse().unwrap();
    let ratio = energy / zones_energy;
    assert!((0.98..1.05).contains(&ratio), "BA / Σ zones = {ratio}");
}

/// `us-48` holds the lower 48's balancing authorities: at least 50, whose 2023 load is
/// within 1 % of EIA-930's lower-48 total (4,078.4 TWh).
#[test]
fn us_48_covers_the_lower_48() {
    let set = read_region_set(&root().join("regions/us-48.toml")).unwrap();
    assert!(set.regions.len() >= 50, "{} BAs", set.regions.len());
    let twh: f64 = set
        .regions
        .iter()
        .map(|r| {
            let load = read_load_file(&r.load_path).unwrap();
            load.year_slice(2023).unwrap().iter().sum::<f64>() / 1e6
        })
        .sum();
    assert!((twh / 4078.4 - 1.0).abs() < 0.01, "{twh} TWh");
}

/// Every catalogue region has a time zone, people and today's data-centre load, each
/// with a source or a documented estimate; zones name an ISO of the catalogue.
#[test]
fn every_catalogue_region_is_sourced() {
    let path = root().join("regions/catalogue.toml");
    let catalogue = read_catalogue(&path).unwrap();
    assert_eq!(
        catalogue
            .regions
            .iter()
            .filter(|r| r.parent.is_some())
            .count(),
        73
    );
    let raw: RawCatalogue = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in &raw.region {
        assert!(r.population > 0.0, "{}: population", r.id);
        assert!(
            !r.population_source.trim().is_empty(),
            "{}: population source",
            r.id
        );
        assert!(
            r.existing_datacenter_mw.is_some(),
            "{}: data-centre MW",
            r.id
        );
        assert!(
            !r.existing_datacenter_source.trim().is_empty(),
            "{}: data-centre source",
            r.id
        );
        assert!(!r.population_source.contains("TEMPORARY"), "{}", r.id);
    }
    let zones_of_pjm = catalogue.zones_of("PJM");
    assert_eq!(zones_of_pjm.len(), 19);
    assert!(zones_of_pjm.iter().any(|z| z.name.contains("Dominion")));
}

/// `gridstrain regions` lists the sets and the ids with names.
#[test]
fn regions_lists_sets_and_ids() {
    let output = gridstrain().arg("regions").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "us-48 ",
        "us-48-zones",
        "pjm-zones",
        "ercot-zones",
        "PJM-DOM",
        "Dominion",
        "NYIS-ZONJ",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    assert!(!text.contains("  catalogue "), "the catalogue is not a set");
}

/// A user region that is not in the catalogue must say which one it replaces.
#[test]
fn a_region_outside_the_catalogue_is_refused_with_how() {
    let dir = Dir::new("a_region_outside_the_catalogue_is_refused_with_how");
    let load = root().join("regions/load/SOCO.parquet");
    let table = format!(
        "id = \"mine\"\nname = \"mine\"\nscope = \"US\"\n\n[[region]]\nid = \"GAPOWER\"\nname = \"Georgia Power\"\ntime_zone = \"America/New_York\"\npopulation = 8000000\nbaseline_growth_per_year_frac = 0.01\nload_file = \"{}\"\nexisting_datacenter_mw = 500\n",
        load.display()
    );
    let set = dir.create("mine.toml", &table);
    let out = dir.join("out");
    let run = || {
        let mut command = dir.command();
        command
            .args([
                "run",
                "--quiet",
                "--years",
                "2030",
                "--weather-years",
                "2024",
            ])
            .arg("--regions")
            .arg(&set)
            .out(&out);
        command
    };
    let stderr = run().fails_any();
    assert!(
        stderr.contains("GAPOWER") && stderr.contains("replaces"),
        "{stderr}"
    );
    assert!(!out.exists());
    // Saying so runs: its figures take SOCO's place in the national siting.
    dir.create("mine.toml", table + "replaces = \"SOCO\"\n");
    run().succeeds();
    let record = dir.read(out.join("run.toml"));
    assert!(
        record.contains("take the place of catalogue region SOCO"),
        "{record}"
    );
}

/// A set in the catalogue's scope may not type the shares the catalogue computes.
#[test]
fn typed_scope_shares_are_refused_for_a_catalogue_scope() {
    let dir = Dir::new("typed_scope_shares_are_refused_for_a_catalogue_scope");
    let set = dir.create(
        "typed.toml",
        format!(
            "id = \"typed\"\nname = \"t\"\nscope = \"US\"\ntraining_scope_share_frac = 0.2\ncatalogue = \"{}\"\nregions = [\"SOCO\"]\n",
            root().join("regions/catalogue.toml").display()
        ),
    );
    let stderr = dir
        .command()
        .args(["run", "--quiet", "--years", "2030", "--regions"])
        .arg(&set)
        .out(dir.join("out"))
        .fails_any();
    assert!(stderr.contains("training_scope_share_frac"), "{stderr}");
}

fn study_of(ids: &[&str]) -> gridstrain::model::study::Study {
    load_study(&StudyFiles {
        scenario: root().join("scenarios/default.toml"),
        regions: root().join("regions/catalogue.toml"),
        catalogue_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        years: Some((2030, 2030)),
        weather_years: vec![2024],
    })
    .unwrap()
    .study
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Any subset of the finest-level regions gets, metric by metric, what the national
    /// run gives those regions (the set's coincident metrics excepted).
    #[test]
    fn a_subset_equals_the_national_run(picks in prop::collection::btree_set(0usize..118, 1..6)) {
        let national_set = read_region_set(&root().join("regions/us-48-zones.toml")).unwrap();
        let ids: Vec<String> = picks.iter().map(|&i| national_set.regions[i].id.clone()).collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let options = SimOptions { headroom_metrics: false, ..SimOptions::default() };
        let subset = simulate(&study_of(&id_refs), &options, &Observer::default()).unwrap();
        let all: Vec<&str> = national_set.regions.iter().map(|r| r.id.as_str()).collect();
        let national = simulate(&study_of(&all), &options, &Observer::default()).unwrap();
        for row in &subset.metrics {
            let same = national.metrics.iter().find(|m| m.region == row.region).unwrap();
            let (mut a_values, mut b_values) = (Vec::new(), Vec::new());
            row.push_metrics(&mut a_values);
            same.push_metrics(&mut b_values);
            for ((name, a), b) in MetricsRow::metric_names().into_iter().zip(a_values).zip(b_values) {
                prop_assert!(
                    (a.is_nan() && b.is_nan()) || close(a, b),
                    "{} {name}: {a} in the subset vs {b} nationally", row.region
                );
            }
        }
    }
}

/// An operator's figure for a zone meets the zone: Dominion's 8 GW of service agreements
/// by 2032 is set beside PJM-DOM's new AI load, not all of PJM's.
#[test]
fn a_zone_forecast_is_compared_with_the_zone() {
    let dir = Dir::new("a_zone_forecast_is_compared_with_the_zone");
    let out = dir.run_shipped(
        "dom",
        &[
            "--regions",
            "PJM-DOM",
            "--years",
            "2032",
            "--weather-years",
            "2024",
        ],
    );
    let (header, rows) = read_csv(&out.join("reality_check.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let dominion = rows
        .iter()
        .find(|r| r[col("region")] == "PJM-DOM" && r[col("year")] == "2032")
        .expect("Dominion's row");
    assert_eq!(dominion[col("operator_mw")], "8000.0");
    let run: f64 = dominion[col("run_new_datacentre_mw")].parse().unwrap();
    assert!(run > 500.0, "{run}");
    assert!(
        rows.iter().all(|r| r[col("region")] != "PJM"),
        "no PJM row in a PJM-DOM study"
    );
}

/// Beside a national projection, a region's `[[regional_load]]` is its whole AI load: it
/// takes none of the national siting, the projection less the regional load is sited over
/// the other regions (so the nation's total is kept), and `run.toml` says so.
#[test]
fn a_regional_load_replaces_its_regions_national_share() {
    let dir = Dir::new("a_regional_load_replaces_its_regions_national_share");
    let text = shipped_scenario_text("default")
        .replace("name = \"default\"", "name = \"with-soco\"")
        + "\n[[regional_load]]\nregion = \"SOCO\"\nworkload = \"inference\"\nrated_mw_by_year = { 2025 = 0, 2030 = 10250 }\nrealisation_frac = 1.0\nsource = \"test: Georgia Power 2025 IRP, 8.2 GW by 2030\"\n";
    let scenario = dir.create("with-soco.toml", text);
    let out = dir.run_shipped(
        "out",
        &[
            "--scenario",
            scenario.to_str().unwrap(),
            "--regions",
            "us-48",
            "--years",
            "2030",
            "--weather-years",
            "2024",
        ],
    );
    let stock = siting(&out, "2030");
    // SOCO's stock from the national siting is nil for both workloads.
    for workload in ["inference", "training"] {
        let soco = stock[&("SOCO".to_owned(), workload.to_owned())];
        assert!(
            soco.abs() < 1e-6,
            "SOCO {workload}: {soco} MW from the national siting"
        );
    }
    // The regional load is SOCO's gross inference in metrics.csv.
    let (header, rows) = read_table(&out.join("metrics.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let soco = rows.iter().find(|r| r[col("region")] == "SOCO").unwrap();
    let rated: f64 = soco[col("inference_rated_mw")].parse().unwrap();
    assert!(close(rated, 10_250.0), "{rated}");
    // The nation keeps its total: the sited stock plus the regional load's average draw
    // is the projection's average MW.
    let (ph, pr) = read_csv(&out.join("power_by_year.csv"));
    let pcol = |name: &str| ph.iter().position(|h| h == name).unwrap();
    let power = pr.iter().find(|r| r[pcol("year")] == "2030").unwrap();
    let national: f64 = power[pcol("inference_average_mw")].parse().unwrap();
    let (sh, sr) = read_csv(&out.join("siting.csv"));
    let scol = |name: &str| sh.iter().position(|h| h == name).unwrap();
    let sited: f64 = sr
        .iter()
        .filter(|r| r[scol("year")] == "2030" && r[scol("workload")] == "inference")
        .map(|r| r[scol("average_mw")].parse::<f64>().unwrap())
        .sum();
    let regional_average = 10_250.0 * 0.5417;
    // siting.csv and power_by_year.csv carry 7 significant digits.
    assert!(
        ((sited + regional_average) / national - 1.0).abs() < 1e-6,
        "{sited} + {regional_average} vs {national}"
    );
    let record = dir.read(out.join("run.toml"));
    assert!(record.contains("regional loads in SOCO"), "{record}");
}
