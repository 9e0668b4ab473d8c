//! The one opener of every file the program reads: inputs (TOML, load CSV and Parquet,
//! profiles, forecasts) and the files of a run folder that `report` and `sweep --merge`
//! read back. It opens the path once, asks the opened handle what it is (no check-then-
//! open race), refuses anything but a regular file (a symlink to one is fine; a FIFO,
//! `/dev/zero`, a directory or a socket is named as what it is), refuses a file larger
//! than the stated maximum of its kind before reading, and reads at most that many bytes
//! (a file that grows while it is read cannot get past the bound).
//!
//! On Unix the file is opened with `O_NONBLOCK`, so opening a FIFO with no writer
//! returns at once instead of waiting; the flag does nothing to reads of a regular file.
use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Result, bail};

const MIB: u64 = 1024 * 1024;

/// The largest file of one kind the program reads (docs/file-formats.md lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    /// What the file is, for messages ("a TOML file").
    pub what: &'static str,
    /// The most bytes it may hold.
    pub max_bytes: u64,
}

impl FileLimit {
    /// The limit of files that are `what`, of at most `max_bytes`.
    #[must_use]
    pub const fn new(what: &'static str, max_bytes: u64) -> Self {
        Self { what, max_bytes }
    }
}

/// TOML files (scenario, region set, profile, a run's `run.toml`) and the operators'
/// forecast CSV: 4 MiB, about 100 times the largest shipped one.
pub const TEXT_LIMIT: FileLimit = FileLimit::new("a TOML or forecast file", 4 * MIB);

/// Hourly load as CSV (a region's load file, `import`'s tidy, local and EIA-930 forms):
/// 512 MiB, room for 10 million hourly rows of ~50 bytes (the row limit of a load file)
/// or a year of an EIA-930 balance file of every balancing authority.
pub const LOAD_CSV_LIMIT: FileLimit = FileLimit::new("a load CSV file", 512 * MIB);

/// Hourly load as Parquet: 256 MiB (the shipped files are under 0.5 MB each; 10 million
/// rows of two uncompressed 8-byte columns are 160 MB).
pub const LOAD_PARQUET_LIMIT: FileLimit = FileLimit::new("a load Parquet file", 256 * MIB);

/// A table of a run or sweep folder (CSV or Parquet) read back by `report` and
/// `sweep --merge`: 1 GiB.
pub const RUN_TABLE_LIMIT: FileLimit = FileLimit::new("a table of a run folder", 1024 * MIB);

/// A shard's per-sample table as `sweep --merge` hashes (streaming) and reads it: 64 GiB
/// at the most; the read is bounded further by the rows the shard must hold.
pub const SHARD_TABLE_LIMIT: FileLimit =
    FileLimit::new("a per-sample table of a sweep shard", 64 * 1024 * MIB);

/// A size in words: "4 MiB", "512 MiB", "1.5 GiB", "1234 bytes".
#[must_use]
pub fn describe_size(bytes: u64) -> String {
    let value = bytes as f64;
    if bytes >= 1024 * MIB {
        format!("{:.1} GiB", value / (1024.0 * MIB as f64))
    } else if bytes >= MIB {
        format!("{:.1} MiB", value / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file system object that is not a regular file is, in words.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a broken symbolic link"
    } else {
        "not a file"
    }
}

fn not_regular(path: &Path, file_type: std::fs::FileType) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: not a regular file (it is {}); expected a file",
        path.display(),
        kind_of(file_type)
    )
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Open `path` for reading if it is a regular file no larger than `limit`; returns the
/// file and its size in bytes.
///
/// # Errors
/// A path that does not exist or cannot be opened, is not a regular file (named as what
/// it is), or is larger than `limit` (with the size found).
pub fn open_regular(path: &Path, limit: FileLimit) -> Result<(File, u64)> {
    let file = match open_without_waiting(path) {
        Ok(file) => file,
        Err(e) => {
            // Opening a socket fails (ENXIO); say what the path is when it is no file.
            if let Some(meta) = std::fs::metadata(path).ok().filter(|m| !m.is_file()) {
                return Err(not_regular(path, meta.file_type()));
            }
            if e.kind() == std::io::ErrorKind::NotFound {
                bail!("{}: the file does not exist", path.display());
            }
            bail!("{}: cannot open the file ({e})", path.display());
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| anyhow::anyhow!("{}: cannot read the file ({e})", path.display()))?;
    if !meta.is_file() {
        return Err(not_regular(path, meta.file_type()));
    }
    let size = meta.len();
    if size > limit.max_bytes {
        bail!(
            "{}: the file holds {}, more than the {} allowed for {} (docs/file-formats.md)",
            path.display(),
            describe_size(size),
            describe_size(limit.max_bytes),
            limit.what
        );
    }
    Ok((file, size))
}

/// Read a whole regular file of at most `limit` bytes ([`open_regular`]); a file that
/// grows past the limit while it is read is refused.
///
/// # Errors
/// As [`open_regular`], or a read error.
pub fn read_bytes(path: &Path, limit: FileLimit) -> Result<Vec<u8>> {
    let (file, size) = open_regular(path, limit)?;
    // The size is at most the limit, so this allocation is bounded too.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the file ({e})", path.display()))?;
    if bytes.len() as u64 > limit.max_bytes {
        bail!(
            "{}: the file grew past the {} allowed for {} while it was read",
            path.display(),
            describe_size(limit.max_bytes),
            limit.what
        );
    }
    Ok(bytes)
}

/// Read a regular UTF-8 text file of at most `limit` bytes: a byte-order mark is dropped
/// and `\r\n` line endings become `\n`.
///
/// # Errors
/// As [`read_bytes`], or text that is not UTF-8 (with the byte offset).
pub fn read_text_limited(path: &Path, limit: FileLimit) -> Result<String> {
    let bytes = read_bytes(path, limit)?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid bytes at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    // `\r\n` becomes `\n`: the csv crate counts lines one short after `\r\n` endings
    // (BurntSushi/rust-csv#395), and messages must name the right line. Copied only when
    // needed: a load CSV may be hundreds of MB.
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: FileLimit = FileLimit {
        what: "a test file",
        max_bytes: 10,
    };

    #[test]
    fn a_regular_file_within_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "\u{feff}a\r\nb\n").unwrap();
        assert_eq!(read_text_limited(&path, SMALL).unwrap(), "a\nb\n");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, "0123456789A").unwrap();
        let err = read_bytes(&path, SMALL).unwrap_err().to_string();
        assert!(
            err.contains("holds 11 bytes, more than the 10 bytes allowed for a test file"),
            "{err}"
        );
    }

    #[test]
    fn a_directory_and_a_missing_file_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_bytes(dir.path(), SMALL).unwrap_err().to_string();
        assert!(
            err.contains("not a regular file (it is a directory)"),
            "{err}"
        );
        let err = read_bytes(&dir.path().join("none"), SMALL)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the file does not exist"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        let err = read_bytes(Path::new("/dev/zero"), SMALL)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/dev/zero: not a regular file (it is a character device)"),
            "{err}"
        );
    }

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(describe_size(4 * MIB), "4.0 MiB");
        assert_eq!(describe_size(1536 * MIB), "1.5 GiB");
        assert_eq!(describe_size(12), "12 bytes");
    }
}
