//! Every Parquet file from outside (a load file, a run folder's tables, a shard's tables)
//! is decoded in a **child process**, never in the process that holds the study.
//!
//! polars trusts the counts and sizes a Parquet file stores: a corrupt footer or page
//! header can make it ask for exabytes, and a failed allocation aborts the process —
//! `catch_unwind` cannot turn that into an error (the files in
//! `fuzz/reproducers/parquet_load/` do exactly that). Rather than decode the file a second
//! time with our own decoder that must agree with polars' byte for byte, the bytes go to
//! `gridstrain read-parquet-child` (a hidden subcommand of the same executable) on its
//! standard input. The child caps its own address space ([`child_memory_limit_bytes`])
//! and CPU time,
//! reads the file with polars, and writes the frame back as a Parquet file polars itself
//! wrote (uncompressed, with the original key-value metadata). A child that aborts, is
//! killed or exits 1 is one error naming the file; the parent only ever decodes bytes
//! polars encoded. `docs/architecture.md` ("Untrusted Parquet") has the measurements that
//! chose this over a bounds check of our own or the `parquet` crate's metadata reader.
//!
//! The executable is the one set by [`use_reader_executable`] (the `gridstrain` binary sets
//! itself at start-up), the command set by [`use_reader_command`] (the Python package:
//! its interpreter with `-m gridstrain`, since there the running executable is Python) or
//! named by the environment variable [`READER_ENV`]. A library
//! caller that sets neither (unit tests, the fuzz target without the variable) reads in
//! process, under `catch_unwind` only: a panic becomes an error, an abort stays an abort.
//! A panic inside such a read is silent ([`install_quiet_panic_hook`]).
use std::cell::Cell;
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use polars::prelude::*;
use rayon::prelude::*;

use crate::input::bounded::{FileLimit, read_bytes};

/// Environment variable naming a `gridstrain` executable to read untrusted Parquet in.
pub const READER_ENV: &str = "GRIDSTRAIN_PARQUET_READER";

/// The hidden subcommand the child runs.
pub const CHILD_SUBCOMMAND: &str = "read-parquet-child";

/// The command set by [`use_reader_executable`] or [`use_reader_command`]: a program and
/// the arguments before the hidden subcommand.
static READER_COMMAND: OnceLock<(PathBuf, Vec<OsString>)> = OnceLock::new();

/// Read untrusted Parquet in child processes of `exe` (a `gridstrain` executable). Set
/// once, by the binary at start-up; a later call (of this or [`use_reader_command`]) is
/// ignored.
pub fn use_reader_executable(exe: PathBuf) {
    use_reader_command(exe, Vec::new());
}

/// Read untrusted Parquet in child processes `program leading_args… read-parquet-child
/// …`: for a host whose own executable is not gridstrain (the Python package runs
/// `python -m gridstrain`). Set once; a later call (of this or [`use_reader_executable`])
/// is ignored.
pub fn use_reader_command(program: PathBuf, leading_args: Vec<OsString>) {
    let _ = READER_COMMAND.set((program, leading_args));
}

/// Whether a reader process is required (set by the binary: it never decodes untrusted
/// Parquet in its own process, even when it cannot find its own executable).
static READER_REQUIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Never decode untrusted Parquet in this process: without a reader executable, a read
/// is an error. Set by the binary at start-up.
pub fn require_reader_process() {
    READER_REQUIRED.store(true, Ordering::SeqCst);
}

/// The command untrusted Parquet is read in: the one set by [`use_reader_executable`] (the
/// binary's own) or [`use_reader_command`], else [`READER_ENV`] (for library callers).
fn reader_command() -> Option<(PathBuf, Vec<OsString>)> {
    READER_COMMAND.get().cloned().or_else(|| {
        std::env::var_os(READER_ENV)
            .filter(|v| !v.is_empty())
            .map(|exe| (PathBuf::from(exe), Vec::new()))
    })
}

