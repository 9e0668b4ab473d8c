//! Output safety (issue 17): nothing is written outside `--out` whatever the names in
//! the inputs, `--force` replaces only what gridstrain wrote, a replace interrupted at
//! any moment leaves a complete output under the name and is tidied by the next command,
//! and outputs get ordinary permissions.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::common::{
    Dir, TestCommand, gridstrain_process, read_csv, root, small_fixture, small_fixture_texts,
};

/// Every entry under `dir` (relative paths, sorted).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A copy of the small fixture in the folder `folder` of `dir` (absolute paths to its
/// profiles and loads) with the scenario named `scenario_name` and the first region's id
/// `region_id`, as `scenario.toml` and `regions.toml`.
fn fixture_with(
    dir: &Dir,
    folder: &str,
    scenario_name: &str,
    region_id: &str,
) -> (PathBuf, PathBuf) {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let (scenario, regions) = small_fixture_texts();
    let scenario = scenario.replace(
        "name = \"small\"",
        &format!("name = {}", quoted(scenario_name)),
    );
    let regions = regions.replace("id = \"PGE\"", &format!("id = {}", quoted(region_id)));
    let folder = Path::new(folder);
    (
        dir.create(folder.join("scenario.toml"), scenario),
        dir.create(folder.join("regions.toml"), regions),
    )
}

fn run_args(scenario: &Path, regions: &Path, out: &Path) -> Vec<String> {
    vec![
        "run".into(),
        "--quiet".into(),
        "--scenario".into(),
        scenario.display().to_string(),
        "--regions".into(),
        regions.display().to_string(),
        "--weather-years".into(),
        "2023..2024".into(),
        "--out".into(),
        out.display().to_string(),
    ]
}

/// `gridstrain run --quiet` of `scenario` against `regions` over the fixture's weather
/// years into `out` ([`run_args`]; not yet run).
fn run(dir: &Dir, scenario: &Path, regions: &Path, out: &Path) -> TestCommand {
    let mut command = dir.command();
    command.args(run_args(scenario, regions, out));
    command
}

#[test]
fn the_probe_attack_writes_nothing_beside_out() {
    // Scenario `name = ".."`, region `id = ".."`, `run --hourly --out DIR/out2` once
    // wrote DIR/2030.parquet.
    let dir = Dir::new("the_probe_attack_writes_nothing_beside_out");
    let (scenario, regions) = fixture_with(&dir, "", "..", "..");
    let victim = dir.create("2030.parquet", "the user's file");
    let before = tree(dir.path());
    run(&dir, &scenario, &regions, &dir.join("out2"))
        .arg("--hourly")
        .fails_with(
            1,
            &[
                "scenario.toml, line 4 (key `name`)",
                "found identifier '..'",
            ],
        );
    assert_eq!(tree(dir.path()), before, "nothing written or removed");
    assert_eq!(dir.read(&victim), "the user's file");
    // The region id alone is refused too, with its line.
    let (scenario, regions) = fixture_with(&dir, "", "small", "..");
    run(&dir, &scenario, &regions, &dir.join("out2"))
        .arg("--hourly")
        .fails_with(
            1,
            &["regions.toml, line 11 (key `id`)", "found identifier '..'"],
        );
    assert_eq!(tree(dir.path()), before);
}

const HOSTILE: [&str; 8] = [".", "..", "../x", "a/b", "=cmd", "+1", "-x", "@x"];

fn hostile_ids() -> Vec<String> {
    let mut ids: Vec<String> = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    ids.push("a".repeat(300));
    ids
}

