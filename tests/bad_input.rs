//! The bad-input corpus (`tests/bad_inputs/`): every file breaks exactly one rule (its
//! first line says which, for TOML files; the name says which, for load files). Each case
//! runs the binary on one file and checks that it exits with code 1, that the message
//! names the file, the line or key, what was found and what is allowed, that nothing
//! panicked, and that no output (nor a leftover staging folder) was written.
//!
//! `tests/bad_inputs/accepted/` holds files that look unusual but are fine: a UTF-8
//! byte-order mark and `\r\n` line endings must be accepted.
use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{gridstrain, root};

/// The corpus, relative to the repository root (the binary runs from there).
const DIR: &str = "tests/bad_inputs";
/// The small fixture, a valid scenario and region set to pair a bad file with.
const SCENARIO: &str = "tests/fixtures/small/scenarios/small.toml";
const REGIONS: &str = "tests/fixtures/small/regions/pnw.toml";

/// One case: `args` with `{file}` replaced by `tests/bad_inputs/<file>` and `{out}` by an
/// output path in a fresh temporary folder; `expect` are substrings of stderr.
struct Case {
    file: &'static str,
    args: &'static [&'static str],
    expect: &'static [&'static str],
}

const VALIDATE: &[&str] = &["validate", "{file}"];
const RUN_REGIONS: &[&str] = &[
    "run",
    "--quiet",
    "--scenario",
    SCENARIO,
    "--regions",
    "{file}",
    "--weather-years",
    "2023..2024",
    "--out",
    "{out}",
];
const RUN_SCENARIO: &[&str] = &[
    "run",
    "--quiet",
    "--scenario",
    "{file}",
    "--regions",
    REGIONS,
    "--weather-years",
    "2023..2024",
    "--out",
    "{out}",
];
const IMPORT: &[&str] = &["import", "{file}", "--out", "{out}.parquet"];

macro_rules! case {
    ($file:literal, $args:expr, [$($expect:literal),+ $(,)?]) => {
        Case { file: $file, args: $args, expect: &[$($expect),+] }
    };
}

