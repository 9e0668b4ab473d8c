//! Input ranges and finite outputs (issue 17): every number an input may hold has a
//! plausible range, checked when the file is read (`validate`, `run` alike), so no input
//! can make a NaN or an infinity; a study at the edges of what is legal (no growth, a
//! region without data centres, a year without AI load) writes only finite numbers; and
//! `validate` lists every value out of range in a file, not only the first.
//!
//! Each case patches the small fixture (`tests/fixtures/small`) into a temporary folder,
//! with the paths it names made absolute.
use std::path::{Path, PathBuf};

use crate::common::{Dir, root};

const SCENARIO: &str = "tests/fixtures/small/scenarios/small.toml";
const REGIONS: &str = "tests/fixtures/small/regions/pnw.toml";

/// `base` with each `(find, replace)` applied (each `find` must occur exactly once), its
/// relative paths made absolute, written to `name` in `dir`; its path.
fn patched(dir: &Dir, name: &str, base: &str, patches: &[(&str, &str)]) -> PathBuf {
    let base = root().join(base);
    let mut text = std::fs::read_to_string(&base).unwrap();
    for (find, replace) in patches {
        assert_eq!(
            text.matches(find).count(),
            1,
            "`{find}` must occur once in {base:?}"
        );
        text = text.replacen(find, replace, 1);
    }
    let folder = base.parent().unwrap().display().to_string();
    for key in ["profile", "load_file", "operator_forecasts"] {
        text = text.replace(&format!("{key} = \""), &format!("{key} = \"{folder}/"));
    }
    dir.create(name, text)
}

/// The fixture's `[compute.crossover]` block (lines 11–24), replaced by facility energy
/// in some cases.
fn crossover() -> String {
    let text = std::fs::read_to_string(root().join(SCENARIO)).unwrap();
    let start = text.find("[compute.crossover]").unwrap();
    let end = text.find("crossover_year = 2030").unwrap() + "crossover_year = 2030".len();
    text[start..end].to_owned()
}

/// A `[compute.energy]` table for 2030 and 2031 (TWh), from line 11 on.
fn energy(twh_2030: (&str, &str), twh_2031: (&str, &str)) -> String {
    format!(
        "[[compute.energy.year]]\nyear = 2030\ntraining_twh = {}\ninference_twh = {}\n[[compute.energy.year]]\nyear = 2031\ntraining_twh = {}\ninference_twh = {}",
        twh_2030.0, twh_2030.1, twh_2031.0, twh_2031.1
    )
}

/// `validate FILE` must refuse with exit 1, no panic; gives stderr.
fn validate_refuses(dir: &Dir, file: &Path) -> String {
    let stderr = dir.command().arg("validate").arg(file).fails(1);
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// `run` of `scenario` against `regions` into `out` must refuse with exit 1 and write
/// nothing; gives stderr.
fn run_refuses(dir: &Dir, scenario: &Path, regions: &Path, out: &Path) -> String {
    let stderr = dir
        .command()
        .args(["run", "--quiet"])
        .study(scenario, regions)
        .out(out)
        .fails(1);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "a refused run wrote {}", out.display());
    stderr
}

fn assert_has(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "missing `{part}` in:\n{message}");
    }
}

#[test]
fn huge_energy_is_refused_with_key_line_and_range() {
    let dir = Dir::new("huge_energy_is_refused_with_key_line_and_range");
    let file = patched(
        &dir,
        "twh.toml",
        SCENARIO,
        &[(
            crossover().as_str(),
            energy(("1e308", "1"), ("1", "1")).as_str(),
        )],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "twh.toml, line 13 (key `training_twh`)",
            "found 1e308, expected a number from 0 to 100000 (TWh)",
        ],
    );
    let regions = root().join(REGIONS);
    let message = run_refuses(&dir, &file, &regions, &dir.join("out"));
    assert_has(&message, &["line 13", "found 1e308"]);
}

#[test]
fn a_vanishing_power_fraction_is_refused() {
    let dir = Dir::new("a_vanishing_power_fraction_is_refused");
    let file = patched(
        &dir,
        "pf.toml",
        SCENARIO,
        &[("power_frac = 0.8", "power_frac = 5e-324")],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "line 43 (key `power_frac`)",
            "found 5e-324, expected a number from 0.05 to 1 (fraction)",
        ],
    );
}

#[test]
fn huge_cost_and_vanishing_accreditation_are_both_listed() {
    let dir = Dir::new("huge_cost_and_vanishing_accreditation_are_both_listed");
    let file = patched(
        &dir,
        "firm.toml",
        SCENARIO,
        &[
            ("usd_per_kw = 836.0", "usd_per_kw = 1e308"),
            ("accredited_frac = 0.6\n", "accredited_frac = 5e-324\n"),
        ],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "line 95 (key `",
            "usd_per_kw`): found 1e308, expected a number from 0 to 100000 (USD/kW)",
            "line 96 (key `",
            "accredited_frac`): found 5e-324, expected a number from 0.05 to 1 (fraction)",
        ],
    );
}