#[test]
fn hostile_ids_are_refused_by_run_and_sweep_shard() {
    let dir = Dir::new("hostile_ids_are_refused_by_run_and_sweep_shard");
    let inputs = dir.create_dir("in");
    for id in hostile_ids() {
        for (scenario_name, region_id, key) in
            [(id.as_str(), "PGE", "name"), ("small", id.as_str(), "id")]
        {
            let (scenario, regions) = fixture_with(&dir, "in", scenario_name, region_id);
            let out = dir.join("o").join("out");
            let stderr = run(&dir, &scenario, &regions, &out)
                .arg("--hourly")
                .fails(1);
            assert!(
                stderr.contains(&format!("key `{key}`"))
                    && stderr.contains("expected a name of 1 to 64"),
                "{id:?}: {stderr}"
            );
            dir.command()
                .args(["sweep", "--quiet", "--samples", "4", "--shard", "0/2"])
                .study(&scenario, &regions)
                .out(&out)
                .fails_with(1, &["expected a name of 1 to 64"]);
            assert!(!dir.join("o").exists(), "{id:?}: nothing written");
        }
    }
    assert_eq!(tree(&inputs), ["regions.toml", "scenario.toml"]);
}

#[test]
fn hostile_file_stems_fail_their_batch_unit_only() {
    let dir = Dir::new("hostile_file_stems_fail_their_batch_unit_only");
    let (scenario, regions) = fixture_with(&dir, "in", "small", "PGE");
    let text = dir.read(&scenario);
    // File names whose stems are hostile (`..toml` has the stem `..`, `...toml` the stem
    // `...`); a file name cannot hold `/` or exceed 255 bytes, so those reach batch only
    // as ids (tested above).
    let stems = ["..", "...", "=cmd", "+1", "-x", "@x", &"a".repeat(200)];
    let mut files = Vec::new();
    for stem in stems {
        files.push(dir.create(format!("in/{stem}.toml"), &text));
    }
    let out = dir.join("batch");
    dir.command()
        .args(["batch", "--quiet", "--weather-years", "2023..2024"])
        .arg("--scenarios")
        .args(&files)
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .out(&out)
        .fails_with(1, &["7 of 8 unit(s) failed"]);
    // Only the good unit's folder, failures.csv and the comparison, all inside --out.
    let top: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|p| !p.contains('/'))
        .collect();
    assert_eq!(top, ["batch", "in"]);
    let mut inside: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    inside.sort();
    // (and the batch's comparison report of the units that ran)
    assert_eq!(
        inside,
        [
            "failures.csv",
            "report.html",
            "report.md",
            "report_charts",
            "scenario__regions"
        ]
    );
    let (_, rows) = read_csv(&out.join("failures.csv"));
    let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    // Labels starting with a formula character are escaped in the CSV; `+1` reads as a
    // number, and numbers are never altered.
    assert_eq!(
        labels,
        ["..", "...", "'=cmd", "+1", "'-x", "'@x", &"a".repeat(200)]
    );
    for row in &rows {
        assert!(row[2].contains("unit label"), "{row:?}");
    }
}

/// A user's folder `rel` in `dir` with a file and a sub-folder; its path.
fn user_folder(dir: &Dir, rel: &str) -> PathBuf {
    dir.create(format!("{rel}/thesis.tex"), "chapter 1");
    dir.create(format!("{rel}/sub/data.csv"), "1,2");
    dir.join(rel)
}

/// `command` must exit 1 saying that nothing of the user's was deleted, and `kept` must
/// still be there.
fn refused_and_kept(command: &mut TestCommand, kept: &Path) {
    let stderr = command.fails(1);
    assert!(
        stderr.contains("replaces only what gridstrain wrote")
            && stderr.contains("nothing was deleted"),
        "{stderr}"
    );
    assert!(kept.exists(), "{} survives", kept.display());
}

