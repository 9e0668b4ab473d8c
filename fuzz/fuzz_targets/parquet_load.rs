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
//! Panics. `input::load_file::read_parquet_frame` runs polars' reader under `catch_unwind` and turns
//! a polars panic into an error; the binary installs `input::load_file::install_quiet_panic_hook` so
//! such a panic is silent. libFuzzer's own panic hook aborts on *every* panic, caught or
//! not, so by default this target installs gridstrain's hook on top of it: a panic
//! inside the guarded read is then an ordinary error (as for a user), and any other
//! panic still aborts and is reported. Set `GRIDSTRAIN_FUZZ_ALL_PANICS=1` to keep
//! libFuzzer's hook alone and stop at polars' internal panics too (to collect them as
//! fixtures or report them upstream). Aborts that are not panics (a failed allocation,
//! a stack overflow) are reported in both modes.
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

/// Panic semantics of the `gridstrain` binary unless `GRIDSTRAIN_FUZZ_ALL_PANICS=1`.
fn set_panic_mode() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("GRIDSTRAIN_FUZZ_ALL_PANICS").is_none_or(|v| v != "1") {
            gridstrain::input::load_file::install_quiet_panic_hook();
        }
    });
}

fuzz_target!(|data: &[u8]| {
    set_panic_mode();
    let path = scratch_file();
    std::fs::write(path, data).expect("write the scratch Parquet file");
    let _ = read_load_file(path);
    if let Ok(rows) = read_parquet_rows(path) {
        let _ = clean_rows(&rows, "fuzz.parquet", true, 6);
    }
});
