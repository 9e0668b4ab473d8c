//! Output safety (issue 17): nothing is written outside `--out` whatever the names in
//! the inputs, `--force` replaces only what gridstrain wrote, a replace interrupted at
//! any moment leaves a complete output under the name and is tidied by the next command,
//! and outputs get ordinary permissions.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use predicates::prelude::PredicateBooleanExt as _;

use crate::common::{gridstrain, read_csv, root};

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

/// A copy of the small fixture in `dir` (absolute paths to its profiles and loads) with
/// the scenario named `scenario_name` and the first region's id `region_id`.
fn fixture_with(dir: &Path, scenario_name: &str, region_id: &str) -> (PathBuf, PathBuf) {
    let small = root().join("tests/fixtures/small");
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let scenario = std::fs::read_to_string(small.join("scenarios/small.toml"))
        .unwrap()
        .replace(
            "\"../profiles/",
            &format!("\"{}/", small.join("profiles").display()),
        )
        .replace(
            "name = \"small\"",
            &format!("name = {}", quoted(scenario_name)),
        );
    let regions = std::fs::read_to_string(small.join("regions/pnw.toml"))
        .unwrap()
        .replace(
            "\"load/",
            &format!("\"{}/", small.join("regions/load").display()),
        )
        .replace(
            "\"forecasts.csv\"",
            &quoted(&small.join("regions/forecasts.csv").display().to_string()),
        )
        .replace("id = \"PGE\"", &format!("id = {}", quoted(region_id)));
    let (s, r) = (dir.join("scenario.toml"), dir.join("regions.toml"));
    std::fs::write(&s, scenario).unwrap();
    std::fs::write(&r, regions).unwrap();
    (s, r)
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

#[test]
fn the_probe_attack_writes_nothing_beside_out() {
    // Scenario `name = ".."`, region `id = ".."`, `run --hourly --out DIR/out2` once
    // wrote DIR/2030.parquet.
    let dir = tempfile::tempdir().unwrap();
    let (scenario, regions) = fixture_with(dir.path(), "..", "..");
    let victim = dir.path().join("2030.parquet");
    std::fs::write(&victim, "the user's file").unwrap();
    let before = tree(dir.path());
    gridstrain()
        .args(run_args(&scenario, &regions, &dir.path().join("out2")))
        .arg("--hourly")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "scenario.toml, line 4 (key `name`)",
        ))
        .stderr(predicates::str::contains("found identifier '..'"));
    assert_eq!(tree(dir.path()), before, "nothing written or removed");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's file");
    // The region id alone is refused too, with its line.
    let (scenario, regions) = fixture_with(dir.path(), "small", "..");
    gridstrain()
        .args(run_args(&scenario, &regions, &dir.path().join("out2")))
        .arg("--hourly")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "regions.toml, line 11 (key `id`)",
        ))
        .stderr(predicates::str::contains("found identifier '..'"));
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
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for id in hostile_ids() {
        for (scenario_name, region_id, key) in
            [(id.as_str(), "PGE", "name"), ("small", id.as_str(), "id")]
        {
            let (scenario, regions) = fixture_with(&inputs, scenario_name, region_id);
            let out = dir.path().join("o").join("out");
            let run = gridstrain()
                .args(run_args(&scenario, &regions, &out))
                .arg("--hourly")
                .assert()
                .code(1);
            let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
            assert!(
                stderr.contains(&format!("key `{key}`"))
                    && stderr.contains("expected a name of 1 to 64"),
                "{id:?}: {stderr}"
            );
            gridstrain()
                .args([
                    "sweep",
                    "--quiet",
                    "--samples",
                    "4",
                    "--shard",
                    "0/2",
                    "--scenario",
                ])
                .arg(&scenario)
                .arg("--regions")
                .arg(&regions)
                .args(["--weather-years", "2023..2024", "--out"])
                .arg(&out)
                .assert()
                .code(1)
                .stderr(predicates::str::contains("expected a name of 1 to 64"));
            assert!(!dir.path().join("o").exists(), "{id:?}: nothing written");
        }
    }
    assert_eq!(tree(&inputs), ["regions.toml", "scenario.toml"]);
}

