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

/// Why the folder `target` may not be replaced, if it may not: it must be a real folder
/// with a complete manifest listing every file in it (report files aside).
fn foreign_folder(target: &Path) -> Option<String> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return None;
    };
    if meta.file_type().is_symlink() {
        return Some("it is a symbolic link".to_owned());
    }
    if !meta.is_dir() {
        return Some("it is a file, not a gridstrain output folder".to_owned());
    }
    let Some(manifest) = Manifest::read(target) else {
        return Some(format!(
            "it is not a gridstrain output folder (it has no {MANIFEST_FILE_NAME} manifest)"
        ));
    };
    if manifest.state != COMPLETE {
        return Some(format!(
            "its {MANIFEST_FILE_NAME} manifest says it was never finished"
        ));
    }
    let files = match files_under(target) {
        Ok(files) => files,
        Err(e) => return Some(format!("it cannot be listed: {e:#}")),
    };
    let listed: std::collections::HashSet<&str> =
        manifest.files.iter().map(String::as_str).collect();
    let foreign: Vec<&String> = files
        .iter()
        .filter(|f| {
            let report_file = REPORT_FILES.contains(&f.as_str())
                || (f.starts_with(&format!("{REPORT_CHARTS_DIR}/")) && f.ends_with(".svg"));
            // A report killed mid-write leaves its temporary file (here or in the charts).
            let report_leftover = match f.rsplit_once('/') {
                None => dead_report_temp(f),
                Some((folder, name)) => folder == REPORT_CHARTS_DIR && dead_report_temp(name),
            };
            !(listed.contains(f.as_str()) || report_file || report_leftover)
        })
        .collect();
    match foreign.as_slice() {
        [] => None,
        [first, ..] => Some(format!(
            "it holds {} file(s) gridstrain did not write, e.g. {first}",
            foreign.len()
        )),
    }
}

/// Refuse to replace the folder `target` unless it is a gridstrain output folder with
/// nothing else in it.
///
/// # Errors
/// The reason, and that nothing was deleted.
pub fn check_replaceable_folder(target: &Path) -> Result<()> {
    match foreign_folder(target) {
        None => Ok(()),
        Some(why) => bail!(
            "{} exists and --force replaces only what gridstrain wrote: {why}; nothing was deleted (choose another --out, or move it away yourself)",
            target.display()
        ),
    }
}

/// Whether the regular file `path` is a single-file output gridstrain wrote: a Parquet
/// file carrying [`PARQUET_MARKER_KEY`] in its key-value metadata, a provenance file
/// starting with [`PROVENANCE_HEADING`] or a failures file starting with
/// [`FAILURES_HEADER`].
#[must_use]
pub fn is_gridstrain_file(path: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name.ends_with(".parquet") {
        parquet_marker(path).is_some()
    } else {
        let heading = if name.ends_with(".provenance.md") {
            PROVENANCE_HEADING
        } else if name.starts_with("failures") && name.ends_with(".csv") {
            FAILURES_HEADER
        } else {
            return false;
        };
        first_bytes(path, heading.len()).is_some_and(|b| b == heading.as_bytes())
    }
}

/// The first `n` bytes of a regular file, through the bounded opener (a FIFO or device
/// swapped in is refused without waiting or reading).
fn first_bytes(path: &Path, n: usize) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut buffer = Vec::with_capacity(n);
    crate::input::bounded::open_regular(path, crate::input::bounded::RUN_TABLE_LIMIT)
        .ok()?
        .0
        .take(n as u64)
        .read_to_end(&mut buffer)
        .ok()?;
    Some(buffer)
}

/// The key-value metadata of a Parquet file, if it is a well-formed Parquet file within
/// the load-file bounds.
#[must_use]
pub fn parquet_key_values(path: &Path) -> Option<Vec<(String, String)>> {
    use polars::prelude::*;
    // Through the bounded opener (a regular file of at most the load Parquet limit); the
    // footer is decoded by polars only after the structural bounds check.
    let bytes =
        crate::input::bounded::read_bytes(path, crate::input::bounded::LOAD_PARQUET_LIMIT).ok()?;
    crate::input::parquet_guard::check_parquet_bounds(
        &bytes,
        &crate::input::parquet_guard::ParquetLimits::default(),
    )
    .ok()?;
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let metadata = reader.get_metadata().ok()?;
    Some(
        metadata
            .key_value_metadata()
            .as_ref()?
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
            .collect(),
    )
}

/// The value of the gridstrain marker in a Parquet file's metadata.
fn parquet_marker(path: &Path) -> Option<String> {
    parquet_key_values(path)?
        .into_iter()
        .find(|(k, _)| k == PARQUET_MARKER_KEY)
        .map(|(_, v)| v)
}

/// Refuse to replace the file `target` unless gridstrain wrote it.
///
/// # Errors
/// The reason, and that nothing was deleted.
pub fn check_replaceable_file(target: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if is_gridstrain_file(target) {
        return Ok(());
    }
    let why = if meta.is_dir() {
        "it is a folder"
    } else if meta.file_type().is_symlink() {
        "it is a symbolic link"
    } else {
        "it is not a file gridstrain wrote"
    };
    bail!(
        "{} exists and --force replaces only what gridstrain wrote: {why}; nothing was deleted (choose another name, or move it away yourself)",
        target.display()
    )
}

