//! Local-time load CSV (`timestamp_local,demand_mw`) in America/New_York
//! (`import::local_rows`, with its daylight-saving repeat and gap rules), then
//! `input::import::clean_rows` (gap filling on, gaps up to 6 h).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = "fuzz.csv";
    if let Ok(rows) = gridstrain::input::text_rows::local_rows(text, file, chrono_tz::America::New_York) {
        let _ = gridstrain::input::import::clean_rows(&rows, file, true, 6);
    }
});