const CASES: &[Case] = &[
    // ---- region sets ----
    case!(
        "region_unknown_key.toml",
        VALIDATE,
        [
            "region_unknown_key.toml, line 20 (key `populaton`)",
            "unknown field `populaton`",
            "expected one of",
            "`population`",
        ]
    ),
    case!(
        "region_unknown_key.toml",
        RUN_REGIONS,
        [
            "region_unknown_key.toml, line 20 (key `populaton`)",
            "unknown field `populaton`",
            "`population`",
        ]
    ),
    case!(
        "region_population_text.toml",
        VALIDATE,
        [
            "region_population_text.toml, line 11 (key `population`)",
            "string \"1.8 million\"",
            "expected a number",
        ]
    ),
    case!(
        "region_growth_text.toml",
        VALIDATE,
        [
            "region_growth_text.toml, line 12 (key `baseline_growth_per_year_frac`)",
            "string \"1%\"",
            "expected a number",
        ]
    ),
    case!(
        "region_negative_population.toml",
        VALIDATE,
        [
            "region_negative_population.toml, line 11 (key `population`)",
            "found -1800000",
            "expected a number > 0",
        ]
    ),
    case!(
        "region_negative_population.toml",
        RUN_REGIONS,
        [
            "region_negative_population.toml, line 11 (key `population`)",
            "found -1800000",
            "expected a number > 0",
        ]
    ),
    case!(
        "region_negative_capacity.toml",
        VALIDATE,
        [
            "region_negative_capacity.toml, line 15 (key `firm_capacity_mw`)",
            "found -4000",
            "expected a number > 0",
        ]
    ),
    case!(
        "region_negative_training_cap.toml",
        RUN_REGIONS,
        [
            "region_negative_training_cap.toml, line 24 (key `max_training_mw`)",
            "found -50",
            "expected a number ≥ 0",
        ]
    ),
    case!(
        "region_reserve_margin_over_one.toml",
        VALIDATE,
        [
            "region_reserve_margin_over_one.toml, line 15 (key `reserve_margin_frac`)",
            "found 1.5",
            "expected a fraction from 0 to 1",
        ]
    ),
    case!(
        "region_unknown_time_zone.toml",
        VALIDATE,
        [
            "region_unknown_time_zone.toml, line 19 (key `time_zone`)",
            "unknown time zone 'America/Portland'",
            "expected an IANA time zone name",
        ]
    ),
    case!(
        "region_unknown_time_zone.toml",
        RUN_REGIONS,
        [
            "region_unknown_time_zone.toml, line 19 (key `time_zone`)",
            "unknown time zone 'America/Portland'",
            "expected an IANA time zone name",
        ]
    ),
    case!(
        "region_empty.toml",
        VALIDATE,
        [
            "region_empty.toml",
            "has no regions",
            "[[region]]",
            "at least one",
        ]
    ),
    case!(
        "region_empty.toml",
        RUN_REGIONS,
        ["region_empty.toml", "has no regions", "at least one",]
    ),
    case!(
        "region_missing_load_file.toml",
        VALIDATE,
        [
            "region_missing_load_file.toml",
            "region 2",
            "`PACW`",
            "key `load_file`",
            "load/PACX.parquet does not exist",
            "relative to the region-set file",
        ]
    ),
    case!(
        "region_missing_load_file.toml",
        RUN_REGIONS,
        [
            "region_missing_load_file.toml",
            "key `load_file`",
            "load/PACX.parquet does not exist",
        ]
    ),
    case!(
        "region_duplicate_id.toml",
        VALIDATE,
        [
            "region_duplicate_id.toml",
            "region 2",
            "duplicate region id `PGE`",
            "each id may appear once",
        ]
    ),
    case!(
        "region_duplicate_id.toml",
        RUN_REGIONS,
        [
            "region_duplicate_id.toml",
            "region 2",
            "duplicate region id `PGE`",
        ]
    ),
    case!(
        "region_syntax_error.toml",
        VALIDATE,
        [
            "region_syntax_error.toml, line 18 (key `name`)",
            "invalid basic string",
            "expected `\"`",
            "name = \"PacifiCorp West",
        ]
    ),
    case!(
        "region_syntax_error.toml",
        RUN_REGIONS,
        [
            "region_syntax_error.toml, line 18 (key `name`)",
            "invalid basic string",
        ]
    ),
    case!(
        "region_bad_load.toml",
        VALIDATE,
        [
            "load_gap.csv, line 5",
            "2 missing hour(s) between 2024-01-01T02:00Z and 2024-01-01T05:00Z",
            "hourly without gaps",
        ]
    ),
    case!(
        "region_bad_load.toml",
        RUN_REGIONS,
        [
            "load_gap.csv, line 5",
            "2 missing hour(s) between 2024-01-01T02:00Z and 2024-01-01T05:00Z",
        ]
    ),
    // Scope mismatch: the set is for CA, the fixture's scenario for US.
    case!(
        "region_scope_ca.toml",
        RUN_REGIONS,
        [
            "small.toml, key `scope`",
            "found 'US'",
            "region_scope_ca.toml is for scope 'CA'",
            "must match",
        ]
    ),
    // `cheapest` siting over a set where PACW has no price.
    case!(
        "region_missing_price.toml",
        &[
            "run",
            "--quiet",
            "--scenario",
            "tests/bad_inputs/scenario_cheapest.toml",
            "--regions",
            "{file}",
            "--weather-years",
            "2023..2024",
            "--out",
            "{out}",
        ],
        [
            "scenario_cheapest.toml",
            "siting.training = \"cheapest\" needs `price_usd_per_mwh`",
            "missing in PACW of tests/bad_inputs/region_missing_price.toml",
        ]
    ),
    // ---- scenarios ----
    case!(
        "scenario_unknown_key.toml",
        VALIDATE,
        [
            "scenario_unknown_key.toml, line 27 (key `utilisation_frac`)",
            "unknown field `utilisation_frac`",
            "expected one of `utilization_frac`",
        ]
    ),
    case!(
        "scenario_unknown_key.toml",
        RUN_SCENARIO,
        [
            "scenario_unknown_key.toml, line 27 (key `utilisation_frac`)",
            "unknown field `utilisation_frac`",
        ]
    ),
    case!(
        "scenario_unknown_table.toml",
        VALIDATE,
        [
            "scenario_unknown_table.toml, line 39 (key `flexibilty`)",
            "unknown field `flexibilty`",
            "`flexibility`",
        ]
    ),
    case!(
        "scenario_pue_text.toml",
        VALIDATE,
        [
            "scenario_pue_text.toml, line 24 (key `pue`)",
            "string \"1.14\"",
            "expected a number",
        ]
    ),
    case!(
        "scenario_pue_below_one.toml",
        VALIDATE,
        [
            "scenario_pue_below_one.toml, line 24 (key `pue`)",
            "found 0.9",
            "expected a power usage effectiveness from 1 to 3",
        ]
    ),
    case!(
        "scenario_pue_below_one.toml",
        RUN_SCENARIO,
        [
            "scenario_pue_below_one.toml, line 24 (key `pue`)",
            "found 0.9",
            "from 1 to 3",
        ]
    ),
    case!(
        "scenario_fraction_over_one.toml",
        VALIDATE,
        [
            "scenario_fraction_over_one.toml, line 28 (key `power_frac`)",
            "found 1.2",
            "expected a fraction from 0 to 1",
        ]
    ),
    case!(
        "scenario_budget_over_one.toml",
        VALIDATE,
        [
            "scenario_budget_over_one.toml, line 41 (key `max_curtailed_energy_frac`)",
            "found 5",
            "expected a fraction from 0 to 1 (write 5 % as 0.05)",
        ]
    ),
    case!(
        "scenario_shares_not_one.toml",
        VALIDATE,
        [
            "scenario_shares_not_one.toml",
            "`siting.training_shares`",
            "the shares sum to 0.8",
            "expected 1",
        ]
    ),
    case!(
        "scenario_shares_not_one.toml",
        RUN_SCENARIO,
        [
            "scenario_shares_not_one.toml",
            "`siting.training_shares`",
            "the shares sum to 0.8",
            "expected 1",
        ]
    ),
    case!(
        "scenario_share_unknown_region.toml",
        RUN_SCENARIO,
        [
            "scenario_share_unknown_region.toml",
            "`siting.training_shares`",
            "unknown region id(s) BPAT",
            "pnw.toml has PGE, PACW",
        ]
    ),
    case!(
        "scenario_missing_year.toml",
        VALIDATE,
        [
            "scenario_missing_year.toml",
            "`compute`",
            "no compute given for year(s) 2031",
            "first_year..last_year (2030..2031)",
        ]
    ),
    case!(
        "scenario_missing_year.toml",
        RUN_SCENARIO,
        [
            "scenario_missing_year.toml",
            "no compute given for year(s) 2031",
        ]
    ),
    case!(
        "scenario_scope_eu.toml",
        RUN_SCENARIO,
        [
            "scenario_scope_eu.toml",
            "`scope`",
            "found 'EU'",
            "pnw.toml is for scope 'US'",
            "must match",
        ]
    ),
    case!(
        "scenario_last_before_first.toml",
        VALIDATE,
        [
            "scenario_last_before_first.toml",
            "`last_year`",
            "found 2030",
            "before first_year 2031",
            "expected last_year ≥ first_year",
        ]
    ),
    case!(
        "scenario_missing_profile.toml",
        VALIDATE,
        [
            "scenario_missing_profile.toml",
            "`training.profile`",
            "profiles/training-flatt.toml does not exist",
            "relative to the scenario file",
        ]
    ),
    case!(
        "scenario_bad_policy.toml",
        VALIDATE,
        [
            "scenario_bad_policy.toml, line 37 (key `training`)",
            "unknown variant `greenest`",
            "expected one of `headroom`, `cheapest`, `explicit`",
        ]
    ),
    // ---- command-line years against the fixture ----
    case!(
        "scenario_cheapest.toml",
        &[
            "run",
            "--quiet",
            "--scenario",
            "{file}",
            "--regions",
            REGIONS,
            "--weather-years",
            "2023..2024",
            "--years",
            "2029..2031",
            "--out",
            "{out}",
        ],
        [
            "--years: 2029..2031 is outside the years of scenario",
            "scenario_cheapest.toml (2030..2031)",
        ]
    ),
    case!(
        "scenario_cheapest.toml",
        &[
            "run",
            "--quiet",
            "--scenario",
            "{file}",
            "--regions",
            REGIONS,
            "--weather-years",
            "2010..2012",
            "--out",
            "{out}",
        ],
        [
            // The first region of the set that lacks the year is named.
            "region `PGE`",
            "year 2010 (a weather year or the reference year) is outside its load data tests/fixtures/small/regions/load/PGE.parquet",
            "full years available: 2023–2024",
            "--weather-years",
        ]
    ),
    // ---- profiles ----
    case!(
        "profile_unknown_key.toml",
        VALIDATE,
        [
            "profile_unknown_key.toml, line 4 (key `idle_floor`)",
            "unknown field `idle_floor`",
            "`idle_floor_frac`",
        ]
    ),
    case!(
        "profile_167_factors.toml",
        VALIDATE,
        [
            "profile_167_factors.toml",
            "`hour_of_week_factors`",
            "found 167 values, expected 168",
        ]
    ),
    case!(
        "profile_negative_factor.toml",
        VALIDATE,
        [
            "profile_negative_factor.toml",
            "`hour_of_week_factors`",
            "value 31 (hour of week 30) is -0.5",
            "expected a finite number ≥ 0",
        ]
    ),
    case!(
        "profile_idle_floor_over_one.toml",
        VALIDATE,
        [
            "profile_idle_floor_over_one.toml, line 4 (key `idle_floor_frac`)",
            "found 1.5",
            "expected a fraction from 0 to 1",
        ]
    ),
    case!(
        "profile_text_factor.toml",
        VALIDATE,
        [
            "profile_text_factor.toml, line 6 (key `hour_of_week_factors`)",
            "string \"high\"",
            "expected a number",
        ]
    ),
    // ---- load files: validate ----
    case!(
        "load_duplicate_hour.csv",
        VALIDATE,
        [
            "load_duplicate_hour.csv, line 5",
            "duplicate hour 2024-01-01T02:00Z",
            "each hour may appear once",
        ]
    ),
    case!(
        "load_gap.csv",
        VALIDATE,
        [
            "load_gap.csv, line 5",
            "2 missing hour(s) between 2024-01-01T02:00Z and 2024-01-01T05:00Z",
            "hourly without gaps",
        ]
    ),
    case!(
        "load_half_hourly.csv",
        VALIDATE,
        [
            "load_half_hourly.csv, line 3",
            "'2024-01-01T00:30:00Z' is not on the hour",
            "expected hourly timestamps",
        ]
    ),
    case!(
        "load_unsorted.csv",
        VALIDATE,
        [
            "load_unsorted.csv, line 5",
            "hour 2024-01-01T02:00Z comes after 2024-01-01T03:00Z",
            "rows must be sorted by time",
        ]
    ),
    case!(
        "load_nan.csv",
        VALIDATE,
        [
            "load_nan.csv, line 5",
            "`demand_mw` is NaN",
            "expected a number",
        ]
    ),
    case!(
        "load_text_value.csv",
        VALIDATE,
        [
            "load_text_value.csv, line 5",
            "`demand_mw` 'high' is not a number",
            "expected a number",
        ]
    ),
    case!(
        "load_negative.csv",
        VALIDATE,
        [
            "load_negative.csv, line 5",
            "demand_mw is -25",
            "expected a number of MW ≥ 0",
        ]
    ),
    case!(
        "load_empty.csv",
        VALIDATE,
        [
            "load_empty.csv",
            "the file is empty",
            "expected a header `timestamp_utc,demand_mw`",
        ]
    ),
    case!(
        "load_header_only.csv",
        VALIDATE,
        [
            "load_header_only.csv",
            "no rows of data",
            "expected hourly rows",
        ]
    ),
    case!(
        "load_no_header.csv",
        VALIDATE,
        [
            "load_no_header.csv, line 1",
            "header has no column `timestamp_utc`",
            "found [2024-01-01T00:00:00Z,1000]",
            "expected `timestamp_utc,demand_mw`",
        ]
    ),
    case!(
        "load_wrong_header.csv",
        VALIDATE,
        [
            "load_wrong_header.csv, line 1",
            "header has no column `timestamp_utc`",
            "found [timestamp,demand]",
            "expected `timestamp_utc,demand_mw`",
        ]
    ),
    case!(
        "load_bad_timestamp.csv",
        VALIDATE,
        [
            "load_bad_timestamp.csv, line 5",
            "'2024-01-01 3am' is not a timestamp",
            "expected ISO 8601 in UTC",
        ]
    ),
    case!(
        "load_bad_extension.txt",
        VALIDATE,
        [
            "load_bad_extension.txt",
            "unknown input type '.txt'",
            "expected .toml",
            ".csv or .parquet",
        ]
    ),
    // ---- load files: import ----
    case!(
        "load_duplicate_hour.csv",
        IMPORT,
        [
            "load_duplicate_hour.csv, line 5",
            "duplicate hour 2024-01-01T02:00Z (also on line 4)",
            "each hour may appear once",
        ]
    ),
    case!(
        "load_gap.csv",
        IMPORT,
        [
            "load_gap.csv, line 5",
            "2 missing hour(s) from 2024-01-01T03:00Z",
            "--fill-gaps",
        ]
    ),
    case!(
        "load_half_hourly.csv",
        IMPORT,
        [
            "load_half_hourly.csv, line 3",
            "'2024-01-01T00:30:00Z' is not on the hour",
        ]
    ),
    case!(
        "load_unsorted.csv",
        IMPORT,
        [
            "load_unsorted.csv, line 5",
            "hour 2024-01-01T02:00Z comes after 2024-01-01T03:00Z",
            "rows must be sorted by time",
        ]
    ),
    case!(
        "load_nan.csv",
        IMPORT,
        [
            "load_nan.csv, line 5",
            "demand is empty or NaN",
            "1 missing hour(s) from 2024-01-01T03:00Z",
            "--fill-gaps",
        ]
    ),
    case!(
        "load_text_value.csv",
        IMPORT,
        [
            "load_text_value.csv, line 5",
            "'high' is not a number",
            "expected a number",
        ]
    ),
    case!(
        "load_negative.csv",
        IMPORT,
        [
            "load_negative.csv, line 5",
            "demand is -25",
            "expected a number of MW ≥ 0",
        ]
    ),
    case!(
        "load_empty.csv",
        IMPORT,
        ["load_empty.csv", "the file is empty", "expected a header"]
    ),
    case!(
        "load_header_only.csv",
        IMPORT,
        ["load_header_only.csv", "no rows of data"]
    ),
    case!(
        "load_no_header.csv",
        IMPORT,
        [
            "load_no_header.csv, line 1",
            "header has no column `timestamp_utc`",
            "found [2024-01-01T00:00:00Z,1000]",
        ]
    ),
    case!(
        "load_wrong_header.csv",
        IMPORT,
        [
            "load_wrong_header.csv, line 1",
            "found [timestamp,demand]",
            "expected `timestamp_utc,demand_mw`",
        ]
    ),
    case!(
        "load_bad_timestamp.csv",
        IMPORT,
        [
            "load_bad_timestamp.csv, line 5",
            "'2024-01-01 3am' is not a timestamp",
            "expected ISO 8601 in UTC",
        ]
    ),
    case!(
        "import_local_spring_forward.csv",
        &[
            "import",
            "{file}",
            "--format",
            "local",
            "--time-zone",
            "America/New_York",
            "--out",
            "{out}.parquet",
        ],
        [
            "import_local_spring_forward.csv, line 4",
            "local time 2024-03-10 02:00 does not exist in America/New_York",
            "spring daylight-saving change",
        ]
    ),
    case!(
        "import_eia930_several_bas.csv",
        &[
            "import",
            "{file}",
            "--format",
            "eia930",
            "--out",
            "{out}.parquet",
        ],
        [
            "import_eia930_several_bas.csv",
            "holds 2 balancing authorities (PJM, MISO)",
            "pick one with --ba",
        ]
    ),
    case!(
        "import_eia930_several_bas.csv",
        &[
            "import",
            "{file}",
            "--format",
            "eia930",
            "--ba",
            "XYZ",
            "--out",
            "{out}.parquet",
        ],
        [
            "import_eia930_several_bas.csv",
            "--ba XYZ is not in the file",
            "it holds PJM, MISO",
        ]
    ),
];

