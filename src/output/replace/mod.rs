//! Putting outputs in place without touching anything gridstrain did not write.
//!
//! * **Paths from names** go through [`join_inside`]: a name that is not one normal path
//!   component (`.`, `..`, `a/b`, an absolute path, empty) is refused, so a path built from
//!   a scenario name, region id or file stem stays inside the folder it is joined to.
//! * **Manifest.** Every output folder holds [`MANIFEST_FILE_NAME`] (TOML: `program`,
//!   `version`, `state`, the writer's `pid`, and — once complete — every file it wrote).
//!   `--force` replaces a folder only when its manifest is complete and every file in it is
//!   listed (or is a report file `gridstrain report` writes again); a single-file output
//!   is recognised by its content ([`is_gridstrain_file`]: the Parquet key-value metadata
//!   key [`PARQUET_MARKER_KEY`], the provenance heading, the failures header). Anything
//!   else is refused, and the message says that nothing was deleted.
//! * **Atomic replace.** A finished staging folder is exchanged with the old output in one
//!   `renameat2(RENAME_EXCHANGE)` (Linux ≥ 3.15 on ext4, xfs, btrfs, tmpfs…): a reader sees
//!   the old or the new folder under the name, never neither. The old folder, now at the
//!   staging name, is checked again and removed — unless a file gridstrain did not list
//!   appeared in it since the first check: it is then kept as `NAME.kept-<PID>` beside the
//!   target and named on standard error. Where the file system refuses the exchange (`EINVAL`,
//!   `ENOSYS`, `EXDEV`, `EOPNOTSUPP`) the fallback moves the old folder to the aside
//!   `.NAME.old`, the new one into place (if that fails, the aside is renamed back), then
//!   removes the aside the same way: a kill between the two renames leaves the name empty
//!   for the moment, and [`recover_beside`] puts the aside back on the next command into
//!   the same place — only an aside that is a complete gridstrain output folder; anything
//!   else under that name is left and named on standard error. A single file is replaced by a plain
//!   `rename`, which is atomic for files.
//! * **Leftovers.** Staging folders `.NAME.partial-*` are created with the writer's PID and
//!   its start time in their manifest; the next command into the same place removes those
//!   whose writer is known to have stopped (Linux: no such process, or one that started at
//!   another time), and reports the others on standard error. A report killed mid-write
//!   leaves `.report.<PID>.<random>.tmp`; once that process is gone, such a file counts
//!   as gridstrain's.
//! * **Reads** of manifests, markers and Parquet footers go through the bounded opener
//!   ([`crate::input::bounded`]): regular files only, never waiting on a FIFO.
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The manifest file of an output folder.
pub const MANIFEST_FILE_NAME: &str = ".gridstrain-output";

/// Key of the Parquet key-value metadata entry that marks a file gridstrain wrote (its
/// value: `gridstrain <version>`).
pub const PARQUET_MARKER_KEY: &str = "gridstrain";

/// Report files `gridstrain report` may add to or rewrite in a finished folder: accepted
/// in a folder to replace even when its manifest does not list them.
const REPORT_FILES: [&str; 2] = ["report.html", "report.md"];
/// The report's chart folder (see [`REPORT_FILES`]).
const REPORT_CHARTS_DIR: &str = "report_charts";

/// Prefix of the temporary files `gridstrain report` writes before renaming them into
/// place: `.report.<PID>.<random>.tmp` (see [`report_temp_prefix`]).
const REPORT_TEMP_PREFIX: &str = ".report.";
/// Suffix of those temporary files.
pub const REPORT_TEMP_SUFFIX: &str = ".tmp";

/// The prefix of this process's report temporary files, `.report.<PID>.`.
#[must_use]
pub fn report_temp_prefix() -> String {
    format!("{REPORT_TEMP_PREFIX}{}.", std::process::id())
}