/// A Parquet file's frame and its key-value metadata.
#[derive(Debug)]
pub struct ParquetContents {
    /// The table.
    pub frame: DataFrame,
    /// The file's key-value metadata, in order (a missing value is empty).
    pub key_values: Vec<(String, String)>,
}

/// Read a Parquet file from outside (a regular file of at most `limit`, see
/// [`crate::input::bounded`]) into a frame, in a child process (see the module docs). A
/// file of more than `max_rows` rows is refused. `expected` ends the message of a file
/// that is not readable Parquet.
///
/// # Errors
/// When the file cannot be opened, is too large, holds too many rows or is not readable
/// Parquet (the child's reason in brackets).
pub fn read_guarded_parquet(
    path: &Path,
    limit: FileLimit,
    max_rows: u64,
    expected: &str,
) -> Result<DataFrame> {
    Ok(read_untrusted_parquet(path, limit, max_rows, expected)?.frame)
}

/// As [`read_guarded_parquet`], with the file's key-value metadata.
///
/// # Errors
/// As [`read_guarded_parquet`].
pub fn read_untrusted_parquet(
    path: &Path,
    limit: FileLimit,
    max_rows: u64,
    expected: &str,
) -> Result<ParquetContents> {
    read_untrusted_parquets(&[path], limit, max_rows, expected)
        .pop()
        .unwrap_or_else(|| bail!("{}: no answer from the Parquet reader", path.display()))
}