#[test]
fn hostile_file_stems_fail_their_batch_unit_only() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let (scenario, regions) = fixture_with(&inputs, "small", "PGE");
    let text = std::fs::read_to_string(&scenario).unwrap();
    // File names whose stems are hostile (`..toml` has the stem `..`, `...toml` the stem
    // `...`); a file name cannot hold `/` or exceed 255 bytes, so those reach batch only
    // as ids (tested above).
    let stems = ["..", "...", "=cmd", "+1", "-x", "@x", &"a".repeat(200)];
    let mut files = Vec::new();
    for stem in stems {
        let path = inputs.join(format!("{stem}.toml"));
        std::fs::write(&path, &text).unwrap();
        files.push(path);
    }
    let out = dir.path().join("batch");
    gridstrain()
        .args([
            "batch",
            "--quiet",
            "--weather-years",
            "2023..2024",
            "--scenarios",
        ])
        .args(&files)
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("7 of 8 unit(s) failed"));
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

/// A user's folder with a file and a sub-folder.
fn user_folder(path: &Path) {
    std::fs::create_dir_all(path.join("sub")).unwrap();
    std::fs::write(path.join("thesis.tex"), "chapter 1").unwrap();
    std::fs::write(path.join("sub/data.csv"), "1,2").unwrap();
}

fn refused_and_kept(assert: assert_cmd::assert::Assert, kept: &Path) {
    let stderr = String::from_utf8_lossy(&assert.code(1).get_output().stderr).into_owned();
    assert!(
        stderr.contains("replaces only what gridstrain wrote")
            && stderr.contains("nothing was deleted"),
        "{stderr}"
    );
    assert!(kept.exists(), "{} survives", kept.display());
}

#[test]
fn force_refuses_what_gridstrain_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("tests/fixtures/small");
    let (scenario, regions) = (
        small.join("scenarios/small.toml"),
        small.join("regions/pnw.toml"),
    );
    // run into a user's folder, and onto a regular file.
    let folder = dir.path().join("d");
    user_folder(&folder);
    refused_and_kept(
        gridstrain()
            .args(run_args(&scenario, &regions, &folder))
            .arg("--force")
            .assert(),
        &folder.join("sub/data.csv"),
    );
    let file = dir.path().join("afile");
    std::fs::write(&file, "mine").unwrap();
    refused_and_kept(
        gridstrain()
            .args(run_args(&scenario, &regions, &file))
            .arg("--force")
            .assert(),
        &file,
    );
    // sweep and headroom --out into the user's folder.
    refused_and_kept(
        gridstrain()
            .args([
                "sweep",
                "--quiet",
                "--samples",
                "4",
                "--force",
                "--scenario",
            ])
            .arg(&scenario)
            .arg("--regions")
            .arg(&regions)
            .args(["--weather-years", "2023..2024", "--out"])
            .arg(&folder)
            .assert(),
        &folder.join("thesis.tex"),
    );
    refused_and_kept(
        gridstrain()
            .args(["headroom", "--force", "--regions"])
            .arg(&regions)
            .arg("--out")
            .arg(&folder)
            .assert(),
        &folder.join("thesis.tex"),
    );
    // A gridstrain run folder with a user's file added is refused too; without it, it is
    // replaced.
    let run = dir.path().join("run");
    gridstrain()
        .args(run_args(&scenario, &regions, &run))
        .assert()
        .success();
    assert!(run.join(".gridstrain-output").is_file());
    std::fs::write(run.join("notes.txt"), "mine").unwrap();
    refused_and_kept(
        gridstrain()
            .args(run_args(&scenario, &regions, &run))
            .arg("--force")
            .assert(),
        &run.join("notes.txt"),
    );
    std::fs::remove_file(run.join("notes.txt")).unwrap();
    gridstrain()
        .args(run_args(&scenario, &regions, &run))
        .arg("--force")
        .assert()
        .success();
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
    let load = small.join("regions/load/PGE.parquet");
    let named = dir.path().join("X.parquet");
    user_folder(&named);
    refused_and_kept(
        gridstrain()
            .arg("import")
            .arg(&load)
            .arg("--out")
            .arg(&named)
            .arg("--force")
            .assert(),
        &named.join("thesis.tex"),
    );
    let foreign = dir.path().join("Y.parquet");
    std::fs::copy(&load, &foreign).unwrap();
    refused_and_kept(
        gridstrain()
            .arg("import")
            .arg(&load)
            .arg("--out")
            .arg(&foreign)
            .arg("--force")
            .assert(),
        &foreign,
    );
    let ours = dir.path().join("Z.parquet");
    for _ in 0..2 {
        gridstrain()
            .arg("import")
            .arg(&load)
            .arg("--out")
            .arg(&ours)
            .arg("--force")
            .assert()
            .success();
    }
}