/// Whether the file name `name` is a report temporary file left by a process that is no
/// longer running (a report killed mid-write): such a leftover counts as gridstrain's.
fn dead_report_temp(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix(REPORT_TEMP_PREFIX)
        .and_then(|r| r.strip_suffix(REPORT_TEMP_SUFFIX))
    else {
        return false;
    };
    let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    pid != std::process::id() && process_known_dead(pid)
}

/// First line of an import's provenance file.
pub const PROVENANCE_HEADING: &str = "# Provenance of this load file";
/// Header line of `failures.csv`.
pub const FAILURES_HEADER: &str = "scenario,region_set,error";

/// What [`MANIFEST_FILE_NAME`] records.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `gridstrain`.
    pub program: String,
    /// The version that wrote the folder.
    pub version: String,
    /// `staging` while being written, `complete` once every file is in.
    pub state: String,
    /// Process that wrote the folder (a staging folder whose process is gone is stale).
    pub pid: u32,
    /// Start time of that process (Linux: field 22 of `/proc/PID/stat`, in clock ticks
    /// since boot), so a reused PID is not taken for the writer; absent elsewhere.
    #[serde(default)]
    pub start_time: Option<u64>,
    /// Every file written, relative to the folder, `/`-separated (complete folders only).
    #[serde(default)]
    pub files: Vec<String>,
}

const STAGING: &str = "staging";
const COMPLETE: &str = "complete";

impl Manifest {
    fn new(state: &str, files: Vec<String>) -> Self {
        Self {
            program: "gridstrain".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            state: state.to_owned(),
            pid: std::process::id(),
            start_time: process_start_time(std::process::id()),
            files,
        }
    }

    /// Write the manifest into `dir` (through a temporary name, so it is whole or absent).
    fn write(&self, dir: &Path) -> Result<()> {
        let text = format!(
            "# Written by gridstrain: this folder is its output. `--force` replaces the folder only\n# while every file in it is listed here.\n{}",
            toml::to_string(self).context("cannot record the output manifest")?
        );
        let temporary = dir.join(format!("{MANIFEST_FILE_NAME}.tmp"));
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, dir.join(MANIFEST_FILE_NAME)))
            .with_context(|| format!("cannot write {}", dir.join(MANIFEST_FILE_NAME).display()))
    }

    /// The manifest of `dir`, if it has a readable one written by gridstrain.
    #[must_use]
    pub fn read(dir: &Path) -> Option<Self> {
        let path = dir.join(MANIFEST_FILE_NAME);
        // Not a link to a manifest elsewhere; then read through the bounded opener (a
        // regular file of at most the TOML limit, opened without waiting on a FIFO).
        if !std::fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        let text =
            crate::input::bounded::read_text_limited(&path, crate::input::bounded::TEXT_LIMIT)
                .ok()?;
        let manifest: Self = toml::from_str(&text).ok()?;
        (manifest.program == "gridstrain").then_some(manifest)
    }
}

/// `dir` joined with `component`, which must be exactly one normal path component (not
/// empty, `.`, `..`, absolute, or holding a separator).
///
/// # Errors
/// When `component` would leave `dir` or name it.
pub fn join_inside(dir: &Path, component: &str) -> Result<PathBuf> {
    let mut parts = Path::new(component).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(part)), None)
            if part == std::ffi::OsStr::new(component) && !component.contains(['/', '\\']) =>
        {
            Ok(dir.join(component))
        }
        _ => bail!(
            "refusing to write under {}: `{}` is not a plain file or folder name (it would leave the output folder or name it)",
            dir.display(),
            crate::input::shorten(component, 80)
        ),
    }
}

