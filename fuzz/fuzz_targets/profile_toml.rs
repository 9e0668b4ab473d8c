//! Load-shape profile TOML (`profiles/*.toml`): `input::parse_toml::<RawProfile>`
//! (serde, the range validators, the error formatter), then
//! `input::profile::profile_from_raw` when it parses.
#![no_main]

use std::path::Path;

use gridstrain::input::parse_toml;
use gridstrain::input::profile::{RawProfile, profile_from_raw};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("profiles/fuzz.toml");
    let _ = gridstrain::input::ranges::scan(text, path);
    if let Ok(raw) = parse_toml::<RawProfile>(text, path) {
        let _ = profile_from_raw(&raw, path);
    }
});
