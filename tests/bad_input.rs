//! Bad inputs: every case breaks exactly one rule, and each becomes its own test
//! (`cargo test bad_input::region_unknown_key` runs the tests of that one case). Each
//! test runs the binary on the case's file and checks that it exits with code 1, that the
//! message holds the parts that are the contract (the file, the line or key, what was
//! found and what is allowed), that nothing panicked, and that no output (nor a leftover
//! staging folder) was written.
//!
//! A case's file is either a one-line patch of the small fixture (`tests/fixtures/small`),
//! written into a fresh temporary folder under the case's name (`<case>.toml`), or, when
//! the rule cannot be broken by patching a line (load files, an empty region set, …), a
//! file kept in `tests/bad_inputs/` and named after the case. Kept TOML files say on their
//! first line which rule they break; every case states it in the table.
//!
//! `tests/bad_inputs/accepted/` holds files that look unusual but are fine: a UTF-8
//! byte-order mark and `\r\n` line endings must be accepted.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::{Dir, TestCommand, root};

/// The library's load-file reader: the hourly demand (MW) of a load file. The one call
/// into the library in this file, kept here so a move of `read_load_file` is one edit.
fn read_demand_mw(path: &Path) -> Vec<f64> {
    gridstrain::input::load_file::read_load_file(path)
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
        .demand_mw
}

/// The kept files, relative to the repository root (the binary runs from there).
const DIR: &str = "tests/bad_inputs";
/// The small fixture: the bases of the patches, and the valid partner of a bad file.
const SCENARIO: &str = "tests/fixtures/small/scenarios/small.toml";
const REGIONS: &str = "tests/fixtures/small/regions/pnw.toml";
const PROFILE: &str = "tests/fixtures/small/profiles/training-flat.toml";
const CHAT_PROFILE: &str = "tests/fixtures/small/profiles/inference-chat.toml";
/// Keys whose values are paths relative to the file that holds them.
const PATH_KEYS: &[&str] = &["load_file", "profile", "operator_forecasts"];

/// Where a case's file comes from.
enum Source {
    /// `base` (relative to the repository root) with `find`, which must occur exactly
    /// once, replaced by `replace`. `find` may take in a neighbouring line to make it
    /// unique; the patch keeps the number of lines so the fixture's line numbers hold.
    Patch {
        base: &'static str,
        find: &'static str,
        replace: &'static str,
    },
    /// A file kept in `tests/bad_inputs/`, named after the case.
    File(&'static str),
}
use Source::{File, Patch};

/// One bad input.
struct Case {
    /// The case's name: the kept file's stem, or the patched file's.
    name: &'static str,
    /// The one rule it breaks.
    rule: &'static str,
    source: Source,
}

/// What the binary is asked to do with the case's file (`{file}` below).
enum Command {
    /// `validate {file}`.
    Validate,
    /// `run` with `{file}` as the region set, against the fixture's scenario or, when
    /// given, the file of another case.
    RunRegions { scenario: Option<&'static str> },
    /// `run` with `{file}` as the scenario, against the fixture's region set, over
    /// `weather_years`, with `extra` arguments.
    RunScenario {
        weather_years: &'static str,
        extra: &'static [&'static str],
    },
    /// `import {file}` with `extra` arguments.
    Import { extra: &'static [&'static str] },
    /// `sweep --samples 5` with `{file}` as the scenario, against the fixture's region set.
    SweepScenario,
}

const VALIDATE: Command = Command::Validate;
const RUN_REGIONS: Command = Command::RunRegions { scenario: None };
const RUN_SCENARIO: Command = Command::RunScenario {
    weather_years: "2023..2024",
    extra: &[],
};
const IMPORT: Command = Command::Import { extra: &[] };
const SWEEP_SCENARIO: Command = Command::SweepScenario;

/// The table: each case with the rule it breaks, its source, and its tests, each a
/// command and the parts its message must hold (`{file}` in a part stands for the path
/// of the case's file as given to the binary). Every test is named `<case>_<what>`.
macro_rules! bad_inputs {
    ($(
        $case:ident {
            rule: $rule:literal,
            source: $source:expr,
            tests: { $($test:ident: $command:expr => [$($part:literal),+ $(,)?]),+ $(,)? } $(,)?
        }
    )+) => {
        const CASES: &[Case] = &[$(Case { name: stringify!($case), rule: $rule, source: $source }),+];
        /// (case, test) for every generated test.
        const TESTS: &[(&str, &str)] = &[$($((stringify!($case), stringify!($test))),+),+];
        $($(
            #[test]
            fn $test() {
                check(stringify!($case), &$command, &[$($part),+]);
            }
        )+)+
    };
}

