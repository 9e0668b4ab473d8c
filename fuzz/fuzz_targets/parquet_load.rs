//! Parquet load file: the bytes are written to a scratch `.parquet` file
//! (`$TMPDIR/gridstrain-fuzz-parquet/<pid>.parquet`) and read
//!
//! * with `input::load_file::read_load_file` (polars' Parquet reader, the column and type checks,
//!   then the hourly-series checks of `load::load_from_rows`), as `run` reads a region's
//!   load file;
//! * with `input::load_file::read_parquet_rows`, and the rows through
//!   `input::import::clean_rows` (gap filling on, gaps up to 6 h), as `import` reads a tidy
//!   Parquet file.
//!
//! Where the bytes are decoded. The `gridstrain` binary decodes Parquet from outside in a
//! child process (`input::parquet_read`). By default this target does too: it sets
//! `GRIDSTRAIN_PARQUET_READER` to `target/release/gridstrain` (build it first with
//! `cargo build --release`), so what is fuzzed is what a user runs — the child is allowed
//! to abort, this process is not. Set `GRIDSTRAIN_FUZZ_IN_PROCESS=1` to decode inside the
//! fuzzer instead (polars' own reader under `catch_unwind`; its aborts are then reported,
//! to collect them as fixtures or report them upstream), and `GRIDSTRAIN_FUZZ_ALL_PANICS=1`
//! to stop at polars' internal panics too (libFuzzer's hook alone).
#![no_main]

use std::path::PathBuf;
use std::sync::{Once, OnceLock};

use gridstrain::input::import::clean_rows;
use gridstrain::input::load_file::{read_load_file, read_parquet_rows};
use libfuzzer_sys::fuzz_target;

/// One scratch file per fuzzing process, rewritten for every input:
/// `$TMPDIR/gridstrain-fuzz-parquet/<pid>.parquet`. A process that ends in a crash (or
/// libFuzzer's `exit`) leaves its file behind; they all sit in that one directory.
fn scratch_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::temp_dir().join("gridstrain-fuzz-parquet");
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir.join(format!("{}.parquet", std::process::id()))
    })
}

/// Whether an environment variable is set to `1`.
fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// The reader process and the panic semantics of the `gridstrain` binary, unless asked
/// otherwise (see the module docs).
fn set_mode() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if !flag("GRIDSTRAIN_FUZZ_IN_PROCESS")
            && std::env::var_os(gridstrain::input::parquet_read::READER_ENV).is_none()
        {
            let exe = PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/release/gridstrain"
            ));
            assert!(
                exe.is_file(),
                "{} is missing: run `cargo build --release` first, or set GRIDSTRAIN_FUZZ_IN_PROCESS=1",
                exe.display()
            );
            gridstrain::input::parquet_read::use_reader_executable(exe);
        }
        if !flag("GRIDSTRAIN_FUZZ_ALL_PANICS") {
            gridstrain::input::parquet_read::install_quiet_panic_hook();
        }
    });
}

fuzz_target!(|data: &[u8]| {
    set_mode();
    let path = scratch_file();
    std::fs::write(path, data).expect("write the scratch Parquet file");
    let _ = read_load_file(path);
    if let Ok(rows) = read_parquet_rows(path) {
        let _ = clean_rows(&rows, "fuzz.parquet", true, 6);
    }
});