/// Run one case; the problems found, each naming the case.
fn check(case: &Case) -> Vec<String> {
    let temp = tempfile::tempdir().expect("temporary folder");
    let out = temp.path().join("never");
    let file = format!("{DIR}/{}", case.file);
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{file}", &file)
                .replace("{out}", &out.display().to_string())
        })
        .collect();
    let name = format!("{} via `gridstrain {}`", case.file, case.args.join(" "));
    let output = gridstrain().args(&args).output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if output.status.code() != Some(1) {
        problems.push(format!(
            "{name}: exit code {:?}, expected 1",
            output.status.code()
        ));
    }
    if stderr.contains("panicked") {
        problems.push(format!("{name}: panicked"));
    }
    for expected in case.expect {
        if !stderr.contains(expected) {
            problems.push(format!("{name}: message lacks `{expected}`"));
        }
    }
    if out.exists() || out.with_extension("parquet").exists() {
        problems.push(format!("{name}: output {} was created", out.display()));
    }
    let left: Vec<String> = std::fs::read_dir(temp.path())
        .expect("temporary folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    if !left.is_empty() {
        problems.push(format!("{name}: left {left:?} in the output folder"));
    }
    if !problems.is_empty() {
        problems.push(format!("  stderr of {name}:\n{stderr}"));
    }
    problems
}