bad_inputs! {
    // ---- region sets ----
    region_unknown_key {
        rule: "a misspelt key (`populaton`) in a [[region]] table",
        source: Patch { base: REGIONS, find: "population = 1_524_000", replace: "populaton = 1_524_000" },
        tests: {
            region_unknown_key_validate: VALIDATE => [
                "region_unknown_key.toml, line 23 (key `populaton`)",
                "unknown field `populaton`",
                "expected one of",
                "`population`",
            ],
            region_unknown_key_run: RUN_REGIONS => [
                "region_unknown_key.toml, line 23 (key `populaton`)",
                "unknown field `populaton`",
                "`population`",
            ],
        }
    }
    region_population_text {
        rule: "text where a number belongs (population)",
        source: Patch { base: REGIONS, find: "population = 1_800_000", replace: "population = \"1.8 million\"" },
        tests: {
            region_population_text_validate: VALIDATE => [
                "region_population_text.toml, line 14 (key `population`)",
                "string \"1.8 million\"",
                "expected a number",
            ],
        }
    }
    region_growth_text {
        rule: "text where a number belongs (growth written as a percentage)",
        source: Patch {
            base: REGIONS,
            find: "baseline_growth_per_year_frac = 0.01",
            replace: "baseline_growth_per_year_frac = \"1%\"",
        },
        tests: {
            region_growth_text_validate: VALIDATE => [
                "region_growth_text.toml, line 15 (key `baseline_growth_per_year_frac`)",
                "string \"1%\"",
                "expected a number",
            ],
        }
    }
    region_negative_population {
        rule: "a negative population",
        source: Patch { base: REGIONS, find: "population = 1_800_000", replace: "population = -1_800_000" },
        tests: {
            region_negative_population_validate: VALIDATE => [
                "region_negative_population.toml, line 14 (key `population`)",
                "found -1800000",
                "expected a number from 1 to 1e10 (people)",
            ],
            region_negative_population_run: RUN_REGIONS => [
                "region_negative_population.toml, line 14 (key `population`)",
                "found -1800000",
                "expected a number from 1 to 1e10 (people)",
            ],
        }
    }
    region_negative_capacity {
        rule: "a negative firm capacity (MW)",
        source: Patch { base: REGIONS, find: "firm_capacity_mw = 5_300.0", replace: "firm_capacity_mw = -4_000" },
        tests: {
            region_negative_capacity_validate: VALIDATE => [
                "region_negative_capacity.toml, line 30 (key `firm_capacity_mw`)",
                "found -4000",
                "expected a number from 1 to 1000000 (MW)",
            ],
        }
    }
    region_negative_training_cap {
        rule: "a negative training cap (MW)",
        source: Patch { base: REGIONS, find: "max_training_mw = 50.0", replace: "max_training_mw = -50.0" },
        tests: {
            region_negative_training_cap_run: RUN_REGIONS => [
                "region_negative_training_cap.toml, line 27 (key `max_training_mw`)",
                "found -50",
                "expected a number from 0 to 1000000 (MW)",
            ],
        }
    }
    region_reserve_margin_over_one {
        rule: "a fraction above 1 (reserve margin 150 %)",
        source: Patch { base: REGIONS, find: "reserve_margin_frac = 0.15", replace: "reserve_margin_frac = 1.5" },
        tests: {
            region_reserve_margin_over_one_validate: VALIDATE => [
                "region_reserve_margin_over_one.toml, line 31 (key `reserve_margin_frac`)",
                "found 1.5",
                "expected a number from 0 to 1 (fraction)",
            ],
        }
    }
    region_unknown_time_zone {
        rule: "a time zone that is not an IANA name",
        // Both regions have the same time zone: the next line picks PACW's.
        source: Patch {
            base: REGIONS,
            find: "time_zone = \"America/Los_Angeles\"\npopulation = 1_524_000",
            replace: "time_zone = \"America/Portland\"\npopulation = 1_524_000",
        },
        tests: {
            region_unknown_time_zone_validate: VALIDATE => [
                "region_unknown_time_zone.toml, line 22 (key `time_zone`)",
                "unknown time zone 'America/Portland'",
                "expected an IANA time zone name",
            ],
            region_unknown_time_zone_run: RUN_REGIONS => [
                "region_unknown_time_zone.toml, line 22 (key `time_zone`)",
                "unknown time zone 'America/Portland'",
                "expected an IANA time zone name",
            ],
        }
    }
    region_empty {
        rule: "no [[region]] table at all",
        source: File("region_empty.toml"),
        tests: {
            region_empty_validate: VALIDATE => [
                "region_empty.toml",
                "has no regions",
                "[[region]]",
                "at least one",
            ],
            region_empty_run: RUN_REGIONS => ["region_empty.toml", "has no regions", "at least one"],
        }
    }
    region_missing_load_file {
        rule: "load_file names a file that does not exist",
        source: Patch { base: REGIONS, find: "load_file = \"load/PACW.parquet\"", replace: "load_file = \"load/PACX.parquet\"" },
        tests: {
            region_missing_load_file_validate: VALIDATE => [
                "region_missing_load_file.toml",
                "region 2",
                "`PACW`",
                "key `load_file`",
                "load/PACX.parquet does not exist",
                "relative to the region-set file",
            ],
            region_missing_load_file_run: RUN_REGIONS => [
                "region_missing_load_file.toml",
                "key `load_file`",
                "load/PACX.parquet does not exist",
            ],
        }
    }
    region_duplicate_id {
        rule: "the id PGE appears twice",
        source: Patch { base: REGIONS, find: "id = \"PACW\"", replace: "id = \"PGE\"" },
        tests: {
            region_duplicate_id_validate: VALIDATE => [
                "region_duplicate_id.toml",
                "region 2",
                "duplicate region id `PGE`",
                "each id may appear once",
            ],
            region_duplicate_id_run: RUN_REGIONS => [
                "region_duplicate_id.toml",
                "region 2",
                "duplicate region id `PGE`",
            ],
        }
    }
    region_syntax_error {
        rule: "TOML syntax (a string that is never closed)",
        source: Patch { base: REGIONS, find: "name = \"PacifiCorp West\"", replace: "name = \"PacifiCorp West" },
        tests: {
            region_syntax_error_validate: VALIDATE => [
                "region_syntax_error.toml, line 21 (key `name`)",
                "invalid basic string",
                "expected `\"`",
                "name = \"PacifiCorp West",
            ],
            region_syntax_error_run: RUN_REGIONS => [
                "region_syntax_error.toml, line 21 (key `name`)",
                "invalid basic string",
            ],
        }
    }
    region_bad_load {
        rule: "a rule of its load file: PACW's load (load_gap.csv) has a gap",
        // Relative to the base's folder, as every path in a patched file.
        source: Patch {
            base: REGIONS,
            find: "load_file = \"load/PACW.parquet\"",
            replace: "load_file = \"../../../bad_inputs/load_gap.csv\"",
        },
        tests: {
            region_bad_load_validate: VALIDATE => [
                "load_gap.csv, line 5",
                "2 missing hour(s) from 2024-01-01T03:00Z to 2024-01-01T04:00Z",
                "hourly without gaps",
            ],
            region_bad_load_run: RUN_REGIONS => [
                "load_gap.csv, line 5",
                "2 missing hour(s) from 2024-01-01T03:00Z to 2024-01-01T04:00Z",
            ],
        }
    }
    region_scope_ca {
        rule: "(only against a PNW scenario) the set is for scope CA",
        source: Patch { base: REGIONS, find: "scope = \"PNW\"", replace: "scope = \"CA\"" },
        tests: {
            region_scope_ca_run: RUN_REGIONS => [
                "small.toml, key `scope`",
                "found 'PNW'",
                "region_scope_ca.toml is for scope 'CA'",
                "must match",
            ],
        }
    }
    region_missing_price {
        rule: "(only with siting.training = \"cheapest\") PACW has no price",
        // Both regions have the same price: the next line picks PACW's.
        source: Patch {
            base: REGIONS,
            find: "price_usd_per_mwh = 75.2\nmax_training_mw",
            replace: "# price_usd_per_mwh = 75.2\nmax_training_mw",
        },
        tests: {
            region_missing_price_run_cheapest: Command::RunRegions { scenario: Some("scenario_cheapest") } => [
                "scenario_cheapest.toml",
                "siting.training = \"cheapest\" needs `price_usd_per_mwh`",
                "missing in PACW of {file}",
            ],
        }
    }
    // ---- scenarios ----
    scenario_unknown_key {
        rule: "a misspelt key (`utilisation_frac`) in [training]",
        source: Patch { base: SCENARIO, find: "utilization_frac = 0.40", replace: "utilisation_frac = 0.40" },
        tests: {
            scenario_unknown_key_validate: VALIDATE => [
                "scenario_unknown_key.toml, line 41 (key `utilisation_frac`)",
                "unknown field `utilisation_frac`",
                "expected one of `utilization_frac`",
            ],
            scenario_unknown_key_run: RUN_SCENARIO => [
                "scenario_unknown_key.toml, line 41 (key `utilisation_frac`)",
                "unknown field `utilisation_frac`",
            ],
        }
    }
    scenario_unknown_table {
        rule: "a misspelt top-level table ([flexibilty])",
        source: Patch { base: SCENARIO, find: "[flexibility]", replace: "[flexibilty]" },
        tests: {
            scenario_unknown_table_validate: VALIDATE => [
                "scenario_unknown_table.toml, line 57 (key `flexibilty`)",
                "unknown field `flexibilty`",
                "`flexibility`",
            ],
        }
    }
    scenario_pue_text {
        rule: "text where a number belongs (pue)",
        source: Patch { base: SCENARIO, find: "pue = 1.14", replace: "pue = \"1.14\"" },
        tests: {
            scenario_pue_text_validate: VALIDATE => [
                "scenario_pue_text.toml, line 37 (key `pue`)",
                "string \"1.14\"",
                "expected a number",
            ],
        }
    }
    scenario_pue_below_one {
        rule: "a PUE below 1",
        source: Patch { base: SCENARIO, find: "pue = 1.14", replace: "pue = 0.9" },
        tests: {
            scenario_pue_below_one_validate: VALIDATE => [
                "scenario_pue_below_one.toml, line 37 (key `pue`)",
                "found 0.9",
                "expected a number from 1 to 3 (PUE)",
            ],
            scenario_pue_below_one_run: RUN_SCENARIO => [
                "scenario_pue_below_one.toml, line 37 (key `pue`)",
                "found 0.9",
                "from 1 to 3",
            ],
        }
    }
    scenario_uncertain_path_unknown {
        rule: "an uncertain parameter path that names no parameter",
        source: Patch { base: SCENARIO, find: "[uncertainty.\"facility.pue\"]", replace: "[uncertainty.\"facility.peu\"]" },
        tests: {
            scenario_uncertain_path_unknown_sweep: SWEEP_SCENARIO => [
                "scenario_uncertain_path_unknown.toml, line 115 (key `uncertainty.\"facility.peu\".dist`)",
                "unknown parameter path `facility.peu`",
                "expected one of",
                "facility.pue",
            ],
            scenario_uncertain_path_unknown_validate: VALIDATE => [
                "scenario_uncertain_path_unknown.toml, line 115",
                "unknown parameter path",
            ],
        }
    }
    scenario_uncertain_dist_unknown {
        rule: "an unknown distribution",
        source: Patch { base: SCENARIO, find: "dist = \"triangular\"", replace: "dist = \"triangle\"" },
        tests: {
            scenario_uncertain_dist_unknown_sweep: SWEEP_SCENARIO => [
                "scenario_uncertain_dist_unknown.toml, line 115 (key `uncertainty.\"facility.pue\".dist`)",
                "found `triangle`",
                "expected one of uniform, triangular, normal, lognormal, discrete",
            ],
        }
    }
    scenario_uncertain_low_above_high {
        rule: "a range whose low is above its high",
        source: Patch { base: SCENARIO, find: "low = 1.10", replace: "low = 1.40" },
        tests: {
            scenario_uncertain_low_above_high_sweep: SWEEP_SCENARIO => [
                "scenario_uncertain_low_above_high.toml, line 116 (key `uncertainty.\"facility.pue\".low`)",
                "found low 1.4 above high 1.3",
                "expected low ≤ high",
            ],
        }
    }
    scenario_uncertain_probabilities_sum {
        rule: "discrete probabilities that do not sum to 1",
        source: Patch { base: SCENARIO, find: "probabilities = [0.25, 0.5, 0.25]", replace: "probabilities = [0.25, 0.5, 0.3]" },
        tests: {
            scenario_uncertain_probabilities_sum_sweep: SWEEP_SCENARIO => [
                "scenario_uncertain_probabilities_sum.toml, line 124 (key `uncertainty.\"flexibility.max_curtailed_energy_frac\".probabilities`)",
                "the probabilities sum to 1.05",
                "expected 1",
            ],
        }
    }
    scenario_fraction_over_one {
        rule: "a fraction above 1 (power_frac)",
        source: Patch { base: SCENARIO, find: "power_frac = 0.8", replace: "power_frac = 1.2" },
        tests: {
            scenario_fraction_over_one_validate: VALIDATE => [
                "scenario_fraction_over_one.toml, line 43 (key `power_frac`)",
                "found 1.2",
                "expected a number from 0.05 to 1 (fraction)",
            ],
        }
    }
    scenario_budget_over_one {
        rule: "a fraction above 1 (max_curtailed_energy_frac written in percent)",
        source: Patch {
            base: SCENARIO,
            find: "max_curtailed_energy_frac = 0.005",
            replace: "max_curtailed_energy_frac = 5",
        },
        tests: {
            scenario_budget_over_one_validate: VALIDATE => [
                "scenario_budget_over_one.toml, line 61 (key `max_curtailed_energy_frac`)",
                "found 5",
                "expected a number from 0 to 1 (fraction)",
            ],
        }
    }
    scenario_shares_not_one {
        rule: "explicit training shares that sum to 0.8",
        // Two keys, so two lines: the blank line after `training` takes the shares.
        source: Patch {
            base: SCENARIO,
            find: "training = \"headroom\"\n\n",
            replace: "training = \"explicit\"\ntraining_shares = { PGE = 0.5, PACW = 0.3 }\n",
        },
        tests: {
            scenario_shares_not_one_validate: VALIDATE => [
                "scenario_shares_not_one.toml",
                "`siting.training_shares`",
                "the shares sum to 0.8",
                "expected 1",
            ],
            scenario_shares_not_one_run: RUN_SCENARIO => [
                "scenario_shares_not_one.toml",
                "`siting.training_shares`",
                "the shares sum to 0.8",
                "expected 1",
            ],
        }
    }
    scenario_share_unknown_region {
        rule: "(only against the pnw set) a share for BPAT, which the set lacks",
        // Two keys, so two lines: the blank line after `training` takes the shares.
        source: Patch {
            base: SCENARIO,
            find: "training = \"headroom\"\n\n",
            replace: "training = \"explicit\"\ntraining_shares = { PGE = 0.5, BPAT = 0.5 }\n",
        },
        tests: {
            scenario_share_unknown_region_run: RUN_SCENARIO => [
                "scenario_share_unknown_region.toml",
                "`siting.training_shares`",
                "unknown region id(s) BPAT",
                "pnw.toml has PGE, PACW",
            ],
        }
    }
    scenario_missing_year {
        rule: "the explicit compute table lacks 2031",
        source: File("scenario_missing_year.toml"),
        tests: {
            scenario_missing_year_validate: VALIDATE => [
                "scenario_missing_year.toml",
                "`compute`",
                "no compute given for year(s) 2031",
                "first_year..last_year (2030..2031)",
            ],
            scenario_missing_year_run: RUN_SCENARIO => [
                "scenario_missing_year.toml",
                "no compute given for year(s) 2031",
            ],
        }
    }
    scenario_regional_realisation_over_one {
        rule: "a regional load's realisation above 1",
        source: Patch { base: SCENARIO, find: "realisation_frac = 0.5", replace: "realisation_frac = 1.5" },
        tests: {
            scenario_regional_realisation_over_one_validate: VALIDATE => [
                "scenario_regional_realisation_over_one.toml, line 84 (key `realisation_frac`)",
                "found 1.5",
                "expected a number from 0 to 1 (fraction)",
            ],
        }
    }
    scenario_regional_negative_mw {
        rule: "a regional load with negative MW",
        source: Patch { base: SCENARIO, find: "{ 2030 = 100, 2031 = 200 }", replace: "{ 2030 = -100, 2031 = 200 }" },
        tests: {
            scenario_regional_negative_mw_validate: VALIDATE => [
                "scenario_regional_negative_mw.toml, line 83 (regional_load 1 `PACW`, key `rated_mw_by_year`)",
                "year 2030: found -100",
                "expected a number from 0 to 1000000 (MW)",
            ],
        }
    }
    scenario_regional_year_outside {
        rule: "a regional load for a year outside the study",
        source: Patch { base: SCENARIO, find: "{ 2030 = 100, 2031 = 200 }", replace: "{ 2030 = 100, 2036 = 200 }" },
        tests: {
            scenario_regional_year_outside_run: RUN_SCENARIO => [
                "scenario_regional_year_outside.toml, line 83 (regional_load 1 `PACW`, key `rated_mw_by_year`)",
                "year 2036 is outside the study 2030..2031",
                "expected years within it",
            ],
        }
    }
    scenario_regional_unknown_region {
        rule: "(only against a region set) a regional load in a region the set does not have",
        source: Patch { base: SCENARIO, find: "region = \"PACW\"\nworkload", replace: "region = \"PACX\"\nworkload" },
        tests: {
            scenario_regional_unknown_region_run: RUN_SCENARIO => [
                "scenario_regional_unknown_region.toml",
                "`regional_load.region`",
                "unknown region id(s) PACX",
                "pnw.toml has PGE, PACW",
            ],
        }
    }
    region_negative_co2_rate {
        rule: "a negative emission rate",
        source: Patch { base: REGIONS, find: "co2_lb_per_mwh = 364.963", replace: "co2_lb_per_mwh = -364.963" },
        tests: {
            region_negative_co2_rate_validate: VALIDATE => [
                "region_negative_co2_rate.toml, line 33 (key `co2_lb_per_mwh`)",
                "found -364.963",
                "expected a number from 0 to 5000 (lb/MWh)",
            ],
        }
    }
    scenario_negative_capacity_cost {
        rule: "a negative firm-capacity cost",
        source: Patch { base: SCENARIO, find: "usd_per_kw = 836.0", replace: "usd_per_kw = -836.0" },
        tests: {
            scenario_negative_capacity_cost_validate: VALIDATE => [
                "scenario_negative_capacity_cost.toml, line 95 (key `usd_per_kw`)",
                "found -836",
                "expected a number from 0 to 100000 (USD/kW)",
            ],
        }
    }
    scenario_accredited_zero {
        rule: "a technology accredited at 0",
        source: Patch { base: SCENARIO, find: "accredited_frac = 0.6", replace: "accredited_frac = 0.0" },
        tests: {
            scenario_accredited_zero_validate: VALIDATE => [
                "scenario_accredited_zero.toml, line 96 (key `accredited_frac`)",
                "found 0",
                "expected a number from 0.05 to 1 (fraction)",
            ],
        }
    }
    scenario_accredited_over_one {
        rule: "a technology accredited above 1",
        source: Patch { base: SCENARIO, find: "accredited_frac = 0.6", replace: "accredited_frac = 1.6" },
        tests: {
            scenario_accredited_over_one_validate: VALIDATE => [
                "scenario_accredited_over_one.toml, line 96 (key `accredited_frac`)",
                "found 1.6",
                "expected a number from 0.05 to 1 (fraction)",
            ],
        }
    }
    scenario_unknown_technology {
        rule: "firm_capacity.use names no technology",
        source: Patch { base: SCENARIO, find: "use = \"gas_ct\"", replace: "use = \"gas_cc\"" },
        tests: {
            scenario_unknown_technology_validate: VALIDATE => [
                "scenario_unknown_technology.toml, line 91 (key `firm_capacity.use`)",
                "found 'gas_cc'",
                "expected one of gas_ct, battery_4h",
            ],
        }
    }
    scenario_rate_change_minus_one {
        rule: "an emission-rate change of -100 %/yr",
        source: Patch { base: SCENARIO, find: "co2_rate_change_per_year_frac = -0.02", replace: "co2_rate_change_per_year_frac = -1.0" },
        tests: {
            scenario_rate_change_minus_one_validate: VALIDATE => [
                "scenario_rate_change_minus_one.toml, line 88 (key `co2_rate_change_per_year_frac`)",
                "found -1",
                "expected a number from -0.5 to 0.5 (fraction per year)",
            ],
        }
    }
    scenario_non_ai_growth_out_of_range {
        rule: "a non-AI data-centre growth of +200 %/yr",
        source: Patch { base: SCENARIO, find: "# inference by a logistic share; tests/presets.rs checks the figures cited below.\n", replace: "non_ai_datacentres = { base_year = 2023, facility_energy_twh = 125.0, growth_per_year_frac = 2.0, source = \"test\" }\n" },
        tests: {
            scenario_non_ai_growth_out_of_range_validate: VALIDATE => [
                "scenario_non_ai_growth_out_of_range.toml, line 3 (key `non_ai_datacentres`)",
                "found 2",
                "expected a number from -0.5 to 0.5 (fraction per year)",
            ],
        }
    }
    scenario_non_ai_unknown_key {
        rule: "a misspelt key in [non_ai_datacentres]",
        source: Patch { base: SCENARIO, find: "# inference by a logistic share; tests/presets.rs checks the figures cited below.\n", replace: "non_ai_datacentres = { base_year = 2023, energy_twh = 125.0, growth_per_year_frac = 0.1, source = \"test\" }\n" },
        tests: {
            scenario_non_ai_unknown_key_validate: VALIDATE => [
                "scenario_non_ai_unknown_key.toml",
                "energy_twh",
            ],
        }
    }
    scenario_inference_above_rating {
        rule: "an inference draw fraction that makes the fleet's peak exceed its rated power",
        source: Patch { base: SCENARIO, find: "power_frac = 0.6\n", replace: "power_frac = 0.7\n" },
        tests: {
            scenario_inference_above_rating_validate: VALIDATE => [
                "scenario_inference_above_rating.toml, key `inference.power_frac`",
                "found 0.7",
                "peaks at 1.5253 × its mean",
                "draw 1.0677 × its rated power",
                "expected power_frac ≤ 0.6556",
            ],
            scenario_inference_above_rating_run: RUN_SCENARIO => [
                "scenario_inference_above_rating.toml, key `inference.power_frac`",
                "found 0.7",
                "in America/Los_Angeles",
                "expected power_frac ≤ 0.65",
            ],
        }
    }
    scenario_scope_eu {
        rule: "(only against a PNW region set) the scenario is for scope EU",
        source: Patch { base: SCENARIO, find: "scope = \"PNW\"", replace: "scope = \"EU\"" },
        tests: {
            scenario_scope_eu_run: RUN_SCENARIO => [
                "scenario_scope_eu.toml",
                "`scope`",
                "found 'EU'",
                "pnw.toml is for scope 'PNW'",
                "must match",
            ],
        }
    }
    scenario_last_before_first {
        rule: "last_year before first_year",
        source: Patch { base: SCENARIO, find: "last_year = 2031", replace: "last_year = 2029" },
        tests: {
            scenario_last_before_first_validate: VALIDATE => [
                "scenario_last_before_first.toml",
                "`last_year`",
                "found 2029",
                "before first_year 2030",
                "expected last_year ≥ first_year",
            ],
        }
    }
    scenario_missing_profile {
        rule: "the training profile file does not exist",
        source: Patch {
            base: SCENARIO,
            find: "profile = \"../profiles/training-flat.toml\"",
            replace: "profile = \"../profiles/training-flatt.toml\"",
        },
        tests: {
            scenario_missing_profile_validate: VALIDATE => [
                "scenario_missing_profile.toml",
                "`training.profile`",
                "profiles/training-flatt.toml does not exist",
                "relative to the scenario file",
            ],
        }
    }
    scenario_bad_policy {
        rule: "an unknown siting policy",
        source: Patch { base: SCENARIO, find: "training = \"headroom\"", replace: "training = \"greenest\"" },
        tests: {
            scenario_bad_policy_validate: VALIDATE => [
                "scenario_bad_policy.toml, line 55 (key `training`)",
                "unknown variant `greenest`",
                "expected one of `headroom`, `cheapest`, `pipeline`, `explicit`",
            ],
        }
    }
    // Valid alone; against region_missing_price, `cheapest` lacks a price. Its own tests
    // ask for years outside the scenario and outside the fixture's load data.
    scenario_cheapest {
        rule: "no rule alone (cheapest siting); its tests ask for years it or the load lacks",
        source: Patch { base: SCENARIO, find: "training = \"headroom\"", replace: "training = \"cheapest\"" },
        tests: {
            scenario_cheapest_years_outside_scenario: Command::RunScenario {
                weather_years: "2023..2024",
                extra: &["--years", "2029..2031"],
            } => [
                "--years: 2029..2031 is outside the years of scenario",
                "scenario_cheapest.toml (2030..2031)",
            ],
            scenario_cheapest_weather_years_outside_load: Command::RunScenario {
                weather_years: "2010..2012",
                extra: &[],
            } => [
                // The first region of the set that lacks the year is named.
                "region `PGE`",
                "year 2010 (a weather year or the reference year) is outside its load data tests/fixtures/small/regions/load/PGE.parquet",
                "full years available: 2023–2024",
                "--weather-years",
            ],
        }
    }
    // ---- profiles ----
    scenario_pue_profile_missing {
        rule: "a PUE profile file that does not exist",
        source: Patch {
            base: SCENARIO,
            find: "# Specialised AI data centres, US 2023 (LBNL 2024 via Epoch AI).\npue = 1.14",
            replace: "pue_profile = \"no-such-pue.toml\"\npue = 1.14",
        },
        tests: {
            scenario_pue_profile_missing_validate: VALIDATE => [
                "scenario_pue_profile_missing.toml",
                "`facility.pue_profile`",
                "no-such-pue.toml does not exist",
            ],
        }
    }
    pue_profile_eleven_months {
        rule: "a PUE profile with 11 month factors",
        source: File("pue_profile_eleven_months.toml"),
        tests: {
            pue_profile_eleven_months_validate: VALIDATE => [
                "pue_profile_eleven_months.toml",
                "`month_factors`",
                "found 11 month factors, expected 12",
            ],
        }
    }
    profile_unknown_key {
        rule: "a misspelt key (`idle_floor`)",
        source: Patch { base: PROFILE, find: "idle_floor_frac = 0.0", replace: "idle_floor = 0.0" },
        tests: {
            profile_unknown_key_validate: VALIDATE => [
                "profile_unknown_key.toml, line 8 (key `idle_floor`)",
                "unknown field `idle_floor`",
                "`idle_floor_frac`",
            ],
        }
    }
    profile_167_factors {
        rule: "167 factors instead of 168",
        // The last row of factors is the one before `]`.
        source: Patch { base: PROFILE, find: "1.0, 1.0,\n]", replace: "1.0,\n]" },
        tests: {
            profile_167_factors_validate: VALIDATE => [
                "profile_167_factors.toml",
                "`hour_of_week_factors`",
                "found 167 values, expected 168",
            ],
        }
    }
    profile_negative_factor {
        rule: "a negative factor (value 31, Tuesday 06:00)",
        // Weekday rows repeat: the comment above Tuesday's row picks it.
        source: Patch {
            base: CHAT_PROFILE,
            find: "# Tuesday 00:00-23:00 local\n  0.6050, 0.5611, 0.5391, 0.5391, 0.5391, 0.5391, 0.5391,",
            replace: "# Tuesday 00:00-23:00 local\n  0.6050, 0.5611, 0.5391, 0.5391, 0.5391, 0.5391, -0.5,",
        },
        tests: {
            profile_negative_factor_validate: VALIDATE => [
                "profile_negative_factor.toml",
                "`hour_of_week_factors`",
                "value 31 (hour of week 30): found -0.5",
                "expected a number from 0 to 1000000 (relative factor)",
            ],
        }
    }
    profile_idle_floor_over_one {
        rule: "a fraction above 1 (idle_floor_frac)",
        source: Patch { base: PROFILE, find: "idle_floor_frac = 0.0", replace: "idle_floor_frac = 1.5" },
        tests: {
            profile_idle_floor_over_one_validate: VALIDATE => [
                "profile_idle_floor_over_one.toml, line 8 (key `idle_floor_frac`)",
                "found 1.5",
                "expected a number from 0 to 1 (fraction)",
            ],
        }
    }
    profile_text_factor {
        rule: "text among the factors (the first)",
        source: Patch {
            base: PROFILE,
            find: "hour_of_week_factors = [\n  1.0,",
            replace: "hour_of_week_factors = [\n  \"high\",",
        },
        tests: {
            profile_text_factor_validate: VALIDATE => [
                "profile_text_factor.toml, line 10 (key `hour_of_week_factors`)",
                "string \"high\"",
                "expected a number",
            ],
        }
    }
    // ---- load files: validate and import ----
    load_duplicate_hour {
        rule: "an hour that appears twice",
        source: File("load_duplicate_hour.csv"),
        tests: {
            load_duplicate_hour_validate: VALIDATE => [
                "load_duplicate_hour.csv, line 5",
                "duplicate hour 2024-01-01T02:00Z",
                "each hour may appear once",
            ],
            load_duplicate_hour_import: IMPORT => [
                "load_duplicate_hour.csv, line 5",
                "duplicate hour 2024-01-01T02:00Z (also on line 4)",
                "each hour may appear once",
            ],
        }
    }
    load_gap {
        rule: "two missing hours",
        source: File("load_gap.csv"),
        tests: {
            load_gap_validate: VALIDATE => [
                "load_gap.csv, line 5",
                "2 missing hour(s) from 2024-01-01T03:00Z to 2024-01-01T04:00Z",
                "hourly without gaps",
            ],
            load_gap_import: IMPORT => [
                "load_gap.csv, line 5",
                "2 missing hour(s) from 2024-01-01T03:00Z",
                "--fill-gaps",
            ],
        }
    }
    load_half_hourly {
        rule: "a timestamp that is not on the hour",
        source: File("load_half_hourly.csv"),
        tests: {
            load_half_hourly_validate: VALIDATE => [
                "load_half_hourly.csv, line 3",
                "'2024-01-01T00:30:00Z' is not on the hour",
                "expected hourly timestamps",
            ],
            load_half_hourly_import: IMPORT => [
                "load_half_hourly.csv, line 3",
                "'2024-01-01T00:30:00Z' is not on the hour",
            ],
        }
    }
    load_unsorted {
        rule: "rows out of time order",
        source: File("load_unsorted.csv"),
        tests: {
            load_unsorted_validate: VALIDATE => [
                "load_unsorted.csv, line 5",
                "hour 2024-01-01T02:00Z comes after 2024-01-01T03:00Z",
                "rows must be sorted by time",
            ],
            load_unsorted_import: IMPORT => [
                "load_unsorted.csv, line 5",
                "hour 2024-01-01T02:00Z comes after 2024-01-01T03:00Z",
                "rows must be sorted by time",
            ],
        }
    }
    load_nan {
        rule: "a NaN demand",
        source: File("load_nan.csv"),
        tests: {
            load_nan_validate: VALIDATE => [
                "load_nan.csv, line 5",
                "`demand_mw` is empty or NaN",
                "expected a number",
            ],
            load_nan_import: IMPORT => [
                "load_nan.csv, line 5",
                "`demand_mw` is empty or NaN",
                "1 missing hour(s) from 2024-01-01T03:00Z",
                "--fill-gaps",
            ],
        }
    }
    load_text_value {
        rule: "text where a demand belongs",
        source: File("load_text_value.csv"),
        tests: {
            load_text_value_validate: VALIDATE => [
                "load_text_value.csv, line 5",
                "column `demand_mw`: 'high' is not a number",
                "expected a number",
            ],
            load_text_value_import: IMPORT => [
                "load_text_value.csv, line 5",
                "'high' is not a number",
                "expected a number",
            ],
        }
    }
    load_negative {
        rule: "a negative demand",
        source: File("load_negative.csv"),
        tests: {
            load_negative_validate: VALIDATE => [
                "load_negative.csv, line 5",
                "demand_mw is -25",
                "expected a number of MW ≥ 0",
            ],
            load_negative_import: IMPORT => [
                "load_negative.csv, line 5",
                "demand_mw is -25",
                "expected a number of MW ≥ 0",
            ],
        }
    }
    load_empty {
        rule: "an empty file",
        source: File("load_empty.csv"),
        tests: {
            load_empty_validate: VALIDATE => [
                "load_empty.csv",
                "the file is empty",
                "expected a header `timestamp_utc,demand_mw`",
            ],
            load_empty_import: IMPORT => ["load_empty.csv", "the file is empty", "expected a header"],
        }
    }
    load_header_only {
        rule: "a header and no rows",
        source: File("load_header_only.csv"),
        tests: {
            load_header_only_validate: VALIDATE => [
                "load_header_only.csv",
                "no rows of data",
                "expected hourly rows",
            ],
            load_header_only_import: IMPORT => ["load_header_only.csv", "no rows of data"],
        }
    }
    load_no_header {
        rule: "no header line",
        source: File("load_no_header.csv"),
        tests: {
            load_no_header_validate: VALIDATE => [
                "load_no_header.csv, line 1",
                "header has no column `timestamp_utc`",
                "found [2024-01-01T00:00:00Z,1000]",
                "expected `timestamp_utc,demand_mw`",
            ],
            load_no_header_import: IMPORT => [
                "load_no_header.csv, line 1",
                "header has no column `timestamp_utc`",
                "found [2024-01-01T00:00:00Z,1000]",
            ],
        }
    }
    load_wrong_header {
        rule: "a header with other column names",
        source: File("load_wrong_header.csv"),
        tests: {
            load_wrong_header_validate: VALIDATE => [
                "load_wrong_header.csv, line 1",
                "header has no column `timestamp_utc`",
                "found [timestamp,demand]",
                "expected `timestamp_utc,demand_mw`",
            ],
            load_wrong_header_import: IMPORT => [
                "load_wrong_header.csv, line 1",
                "found [timestamp,demand]",
                "expected `timestamp_utc,demand_mw`",
            ],
        }
    }
    load_bad_timestamp {
        rule: "a timestamp that is not ISO 8601",
        source: File("load_bad_timestamp.csv"),
        tests: {
            load_bad_timestamp_validate: VALIDATE => [
                "load_bad_timestamp.csv, line 5",
                "'2024-01-01 3am' is not a timestamp",
                "expected ISO 8601 in UTC",
            ],
            load_bad_timestamp_import: IMPORT => [
                "load_bad_timestamp.csv, line 5",
                "'2024-01-01 3am' is not a timestamp",
                "expected ISO 8601 in UTC",
            ],
        }
    }
    load_bad_extension {
        rule: "a load file with an unknown extension",
        source: File("load_bad_extension.txt"),
        tests: {
            load_bad_extension_validate: VALIDATE => [
                "load_bad_extension.txt",
                "unknown input type '.txt'",
                "expected .toml",
                ".csv or .parquet",
            ],
        }
    }
    load_european_decimal {
        rule: "a European number (thousands `.`, decimal comma): read 1,000 times too small before",
        source: File("load_european_decimal.csv"),
        tests: {
            load_european_decimal_validate: VALIDATE => [
                "load_european_decimal.csv, line 5, column `demand_mw`",
                "'22.759,0' cannot be read unambiguously",
                "decimal comma or European thousands separator? write 22759.0",
            ],
            load_european_decimal_import: IMPORT => [
                "load_european_decimal.csv, line 5, column `demand_mw`",
                "'22.759,0' cannot be read unambiguously",
                "write 22759.0",
            ],
        }
    }
    load_european_thousands {
        rule: "a European number with a decimal part (`5.000,5`): read as 5.0005 before",
        source: File("load_european_thousands.csv"),
        tests: {
            load_european_thousands_validate: VALIDATE => [
                "load_european_thousands.csv, line 5, column `demand_mw`",
                "'5.000,5' cannot be read unambiguously",
                "write 5000.5",
            ],
            load_european_thousands_import: IMPORT => [
                "load_european_thousands.csv, line 5",
                "'5.000,5' cannot be read unambiguously",
            ],
        }
    }
    load_comma_digits {
        rule: "commas between single digits (`1,2,3,4`): read as 1234 before",
        source: File("load_comma_digits.csv"),
        tests: {
            load_comma_digits_validate: VALIDATE => [
                "load_comma_digits.csv, line 5, column `demand_mw`",
                "'1,2,3,4' cannot be read unambiguously",
                "a comma is read only as a thousands separator between groups of three digits",
            ],
            load_comma_digits_import: IMPORT => [
                "load_comma_digits.csv, line 5",
                "'1,2,3,4' cannot be read unambiguously",
            ],
        }
    }
    load_decimal_comma_unquoted {
        rule: "a row with more fields than the header (an unquoted decimal comma)",
        source: File("load_decimal_comma_unquoted.csv"),
        tests: {
            load_decimal_comma_unquoted_validate: VALIDATE => [
                "load_decimal_comma_unquoted.csv, line 5",
                "the row has 3 field(s), the header 2",
                "decimal comma",
            ],
            load_decimal_comma_unquoted_import: IMPORT => [
                "load_decimal_comma_unquoted.csv, line 5",
                "the row has 3 field(s), the header 2",
            ],
        }
    }
    load_missing_field {
        rule: "a row with fewer fields than the header",
        source: File("load_missing_field.csv"),
        tests: {
            load_missing_field_validate: VALIDATE => [
                "load_missing_field.csv, line 5",
                "the row has 1 field(s), the header 2",
                "expected one value per column",
            ],
            load_missing_field_import: IMPORT => [
                "load_missing_field.csv, line 5",
                "the row has 1 field(s), the header 2",
            ],
        }
    }
    load_duplicate_demand_header {
        rule: "the header names `demand_mw` twice",
        source: File("load_duplicate_demand_header.csv"),
        tests: {
            load_duplicate_demand_header_validate: VALIDATE => [
                "load_duplicate_demand_header.csv, line 1",
                "the header names column `demand_mw` 2 times (columns 2, 3)",
                "expected it once",
            ],
            load_duplicate_demand_header_import: IMPORT => [
                "load_duplicate_demand_header.csv, line 1",
                "column `demand_mw` 2 times",
            ],
        }
    }
    load_huge_value {
        rule: "a demand above the largest accepted (1e308 MW)",
        source: File("load_huge_value.csv"),
        tests: {
            load_huge_value_validate: VALIDATE => [
                "load_huge_value.csv, line 5",
                "demand_mw is 1e308, above the largest accepted 1000000 MW",
            ],
            load_huge_value_import: IMPORT => [
                "load_huge_value.csv, line 5",
                "demand_mw is 1e308, above the largest accepted 1000000 MW",
            ],
        }
    }
    load_infinite {
        rule: "an infinite demand",
        source: File("load_infinite.csv"),
        tests: {
            load_infinite_validate: VALIDATE => [
                "load_infinite.csv, line 5",
                "demand_mw is inf, expected a finite number of MW",
            ],
            load_infinite_import: IMPORT => [
                "load_infinite.csv, line 5",
                "demand_mw is inf, expected a finite number of MW",
            ],
        }
    }
    // ---- import formats ----
    import_local_spring_forward {
        rule: "a local time skipped by the spring daylight-saving change",
        source: File("import_local_spring_forward.csv"),
        tests: {
            import_local_spring_forward_import: Command::Import {
                extra: &["--format", "local", "--time-zone", "America/New_York"],
            } => [
                "import_local_spring_forward.csv, line 4",
                "local time 2024-03-10 02:00 does not exist in America/New_York",
                "spring daylight-saving change",
            ],
        }
    }
    import_eia930_several_bas {
        rule: "an EIA-930 file with two balancing authorities",
        source: File("import_eia930_several_bas.csv"),
        tests: {
            import_eia930_several_bas_without_ba: Command::Import { extra: &["--format", "eia930"] } => [
                "import_eia930_several_bas.csv",
                "holds 2 balancing authorities (PJM, MISO)",
                "pick one with --ba",
            ],
            // Without --format the EIA-930 header is recognised (issue 21).
            import_eia930_several_bas_format_recognised: IMPORT => [
                "import_eia930_several_bas.csv",
                "holds 2 balancing authorities (PJM, MISO)",
                "pick one with --ba",
            ],
            import_eia930_several_bas_unknown_ba: Command::Import {
                extra: &["--format", "eia930", "--ba", "XYZ"],
            } => [
                "import_eia930_several_bas.csv",
                "--ba XYZ is not in the file",
                "it holds PJM, MISO",
            ],
        }
    }
}