/// [`read_untrusted_parquet`] of several files, in order: the files are decoded in one
/// child process per worker thread (a process per file would cost more than decoding a
/// load file), in parallel.
pub fn read_untrusted_parquets(
    paths: &[&Path],
    limit: FileLimit,
    max_rows: u64,
    expected: &str,
) -> Vec<Result<ParquetContents>> {
    let bytes: Vec<Result<Vec<u8>>> = paths.par_iter().map(|p| read_bytes(p, limit)).collect();
    let readable: Vec<(usize, &[u8])> = bytes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.as_ref().ok().map(|b| (i, b.as_slice())))
        .collect();
    let exe = reader_command();
    let per_child = readable
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let decoded: Vec<(usize, Answer)> = readable
        .par_chunks(per_child)
        .flat_map_iter(|chunk| {
            let files: Vec<&[u8]> = chunk.iter().map(|(_, b)| *b).collect();
            let answers = match &exe {
                Some((exe, leading)) => read_in_children((exe, leading), &files, max_rows),
                None if READER_REQUIRED.load(Ordering::SeqCst) => files
                    .iter()
                    .map(|_| {
                        Err(ReadFailure::NoReader(format!(
                            "cannot find the gridstrain executable to read Parquet in; set {READER_ENV} to it"
                        )))
                    })
                    .collect(),
                None => files
                    .iter()
                    .map(|b| read_here(b.to_vec(), max_rows))
                    .collect(),
            };
            chunk
                .iter()
                .map(|(i, _)| *i)
                .zip(answers)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut decoded = decoded.into_iter().peekable();
    bytes
        .into_iter()
        .enumerate()
        .map(|(i, read)| {
            read?;
            let Some((_, outcome)) = decoded.next_if(|(at, _)| *at == i) else {
                bail!("{}: no answer from the Parquet reader", paths[i].display());
            };
            match outcome {
                Ok(contents) => Ok(contents),
                Err(ReadFailure::Refused(why)) => bail!(
                    "{}: not a readable Parquet file ({why}){}{expected}",
                    paths[i].display(),
                    if expected.is_empty() { "" } else { "; " }
                ),
                Err(ReadFailure::NoReader(why)) => bail!("{}: {why}", paths[i].display()),
            }
        })
        .collect()
}

/// One file's outcome.
type Answer = std::result::Result<ParquetContents, ReadFailure>;

/// Why a read gave no frame.
#[derive(Debug)]
enum ReadFailure {
    /// The file is not readable Parquet (or breaks a limit): the reason.
    Refused(String),
    /// The child process could not be started or talked to: the reason.
    NoReader(String),
}

/// Address space the child may use: 4 GiB for the program, polars and a frame of a
/// load file, plus 64 bytes for every byte of the largest file and the bytes it holds
/// (a decoded table takes at most a few times its file). A file whose metadata ask for
/// more makes the child's allocation fail and the child abort — in the child, not here.
#[must_use]
pub fn child_memory_limit_bytes(largest_file_bytes: u64, all_bytes: u64) -> u64 {
    (4u64 << 30)
        .saturating_add(largest_file_bytes.saturating_mul(64))
        .saturating_add(all_bytes)
}

/// Exit code of a child that could not set itself up (its input, its limits).
const SETUP_FAILED: u8 = 3;

/// CPU seconds the child may use: decoding the largest table gridstrain reads (a merged
/// sweep's per-sample shard) takes a few seconds; a file that makes polars loop is
/// stopped by the kernel (SIGXCPU) and refused.
const CHILD_CPU_SECONDS: u64 = 300;

/// Decode `files` in child processes of `exe` (with its leading arguments): one for all of
/// them, and when a file stops a child (an abort, a signal), that file is refused and the
/// files after it go to a new child.
fn read_in_children(exe: (&Path, &[OsString]), files: &[&[u8]], max_rows: u64) -> Vec<Answer> {
    let mut answers = Vec::with_capacity(files.len());
    while answers.len() < files.len() {
        let rest = &files[answers.len()..];
        match read_in_child(exe, rest, max_rows) {
            Ok((mut got, stopped)) => {
                answers.append(&mut got);
                match stopped {
                    // The file being decoded stopped the child: refuse it, go on.
                    Some(Stopped::OnTheFile(why)) => answers.push(Err(ReadFailure::Refused(why))),
                    // The child itself failed (its setup, a wrong executable): no file
                    // is to blame and another child would fail the same way.
                    Some(Stopped::Reader(why)) => {
                        let left = files.len() - answers.len();
                        answers.extend((0..left).map(|_| Err(ReadFailure::NoReader(why.clone()))));
                    }
                    None => {}
                }
            }
            Err(why) => {
                answers.extend(rest.iter().map(|_| Err(ReadFailure::NoReader(why.clone()))));
            }
        }
    }
    answers
}

/// One child `exe [leading…] read-parquet-child --max-rows N`: send it the files (a `u64`
/// little-endian length before each), and read back one answer per file it finished (a
/// status byte, 0 a table or 1 a refusal, a `u64` length, then Parquet bytes or the
/// reason). Also how the child stopped, if it stopped before the last file.
fn read_in_child(
    (exe, leading): (&Path, &[OsString]),
    files: &[&[u8]],
    max_rows: u64,
) -> std::result::Result<(Vec<Answer>, Option<Stopped>), String> {
    let mut child = Command::new(exe)
        .args(leading)
        .arg(CHILD_SUBCOMMAND)
        .arg("--max-rows")
        .arg(max_rows.to_string())
        // One decoding thread and two malloc arenas keep the child's address space
        // small, so its cap bites only on what a file asks for.
        .env("POLARS_MAX_THREADS", "1")
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start the Parquet reader process `{}` ({e}); set {READER_ENV} to a gridstrain executable",
                exe.display()
            )
        })?;
    let (mut stdin, stdout, stderr) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let (answers, too_large, said) = std::thread::scope(|scope| {
        // Write on one thread and drain standard error on another while this one reads
        // the answers, so no pipe fills up and blocks the others. A child that dies early
        // closes its end: the write fails and its exit status says why.
        scope.spawn(move || {
            if let Some(stdin) = stdin.as_mut() {
                for file in files {
                    let sent = stdin
                        .write_all(&(file.len() as u64).to_le_bytes())
                        .and_then(|()| stdin.write_all(file));
                    if sent.is_err() {
                        break;
                    }
                }
            }
            drop(stdin);
        });
        let said = scope.spawn(move || {
            let mut said = Vec::new();
            if let Some(stderr) = stderr {
                let _ = std::io::Read::read_to_end(
                    &mut std::io::Read::take(stderr, 64 << 10),
                    &mut said,
                );
            }
            said
        });
        let (answers, too_large) = read_answers(stdout, files);
        if too_large.is_some() {
            let _ = child.kill();
        }
        (answers, too_large, said.join().unwrap_or_default())
    });
    let status = child
        .wait()
        .map_err(|e| format!("cannot read from the Parquet reader ({e})"))?;
    let stopped = match too_large {
        Some(why) => Some(Stopped::OnTheFile(why)),
        None => (answers.len() < files.len()).then(|| child_failure(status, &said)),
    };
    Ok((answers, stopped))
}