/// The start time of process `pid`: field 22 of `/proc/PID/stat` (clock ticks since
/// boot); `None` where there is no such file (the process is gone, or not Linux).
fn process_start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2, the command name, is in parentheses and may hold spaces and ')': the
    // fields after the last ')' start at field 3.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether the writer `pid` (started at `start_time`, when recorded) is known to have
/// stopped. Linux: no `/proc/PID`, or a process there that started at another time (the
/// PID was reused). Elsewhere it is unknown, so nothing is treated as dead.
fn writer_gone(pid: u32, start_time: Option<u64>) -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    if !Path::new("/proc").join(pid.to_string()).exists() {
        return true;
    }
    match (start_time, process_start_time(pid)) {
        (Some(recorded), Some(now)) => recorded != now,
        _ => false,
    }
}

/// Whether process `pid` is known not to be running (no start time to compare).
fn process_known_dead(pid: u32) -> bool {
    writer_gone(pid, None)
}

/// Whether `path` is a whole gridstrain output folder: a real folder (no link) with a
/// complete manifest listing every file in it. Only such an aside is put back or removed;
/// single files are replaced by one `rename` and never have an aside.
fn complete_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir())
        && Manifest::read(path).is_some_and(|m| m.state == COMPLETE)
        && foreign_folder(path).is_none()
}

/// Remove an output or staging folder, its manifest last: a kill midway leaves a folder
/// that still says whose it is, which the next command then removes.
///
/// # Errors
/// When an entry cannot be removed.
pub fn remove_output_folder(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MANIFEST_FILE_NAME {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    match std::fs::remove_file(dir.join(MANIFEST_FILE_NAME)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Whether a folder holds nothing but, perhaps, a half-written manifest (a staging folder
/// killed as it was created).
fn empty_staging(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .all(|e| e.file_name() == std::ffi::OsString::from(format!("{MANIFEST_FILE_NAME}.tmp")))
    })
}

fn remove_any(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => remove_output_folder(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Tidy the place of `target` before a command writes there, after an earlier command
/// was killed: an aside `.NAME.old` (from the fallback replace) is put back when `target`
/// is missing, or removed when `target` exists (both only when they are whole gridstrain
/// outputs); staging folders `.NAME.partial-*` whose writer has stopped are removed.
/// What is left and why goes to standard error.
///
/// # Errors
/// When the aside cannot be put back.
pub fn recover_beside(target: &Path) -> Result<()> {
    let parent = parent_of(target);
    let aside = aside_of(target)?;
    if std::fs::symlink_metadata(&aside).is_ok() {
        let target_exists = std::fs::symlink_metadata(target).is_ok();
        if !complete_folder(&aside) {
            note(&format!(
                "note: left {}: it is not a complete gridstrain output folder (not ours to move or delete)",
                aside.display()
            ));
        } else if target_exists {
            remove_any(&aside)
                .with_context(|| format!("cannot remove the stale {}", aside.display()))?;
            note(&format!(
                "note: removed {}, the old output an interrupted --force left behind",
                aside.display()
            ));
        } else {
            std::fs::rename(&aside, target).with_context(|| {
                format!(
                    "cannot put {} back as {}",
                    aside.display(),
                    target.display()
                )
            })?;
            note(&format!(
                "note: put back {} from {} (an earlier --force was interrupted while replacing it)",
                target.display(),
                aside.display()
            ));
        }
    }
    let prefix = staging_prefix(target)?;
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| n.starts_with(&prefix)) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        match Manifest::read(&path).filter(|_| is_dir) {
            Some(m) if m.pid == std::process::id() || !writer_gone(m.pid, m.start_time) => {
                note(&format!(
                    "note: {} may still be being written by process {}; left in place",
                    path.display(),
                    m.pid
                ));
            }
            Some(m) if m.state == COMPLETE && foreign_folder(&path).is_some() => note(&format!(
                "note: left {}: it holds files gridstrain did not write",
                path.display()
            )),
            Some(_) => match remove_output_folder(&path) {
                Ok(()) => note(&format!(
                    "note: removed {}, left by an interrupted command",
                    path.display()
                )),
                Err(e) => note(&format!("note: cannot remove {}: {e}", path.display())),
            },
            None if is_dir && empty_staging(&path) => {
                let _ = std::fs::remove_dir_all(&path);
            }
            None => note(&format!(
                "note: left {}: it looks like a gridstrain staging folder but has no manifest",
                path.display()
            )),
        }
    }
    Ok(())
}

fn note(line: &str) {
    crate::cli::note(line);
}

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
        let dir = tempfile::tempdir().unwrap();
        let first = sealed_folder(dir.path(), "run");
        let target = dir.path().join("run");
        put_folder(&first, &target, false).unwrap();
        let second = sealed_folder(dir.path(), "run");
        std::fs::write(second.join("metrics.csv"), "a\n2\n").unwrap();
        seal(&second).unwrap();
        assert!(put_folder(&second, &target, false).is_err(), "needs force");
        put_folder(&second, &target, true).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("metrics.csv")).unwrap(),
            "a\n2\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the target remains");
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
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        put_folder(&sealed_folder(dir.path(), "run"), &target, false).unwrap();
        let second = sealed_folder(dir.path(), "run");
        std::fs::write(second.join("new.csv"), "n").unwrap();
        seal(&second).unwrap();
        put_folder_by(&second, &target, true, |_, _| Ok(Exchange::Unsupported)).unwrap();
        assert!(target.join("new.csv").is_file());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the aside is removed");
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