/// The file of case `name` (written into `dir` if it is a patch), for other test modules.
pub fn case_file(name: &str, dir: &Dir) -> PathBuf {
    case(name).file(dir)
}

/// The case named `name`.
fn case(name: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case named {name}"))
}

impl Case {
    /// The case's file, ready for the binary: a kept file's path relative to the
    /// repository root, or the patched fixture written into `dir` as `<case>.<ext>`.
    fn file(&self, dir: &Dir) -> PathBuf {
        match self.source {
            File(file) => Path::new(DIR).join(file),
            Patch {
                base,
                find,
                replace,
            } => {
                let base_path = root().join(base);
                let text =
                    std::fs::read_to_string(&base_path).unwrap_or_else(|e| panic!("{base}: {e}"));
                let found = text.matches(find).count();
                assert_eq!(
                    found, 1,
                    "case {}: {find:?} occurs {found} times in {base}, expected exactly once",
                    self.name
                );
                let patched = text.replacen(find, replace, 1);
                assert_ne!(
                    patched, text,
                    "case {}: the patch changes nothing",
                    self.name
                );
                assert_eq!(
                    patched.lines().count(),
                    text.lines().count(),
                    "case {}: the patch adds or removes lines, so the base's line numbers would not hold",
                    self.name
                );
                let folder = base_path.parent().expect("the base is in a folder");
                let extension = Path::new(base)
                    .extension()
                    .expect("the base has an extension");
                dir.create(
                    Path::new(self.name).with_extension(extension),
                    absolute_paths(&patched, folder),
                )
            }
        }
    }
}

