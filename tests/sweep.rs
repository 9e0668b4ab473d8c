//! `gridstrain sweep` end to end: byte-identical outputs for one seed (twice, and with one
//! thread), ordered bands with spread on the shipped study, collapsed ranges that
//! reproduce `run`, the pruned engine equal to the full one, per-sample rows, bad usage.
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::common::{
    Dir, column, read_csv, shipped_scenario_text, small_fixture, small_fixture_texts,
};

fn read_parquet(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(file).finish().expect("parquet")
}

#[test]
fn one_seed_gives_the_same_bytes_twice_and_with_one_thread() {
    let dir = Dir::new("one_seed_gives_the_same_bytes_twice_and_with_one_thread");
    let runs = [
        (dir.join("a"), vec!["--samples", "300", "--seed", "7"]),
        (dir.join("b"), vec!["--samples", "300", "--seed", "7"]),
        (
            dir.join("c"),
            vec!["--samples", "300", "--seed", "7", "--threads", "1"],
        ),
    ];
    for (out, extra) in &runs {
        dir.sweep_small(out, extra).succeeds();
    }
    for file in ["bands.csv", "bands.parquet", "samples.parquet"] {
        let first = dir.read_bytes(runs[0].0.join(file));
        for (out, _) in &runs[1..] {
            assert!(
                first == dir.read_bytes(out.join(file)),
                "{file} differs in {}",
                out.display()
            );
        }
    }
    // Another seed draws other samples.
    let other = dir.join("d");
    dir.sweep_small(&other, &["--samples", "300", "--seed", "8"])
        .succeeds();
    assert!(dir.read_bytes(runs[0].0.join("bands.csv")) != dir.read_bytes(other.join("bands.csv")));
    // run.toml records the sweep.
    let record = dir.read(runs[0].0.join("run.toml"));
    assert!(
        record.contains("[sweep]")
            && record.contains("samples = 300")
            && record.contains("seed = 7")
    );
}

#[test]
fn bands_are_ordered_and_the_shipped_study_has_spread() {
    let dir = Dir::new("bands_are_ordered_and_the_shipped_study_has_spread");
    let out = dir.join("sweep");
    dir.command()
        .args([
            "sweep",
            "--quiet",
            "--samples",
            "200",
            "--years",
            "2030..2031",
        ])
        .out(&out)
        .succeeds();
    let (header, rows) = read_csv(&out.join("bands.csv"));
    assert!(!rows.is_empty());
    let q: Vec<Vec<f64>> = ["p5", "p10", "p50", "p90", "p95"]
        .iter()
        .map(|name| column(&header, &rows, name))
        .collect();
    for i in 0..rows.len() {
        for j in 1..q.len() {
            assert!(q[j - 1][i] <= q[j][i], "row {i}: {:?}", rows[i]);
        }
    }
    let find = |scope: &str, metric: &str, year: &str| -> (f64, f64, f64) {
        let row = rows
            .iter()
            .position(|r| r[1] == scope && r[3] == year && r[4] == metric)
            .unwrap_or_else(|| panic!("{scope} {metric} {year}"));
        (q[0][row], q[2][row], q[4][row])
    };
    // The inputs' spread reaches the set's energy, peak and firm need.
    for metric in [
        "ai_energy_mwh",
        "coincident_total_peak_after_flex_mw",
        "firm_capacity_needed_sum_mw",
        "ai_co2_t",
    ] {
        let (p5, p50, p95) = find("region_set", metric, "2031");
        assert!(p5 < p50 && p50 < p95, "{metric}: {p5} {p50} {p95}");
        assert!((p95 - p5) / p50.abs() > 0.05, "{metric}: too narrow");
    }
    let (samples_header, _) = read_csv(&out.join("bands.csv"));
    assert_eq!(
        samples_header,
        [
            "scenario", "scope", "region", "year", "metric", "samples", "mean", "p5", "p10", "p50",
            "p90", "p95"
        ]
    );
    let samples = read_parquet(&out.join("samples.parquet"));
    assert_eq!(samples.height(), 200);
    assert!(samples.column("facility.pue").is_ok());
}

