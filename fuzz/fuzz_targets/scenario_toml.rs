//! Scenario TOML: `input::parse_toml::<RawScenario>` (serde + the range validators +
//! the error formatter), then `input::scenario::scenario_from_raw` when it parses.
//!
//! The file is named as if it lay in the repository's `scenarios/` directory, so that
//! the profile paths of the shipped scenarios (`../profiles/*.toml`) resolve and the
//! validation runs to its end. Nothing is written; the paths are only tested with
//! `Path::is_file`.
#![no_main]

use std::path::Path;

use gridstrain::input::parse_toml;
use gridstrain::input::scenario::{RawScenario, scenario_from_raw};
use libfuzzer_sys::fuzz_target;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/fuzz.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(PATH);
    // `validate`'s listing of every value out of range must not panic on any text.
    let _ = gridstrain::input::ranges::scan(text, path);
    if let Ok(raw) = parse_toml::<RawScenario>(text, path) {
        let _ = scenario_from_raw(&raw, path);
    }
});
