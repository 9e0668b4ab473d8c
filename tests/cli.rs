//! The binary end to end: the default run, hourly outputs, daylight saving, bad input,
//! determinism across thread counts, the output-directory rules.
use chrono::{Datelike, TimeZone, Timelike};
use polars::prelude::*;
use predicates::prelude::*;

use crate::common::{Dir, column, gridstrain, read_csv, read_table, root, shipped_scenario_text};

#[test]
fn help_lists_the_commands() {
    gridstrain().arg("--help").assert().success().stdout(
        predicate::str::contains("run")
            .and(predicate::str::contains("headroom"))
            .and(predicate::str::contains("import")),
    );
    gridstrain().assert().code(2);
    gridstrain().arg("frobnicate").assert().code(2);
}

/// The README's first command: no arguments, the 52 BAs of `us-48` × 12 years × 9
/// weather years.
#[test]
fn default_run_gives_one_row_per_region_year_and_weather_year() {
    let dir = Dir::new("default_run_gives_one_row_per_region_year_and_weather_year");
    let out = dir.join("default");
    dir.command().args(["run", "--quiet"]).out(&out).succeeds();
    let (header, rows) = read_table(&out.join("metrics.csv"));
    assert_eq!(rows.len(), 52 * 12 * 9);
    for name in [
        "scenario",
        "region",
        "year",
        "weather_year",
        "training_energy_mwh",
        "inference_energy_mwh",
        "baseline_peak_mw",
        "total_peak_mw",
    ] {
        assert!(header.iter().any(|h| h == name), "missing column {name}");
    }
    let parquet = ParquetReader::new(std::fs::File::open(out.join("metrics.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(parquet.height(), 52 * 12 * 9);
    for file in [
        "summary.csv",
        "run.toml",
        "siting.csv",
        "reality_check.csv",
        "power_by_year.csv",
        "regionset_metrics.csv",
        "regionset_metrics.parquet",
    ] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    // Each workload's stock over the regions and the unallocated rest is the scope's
    // average MW, and the gross energy placed on the regions plus the unallocated rest is
    // the scope's facility energy.
    let (ph, pr) = read_csv(&out.join("power_by_year.csv"));
    let (sh, sr) = read_csv(&out.join("siting.csv"));
    let at = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let metric_year = column(&header, &rows, "year");
    let metric_weather = column(&header, &rows, "weather_year");
    let hours = column(&header, &rows, "hours");
    for workload in ["inference", "training"] {
        let total_mw = column(&ph, &pr, &format!("{workload}_average_mw"));
        let total_mwh = column(&ph, &pr, &format!("{workload}_facility_mwh"));
        let gross = column(&header, &rows, &format!("{workload}_energy_mwh"));
        for (y, (mw, mwh)) in column(&ph, &pr, "year")
            .iter()
            .zip(total_mw.iter().zip(&total_mwh))
        {
            let stock: Vec<&Vec<String>> = sr
                .iter()
                .filter(|r| {
                    r[at(&sh, "year")].parse::<f64>().unwrap() == *y
                        && r[at(&sh, "workload")] == workload
                })
                .collect();
            assert_eq!(stock.len(), 54, "52 regions, unallocated and outside_set");
            let average = |r: &Vec<String>| r[at(&sh, "average_mw")].parse::<f64>().unwrap();
            let sum: f64 = stock.iter().map(|r| average(r)).sum();
            // CSV cells carry 7 significant digits.
            assert!(
                (sum / mw - 1.0).abs() < 1e-6,
                "{workload} {y}: {sum} vs {mw}"
            );
            let unallocated = stock
                .iter()
                .find(|r| r[at(&sh, "region")] == "unallocated")
                .map(|r| average(r))
                .unwrap();
            let (placed, year_hours) = metric_year
                .iter()
                .zip(&metric_weather)
                .zip(gross.iter().zip(&hours))
                .filter(|((my, w), _)| *my == y && **w == 2016.0)
                .fold((0.0, 0.0), |(p, _), (_, (e, h))| (p + e, *h));
            let placed_all = placed + unallocated * year_hours;
            assert!(
                (placed_all / mwh - 1.0).abs() < 1e-6,
                "{workload} {y}: {placed_all} vs {mwh}"
            );
        }
    }
}

/// What is built stays: while a workload's scope total grows, no region's rated MW of it
/// falls (the long `siting.csv`), and a study of the reference year itself (2024, on
/// weather year 2024) changes no region's peak by a megawatt: the measured baseline
/// already holds that year's AI load.
#[test]
fn the_stock_stays_and_the_reference_year_adds_nothing() {
    let dir = Dir::new("the_stock_stays_and_the_reference_year_adds_nothing");
    let out = dir.run_shipped(
        "default",
        &["--years", "2024..2031", "--weather-years", "2024"],
    );
    // Where data centres are built does not depend on the weather years a run looks at.
    let other = dir.run_shipped(
        "other",
        &["--years", "2024..2031", "--weather-years", "2020..2022"],
    );
    assert_eq!(
        dir.read_bytes(out.join("siting.csv")),
        dir.read_bytes(other.join("siting.csv"))
    );
    let (sh, sr) = read_csv(&out.join("siting.csv"));
    let at = |name: &str| sh.iter().position(|c| c == name).unwrap();
    let rated = |r: &Vec<String>| r[at("rated_mw")].parse::<f64>().unwrap();
    let mut checked = 0;
    for workload in ["inference", "training"] {
        let rows_of = |year: i32| -> Vec<&Vec<String>> {
            sr.iter()
                .filter(|r| r[at("workload")] == workload && r[at("year")] == year.to_string())
                .collect()
        };
        for year in 2025..=2031 {
            let (before, now) = (rows_of(year - 1), rows_of(year));
            let total = |rows: &[&Vec<String>]| rows.iter().map(|r| rated(r)).sum::<f64>();
            if total(&now) <= total(&before) {
                continue;
            }
            for (b, n) in before.iter().zip(&now) {
                assert_eq!(b[at("region")], n[at("region")]);
                assert!(
                    rated(n) >= rated(b) - 1e-9,
                    "{workload} {year} {}: {} < {}",
                    n[at("region")],
                    rated(n),
                    rated(b)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    let (header, rows) = read_table(&out.join("metrics.csv"));
    assert!(!header.iter().any(|h| h == "firm_shortfall_mw"));
    for name in [
        "residual_above_threshold_mw",
        "new_ai_energy_mwh",
        "inference_rated_mw",
        "capacity_shortfall_mw",
    ] {
        assert!(header.iter().any(|h| h == name), "missing {name}");
    }
    // No region asks for `threshold = "capacity"`: PJM's threshold stays the
    // seasonal one, and the capacity shortfall is reported for it (not for SOCO).
    let region_at = header.iter().position(|h| h == "region").unwrap();
    let summer = column(&header, &rows, "threshold_summer_mw");
    let winter = column(&header, &rows, "threshold_winter_mw");
    let capacity = column(&header, &rows, "firm_capacity_mw");
    let shortfall = column(&header, &rows, "capacity_shortfall_mw");
    for (i, row) in rows.iter().enumerate() {
        match row[region_at].as_str() {
            "PJM" => {
                // A capacity threshold is flat: the same in summer and winter.
                assert!(
                    (summer[i] - winter[i]).abs() > 1000.0,
                    "PJM threshold is flat"
                );
                assert!(shortfall[i].is_finite());
            }
            // Every region is measured on the planning basis: SOCO's resources come from
            // its NERC area's anticipated margin.
            "SOCO" => assert!(shortfall[i].is_finite() && capacity[i].is_finite()),
            _ => {}
        }
    }
    let year = column(&header, &rows, "year");
    let increase = column(&header, &rows, "peak_increase_mw");
    let new_ai = column(&header, &rows, "new_ai_energy_mwh");
    let mut regions = 0;
    for ((y, inc), new) in year.iter().zip(&increase).zip(&new_ai) {
        if *y == 2024.0 {
            assert!(
                inc.abs() < 1.0,
                "peak changed by {inc} MW in the reference year"
            );
            assert!(new.abs() < 1e-6 * 8784.0);
            regions += 1;
        }
    }
    assert_eq!(regions, 52);
}

/// Hourly output sums to the energies of the metrics table (energy conservation).
#[test]
fn hourly_output_conserves_energy() {
    let dir = Dir::new("hourly_output_conserves_energy");
    let out = dir.join("small");
    dir.run_small(&out, &["--hourly", "--quiet"]).succeeds();
    let (header, rows) = read_table(&out.join("metrics.csv"));
    // The `new_*` hourly series are the load added above the measured baseline.
    let inference = column(&header, &rows, "new_inference_energy_mwh");
    let gross_inference = column(&header, &rows, "inference_energy_mwh");
    let training = column(&header, &rows, "new_training_energy_mwh");
    let inference_rated = column(&header, &rows, "inference_rated_mw");
    let baseline = column(&header, &rows, "baseline_energy_mwh");
    let curtailed = column(&header, &rows, "training_curtailed_mwh");
    let recovered = column(&header, &rows, "training_recovered_mwh");
    for (i, row) in rows.iter().enumerate() {
        let (region, year, weather) = (&row[1], &row[2], row[3].parse::<i32>().unwrap());
        let path = out.join(format!("hourly/small/{region}/{year}.parquet"));
        let frame = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let weather_years = frame.column("weather_year").unwrap().i32().unwrap().clone();
        let sum = |name: &str| -> f64 {
            let values = frame.column(name).unwrap().f64().unwrap();
            values
                .iter()
                .zip(weather_years.iter())
                .filter(|(_, w)| *w == Some(weather))
                .map(|(v, _)| v.unwrap())
                .sum()
        };
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        assert!(
            close(sum("new_inference_mw"), inference[i]),
            "{path:?} new inference"
        );
        assert!(
            close(sum("inference_mw"), gross_inference[i]),
            "{path:?} gross inference"
        );
        assert!(
            close(sum("new_training_mw"), training[i]),
            "{path:?} training"
        );
        // The fleet never draws above its rated MW.
        let most = frame
            .column("inference_mw")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .zip(weather_years.iter())
            .filter(|(_, w)| *w == Some(weather))
            .map(|(v, _)| v.unwrap())
            .fold(f64::MIN, f64::max);
        assert!(
            most <= inference_rated[i] * (1.0 + 1e-12),
            "{path:?}: {most} > {}",
            inference_rated[i]
        );
        assert!(close(sum("baseline_mw"), baseline[i]), "{path:?} baseline");
        // Recovery makes every curtailed MWh up: training energy after flexibility is unchanged.
        assert!(close(
            sum("new_training_after_flex_mw"),
            training[i] - curtailed[i] + recovered[i]
        ));
        assert!(frame.column("timestamp_utc").unwrap().dtype().is_temporal());
    }
}

/// Inference peaks at the profile's local peak hour (15:00) in January and in July in
/// every region: daylight saving is applied through each region's IANA time zone.
#[test]
fn inference_peak_keeps_its_local_hour_in_january_and_july() {
    let dir = Dir::new("inference_peak_keeps_its_local_hour_in_january_and_july");
    let out = dir.run_shipped(
        "dst",
        &["--years", "2030", "--weather-years", "2023", "--hourly"],
    );
    let set =
        gridstrain::input::region_set::read_region_set(&root().join("regions/us-22.toml")).unwrap();
    for region in &set.regions {
        let path = out.join(format!("hourly/default/{}/2030.parquet", region.id));
        let frame = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let stamps = frame
            .column("timestamp_utc")
            .unwrap()
            .datetime()
            .unwrap()
            .physical()
            .clone();
        let inference = frame.column("inference_mw").unwrap().f64().unwrap().clone();
        for month in [1u32, 7] {
            let mut best = (0_i64, f64::MIN);
            for (stamp, value) in stamps.iter().zip(inference.iter()) {
                let (stamp, value) = (stamp.unwrap(), value.unwrap());
                let utc = chrono::Utc.timestamp_millis_opt(stamp).unwrap();
                if utc.month() == month && value > best.1 {
                    best = (stamp, value);
                }
            }
            let local = chrono::Utc
                .timestamp_millis_opt(best.0)
                .unwrap()
                .with_timezone(&region.time_zone);
            assert_eq!(
                local.hour(),
                15,
                "{} month {month}: peak at {local}",
                region.id
            );
        }
    }
}

#[test]
fn a_misspelt_key_is_refused_with_file_and_key_and_no_output() {
    let dir = Dir::new("a_misspelt_key_is_refused_with_file_and_key_and_no_output");
    let load = root().join("regions/load/SOCO.parquet");
    let text = format!(
        "id = \"mine\"\nname = \"mine\"\nscope = \"US\"\n\n[[region]]\nid = \"SOCO\"\nname = \"SOCO\"\ntime_zone = \"America/New_York\"\npopulation = 13000000\nbaseline_growth_per_yr_frac = 0.01\nload_file = \"{}\"\n",
        load.display()
    );
    let inputs = Dir::new("a_misspelt_key_is_refused_with_file_and_key_and_no_output-inputs");
    let copy = inputs.create("misspelt.toml", text);
    let out = dir.join("never");
    dir.command()
        .args(["run", "--regions"])
        .arg(&copy)
        .out(&out)
        .fails_with(1, &["misspelt.toml, line", "baseline_growth_per_yr_frac"]);
    assert!(!out.exists());
    let leftovers = dir.entries();
    assert!(leftovers.is_empty(), "no partial directory may be left");
}

#[test]
fn shipped_inputs_validate() {
    gridstrain().arg("validate").assert().success();
}

#[test]
fn results_are_identical_with_one_thread_or_two() {
    let dir = Dir::new("results_are_identical_with_one_thread_or_two");
    let one = dir.join("one");
    let two = dir.join("two");
    dir.run_small(&one, &["--threads", "1", "--quiet"])
        .succeeds();
    dir.run_small(&two, &["--threads", "2", "--quiet"])
        .succeeds();
    for file in [
        "metrics.csv",
        "regionset_metrics.csv",
        "summary.csv",
        "siting.csv",
        "metrics.parquet",
    ] {
        assert_eq!(
            dir.read_bytes(one.join(file)),
            dir.read_bytes(two.join(file)),
            "{file}"
        );
    }
}

#[test]
fn an_existing_run_directory_needs_force() {
    let dir = Dir::new("an_existing_run_directory_needs_force");
    dir.run_small("run", &["--quiet"]).succeeds();
    dir.run_small("run", &["--quiet"])
        .fails_with(1, &["already exists"]);
    dir.run_small("run", &["--quiet", "--force"]).succeeds();
    let names = dir.entries();
    assert_eq!(
        names,
        vec!["run".to_owned()],
        "no staging folders left behind"
    );
}

#[test]
fn headroom_writes_tables() {
    let dir = Dir::new("headroom_writes_tables");
    let out = dir.join("headroom");
    let stdout = dir
        .command()
        .args(["headroom", "--limits", "0.5,1"])
        .out(&out)
        .stdout();
    assert!(
        stdout.contains("PJM") && stdout.contains("total"),
        "{stdout}"
    );
    let (header, rows) = read_csv(&out.join("headroom.csv"));
    assert_eq!(&header[..3], &["region", "limit_pct", "headroom_mw"]);
    assert_eq!(rows.len(), 23 * 2);
    assert!(out.join("headroom.parquet").is_file());
    // --quiet with --out: errors only (the files hold the table).
    let quiet = dir
        .command()
        .args(["headroom", "--limits", "0.5", "--quiet", "--force"])
        .out(&out)
        .output();
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{quiet:?}"
    );
}

/// A flat profile gives the constant-load headroom; the inference shape, which peaks in
/// the afternoon with the grid, leaves less.
#[test]
fn shaped_headroom_is_below_flat_and_flat_profile_changes_nothing() {
    let total_at = |extra: &[&str]| -> f64 {
        let output = gridstrain()
            .args(["headroom", "--limits", "0.5"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        let line = text.lines().find(|l| l.starts_with("total")).unwrap();
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    let constant = total_at(&[]);
    let flat = total_at(&["--profile", "profiles/training-flat.toml"]);
    let inference = total_at(&["--profile", "profiles/inference-chat.toml"]);
    assert_eq!(constant, flat);
    assert!(inference < 0.8 * constant, "{inference} vs {constant}");
}

#[test]
fn validate_checks_scenarios_against_region_sets_given_together() {
    let dir = Dir::new("validate_checks_scenarios_against_region_sets_given_together");
    let region_set_ca = crate::bad_input::case_file("region_scope_ca", &dir);
    dir.command()
        .args(["validate", "scenarios/default.toml"])
        .arg(&region_set_ca)
        .fails_with(1, &["key `scope`: found 'US'", "scope 'CA'"]);
    dir.command()
        .args(["validate", "scenarios/default.toml", "regions/us-22.toml"])
        .succeeds();
}

/// Parquet files found by the fuzzer (docs/fuzzing.md) on which polars' reader panics
/// (`tests/fixtures/corrupt/`) or asks for gigabytes and aborts
/// (`fuzz/reproducers/parquet_load/`): each is refused with one message naming the file
/// and exit 1 — no panic text, no abort, no backtrace.
#[test]
fn corrupt_parquet_is_an_error_not_a_panic_or_an_abort() {
    let root = crate::common::root();
    let mut files = Vec::new();
    for dir in ["tests/fixtures/corrupt", "fuzz/reproducers/parquet_load"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert!(files.len() >= 11, "{files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        gridstrain()
            .arg("validate")
            .arg(&path)
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("not a readable Parquet file")
                    .and(predicate::str::contains(name))
                    .and(predicate::str::contains("panicked").not())
                    .and(predicate::str::contains("backtrace").not())
                    .and(predicate::str::contains("memory allocation").not()),
            );
    }
}

/// Several load files are decoded in one reader process; a file that makes it abort is
/// refused and the files after it are still read (by a new process), in order.
#[test]
fn a_file_that_stops_the_reader_process_is_refused_and_the_others_are_read() {
    let root = crate::common::root();
    gridstrain::input::parquet_read::use_reader_executable(
        assert_cmd::cargo::cargo_bin!("gridstrain").to_path_buf(),
    );
    let good = root.join("regions/load/AVA.parquet");
    let aborts = root.join("fuzz/reproducers/parquet_load/abort_alloc_bitmap_2EiB.parquet");
    let inconsistent = root.join("tests/fixtures/corrupt/inconsistent_columns_1.parquet");
    let paths = [
        good.as_path(),
        aborts.as_path(),
        good.as_path(),
        inconsistent.as_path(),
        good.as_path(),
    ];
    let loads = gridstrain::input::load_file::read_load_files(&paths);
    assert_eq!(loads.len(), 5);
    let hours = loads[0]
        .as_ref()
        .expect("the first good file")
        .demand_mw
        .len();
    assert!(hours > 8760 * 8, "{hours}");
    for i in [2, 4] {
        let load = loads[i].as_ref().expect("a good file after a refused one");
        assert_eq!(load.demand_mw.len(), hours);
    }
    let refused = |i: usize| format!("{:#}", loads[i].as_ref().expect_err("refused"));
    assert!(refused(1).contains("abort_alloc_bitmap_2EiB.parquet: not a readable Parquet file (the reader process stopped on it: signal 6"), "{}", refused(1));
    assert!(refused(3).contains("inconsistent_columns_1.parquet: not a readable Parquet file (its columns decode to different lengths)"), "{}", refused(3));
}

/// A small file that decodes to a huge table (one long text repeated: a few kilobytes
/// of Parquet, hundreds of megabytes as a table) is refused by size before this process
/// holds the table.
#[test]
fn a_small_file_that_decodes_to_a_huge_table_is_refused() {
    use polars::prelude::*;
    gridstrain::input::parquet_read::use_reader_executable(
        assert_cmd::cargo::cargo_bin!("gridstrain").to_path_buf(),
    );
    let dir = Dir::new("a_small_file_that_decodes_to_a_huge_table_is_refused");
    let path = dir.join("huge.parquet");
    let rows = 300_000;
    let mut frame = df!(
        "timestamp_utc" => vec!["x".repeat(1000); rows],
        "demand_mw" => vec![1.0; rows],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    assert!(bytes < 1 << 20, "{bytes} bytes");
    let error = format!(
        "{:#}",
        gridstrain::input::load_file::read_load_file(&path).unwrap_err()
    );
    assert!(
        error.contains("huge.parquet: not a readable Parquet file (it decodes to a table of"),
        "{error}"
    );
}

/// The binary as a `std::process::Command`, whose standard output a test can set.
fn plain_command() -> std::process::Command {
    let mut command = crate::common::gridstrain_process();
    command.env_remove("RUST_BACKTRACE");
    command
}

/// A reader that has gone is not an error: `headroom` into a pipe whose read end is
/// already closed exits 0 and says nothing (the read end is closed before the child
/// starts, so the test is not racy).
#[test]
fn a_closed_pipe_ends_the_command_silently() {
    let (reader, writer) = os_pipe::pipe().unwrap();
    drop(reader);
    let (_, regions) = crate::common::small_fixture();
    let output = plain_command()
        .args(["headroom", "--limits", "0.5", "--regions"])
        .arg(&regions)
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A full disk is one clear line and exit 1, never a panic.
#[test]
fn a_full_disk_on_standard_output_is_one_clear_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let (_, regions) = crate::common::small_fixture();
    let output = plain_command()
        .args(["headroom", "--limits", "0.5", "--regions"])
        .arg(&regions)
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "error: cannot write to standard output: No space left on device"
    );
}

/// `\r\n` line endings do not shift the line numbers in messages.
#[test]
fn crlf_files_report_the_right_line() {
    let dir = Dir::new("crlf_files_report_the_right_line");
    let path = dir.create(
        "crlf.csv",
        "timestamp_utc,demand_mw\r\n2024-01-01T00:00:00Z,1\r\n2024-01-01T00:00:00Z,2\r\n",
    );
    dir.command()
        .arg("validate")
        .arg(&path)
        .fails_with(1, &["crlf.csv, line 3: duplicate hour"]);
}

/// A utility's own large-load forecast alone, on a one-region set: the region's rated
/// inference MW is the stated MW × realisation, and every run writes its reality check.
#[test]
fn a_regional_load_alone_on_one_region() {
    let dir = Dir::new("a_regional_load_alone_on_one_region");
    let scenario = dir.create(
        "one.toml",
        format!(
            r#"name = "one"
scope = "US"
first_year = 2024
last_year = 2035

[[regional_load]]
region = "SOCO"
workload = "inference"
rated_mw_by_year = {{ 2026 = 1000, 2028 = 3000, 2030 = 5000 }}
realisation_frac = 0.5
source = "test"

[training]
power_frac = 0.8
profile = "{root}/profiles/training-flat.toml"

[inference]
power_frac = 0.5417
profile = "{root}/profiles/inference-chat.toml"
"#,
            root = crate::common::root().display()
        ),
    );
    let out = dir.join("out");
    dir.command()
        .args(["run", "--quiet", "--regions", "regions/examples/soco.toml"])
        .args(["--weather-years", "2024", "--scenario"])
        .arg(&scenario)
        .out(&out)
        .succeeds();
    let (header, rows) = read_table(&out.join("metrics.csv"));
    let years = column(&header, &rows, "year");
    let rated = column(&header, &rows, "inference_rated_mw");
    let expected = |y: f64| match y as i32 {
        ..=2025 => 0.0,
        2026 => 500.0,
        2027 => 1000.0,
        2028 => 1500.0,
        2029 => 2000.0,
        _ => 2500.0,
    };
    for (y, mw) in years.iter().zip(&rated) {
        assert!((mw - expected(*y)).abs() < 1e-9, "{y}: {mw}");
    }
    assert!(out.join("reality_check.csv").is_file());
}

/// The operators' own forecasts run through the same metrics, and the shipped region set
/// states today's data-centre load of every region with its source and confidence.
#[test]
fn the_operators_scenario_runs_and_every_region_has_its_datacenter_load() {
    let dir = Dir::new("the_operators_scenario_runs_and_every_region_has_its_datacenter_load");
    let out = dir.run_shipped(
        "ops",
        &[
            "--scenario",
            "operators",
            "--years",
            "2030",
            "--weather-years",
            "2024",
        ],
    );
    let (header, rows) = read_csv(&out.join("reality_check.csv"));
    let region = header.iter().position(|h| h == "region").unwrap();
    let ratio = header
        .iter()
        .position(|h| h == "run_over_operator_frac")
        .unwrap();
    let status = header.iter().position(|h| h == "operator_status").unwrap();
    let pjm: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[region] == "PJM" && r[status] == "adjusted_forecast")
        .collect();
    assert_eq!(pjm.len(), 1);
    let pjm_ratio: f64 = pjm[0][ratio].parse().unwrap();
    assert!((0.8..=1.1).contains(&pjm_ratio), "{pjm_ratio}");
    let text =
        std::fs::read_to_string(crate::common::root().join("regions/catalogue.toml")).unwrap();
    let set: toml::Table = toml::from_str(&text).unwrap();
    let regions = set["region"].as_array().unwrap();
    assert_eq!(regions.len(), 125);
    for r in regions {
        let id = r["id"].as_str().unwrap();
        let mw = &r["existing_datacenter_mw"];
        let mw = mw.as_float().or_else(|| mw.as_integer().map(|v| v as f64));
        assert!(mw.is_some_and(|mw| mw >= 0.0), "{id}");
        assert!(
            !r["existing_datacenter_source"].as_str().unwrap().is_empty(),
            "{id}"
        );
        assert!(
            ["published", "derived", "estimated"]
                .contains(&r["existing_datacenter_confidence"].as_str().unwrap()),
            "{id}"
        );
    }
}

/// Emissions are the AI energy delivered times the region's shipped rate; the firm capacity
/// the new AI load calls for is costed at the technology's price per accredited kW;
/// flexibility never adds to the need and somewhere avoids some of it; the hardware
/// capital is reported by workload.
#[test]
fn emissions_firm_capacity_and_hardware_capital() {
    let dir = Dir::new("emissions_firm_capacity_and_hardware_capital");
    let out = dir.run_shipped(
        "default",
        &[
            "--regions",
            "us-22",
            "--years",
            "2029..2031",
            "--weather-years",
            "2023..2024",
        ],
    );
    let text = std::fs::read_to_string(root().join("regions/catalogue.toml")).unwrap();
    let set: toml::Table = toml::from_str(&text).unwrap();
    let rate_of = |id: &str| -> f64 {
        let region = set["region"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"].as_str() == Some(id))
            .unwrap();
        assert!(!region["co2_basis"].as_str().unwrap().is_empty(), "{id}");
        assert!(!region["co2_source"].as_str().unwrap().is_empty(), "{id}");
        region["co2_lb_per_mwh"].as_float().unwrap()
    };
    let (header, rows) = read_table(&out.join("metrics.csv"));
    let get = |name: &str| column(&header, &rows, name);
    let region_at = header.iter().position(|h| h == "region").unwrap();
    let (co2, new_ai, curtailed, recovered) = (
        get("ai_co2_t"),
        get("new_ai_energy_mwh"),
        get("training_curtailed_mwh"),
        get("training_recovered_mwh"),
    );
    let (needed, cost, avoided) = (
        get("firm_capacity_needed_mw"),
        get("firm_capacity_cost_usd"),
        get("flexibility_avoided_mw"),
    );
    let mut some_avoided = false;
    for (i, row) in rows.iter().enumerate() {
        let delivered = new_ai[i] - curtailed[i] + recovered[i];
        let expected = delivered * rate_of(&row[region_at]) * 0.453_592_37 / 1000.0;
        assert!(
            (co2[i] - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{}: {} vs {expected}",
            row[region_at],
            co2[i]
        );
        // Each region's cost of new entry (PJM's CONE or the national AEO2026 figure), the
        // CT counted at its rating on the planning basis.
        let cone = if row[region_at].starts_with("PJM") {
            1417.0
        } else {
            1158.0
        };
        let expected_cost = needed[i] * cone * 1000.0;
        assert!((cost[i] - expected_cost).abs() <= 1e-6 * expected_cost.abs().max(1.0));
        assert!(avoided[i] >= 0.0, "{}: {}", row[region_at], avoided[i]);
        some_avoided |= avoided[i] > 1.0;
    }
    assert!(some_avoided, "flexibility avoids firm capacity somewhere");
    let (ph, pr) = read_csv(&out.join("power_by_year.csv"));
    for name in [
        "training_accelerators",
        "inference_accelerators",
        "training_accelerators_purchased",
        "inference_accelerators_purchased",
        "training_hardware_capital_usd",
        "inference_hardware_capital_usd",
        "inference_share_hardware_capital_frac",
    ] {
        assert!(column(&ph, &pr, name).iter().all(|v| *v > 0.0), "{name}");
    }
}

/// Off a terminal, `run` prints only the run folder's path on stdout (for scripts); with
/// `--quiet`, nothing at all. (On a terminal it ends with a short headline on stderr.)
#[test]
fn run_off_a_terminal_prints_only_its_folder() {
    let dir = Dir::new("run_off_a_terminal_prints_only_its_folder");
    let out = dir.join("small");
    let output = dir.run_small(&out, &[]).succeeds().get_output().clone();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{}\n", out.display())
    );
    let output = dir
        .run_small("quiet", &["--quiet"])
        .succeeds()
        .get_output()
        .clone();
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "{output:?}"
    );
}

/// Bad usage is exit 2 in every command that takes the argument: `--threads` outside
/// 1 ..= 4 × the cores, a malformed or out-of-range `--years` / `--weather-years`,
/// `--max-gap-h` outside 1 ..= 8760, `--seed` beyond 2^63 − 1. Nothing is computed.
#[test]
fn out_of_range_arguments_are_bad_usage_everywhere() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let too_many = (4 * cores + 1).to_string();
    let dir = Dir::new("out_of_range_arguments_are_bad_usage_everywhere");
    let out = dir.join("out");
    let commands: [&[&str]; 4] = [
        &["run"],
        &["sweep", "--samples", "2"],
        &["batch", "--scenarios", "default"],
        &["headroom"],
    ];
    for command in commands {
        for threads in ["0", too_many.as_str(), "100000", "many"] {
            dir.command()
                .args(command)
                .args(["--threads", threads])
                .out(&out)
                .fails_with(2, &["--threads"]);
        }
        dir.command()
            .args(command)
            .args(["--threads", &too_many])
            .fails_with(
                2,
                &[&format!(
                    "at most {} (4 × the {cores} available cores)",
                    4 * cores
                )],
            );
        for years in ["20x0", "2035..2024", "1200..1300", "99999999999"] {
            dir.command()
                .args(command)
                .args(["--weather-years", years])
                .out(&out)
                .fails_with(2, &["--weather-years"]);
            if command[0] != "headroom" {
                dir.command()
                    .args(command)
                    .args(["--years", years])
                    .out(&out)
                    .fails_with(2, &["--years"]);
            }
        }
    }
    for gap in ["0", "8761", "9223372036854775808"] {
        dir.command()
            .args(["import", "in.csv", "--fill-gaps", "--max-gap-h", gap])
            .out(dir.join("x.parquet"))
            .fails_with(2, &["1 to 8760"]);
    }
    for limits in ["0", "100", "NaN", "1,inf", "x"] {
        dir.command()
            .args(["headroom", "--limits", limits])
            .out(&out)
            .fails_with(2, &["--limits"]);
    }
    dir.command()
        .args(["headroom", "--time-zone", "Mars/Olympus"])
        .out(&out)
        .fails_with(2, &["unknown time zone"]);
    dir.command()
        .args(["import", "in.csv", "--time-zone", "Mars/Olympus"])
        .out(dir.join("x.parquet"))
        .fails_with(2, &["unknown time zone"]);
    for seed in ["9223372036854775808", "18446744073709551615"] {
        dir.command()
            .args(["sweep", "--samples", "2", "--seed", seed])
            .out(&out)
            .fails_with(2, &["0 to 9223372036854775807"]);
    }
    assert!(!out.exists());
}

/// `--help` and `--version` that cannot be written (a full disk) fail; into a pipe whose
/// reader has gone they stay silent with exit 0.
#[test]
fn help_and_version_check_their_write() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["sweep", "--help"],
        &["help"],
    ] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let output = plain_command().args(args).stdout(full).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("cannot write to standard output"),
            "{output:?}"
        );
        let (reader, writer) = os_pipe::pipe().unwrap();
        drop(reader);
        let output = plain_command().args(args).stdout(writer).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert!(output.stderr.is_empty(), "{output:?}");
    }
}

/// `validate` checks what `run` needs (issue 21): a region whose load holds no full year
/// passes every per-file rule, yet `run` cannot use it — `validate` of the scenario with
/// the set refuses it with the same message.
#[test]
fn validate_refuses_what_run_refuses_a_load_without_a_full_year() {
    let dir = Dir::new("validate_refuses_what_run_refuses_a_load_without_a_full_year");
    let mut csv = String::from("timestamp_utc,demand_mw\n");
    for h in 0..(24 * 40) {
        let t = chrono::DateTime::from_timestamp(1_704_067_200 + h * 3600, 0).unwrap();
        csv.push_str(&format!(
            "{},{}\n",
            t.format("%Y-%m-%dT%H:%M:%SZ"),
            1000 + h % 24
        ));
    }
    dir.create("short.csv", csv);
    let pacw = root().join("tests/fixtures/small/regions/load/PACW.parquet");
    let text = format!(
        "id = \"short\"\nname = \"One region, 40 days of load\"\nscope = \"PNW\"\nscope_population = 340_110_988\ntraining_scope_share_frac = 0.01\n[[region]]\nid = \"PGE\"\nname = \"Portland General Electric\"\ntime_zone = \"America/Los_Angeles\"\npopulation = 1_800_000\nbaseline_growth_per_year_frac = 0.01\nload_file = \"short.csv\"\n[[region]]\nid = \"PACW\"\nname = \"PacifiCorp West\"\ntime_zone = \"America/Los_Angeles\"\npopulation = 1_524_000\nbaseline_growth_per_year_frac = 0.02\nload_file = \"{}\"\n",
        pacw.display()
    );
    let set = dir.create("short.toml", text);
    let scenario = root().join("tests/fixtures/small/scenarios/small.toml");
    let validate_text = dir
        .command()
        .args(["validate"])
        .arg(&set)
        .arg(&scenario)
        .fails_any();
    assert!(validate_text.contains("no full year"), "{validate_text}");
    let run_text = dir
        .command()
        .args(["run", "--quiet", "--regions"])
        .arg(&set)
        .arg("--scenario")
        .arg(&scenario)
        .out(dir.join("out"))
        .fails_any();
    assert!(run_text.contains("no full year"), "{run_text}");
}

/// A forecast in the form utilities publish it (issue 21): `peak_mw_by_year` is MW at the
/// system peak, converted to rated MW with the fleet's peak-hour draw and said so; it gives
/// the same study as the rated figures divided by hand.
#[test]
fn a_forecast_in_mw_at_the_peak_is_converted_to_rated_mw() {
    let dir = Dir::new("a_forecast_in_mw_at_the_peak_is_converted_to_rated_mw");
    // The shipped scenario states the IRP's MW at the peak.
    let text = shipped_scenario_text("georgia-power");
    assert!(text.contains("peak_mw_by_year"));
    let scenario = dir.create("peak.toml", text);
    let out = dir.run_shipped(
        "out",
        &[
            "--scenario",
            scenario.to_str().unwrap(),
            "--regions",
            "regions/examples/soco.toml",
            "--years",
            "2030..2030",
            "--weather-years",
            "2024",
        ],
    );
    let (header, rows) = read_table(&out.join("metrics.csv"));
    let rated = column(&header, &rows, "inference_rated_mw")[0];
    // 8,200 MW at the peak / (0.5417 × the chat profile's peak-to-mean ≈ 1.477) ≈ 10,250.
    assert!((rated / 10_250.0 - 1.0).abs() < 2e-3, "{rated}");
    let record = dir.read(out.join("run.toml"));
    assert!(
        record.contains("entered as MW at the peak"),
        "run.toml says so"
    );
    // Both forms at once is refused, naming the key.
    let both = dir.create(
        "both.toml",
        dir.read(&scenario).replace(
            "peak_mw_by_year = {",
            "rated_mw_by_year = { 2030 = 1 }\npeak_mw_by_year = {",
        ),
    );
    let message = dir.command().args(["validate"]).arg(&both).fails_any();
    assert!(
        message.contains("`peak_mw_by_year`") && message.contains("expected one of them"),
        "{message}"
    );
}

/// Several files of one region (EIA's half-year files) are imported in one command,
/// joined in time order; hours both give must agree and are kept once (issue 21).
#[test]
fn two_half_year_files_are_joined_and_their_overlap_reported() {
    let dir = Dir::new("two_half_year_files_are_joined_and_their_overlap_reported");
    let start = 1_672_531_200_i64; // 2023-01-01T00:00Z
    let hours = 8760_i64;
    let write = |name: &str, from: i64, to: i64, change_at: Option<i64>| {
        let mut csv = String::from("timestamp_utc,demand_mw\n");
        for h in from..to {
            let t = chrono::DateTime::from_timestamp(start + h * 3600, 0).unwrap();
            let mw = 1000.0 + 200.0 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
            let mw = if change_at == Some(h) { mw + 1.0 } else { mw };
            csv.push_str(&format!("{},{mw}\n", t.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        dir.create(name, csv)
    };
    // January–June and June–December, with one day in both.
    let first = write("first-half.csv", 0, 4368, None);
    let second = write("second-half.csv", 4344, hours, None);
    let out = dir.join("joined.parquet");
    dir.command()
        .arg("import")
        .arg(&first)
        .arg(&second)
        .out(&out)
        .succeeds();
    let load = gridstrain::input::load_file::read_load_file(&out).unwrap();
    assert_eq!(load.demand_mw.len(), 8760);
    let provenance = dir.read(out.with_extension("provenance.md"));
    assert!(
        provenance.contains("joined 2 files")
            && provenance.contains("24 hour(s) given by two files"),
        "{provenance}"
    );
    // Files that disagree on an hour they both give are refused, naming both.
    let changed = write("second-changed.csv", 4344, hours, Some(4350));
    let message = dir
        .command()
        .arg("import")
        .arg(&first)
        .arg(&changed)
        .out(dir.join("bad.parquet"))
        .fails_any();
    assert!(
        message.contains("first-half.csv")
            && message.contains("second-changed.csv")
            && message.contains("both give hour"),
        "{message}"
    );
}

/// The analyst's path on a fresh clone (issue 21): a year of EIA-930 balance files as EIA
/// publishes them (two half-year files of every BA, kept outside the project) imported
/// in one command without naming the format; the printed block pasted into a new
/// region-set file runs with no further edits and no `--weather-years`.
#[test]
fn eia930_half_year_files_import_and_run_as_pasted() {
    let dir = Dir::new("eia930_half_year_files_import_and_run_as_pasted");
    let downloads = dir.create_dir("downloads");
    let work = dir.join("work");
    dir.create_dir("work/sets");
    let soco =
        gridstrain::input::load_file::read_load_file(&root().join("regions/load/SOCO.parquet"))
            .unwrap();
    let start = 1_672_531_200_i64 / 3600; // 2023-01-01T00:00Z
    let offset = usize::try_from(start - soco.first_epoch_hour).unwrap();
    let header = "Balancing Authority,Data Date,Hour Number,Local Time at End of Hour,UTC Time at End of Hour,Demand Forecast (MW),Demand (MW),Net Generation (MW),Demand (MW) (Adjusted),Region\n";
    let write = |name: &str, hours: std::ops::Range<usize>| {
        let mut csv = String::from(header);
        for h in hours {
            let ending = chrono::DateTime::from_timestamp((start + h as i64 + 1) * 3600, 0)
                .unwrap()
                .naive_utc();
            let utc = ending.format("%m/%d/%Y %-I:%M:%S %p");
            let mw = soco.demand_mw[offset + h].round();
            // As EIA writes them: thousands separated, quoted; another BA in the same file.
            let with_commas = |v: f64| {
                let v = v as i64;
                if v >= 1000 {
                    format!("\"{},{:03}\"", v / 1000, v % 1000)
                } else {
                    v.to_string()
                }
            };
            csv.push_str(&format!(
                "SOCO,{},{},{utc},{utc},{},{},{},{},SE\n",
                ending.format("%m/%d/%Y"),
                h % 24 + 1,
                with_commas(mw),
                with_commas(mw),
                with_commas(mw),
                with_commas(mw)
            ));
            csv.push_str(&format!(
                "TVA,{},{},{utc},{utc},\"17,000\",\"17,000\",\"17,000\",\"17,000\",TEN\n",
                ending.format("%m/%d/%Y"),
                h % 24 + 1,
            ));
        }
        dir.create(downloads.join(name), csv)
    };
    let first = write("EIA930_BALANCE_2023_Jan_Jun.csv", 0..4344);
    let second = write("EIA930_BALANCE_2023_Jul_Dec.csv", 4344..8760);
    // Without --ba, the file's BAs are listed.
    let message = dir
        .command()
        .current_dir(&work)
        .arg("import")
        .arg(&first)
        .arg(&second)
        .out("data/soco-2023.parquet")
        .fails_any();
    assert!(
        message.contains("SOCO") && message.contains("TVA") && message.contains("--ba"),
        "{message}"
    );
    let block = dir
        .command()
        .current_dir(&work)
        .arg("import")
        .arg(&first)
        .arg(&second)
        .args(["--ba", "SOCO", "--out", "data/soco-2023.parquet"])
        .args(["--region-set", "sets/mine.toml"])
        .stdout();
    assert!(
        block.contains("load_file = \"../data/soco-2023.parquet\""),
        "{block}"
    );
    assert!(
        block.contains("America/New_York") && !block.contains("population = 1\n"),
        "{block}"
    );
    // Pasted alone: the set takes its id from the file's name and the shipped scope.
    dir.create("work/sets/mine.toml", &block);
    dir.command()
        .current_dir(&work)
        .args(["validate", "sets/mine.toml"])
        .arg(root().join("scenarios/default.toml"))
        .succeeds();
    let out = work.join("out");
    dir.command()
        .current_dir(&work)
        .args([
            "run",
            "--quiet",
            "--regions",
            "sets/mine.toml",
            "--scenario",
        ])
        .arg(root().join("scenarios/default.toml"))
        .out(&out)
        .succeeds();
    let (header, rows) = read_table(&out.join("metrics.csv"));
    assert!(rows.iter().all(|r| r[1] == "SOCO"), "one region");
    let weather = column(&header, &rows, "weather_year");
    assert!(
        weather.iter().all(|w| *w == 2023.0),
        "one weather year, 2023"
    );
    let new_ai = column(&header, &rows, "new_ai_at_peak_mw");
    assert!(
        new_ai.iter().any(|mw| *mw > 1000.0),
        "SOCO takes its part of the nation: {new_ai:?}"
    );
}

/// A one-utility study on the utility's own region (no emission rate, no national
/// projection): report and headline say what is not known instead of 0.0, and speak of
/// the years its forecast names (issue 21).
#[test]
fn a_one_utility_study_says_what_is_not_known_and_names_its_years() {
    let dir = Dir::new("a_one_utility_study_says_what_is_not_known_and_names_its_years");
    let scenario = dir.create(
        "myco.toml",
        shipped_scenario_text("georgia-power").replace("region = \"SOCO\"", "region = \"MYCO\""),
    );
    let set = dir.create(
        "myco-set.toml",
        format!(
            "id = \"myco\"\nname = \"My utility\"\nscope = \"US\"\n\n[[region]]\nid = \"MYCO\"\nname = \"My utility\"\ntime_zone = \"America/New_York\"\npopulation = 9000000\nbaseline_growth_per_year_frac = 0.01\nload_file = {:?}\n",
            root().join("regions/load/SOCO.parquet").display().to_string()
        ),
    );
    let out = dir.run_shipped(
        "out",
        &[
            "--scenario",
            scenario.to_str().unwrap(),
            "--regions",
            set.to_str().unwrap(),
            "--weather-years",
            "2023..2024",
        ],
    );
    let report = dir.read(out.join("report.md"));
    // The first screen and the findings (up to the key figures).
    let findings = report.split("## Key figures").next().unwrap();
    assert!(!findings.contains("0.0 Mt"), "{findings}");
    assert!(!findings.contains("draw 0.0 GW"), "{findings}");
    assert!(findings.contains("CO2 is not known"), "{findings}");
    assert!(
        findings.contains("national AI load is not known"),
        "{findings}"
    );
    for year in ["- 2028:", "- 2030:", "- 2034:"] {
        assert!(findings.contains(year), "{year}: {findings}");
    }
    assert!(!findings.contains("- 2024:"), "{findings}");
    assert!(
        !report.contains("US AI data-centre energy by workload"),
        "no empty national chart"
    );
    let record = dir.read(out.join("run.toml"));
    assert!(
        record.contains("milestone_years = [2028, 2030, 2034]"),
        "{record}"
    );
    let (header, rows) = read_table(&out.join("regionset_metrics.csv"));
    let at = header.iter().position(|h| h == "ai_co2_t").unwrap();
    assert!(rows.iter().all(|r| r[at].is_empty()), "CO2 empty, not 0");
    let count = column(&header, &rows, "regions_without_co2_rate");
    assert!(count.iter().all(|c| *c == 1.0), "{count:?}");
    assert!(
        record.contains("region MYCO: no emission rate"),
        "run.toml says why its CO2 is empty"
    );
    // summary.csv: the worst weather year's peak hour, UTC and local; the set's in UTC.
    let (header, rows) = read_table(&out.join("summary.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let peak = rows
        .iter()
        .find(|r| r[at("metric")] == "total_peak_mw" && r[at("year")] == "2030")
        .unwrap();
    let worst_year = &peak[at("worst_weather_year")];
    let local = &peak[at("worst_peak_hour_local")];
    assert!(
        peak[at("worst_peak_hour_utc")].starts_with("2030-"),
        "{peak:?}"
    );
    assert!(
        local.ends_with("-04:00") || local.ends_with("-05:00"),
        "{peak:?}"
    );
    // The same hour as metrics.csv gives for that weather year.
    let (m_header, m_rows) = read_table(&out.join("metrics.csv"));
    let m_at = |name: &str| m_header.iter().position(|h| h == name).unwrap();
    let row = m_rows
        .iter()
        .find(|r| r[m_at("year")] == "2030" && &r[m_at("weather_year")] == worst_year)
        .unwrap();
    assert_eq!(&row[m_at("total_peak_hour_local")], local);
    let set_peak = rows
        .iter()
        .find(|r| r[at("metric")] == "coincident_total_peak_mw" && r[at("year")] == "2030")
        .unwrap();
    assert!(
        set_peak[at("worst_peak_hour_utc")].ends_with('Z'),
        "{set_peak:?}"
    );
}

/// The README's one-utility example works exactly as written, saved where it says (a
/// `scenarios/` folder beside `profiles/`), for `run` and for `sweep` (issue 21).
#[test]
fn the_readmes_one_utility_example_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("# scenarios/my-utility.toml")
        .expect("the README's example");
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = Dir::new("the_readmes_one_utility_example_runs_as_written");
    let profiles = dir.create_dir("profiles");
    for entry in std::fs::read_dir(root().join("profiles")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, profiles.join(path.file_name().unwrap())).unwrap();
    }
    let scenario = dir.create("scenarios/my-utility.toml", block);
    for command in ["run", "sweep"] {
        let mut cmd = dir.command();
        cmd.args([command, "--quiet", "--scenario"])
            .arg(&scenario)
            .args(["--regions", "SOCO", "--years", "2028..2030"])
            .out(dir.join(command));
        if command == "sweep" {
            cmd.args(["--samples", "20"]);
        }
        cmd.succeeds();
    }
    let record = dir.read("run/run.toml");
    assert!(record.contains("entered as MW at the peak"), "{record}");
}