/// `text` with every relative path in a `PATH_KEYS` value made absolute from `folder`
/// (where the base lies), line by line, so the patched copy finds the base's load files
/// and profiles and keeps its line numbers.
fn absolute_paths(text: &str, folder: &Path) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches(['\r', '\n']);
            let Some((key, value)) = body.split_once('=') else {
                return line.to_owned();
            };
            let relative = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| Path::new(v).is_relative());
            match relative {
                Some(relative) if PATH_KEYS.contains(&key.trim()) => {
                    let absolute = folder.join(relative).display().to_string();
                    let quoted = absolute.replace('\\', "\\\\").replace('"', "\\\"");
                    format!("{key}= \"{quoted}\"{}", &line[body.len()..])
                }
                _ => line.to_owned(),
            }
        })
        .collect()
}

/// The arguments of `command` on `file`, output to `out`; a partner case is written
/// into `dir`.
fn arguments(command: &Command, file: &Path, out: &Path, dir: &Dir) -> Vec<String> {
    let file = file.display().to_string();
    let out = out.display().to_string();
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match command {
        Command::Validate => vec!["validate".into(), file],
        Command::RunRegions { scenario } => {
            let scenario = scenario.map_or_else(
                || SCENARIO.to_owned(),
                |name| case(name).file(dir).display().to_string(),
            );
            let mut args = strings(&["run", "--quiet", "--scenario"]);
            args.extend([scenario, "--regions".into(), file]);
            args.extend(strings(&["--weather-years", "2023..2024", "--out"]));
            args.push(out);
            args
        }
        Command::RunScenario {
            weather_years,
            extra,
        } => {
            let mut args = strings(&["run", "--quiet", "--scenario"]);
            args.extend([file, "--regions".into(), REGIONS.into()]);
            args.extend(strings(&["--weather-years", weather_years]));
            args.extend(strings(extra));
            args.extend(["--out".into(), out]);
            args
        }
        Command::SweepScenario => {
            let mut args = strings(&["sweep", "--quiet", "--samples", "5", "--scenario"]);
            args.extend([file, "--regions".into(), REGIONS.into()]);
            args.extend(strings(&["--weather-years", "2023..2024", "--out", &out]));
            args
        }
        Command::Import { extra } => {
            let mut args = vec!["import".into(), file];
            args.extend(strings(extra));
            args.extend(["--out".into(), format!("{out}.parquet")]);
            args
        }
    }
}