#[test]
fn batch_force_keeps_a_users_file_in_a_unit_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, regions) = fixture_with(dir.path(), "small", "PGE");
    let out = dir.path().join("b");
    let batch = || {
        let mut command = gridstrain();
        command
            .args([
                "batch",
                "--quiet",
                "--force",
                "--weather-years",
                "2023..2024",
                "--scenarios",
            ])
            .arg(&scenario)
            .arg("--regions")
            .arg(&regions)
            .arg("--out")
            .arg(&out);
        command
    };
    batch().assert().success();
    let unit = out.join("scenario__regions");
    batch().assert().success(); // its own unit folder is replaced
    std::fs::write(unit.join("mine.txt"), "keep").unwrap();
    batch()
        .assert()
        .code(1)
        .stderr(predicates::str::contains("1 of 1 unit(s) failed"));
    assert_eq!(
        std::fs::read_to_string(unit.join("mine.txt")).unwrap(),
        "keep"
    );
    let (_, rows) = read_csv(&out.join("failures.csv"));
    assert!(rows[0][2].contains("nothing was deleted"), "{rows:?}");
}

#[test]
fn an_interrupted_replace_is_recovered_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("tests/fixtures/small");
    let (scenario, regions) = (
        small.join("scenarios/small.toml"),
        small.join("regions/pnw.toml"),
    );
    let target = dir.path().join("r");
    gridstrain()
        .args(run_args(&scenario, &regions, &target))
        .assert()
        .success();
    // The fallback killed between its renames: the old output at the aside, no target.
    let aside = dir.path().join(".r.old");
    std::fs::rename(&target, &aside).unwrap();
    // A staging folder left by a killed run (its process is gone), and one that is not
    // ours (no manifest).
    let stale = dir.path().join(".r.partial-4000000000-0");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(
        stale.join(".gridstrain-output"),
        "program = \"gridstrain\"\nversion = \"0\"\nstate = \"staging\"\npid = 4000000000\n",
    )
    .unwrap();
    std::fs::write(stale.join("metrics.csv"), "half").unwrap();
    let foreign = dir.path().join(".r.partial-x");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let assert = gridstrain()
        .args(run_args(&scenario, &regions, &target))
        .arg("--force")
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
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
    let binary = assert_cmd::cargo::cargo_bin("gridstrain");
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("tests/fixtures/small");
    let (scenario, regions) = (
        small.join("scenarios/small.toml"),
        small.join("regions/pnw.toml"),
    );
    let target = dir.path().join("r");
    let args = |extra: &[&str]| {
        let mut a = run_args(&scenario, &regions, &target);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let started = std::time::Instant::now();
    gridstrain().args(args(&["--hourly"])).assert().success();
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
        let mut child = Command::new(&binary)
            .current_dir(root())
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
    let last = gridstrain().args(args(&["--force"])).assert().success();
    let beside: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|p| !p.contains('/') && p != "r")
        .collect();
    assert!(
        beside.is_empty(),
        "left beside the target: {beside:?} (before the last run: {left_before:?}; its stderr: {})",
        String::from_utf8_lossy(&last.get_output().stderr)
    );
}