/// Most bytes one answer may take: a table decoded from a file of `file_bytes` (256 MiB —
/// a load file of the most rows allowed, constant, decodes to 160 MB — plus 64 times the
/// file), so a small hostile file cannot make this process hold gigabytes.
#[must_use]
pub fn answer_limit_bytes(file_bytes: usize) -> u64 {
    (256u64 << 20).saturating_add((file_bytes as u64).saturating_mul(64))
}

/// Read one answer per file from a child's standard output (a status byte, 0 a table or
/// 1 a refusal, a `u64` length, then Parquet bytes or the reason), stopping where the
/// output ends; and the reason, when an answer was larger than its file may give.
fn read_answers(
    stdout: Option<std::process::ChildStdout>,
    files: &[&[u8]],
) -> (Vec<Answer>, Option<String>) {
    use std::io::Read as _;
    let mut answers = Vec::with_capacity(files.len());
    let Some(mut stdout) = stdout else {
        return (answers, None);
    };
    for file in files {
        let mut head = [0u8; 9];
        if stdout.read_exact(&mut head).is_err() {
            break;
        }
        let length = u64::from_le_bytes(head[1..].try_into().expect("eight bytes"));
        let limit = answer_limit_bytes(file.len());
        if length > limit {
            return (
                answers,
                Some(format!(
                    "it decodes to a table of {length} bytes; a file of {} bytes may give at most {limit}",
                    file.len()
                )),
            );
        }
        let mut payload = vec![0; usize::try_from(length).unwrap_or(0)];
        if stdout.read_exact(&mut payload).is_err() {
            break;
        }
        answers.push(if head[0] == 0 {
            // Bytes polars wrote a moment ago, from a frame it held: safe to decode here.
            decode(payload).map_err(|e| {
                ReadFailure::NoReader(format!(
                    "the Parquet reader sent back a table that does not read ({e})"
                ))
            })
        } else {
            Err(ReadFailure::Refused(
                String::from_utf8_lossy(&payload).into_owned(),
            ))
        });
    }
    (answers, None)
}

/// How a child that stopped before its last answer stopped.
#[derive(Debug, PartialEq)]
enum Stopped {
    /// On the file it was decoding (killed by a signal, or a panic): the reason.
    OnTheFile(String),
    /// By a failure of its own (its setup, a wrong executable): the reason.
    Reader(String),
}

/// Exit code of a Rust process that panicked.
const PANIC_EXIT: i32 = 101;

/// How a child stopped: a signal (an abort on an allocation, the CPU limit) or a panic
/// blames the file it was decoding; any other exit is the reader's own failure.
fn child_failure(status: std::process::ExitStatus, stderr: &[u8]) -> Stopped {
    let said = String::from_utf8_lossy(stderr);
    let said = said
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| crate::input::shorten(l, 300));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            let why = match signal {
                6 => "an allocation the file asks for and no load file needs",
                9 | 24 => "more time than any table needs",
                _ => "a fault while decoding",
            };
            return Stopped::OnTheFile(format!(
                "the reader process stopped on it: signal {signal}, {why}"
            ));
        }
    }
    if status.code() == Some(PANIC_EXIT) {
        return Stopped::OnTheFile(
            "its metadata are corrupt (the reader panicked on it)".to_owned(),
        );
    }
    Stopped::Reader(match said {
        Some(reason) => format!("the Parquet reader process failed ({status}): {reason}"),
        None => format!("the Parquet reader process ended without an answer ({status})"),
    })
}