/// Run one test of case `name`: exit code 1, no panic, every part of `expect` in the
/// message, nothing written.
fn check(name: &str, command: &Command, expect: &[&str]) {
    let case = case(name);
    let inputs = Dir::new(name);
    let outputs = Dir::new(&format!("{name}-outputs"));
    let file = case.file(&inputs);
    let out = outputs.join("never");
    let args = arguments(command, &file, &out, &inputs);
    let output = outputs.command().args(&args).output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if output.status.code() != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", output.status.code()));
    }
    for panic_text in ["panicked", "RUST_BACKTRACE"] {
        if stderr.contains(panic_text) {
            problems.push(format!("panicked (stderr holds `{panic_text}`)"));
        }
    }
    let file_text = file.display().to_string();
    for part in expect {
        let part = part.replace("{file}", &file_text);
        if !stderr.contains(&part) {
            problems.push(format!("the message lacks `{part}`"));
        }
    }
    if out.exists() || out.with_extension("parquet").exists() {
        problems.push(format!("output {} was created", out.display()));
    }
    let left = outputs.entries();
    if !left.is_empty() {
        problems.push(format!("left {left:?} in the output folder"));
    }
    assert!(
        problems.is_empty(),
        "case {name} ({}) via `gridstrain {}`:\n  {}\nstderr:\n{stderr}",
        case.rule,
        args.join(" "),
        problems.join("\n  ")
    );
}