/// The shipped default scenario with every range collapsed onto its central value,
/// written to `collapsed.toml` in `dir` with absolute profile paths.
fn collapsed_default(dir: &Dir) -> PathBuf {
    let text = shipped_scenario_text("default");
    let mut out = String::new();
    let mut in_uncertainty = false;
    let (mut low, mut high, mut mode) = (String::new(), String::new(), None::<String>);
    for line in text.lines() {
        if line.starts_with('[') {
            in_uncertainty = line.starts_with("[uncertainty.");
            mode = None;
        }
        let value = |prefix: &str| line.strip_prefix(prefix).map(str::to_owned);
        if in_uncertainty {
            if let Some(v) = value("mode = ") {
                mode = Some(v);
            }
            if let Some(v) = value("low = ") {
                low = v;
                continue;
            }
            if let Some(v) = value("high = ") {
                high = v;
                continue;
            }
            if line.starts_with("source = ") {
                // The centre: the mode, or the middle of a uniform range.
                let centre = mode.clone().unwrap_or_else(|| {
                    let (a, b): (f64, f64) = (low.parse().unwrap(), high.parse().unwrap());
                    format!("{:?}", (a + b) / 2.0)
                });
                out.push_str(&format!("low = {centre}\nhigh = {centre}\n"));
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(out.matches("low = ").count() >= 10, "every table collapsed");
    dir.create("collapsed.toml", out)
}

/// Every per-sample region row equals `run`'s row of the same region, year and weather
/// year to 1e-9 (headroom metrics aside: a sweep does not solve them); set rows too.
fn assert_reproduces_run(sweep_dir: &Path, run_dir: &Path) {
    let close = |a: f64, b: f64| {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    };
    for (csv, parquet, key) in [
        ("metrics.csv", "per_sample_metrics.parquet", "region"),
        (
            "regionset_metrics.csv",
            "per_sample_regionset_metrics.parquet",
            "region_set",
        ),
    ] {
        let (header, rows) = crate::common::read_table(&run_dir.join(csv));
        let per_sample = read_parquet(&sweep_dir.join(parquet));
        assert!(per_sample.height() > 0);
        let labels = |name: &str| -> Vec<String> {
            per_sample
                .column(name)
                .unwrap()
                .cast(&DataType::String)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("").to_owned())
                .collect()
        };
        let (ids, years, weather) = (labels(key), labels("year"), labels("weather_year"));
        let index = |name: &str| header.iter().position(|h| h == name).unwrap();
        let mut compared = 0;
        for name in &header {
            let Ok(values) = per_sample
                .column(name.as_str())
                .and_then(|c| c.cast(&DataType::Float64))
            else {
                continue;
            };
            let Ok(values) = values.f64() else { continue };
            // Headroom and the need at other curtailment depths are `run`'s only.
            if name.starts_with("headroom_")
                || name.contains("shaped_headroom")
                || name.contains("_depth_")
                || name == "year"
                || name == "weather_year"
            {
                continue;
            }
            let expected = column(&header, &rows, name);
            for (i, got) in values.iter().enumerate() {
                let row = rows
                    .iter()
                    .position(|r| {
                        r[index(key)] == ids[i]
                            && r[index("year")] == years[i]
                            && r[index("weather_year")] == weather[i]
                    })
                    .expect("run has the row");
                let got = got.unwrap_or(f64::NAN);
                assert!(
                    close(got, expected[row]),
                    "{csv} {name} {} {} {}: sweep {got} run {}",
                    ids[i],
                    years[i],
                    weather[i],
                    expected[row]
                );
                compared += 1;
            }
        }
        assert!(compared > 100, "{csv}: {compared} values compared");
    }
}

#[test]
fn collapsed_ranges_reproduce_run() {
    let dir = Dir::new("collapsed_ranges_reproduce_run");
    let scenario = collapsed_default(&dir);
    let common = ["--years", "2030..2031", "--weather-years", "2022..2024"];
    let run_dir = dir.join("run");
    dir.command()
        .args(["run", "--quiet", "--scenario"])
        .arg(&scenario)
        .args(common)
        .out(&run_dir)
        .succeeds();
    for (name, extra) in [
        ("drawn", vec!["--samples", "6"]),
        ("all", vec!["--samples", "2", "--all-weather-years"]),
    ] {
        let out = dir.join(name);
        dir.command()
            .args(["sweep", "--quiet", "--per-sample", "--scenario"])
            .arg(&scenario)
            .args(common)
            .args(extra)
            .out(&out)
            .succeeds();
        assert_reproduces_run(&out, &run_dir);
    }
}

#[test]
fn the_pruned_engine_gives_the_full_engines_numbers() {
    let dir = Dir::new("the_pruned_engine_gives_the_full_engines_numbers");
    // The fixture: a recovery window, a capacity threshold, regional loads, wide ranges.
    let (pruned, full) = (dir.join("pruned"), dir.join("full"));
    let extra = ["--samples", "120", "--per-sample", "--all-weather-years"];
    dir.sweep_small(&pruned, &extra).succeeds();
    dir.sweep_small(&full, &extra)
        .arg("--full-engine")
        .succeeds();
    for file in [
        "bands.csv",
        "per_sample_metrics.parquet",
        "per_sample_regionset_metrics.parquet",
    ] {
        assert!(
            dir.read_bytes(pruned.join(file)) == dir.read_bytes(full.join(file)),
            "{file}"
        );
    }
    // The shipped study late in the period, where curtailment is common.
    let (pruned, full) = (dir.join("pruned-us"), dir.join("full-us"));
    for (out, extra) in [(&pruned, None), (&full, Some("--full-engine"))] {
        dir.command()
            .args(["sweep", "--quiet", "--per-sample", "--samples", "12"])
            .args(["--regions", "us-22", "--years", "2034..2035"])
            .out(out)
            .args(extra)
            .succeeds();
    }
    for file in [
        "bands.csv",
        "per_sample_metrics.parquet",
        "per_sample_regionset_metrics.parquet",
    ] {
        assert!(
            dir.read_bytes(pruned.join(file)) == dir.read_bytes(full.join(file)),
            "us-22 {file}"
        );
    }
    let rows = read_parquet(&pruned.join("per_sample_metrics.parquet"));
    assert_eq!(rows.height(), 12 * 22 * 2, "sample × region × year");
    let curtailed = rows
        .column("training_curtailed_mwh")
        .unwrap()
        .f64()
        .unwrap()
        .sum()
        .unwrap();
    assert!(curtailed > 0.0, "the case exercises flexibility");
}

#[test]
fn zero_samples_is_bad_usage_and_writes_nothing() {
    let dir = Dir::new("zero_samples_is_bad_usage_and_writes_nothing");
    let out = dir.join("none");
    dir.command()
        .args(["sweep", "--samples", "0"])
        .out(&out)
        .fails_with(2, &["--samples"]);
    assert!(!out.exists());
}

#[test]
fn a_region_parameter_that_does_not_apply_is_refused_with_its_line() {
    // The fixture's regions give no existing data-centre load to scale.
    let dir = Dir::new("a_region_parameter_that_does_not_apply_is_refused_with_its_line");
    let (_, regions) = small_fixture();
    let text = small_fixture_texts().0
        + "\n[uncertainty.\"regions.existing_datacenter_scale\"]\ndist = \"uniform\"\nlow = 0.5\nhigh = 1.5\n";
    let lines = text.lines().count();
    let path = dir.create("scale.toml", &text);
    let out = dir.join("out");
    dir.command()
        .args(["sweep", "--samples", "5"])
        .study(&path, &regions)
        .out(&out)
        .fails_with(
            1,
            &[&format!("line {}", lines - 2), "existing_datacenter_mw"],
        );
    assert!(!out.exists());
}

#[test]
fn three_shards_merge_to_the_unsharded_bytes_and_gaps_are_refused() {
    let dir = Dir::new("three_shards_merge_to_the_unsharded_bytes_and_gaps_are_refused");
    let shards = dir.join("shards");
    for k in 0..3 {
        dir.sweep_small(&shards, &["--samples", "50", "--all-weather-years"])
            .args(["--shard", &format!("{k}/3")])
            .succeeds();
    }
    // Hive partitions, one per shard.
    let partition = shards.join("scenario=small/region_set=pnw");
    for k in 0..3 {
        assert!(
            partition
                .join(format!("shard={k}/per_sample_metrics.parquet"))
                .is_file()
        );
    }
    let whole = dir.join("whole");
    dir.sweep_small(&whole, &["--samples", "50", "--all-weather-years"])
        .succeeds();
    let merged = dir.join("merged");
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(&merged)
        .succeeds();
    for file in [
        "bands.csv",
        "bands.parquet",
        "samples.parquet",
        "drivers.csv",
        "regions.csv",
    ] {
        assert!(
            dir.read_bytes(merged.join(file)) == dir.read_bytes(whole.join(file)),
            "{file}"
        );
    }
    // A missing shard and a duplicate are refused, and nothing is written.
    let out = dir.join("gap");
    dir.command()
        .args(["sweep", "--merge"])
        .arg(partition.join("shard=0"))
        .arg(partition.join("shard=2"))
        .out(&out)
        .fails_with(1, &["missing shard(s) 1/3"]);
    dir.command()
        .args(["sweep", "--merge"])
        .arg(&shards)
        .arg(partition.join("shard=1"))
        .out(&out)
        .fails_with(1, &["shard 1/3 appears twice"]);
    assert!(!out.exists());
    for bad in ["3/3", "1/0", "x/3"] {
        dir.command()
            .args(["sweep", "--samples", "5", "--shard", bad])
            .fails_with(2, &["--shard"]);
    }
}

#[test]
fn a_shard_without_samples_still_merges() {
    let dir = Dir::new("a_shard_without_samples_still_merges");
    let shards = dir.join("shards");
    for k in 0..3 {
        dir.sweep_small(&shards, &["--samples", "2", "--shard", &format!("{k}/3")])
            .succeeds();
    }
    let whole = dir.join("whole");
    dir.sweep_small(&whole, &["--samples", "2"]).succeeds();
    let merged = dir.join("merged");
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(&merged)
        .succeeds();
    assert!(dir.read_bytes(merged.join("bands.csv")) == dir.read_bytes(whole.join("bands.csv")));
}

#[test]
fn shards_of_an_edited_scenario_with_the_same_name_do_not_merge() {
    let dir = Dir::new("shards_of_an_edited_scenario_with_the_same_name_do_not_merge");
    let (_, regions) = small_fixture();
    let edited = dir.create(
        "small.toml",
        small_fixture_texts().0.replace("pue = 1.14", "pue = 1.2"),
    );
    let (a, b) = (dir.join("a"), dir.join("b"));
    dir.sweep_small(&a, &["--samples", "6", "--shard", "0/2"])
        .succeeds();
    dir.command()
        .args(["sweep", "--quiet", "--samples", "6", "--shard", "1/2"])
        .study(&edited, &regions)
        .out(&b)
        .succeeds();
    let out = dir.join("merged");
    dir.command()
        .args(["sweep", "--merge"])
        .arg(&a)
        .arg(&b)
        .out(&out)
        .fails_with(1, &["merge shards of one sweep"]);
    assert!(!out.exists());
}

/// A copy of the folder `from` at `to` (the shards a test then tampers with).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn write_parquet(frame: &mut DataFrame, path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(frame).unwrap();
}

/// Record `file`'s new checksum in its shard's manifest, as a tamperer who knows the
/// format would: the rows must then give the change away.
fn reseal(shard: &Path, file: &str) {
    use gridstrain::output::sweep::{SHARD_MANIFEST_FILE_NAME, ShardManifest, file_checksum};
    let path = shard.join(SHARD_MANIFEST_FILE_NAME);
    let mut manifest: ShardManifest =
        toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest
        .files
        .insert(file.to_owned(), file_checksum(&shard.join(file)).unwrap());
    std::fs::write(&path, toml::to_string(&manifest).unwrap()).unwrap();
}

/// `sweep --merge` of `shards` into a fresh folder: refused (exit 1, nothing written)
/// with every one of `words` in the message.
fn merge_refused(dir: &Dir, shards: &Path, words: &[&str]) {
    let out = shards.with_extension("merged");
    dir.command()
        .args(["sweep", "--merge"])
        .arg(shards)
        .out(&out)
        .fails_with(1, words);
    assert!(!out.exists());
}

/// Every shard carries its manifest; a changed value, a dropped or duplicated row, a
/// manifest that does not match the shard, or a missing manifest is refused, naming the
/// shard folder and the file.
#[test]
fn a_shard_that_does_not_match_its_manifest_is_refused() {
    let dir = Dir::new("a_shard_that_does_not_match_its_manifest_is_refused");
    let shards = dir.join("shards");
    for k in 0..2 {
        dir.sweep_small(&shards, &["--samples", "6", "--shard", &format!("{k}/2")])
            .succeeds();
    }
    let partition = Path::new("scenario=small/region_set=pnw");
    let manifest = dir.read(shards.join(partition).join("shard=1/shard.toml"));
    assert!(manifest.contains("shard = \"1/2\""), "{manifest}");
    assert!(manifest.contains("first_sample = 3"), "{manifest}");
    assert!(manifest.contains("sample_count = 3"), "{manifest}");
    assert_eq!(manifest.matches("sha256 = ").count(), 4, "{manifest}");
    // Untouched, they merge.
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(dir.join("merged"))
        .succeeds();

    // Each case on its own copy of the shards.
    let mut case = 0;
    let mut copy = || {
        case += 1;
        let to = dir.join(format!("case{case}"));
        copy_dir(&shards, &to);
        let shard = to.join(partition).join("shard=1");
        (to, shard)
    };

    // One region's total_peak_mw × 10 (the probe's tamper): the checksum gives it away.
    let (all, shard) = copy();
    let file = shard.join("per_sample_metrics.parquet");
    let mut frame = read_parquet(&file);
    let peaks = frame.column("total_peak_mw").unwrap().f64().unwrap() * 10.0;
    frame.replace("total_peak_mw", peaks.into_column()).unwrap();
    write_parquet(&mut frame, &file);
    merge_refused(
        &dir,
        &all,
        &[
            "shard=1/per_sample_metrics.parquet",
            "differs from the shard's manifest",
            "SHA-256",
        ],
    );

    // A dropped row, the checksum recomputed: the row count gives it away.
    let (all, shard) = copy();
    let file = shard.join("per_sample_metrics.parquet");
    let frame = read_parquet(&file);
    let mut fewer = frame.slice(0, frame.height() - 1);
    write_parquet(&mut fewer, &file);
    reseal(&shard, "per_sample_metrics.parquet");
    merge_refused(
        &dir,
        &all,
        &[
            "shard=1/per_sample_metrics.parquet",
            "sample 5 has",
            "expected",
        ],
    );

    // A duplicated row, the checksum recomputed.
    let (all, shard) = copy();
    let file = shard.join("per_sample_regionset_metrics.parquet");
    let mut frame = read_parquet(&file);
    let first = frame.slice(0, 1);
    frame.vstack_mut(&first).unwrap();
    write_parquet(&mut frame, &file);
    reseal(&shard, "per_sample_regionset_metrics.parquet");
    merge_refused(
        &dir,
        &all,
        &[
            "shard=1/per_sample_regionset_metrics.parquet",
            "the row of sample 3",
            "appears twice",
        ],
    );

    // A sample's drawn inputs dropped from samples.parquet, the checksum recomputed.
    let (all, shard) = copy();
    let file = shard.join("samples.parquet");
    let frame = read_parquet(&file);
    let mut fewer = frame.slice(1, frame.height() - 1);
    write_parquet(&mut fewer, &file);
    reseal(&shard, "samples.parquet");
    merge_refused(
        &dir,
        &all,
        &["shard=1/samples.parquet", "sample 3 has 0 row(s)"],
    );

    // A row moved to another sample (rows of shard 0 relabelled as shard 1's).
    let (all, shard) = copy();
    let file = shard.join("per_sample_metrics.parquet");
    let mut frame = read_parquet(&file);
    let relabelled = frame.column("sample").unwrap().u32().unwrap() - 3;
    frame.replace("sample", relabelled.into_column()).unwrap();
    write_parquet(&mut frame, &file);
    reseal(&shard, "per_sample_metrics.parquet");
    merge_refused(
        &dir,
        &all,
        &[
            "shard=1/per_sample_metrics.parquet",
            "is of sample 0",
            "3..=5",
        ],
    );

    // The manifest changed: other samples than shard 1/2 of 6 holds.
    let (all, shard) = copy();
    let path = shard.join("shard.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("first_sample = 3", "first_sample = 2")).unwrap();
    merge_refused(
        &dir,
        &all,
        &["shard=1/shard.toml", "says samples 2..=4", "holds 3..=5"],
    );
    let (all, shard) = copy();
    let path = shard.join("shard.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("sweep_samples = 6", "sweep_samples = 7"),
    )
    .unwrap();
    merge_refused(&dir, &all, &["shard=1/shard.toml", "7 samples", "says 6"]);

    // No manifest (a shard written before manifests, or cut short).
    let (all, shard) = copy();
    std::fs::remove_file(shard.join("shard.toml")).unwrap();
    merge_refused(&dir, &all, &["shard=1", "no readable shard.toml"]);
}

/// The largest seed (2^63 − 1, the largest TOML integer) runs and its record reads back:
/// the unsharded sweep writes its report from run.toml, the shard merges.
#[test]
fn the_largest_seed_is_recorded_and_read_back() {
    let dir = Dir::new("the_largest_seed_is_recorded_and_read_back");
    let seed = i64::MAX.to_string();
    let whole = dir.join("whole");
    dir.sweep_small(&whole, &["--samples", "4", "--seed", &seed])
        .succeeds();
    let record = dir.read(whole.join("run.toml"));
    assert!(record.contains(&format!("seed = {seed}")), "{record}");
    let shards = dir.join("shards");
    dir.sweep_small(
        &shards,
        &["--samples", "4", "--seed", &seed, "--shard", "0/1"],
    )
    .succeeds();
    let merged = dir.join("merged");
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(&merged)
        .succeeds();
    assert!(dir.read_bytes(merged.join("bands.csv")) == dir.read_bytes(whole.join("bands.csv")));
}

/// `--shard K/N` whose K·S overflows 64 bits computes its block exactly (the probe's run
/// wrote 0 samples where it should have written one).
#[test]
fn a_huge_shard_count_gives_its_exact_block() {
    let dir = Dir::new("a_huge_shard_count_gives_its_exact_block");
    let n = u64::MAX;
    let out = dir.join("out");
    // Shard n − 1 of n over 5 samples holds the last sample; shard 0 holds none.
    dir.sweep_small(
        &out,
        &["--samples", "5", "--shard", &format!("{}/{n}", n - 1)],
    )
    .succeeds();
    let shard = out.join(format!("scenario=small/region_set=pnw/shard={}", n - 1));
    let samples = read_parquet(&shard.join("samples.parquet"));
    assert_eq!(samples.height(), 1);
    assert_eq!(
        samples.column("sample").unwrap().u32().unwrap().get(0),
        Some(4)
    );
}

/// A sample count whose estimated memory exceeds what the machine has is refused before
/// anything is computed or written, with the estimate and the memory available.
#[test]
fn a_sweep_larger_than_memory_is_refused_with_its_estimate() {
    let dir = Dir::new("a_sweep_larger_than_memory_is_refused_with_its_estimate");
    let out = dir.join("out");
    let stderr = dir
        .command()
        .args(["sweep", "--samples", "10000000"])
        .out(&out)
        .fails(1);
    assert!(
        stderr.contains("10,000,000 samples need about") && stderr.contains("are available"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// Shards of a study that names catalogue regions (here by id on the command line) merge
/// to the unsharded bytes: the merge reads the set's regions from `regions = [...]`.
#[test]
fn shards_of_a_catalogue_study_merge_to_the_unsharded_bytes() {
    let dir = Dir::new("shards_of_a_catalogue_study_merge_to_the_unsharded_bytes");
    let shards = dir.join("shards");
    let args = [
        "sweep",
        "--quiet",
        "--regions",
        "SOCO,PJM-DOM",
        "--years",
        "2030",
        "--weather-years",
        "2023..2024",
        "--samples",
        "12",
    ];
    for k in 0..2 {
        dir.command()
            .args(args)
            .args(["--shard", &format!("{k}/2")])
            .out(&shards)
            .succeeds();
    }
    let whole = dir.join("whole");
    dir.command().args(args).out(&whole).succeeds();
    let merged = dir.join("merged");
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(&merged)
        .succeeds();
    for file in ["bands.csv", "bands.parquet", "samples.parquet"] {
        assert!(
            dir.read_bytes(merged.join(file)) == dir.read_bytes(whole.join(file)),
            "{file}"
        );
    }
}

/// A one-utility study's largest uncertainty, how much of its forecast gets built, is a
/// swept input (issue 21): the band of its new load at the peak widens with the range of
/// `regional_load[0].realisation_frac`, and its mean falls with the range's low end; an
/// entry that does not exist is refused with the table's line.
#[test]
fn a_regional_load_realisation_is_swept_and_its_band_widens_with_its_range() {
    let dir = Dir::new("a_regional_load_realisation_is_swept_and_its_band_widens_with_its_range");
    let shipped = shipped_scenario_text("georgia-power");
    assert!(shipped.contains("[uncertainty.\"regional_load[0].realisation_frac\"]"));
    let band = |name: &str, low: f64| -> (f64, f64, f64) {
        let text = shipped
            .replace("low = 0.5\n", &format!("low = {low}\n"))
            .replace("mode = 1.0\n", &format!("mode = {low}\n"));
        let scenario = dir.create(format!("{name}.toml"), text);
        let out = dir.join(name);
        dir.command()
            .args(["sweep", "--quiet", "--samples", "60", "--scenario"])
            .arg(&scenario)
            .args([
                "--regions",
                "regions/examples/soco.toml",
                "--years",
                "2030..2030",
            ])
            .args(["--weather-years", "2024"])
            .out(&out)
            .succeeds();
        let (header, rows) = read_csv(&out.join("bands.csv"));
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let row = rows
            .iter()
            .find(|r| r[at("region")] == "SOCO" && r[at("metric")] == "new_ai_at_peak_mw")
            .expect("a band of SOCO's new AI load at the peak");
        let get = |name: &str| row[at(name)].parse::<f64>().unwrap();
        (get("p5"), get("p95"), get("mean"))
    };
    let narrow = band("narrow", 0.9);
    let wide = band("wide", 0.3);
    let point = band("point", 1.0);
    assert!(
        wide.1 - wide.0 > 3.0 * (narrow.1 - narrow.0),
        "wide {wide:?}, narrow {narrow:?}"
    );
    assert!(
        narrow.1 - narrow.0 > 0.0,
        "a range gives spread: {narrow:?}"
    );
    assert!(
        (point.1 - point.0).abs() < 1e-6,
        "no range, no spread: {point:?}"
    );
    assert!(
        wide.2 < narrow.2 && narrow.2 < point.2,
        "{wide:?} {narrow:?} {point:?}"
    );
    // 8,200 MW at the fleet's own peak, all of it built in the point case; at the grid's
    // peak hour (afternoon) the inference fleet draws less than at its evening peak.
    assert!((0.6..=1.0).contains(&(point.2 / 8200.0)), "{point:?}");

    let missing = dir.create(
        "missing.toml",
        shipped.replace(
            "regional_load[0].realisation_frac",
            "regional_load[3].realisation_frac",
        ),
    );
    let message = dir.command().arg("validate").arg(&missing).fails_any();
    assert!(
        message.contains("regional_load[3].realisation_frac")
            && message.contains("1 [[regional_load]] entry")
            && message.contains("line"),
        "{message}"
    );
}