/// The frame and key-value metadata of Parquet bytes (polars, in this process).
fn decode(bytes: Vec<u8>) -> PolarsResult<ParquetContents> {
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let key_values = reader
        .get_metadata()?
        .key_value_metadata()
        .as_ref()
        .map(|kvs| {
            kvs.iter()
                .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let frame = reader.finish()?;
    Ok(ParquetContents { frame, key_values })
}

/// Decode untrusted bytes in this process under `catch_unwind` (a panic of polars'
/// reader becomes a refusal), then check the row count.
fn read_here(bytes: Vec<u8>, max_rows: u64) -> std::result::Result<ParquetContents, ReadFailure> {
    let outcome = {
        let _guard = GuardedRead::start();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode(bytes)))
    };
    let contents = match outcome {
        Ok(Ok(contents)) => contents,
        Ok(Err(e)) => return Err(ReadFailure::Refused(e.to_string())),
        Err(_) => {
            return Err(ReadFailure::Refused("its metadata are corrupt".to_string()));
        }
    };
    let rows = contents.frame.height() as u64;
    if rows > max_rows {
        return Err(ReadFailure::Refused(format!(
            "it holds {rows} rows; at most {max_rows} are allowed here"
        )));
    }
    Ok(contents)
}

/// A table as uncompressed Parquet with its key-value metadata (polars writes the Arrow
/// schema of the frame itself).
fn encode(mut contents: ParquetContents) -> PolarsResult<Vec<u8>> {
    let key_values: Vec<(String, String)> = std::mem::take(&mut contents.key_values)
        .into_iter()
        .filter(|(key, _)| key != ARROW_SCHEMA_KEY)
        .collect();
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Uncompressed)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(key_values)))
        .finish(&mut contents.frame)?;
    Ok(out)
}

