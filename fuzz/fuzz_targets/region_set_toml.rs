//! Region-set TOML: `input::parse_toml::<RawRegionSet>` (serde + the range and time-zone
//! validators + the error formatter), then `input::region_set::region_set_from_raw`
//! when it parses.
//!
//! The file is named as if it lay in the repository's `regions/` directory, so that the
//! load files of the shipped set (`load/*.parquet`) resolve and the validation runs to
//! its end. Nothing is written or read besides `Path::is_file` checks.
#![no_main]

use std::path::Path;

use gridstrain::input::parse_toml;
use gridstrain::input::region_set::{RawRegionSet, region_set_from_raw};
use libfuzzer_sys::fuzz_target;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../regions/fuzz.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(PATH);
    // `validate`'s listing of every value out of range must not panic on any text.
    let _ = gridstrain::input::ranges::scan(text, path);
    if let Ok(raw) = parse_toml::<RawRegionSet>(text, path) {
        let _ = region_set_from_raw(raw, path);
    }
});