#[test]
fn force_refuses_what_gridstrain_did_not_write() {
    let dir = Dir::new("force_refuses_what_gridstrain_did_not_write");
    let (scenario, regions) = small_fixture();
    // run into a user's folder, and onto a regular file.
    let folder = user_folder(&dir, "d");
    refused_and_kept(
        run(&dir, &scenario, &regions, &folder).arg("--force"),
        &folder.join("sub/data.csv"),
    );
    let file = dir.create("afile", "mine");
    refused_and_kept(run(&dir, &scenario, &regions, &file).arg("--force"), &file);
    // sweep and headroom --out into the user's folder.
    refused_and_kept(
        dir.command()
            .args(["sweep", "--quiet", "--samples", "4", "--force"])
            .study(&scenario, &regions)
            .out(&folder),
        &folder.join("thesis.tex"),
    );
    refused_and_kept(
        dir.command()
            .args(["headroom", "--force", "--regions"])
            .arg(&regions)
            .out(&folder),
        &folder.join("thesis.tex"),
    );
    // A gridstrain run folder with a user's file added is refused too; without it, it is
    // replaced.
    let run_folder = dir.join("run");
    run(&dir, &scenario, &regions, &run_folder).succeeds();
    assert!(run_folder.join(".gridstrain-output").is_file());
    dir.create("run/notes.txt", "mine");
    refused_and_kept(
        run(&dir, &scenario, &regions, &run_folder).arg("--force"),
        &run_folder.join("notes.txt"),
    );
    std::fs::remove_file(run_folder.join("notes.txt")).unwrap();
    run(&dir, &scenario, &regions, &run_folder)
        .arg("--force")
        .succeeds();
    assert_eq!(
        tree(dir.path())
            .iter()
            .filter(|p| p.starts_with('.'))
            .count(),
        0,
        "no staging or aside left: {:?}",
        tree(dir.path())
    );
    // import --out X.parquet --force: a folder of that name, and a file gridstrain did
    // not write, are refused; its own earlier import is replaced.
    let load = root().join("tests/fixtures/small/regions/load/PGE.parquet");
    let named = user_folder(&dir, "X.parquet");
    refused_and_kept(
        dir.command()
            .arg("import")
            .arg(&load)
            .out(&named)
            .arg("--force"),
        &named.join("thesis.tex"),
    );
    let foreign = dir.join("Y.parquet");
    std::fs::copy(&load, &foreign).unwrap();
    refused_and_kept(
        dir.command()
            .arg("import")
            .arg(&load)
            .out(&foreign)
            .arg("--force"),
        &foreign,
    );
    let ours = dir.join("Z.parquet");
    for _ in 0..2 {
        dir.command()
            .arg("import")
            .arg(&load)
            .out(&ours)
            .arg("--force")
            .succeeds();
    }
}

#[test]
fn batch_force_keeps_a_users_file_in_a_unit_folder() {
    let dir = Dir::new("batch_force_keeps_a_users_file_in_a_unit_folder");
    let (scenario, regions) = fixture_with(&dir, "", "small", "PGE");
    let out = dir.join("b");
    let batch = || {
        let mut command = dir.command();
        command
            .args([
                "batch",
                "--quiet",
                "--force",
                "--weather-years",
                "2023..2024",
            ])
            .arg("--scenarios")
            .arg(&scenario)
            .arg("--regions")
            .arg(&regions)
            .out(&out);
        command
    };
    batch().succeeds();
    let unit = out.join("scenario__regions");
    batch().succeeds(); // its own unit folder is replaced
    dir.create(unit.join("mine.txt"), "keep");
    batch().fails_with(1, &["1 of 1 unit(s) failed"]);
    assert_eq!(dir.read(unit.join("mine.txt")), "keep");
    let (_, rows) = read_csv(&out.join("failures.csv"));
    assert!(rows[0][2].contains("nothing was deleted"), "{rows:?}");
}