#[cfg(unix)]
#[test]
fn outputs_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    // What this process's umask gives a new file and folder.
    let probe_file = dir.path().join("probe");
    std::fs::write(&probe_file, "").unwrap();
    let probe_dir = dir.path().join("probe_dir");
    std::fs::create_dir(&probe_dir).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (file_mode, dir_mode) = (mode(&probe_file), mode(&probe_dir));
    let small = root().join("tests/fixtures/small");
    let out = dir.path().join("r");
    gridstrain()
        .args(run_args(
            &small.join("scenarios/small.toml"),
            &small.join("regions/pnw.toml"),
            &out,
        ))
        .arg("--hourly")
        .assert()
        .success();
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
    let dir = tempfile::tempdir().unwrap();
    let load = root().join("tests/fixtures/small/regions/load/PGE.parquet");
    // A path with a quote and a newline: the printed block must stay valid TOML.
    let folder = dir.path().join("we\"ird\nx = 1");
    std::fs::create_dir(&folder).unwrap();
    let out = folder.join("pge.parquet");
    let assert = gridstrain()
        .arg("import")
        .arg(&load)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
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
    let markdown =
        std::fs::read_to_string(dir.path().join("we\"ird\nx = 1/pge.provenance.md")).unwrap();
    assert!(markdown.starts_with(provenance.as_str()));
    let sha: String = sha2::Sha256::digest(std::fs::read(&out).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(markdown.contains(&sha), "{markdown}");
}

#[test]
fn force_leaves_a_users_aside_and_accepts_a_dead_reports_leftover() {
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("tests/fixtures/small");
    let (scenario, regions) = (
        small.join("scenarios/small.toml"),
        small.join("regions/pnw.toml"),
    );
    let target = dir.path().join("r");
    gridstrain()
        .args(run_args(&scenario, &regions, &target))
        .assert()
        .success();
    // A user's manual backup under the aside name, and the temporary file of a report
    // killed mid-write (its process, 4000000000, beyond any pid_max, is gone).
    let backup = dir.path().join(".r.old");
    user_folder(&backup);
    std::fs::write(target.join(".report.4000000000.Ab12Cd.tmp"), "<html").unwrap();
    let assert = gridstrain()
        .args(run_args(&scenario, &regions, &target))
        .arg("--force")
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
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
    gridstrain()
        .args(run_args(&scenario, &regions, &target))
        .assert()
        .success();
    assert!(backup.join("thesis.tex").is_file());
    assert!(!target.join("thesis.tex").exists() && target.join("metrics.csv").is_file());
}