/// The folder a path lives in (`.` for a bare name).
#[must_use]
pub fn parent_of(target: &Path) -> PathBuf {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The file name of `target` as text (for the hidden names beside it).
fn name_of(target: &Path) -> Result<String> {
    match target.file_name().and_then(|n| n.to_str()) {
        Some(name) => Ok(name.to_owned()),
        None => bail!(
            "{}: expected a path ending in a file or folder name (UTF-8)",
            target.display()
        ),
    }
}

/// The aside name of `target` used by the fallback replace: `.NAME.old` beside it.
///
/// # Errors
/// When `target` has no usable file name.
pub fn aside_of(target: &Path) -> Result<PathBuf> {
    Ok(parent_of(target).join(format!(".{}.old", name_of(target)?)))
}

/// Prefix of the staging folders of `target`: `.NAME.partial-`.
fn staging_prefix(target: &Path) -> Result<String> {
    Ok(format!(".{}.partial-", name_of(target)?))
}

/// Create a fresh staging folder beside `target` (ordinary permissions: 0777 less the
/// umask), holding a `staging` manifest with this process's PID.
///
/// # Errors
/// When the folder cannot be created.
pub fn create_staging(target: &Path) -> Result<PathBuf> {
    let parent = parent_of(target);
    let prefix = staging_prefix(target)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..1000_u32 {
        let path = parent.join(format!(
            "{prefix}{}-{:08x}",
            std::process::id(),
            nanos.wrapping_add(attempt.wrapping_mul(2_654_435_761))
        ));
        match std::fs::create_dir(&path) {
            Ok(()) => {
                Manifest::new(STAGING, Vec::new()).write(&path)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot create a staging folder in {}", parent.display())
                });
            }
        }
    }
    bail!(
        "cannot create a staging folder in {}: every name tried exists",
        parent.display()
    )
}

/// Every file under `dir`, relative and `/`-separated, sorted (the manifest excluded).
fn files_under(dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let folder = dir.join(&relative);
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
        {
            let entry = entry.with_context(|| format!("cannot list {}", folder.display()))?;
            let name = entry.file_name();
            let path = relative.join(&name);
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if !(relative.as_os_str().is_empty() && name == MANIFEST_FILE_NAME) {
                files.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Mark the staging folder complete: its manifest now lists every file in it.
///
/// # Errors
/// When the folder cannot be listed or the manifest written.
pub fn seal(staging: &Path) -> Result<()> {
    Manifest::new(COMPLETE, files_under(staging)?).write(staging)
}

mod ownership;

use self::ownership::*;
pub use self::ownership::{
    check_replaceable_file, check_replaceable_folder, is_gridstrain_file, parquet_key_values,
    recover_beside, remove_output_folder,
};

use crate::output::note;

/// How the exchange went.
enum Exchange {
    Done,
    Unsupported,
}

/// Swap `a` and `b` atomically (`renameat2(RENAME_EXCHANGE)`), or say the file system
/// cannot.
fn exchange(a: &Path, b: &Path) -> Result<Exchange> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(Exchange::Done),
            Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::XDEV, Errno::OPNOTSUPP].contains(&e) => {
                Ok(Exchange::Unsupported)
            }
            Err(e) => Err(std::io::Error::from(e))
                .with_context(|| format!("cannot swap {} into {}", a.display(), b.display())),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(Exchange::Unsupported)
    }
}

/// Rename `from` to the free name `to`; on Linux with `RENAME_NOREPLACE`, so a folder
/// that appeared at `to` meanwhile (another command's, even an empty one) is never
/// replaced.
fn rename_no_replace(from: &Path, to: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(Errno::EXIST) => bail!(
                "{} appeared while the command was running; nothing was replaced",
                to.display()
            ),
            Err(e) if ![Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP].contains(&e) => {
                return Err(std::io::Error::from(e))
                    .with_context(|| format!("cannot move the output into {}", to.display()));
            }
            Err(_) => {} // not supported here: a plain rename
        }
    }
    std::fs::rename(from, to)
        .with_context(|| format!("cannot move the output into {}", to.display()))
}