#[test]
fn huge_existing_ai_and_stated_loads_are_refused() {
    let dir = Dir::new("huge_existing_ai_and_stated_loads_are_refused");
    let file = patched(
        &dir,
        "mw.toml",
        SCENARIO,
        &[
            ("training_mw = 20.0", "training_mw = 1e308"),
            ("{ 2030 = 100, 2031 = 200 }", "{ 2030 = 1e308, 2031 = 200 }"),
        ],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "line 71 (key `",
            "training_mw`): found 1e308, expected a number from 0 to 1000000 (MW)",
            "line 83 (",
            "rated_mw_by_year",
        ],
    );
    // Alone, the stated load is refused by the reader itself with its year.
    let file = patched(
        &dir,
        "rated.toml",
        SCENARIO,
        &[("{ 2030 = 100, 2031 = 200 }", "{ 2030 = 100, 2031 = 1e308 }")],
    );
    let message = run_refuses(&dir, &file, &root().join(REGIONS), &dir.join("out"));
    assert_has(
        &message,
        &[
            "key `rated_mw_by_year`",
            "year 2031: found 1e308, expected a number from 0 to 1000000 (MW)",
        ],
    );
}

#[test]
fn huge_emission_rate_and_capacity_are_refused() {
    let dir = Dir::new("huge_emission_rate_and_capacity_are_refused");
    let file = patched(
        &dir,
        "set.toml",
        REGIONS,
        &[
            ("co2_lb_per_mwh = 364.963", "co2_lb_per_mwh = 1e308"),
            ("firm_capacity_mw = 5_300.0", "firm_capacity_mw = 1e308"),
        ],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "line 33 (key `",
            "co2_lb_per_mwh`): found 1e308, expected a number from 0 to 5000 (lb/MWh)",
            "line 30 (key `",
            "firm_capacity_mw`): found 1e308, expected a number from 1 to 1000000 (MW)",
        ],
    );
    let message = run_refuses(&dir, &root().join(SCENARIO), &file, &dir.join("out"));
    assert_has(&message, &["found 1e308"]);
}

#[test]
fn a_projection_of_no_energy_at_all_is_refused() {
    let dir = Dir::new("a_projection_of_no_energy_at_all_is_refused");
    let file = patched(
        &dir,
        "zero.toml",
        SCENARIO,
        &[(
            crossover().as_str(),
            energy(("0", "0"), ("0", "0")).as_str(),
        )],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "(key `compute.energy`)",
            "every study year has zero AI energy",
            "at least one workload with energy > 0",
        ],
    );
}

#[test]
fn runaway_growth_and_far_years_are_refused() {
    let dir = Dir::new("runaway_growth_and_far_years_are_refused");
    // A factor of 100 a year is outside the growth band.
    let file = patched(
        &dir,
        "g100.toml",
        SCENARIO,
        &[("factor_per_year = 1.6", "factor_per_year = 100")],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "g100.toml, line 19 (key `compute.crossover.growth[1].factor_per_year`)",
            "found 100, expected a number from 0.1 to 10 (factor per year)",
        ],
    );
    // 2200 is outside the years a study may span.
    let file = patched(
        &dir,
        "y2200.toml",
        SCENARIO,
        &[("last_year = 2031", "last_year = 2200")],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "(key `last_year`)",
            "found 2200, expected a number from 2000 to 2100 (year)",
        ],
    );
    // Legal factors compounded over the century still cannot reach infinity: the
    // projection's energy is bounded too.
    let file = patched(
        &dir,
        "g10.toml",
        SCENARIO,
        &[
            ("factor_per_year = 1.4 }", "factor_per_year = 10 }"),
            ("last_year = 2031", "last_year = 2100"),
            (
                "rated_mw_by_year = { 2030 = 100, 2031 = 200 }",
                "rated_mw_by_year = { 2030 = 100, 2100 = 200 }",
            ),
        ],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "(key `compute.crossover`)",
            "TWh of AI facility energy in 20",
            "expected a number from 0 to 100000 (TWh)",
        ],
    );
}

#[test]
fn a_negative_growth_factor_is_blamed_on_its_own_key_and_line() {
    let dir = Dir::new("a_negative_growth_factor_is_blamed_on_its_own_key_and_line");
    let file = patched(
        &dir,
        "neg.toml",
        SCENARIO,
        &[("factor_per_year = 1.6", "factor_per_year = -1.6")],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "neg.toml, line 19 (key `compute.crossover.growth[1].factor_per_year`): found -1.6, expected a number from 0.1 to 10 (factor per year)",
        ],
    );
    assert!(!message.contains("from_year"), "{message}");
}