#[test]
fn import_prints_a_region_id_that_passes_the_id_rule() {
    let dir = tempfile::tempdir().unwrap();
    let load = root().join("tests/fixtures/small/regions/load/PGE.parquet");
    let out = dir.path().join("=x y.parquet");
    let assert = gridstrain()
        .arg("import")
        .arg(&load)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let table: toml::Table = toml::from_str(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    let region = table["region"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(region["id"].as_str(), Some("x_y"), "{printed}");
    assert!(printed.contains("derived from the file name"), "{printed}");
}

/// The small fixture's sweep, as shard `k` of 2, into `out` (which must succeed).
fn small_shard(out: &Path, k: usize) {
    let (scenario, regions) = crate::common::small_fixture();
    gridstrain()
        .args(["sweep", "--quiet", "--samples", "4", "--scenario"])
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .args([
            "--weather-years",
            "2023..2024",
            "--shard",
            &format!("{k}/2"),
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

/// A symbolic link planted inside `--out` (a hive partition, the report's chart folder)
/// is never written through: the user's folder it points to stays as it was.
#[cfg(unix)]
#[test]
fn no_write_through_a_link_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    user_folder(&victim);
    let before = tree(&victim);
    let out = dir.path().join("D");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("scenario=small")).unwrap();
    let (scenario, regions) = crate::common::small_fixture();
    gridstrain()
        .args(["sweep", "--quiet", "--samples", "4", "--scenario"])
        .arg(&scenario)
        .arg("--regions")
        .arg(&regions)
        .args(["--weather-years", "2023..2024", "--shard", "0/2", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "symbolic link inside the output folder",
        ));
    assert_eq!(tree(&victim), before);

    // `gridstrain report` into a run folder whose report_charts/ is a link.
    let run = dir.path().join("run");
    crate::common::run_small(&run, &["--quiet"]).success();
    std::fs::remove_dir_all(run.join("report_charts")).unwrap();
    std::os::unix::fs::symlink(&victim, run.join("report_charts")).unwrap();
    gridstrain()
        .arg("report")
        .arg(&run)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "symbolic link inside the output folder",
        ));
    assert_eq!(tree(&victim), before);
}

/// `sweep --merge` may not write its bands over, inside or around a folder it reads:
/// with `--force` that would replace a shard. Refused before any shard is read.
#[test]
fn merge_output_may_not_be_among_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    small_shard(&shards, 0);
    small_shard(&shards, 1);
    let shard0 = shards.join("scenario=small/region_set=pnw/shard=0");
    let before = tree(&shards);
    for out in [shard0.clone(), shards.clone(), shards.join("merged")] {
        gridstrain()
            .args(["sweep", "--quiet", "--force", "--merge"])
            .arg(&shards)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(
                "write the merged sweep to a folder of its own",
            ));
    }
    assert_eq!(tree(&shards), before);
    gridstrain()
        .args(["sweep", "--quiet", "--merge"])
        .arg(&shards)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
}

/// A run folder's stored numbers are finite (an unknown is an empty cell); a NaN put in
/// afterwards is refused by `report` with the file and line, not written as "NaN GW".
#[test]
fn report_refuses_a_non_finite_stored_number() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    crate::common::run_small(&run, &["--quiet"]).success();
    let power = run.join("power_by_year.csv");
    let text = std::fs::read_to_string(&power).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    let last = cells.len() - 1;
    cells[last] = "NaN".to_owned();
    lines[1] = cells.join(",");
    std::fs::write(&power, lines.join("\n") + "\n").unwrap();
    gridstrain()
        .arg("report")
        .arg(&run)
        .assert()
        .code(1)
        .stderr(
            predicates::str::contains(
                "power_by_year.csv, line 2: found NaN, expected a finite number",
            )
            .and(predicates::str::contains("panicked").not()),
        );
}

/// An output path that is not UTF-8 is recorded lossily in run.toml, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn a_non_utf8_output_path_runs() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"nu\xff"));
    std::fs::create_dir_all(&odd).unwrap();
    let out = odd.join("run");
    crate::common::run_small(&out, &["--quiet"]).success();
    let record = std::fs::read_to_string(out.join("run.toml")).unwrap();
    assert!(record.contains("nu\u{fffd}"), "{record}");
}

/// `--years` outside the years input files may name (2000–2100) is bad usage (exit 2),
/// not a later input error.
#[test]
fn years_outside_the_input_range_are_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    for years in ["1999..2030", "2030..2101"] {
        crate::common::run_small(&dir.path().join("never"), &["--years", years])
            .code(2)
            .stderr(predicates::str::contains("outside 2000..2100"));
    }
}

/// An empty folder made beforehand (as a cluster job script does) takes the output
/// without `--force`; a folder with anything in it still needs a gridstrain manifest.
#[test]
fn an_empty_output_folder_made_beforehand_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    crate::common::run_small(&out, &["--quiet"]).success();
    assert!(out.join("metrics.csv").is_file());
    assert!(out.join("run.toml").is_file());
}