/// The key-value entry in which Arrow writers keep the frame's schema.
const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// The child's side (`gridstrain read-parquet-child --max-rows N`): read the files from
/// standard input (each after its `u64` little-endian length), cap the address space and
/// CPU time, then for each file write an answer to standard output and flush it: status 0
/// and the table as uncompressed Parquet with the same key-value metadata, or status 1
/// and the reason. A file that aborts the child leaves the answers before it intact.
#[must_use]
pub fn child_main(max_rows: u64) -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut input) {
        eprintln!("cannot read standard input ({e})");
        return ExitCode::from(SETUP_FAILED);
    }
    let mut files = Vec::new();
    let mut rest = input.as_slice();
    while !rest.is_empty() {
        let Some((length, after)) = rest.split_first_chunk::<8>() else {
            eprintln!("a truncated file length on standard input");
            return ExitCode::from(SETUP_FAILED);
        };
        let length = usize::try_from(u64::from_le_bytes(*length)).unwrap_or(usize::MAX);
        if after.len() < length {
            eprintln!("a truncated file on standard input");
            return ExitCode::from(SETUP_FAILED);
        }
        files.push(&after[..length]);
        rest = &after[length..];
    }
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let largest = files.iter().map(|f| f.len() as u64).max().unwrap_or(0);
        let memory = child_memory_limit_bytes(largest, input.len() as u64);
        // The caps are the point of the child: without them, a file that asks for tens
        // of gigabytes, or makes a decoder loop, would stop the machine, not one process.
        // A lower limit already in force (`ulimit`) is kept; no core file is written for
        // a file that stops the child.
        for (resource, wanted) in [
            (Resource::As, memory),
            (Resource::Cpu, CHILD_CPU_SECONDS),
            (Resource::Core, 0),
        ] {
            let limit = rustix::process::getrlimit(resource)
                .maximum
                .map_or(wanted, |hard| hard.min(wanted));
            let limit = Rlimit {
                current: Some(limit),
                maximum: Some(limit),
            };
            if let Err(e) = setrlimit(resource, limit) {
                eprintln!("cannot cap the reader's resources ({e})");
                return ExitCode::from(SETUP_FAILED);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    for file in files {
        let (status, payload) = match read_and_encode(file, max_rows) {
            Ok(table) => (0u8, table),
            Err(why) => (1u8, why.into_bytes()),
        };
        let written = stdout
            .write_all(&[status])
            .and_then(|()| stdout.write_all(&(payload.len() as u64).to_le_bytes()))
            .and_then(|()| stdout.write_all(&payload))
            .and_then(|()| stdout.flush());
        if let Err(e) = written {
            eprintln!("cannot write the table back ({e})");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// Decode one file and re-encode its table, or say why not.
fn read_and_encode(file: &[u8], max_rows: u64) -> std::result::Result<Vec<u8>, String> {
    let contents = match read_here(file.to_vec(), max_rows) {
        Ok(contents) => contents,
        Err(ReadFailure::Refused(why) | ReadFailure::NoReader(why)) => return Err(why),
    };
    // The parent holds the table too: no more than a file of this size may give.
    let table_bytes = contents.frame.estimated_size() as u64;
    let limit = answer_limit_bytes(file.len());
    if table_bytes > limit {
        return Err(format!(
            "it decodes to a table of {table_bytes} bytes; a file of {} bytes may give at most {limit}",
            file.len()
        ));
    }
    // A frame polars decoded from a corrupt file can be inconsistent (columns of
    // different lengths), and writing it can panic: that is a refusal too.
    let encoded = {
        let _guard = GuardedRead::start();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| encode(contents)))
    };
    match encoded {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(format!("its table cannot be re-encoded ({e})")),
        Err(_) => Err("its columns decode to different lengths".to_owned()),
    }
}

// ------------------------------------------------------- panics inside an in-process read

/// Parquet reads under [`read_here`]'s guard right now, on any thread.
static GUARDED_READS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is inside a guarded read.
    static GUARDED_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Whether a panic is one the guard turns into an error, so the hook stays silent: it
/// was raised on the reading thread during a guarded read, or during any guarded read
/// inside polars' own code (polars panics on its worker threads too, so the panic's
/// location decides, not its thread). Every other panic is reported.
#[must_use]
pub fn panic_is_inside_a_guarded_read(
    location_file: Option<&str>,
    guarded_here: bool,
    guarded_reads: usize,
) -> bool {
    let inside_polars = location_file.is_some_and(|f| {
        let f = f.replace('\\', "/");
        f.contains("/polars-") || f.contains("/polars/")
    });
    guarded_here || (guarded_reads > 0 && inside_polars)
}

/// Make panics inside guarded Parquet reads silent (they become ordinary errors); every
/// other panic is reported by the hook that was installed before. Installed once by the
/// binary (and by the fuzz target).
pub fn install_quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let silent = panic_is_inside_a_guarded_read(
            info.location().map(std::panic::Location::file),
            GUARDED_HERE.with(Cell::get),
            GUARDED_READS.load(Ordering::SeqCst),
        );
        if !silent {
            previous(info);
        }
    }));
}

/// Counts a guarded read while it lives (also when the read unwinds).
struct GuardedRead;

impl GuardedRead {
    fn start() -> Self {
        GUARDED_READS.fetch_add(1, Ordering::SeqCst);
        GUARDED_HERE.with(|g| g.set(true));
        Self
    }
}