#[test]
fn an_interrupted_replace_is_recovered_by_the_next_run() {
    let dir = Dir::new("an_interrupted_replace_is_recovered_by_the_next_run");
    let (scenario, regions) = small_fixture();
    let target = dir.join("r");
    run(&dir, &scenario, &regions, &target).succeeds();
    // The fallback killed between its renames: the old output at the aside, no target.
    let aside = dir.join(".r.old");
    std::fs::rename(&target, &aside).unwrap();
    // A staging folder left by a killed run (its process is gone), and one that is not
    // ours (no manifest).
    let stale = dir.join(".r.partial-4000000000-0");
    dir.create(
        stale.join(".gridstrain-output"),
        "program = \"gridstrain\"\nversion = \"0\"\nstate = \"staging\"\npid = 4000000000\n",
    );
    dir.create(stale.join("metrics.csv"), "half");
    let foreign = dir.join(".r.partial-x");
    dir.create(foreign.join("notes.txt"), "mine");
    let stderr = run(&dir, &scenario, &regions, &target)
        .arg("--force")
        .stderr();
    assert!(stderr.contains("put back"), "{stderr}");
    assert!(
        stderr.contains("left by an interrupted command"),
        "{stderr}"
    );
    assert!(stderr.contains(".r.partial-x"), "reported: {stderr}");
    assert!(target.join("run.toml").is_file() && target.join("metrics.csv").is_file());
    assert!(!aside.exists() && !stale.exists());
    assert!(foreign.exists(), "not ours: reported, kept");
}

#[test]
fn a_force_replace_killed_at_any_moment_leaves_a_complete_output() {
    let dir = Dir::new("a_force_replace_killed_at_any_moment_leaves_a_complete_output");
    let (scenario, regions) = small_fixture();
    let target = dir.join("r");
    let args = |extra: &[&str]| {
        let mut a = run_args(&scenario, &regions, &target);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let started = std::time::Instant::now();
    dir.command().args(args(&["--hourly"])).succeeds();
    // Kill moments spread over a run's life (up to 1.2 × the first run's duration; the
    // span halves whenever a run finished before its kill, as a loaded machine makes the
    // first run slow); the sequence is fixed so a failure can be replayed. Ten kills of a
    // running command, at most 30 rounds.
    let mut span_ms = (started.elapsed().as_millis() as u64 * 6 / 5).max(50);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut interrupted = 0;
    for round in 0..30 {
        if interrupted == 10 {
            break;
        }
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let delay_ms = (state >> 33) % span_ms;
        // A process of its own, to be killed.
        let mut child = gridstrain_process()
            .args(args(&["--hourly", "--force"]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        } else {
            span_ms = (span_ms / 2).max(20);
        }
        let _ = child.kill();
        child.wait().unwrap();
        for file in ["run.toml", "metrics.csv", ".gridstrain-output"] {
            assert!(
                target.join(file).is_file(),
                "round {round} (kill after {delay_ms} ms): no {file} under the name"
            );
        }
    }
    assert!(
        interrupted >= 5,
        "only {interrupted} runs were killed while running"
    );
    // One more run tidies whatever the kills left beside the target.
    let left_before: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|p| !p.contains('/') && p != "r")
        .collect();
    let last_stderr = dir.command().args(args(&["--force"])).stderr();
    let beside: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|p| !p.contains('/') && p != "r")
        .collect();
    assert!(
        beside.is_empty(),
        "left beside the target: {beside:?} (before the last run: {left_before:?}; its stderr: {last_stderr})"
    );
}

#[cfg(unix)]
#[test]
fn outputs_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = Dir::new("outputs_get_ordinary_permissions");
    // What this process's umask gives a new file and folder.
    let probe_file = dir.create("probe", "");
    let probe_dir = dir.create_dir("probe_dir");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (file_mode, dir_mode) = (mode(&probe_file), mode(&probe_dir));
    let (scenario, regions) = small_fixture();
    let out = dir.join("r");
    run(&dir, &scenario, &regions, &out)
        .arg("--hourly")
        .succeeds();
    assert_eq!(mode(&out), dir_mode, "the run folder");
    for entry in tree(&out) {
        let path = out.join(&entry);
        let expected = if path.is_dir() { dir_mode } else { file_mode };
        assert_eq!(mode(&path), expected, "{entry}: {:o}", mode(&path));
    }
    assert!(out.join("report.html").is_file());
}