#[test]
fn validate_lists_three_independent_problems_of_one_file() {
    let dir = Dir::new("validate_lists_three_independent_problems_of_one_file");
    let file = patched(
        &dir,
        "three.toml",
        SCENARIO,
        &[
            ("pue = 1.14", "pue = 9.0"),
            ("inference_mw = 10.0", "inference_mw = -10.0"),
            (
                "profile = \"../profiles/inference-chat.toml\"",
                "profile = \"../profiles/no-such-profile.toml\"",
            ),
        ],
    );
    let message = validate_refuses(&dir, &file);
    assert_has(
        &message,
        &[
            "three.toml, line 37 (key `",
            "pue`): found 9, expected a number from 1 to 3 (PUE)",
            "three.toml, line 72 (key `",
            "inference_mw`): found -10, expected a number from 0 to 1000000 (MW)",
            "line 51 (key `inference.profile`): the file",
            "no-such-profile.toml does not exist",
            "3 problem(s) in 1 file(s)",
        ],
    );
    // The reader's own message (line and finding) is not listed a second time.
    assert_eq!(message.matches("found 9,").count(), 1, "{message}");
}

#[test]
fn uncertainty_bounds_must_lie_inside_the_input_range() {
    let dir = Dir::new("uncertainty_bounds_must_lie_inside_the_input_range");
    let file = patched(
        &dir,
        "unc.toml",
        SCENARIO,
        &[(
            "low = 1.10\nmode = 1.14\nhigh = 1.30",
            "low = 1.10\nmode = 1.14\nhigh = 4.0",
        )],
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &["found 4, outside the values `facility.pue` may take (1..3)"],
    );
}

/// Every cell of every CSV in `dir` (and below) that reads as a number is finite.
fn assert_all_finite(dir: &Path) -> usize {
    let mut checked = 0;
    for entry in walk(dir) {
        if entry.extension().is_some_and(|e| e == "csv") {
            let mut reader = csv::Reader::from_path(&entry).unwrap();
            let header = reader.headers().unwrap().clone();
            for record in reader.records() {
                let record = record.unwrap();
                for (cell, name) in record.iter().zip(header.iter()) {
                    if let Ok(x) = cell.trim().parse::<f64>() {
                        assert!(x.is_finite(), "{}: `{name}` = {cell}", entry.display());
                        checked += 1;
                    }
                }
            }
        }
    }
    checked
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn edge_studies_write_only_finite_numbers() {
    let dir = Dir::new("edge_studies_write_only_finite_numbers");
    let regions = root().join(REGIONS);
    // No growth at all, and a region with no AI or data-centre load today.
    let flat = patched(
        &dir,
        "flat.toml",
        SCENARIO,
        &[
            ("factor_per_year = 2.2", "factor_per_year = 1.0"),
            ("factor_per_year = 1.6", "factor_per_year = 1.0"),
            ("factor_per_year = 1.4 }", "factor_per_year = 1.0 }"),
            (
                "training_mw = 5.0\ninference_mw = 5.0",
                "training_mw = 0.0\ninference_mw = 0.0",
            ),
        ],
    );
    // A year without any AI energy (2030), then some (2031), and no stated loads.
    let gap = patched(
        &dir,
        "gap.toml",
        SCENARIO,
        &[
            (
                crossover().as_str(),
                energy(("0", "0"), ("1", "0.5")).as_str(),
            ),
            (
                "[uncertainty.\"compute.crossover.growth[1].factor_per_year\"]\ndist = \"lognormal\"\nmean = 1.6\nsd = 0.3\nsource = \"test fixture\"\n",
                "",
            ),
            (
                "rated_mw_by_year = { 2030 = 100, 2031 = 200 }",
                "rated_mw_by_year = { 2030 = 0, 2031 = 0 }",
            ),
        ],
    );
    for (name, scenario) in [("flat", &flat), ("gap", &gap)] {
        let out = dir.join(format!("out-{name}"));
        dir.command()
            .args(["run", "--quiet"])
            .study(scenario, &regions)
            .out(&out)
            .succeeds();
        assert!(
            assert_all_finite(&out) > 100,
            "{name}: too few numbers checked"
        );
    }
    // The year without AI energy has no defined inference share: an empty cell.
    let (header, rows) = crate::common::read_csv(&dir.join("out-gap/power_by_year.csv"));
    let share = header
        .iter()
        .position(|h| h == "inference_share_facility_energy_frac")
        .unwrap();
    assert_eq!(rows[0][share], "", "2030 has no AI energy");
    // A fraction carries 4 significant digits in CSV.
    assert!((rows[1][share].parse::<f64>().unwrap() - 1.0 / 3.0).abs() < 1e-4);
}

#[test]
fn a_load_value_beyond_any_grid_is_refused_with_its_line() {
    let dir = Dir::new("a_load_value_beyond_any_grid_is_refused_with_its_line");
    let file = dir.create(
        "huge.csv",
        "timestamp_utc,demand_mw\n2023-01-01T00:00:00Z,1000\n2023-01-01T01:00:00Z,1e308\n",
    );
    assert_has(
        &validate_refuses(&dir, &file),
        &[
            "huge.csv, line 3",
            "demand_mw is 1e308, above the largest accepted 1000000 MW",
        ],
    );
}