impl Drop for GuardedRead {
    fn drop(&mut self) {
        GUARDED_HERE.with(|g| g.set(false));
        GUARDED_READS.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_panics_inside_a_guarded_read_are_silenced() {
        let polars = Some("/root/.cargo/registry/src/index/polars-parquet-0.55.2/src/x.rs");
        let ours = Some("src/simulation/mod.rs");
        assert!(panic_is_inside_a_guarded_read(polars, false, 1));
        assert!(panic_is_inside_a_guarded_read(ours, true, 1));
        assert!(!panic_is_inside_a_guarded_read(ours, false, 1));
        assert!(!panic_is_inside_a_guarded_read(polars, false, 0));
        assert!(!panic_is_inside_a_guarded_read(None, false, 3));
    }

    #[test]
    fn another_threads_panic_during_a_guarded_read_is_reported() {
        use std::sync::atomic::AtomicBool;
        static REPORTED: AtomicBool = AtomicBool::new(false);
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            if info.payload().downcast_ref::<&str>() == Some(&"not a read") {
                REPORTED.store(true, Ordering::SeqCst);
            }
        }));
        install_quiet_panic_hook();
        let guard = GuardedRead::start();
        let joined = std::thread::spawn(|| panic!("not a read")).join();
        drop(guard);
        let _ = std::panic::take_hook();
        std::panic::set_hook(before);
        assert!(joined.is_err());
        assert!(
            REPORTED.load(Ordering::SeqCst),
            "the other panic was silenced"
        );
    }

    #[test]
    fn the_memory_cap_grows_with_the_input() {
        assert_eq!(child_memory_limit_bytes(0, 0), 4 << 30);
        assert_eq!(
            child_memory_limit_bytes(1 << 20, 3 << 20),
            (4 << 30) + (64 << 20) + (3 << 20)
        );
        assert_eq!(child_memory_limit_bytes(u64::MAX, 1), u64::MAX);
    }

    #[test]
    fn an_answer_may_be_a_few_times_its_file() {
        assert_eq!(answer_limit_bytes(0), 256 << 20);
        assert_eq!(answer_limit_bytes(1 << 20), (256 << 20) + (64 << 20));
    }

    #[test]
    fn a_signal_or_a_panic_blames_the_file_any_other_exit_the_reader() {
        use std::os::unix::process::ExitStatusExt as _;
        let aborted = std::process::ExitStatus::from_raw(6);
        assert!(
            matches!(child_failure(aborted, b""), Stopped::OnTheFile(why) if why.contains("signal 6"))
        );
        let panicked = std::process::ExitStatus::from_raw(101 << 8);
        assert!(matches!(
            child_failure(panicked, b""),
            Stopped::OnTheFile(_)
        ));
        let setup = std::process::ExitStatus::from_raw(3 << 8);
        assert!(matches!(
            child_failure(setup, b"\n  cannot cap the reader's resources (EPERM)\n"),
            Stopped::Reader(why) if why.ends_with("cannot cap the reader's resources (EPERM)")
        ));
        let wrong_program = std::process::ExitStatus::from_raw(0);
        assert!(matches!(
            child_failure(wrong_program, b""),
            Stopped::Reader(_)
        ));
    }

    /// A program that answers nothing (not a gridstrain) blames no file: every file gets
    /// the reader's failure, from one process, not one process per file.
    #[test]
    fn a_reader_that_fails_blames_no_file() {
        let answers = read_in_children(
            (Path::new("/bin/true"), &[]),
            &[b"PAR1", b"PAR1", b"PAR1"],
            10,
        );
        assert_eq!(answers.len(), 3);
        for answer in answers {
            assert!(
                matches!(&answer, Err(ReadFailure::NoReader(why)) if why.contains("without an answer")),
                "{answer:?}"
            );
        }
        let missing = read_in_children((Path::new("/nonexistent/gridstrain"), &[]), &[b"PAR1"], 10);
        assert!(
            matches!(&missing[0], Err(ReadFailure::NoReader(why)) if why.contains("cannot start"))
        );
    }

    #[test]
    fn in_process_reads_refuse_garbage_and_too_many_rows() {
        let mut frame = df!("x" => [1.0, 2.0, 3.0]).expect("frame");
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
                "k".to_owned(),
                "v".to_owned(),
            )])))
            .finish(&mut frame)
            .expect("write");
        let read = read_here(bytes.clone(), 3).expect("three rows fit");
        assert_eq!(read.frame.height(), 3);
        assert!(read.key_values.contains(&("k".to_owned(), "v".to_owned())));
        assert!(
            matches!(read_here(bytes, 2), Err(ReadFailure::Refused(r)) if r.contains("3 rows"))
        );
        assert!(matches!(
            read_here(b"PAR1 not parquet PAR1".to_vec(), 10),
            Err(ReadFailure::Refused(_))
        ));
    }
}