/// Put the sealed staging folder in place at `target`. An existing target (only with
/// `force`, and only a gridstrain output — checked again here) is exchanged atomically
/// with the new folder and then removed; see the module docs for the fallback.
///
/// # Errors
/// When `target` appeared without `force`, is not replaceable, or a rename fails.
pub fn put_folder(staging: &Path, target: &Path, force: bool) -> Result<()> {
    put_folder_by(staging, target, force, exchange)
}

/// Whether `path` is a real folder (not a link) with nothing in it: an output may take
/// its place without `--force`.
#[must_use]
pub fn is_empty_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// [`put_folder`] with the exchange given (tests run the fallback through it).
fn put_folder_by(
    staging: &Path,
    target: &Path,
    force: bool,
    exchange: fn(&Path, &Path) -> Result<Exchange>,
) -> Result<()> {
    if std::fs::symlink_metadata(target).is_err() {
        return rename_no_replace(staging, target);
    }
    // An empty folder made beforehand (a cluster job's output folder) holds nothing to
    // lose: `remove_dir` refuses if anything appeared in it meanwhile.
    if is_empty_folder(target) {
        std::fs::remove_dir(target)
            .with_context(|| format!("cannot use the empty folder {}", target.display()))?;
        return rename_no_replace(staging, target);
    }
    if !force {
        bail!(
            "{} appeared while the command was running; nothing was replaced",
            target.display()
        );
    }
    check_replaceable_folder(target)?;
    match exchange(staging, target)? {
        Exchange::Done => {
            // The old output now sits at the staging name; a kill before or during this
            // removal leaves it (with its manifest) to the next command's clean-up.
            remove_old_output(staging, target);
        }
        Exchange::Unsupported => {
            let aside = aside_of(target)?;
            std::fs::rename(target, &aside)
                .with_context(|| format!("cannot move the old {} aside", target.display()))?;
            if let Err(e) = std::fs::rename(staging, target) {
                // Put the old output back under its name before giving up.
                let restored = std::fs::rename(&aside, target);
                let e = anyhow::Error::new(e)
                    .context(format!("cannot move the output into {}", target.display()));
                return Err(match restored {
                    Ok(()) => e.context(format!("the old {} is back in place", target.display())),
                    Err(back) => e.context(format!(
                        "the old output is at {} and could not be put back ({back})",
                        aside.display()
                    )),
                });
            }
            remove_old_output(&aside, target);
        }
    }
    Ok(())
}

/// Remove the old output swapped out of `target` to `old`, after checking it again: a file
/// a user added between the check before the swap and now is never deleted — the old
/// folder is then kept beside the target as `NAME.kept-<PID>` and named on stderr.
fn remove_old_output(old: &Path, target: &Path) {
    let Some(why) = foreign_folder(old) else {
        let _ = remove_output_folder(old);
        return;
    };
    let kept = name_of(target)
        .map(|name| parent_of(target).join(format!("{name}.kept-{}", std::process::id())));
    match kept {
        Ok(kept) if rename_no_replace(old, &kept).is_ok() => note(&format!(
            "note: the old {} was replaced, but {why} (added while this command ran), so it was kept as {}; nothing in it was deleted",
            target.display(),
            kept.display()
        )),
        _ => note(&format!(
            "note: the old {} was replaced, but {why}, so it was left at {}; nothing in it was deleted",
            target.display(),
            old.display()
        )),
    }
}

