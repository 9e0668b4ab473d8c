//! Whose is a folder or file: gridstrain's own outputs (by manifest, marker or the
//! shape of what it writes) may be replaced with `--force`; anything else is refused.
//! Leftovers of a writer that is gone are recognised and cleared.
use super::*;

/// Why the folder `target` may not be replaced, if it may not: it must be a real folder
/// with a complete manifest listing every file in it (report files aside).
pub(super) fn foreign_folder(target: &Path) -> Option<String> {
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
pub(super) fn first_bytes(path: &Path, n: usize) -> Option<Vec<u8>> {
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
/// the load-file bounds (decoded like any Parquet from outside, in a child process).
#[must_use]
pub fn parquet_key_values(path: &Path) -> Option<Vec<(String, String)>> {
    crate::input::parquet_read::read_untrusted_parquet(
        path,
        crate::input::bounded::LOAD_PARQUET_LIMIT,
        crate::input::load_file::MAX_LOAD_ROWS,
        "",
    )
    .ok()
    .map(|contents| contents.key_values)
}

/// The value of the gridstrain marker in a Parquet file's metadata.
pub(super) fn parquet_marker(path: &Path) -> Option<String> {
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
pub(super) fn process_start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2, the command name, is in parentheses and may hold spaces and ')': the
    // fields after the last ')' start at field 3.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether the writer `pid` (started at `start_time`, when recorded) is known to have
/// stopped. Linux: no `/proc/PID`, or a process there that started at another time (the
/// PID was reused). Elsewhere it is unknown, so nothing is treated as dead.
pub(super) fn writer_gone(pid: u32, start_time: Option<u64>) -> bool {
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
pub(super) fn process_known_dead(pid: u32) -> bool {
    writer_gone(pid, None)
}

/// Whether `path` is a whole gridstrain output folder: a real folder (no link) with a
/// complete manifest listing every file in it. Only such an aside is put back or removed;
/// single files are replaced by one `rename` and never have an aside.
pub(super) fn complete_folder(path: &Path) -> bool {
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
pub(super) fn empty_staging(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .all(|e| e.file_name() == std::ffi::OsString::from(format!("{MANIFEST_FILE_NAME}.tmp")))
    })
}

pub(super) fn remove_any(path: &Path) -> std::io::Result<()> {
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