/// The kept files and the table match: every file in `tests/bad_inputs/` has a case
/// named after it, every kept file of a case exists, every patch applies, and every
/// test is named after its case, so `cargo test bad_input::<case>` selects it.
#[test]
fn the_corpus_and_the_cases_match() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join(DIR))
        .expect("tests/bad_inputs")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    let kept: BTreeSet<String> = CASES
        .iter()
        .filter_map(|c| match c.source {
            File(file) => Some(file.to_owned()),
            Patch { .. } => None,
        })
        .collect();
    let unused: Vec<&String> = on_disk.difference(&kept).collect();
    let missing: Vec<&String> = kept.difference(&on_disk).collect();
    assert!(unused.is_empty(), "files without a case: {unused:?}");
    assert!(missing.is_empty(), "cases without a file: {missing:?}");

    let mut names = BTreeSet::new();
    let dir = Dir::new("the_corpus_and_the_cases_match");
    for case in CASES {
        assert!(names.insert(case.name), "two cases named {}", case.name);
        if let File(file) = case.source {
            let stem = Path::new(file).file_stem().expect("file name");
            assert_eq!(
                stem, case.name,
                "the kept file of case {} is {file}",
                case.name
            );
        }
        // Applies the patch (found exactly once, line count kept).
        let path = case.file(&dir);
        assert!(root().join(&path).is_file(), "{}", path.display());
    }
    for (case, test) in TESTS {
        assert!(
            test.starts_with(&format!("{case}_")),
            "test {test} is not named after its case {case}"
        );
        assert!(
            !CASES
                .iter()
                .any(|other| other.name != *case && test.starts_with(other.name)),
            "test {test} would also be selected by another case's name"
        );
    }
    assert!(CASES.len() >= 30, "only {} bad-input cases", CASES.len());
}

