//! All data centres counted (issue 19): the shipped presets' `[non_ai_datacentres]` adds the
//! non-AI data centres as a flat, firm stream sited with the inference stock. Checked by
//! running the default study with and without the block: AI siting is untouched, every
//! region's peak rises by exactly its new non-AI MW, the regions' non-AI load is the
//! national path times their share of the inference stock, and the reality check and the
//! all-data-centre energy include it.
use std::path::PathBuf;

use crate::common::{Dir, column, read_csv, read_table, shipped_scenario_text};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// `scenarios/default.toml` without its `[non_ai_datacentres]` table, written to `rel` in
/// `dir` with its profile paths made absolute; its path.
fn default_without_non_ai(dir: &Dir, rel: &str) -> PathBuf {
    let text = shipped_scenario_text("default");
    let start = text
        .find("[non_ai_datacentres]")
        .expect("default counts non-AI");
    let end = start + text[start..].find("\n[emissions]").unwrap() + 1;
    dir.create(rel, format!("{}{}", &text[..start], &text[end..]))
}

#[test]
fn non_ai_data_centres_lift_each_region_by_their_flat_share_and_leave_ai_alone() {
    let dir =
        Dir::new("non_ai_data_centres_lift_each_region_by_their_flat_share_and_leave_ai_alone");
    let scenario = default_without_non_ai(&dir, "ai-only.toml");
    let args = ["--years", "2024..2030", "--weather-years", "2024"];
    let with = dir.run_shipped("with", &args);
    let without = dir.run_shipped(
        "without",
        &[&["--scenario", scenario.to_str().unwrap()][..], &args[..]].concat(),
    );
    let (wh, wr) = read_table(&with.join("metrics.csv"));
    let (oh, or) = read_table(&without.join("metrics.csv"));
    assert_eq!(wr.len(), or.len());
    let w = |name: &str| column(&wh, &wr, name);
    let o = |name: &str| column(&oh, &or, name);
    let years = w("year");
    let (non_ai, existing) = (w("non_ai_average_mw"), w("existing_non_ai_mw"));
    assert!(o("non_ai_average_mw").iter().all(|&x| x == 0.0));
    // AI siting is untouched.
    for name in [
        "inference_average_mw",
        "training_average_mw",
        "new_ai_energy_mwh",
    ] {
        for (a, b) in w(name).iter().zip(o(name)) {
            assert!(close(*a, b, 1e-12), "{name}: {a} with non-AI, {b} without");
        }
    }
    let (peak_with, peak_without) = (w("total_peak_mw"), o("total_peak_mw"));
    let (dc_at_peak, ai_at_peak) = (w("new_datacentre_at_peak_mw"), w("new_ai_at_peak_mw"));
    let hours = w("hours");
    let energy = w("new_non_ai_energy_mwh");
    let mut grew = 0;
    for i in 0..wr.len() {
        let new_mw = non_ai[i] - existing[i];
        // The reference year adds nothing; later years add the flat term to every hour.
        if years[i] == 2024.0 {
            assert!(new_mw.abs() < 1e-9, "2024 adds no non-AI load: {new_mw}");
        }
        assert!(close(peak_with[i], peak_without[i] + new_mw, 1e-9));
        assert!(close(dc_at_peak[i], ai_at_peak[i] + new_mw, 1e-9));
        assert!(close(energy[i], new_mw * hours[i], 1e-9));
        grew += usize::from(new_mw > 1.0);
    }
    assert!(
        grew > 40,
        "most regions get new non-AI load by 2030: {grew}"
    );

    // The regions' non-AI load is the national path times their share of the inference
    // stock: Σ non-AI / N(y) = Σ inference / national inference.
    let (ph, pr) = read_csv(&with.join("power_by_year.csv"));
    let p = |name: &str| column(&ph, &pr, name);
    let (p_years, national_inference) = (p("year"), p("inference_average_mw"));
    let (non_ai_mwh, ai_training, ai_inference, all_dc) = (
        p("non_ai_facility_mwh"),
        p("training_facility_mwh"),
        p("inference_facility_mwh"),
        p("all_datacentre_facility_mwh"),
    );
    let inference = w("inference_average_mw");
    for (k, &year) in p_years.iter().enumerate() {
        let sum = |v: &[f64]| -> f64 {
            (0..wr.len())
                .filter(|&i| years[i] == year)
                .map(|i| v[i])
                .sum()
        };
        let national_non_ai_mw = non_ai_mwh[k] / 8760.0;
        // power_by_year.csv carries 7 significant digits.
        assert!(close(
            sum(&non_ai) / national_non_ai_mw,
            sum(&inference) / national_inference[k],
            1e-6
        ));
        assert!(close(
            all_dc[k],
            ai_training[k] + ai_inference[k] + non_ai_mwh[k],
            1e-6
        ));
    }
    // 2030's national path: 125 TWh in 2023 grown 10 %/yr.
    let k2030 = p_years.iter().position(|&y| y == 2030.0).unwrap();
    assert!(close(non_ai_mwh[k2030], 125e6 * 1.1_f64.powi(7), 1e-6));

    // The reality check sets the new data-centre load, non-AI included, beside the operators.
    let (rh, rr) = read_csv(&with.join("reality_check.csv"));
    let region = rh.iter().position(|h| h == "region").unwrap();
    let year = rh.iter().position(|h| h == "year").unwrap();
    let run = column(&rh, &rr, "run_new_datacentre_mw");
    let pjm = rr
        .iter()
        .position(|r| r[region] == "PJM" && r[year] == "2030")
        .expect("a PJM figure for 2030");
    let regions: Vec<&String> = wr.iter().map(|r| &r[1]).collect();
    let i = (0..wr.len())
        .find(|&i| regions[i] == "PJM" && years[i] == 2030.0)
        .unwrap();
    assert!(close(run[pjm], dc_at_peak[i], 1e-6));
    assert!(dc_at_peak[i] > ai_at_peak[i]);
}

/// The shipped default sites growth where data centres are being built (issue 19): in 2030
/// New England gets under 1 GW of new data-centre load, PJM the most of any ISO, and in
/// `pjm-zones` Dominion's zone the most of PJM's zones.
#[test]
fn the_default_sites_growth_at_the_build_pipeline() {
    let dir = Dir::new("the_default_sites_growth_at_the_build_pipeline");
    let new_dc_2030 = |rel: &str, regions: &str| -> Vec<(String, f64)> {
        let run = dir.run_shipped(
            rel,
            &[
                "--regions",
                regions,
                "--years",
                "2030",
                "--weather-years",
                "2024",
            ],
        );
        let (h, rows) = read_table(&run.join("metrics.csv"));
        let values = column(&h, &rows, "new_datacentre_at_peak_mw");
        let region = h.iter().position(|c| c == "region").unwrap();
        let mut out: Vec<(String, f64)> = rows
            .iter()
            .zip(values)
            .map(|(r, v)| (r[region].clone(), v))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    };
    let nation = new_dc_2030("us48", "us-48");
    assert_eq!(nation[0].0, "PJM", "{nation:?}");
    let isne = nation.iter().find(|(r, _)| r == "ISNE").unwrap().1;
    assert!(isne > 0.0 && isne < 1000.0, "ISNE {isne} MW");
    let zones = new_dc_2030("pjm", "pjm-zones");
    let first_zone = zones.iter().find(|(r, _)| r.starts_with("PJM-")).unwrap();
    assert_eq!(first_zone.0, "PJM-DOM", "{zones:?}");
}