/// Put the staged file at `target` (a `rename`, atomic for a file). An existing target
/// (only with `force`) must be a file gridstrain wrote.
///
/// # Errors
/// When `target` appeared without `force`, is not replaceable, or the rename fails.
pub fn put_file(staged: &Path, target: &Path, force: bool) -> Result<()> {
    if std::fs::symlink_metadata(target).is_ok() {
        if !force {
            bail!(
                "{} appeared while the command was running; nothing was replaced",
                target.display()
            );
        }
        check_replaceable_file(target)?;
    }
    std::fs::rename(staged, target)
        .with_context(|| format!("cannot move the output into {}", target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_inside_takes_only_one_plain_name() {
        let dir = Path::new("/out");
        assert_eq!(join_inside(dir, "us-22").unwrap(), dir.join("us-22"));
        assert_eq!(join_inside(dir, "a.b").unwrap(), dir.join("a.b"));
        for bad in ["", ".", "..", "../x", "a/b", "/etc", "a\\b", "x/"] {
            let message = join_inside(dir, bad).unwrap_err().to_string();
            assert!(
                message.contains("not a plain file or folder name"),
                "{bad}: {message}"
            );
        }
    }

    fn sealed_folder(dir: &Path, name: &str) -> PathBuf {
        let target = dir.join(name);
        let staging = create_staging(&target).unwrap();
        std::fs::write(staging.join("metrics.csv"), "a\n1\n").unwrap();
        std::fs::create_dir(staging.join("sub")).unwrap();
        std::fs::write(staging.join("sub/x.parquet"), "x").unwrap();
        seal(&staging).unwrap();
        staging
    }

    /// A folder holding a finished output `run` (its path).
    fn an_output_in_place() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
        (dir, target)
    }

    /// A sealed staging folder for `run` in `dir` with `file` holding `text`.
    fn a_new_output(dir: &Path, file: &str, text: &str) -> PathBuf {
        let staging = sealed_folder(dir, "run");
        std::fs::write(staging.join(file), text).unwrap();
        seal(&staging).unwrap();
        staging
    }

    /// How many entries `dir` holds.
    fn entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn a_sealed_folder_lists_its_files_and_is_replaceable() {
        let dir = tempfile::tempdir().unwrap();
        let staging = sealed_folder(dir.path(), "run");
        let manifest = Manifest::read(&staging).unwrap();
        assert_eq!(manifest.state, COMPLETE);
        assert_eq!(manifest.files, ["metrics.csv", "sub/x.parquet"]);
        let target = dir.path().join("run");
        put_folder(&staging, &target, false).unwrap();
        check_replaceable_folder(&target).unwrap();
        // A report rewritten later is still ours; a user's file is not.
        std::fs::write(target.join("report.html"), "r").unwrap();
        check_replaceable_folder(&target).unwrap();
        std::fs::write(target.join("sub/thesis.tex"), "mine").unwrap();
        let message = check_replaceable_folder(&target).unwrap_err().to_string();
        assert!(message.contains("sub/thesis.tex"), "{message}");
        assert!(message.contains("nothing was deleted"), "{message}");
    }

    #[test]
    fn force_exchanges_and_keeps_nothing_beside() {
        let (dir, target) = an_output_in_place();
        let second = a_new_output(dir.path(), "metrics.csv", "a\n2\n");
        assert!(put_folder(&second, &target, false).is_err(), "needs force");
        put_folder(&second, &target, true).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("metrics.csv")).unwrap(),
            "a\n2\n"
        );
        assert_eq!(entries(dir.path()), 1, "only the target remains");
    }

    #[test]
    fn a_folder_that_appeared_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let staging = sealed_folder(dir.path(), "run");
        std::fs::create_dir(&target).unwrap(); // empty: a plain rename would replace it
        assert!(rename_no_replace(&staging, &target).is_err());
        assert!(staging.join("metrics.csv").is_file());
    }

    #[test]
    fn the_fallback_replaces_through_the_aside() {
        let (dir, target) = an_output_in_place();
        let second = a_new_output(dir.path(), "new.csv", "n");
        put_folder_by(&second, &target, true, |_, _| Ok(Exchange::Unsupported)).unwrap();
        assert!(target.join("new.csv").is_file());
        assert_eq!(entries(dir.path()), 1, "the aside is removed");
    }

    #[test]
    fn an_aside_is_put_back_and_stale_staging_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        // The fallback was killed between its renames: the old output is at the aside.
        let old = sealed_folder(dir.path(), "run");
        std::fs::rename(&old, aside_of(&target).unwrap()).unwrap();
        // A staging folder of a process that is gone (PID beyond pid_max), and a folder
        // of that name that is not ours.
        let stale = create_staging(&target).unwrap();
        let mut manifest = Manifest::read(&stale).unwrap();
        manifest.pid = u32::MAX;
        manifest.write(&stale).unwrap();
        let foreign = dir.path().join(".run.partial-mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        // An empty one (a staging folder killed as it was made) holds nothing to lose.
        let empty = dir.path().join(".run.partial-1-0");
        std::fs::create_dir(&empty).unwrap();
        recover_beside(&target).unwrap();
        assert!(target.join("metrics.csv").is_file(), "put back");
        assert!(!aside_of(&target).unwrap().exists());
        assert!(!stale.exists(), "stale staging removed");
        assert!(foreign.exists(), "a folder without a manifest is left");
        assert!(!empty.exists(), "an empty staging folder is removed");
        // An aside beside an existing target is removed.
        let again = sealed_folder(dir.path(), "run");
        std::fs::rename(&again, aside_of(&target).unwrap()).unwrap();
        recover_beside(&target).unwrap();
        assert!(!aside_of(&target).unwrap().exists());
        assert!(target.join("metrics.csv").is_file());
    }

    #[test]
    fn a_file_added_during_the_swap_is_kept_not_deleted() {
        // Through the real exchange and through the fallback: between the check and the
        // swap a user adds a file to the old folder.
        let swaps: [fn(&Path, &Path) -> Result<Exchange>; 2] = [
            |a, b| {
                std::fs::write(b.join("thesis.tex"), "mine").unwrap();
                exchange(a, b)
            },
            |_, b| {
                std::fs::write(b.join("thesis.tex"), "mine").unwrap();
                Ok(Exchange::Unsupported)
            },
        ];
        for swap in swaps {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("run");
            put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
            let second = sealed_folder(dir.path(), "run");
            std::fs::write(second.join("new.csv"), "n").unwrap();
            seal(&second).unwrap();
            put_folder_by(&second, &target, true, swap).unwrap();
            assert!(
                target.join("new.csv").is_file(),
                "the new output is in place"
            );
            let kept = dir.path().join(format!("run.kept-{}", std::process::id()));
            assert_eq!(
                std::fs::read_to_string(kept.join("thesis.tex")).unwrap(),
                "mine"
            );
            let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            assert_eq!(
                left.len(),
                2,
                "the target and the kept folder, nothing else"
            );
        }
    }

    #[test]
    fn a_failed_fallback_puts_the_old_output_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
        let second = sealed_folder(dir.path(), "run");
        // The staging folder vanishes, so the second rename of the fallback fails.
        let message = put_folder_by(&second, &target, true, |a, _| {
            std::fs::remove_dir_all(a).unwrap();
            Ok(Exchange::Unsupported)
        })
        .unwrap_err();
        assert!(
            format!("{message:#}").contains("is back in place"),
            "{message:#}"
        );
        assert!(
            target.join("metrics.csv").is_file(),
            "the old output is back"
        );
        assert!(!aside_of(&target).unwrap().exists());
    }

    #[test]
    fn an_aside_that_is_not_a_complete_output_folder_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
        // A user's manual backup under the aside name.
        let aside = aside_of(&target).unwrap();
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("notes.txt"), "mine").unwrap();
        recover_beside(&target).unwrap();
        assert!(aside.join("notes.txt").is_file());
        // An unfinished gridstrain folder there: not put back, not removed.
        std::fs::remove_dir_all(&aside).unwrap();
        let staging = create_staging(&target).unwrap();
        std::fs::rename(&staging, &aside).unwrap();
        std::fs::remove_dir_all(&target).unwrap();
        recover_beside(&target).unwrap();
        assert!(aside.join(MANIFEST_FILE_NAME).is_file());
        assert!(!target.exists());
        // A single file never has an aside: a `.x.parquet.old` file is nobody's business.
        let file = dir.path().join("x.parquet");
        let file_aside = aside_of(&file).unwrap();
        std::fs::write(&file_aside, "my backup").unwrap();
        recover_beside(&file).unwrap();
        assert!(file_aside.is_file());
        assert!(!file.exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reused_pid_does_not_keep_a_stale_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        assert!(
            Manifest::read(&create_staging(&target).unwrap())
                .unwrap()
                .start_time
                .is_some()
        );
        // Process 1 is running, but it is not the writer: its start time differs.
        let stale = create_staging(&target).unwrap();
        let mut manifest = Manifest::read(&stale).unwrap();
        manifest.pid = 1;
        manifest.start_time = Some(u64::MAX);
        manifest.write(&stale).unwrap();
        // Process 1 with its own start time: alive, left in place.
        let alive = create_staging(&target).unwrap();
        let mut manifest = Manifest::read(&alive).unwrap();
        manifest.pid = 1;
        manifest.start_time = process_start_time(1);
        manifest.write(&alive).unwrap();
        recover_beside(&target).unwrap();
        assert!(!stale.exists(), "a reused PID is not the writer");
        assert!(alive.exists(), "a live writer's folder is left");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_dead_reports_temporary_file_counts_as_ours() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
        // PID u32::MAX is beyond pid_max: never a running process.
        std::fs::write(target.join(format!(".report.{}.ab12.tmp", u32::MAX)), "x").unwrap();
        std::fs::create_dir(target.join(REPORT_CHARTS_DIR)).unwrap();
        std::fs::write(
            target.join(format!("{REPORT_CHARTS_DIR}/.report.{}.cd34.tmp", u32::MAX)),
            "x",
        )
        .unwrap();
        check_replaceable_folder(&target).unwrap();
        // A running writer's temporary file (this process's) is not ours to delete yet.
        let live = target.join(format!("{}ef56{REPORT_TEMP_SUFFIX}", report_temp_prefix()));
        std::fs::write(&live, "x").unwrap();
        assert!(check_replaceable_folder(&target).is_err());
        std::fs::remove_file(&live).unwrap();
        // Nor is a look-alike elsewhere.
        std::fs::create_dir(target.join("sub2")).unwrap();
        std::fs::write(target.join(format!("sub2/.report.{}.x.tmp", u32::MAX)), "x").unwrap();
        assert!(check_replaceable_folder(&target).is_err());
    }

    #[test]
    fn an_oversized_manifest_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let staging = create_staging(&dir.path().join("run")).unwrap();
        assert!(Manifest::read(&staging).is_some());
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(staging.join(MANIFEST_FILE_NAME))
            .unwrap();
        file.set_len(crate::input::bounded::TEXT_LIMIT.max_bytes + 1)
            .unwrap();
        assert!(Manifest::read(&staging).is_none());
    }

    #[test]
    fn files_are_recognised_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("x.provenance.md");
        std::fs::write(&ours, format!("{PROVENANCE_HEADING}\n\n- source\n")).unwrap();
        assert!(is_gridstrain_file(&ours));
        let theirs = dir.path().join("y.provenance.md");
        std::fs::write(&theirs, "my notes").unwrap();
        assert!(!is_gridstrain_file(&theirs));
        let parquet = dir.path().join("z.parquet");
        std::fs::write(&parquet, "PAR1 not really").unwrap();
        assert!(!is_gridstrain_file(&parquet));
        assert!(check_replaceable_file(&parquet).is_err());
        let folder = dir.path().join("f.parquet");
        std::fs::create_dir(&folder).unwrap();
        let message = check_replaceable_file(&folder).unwrap_err().to_string();
        assert!(message.contains("it is a folder"), "{message}");
    }
}