/// The files that break a rule only together with another file are valid alone, so each
/// pair breaks exactly the one cross-file rule.
#[test]
fn files_that_break_a_cross_file_rule_are_valid_alone() {
    let dir = Dir::new("files_that_break_a_cross_file_rule_are_valid_alone");
    for name in [
        "region_scope_ca",
        "region_missing_price",
        "scenario_scope_eu",
        "scenario_share_unknown_region",
        "scenario_cheapest",
        "scenario_regional_unknown_region",
    ] {
        let file = case(name).file(&dir);
        let output = dir.command().arg("validate").arg(&file).output();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A byte-order mark and `\r\n` line endings are fine, in a load CSV and in TOML files.
#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    let dir = Dir::new("byte_order_mark_and_crlf_are_accepted");
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
        let output = dir
            .command()
            .args(["validate", &format!("{DIR}/{file}")])
            .output();
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let out = dir.join("load.parquet");
    let output = dir
        .command()
        .args(["import", &format!("{DIR}/accepted/load_bom_crlf.csv")])
        .out(&out)
        .output();
    assert!(
        output.status.success(),
        "import of accepted/load_bom_crlf.csv: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let demand_mw = read_demand_mw(&out);
    assert_eq!(demand_mw.len(), 24);
    assert_eq!(demand_mw[0], 1000.0);
    assert!(Path::new(&out).is_file());
}

// ---- hostile files and series, generated (too large or too special to keep) ----

/// `command` run bounded in time (a hang fails the test instead of stalling it), which
/// must not panic; its output.
fn bounded(command: &mut TestCommand) -> Output {
    let output = command.timeout(Duration::from_secs(120)).output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panicked: {stderr}"
    );
    output
}

/// Exit code 1 and every part in the message.
fn refused(output: &Output, parts: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    for part in parts {
        assert!(
            stderr.contains(part),
            "the message lacks `{part}`: {stderr}"
        );
    }
}

/// A tidy load CSV of whole UTC years, each hour's value given by `value(year, hour)`.
fn year_csv(years: &[i32], value: impl Fn(i32, usize) -> String) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("timestamp_utc,demand_mw\n");
    for &year in years {
        let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .expect("a date")
            .and_hms_opt(0, 0, 0)
            .expect("a time");
        let end = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
            .expect("a date")
            .and_hms_opt(0, 0, 0)
            .expect("a time");
        let hours = usize::try_from((end - start).num_hours()).expect("positive");
        for h in 0..hours {
            let stamp = start + chrono::Duration::hours(h as i64);
            let _ = writeln!(
                text,
                "{}Z,{}",
                stamp.format("%Y-%m-%dT%H:%M:%S"),
                value(year, h)
            );
        }
    }
    text
}