#[test]
fn import_keeps_its_provenance_in_the_parquet_metadata() {
    use sha2::Digest as _;
    let dir = Dir::new("import_keeps_its_provenance_in_the_parquet_metadata");
    let load = root().join("tests/fixtures/small/regions/load/PGE.parquet");
    // A path with a quote and a newline: the printed block must stay valid TOML.
    let folder = dir.create_dir("we\"ird\nx = 1");
    let out = folder.join("pge.parquet");
    let printed = dir.command().arg("import").arg(&load).out(&out).stdout();
    let table: toml::Table = toml::from_str(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    let region = table["region"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(region["load_file"].as_str(), Some(out.to_str().unwrap()));
    assert!(!table.contains_key("x"), "nothing injected: {printed}");
    let kv = gridstrain::output::replace::parquet_key_values(&out).unwrap();
    let provenance = &kv
        .iter()
        .find(|(k, _)| k == gridstrain::output::PROVENANCE_KEY)
        .expect("provenance in the metadata")
        .1;
    assert!(
        provenance.starts_with("# Provenance of this load file"),
        "{provenance}"
    );
    let markdown = dir.read("we\"ird\nx = 1/pge.provenance.md");
    assert!(markdown.starts_with(provenance.as_str()));
    let sha: String = sha2::Sha256::digest(dir.read_bytes(&out))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(markdown.contains(&sha), "{markdown}");
}

#[test]
fn force_leaves_a_users_aside_and_accepts_a_dead_reports_leftover() {
    let dir = Dir::new("force_leaves_a_users_aside_and_accepts_a_dead_reports_leftover");
    let (scenario, regions) = small_fixture();
    let target = dir.join("r");
    run(&dir, &scenario, &regions, &target).succeeds();
    // A user's manual backup under the aside name, and the temporary file of a report
    // killed mid-write (its process, 4000000000, beyond any pid_max, is gone).
    let backup = user_folder(&dir, ".r.old");
    dir.create(target.join(".report.4000000000.Ab12Cd.tmp"), "<html");
    let stderr = run(&dir, &scenario, &regions, &target)
        .arg("--force")
        .stderr();
    assert!(
        stderr.contains(".r.old"),
        "the backup is reported: {stderr}"
    );
    assert!(backup.join("thesis.tex").is_file(), "the backup is kept");
    assert!(target.join("metrics.csv").is_file());
    assert!(!target.join(".report.4000000000.Ab12Cd.tmp").exists());
    // With the target gone, a command without --force neither puts the backup in its
    // place nor deletes it.
    std::fs::remove_dir_all(&target).unwrap();
    run(&dir, &scenario, &regions, &target).succeeds();
    assert!(backup.join("thesis.tex").is_file());
    assert!(!target.join("thesis.tex").exists() && target.join("metrics.csv").is_file());
}

#[test]
fn import_prints_a_region_id_that_passes_the_id_rule() {
    let dir = Dir::new("import_prints_a_region_id_that_passes_the_id_rule");
    let load = root().join("tests/fixtures/small/regions/load/PGE.parquet");
    let out = dir.join("=x y.parquet");
    let printed = dir.command().arg("import").arg(&load).out(&out).stdout();
    let table: toml::Table = toml::from_str(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    let region = table["region"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(region["id"].as_str(), Some("x_y"), "{printed}");
    assert!(printed.contains("derived from the file name"), "{printed}");
}

/// A symbolic link planted inside `--out` (a hive partition, the report's chart folder)
/// is never written through: the user's folder it points to stays as it was.
#[cfg(unix)]
#[test]
fn no_write_through_a_link_inside_the_output_folder() {
    let dir = Dir::new("no_write_through_a_link_inside_the_output_folder");
    let victim = user_folder(&dir, "victim");
    let before = tree(&victim);
    let out = dir.create_dir("D");
    std::os::unix::fs::symlink(&victim, out.join("scenario=small")).unwrap();
    dir.sweep_small(&out, &["--samples", "4", "--shard", "0/2"])
        .fails_with(1, &["symbolic link inside the output folder"]);
    assert_eq!(tree(&victim), before);

    // `gridstrain report` into a run folder whose report_charts/ is a link.
    let run = dir.join("run");
    dir.run_small(&run, &["--quiet"]).succeeds();
    std::fs::remove_dir_all(run.join("report_charts")).unwrap();
    std::os::unix::fs::symlink(&victim, run.join("report_charts")).unwrap();
    dir.command()
        .arg("report")
        .arg(&run)
        .fails_with(1, &["symbolic link inside the output folder"]);
    assert_eq!(tree(&victim), before);
}

/// `sweep --merge` may not write its bands over, inside or around a folder it reads:
/// with `--force` that would replace a shard. Refused before any shard is read.
#[test]
fn merge_output_may_not_be_among_its_inputs() {
    let dir = Dir::new("merge_output_may_not_be_among_its_inputs");
    let shards = dir.join("shards");
    for k in 0..2 {
        // The small fixture's sweep, as shard `k` of 2.
        dir.sweep_small(&shards, &["--samples", "4", "--shard", &format!("{k}/2")])
            .succeeds();
    }
    let shard0 = shards.join("scenario=small/region_set=pnw/shard=0");
    let before = tree(&shards);
    for out in [shard0.clone(), shards.clone(), shards.join("merged")] {
        dir.command()
            .args(["sweep", "--quiet", "--force", "--merge"])
            .arg(&shards)
            .out(&out)
            .fails_with(1, &["write the merged sweep to a folder of its own"]);
    }
    assert_eq!(tree(&shards), before);
    dir.command()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .out(dir.join("merged"))
        .succeeds();
}

/// A run folder's stored numbers are finite (an unknown is an empty cell); a NaN put in
/// afterwards is refused by `report` with the file and line, not written as "NaN GW".
#[test]
fn report_refuses_a_non_finite_stored_number() {
    let dir = Dir::new("report_refuses_a_non_finite_stored_number");
    let run = dir.join("run");
    dir.run_small(&run, &["--quiet"]).succeeds();
    let power = run.join("power_by_year.csv");
    let text = dir.read(&power);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    let last = cells.len() - 1;
    cells[last] = "NaN".to_owned();
    lines[1] = cells.join(",");
    dir.create(&power, lines.join("\n") + "\n");
    let stderr = dir.command().arg("report").arg(&run).fails_with(
        1,
        &["power_by_year.csv, line 2: found NaN, expected a finite number"],
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// An output path that is not UTF-8 is recorded lossily in run.toml, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn a_non_utf8_output_path_runs() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = Dir::new("a_non_utf8_output_path_runs");
    let odd = dir.create_dir(std::ffi::OsStr::from_bytes(b"nu\xff"));
    let out = odd.join("run");
    dir.run_small(&out, &["--quiet"]).succeeds();
    let record = dir.read(out.join("run.toml"));
    assert!(record.contains("nu\u{fffd}"), "{record}");
}

/// `--years` outside the years input files may name (2000–2100) is bad usage (exit 2),
/// not a later input error.
#[test]
fn years_outside_the_input_range_are_bad_usage() {
    let dir = Dir::new("years_outside_the_input_range_are_bad_usage");
    for years in ["1999..2030", "2030..2101"] {
        dir.run_small("never", &["--years", years])
            .fails_with(2, &["outside 2000..2100"]);
    }
}

/// An empty folder made beforehand (as a cluster job script does) takes the output
/// without `--force`; a folder with anything in it still needs a gridstrain manifest.
#[test]
fn an_empty_output_folder_made_beforehand_is_used() {
    let dir = Dir::new("an_empty_output_folder_made_beforehand_is_used");
    let out = dir.create_dir("out");
    dir.run_small(&out, &["--quiet"]).succeeds();
    assert!(out.join("metrics.csv").is_file());
    assert!(out.join("run.toml").is_file());
}