#[test]
fn every_bad_input_is_refused_with_a_clear_message_and_no_output() {
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = CASES
            .chunks(CASES.len().div_ceil(8))
            .map(|chunk| scope.spawn(|| chunk.iter().flat_map(check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_corpus_and_the_cases_match() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join(DIR))
        .expect("tests/bad_inputs")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    let used: BTreeSet<String> = CASES.iter().map(|c| c.file.to_owned()).collect();
    let unused: Vec<&String> = on_disk.difference(&used).collect();
    let missing: Vec<&String> = used.difference(&on_disk).collect();
    assert!(unused.is_empty(), "files without a case: {unused:?}");
    assert!(missing.is_empty(), "cases without a file: {missing:?}");
    assert!(
        on_disk.len() >= 30,
        "only {} bad input files",
        on_disk.len()
    );
}

/// The files that break a rule only together with another file are valid alone, so each
/// pair breaks exactly the one cross-file rule.
#[test]
fn files_that_break_a_cross_file_rule_are_valid_alone() {
    for file in [
        "region_scope_ca.toml",
        "region_missing_price.toml",
        "scenario_scope_eu.toml",
        "scenario_share_unknown_region.toml",
        "scenario_cheapest.toml",
    ] {
        let output = gridstrain()
            .args(["validate", &format!("{DIR}/{file}")])
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A byte-order mark and `\r\n` line endings are fine, in a load CSV and in TOML files.
#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    for file in [
        "accepted/load_bom_crlf.csv",
        "accepted/region_set_bom_crlf.toml",
        "accepted/profile_bom_crlf.toml",
    ] {
        let path = root().join(DIR).join(file);
        let bytes = std::fs::read(&path).expect("accepted file");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{file}: no byte-order mark"
        );
        assert!(
            bytes.windows(2).any(|w| w == b"\r\n"),
            "{file}: no CRLF line endings"
        );
        let output = gridstrain()
            .args(["validate", &format!("{DIR}/{file}")])
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let temp = tempfile::tempdir().expect("temporary folder");
    let out = temp.path().join("load.parquet");
    let output = gridstrain()
        .args([
            "import",
            &format!("{DIR}/accepted/load_bom_crlf.csv"),
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "import of accepted/load_bom_crlf.csv: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let load = gridstrain::load::read_load_file(&out).expect("imported load");
    assert_eq!(load.demand_mw.len(), 24);
    assert_eq!(load.demand_mw[0], 1000.0);
    assert!(Path::new(&out).is_file());
}