/// The fixture's region set in `dir`, with PGE's load file replaced by `load`.
fn region_set_with_pge_load(dir: &Dir, load: &Path) -> PathBuf {
    let base = root().join(REGIONS);
    let text = absolute_paths(
        &std::fs::read_to_string(&base).expect("fixture"),
        base.parent().expect("folder"),
    );
    let patched: String = text
        .lines()
        .map(|line| {
            if line.starts_with("load_file") && line.contains("PGE.parquet") {
                format!("load_file = \"{}\"\n", load.display())
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert_ne!(patched, text, "PGE's load file was not replaced");
    dir.create("pnw.toml", patched)
}

/// `run` (and `sweep`) of the fixture's scenario over 2023..2024 with `regions`.
fn run_with_regions(dir: &Dir, regions: &Path, out: &Path, command: &str) -> Output {
    let mut run = dir.command();
    run.args([command, "--quiet"]);
    if command == "sweep" {
        run.args(["--samples", "3"]);
    }
    bounded(run.study(root().join(SCENARIO), regions).out(out))
}

/// A weather year whose demand is all zero made `run` and `sweep` panic (exit 101) while
/// `validate` and `import` accepted it; all four now refuse it with the year named.
#[test]
fn a_weather_year_of_zeros_is_refused_by_validate_import_run_and_sweep() {
    let dir = Dir::new("a_weather_year_of_zeros_is_refused_by_validate_import_run_and_sweep");
    let load = dir.create(
        "zero2023.csv",
        year_csv(&[2023, 2024], |year, _| {
            if year == 2023 {
                "0".into()
            } else {
                "1500".into()
            }
        }),
    );
    let message = "weather year 2023 (UTC calendar year) has demand_mw 0 in every hour";
    refused(
        &bounded(dir.command().arg("validate").arg(&load)),
        &[message],
    );
    let imported = dir.join("imported.parquet");
    refused(
        &bounded(dir.command().arg("import").arg(&load).out(&imported)),
        &[message],
    );
    assert!(!imported.exists(), "import wrote its output");
    let regions = region_set_with_pge_load(&dir, &load);
    for command in ["run", "sweep"] {
        let out = dir.join(command);
        refused(
            &run_with_regions(&dir, &regions, &out, command),
            &["zero2023.csv", message],
        );
        assert!(!out.exists(), "{command} wrote its output");
    }
}

/// A year whose demand never reaches 1 MW (all 5e-324) is not a region's load.
#[test]
fn a_weather_year_below_one_megawatt_is_refused() {
    let dir = Dir::new("a_weather_year_below_one_megawatt_is_refused");
    let load = dir.create("tiny.csv", year_csv(&[2023], |_, _| "5e-324".into()));
    refused(
        &bounded(dir.command().arg("validate").arg(&load)),
        &["tiny.csv: weather year 2023 (UTC calendar year) peaks at 5e-324 MW, below 1 MW"],
    );
}

/// A flat, constant load is legitimate: `run` succeeds and writes only finite numbers.
#[test]
fn a_flat_constant_load_runs_with_finite_outputs() {
    let dir = Dir::new("a_flat_constant_load_runs_with_finite_outputs");
    let load = dir.create("flat.csv", year_csv(&[2023, 2024], |_, _| "1500".into()));
    assert!(
        bounded(dir.command().arg("validate").arg(&load))
            .status
            .success()
    );
    let regions = region_set_with_pge_load(&dir, &load);
    let out = dir.join("out");
    let output = run_with_regions(&dir, &regions, &out, "run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (header, rows) = crate::common::read_csv(&out.join("metrics.csv"));
    assert!(!rows.is_empty());
    for row in &rows {
        for (name, cell) in header.iter().zip(row) {
            let lower = cell.to_ascii_lowercase();
            assert!(
                !lower.contains("nan") && !lower.contains("inf"),
                "metrics.csv column {name}: {cell}"
            );
        }
    }
}

/// A FIFO, a device (through a symbolic link) and a directory are refused at once by
/// every reader, named as what they are; they used to hang or say "does not exist".
#[cfg(unix)]
#[test]
fn special_files_are_refused_as_what_they_are() {
    let dir = Dir::new("special_files_are_refused_as_what_they_are");
    let fifo = dir.join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let fifo_message = "pipe.csv: not a regular file (it is a FIFO (named pipe))";
    refused(
        &bounded(dir.command().arg("validate").arg(&fifo)),
        &[fifo_message],
    );
    let imported = dir.join("x.parquet");
    refused(
        &bounded(dir.command().arg("import").arg(&fifo).out(&imported)),
        &[fifo_message],
    );
    let regions = region_set_with_pge_load(&dir, &fifo);
    refused(
        &run_with_regions(&dir, &regions, &dir.join("out"), "run"),
        &[fifo_message],
    );
    // /dev/zero through a symbolic link, as a scenario (validate and run).
    let zero = dir.join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let zero_message = "zero.toml: not a regular file (it is a character device)";
    refused(
        &bounded(dir.command().arg("validate").arg(&zero)),
        &[zero_message],
    );
    refused(
        &bounded(
            dir.command()
                .arg("run")
                .arg("--scenario")
                .arg(&zero)
                .arg("--regions")
                .arg(&regions)
                .out(dir.join("out2")),
        ),
        &[zero_message],
    );
    // A directory named like a load file.
    let folder = dir.create_dir("folder.csv");
    refused(
        &bounded(dir.command().arg("validate").arg(&folder)),
        &["folder.csv: not a regular file (it is a directory)"],
    );
}

/// Files larger than their kind's maximum are refused with their size before they are
/// read (sparse files: no disk is used).
#[test]
fn oversized_files_are_refused_with_their_size() {
    let dir = Dir::new("oversized_files_are_refused_with_their_size");
    for (name, size, parts) in [
        (
            "big.csv",
            600 * 1024 * 1024,
            [
                "holds 600.0 MiB",
                "more than the 512.0 MiB allowed for a load CSV file",
            ],
        ),
        (
            "big.toml",
            5 * 1024 * 1024,
            [
                "holds 5.0 MiB",
                "more than the 4.0 MiB allowed for a TOML or forecast file",
            ],
        ),
        (
            "big.parquet",
            300 * 1024 * 1024,
            [
                "holds 300.0 MiB",
                "more than the 256.0 MiB allowed for a load Parquet file",
            ],
        ),
    ] {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(size))
            .expect("a sparse file");
        refused(&bounded(dir.command().arg("validate").arg(&path)), &parts);
    }
}

/// A 300,000-character cell is quoted in at most ~200 characters.
#[test]
fn a_huge_cell_is_quoted_short() {
    let dir = Dir::new("a_huge_cell_is_quoted_short");
    let path = dir.create(
        "long.csv",
        format!("timestamp_utc,demand_mw\n{},1\n", "9".repeat(300_000)),
    );
    let output = bounded(dir.command().arg("validate").arg(&path));
    refused(&output, &["long.csv, line 2", "(299800 more characters)"]);
    assert!(output.stderr.len() < 2_000, "{} bytes", output.stderr.len());
}

/// A boolean demand column read as 1.0 MW before; now its type is named.
#[test]
fn a_boolean_parquet_demand_column_is_refused() {
    use polars::prelude::*;
    let dir = Dir::new("a_boolean_parquet_demand_column_is_refused");
    let path = dir.join("bool.parquet");
    let hours: Vec<i64> = (0..48).map(|h| (473_352 + h) * 3_600_000).collect();
    let mut frame = df!(
        "timestamp_utc" => hours,
        "demand_mw" => vec![true; 48],
    )
    .expect("a frame");
    frame
        .apply("timestamp_utc", |c| {
            c.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .expect("cast")
        })
        .expect("datetime");
    let file = std::fs::File::create(&path).expect("create");
    ParquetWriter::new(file).finish(&mut frame).expect("write");
    refused(
        &bounded(dir.command().arg("validate").arg(&path)),
        &[
            "bool.parquet: column `demand_mw` has type bool",
            "expected numbers in MW",
            "Float64",
        ],
    );
}

/// `report` refuses a run folder file that is a device, instead of reading forever.
#[cfg(unix)]
#[test]
fn report_refuses_a_run_file_that_is_a_device() {
    let dir = Dir::new("report_refuses_a_run_file_that_is_a_device");
    let out = dir.join("run");
    dir.run_small(&out, &["--quiet"]).succeeds();
    std::fs::remove_file(out.join("run.toml")).expect("remove");
    std::os::unix::fs::symlink("/dev/urandom", out.join("run.toml")).expect("symlink");
    refused(
        &bounded(dir.command().arg("report").arg(&out)),
        &["run.toml: not a regular file (it is a character device)"],
    );
}
